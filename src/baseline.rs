//! The baseline: findings recorded once, so that a CI gate judges only what is new.
//!
//! A finding is recognised by its fingerprint, which hashes the rule, the repository-relative
//! path and the offending text (whitespace-normalised, numbered among identical ones, with every
//! secret in it replaced by a fixed token), never a line number: adding lines above a recorded
//! finding, or editing other lines, leaves it recorded; changing the offending text itself makes
//! it new. The file also keeps each finding's
//! rule, path, line and (masked) message, for people reviewing it; only the fingerprint is used
//! for matching, so a baseline written on one machine works on any other.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::bounded;
use crate::engine::ScanReport;

/// Where `palisade baseline` writes by default.
pub const DEFAULT_BASELINE: &str = ".palisade-baseline.json";

/// Version of the baseline file's shape and of its fingerprints. Version 1 fingerprints hashed
/// secret values, which let anyone holding a baseline test guesses of a short secret; those
/// files are refused with a request to write them again.
const VERSION: u32 = 2;

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    rule_id: String,
    path: String,
    line: usize,
    message: String,
}

/// The fingerprints of a recorded baseline.
#[derive(Debug)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Baseline, String> {
        let text = bounded::read_text(path, bounded::MAX_BASELINE_BYTES, "baseline")?;
        let file: File = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a palisade baseline ({e}); write one with `palisade baseline`",
                path.display()
            )
        })?;
        if file.version == 1 {
            return Err(format!(
                "{} was written by an earlier palisade, whose fingerprints of secrets could be \
                 tested against guesses; write it again with `palisade baseline` (and if it was \
                 committed with secret findings in it, treat those secrets as exposed)",
                path.display()
            ));
        }
        if file.version != VERSION {
            return Err(format!(
                "{} is a baseline of version {}, this palisade reads version {VERSION}",
                path.display(),
                file.version
            ));
        }
        Ok(Baseline {
            fingerprints: file.findings.into_iter().map(|e| e.fingerprint).collect(),
        })
    }

    /// Leaves out of the report the findings the baseline holds, and counts them.
    pub fn apply(&self, report: &mut ScanReport) {
        let before = report.findings.len();
        report
            .findings
            .retain(|finding| !self.fingerprints.contains(&finding.fingerprint));
        report.baselined += before - report.findings.len();
    }
}

/// Writes a report's findings as a baseline (suppressed ones are not recorded: they are
/// already accounted for where they are).
pub fn write(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    let file = File {
        version: VERSION,
        findings: report
            .findings
            .iter()
            .map(|finding| Entry {
                fingerprint: finding.fingerprint.clone(),
                rule_id: finding.rule_id.clone(),
                path: finding.repo_path.clone(),
                line: finding.start.line,
                message: finding.message.clone(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &file)?;
    writeln!(out)
}
