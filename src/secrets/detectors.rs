//! The secret-detector catalog: provider formats as data (`rules/secrets/detectors/*.yaml`),
//! embedded in the binary and compiled once.
//!
//! A detector is a regular expression whose first group (or whole match) is the secret, with the
//! keywords a line must contain for the expression to be worth running, and optional tests on
//! what it matched: a minimum Shannon entropy (rejects `ghp_xxxx…` placeholders), allowlisted
//! values (documented example keys) and a built-in verification (`jwt`: a real signature;
//! `literal`: not a placeholder or a reference). Every detector carries samples that must and must
//! not match; a test runs them all.
//!
//! Expressions are compiled for bytes with Unicode off: `\b`, `\s` and `(?i)` are ASCII, which is
//! what token formats need and is many times faster than Unicode classes.

use std::ops::Range;
use std::sync::OnceLock;

use base64::Engine as _;
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::catalog::Severity;

/// A detector as written in the catalog.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorSpec {
    id: String,
    title: String,
    severity: Severity,
    keywords: Vec<String>,
    regex: String,
    #[serde(default)]
    entropy: Option<f64>,
    #[serde(default)]
    allowlist: Vec<String>,
    #[serde(default)]
    verify: Option<Verify>,
    #[serde(default)]
    multiline: bool,
    #[serde(default)]
    note: Option<String>,
    samples: Samples,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorFile {
    detectors: Vec<DetectorSpec>,
}

/// Strings a detector must find a secret in, and strings it must not.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Samples {
    #[serde(rename = "match")]
    pub matches: Vec<String>,
    pub no_match: Vec<String>,
}

/// A check on a match that a regular expression cannot make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    /// A JSON Web Token whose header names an algorithm other than `none` and whose signature
    /// is at least 16 bytes.
    Jwt,
    /// A literal value: not a placeholder (`changeme`, `password`) nor a reference (`${X}`).
    Literal,
}

/// A detector. Its expressions are checked by the test suite and compiled when first used: a
/// scan of a few files (a pre-commit hook) then compiles only the detectors whose keywords
/// occur, instead of paying for all of them at start-up.
#[derive(Debug)]
pub struct Detector {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub keywords: Vec<String>,
    pub note: Option<String>,
    pub samples: Samples,
    /// The expression as written, for tools that want to run it elsewhere.
    pub pattern: String,
    regex: OnceLock<Regex>,
    entropy: Option<f64>,
    allowlist_patterns: Vec<String>,
    allowlist: OnceLock<Vec<Regex>>,
    verify: Option<Verify>,
    /// Matches may span lines (private keys): the search window runs on past the keyword's line.
    pub multiline: bool,
}

/// How far past a keyword's line a multi-line detector looks.
pub const MULTILINE_WINDOW: usize = 16 * 1024;

impl Detector {
    /// Secrets this detector finds in `text[window]`, as byte ranges of `text`: where a finding
    /// points (the secret; for a multi-line format, from its header on) and the secret itself.
    /// The text before the window is context for `\b`, so a window can start anywhere.
    pub fn find_in(
        &self,
        text: &[u8],
        window: Range<usize>,
        found: &mut Vec<(Range<usize>, Range<usize>)>,
    ) {
        let haystack = &text[..window.end];
        let regex = self.regex.get_or_init(|| compile(&self.pattern));
        let mut at = window.start;
        while at <= haystack.len() {
            let Some(captures) = regex.captures_at(haystack, at) else {
                break;
            };
            let whole = captures.get(0).expect("group 0 always matches");
            let secret = captures.get(1).unwrap_or(whole);
            if self.accepts(secret.as_bytes()) {
                let site = if self.multiline {
                    whole.start()..secret.end()
                } else {
                    secret.range()
                };
                found.push((site, secret.range()));
            }
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                whole.end() + 1
            };
        }
    }

    /// Whether the detector can be used: it has keywords, and its expressions compile.
    fn check(&self) -> Result<(), String> {
        if self.keywords.is_empty() {
            return Err("no keywords".to_owned());
        }
        for pattern in std::iter::once(&self.pattern).chain(&self.allowlist_patterns) {
            regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(pattern)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Whether the detector is about a kind of secret rather than one provider's format (a JWT, a
    /// password in a URL): when a provider's detector finds the same secret, it says more.
    pub fn is_generic(&self) -> bool {
        self.verify.is_some()
    }

    /// Whether a matched value passes the detector's tests.
    fn accepts(&self, secret: &[u8]) -> bool {
        if self
            .entropy
            .is_some_and(|minimum| entropy(secret) < minimum)
        {
            return false;
        }
        let allowlist = self
            .allowlist
            .get_or_init(|| self.allowlist_patterns.iter().map(|p| compile(p)).collect());
        if allowlist.iter().any(|allowed| allowed.is_match(secret)) {
            return false;
        }
        match self.verify {
            Some(Verify::Jwt) => is_signed_jwt(secret),
            Some(Verify::Literal) => std::str::from_utf8(secret).is_ok_and(|value| {
                super::judge(value, super::Pairing::Declared) == super::Verdict::Secret
            }),
            // A provider's format filled in for documentation is not a key.
            None => !std::str::from_utf8(secret).is_ok_and(super::is_stand_in_token),
        }
    }
}

/// Every detector of the catalog.
#[derive(Debug)]
pub struct Detectors {
    pub list: Vec<Detector>,
}

/// A catalog file that cannot be used, and why.
#[derive(Debug)]
pub struct DetectorError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for DetectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl Detectors {
    /// The detectors built into the binary.
    pub fn builtin() -> &'static Detectors {
        static DETECTORS: std::sync::OnceLock<Detectors> = std::sync::OnceLock::new();
        // Read from the JSON form of the files (see build.rs): a tenth of the start-up time.
        let json = |text: &str| serde_json::from_str(text).map_err(|e| e.to_string());
        DETECTORS.get_or_init(|| {
            match Detectors::read(crate::catalog::embedded::DETECTOR_FILES_JSON, json) {
                Ok(detectors) => detectors,
                // The embedded files are fixed at build time and checked by the test suite.
                Err(error) => panic!("embedded secret detectors are invalid: {error}"),
            }
        })
    }

    /// The embedded detector files as written, for tests that check the files themselves.
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        crate::catalog::embedded::DETECTOR_FILES
    }

    /// Parses detector files given as (name, YAML text) and checks every detector: keywords to
    /// look for, expressions that compile. The test suite holds the embedded files to this, so
    /// the binary does not check them again at every start.
    pub fn parse(files: &[(&str, &str)]) -> Result<Detectors, DetectorError> {
        let yaml = |text: &str| serde_saphyr::from_str(text).map_err(|e| e.to_string());
        let mut list = Vec::new();
        for &(file, text) in files {
            let detectors = Detectors::read(&[(file, text)], yaml)?;
            for detector in &detectors.list {
                detector.check().map_err(|message| DetectorError {
                    file: file.to_owned(),
                    message: format!("{}: {message}", detector.id),
                })?;
            }
            list.extend(detectors.list);
        }
        Ok(Detectors { list })
    }

    fn read(
        files: &[(&str, &str)],
        parse: impl Fn(&str) -> Result<DetectorFile, String>,
    ) -> Result<Detectors, DetectorError> {
        let mut list = Vec::new();
        for (file, text) in files {
            let parsed = parse(text).map_err(|message| DetectorError {
                file: (*file).to_owned(),
                message,
            })?;
            list.extend(parsed.detectors.into_iter().map(|spec| Detector {
                regex: OnceLock::new(),
                allowlist_patterns: spec.allowlist,
                allowlist: OnceLock::new(),
                id: spec.id,
                title: spec.title,
                severity: spec.severity,
                keywords: spec.keywords,
                note: spec.note,
                samples: spec.samples,
                pattern: spec.regex,
                entropy: spec.entropy,
                verify: spec.verify,
                multiline: spec.multiline,
            }));
        }
        Ok(Detectors { list })
    }
}

