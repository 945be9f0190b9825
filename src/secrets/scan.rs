//! Secrets anywhere in a file, in one pass.
//!
//! One Aho-Corasick automaton holds every keyword of every detector and the words of secret-like
//! names. A single search over the file says which detectors can match at all and where: each
//! keyword hit opens a window (its line, at most 1 KiB either side; 16 KiB onwards for multi-line
//! formats such as private keys), and a detector's expression runs only in its own windows. Most
//! files contain no keyword and cost one automaton pass; none costs more than a few expressions
//! over a few lines. The expressions come from the `regex` crate, whose searches are linear in the
//! input whatever the pattern.
//!
//! Besides provider formats, a *secret-like name assigned a literal* is found in the syntax of the
//! file's language ([`FileClass`]): in code only quoted literals count (`password = os.environ[…]`
//! is a lookup, not a secret); in configuration files (`.env`, properties, YAML, INI, shell) bare
//! values count too; `--password=…` flags count everywhere. What is assigned must look like a
//! secret: not a placeholder, a reference, a template, a UUID, a digest or a sentence.

use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{Captures, Regex, RegexBuilder};

use super::detectors::{Detector, Detectors, MULTILINE_WINDOW};
use super::{Overlaps, Pairing, Verdict, is_secret_name, judge};

/// How a file's text is read for assignments, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileClass {
    /// Source code and prose: only quoted literals are values.
    Code,
    /// Rust: read as code, then candidates are confirmed with its syntax tree.
    Rust,
    /// Configuration (`.env`, `.properties`, YAML, INI, shell, anything unknown): bare values too.
    Config,
    /// Lockfiles and minified bundles: full of hashes and generated names, so only provider
    /// formats are looked for.
    Generated,
    /// Source maps: generated copies of other files, not scanned.
    Skipped,
}

const CODE_EXTENSIONS: &[&str] = &[
    "py", "pyi", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "go", "java", "kt", "kts",
    "scala", "groovy", "gradle", "rb", "php", "cs", "fs", "vb", "swift", "m", "mm", "c", "h", "cc",
    "cpp", "cxx", "hpp", "hh", "dart", "lua", "pl", "pm", "r", "ex", "exs", "erl", "clj", "cljs",
    "hs", "ml", "vue", "svelte", "sol", "zig", "nim", "jl", "md", "markdown", "rst", "txt", "adoc",
    "html", "htm",
];

const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "cargo.lock",
    "gemfile.lock",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "composer.lock",
    "go.sum",
    "mix.lock",
    "pubspec.lock",
    "packages.lock.json",
    "flake.lock",
];

impl FileClass {
    pub fn of(path: &Path) -> FileClass {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name.ends_with(".map") {
            return FileClass::Skipped;
        }
        if LOCKFILES.contains(&name.as_str())
            || name.ends_with(".min.js")
            || name.ends_with(".min.css")
            || name.ends_with(".min.mjs")
        {
            return FileClass::Generated;
        }
        let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
        if extension == "rs" {
            FileClass::Rust
        } else if CODE_EXTENSIONS.contains(&extension) {
            FileClass::Code
        } else {
            FileClass::Config
        }
    }
}

/// Whether a path is documentation (`README.md`, `docs/…`, `.rst`, `.adoc`): the values there
/// are mostly examples for readers, reported with a lower severity like those of tests.
pub fn is_documentation_path(path: &Path) -> bool {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let prose = matches!(
        extension.as_deref(),
        Some("md" | "markdown" | "mdx" | "rst" | "adoc" | "asciidoc")
    );
    let directory = path.parent().is_some_and(|parent| {
        parent.components().any(|c| {
            let name = c.as_os_str().to_string_lossy().to_ascii_lowercase();
            matches!(name.as_str(), "docs" | "doc" | "documentation")
        })
    });
    prose || directory
}

