//! Inline suppressions: one syntax in every format that has comments.
//!
//! ```text
//! # palisade:ignore[DKR001] the base image drops privileges in its entrypoint
//! USER root
//! resource "aws_security_group" "bastion" { # palisade:ignore[TFM001,TFM002] until=2027-03-31 migration
//! // palisade:ignore-file[SEC002] generated test credentials
//! ```
//!
//! A directive sits in a comment (after `#`, `//`, `/*`, `<!--`, `--` or `;` on its line). Alone
//! on its line it covers that line and the next line that is not itself a directive (so several
//! can be stacked above one line); after code it covers its own line only. `ignore-file` covers
//! the whole file. Rules are named by id or name. What follows the brackets is the reason;
//! `until=YYYY-MM-DD` in it sets a last day.
//!
//! Directives are judged as strictly as findings: one without a reason, naming no rule or an
//! unknown one, with a date that has passed (or is not a date), or suppressing nothing is reported
//! under `PAL001`, and only a valid, current directive suppresses. Suppressed findings are not
//! dropped: they leave the gate, and reports show them with the reason.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::catalog::Catalog;
use crate::checks::Hit;
use crate::finding::{Finding, Suppression, SuppressionKind};

/// The rule that reports directives that are wrong or stale.
pub const RULE: &str = "PAL001";

/// What every directive contains: files without it have none.
pub const MARKER: &str = "palisade:ignore";
const COMMENT_OPENERS: &[&str] = &["#", "//", "/*", "<!--", "--", ";"];
/// Markdown's only comment: `#` starts a heading there, and code blocks show examples.
const MARKDOWN_COMMENT_OPENERS: &[&str] = &["<!--"];

/// The comment openers of a file, by its name.
fn comment_openers(path: &Path) -> &'static [&'static str] {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown" | "mdx") => MARKDOWN_COMMENT_OPENERS,
        _ => COMMENT_OPENERS,
    }
}

/// A suppression comment, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// From `palisade:` to the end of the comment, where findings about it point.
    pub span: Range<usize>,
    /// 1-based.
    pub line: usize,
    pub file_wide: bool,
    /// After code on its line: covers that line only.
    pub trailing: bool,
    /// The rules as written.
    pub rules: Vec<String>,
    pub reason: String,
    /// `until=…` as written.
    pub until: Option<String>,
}