/// Compiles an expression that [`Detector::check`] accepted.
fn compile(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("the test suite checks every embedded detector expression")
}

/// Shannon entropy in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &byte in bytes {
        counts[byte as usize] += 1;
    }
    let total = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = count as f64 / total;
            -p * p.log2()
        })
        .sum()
}

fn is_signed_jwt(token: &[u8]) -> bool {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    // Signatures are random bytes: their last character may carry bits past the last byte.
    let engine = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(_payload), Some(signature)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let Ok(header) = engine.decode(header) else {
        return false;
    };
    let Ok(header) = serde_json::from_slice::<serde_json::Value>(&header) else {
        return false;
    };
    let signed = header
        .get("alg")
        .and_then(|alg| alg.as_str())
        .is_some_and(|alg| !alg.eq_ignore_ascii_case("none"));
    signed && engine.decode(signature).is_ok_and(|s| s.len() >= 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_pass_their_checks_and_are_what_the_binary_reads() {
        let files = Detectors::builtin_files();
        let parsed = Detectors::parse(files).unwrap_or_else(|e| panic!("{e}"));
        let describe = |d: &Detector| {
            format!(
                "{} {} {:?} {:?} {} {:?} {:?} {:?} {:?} {} {:?}",
                d.id,
                d.title,
                d.severity,
                d.keywords,
                d.pattern,
                d.allowlist_patterns,
                d.entropy,
                d.verify,
                d.note,
                d.multiline,
                d.samples
            )
        };
        let builtin: Vec<String> = Detectors::builtin().list.iter().map(describe).collect();
        assert_eq!(
            parsed.list.iter().map(describe).collect::<Vec<_>>(),
            builtin
        );
    }

    #[test]
    fn a_detector_without_keywords_or_with_a_broken_expression_is_refused() {
        let file = |keywords: &str, regex: &str| {
            format!(
                "detectors:\n  - id: demo\n    title: Demo\n    severity: high\n    keywords: {keywords}\n    regex: '{regex}'\n    samples: {{match: [], no_match: []}}\n"
            )
        };
        let error = |text: String| Detectors::parse(&[("demo.yaml", &text)]).unwrap_err();
        assert!(Detectors::parse(&[("demo.yaml", &file("[demo]", "demo_[a-z]+"))]).is_ok());
        assert_eq!(
            error(file("[]", "demo_[a-z]+")).message,
            "demo: no keywords"
        );
        let broken = error(file("[demo]", "demo_[a-z+"));
        assert_eq!(broken.file, "demo.yaml");
        assert!(broken.message.starts_with("demo: "), "{}", broken.message);
    }

    #[test]
    fn entropy_separates_tokens_from_filler() {
        assert_eq!(entropy(b"aaaaaaaa"), 0.0);
        assert!(entropy(b"ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa") > 4.5);
    }
}