/// Whether a path is test code, test data or an example (`tests/`, `*_test.go`, `.env.example`):
/// secrets there are reported with a lower severity.
pub fn is_test_path(path: &Path) -> bool {
    const DIRECTORIES: &[&str] = &[
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "testdata",
        "test-data",
        "fixtures",
        "fixture",
        "__fixtures__",
        "mocks",
        "__mocks__",
        "examples",
    ];
    let components: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_ascii_lowercase())
        .collect();
    let Some((name, directories)) = components.split_last() else {
        return false;
    };
    if directories
        .iter()
        .any(|d| DIRECTORIES.contains(&d.as_str()))
    {
        return true;
    }
    let stem = name.split('.').next().unwrap_or("");
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_spec")
        || stem.ends_with("test") && name.ends_with(".java")
        || stem.starts_with("example")
        || stem.starts_with("sample")
        || [
            ".test.",
            ".spec.",
            ".example",
            ".sample",
            ".template",
            ".dist",
        ]
        .iter()
        .any(|marker| name.contains(marker))
}

/// What found a secret.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A provider format of the catalog.
    Detector(&'static Detector),
    /// A literal assigned to a secret-like name.
    Assignment,
}

/// A secret in a file.
#[derive(Debug, Clone)]
pub struct Secret {
    pub source: Source,
    /// Where a finding points: the secret, or for a private key its header through the secret.
    pub site: Range<usize>,
    /// The secret itself, as a byte range of the file.
    pub range: Range<usize>,
    /// The name it is assigned to, for assignments.
    pub name: Option<String>,
    /// Inside test code of a file that is not itself a test (a `#[cfg(test)]` module).
    pub in_test_code: bool,
}

#[derive(Clone, Copy)]
enum Trigger {
    Detector(usize),
    Assignment,
}

/// Keywords of secret-like names: a line without any of them has no assignment to report.
const NAME_KEYWORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "privatekey",
    "private_key",
    "private-key",
    "accesskey",
    "access_key",
    "access-key",
    "authkey",
    "auth_key",
    "signingkey",
    "signing_key",
    "encryptionkey",
    "encryption_key",
    "masterkey",
    "master_key",
    "sessionkey",
    "session_key",
    "credential",
    "creds",
    "dsn",
    "connectionstring",
    "connection_string",
];

/// Around a keyword, how much of a long line is searched.
const LINE_WINDOW: usize = 1024;

/// The scanner: the detectors, their keyword automaton and the assignment expressions.
pub struct Scanner {
    detectors: &'static Detectors,
    keywords: AhoCorasick,
    /// What each keyword of the automaton starts: its own detectors, and those of every keyword
    /// inside it (the search reports the longest keyword at a place, not the ones it contains).
    triggers: Vec<Vec<Trigger>>,
    quoted: LazyRegex,
    bare: LazyRegex,
    flag: LazyRegex,
    /// Rust only, where the syntax tree confirms the binding: a literal, the only argument of a
    /// call named like a secret (`.password("…")`) or of a constructor
    /// (`token = String::from("…")`).
    rust_call: LazyRegex,
}

/// An expression compiled when first used: a scan of a few files (a pre-commit hook) should not
/// pay at start-up for expressions its files never need.
struct LazyRegex {
    pattern: String,
    regex: OnceLock<Regex>,
}

impl LazyRegex {
    fn new(pattern: String) -> LazyRegex {
        LazyRegex {
            pattern,
            regex: OnceLock::new(),
        }
    }

    fn get(&self) -> &Regex {
        self.regex.get_or_init(|| compile(&self.pattern))
    }
}

const NAME: &str = r"(?P<name>[A-Za-z_][A-Za-z0-9_.-]{0,60})";
/// An optional type between name and operator: `API_KEY: &str =`, `password: str =`.
const TYPE: &str = r"(?::[ \t]*[A-Za-z_&][A-Za-z0-9_&<>\[\]' ]{0,30}?[ \t]*)?";
const QUOTED: &str =
    r#""(?P<dq>[^"\\\r\n]{1,256})"|'(?P<sq>[^'\\\r\n]{1,256})'|`(?P<bq>[^`\\\r\n$]{1,256})`"#;
/// A value written bare. Not one that starts like the operand of a shell expansion that is not a
/// default (`${VAR:+alternative}`, `${VAR:?message}`).
const BARE: &str = r#"(?P<bare>[^\s"'`;,#=<>{}()\[\]|&*!%+?\\][^\s"'`;,#<>(){}\[\]\\]{0,255})"#;

