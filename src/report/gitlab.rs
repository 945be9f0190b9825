//! GitLab code quality report (`artifacts:reports:codequality`): a JSON array of issues that
//! GitLab shows in merge requests.
//!
//! Severities map one to one onto GitLab's five levels (critical → blocker, high → critical,
//! medium → major, low → minor, info → info). The fingerprint is palisade's content
//! fingerprint, so GitLab tells new issues from old ones across commits.

use std::io::{self, Write};

use serde::{Serialize, Serializer};

use crate::catalog::{Catalog, Severity};
use crate::engine::ScanReport;
use crate::finding::Finding;

pub fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &Issues(&report.findings, catalog))?;
    writeln!(out)
}

/// The issues, serialized one by one from the findings.
struct Issues<'r>(&'r [Finding], &'r Catalog);

impl Serialize for Issues<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Issues(findings, catalog) = *self;
        serializer.collect_seq(findings.iter().map(|finding| {
            let name = catalog
                .get(&finding.rule_id)
                .map_or("", |r| r.name.as_str());
            Issue {
                description: format!("{} {name}: {}", finding.rule_id, finding.message),
                check_name: &finding.rule_id,
                fingerprint: &finding.fingerprint,
                severity: match finding.severity {
                    Severity::Critical => "blocker",
                    Severity::High => "critical",
                    Severity::Medium => "major",
                    Severity::Low => "minor",
                    Severity::Info => "info",
                },
                location: IssueLocation {
                    path: &finding.repo_path,
                    lines: Lines {
                        begin: finding.start.line,
                        end: finding.end.line,
                    },
                },
            }
        }))
    }
}

#[derive(Serialize)]
struct Issue<'r> {
    description: String,
    check_name: &'r str,
    fingerprint: &'r str,
    severity: &'static str,
    location: IssueLocation<'r>,
}

#[derive(Serialize)]
struct IssueLocation<'r> {
    path: &'r str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}
