//! Reports: one module per output format. Renderers only format what the scan returned; they
//! never scan, and they write to whatever the binary hands them.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
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

/// A path with `/` separators, whatever the platform.
pub(crate) fn slash_path(path: &std::path::Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}
