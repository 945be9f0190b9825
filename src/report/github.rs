//! GitHub Actions workflow commands: each finding becomes an annotation
//! (`::error file=…,line=…::message`) shown on the pull request's diff and in the run summary.
//!
//! Critical and high findings are errors, medium ones warnings, low and info notices. Paths are
//! repository-relative, which is what GitHub resolves against the checkout. GitHub shows at most
//! 10 annotations of each level per step, so findings come most severe first.

use std::io::{self, Write};

use crate::catalog::{Catalog, Severity};
use crate::engine::ScanReport;
use crate::finding::DiagnosticKind;

pub fn render(report: &ScanReport, catalog: &Catalog, out: &mut dyn Write) -> io::Result<()> {
    // GitHub shows only the first annotations of a step.
    for finding in crate::report::most_severe_first(report) {
        let level = match finding.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let name = catalog
            .get(&finding.rule_id)
            .map_or("", |r| r.name.as_str());
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            property(&finding.repo_path),
            finding.start.line,
            finding.start.column,
            finding.end.line,
            finding.end.column,
            property(&format!(
                "{} {name} ({})",
                finding.rule_id, finding.severity
            )),
            data(&finding.message),
        )?;
    }
    for diagnostic in &report.diagnostics {
        if diagnostic.kind.is_routine() {
            continue;
        }
        let level = match diagnostic.kind {
            DiagnosticKind::ParseError => "warning",
            _ => "error",
        };
        let path = diagnostic
            .repo_path
            .clone()
            .unwrap_or_else(|| diagnostic.path.to_string_lossy().replace('\\', "/"));
        let line = diagnostic
            .position
            .map_or(String::new(), |p| format!(",line={}", p.line));
        writeln!(
            out,
            "::{level} file={}{line},title=palisade::{}",
            property(&path),
            data(&diagnostic.message)
        )?;
    }
    writeln!(
        out,
        "palisade: {} finding{}, {} suppressed, {} in the baseline",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        report.suppressed.len(),
        report.baselined
    )
}

/// Escapes a command's message: control characters as text (a raw one could end the command
/// or drive the log viewer, and none is left for the workflow-command escapes of `\r` and
/// `\n`), then `%`.
fn data(text: &str) -> String {
    crate::report::printable(text).replace('%', "%25")
}

/// Escapes a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_escaped() {
        assert_eq!(data("50% done"), "50%25 done");
        assert_eq!(data("a\r\nb\u{1b}[2J"), "a\\r\\nb\\x1b[2J");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
