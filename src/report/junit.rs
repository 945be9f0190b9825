//! JUnit XML, for CI systems that show test reports (GitLab `artifacts:reports:junit`, Jenkins,
//! Azure Pipelines, CircleCI).
//!
//! Each rule that ran is a test suite; each finding is a failed test case named after its place
//! (`path:line`), with the message and the masked offending line in the failure. A scan without
//! findings is one passing case, so that the report is never empty. Files that could not be
//! scanned are errors of a `palisade` suite.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::catalog::Catalog;
use crate::engine::ScanReport;
use crate::finding::Finding;

pub fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        by_rule.entry(&finding.rule_id).or_default().push(finding);
    }
    let problems: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| !d.kind.is_routine())
        .collect();
    let failures = report.findings.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="palisade" tests="{}" failures="{failures}" errors="{}" time="{:.3}">"#,
        failures.max(1) + problems.len(),
        problems.len(),
        report.elapsed.as_secs_f64()
    )?;
    for (rule_id, findings) in &by_rule {
        let rule = catalog.get(rule_id);
        let name = rule.map_or("", |r| r.name.as_str());
        writeln!(
            out,
            r#"  <testsuite name="{} {}" tests="{n}" failures="{n}" errors="0">"#,
            xml(rule_id),
            xml(name),
            n = findings.len()
        )?;
        for finding in findings {
            writeln!(
                out,
                r#"    <testcase classname="{}" name="{}:{}:{}">"#,
                xml(rule_id),
                xml(&finding.repo_path),
                finding.start.line,
                finding.start.column
            )?;
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}:{}:{}: {}&#10;  {}&#10;{}</failure>"#,
                finding.severity,
                xml(&finding.message),
                xml(&finding.repo_path),
                finding.start.line,
                finding.start.column,
                xml(&finding.message),
                xml(&finding.snippet.text),
                xml(rule.map_or("", |r| r.remediation_summary())),
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    if by_rule.is_empty() || !problems.is_empty() {
        writeln!(
            out,
            r#"  <testsuite name="palisade" tests="{}" failures="0" errors="{}">"#,
            problems.len() + usize::from(by_rule.is_empty()),
            problems.len()
        )?;
        if by_rule.is_empty() {
            writeln!(
                out,
                r#"    <testcase classname="palisade" name="{} files checked, no findings"/>"#,
                report.files_scanned - report.files_unparsed
            )?;
        }
        for problem in problems {
            writeln!(
                out,
                r#"    <testcase classname="palisade" name="{}"><error type="{}" message="{}"/></testcase>"#,
                xml(&problem.path.to_string_lossy()),
                problem.kind.as_str(),
                xml(&problem.message)
            )?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// Escapes text for XML attributes and content; control characters are written as escapes
/// (`\x1b`), and characters XML 1.0 cannot hold are dropped.
fn xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\n' => escaped.push_str("&#10;"),
            '\t' | '\r' => escaped.push(' '),
            c if c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => {
                crate::report::push_printable(&mut escaped, c);
            }
        }
    }
    escaped
}
