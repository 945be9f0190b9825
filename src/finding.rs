//! What a scan produces: findings about the scanned files, and diagnostics about the scan itself.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::source::Position;

/// How bad a finding is. Ordered from least to most severe.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    /// One level less severe (info stays info).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One violation of one rule at one place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    /// The path as the user will see it.
    pub path: PathBuf,
    /// The path relative to the repository root, `/`-separated.
    pub repo_path: String,
    pub start: Position,
    /// One past the last character, like SARIF's `endColumn`.
    pub end: Position,
    /// Never contains a secret in clear: checks mask what they quote.
    pub message: String,
    /// The offending line (or, for long lines, an excerpt around the finding), with every secret
    /// on it masked.
    pub snippet: Snippet,
    /// Content-based and stable: survives unrelated edits and lines moving.
    pub fingerprint: String,
    /// Hash of the offending line's text and its occurrence, GitHub's `primaryLocationLineHash`.
    pub line_hash: String,
    /// For secrets, the id of the detector that found it.
    pub detector: Option<String>,
    /// Set when a suppression covers it: it is then reported as suppressed, out of the gate.
    pub suppression: Option<Suppression>,
    /// Other places it depends on, in other files (SARIF `relatedLocations`).
    pub related: Vec<Related>,
    /// The chart it was found in the render of (its directory), for a finding in a template.
    pub rendered_from: Option<String>,
}

/// Another place a finding depends on: the Dockerfile line that makes a compose service run as
/// root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Relative to the repository root, `/`-separated.
    pub repo_path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a finding is suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// The justification given with it.
    pub reason: String,
}

/// Where a suppression was made, in SARIF's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// A comment in the file itself.
    InSource,
    /// The configuration file, for a path.
    External,
}

impl SuppressionKind {
    /// SARIF's `suppression.kind`.
    pub fn sarif(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "inSource",
            SuppressionKind::External => "external",
        }
    }

    /// The JSON report's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionKind::InSource => "in-source",
            SuppressionKind::External => "external",
        }
    }
}

/// An excerpt of a source line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// The 1-based column of the line at which `text` starts (1 unless the line was cut).
    pub column: usize,
    /// Where the finding lies in `text`, in characters (masks change the width of what they
    /// hide, so columns of the file do not say).
    pub marked: std::ops::Range<usize>,
}

/// Why a file was not (fully) scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// The file is not valid in its format; nothing was checked in it.
    ParseError,
    /// Deliberately not scanned: binary, too large, a template, a symbolic link.
    Skipped,
    /// The file or directory could not be read.
    IoError,
    /// A check failed unexpectedly on this file; the rest of the scan went on.
    InternalError,
    /// A user's policy failed on this file (an error, or its time ran out).
    PolicyError,
}

impl DiagnosticKind {
    /// Skips are routine and shown only on request; the rest deserve attention.
    pub fn is_routine(self) -> bool {
        self == DiagnosticKind::Skipped
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticKind::ParseError => "parse-error",
            DiagnosticKind::Skipped => "skipped",
            DiagnosticKind::IoError => "io-error",
            DiagnosticKind::InternalError => "internal-error",
            DiagnosticKind::PolicyError => "policy-error",
        }
    }
}

/// Something the scan has to say about a file rather than about a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// The path relative to the repository root, `/`-separated, when known.
    pub repo_path: Option<String>,
    pub kind: DiagnosticKind,
    pub message: String,
    /// Where in the file, when the problem has a place (a parse error).
    pub position: Option<Position>,
}

impl Diagnostic {
    /// The same diagnostic, located in the repository.
    pub fn in_repository(mut self, repo_path: impl Into<String>) -> Self {
        self.repo_path = Some(repo_path.into());
        self
    }

    pub fn new(path: PathBuf, kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Self {
            path,
            repo_path: None,
            kind,
            message: message.into(),
            position: None,
        }
    }
}
