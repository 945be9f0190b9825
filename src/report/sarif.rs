//! The SARIF 2.1.0 report, shaped for GitHub code scanning.
//!
//! What GitHub reads, and where it comes from here:
//! - `tool.driver.rules[]`: every rule of the catalog (so `ruleIndex` is the catalog position),
//!   with `help` in text and Markdown, `properties.tags` holding the policy tag and `security`
//!   plus CWE tags, and `security-severity` as a string score (GitHub maps ≥ 9.0 to critical,
//!   7.0–8.9 to high, 4.0–6.9 to medium, below to low);
//! - results with repository-relative URIs under `%SRCROOT%`, 1-based regions whose `endColumn` is
//!   exclusive, and `partialFingerprints` (GitHub's line hash and our content fingerprint) so that
//!   alerts follow code that moves;
//! - files that could not be scanned as `toolExecutionNotifications`.
//!
//! No timestamps or absolute paths are written, so the same tree gives the same bytes.

use std::cmp::Reverse;
use std::io::{self, Write};

use flate2::Compression;
use flate2::write::GzEncoder;

use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use crate::catalog::{Catalog, Rule, Severity};
use crate::engine::ScanReport;
use crate::finding::{DiagnosticKind, Finding};
use crate::report::slash_path;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const INFORMATION_URI: &str = env!("CARGO_PKG_HOMEPAGE");
/// GitHub truncates longer descriptions.
const MAX_DESCRIPTION: usize = 1024;

/// GitHub code scanning rejects runs with more results.
pub const MAX_RESULTS: usize = 25_000;
/// GitHub code scanning rejects larger uploads, measured gzipped.
pub const MAX_GZIPPED_BYTES: usize = 10 * 1024 * 1024;

pub fn render(
    report: &ScanReport,
    catalog: &Catalog,
    category: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    render_within(
        report,
        catalog,
        category,
        MAX_RESULTS,
        MAX_GZIPPED_BYTES,
        out,
    )
}

/// Renders at most `max_results` results in at most `max_gzipped` bytes once gzipped, keeping
/// the most severe (findings before suppressed ones), and says in a notification what was left
/// out: an upload over GitHub's limits would be rejected whole.
pub fn render_within(
    report: &ScanReport,
    catalog: &Catalog,
    category: Option<&str>,
    max_results: usize,
    max_gzipped: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let findings: Vec<&Finding> = report.findings.iter().chain(&report.suppressed).collect();
    let mut by_importance: Vec<usize> = (0..findings.len()).collect();
    by_importance.sort_by_key(|&i| {
        (
            findings[i].suppression.is_some(),
            Reverse(findings[i].severity),
            i,
        )
    });
    let mut keep = findings.len().min(max_results);
    loop {
        let mut kept: Vec<usize> = by_importance[..keep].to_vec();
        kept.sort_unstable();
        let document = document(report, catalog, category, &findings, &kept);
        if keep == 0 || fits_gzipped(&document, max_gzipped)? {
            serde_json::to_writer_pretty(&mut *out, &document)?;
            return writeln!(out);
        }
        keep /= 2;
    }
}

/// Whether a document is at most `max_gzipped` bytes once gzipped, found without holding its
/// text. Pretty-printed JSON always compresses, so a document whose plain text fits needs no
/// compressing to know.
fn fits_gzipped(document: &impl Serialize, max_gzipped: usize) -> io::Result<bool> {
    let mut plain = CountingWriter::<io::Sink>::default();
    serde_json::to_writer_pretty(&mut plain, document)?;
    if plain.count <= max_gzipped {
        return Ok(true);
    }
    let encoder = GzEncoder::new(CountingWriter::<io::Sink>::default(), Compression::fast());
    // serde_json writes a few bytes at a time; the encoder is much faster fed in blocks.
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, encoder);
    serde_json::to_writer_pretty(&mut buffered, document)?;
    let encoder = buffered
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    Ok(encoder.finish()?.count <= max_gzipped)
}