impl Scanner {
    pub fn builtin() -> &'static Scanner {
        static SCANNER: OnceLock<Scanner> = OnceLock::new();
        SCANNER.get_or_init(|| Scanner::new(Detectors::builtin()))
    }

    pub fn new(detectors: &'static Detectors) -> Scanner {
        let mut own: std::collections::BTreeMap<String, Vec<Trigger>> = Default::default();
        for (index, detector) in detectors.list.iter().enumerate() {
            for keyword in &detector.keywords {
                own.entry(keyword.to_ascii_lowercase())
                    .or_default()
                    .push(Trigger::Detector(index));
            }
        }
        for keyword in NAME_KEYWORDS {
            own.entry((*keyword).to_owned())
                .or_default()
                .push(Trigger::Assignment);
        }
        let patterns: Vec<&String> = own.keys().collect();
        let triggers = patterns
            .iter()
            .map(|pattern| {
                own.iter()
                    .filter(|(inner, _)| pattern.contains(inner.as_str()))
                    .flat_map(|(_, triggers)| triggers.iter().copied())
                    .collect()
            })
            .collect();
        // Leftmost-longest, not overlapping: the automaton's prefilter can then skip through
        // text with no keyword at all, several times faster than an overlapping search.
        let keywords = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("keywords build an automaton");
        let assignment = |values: &str| {
            // A name starts a word: not the end of a path or a host (`…/gke/wi-secret-store:tag`).
            LazyRegex::new(format!(
                r#"(?:^|[^A-Za-z0-9_./-]){NAME}["'\]]?[ \t]*{TYPE}(?:=>|:=|=|:)[ \t]*(?:{values})"#
            ))
        };
        Scanner {
            detectors,
            keywords,
            triggers,
            quoted: assignment(QUOTED),
            bare: assignment(&format!("{QUOTED}|{BARE}")),
            rust_call: LazyRegex::new(format!(
                r#"\b(?P<name>[A-Za-z_][A-Za-z0-9_]{{0,60}})(?:[ \t]*{TYPE}=[ \t]*[A-Za-z_][A-Za-z0-9_:]{{0,60}})?\([ \t]*"(?P<dq>[^"\\\r\n]{{1,256}})"(?:\.[a-z_]{{1,20}}\(\))*[ \t]*\)"#
            )),
            flag: LazyRegex::new(
                r#"(?:^|[\s"'`\[,(])--?(?P<name>[A-Za-z][A-Za-z0-9-]{0,40})["']?(?:=|[ \t]+)(?:"(?P<dq>[^"\r\n]{1,256})"|'(?P<sq>[^'\r\n]{1,256})'|(?P<bare>[^\s"'`;|&<>\\]{1,256}))"#
                    .to_owned(),
            ),
        }
    }

    /// Every secret in a file of the given class, in order, one per location.
    pub fn scan(&self, text: &str, class: FileClass) -> Vec<Secret> {
        if class == FileClass::Skipped {
            return Vec::new();
        }
        let bytes = text.as_bytes();
        let mut windows: Vec<Vec<Range<usize>>> = vec![Vec::new(); self.detectors.list.len()];
        let mut lines: Vec<Range<usize>> = Vec::new();
        for hit in self.keywords.find_iter(bytes) {
            let line = line_window(bytes, hit.start(), hit.end());
            for &trigger in &self.triggers[hit.pattern().as_usize()] {
                match trigger {
                    Trigger::Detector(index) => {
                        // Multi-line formats run on from the keyword's line.
                        let range = if self.detectors.list[index].multiline {
                            line.start..(line.start + MULTILINE_WINDOW).min(bytes.len())
                        } else {
                            line.clone()
                        };
                        push_merged(&mut windows[index], range);
                    }
                    Trigger::Assignment if class != FileClass::Generated => {
                        push_merged(&mut lines, line.clone())
                    }
                    Trigger::Assignment => {}
                }
            }
        }

        let mut secrets = Vec::new();
        let mut found = Vec::new();
        for (index, ranges) in windows.iter().enumerate() {
            let detector = &self.detectors.list[index];
            for range in ranges {
                found.clear();
                detector.find_in(bytes, range.clone(), &mut found);
                secrets.extend(found.drain(..).map(|(site, range)| Secret {
                    source: Source::Detector(detector),
                    site,
                    range,
                    name: None,
                    in_test_code: false,
                }));
            }
        }
        let values = match class {
            FileClass::Code | FileClass::Rust => &self.quoted,
            _ => &self.bare,
        };
        let rust_call = (class == FileClass::Rust).then_some(&self.rust_call);
        for line in &lines {
            for (regex, flags) in [
                (Some(values), false),
                (Some(&self.flag), true),
                (rust_call, false),
            ] {
                let Some(regex) = regex.map(LazyRegex::get) else {
                    continue;
                };
                for captures in regex.captures_iter(&bytes[line.clone()]) {
                    if flags && names_a_secret(&captures) {
                        continue;
                    }
                    if in_arn(&bytes[line.clone()], &captures) {
                        continue;
                    }
                    if let Some(secret) = assignment(&captures, line.start) {
                        secrets.push(secret);
                    }
                }
            }
        }
        let secrets = one_per_location(secrets);
        if class == FileClass::Rust && !secrets.is_empty() {
            return super::rust::confirm(text, secrets);
        }
        secrets
    }

    /// Provider-format secrets in a single value (an environment variable, an attribute).
    pub fn tokens(&self, text: &str) -> Vec<Secret> {
        self.scan(text, FileClass::Generated)
    }
}

