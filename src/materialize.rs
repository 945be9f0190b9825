//! Turning a file's hits into findings: positions, snippets, fingerprints, with the file's
//! secrets masked in all of them.
//!
//! Masking is a property of the file, not of the rule that reports a finding: every byte range
//! that any detector judged a secret ([`SecretRanges`]) is masked in every snippet and message of
//! that file, whichever rule's finding shows the line (a suppression comment on a line that holds
//! a password is reported with the password masked). Fingerprints and GitHub's line hashes are
//! computed from the text with those ranges replaced by a fixed token, so nothing written can be
//! tested against guesses of a secret: only its rule and place go into them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::catalog::Catalog;
use crate::checks::Hit;
use crate::discover::Candidate;
use crate::finding::{Finding, Snippet};
use crate::secrets;
use crate::source::{Position, SourceFile};

/// Longest snippet shown, in characters; and how much of a long line is kept before the finding.
const SNIPPET_CHARS: usize = 200;
const SNIPPET_CONTEXT_BEFORE: usize = 60;

/// What stands for a secret in the text that fingerprints hash.
const SECRET_TOKEN: &str = "\u{1}secret\u{1}";

/// The byte ranges of a file that hold secrets: sorted, not overlapping.
#[derive(Debug, Default)]
pub struct SecretRanges {
    ranges: Vec<Range<usize>>,
}

impl SecretRanges {
    pub fn new(text: &str, ranges: impl IntoIterator<Item = Range<usize>>) -> Self {
        let mut ranges: Vec<Range<usize>> = ranges
            .into_iter()
            .map(|range| clamp(text, range))
            .filter(|range| !range.is_empty())
            .collect();
        ranges.sort_by_key(|range| (range.start, range.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
        for range in ranges {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        Self { ranges: merged }
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The ranges that overlap `window`, in order.
    fn within(&self, window: &Range<usize>) -> &[Range<usize>] {
        let first = self.ranges.partition_point(|r| r.end <= window.start);
        let last = first + self.ranges[first..].partition_point(|r| r.start < window.end);
        &self.ranges[first..last]
    }

    /// `text[window]` with every secret in it replaced by a fixed token.
    fn redacted<'t>(&self, text: &'t str, window: Range<usize>) -> Cow<'t, str> {
        let inside = self.within(&window);
        if inside.is_empty() {
            return Cow::Borrowed(&text[window]);
        }
        let mut out = String::with_capacity(window.len());
        let mut cursor = window.start;
        for secret in inside {
            let from = secret.start.max(cursor);
            out.push_str(&text[cursor..from]);
            out.push_str(SECRET_TOKEN);
            cursor = secret.end.min(window.end).max(from);
        }
        out.push_str(&text[cursor..window.end]);
        Cow::Owned(out)
    }

    /// Replaces every secret of `text` that appears in `message` by its mask: messages are
    /// written by checks, and a check that quotes input must never quote it in clear.
    pub fn mask_messages(&self, text: &str, findings: &mut [Finding]) {
        if self.ranges.is_empty() {
            return;
        }
        let mut values: Vec<&str> = self.ranges.iter().map(|r| &text[r.clone()]).collect();
        values.sort_unstable();
        values.dedup();
        let Ok(matcher) = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&values)
        else {
            return;
        };
        let masks: Vec<String> = values.iter().map(|value| secrets::mask(value)).collect();
        for finding in findings {
            if matcher.is_match(&finding.message) {
                finding.message = matcher.replace_all(&finding.message, &masks);
            }
        }
    }
}

/// Turns a file's hits into findings. Work per hit is bounded by its span and the snippet
/// window, never by the length of its line: a one-line file with a hundred thousand findings must
/// not cost a hundred thousand passes over the line.
pub fn findings_from_hits(
    candidate: &Candidate,
    source: &SourceFile,
    mut hits: Vec<Hit>,
    catalog: &Catalog,
    secrets: &SecretRanges,
) -> Vec<Finding> {
    hits.sort_by_key(|hit| hit.span.start);
    let mut cursor = PositionCursor::default();
    let mut line_hashes: HashMap<usize, String> = HashMap::new();
    let mut findings = Vec::with_capacity(hits.len());
    findings.extend(hits.into_iter().filter_map(|hit| {
        let rule = catalog.get(hit.rule_id)?;
        let span = clamp(&source.text, hit.span);
        let start = cursor.position(source, span.start);
        let end = advance(source, start, span.start, span.end);
        let line_hash = line_hashes
            .entry(start.line)
            .or_insert_with(|| {
                let line = secrets.redacted(&source.text, source.line_range(start.line));
                hex_digest(&[&normalized(&line)])
            })
            .clone();
        Some(Finding {
            rule_id: rule.id.clone(),
            severity: hit.severity.unwrap_or(rule.severity),
            path: candidate.path.clone(),
            repo_path: candidate.repo_path.clone(),
            start,
            end,
            message: hit.message,
            snippet: snippet(source, span.clone(), start, secrets),
            // Content and line hashes; numbered among equal ones in `assign_fingerprints`.
            fingerprint: hex_digest(&[&normalized(&fingerprinted(source, span, secrets))]),
            line_hash,
            detector: hit.detector.map(str::to_owned),
            suppression: None,
            related: hit.related,
            rendered_from: hit.rendered_from,
        })
    }));
    findings
}

/// The text a finding's fingerprint hashes: its span, or, when the span holds a secret, the
/// lines it is on with the secret replaced (a secret alone would leave only the token, and the
/// name it is assigned to is what tells one secret's finding from another's).
fn fingerprinted<'t>(
    source: &'t SourceFile,
    span: Range<usize>,
    secrets: &SecretRanges,
) -> Cow<'t, str> {
    if secrets.within(&span).is_empty() {
        return Cow::Borrowed(&source.text[span]);
    }
    let first = source.line_range(source.position(span.start).line).start;
    let last = source.line_range(source.position(span.end).line).end;
    secrets.redacted(&source.text, first.min(span.start)..last.max(span.end))
}

