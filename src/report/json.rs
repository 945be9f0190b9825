//! The JSON report. Its shape is versioned by `version`: fields may be added within a version,
//! never renamed or removed. It carries no timing, so the same tree gives the same bytes.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::engine::ScanReport;
use crate::finding::Finding;
use crate::report::{severity_counts, slash_path};

/// Version of the JSON report's schema.
pub const SCHEMA_VERSION: u32 = 1;

pub fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let finding_json = |finding: &Finding| {
        let rule = catalog.get(&finding.rule_id);
        let mut object = json!({
            "rule_id": finding.rule_id,
            "rule_name": rule.map(|r| r.name.as_str()),
            "severity": finding.severity,
            "policy": rule.map(|r| r.policy),
            "path": slash_path(&finding.path),
            "start": { "line": finding.start.line, "column": finding.start.column },
            "end": { "line": finding.end.line, "column": finding.end.column },
            "message": finding.message,
            "snippet": finding.snippet.text,
            "fingerprint": finding.fingerprint,
        });
        if let Some(detector) = &finding.detector {
            object["detector"] = json!(detector);
        }
        if let Some(suppression) = &finding.suppression {
            object["suppression"] = json!({
                "kind": suppression.kind.as_str(),
                "reason": suppression.reason,
            });
        }
        object
    };
    let findings: Vec<Value> = report.findings.iter().map(finding_json).collect();
    let suppressed: Vec<Value> = report.suppressed.iter().map(finding_json).collect();
    let diagnostics: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            json!({
                "path": slash_path(&diagnostic.path),
                "kind": diagnostic.kind,
                "message": diagnostic.message,
                "line": diagnostic.position.map(|p| p.line),
                "column": diagnostic.position.map(|p| p.column),
            })
        })
        .collect();
    let by_severity: Map<String, Value> = severity_counts(report)
        .into_iter()
        .map(|(severity, count)| (severity.as_str().to_owned(), json!(count)))
        .collect();
    let document = json!({
        "version": SCHEMA_VERSION,
        "tool": { "name": "palisade", "version": env!("CARGO_PKG_VERSION") },
        "summary": {
            "files_scanned": report.files_scanned,
            "files_unparsed": report.files_unparsed,
            "files_not_checked": report.files_not_checked,
            "findings": report.findings.len(),
            "by_severity": by_severity,
            "suppressed": report.suppressed.len(),
            "baselined": report.baselined,
        },
        "findings": findings,
        "suppressed": suppressed,
        "diagnostics": diagnostics,
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
