//! The human-readable report, in the style of compiler diagnostics:
//!
//! ```text
//! high[DKR001] last-user-root: the final image runs as root (`USER root`)
//!   --> app/Dockerfile:14:1
//!    |
//! 14 | USER root
//!    | ^^^^^^^^^
//!    = fix: Add `USER <non-root user>` to the final stage.
//! ```
//!
//! then problems with files, then a summary. Colour is applied with ANSI codes here and stripped
//! by the caller when the destination is not a terminal.

use std::io::{self, Write};
use std::ops::Range;

use anstyle::{AnsiColor, Style};

use crate::catalog::{Catalog, Severity};
use crate::engine::ScanReport;
use crate::finding::{DiagnosticKind, Finding, Snippet};
use crate::report::{
    RenderOptions, printable, push_printable, rule_counts, severity_counts, slash_path,
};

struct Palette {
    bold: Style,
    gutter: Style,
    note: Style,
    warning: Style,
    error: Style,
}

impl Palette {
    fn new(color: bool) -> Self {
        let style = |s: Style| if color { s } else { Style::new() };
        Self {
            bold: style(Style::new().bold()),
            gutter: style(AnsiColor::BrightBlue.on_default().bold()),
            note: style(AnsiColor::Cyan.on_default().bold()),
            warning: style(AnsiColor::Yellow.on_default().bold()),
            error: style(AnsiColor::Red.on_default().bold()),
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Critical | Severity::High => self.error,
            Severity::Medium => self.warning,
            Severity::Low | Severity::Info => self.note,
        }
    }
}

pub fn render(
    report: &ScanReport,
    catalog: &Catalog,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let palette = Palette::new(options.color);
    for finding in &report.findings {
        render_finding(finding, catalog, &palette, out)?;
    }
    render_diagnostics(report, options, &palette, out)?;
    if options.quiet {
        return Ok(());
    }
    if report.findings.len() > 1 {
        render_tally(report, catalog, &palette, out)?;
    }
    render_compliance(report, out)?;
    render_summary(report, &palette, out)
}

/// Each framework asked for: its controls, failed first, then passed, then not checked.
fn render_compliance(report: &ScanReport, out: &mut dyn Write) -> io::Result<()> {
    use crate::compliance::{Coverage, Status};
    for evaluation in &report.compliance {
        writeln!(out, "\n{}", evaluation.headline())?;
        let width = evaluation
            .controls
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(2);
        for status in [Status::Failed, Status::Passed, Status::NotChecked] {
            for control in evaluation.controls.iter().filter(|c| c.status == status) {
                let detail = match (status, control.coverage) {
                    (Status::Failed, _) => format!(
                        " ({} finding{} of {})",
                        control.findings,
                        if control.findings == 1 { "" } else { "s" },
                        control.rules.join(", ")
                    ),
                    (Status::Passed, Coverage::Partial) => {
                        format!(" (partly: {} check part of it)", control.rules.join(", "))
                    }
                    (Status::Passed, Coverage::Full) => format!(" ({})", control.rules.join(", ")),
                    (Status::NotChecked, _) if control.rules.is_empty() => {
                        " (no rule checks it)".to_owned()
                    }
                    (Status::NotChecked, _) => {
                        format!(" ({} not run in this scan)", control.rules.join(", "))
                    }
                };
                writeln!(
                    out,
                    "  {:<11} {:<width$}  {}{detail}",
                    status.as_str(),
                    control.id,
                    control.title
                )?;
            }
        }
    }
    Ok(())
}

fn render_finding(
    finding: &Finding,
    catalog: &Catalog,
    p: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let rule = catalog.get(&finding.rule_id);
    let severity = p.severity(finding.severity);
    let name = rule.map(|r| format!(" {}", r.name)).unwrap_or_default();
    writeln!(
        out,
        "{severity}{}[{}]{severity:#}{}{name}:{:#} {}",
        finding.severity,
        finding.rule_id,
        p.bold,
        p.bold,
        printable(&finding.message)
    )?;
    let line_number = finding.start.line.to_string();
    let pad = " ".repeat(line_number.len());
    let g = p.gutter;
    writeln!(
        out,
        "{pad}{g}-->{g:#} {}:{}:{}",
        printable(&slash_path(&finding.path)),
        finding.start.line,
        finding.start.column
    )?;
    writeln!(out, "{pad} {g}|{g:#}")?;
    let (snippet, marked) = shown_snippet(&finding.snippet);
    let cut_before = if finding.snippet.column > 1 {
        "…"
    } else {
        ""
    };
    writeln!(out, "{g}{line_number} |{g:#} {cut_before}{snippet}")?;
    let width = snippet.chars().count();
    let start = marked.start.min(width) + cut_before.chars().count();
    let end = if finding.end.line == finding.start.line {
        marked.end.min(width)
    } else {
        width
    } + cut_before.chars().count();
    let carets = "^".repeat(end.saturating_sub(start).max(1));
    writeln!(
        out,
        "{pad} {g}|{g:#} {}{severity}{carets}{severity:#}",
        " ".repeat(start)
    )?;
    if let Some(rule) = rule {
        writeln!(
            out,
            "{pad} {g}={g:#} {}fix:{:#} {}",
            p.bold,
            p.bold,
            rule.remediation_summary()
        )?;
    }
    writeln!(out)
}