/// Positions of increasing offsets, counting only the characters between one and the next.
#[derive(Default)]
struct PositionCursor {
    last: Option<(usize, Position)>,
}

impl PositionCursor {
    fn position(&mut self, source: &SourceFile, offset: usize) -> Position {
        let position = match self.last {
            Some((last_offset, last)) if last_offset <= offset => {
                advance(source, last, last_offset, offset)
            }
            _ => source.position(offset),
        };
        self.last = Some((offset, position));
        position
    }
}

/// The position of `to`, given the position of an earlier offset `from`.
fn advance(source: &SourceFile, at: Position, from: usize, to: usize) -> Position {
    let between = &source.text[from..to];
    match between.rfind('\n') {
        None => Position {
            line: at.line,
            column: at.column + between.chars().count(),
        },
        Some(_) => source.position(to),
    }
}

/// The start line of a finding, cut to a window around it when long, with secrets masked, and
/// where the finding lies in it.
fn snippet(
    source: &SourceFile,
    span: Range<usize>,
    position: Position,
    secrets: &SecretRanges,
) -> Snippet {
    let line = source.line_range(position.line);
    let offset = span.start;
    let before = &source.text[line.start..offset.clamp(line.start, line.end)];
    let (begin, kept_before) = match before
        .char_indices()
        .rev()
        .take(SNIPPET_CONTEXT_BEFORE)
        .last()
    {
        // Lines that fit are shown whole (a byte count bounds the character count).
        Some((index, _))
            if line.len() > SNIPPET_CHARS && position.column > SNIPPET_CONTEXT_BEFORE + 1 =>
        {
            (line.start + index, SNIPPET_CONTEXT_BEFORE)
        }
        _ => (line.start, position.column - 1),
    };
    let end = source.text[begin..line.end]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(line.end, |(index, _)| begin + index);
    // Characters of the line left out before the window.
    let cut_before = position.column - 1 - kept_before;

    let mut excerpt = Excerpt {
        text: String::with_capacity(end - begin),
        width: 0,
        start: None,
        end: None,
    };
    let mut cursor = begin;
    for secret in secrets.within(&(begin..end)) {
        let (from, to) = (secret.start.max(cursor), secret.end.min(end));
        excerpt.plain(&source.text, cursor..from, &span);
        // A secret cut by the window edge shows nothing of itself.
        let masked = if from == secret.start && to == secret.end {
            secrets::mask(&source.text[from..to])
        } else {
            secrets::MASK.to_owned()
        };
        excerpt.masked(&masked, from..to, &span);
        cursor = to.max(cursor);
    }
    excerpt.plain(&source.text, cursor..end, &span);
    let start = excerpt.start.unwrap_or(excerpt.width);
    let marked = start..excerpt.end.unwrap_or(excerpt.width).max(start);
    Snippet {
        text: excerpt.text,
        column: cut_before + 1,
        marked,
    }
}