fn compile(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("built-in assignment patterns compile")
}

/// The line of a keyword at `start..end`, bounded to [`LINE_WINDOW`] bytes on either side.
fn line_window(bytes: &[u8], start: usize, end: usize) -> Range<usize> {
    let floor = start.saturating_sub(LINE_WINDOW);
    let line_start =
        memchr::memrchr(b'\n', &bytes[floor..start]).map_or(floor, |at| floor + at + 1);
    let ceiling = (end + LINE_WINDOW).min(bytes.len());
    let line_end = memchr::memchr(b'\n', &bytes[end..ceiling]).map_or(ceiling, |at| end + at);
    line_start..line_end
}

/// Adds a window, merging it with the last one when they overlap (hits come in order).
fn push_merged(windows: &mut Vec<Range<usize>>, range: Range<usize>) {
    if let Some(last) = windows.last_mut()
        && range.start <= last.end
    {
        last.start = last.start.min(range.start);
        last.end = last.end.max(range.end);
        return;
    }
    windows.push(range);
}

/// A command-line flag that names a secret kept elsewhere rather than giving its value: Docker,
/// BuildKit and Podman's `--secret id=…,src=…`, gcloud's `--secret=NAME`.
fn names_a_secret(captures: &Captures<'_>) -> bool {
    captures
        .name("name")
        .is_some_and(|name| matches!(name.as_bytes(), b"secret" | b"secrets"))
}

/// Whether the name is a segment of an Amazon resource name
/// (`arn:aws:secretsmanager:…:secret:prod-db-AbC123`): the ARN names a secret, it does not hold
/// one.
fn in_arn(line: &[u8], captures: &Captures<'_>) -> bool {
    let Some(name) = captures.name("name") else {
        return false;
    };
    if name.start() == 0 || line[name.start() - 1] != b':' {
        return false;
    }
    // Back to the start of the token the name is part of.
    let token_start = line[..name.start()]
        .iter()
        .rposition(|&b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'=' | b','))
        .map_or(0, |at| at + 1);
    line[token_start..name.start()].starts_with(b"arn:")
}