/// A snippet as printed: tabs as spaces, anything unprintable escaped, and where the finding
/// lies in that text.
fn shown_snippet(snippet: &Snippet) -> (String, Range<usize>) {
    let mut text = String::with_capacity(snippet.text.len());
    let (mut start, mut end) = (None, None);
    let mut width = 0;
    for (index, c) in snippet.text.chars().enumerate() {
        if index == snippet.marked.start {
            start = Some(width);
        }
        if index == snippet.marked.end {
            end = Some(width);
        }
        width += push_printable(&mut text, if c == '\t' { ' ' } else { c });
    }
    let start = start.unwrap_or(width);
    (text, start..end.unwrap_or(width).max(start))
}

fn render_diagnostics(
    report: &ScanReport,
    options: &RenderOptions,
    p: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    if options.verbose && !options.quiet {
        match &report.configuration {
            Some(path) => writeln!(
                out,
                "{}note{:#}: configuration: {}",
                p.note,
                p.note,
                printable(&slash_path(path))
            )?,
            None => writeln!(out, "{}note{:#}: no configuration file", p.note, p.note)?,
        }
    }
    let mut routine = 0;
    for diagnostic in &report.diagnostics {
        if diagnostic.kind.is_routine() && !options.verbose {
            routine += 1;
            continue;
        }
        let (label, style) = match diagnostic.kind {
            DiagnosticKind::Skipped => ("note", p.note),
            DiagnosticKind::ParseError => ("warning", p.warning),
            DiagnosticKind::IoError
            | DiagnosticKind::InternalError
            | DiagnosticKind::PolicyError => ("error", p.error),
        };
        let place = match diagnostic.position {
            Some(position) => format!(
                "{}:{}:{}",
                printable(&slash_path(&diagnostic.path)),
                position.line,
                position.column
            ),
            None => printable(&slash_path(&diagnostic.path)).into_owned(),
        };
        writeln!(
            out,
            "{style}{label}{style:#}: {place}: {}",
            printable(&diagnostic.message)
        )?;
    }
    if routine > 0 && !options.quiet {
        let files = if routine == 1 {
            "file or link was"
        } else {
            "files or links were"
        };
        writeln!(
            out,
            "{}note{:#}: {routine} {files} skipped (binary, too large, templates, symbolic links); -v lists them",
            p.note, p.note
        )?;
    }
    if (routine > 0 && !options.quiet) || report.diagnostics.iter().any(|d| !d.kind.is_routine()) {
        writeln!(out)?;
    }
    Ok(())
}

/// Findings per rule, most frequent first: which rules a report is about, at a glance.
fn render_tally(
    report: &ScanReport,
    catalog: &Catalog,
    p: &Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut rows = rule_counts(report);
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
    let width = rows.first().map_or(1, |row| row.1.to_string().len());
    for (rule, count, severity) in rows {
        let name = catalog.get(rule).map_or("", |r| r.name.as_str());
        let style = p.severity(severity);
        writeln!(
            out,
            "{count:>width$}  {style}{:<8}{style:#} {rule:<7} {name}",
            severity.as_str()
        )?;
    }
    writeln!(out)
}

fn render_summary(report: &ScanReport, p: &Palette, out: &mut dyn Write) -> io::Result<()> {
    let total = report.findings.len();
    if total == 0 {
        write!(out, "{}No findings{:#}", p.bold, p.bold)?;
    } else {
        let counts: Vec<String> = severity_counts(report)
            .into_iter()
            .filter(|&(_, count)| count > 0)
            .map(|(severity, count)| {
                let style = p.severity(severity);
                format!("{style}{count} {severity}{style:#}")
            })
            .collect();
        let noun = if total == 1 { "finding" } else { "findings" };
        write!(
            out,
            "{}{total} {noun}{:#} ({})",
            p.bold,
            p.bold,
            counts.join(", ")
        )?;
    }
    let unparsed = report.files_unparsed;
    let checked = report.files_scanned - unparsed;
    let files = if checked == 1 { "file" } else { "files" };
    write!(out, " in {checked} {files} checked")?;
    if unparsed > 0 {
        let files = if unparsed == 1 { "file" } else { "files" };
        write!(out, "; {unparsed} {files} could not be parsed")?;
    }
    if !report.suppressed.is_empty() {
        write!(out, "; {} suppressed", report.suppressed.len())?;
    }
    if report.baselined > 0 {
        write!(out, "; {} in the baseline", report.baselined)?;
    }
    writeln!(out, " ({:.2}s)", report.elapsed.as_secs_f64())
}