/// A snippet being built: its text, its width in characters, and where the finding's span
/// starts and ends in it once known.
struct Excerpt {
    text: String,
    width: usize,
    start: Option<usize>,
    end: Option<usize>,
}

impl Excerpt {
    /// Source text shown as it is.
    fn plain(&mut self, text: &str, range: Range<usize>, span: &Range<usize>) {
        let piece = &text[range.clone()];
        if self.start.is_none() && range.contains(&span.start) || range.end == span.start {
            self.start
                .get_or_insert(self.width + text[range.start..span.start].chars().count());
        }
        if self.end.is_none()
            && span.end >= span.start
            && (range.contains(&span.end) || range.end == span.end)
        {
            self.end = Some(self.width + text[range.start..span.end].chars().count());
        }
        self.text.push_str(piece);
        self.width += piece.chars().count();
    }

    /// A secret at `range`, shown as `masked`: a span starting or ending inside it is taken to
    /// cover all of it.
    fn masked(&mut self, masked: &str, range: Range<usize>, span: &Range<usize>) {
        let width = masked.chars().count();
        if self.start.is_none() && range.contains(&span.start) {
            self.start = Some(self.width);
        }
        if self.end.is_none() && span.end > range.start && span.end <= range.end {
            self.end = Some(self.width + width);
        }
        self.text.push_str(masked);
        self.width += width;
    }
}

pub fn clamp(text: &str, span: Range<usize>) -> Range<usize> {
    let end = span.end.min(text.len());
    let start = span.start.min(end);
    if text.is_char_boundary(start) && text.is_char_boundary(end) {
        start..end
    } else {
        start..start
    }
}

/// Whitespace-insensitive form of offending text, so reformatting does not change fingerprints.
fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces the normalized texts left in `fingerprint` and `line_hash` by their hashes, numbering
/// identical ones in order so that two equal lines in a file keep distinct fingerprints. The
/// numbering reads the findings in order; the hashing, most of the work, runs in parallel.
pub fn assign_fingerprints(findings: &mut [Finding]) {
    let numbers: Vec<(usize, usize)> = {
        let mut seen_content: HashMap<(&str, &str, &str), usize> = HashMap::new();
        // GitHub's convention: `hash:n`, where n numbers the lines of a file that have the same
        // text. Findings come sorted by path and line, so a line is either the last one seen
        // with this text or a new one: per text, the last line and how many lines.
        let mut lines_with_text: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
        findings
            .iter()
            .map(|finding| {
                let occurrence = seen_content
                    .entry((&finding.rule_id, &finding.repo_path, &finding.fingerprint))
                    .or_insert(0);
                *occurrence += 1;
                let lines = lines_with_text
                    .entry((&finding.repo_path, &finding.line_hash))
                    .or_insert((0, 0));
                if lines.1 == 0 || lines.0 != finding.start.line {
                    *lines = (finding.start.line, lines.1 + 1);
                }
                (*occurrence - 1, lines.1)
            })
            .collect()
    };
    findings
        .par_iter_mut()
        .zip(numbers)
        .for_each(|(finding, (occurrence, line))| {
            finding.fingerprint = hex_digest(&[
                &finding.rule_id,
                &finding.repo_path,
                &finding.fingerprint,
                &occurrence.to_string(),
            ]);
            finding.line_hash = format!("{}:{line}", &finding.line_hash[..16]);
        });
}

