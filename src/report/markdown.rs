//! A Markdown summary, for `$GITHUB_STEP_SUMMARY` and merge-request comments: the counts by
//! severity, a table of findings per policy and rule, and the most severe findings with links to
//! their lines (masked like everywhere else).
//!
//! Links point at the commit when the CI tells which one ([`RenderOptions::link_base`]: GitHub
//! Actions' `GITHUB_SERVER_URL`/`GITHUB_REPOSITORY`/`GITHUB_SHA`, GitLab's `CI_PROJECT_URL` and
//! `CI_COMMIT_SHA`); elsewhere places are plain `path:line`. Text from input is escaped so that
//! it can neither break a table nor inject HTML.

use std::io::{self, Write};

use crate::catalog::Catalog;
use crate::engine::ScanReport;
use crate::finding::Finding;
use crate::report::{RenderOptions, most_severe_first, printable, rule_counts, severity_counts};

/// The most severe findings listed one by one; the rest are counted.
pub const MAX_LISTED: usize = 50;

pub fn render(
    report: &ScanReport,
    catalog: &Catalog,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_findings(report, catalog, options, out)?;
    for evaluation in &report.compliance {
        writeln!(out, "\n### {}\n", evaluation.headline())?;
        writeln!(out, "| Control | Status | Rules | Findings |")?;
        writeln!(out, "|---------|--------|-------|----------|")?;
        for control in &evaluation.controls {
            let status = match (control.status, control.coverage) {
                (crate::compliance::Status::Passed, crate::compliance::Coverage::Partial) => {
                    "passed (partly checked)"
                }
                (status, _) => status.as_str(),
            };
            writeln!(
                out,
                "| `{}` {} | {status} | {} | {} |",
                control.id,
                control.title,
                control.rules.join(", "),
                control.findings
            )?;
        }
    }
    Ok(())
}

fn render_findings(
    report: &ScanReport,
    catalog: &Catalog,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let total = report.findings.len();
    if total == 0 {
        writeln!(out, "## palisade: no findings")?;
    } else {
        let counts: Vec<String> = severity_counts(report)
            .into_iter()
            .filter(|&(_, count)| count > 0)
            .map(|(severity, count)| format!("{count} {severity}"))
            .collect();
        writeln!(
            out,
            "## palisade: {total} finding{} ({})",
            if total == 1 { "" } else { "s" },
            counts.join(", ")
        )?;
    }
    writeln!(out)?;
    let checked = report.files_scanned - report.files_unparsed;
    let mut facts = vec![format!("{checked} files checked")];
    if report.files_unparsed > 0 {
        facts.push(format!("{} could not be parsed", report.files_unparsed));
    }
    if !report.suppressed.is_empty() {
        facts.push(format!("{} suppressed", report.suppressed.len()));
    }
    if report.baselined > 0 {
        facts.push(format!("{} in the baseline", report.baselined));
    }
    writeln!(out, "{}.", facts.join(", "))?;
    if total == 0 {
        return Ok(());
    }

    // Per policy and rule, most severe rule first.
    let mut rows = rule_counts(report);
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
    writeln!(out)?;
    writeln!(out, "| Severity | Policy | Rule | Findings |")?;
    writeln!(out, "|---|---|---|---:|")?;
    for (rule_id, count, severity) in rows {
        let (policy, name) = catalog
            .get(rule_id)
            .map_or(("", ""), |rule| (rule.policy.as_str(), rule.name.as_str()));
        writeln!(
            out,
            "| {severity} | {policy} | `{rule_id}` {name} | {count} |"
        )?;
    }

    let listed = most_severe_first(report);
    writeln!(out)?;
    writeln!(out, "### Most severe")?;
    writeln!(out)?;
    writeln!(out, "| Severity | Rule | Where | What |")?;
    writeln!(out, "|---|---|---|---|")?;
    for finding in listed.iter().take(MAX_LISTED) {
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            finding.severity,
            finding.rule_id,
            place(finding, options.link_base.as_deref()),
            cell(&finding.message)
        )?;
    }
    if total > MAX_LISTED {
        writeln!(out)?;
        writeln!(
            out,
            "…and {} more: the JSON or SARIF report has them all.",
            total - MAX_LISTED
        )?;
    }
    Ok(())
}

/// `path:line`, linked to the line when the commit's address is known.
fn place(finding: &Finding, link_base: Option<&str>) -> String {
    let text = cell(&format!("{}:{}", finding.repo_path, finding.start.line));
    match link_base {
        Some(base) => format!(
            "[{text}]({}/{}#L{})",
            base.trim_end_matches('/'),
            crate::report::sarif::uri_path(&finding.repo_path),
            finding.start.line
        ),
        None => text,
    }
}

/// Text for a table cell: one line, no column break, and outside code spans no raw HTML and no
/// link from input (inside a code span Markdown shows text as it is, backslashes included).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in printable(text).chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            // GitHub splits table rows on `|` before anything else, code spans included.
            '|' => out.push_str("\\|"),
            _ if in_code => out.push(c),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_html() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(
            cell("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(cell("line\nnext"), "line\\\\nnext");
        assert_eq!(cell("[x](http://evil)"), "\\[x\\](http://evil)");
        // Code spans are shown as written, but still cannot break the row.
        assert_eq!(
            cell("`DB_PASSWORD` is `a<b|c`"),
            "`DB_PASSWORD` is `a<b\\|c`"
        );
    }

    /// Whatever the input, a cell holds no unescaped `|`, no line break, and no `<` outside code
    /// spans.
    #[test]
    fn no_input_escapes_its_cell() {
        let mut random = crate::testing::Random::new(0x9e37_79b9_7f4a_7c15);
        let alphabet: Vec<char> = "a|<>&[]`\\\n\r\u{1b}\u{202e}é ".chars().collect();
        for _ in 0..3_000 {
            let text = random.string(&alphabet, 24);
            let shown = cell(&text);
            assert!(!shown.contains('\n') && !shown.contains('\r'), "{text:?}");
            let bytes = shown.as_bytes();
            let mut in_code = false;
            for (i, &b) in bytes.iter().enumerate() {
                let escaped = i > 0 && bytes[i - 1] == b'\\';
                match b {
                    b'`' => in_code = !in_code,
                    b'|' => assert!(escaped, "{text:?} -> {shown:?}"),
                    b'<' | b'>' => assert!(in_code, "{text:?} -> {shown:?}"),
                    _ => {}
                }
            }
        }
    }
}