/// An assignment match that holds a plausible secret.
fn assignment(captures: &Captures<'_>, offset: usize) -> Option<Secret> {
    let name = std::str::from_utf8(captures.name("name")?.as_bytes()).ok()?;
    let (value, bare) = ["dq", "sq", "bq"]
        .iter()
        .find_map(|group| captures.name(group).map(|m| (m, false)))
        .or_else(|| captures.name("bare").map(|m| (m, true)))?;
    let mut text = std::str::from_utf8(value.as_bytes()).ok()?;
    let mut range = offset + value.start()..offset + value.end();
    // The default of a shell expansion (`${DB_PASSWORD:-value}`, `${X:=value}`) follows its sign.
    if bare && let Some(rest) = text.strip_prefix(['-', '=']) {
        text = rest;
        range.start += 1;
    }
    let secret = is_secret_name(name) && judge(text, Pairing::Guessed { bare }) == Verdict::Secret;
    secret.then(|| Secret {
        source: Source::Assignment,
        site: range.clone(),
        range,
        name: Some(name.to_owned()),
        in_test_code: false,
    })
}

/// One secret per location: a provider format wins over an assignment of the same value, and of
/// two detectors on the same secret the more specific (the one without a verification step) wins.
fn one_per_location(mut secrets: Vec<Secret>) -> Vec<Secret> {
    let rank = |secret: &Secret| match secret.source {
        Source::Detector(detector) => u8::from(detector.is_generic()),
        Source::Assignment => 2,
    };
    secrets.sort_by_key(|s| (rank(s), s.range.start, s.range.end));
    let mut kept: Vec<Secret> = Vec::with_capacity(secrets.len());
    // Against better ranks, ask the ranges kept so far; within a rank, kept ranges are sorted and
    // disjoint, so only the last one can overlap.
    let (mut rank_of_run, mut better, mut run_end) = (None, Overlaps::new([]), 0);
    for secret in secrets {
        if rank_of_run != Some(rank(&secret)) {
            rank_of_run = Some(rank(&secret));
            better = Overlaps::new(kept.iter().map(|k| k.range.clone()));
            run_end = 0;
        }
        if !better.any(&secret.range) && secret.range.start >= run_end {
            run_end = secret.range.end;
            kept.push(secret);
        }
    }
    kept.sort_by_key(|s| (s.range.start, s.range.end));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, class: FileClass) -> Vec<(String, String)> {
        Scanner::builtin()
            .scan(text, class)
            .into_iter()
            .map(|secret| {
                let by = match secret.source {
                    Source::Detector(d) => d.id.clone(),
                    Source::Assignment => format!("assignment:{}", secret.name.unwrap()),
                };
                (by, text[secret.range].to_owned())
            })
            .collect()
    }

    #[test]
    fn every_detector_sample_behaves() {
        let scanner = Scanner::builtin();
        assert!(scanner.detectors.list.len() >= 40);
        for detector in &scanner.detectors.list {
            assert!(
                !detector.samples.matches.is_empty() && !detector.samples.no_match.is_empty(),
                "{}: needs samples of both kinds",
                detector.id
            );
            for sample in &detector.samples.matches {
                let hits = scanner.scan(sample, FileClass::Generated);
                assert!(
                    hits.iter()
                        .any(|s| matches!(s.source, Source::Detector(d) if d.id == detector.id)),
                    "{}: finds nothing in {sample:?} (found {:?})",
                    detector.id,
                    hits.iter()
                        .map(|s| &sample[s.range.clone()])
                        .collect::<Vec<_>>()
                );
            }
            for sample in &detector.samples.no_match {
                let hits = scanner.scan(sample, FileClass::Generated);
                assert!(
                    !hits
                        .iter()
                        .any(|s| matches!(s.source, Source::Detector(d) if d.id == detector.id)),
                    "{}: fires on {sample:?}",
                    detector.id
                );
            }
        }
    }

    #[test]
    fn the_name_of_a_secret_in_an_arn_is_no_assignment() {
        let arn = "SecretArn: !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:MyTestDatabaseSecret-a1b2c3\n";
        assert!(found(arn, FileClass::Config).is_empty());
        // The ARN names the secret; the value beside it is one.
        let both = "arn = \"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-db\"\nDB_PASSWORD=Xq8vR2mLp9TwZ4kN\n";
        assert_eq!(found(both, FileClass::Config).len(), 1);
    }

    #[test]
    fn assignments_follow_the_language() {
        let code = "let password = \"Tr0ub4dor&3x\";\npassword = os.environ[\"DB_PASSWORD\"]\n";
        assert_eq!(
            found(code, FileClass::Code),
            [("assignment:password".to_owned(), "Tr0ub4dor&3x".to_owned())]
        );
        let config =
            "DB_PASSWORD=Tr0ub4dor3x\napi_token: ${API_TOKEN}\nSECRET_KEY=settings.SECRET\n";
        assert_eq!(
            found(config, FileClass::Config),
            [(
                "assignment:DB_PASSWORD".to_owned(),
                "Tr0ub4dor3x".to_owned()
            )]
        );
        // Bare values in code are expressions, not literals.
        assert!(found("password = get_password()\n", FileClass::Code).is_empty());
        let flags = "mysql --user=app --password=Zq9mXv4Lp2 db\n";
        assert_eq!(
            found(flags, FileClass::Code),
            [("assignment:password".to_owned(), "Zq9mXv4Lp2".to_owned())]
        );
    }

    #[test]
    fn placeholders_digests_and_references_are_not_secrets() {
        for text in [
            "password = \"password123\"",
            "password = \"changeme\"",
            "password: \"<your-password>\"",
            "token = \"{{ .Values.token }}\"",
            "api_key = \"xxxxxxxxxxxxxxxx\"",
            "token = \"3fa85f64-5717-4562-b3fc-2c963f66afa6\"",
            "token = \"da39a3ee5e6b4b0d3255bfef95601890afd80709\"",
            "password_prompt = \"Please enter the admin password now\"",
            "secret_ref = \"Xy7pQ2mZ9rT4\"",
            "\"integrity\": \"sha512-Xy7pQ2mZ9rT4Xy7pQ2mZ9rT4==\"",
            "token = f\"{prefix}-{suffix}\"",
        ] {
            assert!(found(text, FileClass::Code).is_empty(), "{text}");
        }
        // Shell: a flag that names a secret kept elsewhere, an expansion that is no default.
        for text in [
            "docker buildx build --secret id=npmrc,src=$HOME/.npmrc --push .",
            "gcloud secrets versions access latest --secret=billing-api-key",
            "case \"${REPO_PASSWORD:+has-password}\" in",
            "echo \"${DEPLOY_TOKEN:?set the token first}\"",
        ] {
            assert!(found(text, FileClass::Config).is_empty(), "{text}");
        }
        // A default is a value like any other.
        assert_eq!(
            found("PASSWORD=${DB_PASSWORD:-Zq9xKp2mTr7}", FileClass::Config).len(),
            1
        );
    }

    #[test]
    fn identifiers_are_names_not_secrets() {
        for name in [
            "NextToken",
            "AWSAccessKeyId",
            "sensitive_value",
            "DistributionList.NextMarker",
        ] {
            assert!(super::super::judge::looks_like_identifier(name), "{name}");
        }
        for secret in ["xKqPzRtWmLbNvC", "hunter2", "Tr0ub4dor&3"] {
            assert!(
                !super::super::judge::looks_like_identifier(secret),
                "{secret}"
            );
        }
    }

    #[test]
    fn a_token_in_an_assignment_is_reported_once_by_its_format() {
        let text = "GITHUB_TOKEN=ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa\n";
        assert_eq!(
            found(text, FileClass::Config),
            [(
                "github-pat".to_owned(),
                "ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa".to_owned()
            )]
        );
    }

    #[test]
    fn file_classes_and_test_paths() {
        assert_eq!(FileClass::of(Path::new("src/main.rs")), FileClass::Rust);
        assert_eq!(FileClass::of(Path::new("app/main.py")), FileClass::Code);
        assert_eq!(FileClass::of(Path::new(".env")), FileClass::Config);
        assert_eq!(
            FileClass::of(Path::new("app/yarn.lock")),
            FileClass::Generated
        );
        assert_eq!(
            FileClass::of(Path::new("dist/app.js.map")),
            FileClass::Skipped
        );
        assert!(is_test_path(Path::new("pkg/server_test.go")));
        assert!(is_test_path(Path::new("tests/data/config.yaml")));
        assert!(is_test_path(Path::new(".env.example")));
        assert!(!is_test_path(Path::new("src/attestation.rs")));
    }
}