/// Counts what is written to it and forwards it.
#[derive(Default)]
struct CountingWriter<W> {
    inner: W,
    count: usize,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.count += written;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The SARIF document with the findings at indices `kept`: everything but the results is small
/// and built as a value; the results are serialized one by one from the findings.
fn document<'r>(
    report: &'r ScanReport,
    catalog: &'r Catalog,
    category: Option<&str>,
    findings: &'r [&'r Finding],
    kept: &'r [usize],
) -> Document<'r> {
    let rules: Vec<Value> = catalog
        .rules()
        .iter()
        .map(|rule| rule_descriptor(rule, &report.compliance))
        .collect();
    let mut notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .map(|diagnostic| {
            let artifact = match &diagnostic.repo_path {
                Some(repo_path) => json!({ "uri": uri_path(repo_path), "uriBaseId": "%SRCROOT%" }),
                None => json!({ "uri": file_uri(&diagnostic.path) }),
            };
            let mut location = json!({ "physicalLocation": { "artifactLocation": artifact } });
            if let Some(position) = diagnostic.position {
                location["physicalLocation"]["region"] =
                    json!({ "startLine": position.line, "startColumn": position.column.max(1) });
            }
            json!({
                "level": match diagnostic.kind {
                    DiagnosticKind::Skipped => "note",
                    DiagnosticKind::ParseError => "warning",
                    DiagnosticKind::IoError | DiagnosticKind::InternalError | DiagnosticKind::PolicyError => "error",
                },
                "message": { "text": format!("{}: {}", slash_path(&diagnostic.path), diagnostic.message) },
                "descriptor": { "id": diagnostic.kind.as_str() },
                "locations": [location],
            })
        })
        .collect();
    if kept.len() < findings.len() {
        let left_out = findings.len() - kept.len();
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{left_out} of {} results left out to stay within GitHub code scanning's limits \
                 ({MAX_RESULTS} results per run, {} MB gzipped); the most severe were kept. \
                 The JSON report has them all.",
                findings.len(),
                MAX_GZIPPED_BYTES / (1024 * 1024),
            ) },
            "descriptor": { "id": "results-truncated" },
        }));
    }
    let category = category.unwrap_or("palisade");
    let automation_id = if category.ends_with('/') {
        category.to_owned()
    } else {
        format!("{category}/")
    };
    Document {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: json!({
                "driver": {
                    "name": "palisade",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                },
            }),
            automation_details: json!({ "id": automation_id }),
            column_kind: "unicodeCodePoints",
            invocations: json!([{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
                "properties": invocation_properties(report),
            }]),
            // Suppressed results go to GitHub too, which shows them as dismissed with the reason.
            results: Results {
                catalog,
                findings,
                kept,
            },
        }],
    }
}

#[derive(Serialize)]
struct Document<'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'r>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'r> {
    tool: Value,
    automation_details: Value,
    column_kind: &'static str,
    invocations: Value,
    results: Results<'r>,
}

struct Results<'r> {
    catalog: &'r Catalog,
    findings: &'r [&'r Finding],
    kept: &'r [usize],
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.kept.iter().map(|&index| {
            let finding = self.findings[index];
            SarifResult {
                rule_id: &finding.rule_id,
                rule_index: self.catalog.index_of(&finding.rule_id),
                level: level(finding.severity),
                message: Text {
                    text: &finding.message,
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: uri_path(&finding.repo_path),
                            uri_base_id: "%SRCROOT%",
                        },
                        region: Region {
                            start_line: finding.start.line,
                            start_column: finding.start.column,
                            end_line: finding.end.line,
                            end_column: finding.end.column,
                            snippet: Text {
                                text: &finding.snippet.text,
                            },
                        },
                    },
                }],
                partial_fingerprints: PartialFingerprints {
                    line_hash: &finding.line_hash,
                    fingerprint: &finding.fingerprint,
                },
                properties: Properties {
                    severity: finding.severity,
                    detector: finding.detector.as_deref(),
                    rendered_from: finding.rendered_from.as_deref(),
                },
                suppressions: finding.suppression.as_ref().map(|suppression| {
                    [SarifSuppression {
                        kind: suppression.kind.sarif(),
                        justification: &suppression.reason,
                    }]
                }),
                related_locations: finding
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, related)| RelatedLocation {
                        id,
                        physical_location: RelatedPhysicalLocation {
                            artifact_location: ArtifactLocation {
                                uri: uri_path(&related.repo_path),
                                uri_base_id: "%SRCROOT%",
                            },
                            region: RelatedRegion {
                                start_line: related.line,
                                start_column: related.column.max(1),
                            },
                        },
                        message: Text {
                            text: &related.message,
                        },
                    })
                    .collect(),
            }
        }))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'r> {
    rule_id: &'r str,
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'r>,
    locations: [Location<'r>; 1],
    partial_fingerprints: PartialFingerprints<'r>,
    properties: Properties<'r>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[SarifSuppression<'r>; 1]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'r>>,
}

