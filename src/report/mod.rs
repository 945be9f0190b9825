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

/// Text from input made safe for a terminal or a CI log, the way `ls -b` shows file names:
/// control characters (C0, DEL, C1) become escapes (`\n`, `\t`, `\x1b`), and so do the
/// Unicode characters that reorder or break lines (bidirectional overrides and isolates, line
/// and paragraph separators), which could make a line show something else than it holds. A
/// finding can then never clear the screen, set a terminal's title, or print a second line (in a
/// CI log, a forged `::error` command). Everything else is kept as it is.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_printable(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

/// Appends `c` to `out`, escaped if it must be; returns how many characters that took.
pub(crate) fn push_printable(out: &mut String, c: char) -> usize {
    use std::fmt::Write;
    if !needs_escape(c) {
        out.push(c);
        return 1;
    }
    let before = out.len();
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:04x}}}", c as u32),
    };
    // Escapes are ASCII: bytes are characters.
    out.len() - before
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}' | '\u{061c}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("plain é ✓"), "plain é ✓");
        assert_eq!(
            printable("a\u{1b}]0;PWNED\u{7}\u{1b}[2J.py"),
            "a\\x1b]0;PWNED\\x07\\x1b[2J.py"
        );
        assert_eq!(printable("x\n::error file=a::b"), "x\\n::error file=a::b");
        assert_eq!(printable("\r\t\u{7f}\u{85}"), "\\r\\t\\x7f\\x85");
        assert_eq!(printable("abc\u{202e}cba"), "abc\\u{202e}cba");
    }

    /// Whatever the input, the output holds no control or reordering character.
    #[test]
    fn nothing_unprintable_survives() {
        let mut random = crate::testing::Random::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let text: String = (0..32)
                .filter_map(|_| {
                    // Mostly the interesting low ranges, some of everything.
                    let code = match random.below(4) {
                        0 => random.below(0x100),
                        1 => 0x2000 + random.below(0x100),
                        _ => random.below(0x11_0000),
                    };
                    char::from_u32(code as u32)
                })
                .collect();
            let shown = printable(&text);
            assert!(!shown.chars().any(needs_escape), "{text:?} -> {shown:?}");
            assert!(!shown.contains('\n'));
        }
    }
}