/// A calendar date, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i64,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`, a day that exists.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        let date = Date {
            year: year.parse().ok()?,
            month: month.parse().ok()?,
            day: day.parse().ok()?,
        };
        let leap = date.year % 4 == 0 && (date.year % 100 != 0 || date.year % 400 == 0);
        let days = match date.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&date.day).then_some(date)
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Date::from_days((seconds / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (the civil-from-days algorithm).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Every directive in a file, read in the comment syntax its name implies.
pub fn directives_in(path: &Path, text: &str) -> Vec<Directive> {
    directives(text, comment_openers(path))
}

/// Every directive in a file whose comments start with one of `openers`, in order.
pub fn directives(text: &str, openers: &[&str]) -> Vec<Directive> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(bytes, MARKER) {
        let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
        let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        let before = &text[line_start..at];
        let Some(opener) = openers
            .iter()
            .filter_map(|opener| before.rfind(opener))
            .min()
        else {
            continue;
        };
        let mut rest = &text[at + MARKER.len()..line_end];
        let file_wide = rest.starts_with("-file");
        if file_wide {
            rest = &rest["-file".len()..];
        }
        // A directive names its rules in brackets; without them it is a mention in prose
        // (`palisade:ignore` comments, `palisade:ignored`).
        if !rest.starts_with('[') {
            continue;
        }
        let mut tail = rest.trim_end().trim_end_matches('\r');
        // A Go template comment ends its action too: `{{/* … */}}`, `{{- /* … */ -}}`.
        if tail.ends_with("}}") {
            tail = tail.trim_end_matches("}}").trim_end_matches('-').trim_end();
        }
        for closer in ["*/", "-->"] {
            tail = tail.strip_suffix(closer).unwrap_or(tail).trim_end();
        }
        let span_end = at + MARKER.len() + (file_wide as usize * 5) + tail.len();
        // An unclosed bracket: everything is the rule list, and there is no reason.
        let (rules, after) = tail[1..].split_once(']').unwrap_or((&tail[1..], ""));
        let rules = rules
            .split(',')
            .map(str::trim)
            .filter(|rule| !rule.is_empty())
            .map(str::to_owned)
            .collect();
        let mut until = None;
        let reason: Vec<&str> = after
            .split_whitespace()
            .filter(|word| match word.strip_prefix("until=") {
                Some(date) => {
                    until = Some(date.to_owned());
                    false
                }
                None => true,
            })
            .collect();
        let reason = reason
            .join(" ")
            .trim_start_matches([':', '-', '—', ' '])
            .trim()
            .to_owned();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        found.push(Directive {
            span: at..span_end,
            line,
            file_wide,
            // Code before it on its line; a template comment's own `{{` or `{{-` is not code.
            trailing: !before[..opener]
                .trim()
                .trim_start_matches("{{")
                .trim_start_matches('-')
                .trim()
                .is_empty(),
            rules,
            reason,
            until,
        });
    }
    found
}

/// Applies a file's directives to its findings, and returns what is wrong with the directives.
/// `ran` says whether a rule ran in this scan: only then can a directive be judged unused.
pub fn apply(
    path: &Path,
    text: &str,
    findings: &mut [Finding],
    catalog: &Catalog,
    ran: &dyn Fn(&str) -> bool,
    today: Date,
) -> Vec<Hit> {
    if memchr::memmem::find(text.as_bytes(), MARKER.as_bytes()).is_none() {
        return Vec::new();
    }
    let directives = directives_in(path, text);
    // Lines holding only a directive: a directive above them reaches past them.
    let directive_lines: BTreeSet<usize> = directives
        .iter()
        .filter(|d| !d.trailing)
        .map(|d| d.line)
        .collect();
    let mut problems = Vec::new();
    for directive in &directives {
        let mut problem = |message: String| {
            problems.push(Hit::new(RULE, directive.span.clone(), message));
        };
        let names = &directive.rules;
        if names.is_empty() {
            problem("suppression names no rule: write `palisade:ignore[RULE] reason`".to_owned());
            continue;
        }
        let mut rules = Vec::new();
        for name in names {
            match catalog.find(name) {
                Some(rule) => rules.push(rule.id.as_str()),
                None => problem(format!(
                    "suppression names an unknown rule `{name}` (see `palisade rules`)"
                )),
            }
        }
        if directive.reason.is_empty() {
            problem(format!(
                "suppression of {} has no reason, so it suppresses nothing: say why after the brackets",
                names.join(", ")
            ));
            continue;
        }
        if let Some(until) = &directive.until {
            match Date::parse(until) {
                None => {
                    problem(format!(
                        "suppression date `{until}` is not a date (YYYY-MM-DD), so it suppresses nothing"
                    ));
                    continue;
                }
                Some(date) if date < today => {
                    problem(format!(
                        "suppression of {} expired on {date}: the findings it hid are reported again",
                        names.join(", ")
                    ));
                    continue;
                }
                Some(_) => {}
            }
        }
        let covers = |line: usize| {
            if directive.file_wide || line == directive.line {
                return true;
            }
            if directive.trailing {
                return false;
            }
            let mut next = directive.line + 1;
            while directive_lines.contains(&next) {
                next += 1;
            }
            line == next
        };
        let mut used = false;
        for finding in findings.iter_mut() {
            if finding.suppression.is_none()
                && rules.contains(&finding.rule_id.as_str())
                && covers(finding.start.line)
            {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::InSource,
                    reason: directive.reason.clone(),
                });
                used = true;
            }
        }
        if !used && !rules.is_empty() && rules.iter().all(|rule| ran(rule)) {
            let place = if directive.file_wide {
                "in this file"
            } else if directive.trailing {
                "on this line"
            } else {
                "on this line or the next"
            };
            problem(format!(
                "suppression of {} suppresses nothing: no such finding {place}",
                rules.join(", ")
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_are_read_in_every_comment_syntax() {
        let text = "FROM x # palisade:ignore[DKR002, last-user-root] pinned by digest elsewhere\n\
                    // palisade:ignore-file[SEC002] until=2030-01-31 generated fixtures\n\
                    /* palisade:ignore[TFM001]: bastion, reviewed */\n\
                    <!-- palisade:ignore[SEC001] -->\n\
                    # palisade:ignore[] no rules\n\
                    # mentions of palisade:ignore in prose are not directives\n\
                    x = \"palisade:ignore[SEC001] not in a comment\"\n\
                    # palisade:ignored is another word\n\
                    {{- /* palisade:ignore[K8S001] the chart's users set it */ -}}\n";
        let found = directives(text, COMMENT_OPENERS);
        assert_eq!(found.len(), 6, "{found:#?}");
        assert_eq!(found[0].rules, ["DKR002", "last-user-root"]);
        assert!(found[0].trailing && !found[0].file_wide);
        assert_eq!(found[0].reason, "pinned by digest elsewhere");
        assert!(found[1].file_wide && !found[1].trailing);
        assert_eq!(found[1].until.as_deref(), Some("2030-01-31"));
        assert_eq!(found[1].reason, "generated fixtures");
        assert_eq!(found[2].reason, "bastion, reviewed");
        assert_eq!(
            &text[found[2].span.clone()],
            "palisade:ignore[TFM001]: bastion, reviewed"
        );
        assert_eq!(found[3].reason, "");
        assert!(found[4].rules.is_empty());
        assert_eq!(found[5].reason, "the chart's users set it");
        assert!(!found[5].trailing);
        // In Markdown only HTML comments hold directives: `#` is a heading.
        assert_eq!(directives(text, MARKDOWN_COMMENT_OPENERS).len(), 1);
        assert_eq!(
            found.iter().map(|d| d.line).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 9]
        );
    }

    #[test]
    fn dates_are_checked_and_today_is_computed() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "24-01-01",
            "tomorrow",
            "",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_days(-1).to_string(), "1969-12-31");
        assert!(Date::today() > Date::parse("2025-01-01").unwrap());
    }
}