/// Another place of the result, in another file (the Dockerfile line behind a compose service).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'r> {
    id: usize,
    physical_location: RelatedPhysicalLocation,
    message: Text<'r>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedPhysicalLocation {
    artifact_location: ArtifactLocation,
    region: RelatedRegion,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedRegion {
    start_line: usize,
    start_column: usize,
}

#[derive(Serialize)]
struct Text<'r> {
    text: &'r str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'r> {
    physical_location: PhysicalLocation<'r>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'r> {
    artifact_location: ArtifactLocation,
    region: Region<'r>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'r> {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
    snippet: Text<'r>,
}

#[derive(Serialize)]
struct PartialFingerprints<'r> {
    #[serde(rename = "primaryLocationLineHash")]
    line_hash: &'r str,
    /// Our own content fingerprint, versioned: a new scheme gets a new key.
    #[serde(rename = "palisade/v2")]
    fingerprint: &'r str,
}

/// A result's own properties: its severity, for a secret the detector that found it, and for a
/// finding in a template the chart it was rendered from.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties<'r> {
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    detector: Option<&'r str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rendered_from: Option<&'r str>,
}

#[derive(Serialize)]
struct SarifSuppression<'r> {
    kind: &'static str,
    justification: &'r str,
}

/// The invocation's properties: the configuration in effect, and the compliance controls
/// judged, when asked for.
fn invocation_properties(report: &ScanReport) -> Value {
    let mut properties = json!({
        "configuration": report.configuration.as_deref().map(slash_path),
    });
    if !report.compliance.is_empty() {
        properties["compliance"] = json!(report.compliance);
    }
    properties
}

fn rule_descriptor(rule: &Rule, compliance: &[crate::compliance::Evaluation]) -> Value {
    let mut tags = vec![rule.policy.as_str().to_owned(), "security".to_owned()];
    // The controls it checks, of the frameworks asked for: `pss-restricted/seccomp`.
    tags.extend(compliance.iter().flat_map(|evaluation| {
        evaluation
            .controls
            .iter()
            .filter(|control| control.rules.contains(&rule.id))
            .map(|control| format!("{}/{}", evaluation.framework, control.id))
    }));
    tags.extend(rule.targets.iter().map(|kind| kind.as_str().to_owned()));
    tags.extend(
        rule.cwe
            .iter()
            .map(|cwe| format!("external/cwe/{}", cwe.to_ascii_lowercase())),
    );
    let mut descriptor = json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": truncate(&unwrap_lines(&rule.description), MAX_DESCRIPTION) },
        "help": { "text": help_text(rule), "markdown": help_markdown(rule) },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": tags,
            "precision": rule.precision.as_str(),
            "security-severity": security_severity(rule.severity),
        },
    });
    if let Some(uri) = rule.references.first() {
        descriptor["helpUri"] = json!(uri);
    }
    descriptor
}

/// A path outside the repository as a URI: absolute paths as `file://` URIs (a relative
/// reference may not start with `/`), relative ones as relative references.
fn file_uri(path: &std::path::Path) -> String {
    let encoded = uri_path(&slash_path(path));
    if path.is_absolute() {
        format!(
            "file://{}{encoded}",
            if encoded.starts_with('/') { "" } else { "/" }
        )
    } else {
        encoded
    }
}

/// A `/`-separated path as the path of a URI reference (RFC 3986): every byte other than an
/// unreserved character, a sub-delimiter, `@` or `/` is percent-encoded, non-ASCII characters as
/// their UTF-8 bytes. `:` is encoded too, so that a first segment is never read as a scheme.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b'@' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// SARIF levels: GitHub shows `error` and `warning` as such, `note` as a note.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

