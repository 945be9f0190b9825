//! Reports: one module per output format. Renderers only format what the scan returned; they
//! never scan, and they write to whatever the binary hands them.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::io::{self, Write};

use clap::ValueEnum;

use crate::catalog::Catalog;
use crate::engine::ScanReport;

/// An output format of `palisade scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable, one block per finding, in the style of compiler diagnostics.
    Text,
    /// A stable, versioned JSON document (see the README for its schema).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions annotations (`::error file=…,line=…::…`) on the pull request's diff.
    Github,
    /// GitLab code quality JSON (`artifacts:reports:codequality`).
    Gitlab,
    /// JUnit XML, for CI test reports.
    Junit,
    /// A Markdown summary, for `$GITHUB_STEP_SUMMARY` and merge-request comments.
    Markdown,
}

/// How to render.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Use ANSI colours (text only).
    pub color: bool,
    /// List routine diagnostics (skipped files) too (text only).
    pub verbose: bool,
    /// Findings only: no diagnostics or summary (text only).
    pub quiet: bool,
    /// SARIF `automationDetails.id`: tells apart analyses of one commit in GitHub.
    pub sarif_category: Option<String>,
    /// Markdown: the address of the scanned commit's files, to link findings to their lines.
    pub link_base: Option<String>,
}

/// Writes `report` to `out` in `format`.
pub fn render(
    report: &ScanReport,
    catalog: &Catalog,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, catalog, options, out),
        Format::Json => json::render(report, catalog, out),
        Format::Sarif => sarif::render(report, catalog, options.sarif_category.as_deref(), out),
        Format::Github => github::render(report, catalog, out),
        Format::Gitlab => gitlab::render(report, catalog, out),
        Format::Junit => junit::render(report, catalog, out),
        Format::Markdown => markdown::render(report, catalog, options, out),
    }
}

/// The count of findings at each severity, most severe first.
pub(crate) fn severity_counts(report: &ScanReport) -> Vec<(crate::catalog::Severity, usize)> {
    crate::catalog::Severity::ALL
        .iter()
        .map(|&severity| {
            (
                severity,
                report
                    .findings
                    .iter()
                    .filter(|f| f.severity == severity)
                    .count(),
            )
        })
        .collect()
}

/// The findings, most severe first, then in the report's order (path, line, column, rule): for
/// formats whose reader sees only the first ones.
pub(crate) fn most_severe_first(report: &ScanReport) -> Vec<&crate::finding::Finding> {
    let mut findings: Vec<_> = report.findings.iter().collect();
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    findings
}

/// Findings per rule: (rule id, count, most severe finding), by rule id.
pub(crate) fn rule_counts(report: &ScanReport) -> Vec<(&str, usize, crate::catalog::Severity)> {
    let mut counts: std::collections::BTreeMap<&str, (usize, crate::catalog::Severity)> =
        std::collections::BTreeMap::new();
    for finding in &report.findings {
        let entry = counts
            .entry(finding.rule_id.as_str())
            .or_insert((0, finding.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(finding.severity);
    }
    counts
        .into_iter()
        .map(|(rule, (count, severity))| (rule, count, severity))
        .collect()
}

/// A path with `/` separators, whatever the platform.
pub(crate) fn slash_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

pub use crate::printable::printable;
pub(crate) use crate::printable::push_printable;
