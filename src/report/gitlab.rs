//! GitLab code quality report (`artifacts:reports:codequality`): a JSON array of issues that
//! GitLab shows in merge requests.
//!
//! Severities map one to one onto GitLab's five levels (critical → blocker, high → critical,
//! medium → major, low → minor, info → info). The fingerprint is palisade's content
//! fingerprint, so GitLab tells new issues from old ones across commits.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::catalog::{Catalog, Severity};
use crate::engine::ScanReport;

pub fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            let name = catalog
                .get(&finding.rule_id)
                .map_or("", |r| r.name.as_str());
            json!({
                "description": format!("{} {name}: {}", finding.rule_id, finding.message),
                "check_name": finding.rule_id,
                "fingerprint": finding.fingerprint,
                "severity": match finding.severity {
                    Severity::Critical => "blocker",
                    Severity::High => "critical",
                    Severity::Medium => "major",
                    Severity::Low => "minor",
                    Severity::Info => "info",
                },
                "location": {
                    "path": finding.repo_path,
                    "lines": { "begin": finding.start.line, "end": finding.end.line },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}