fn help_text(rule: &Rule) -> String {
    let mut text = format!(
        "{}\n\n{}\n\nHow to fix:\n{}\n",
        rule.title,
        rule.description.trim(),
        rule.remediation.trim()
    );
    if !rule.references.is_empty() {
        text.push_str("\nReferences:\n");
        for reference in &rule.references {
            text.push_str(&format!("- {reference}\n"));
        }
    }
    text
}

/// The rule's documentation in Markdown; `palisade explain` and the README use the same text.
pub fn help_markdown(rule: &Rule) -> String {
    let mut markdown = format!(
        "**{}** (`{}`, {} severity, policy `{}`)\n\n{}\n\n### How to fix\n\n{}\n",
        rule.title,
        rule.name,
        rule.severity,
        rule.policy,
        rule.description.trim(),
        rule.remediation.trim(),
    );
    if let Some(examples) = &rule.examples {
        markdown.push_str(&format!(
            "\n### Example\n\nFlagged:\n\n```\n{}\n```\n\nPasses:\n\n```\n{}\n```\n",
            examples.bad.trim_end(),
            examples.good.trim_end(),
        ));
    }
    if let Some(source) = &rule.source {
        markdown.push_str(&format!("\nDefined by the policy `{source}`.\n"));
    }
    if !rule.references.is_empty() {
        markdown.push_str("\n### References\n\n");
        for reference in &rule.references {
            markdown.push_str(&format!("- <{reference}>\n"));
        }
    }
    markdown
}

/// Joins the hard-wrapped lines of each paragraph, keeping blank lines between paragraphs.
fn unwrap_lines(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// At most `max` bytes, cut at a sentence or word boundary, with an ellipsis when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = max - '…'.len_utf8();
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &text[..cut];
    let end = head
        .rfind(". ")
        .map(|i| i + 1)
        .or_else(|| head.rfind(' '))
        .unwrap_or(cut);
    format!("{}…", head[..end].trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random paths: the encoding is ASCII of allowed characters only, and decodes back.
    #[test]
    fn percent_encoding_round_trips() {
        let mut random = crate::testing::Random::new(0x2545_f491_4f6c_dd1d);
        let alphabet: Vec<char> = "a/ %#?:é😀~-_.()[]\\\n".chars().collect();
        for _ in 0..3_000 {
            let path = random.string(&alphabet, 16);
            let uri = uri_path(&path);
            let mut decoded = Vec::new();
            let bytes = uri.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    decoded.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    assert!(
                        bytes[i].is_ascii_alphanumeric()
                            || b"-._~/!$&'()*+,;=@".contains(&bytes[i]),
                        "{uri}"
                    );
                    decoded.push(bytes[i]);
                    i += 1;
                }
            }
            assert_eq!(String::from_utf8(decoded).unwrap(), path);
        }
    }

    #[test]
    fn paths_are_percent_encoded_as_uri_references() {
        assert_eq!(uri_path("deploy/app/Dockerfile"), "deploy/app/Dockerfile");
        assert_eq!(
            uri_path("my dir/a#b?c%d.yaml"),
            "my%20dir/a%23b%3Fc%25d.yaml"
        );
        assert_eq!(uri_path("C:/x/é.tf"), "C%3A/x/%C3%A9.tf");
        assert_eq!(uri_path("a\nb"), "a%0Ab");
        // Every output is ASCII with nothing a URI reference forbids.
        for path in ["😀 x", "a b/c\u{7f}", "[x]{y}|z^`\\\""] {
            let uri = uri_path(path);
            assert!(
                uri.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@%".contains(&b)),
                "{uri}"
            );
        }
    }

    use super::truncate;

    #[test]
    fn paragraphs_are_unwrapped() {
        assert_eq!(
            super::unwrap_lines("one\ntwo\n\nthree\n"),
            "one two\n\nthree"
        );
    }

    #[test]
    fn truncation_respects_the_limit() {
        let long = "A sentence. ".repeat(200);
        let cut = truncate(&long, 1024);
        assert!(cut.len() <= 1024);
        assert!(cut.ends_with(".…"));
        assert_eq!(truncate("short", 1024), "short");
    }
}
