//! The JSON report. Its shape is versioned by `version`: fields may be added within a version,
//! never renamed or removed. It carries no timing, so the same tree gives the same bytes.
//!
//! The document is serialized straight from the scan's findings through borrowing structs, one
//! finding at a time: a report of a hundred thousand findings costs no more memory than the
//! findings themselves.

use std::io::{self, Write};

use serde::{Serialize, Serializer};

use crate::catalog::{Catalog, Policy, Severity};
use crate::engine::ScanReport;
use crate::finding::{Diagnostic, DiagnosticKind, Finding};
use crate::report::{severity_counts, slash_path};

/// Version of the JSON report's schema.
pub const SCHEMA_VERSION: u32 = 1;

pub fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "palisade",
            version: env!("CARGO_PKG_VERSION"),
        },
        configuration: report.configuration.as_deref().map(slash_path),
        summary: Summary {
            files_scanned: report.files_scanned,
            files_unparsed: report.files_unparsed,
            files_not_checked: report.files_not_checked,
            findings: report.findings.len(),
            by_severity: BySeverity(severity_counts(report)),
            suppressed: report.suppressed.len(),
            baselined: report.baselined,
        },
        findings: Findings(&report.findings, catalog),
        suppressed: Findings(&report.suppressed, catalog),
        diagnostics: Diagnostics(&report.diagnostics),
        compliance: &report.compliance,
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[derive(Serialize)]
struct Document<'r> {
    version: u32,
    tool: Tool,
    /// The configuration file in effect (`null`: none).
    configuration: Option<String>,
    summary: Summary,
    findings: Findings<'r>,
    suppressed: Findings<'r>,
    diagnostics: Diagnostics<'r>,
    /// Per control of each framework asked for with `--compliance`: failed, passed or not
    /// checked.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    compliance: &'r [crate::compliance::Evaluation],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    files_unparsed: usize,
    files_not_checked: usize,
    findings: usize,
    by_severity: BySeverity,
    suppressed: usize,
    baselined: usize,
}

/// Counts by severity, most severe first.
struct BySeverity(Vec<(Severity, usize)>);

impl Serialize for BySeverity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(
            self.0
                .iter()
                .map(|(severity, count)| (severity.as_str(), count)),
        )
    }
}

/// Findings, serialized one by one as they are read.
struct Findings<'r>(&'r [Finding], &'r Catalog);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Findings(findings, catalog) = *self;
        serializer.collect_seq(findings.iter().map(|finding| {
            let rule = catalog.get(&finding.rule_id);
            JsonFinding {
                rule_id: &finding.rule_id,
                rule_name: rule.map(|r| r.name.as_str()),
                severity: finding.severity,
                policy: rule.map(|r| r.policy),
                path: slash_path(&finding.path),
                start: Place {
                    line: finding.start.line,
                    column: finding.start.column,
                },
                end: Place {
                    line: finding.end.line,
                    column: finding.end.column,
                },
                message: &finding.message,
                snippet: &finding.snippet.text,
                fingerprint: &finding.fingerprint,
                detector: finding.detector.as_deref(),
                suppression: finding.suppression.as_ref().map(|s| JsonSuppression {
                    kind: s.kind.as_str(),
                    reason: &s.reason,
                }),
                related: finding
                    .related
                    .iter()
                    .map(|related| JsonRelated {
                        path: &related.repo_path,
                        line: related.line,
                        column: related.column,
                        message: &related.message,
                    })
                    .collect(),
                rendered_from: finding.rendered_from.as_deref(),
            }
        }))
    }
}

#[derive(Serialize)]
struct JsonFinding<'r> {
    rule_id: &'r str,
    rule_name: Option<&'r str>,
    severity: Severity,
    policy: Option<Policy>,
    path: String,
    start: Place,
    end: Place,
    message: &'r str,
    snippet: &'r str,
    fingerprint: &'r str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detector: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<JsonSuppression<'r>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'r>>,
    /// The chart directory whose render it was found in, for a finding in a template.
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered_from: Option<&'r str>,
}

/// Another place a finding depends on, relative to the repository root.
#[derive(Serialize)]
struct JsonRelated<'r> {
    path: &'r str,
    line: usize,
    column: usize,
    message: &'r str,
}

#[derive(Serialize)]
struct Place {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonSuppression<'r> {
    kind: &'static str,
    reason: &'r str,
}

struct Diagnostics<'r>(&'r [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|diagnostic| JsonDiagnostic {
            path: slash_path(&diagnostic.path),
            kind: diagnostic.kind,
            message: &diagnostic.message,
            line: diagnostic.position.map(|p| p.line),
            column: diagnostic.position.map(|p| p.column),
        }))
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'r> {
    path: String,
    kind: DiagnosticKind,
    message: &'r str,
    line: Option<usize>,
    column: Option<usize>,
}