fn hex_digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize().iter() {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        hex.push(DIGITS[usize::from(byte >> 4)] as char);
        hex.push(DIGITS[usize::from(byte & 15)] as char);
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn source(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("f"), text.to_owned())
    }

    #[test]
    fn ranges_merge_and_redact() {
        let text = "a = \"s3cretValue\" b = \"s3cretValue\"";
        let ranges = SecretRanges::new(text, [5..16, 23..34, 6..10]);
        assert_eq!(ranges.ranges, vec![5..16, 23..34]);
        let redacted = ranges.redacted(text, 0..text.len());
        assert!(!redacted.contains("s3cret"), "{redacted}");
        // A window cutting a secret redacts the part inside it.
        assert!(!ranges.redacted(text, 8..20).contains("Value"));
        assert_eq!(ranges.redacted(text, 0..4), "a = ");
    }

    #[test]
    fn snippets_mask_every_secret_and_mark_the_finding() {
        let text = "password = \"ExpiredSupQ8zk27xy\"  # palisade:ignore[SEC002] legacy\n";
        let file = source(text);
        let secret = 12..30;
        let ranges = SecretRanges::new(text, std::iter::once(secret.clone()));
        // A finding after the secret (the suppression comment).
        let comment = text.find("palisade").unwrap();
        let s = snippet(&file, comment..comment + 8, file.position(comment), &ranges);
        assert!(!s.text.contains("ExpiredSup"), "{}", s.text);
        assert_eq!(&s.text[s.marked.clone()], "palisade");
        // A finding on the secret itself.
        let s = snippet(&file, secret.clone(), file.position(secret.start), &ranges);
        assert_eq!(&s.text[s.marked.clone()], "********");
    }

    #[test]
    fn long_lines_are_cut_around_the_finding() {
        let text = format!(
            "{}password = \"Zq8Kx2Lm9Wv4Rt7Yp3Nb\"{}",
            "x".repeat(300),
            "y".repeat(300)
        );
        let file = source(&text);
        let secret = 312..332;
        let ranges = SecretRanges::new(&text, std::iter::once(secret.clone()));
        let s = snippet(&file, secret.clone(), file.position(secret.start), &ranges);
        assert!(s.column > 1);
        assert!(!s.text.contains("Zq8Kx2Lm9Wv4"), "{}", s.text);
        assert_eq!(
            s.text
                .chars()
                .skip(s.marked.start)
                .take(4)
                .collect::<String>(),
            "Zq8K"
        );
    }

    /// Random lines, secrets and spans: no panic, no secret text in a snippet or a redaction,
    /// and the marked range inside the snippet.
    #[test]
    fn snippets_and_redactions_never_show_a_secret() {
        let mut random = crate::testing::Random::new(0x9e37_79b9_7f4a_7c15);
        let mut next = |bound: usize| random.below(bound);
        let alphabet: Vec<char> = "ab =\"\té€\n#".chars().collect();
        for _ in 0..3_000 {
            let length = next(400);
            let mut text: String = (0..length)
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            // One secret of characters found nowhere else, so that any leak is seen.
            let at = text
                .char_indices()
                .map(|(i, _)| i)
                .nth(next(length + 1))
                .unwrap_or(text.len());
            let secret: String = (0..1 + next(40))
                .map(|i| char::from(b'K' + (i % 10) as u8))
                .collect();
            text.insert_str(at, &secret);
            let file = source(&text);
            let ranges = SecretRanges::new(&text, std::iter::once(at..at + secret.len()));
            let leaked =
                |shown: &str| shown.contains(&secret[..secret.len().min(5)]) && secret.len() >= 5;
            let bytes = text.len();
            let boundary = |mut offset: usize| {
                while !text.is_char_boundary(offset) {
                    offset -= 1;
                }
                offset
            };
            let start = boundary(next(bytes + 1));
            let end = boundary(start + next(bytes + 1 - start)).max(start);
            let s = snippet(&file, start..end, file.position(start), &ranges);
            assert!(!leaked(&s.text), "{text:?} {start}..{end}: {}", s.text);
            assert!(s.marked.start <= s.marked.end && s.marked.end <= s.text.chars().count());
            assert!(!leaked(&ranges.redacted(&text, start..end)));
            assert!(!leaked(&fingerprinted(&file, start..end, &ranges)));
        }
    }
}
