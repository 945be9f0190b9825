//! How each rule is checked: one small function per rule, or per policy that every format shares.
//!
//! A check is a pure function that pushes [`Hit`]s (a rule, a span, a message). Policies that
//! every format shares (`deployment/`) read the model of what gets deployed, which each format is
//! lowered into once (`crate::lower`); rules of facts only one format has read that format's
//! document. The registry [`CHECKS`] ties each function to its rule id in the catalog; a test
//! keeps the two one-to-one. Files are parsed once, then every enabled check of their format runs
//! over the same document and model.

pub mod cloudformation;
pub mod compose;
pub mod deployment;
pub mod dockerfile;
pub mod format;
pub mod github_actions;
pub mod gitlab_ci;
pub mod kubernetes;
pub mod secrets;
pub mod terraform;

use std::ops::Range;
use std::path::Path;

use crate::catalog::Severity;
use crate::checks::secrets::SecretFile;
use crate::discover::{FileKind, Target};
use crate::formats::budget;
use crate::formats::cloudformation::Template;
use crate::formats::compose::ComposeFile;
use crate::formats::dockerfile::Dockerfile;
use crate::formats::github_actions::Workflow;
use crate::formats::gitlab_ci::Pipeline;
use crate::formats::kubernetes::Manifests;
use crate::formats::terraform::{At, Module};
use crate::model::Deployment;
use crate::source::Position;

/// What a check reports: the engine turns it into a [`crate::finding::Finding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule_id: &'static str,
    /// The most specific offending node; for something missing, the node that lacks it.
    pub span: Range<usize>,
    /// Names the problem. Must never quote a secret except through [`crate::secrets::mask`].
    pub message: String,
    /// Where a secret sits, so that every snippet shown of this file masks it.
    pub secret: Option<Range<usize>>,
    /// A severity of its own, when the rule's does not fit every hit (secret detectors).
    pub severity: Option<Severity>,
    /// Which secret detector found it.
    pub detector: Option<&'static str>,
    /// Whether it sits in test code of a file that is not a test file as a whole.
    pub in_test_code: bool,
    /// Places in other files it depends on.
    pub related: Vec<crate::finding::Related>,
    /// Which file of its unit it is in (a Terraform module's); 0 for a file on its own.
    pub file: usize,
    /// The chart it was rendered from (its directory in the repository), for a hit in a
    /// rendered template.
    pub rendered_from: Option<String>,
}

impl Hit {
    pub fn new(rule_id: &'static str, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            rule_id,
            span,
            message: message.into(),
            secret: None,
            severity: None,
            detector: None,
            in_test_code: false,
            related: Vec::new(),
            file: 0,
            rendered_from: None,
        }
    }

    pub fn in_file(mut self, file: usize) -> Self {
        self.file = file;
        self
    }

    pub fn with_secret(mut self, secret: Range<usize>) -> Self {
        self.secret = Some(secret);
        self
    }
}

/// What a scan's settings tell the checks, beyond which rules run: one value per scan, handed
/// down with the checks, so that two scans in one process never share state.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Which ports are databases: the well-known ones and those the configuration adds.
    pub databases: crate::model::ports::Databases,
    /// Owners of GitHub actions whose version tags are trusted as pins (`actions`, `github` by
    /// default); `None` for the default.
    pub tag_pinned_owners: Option<Vec<String>>,
    /// Values of CloudFormation template parameters, by name, over their defaults.
    pub cloudformation_parameters: Vec<(String, String)>,
    /// Users' own policies that run (in Rego).
    pub policies: Option<std::sync::Arc<crate::policy::Policies>>,
}

impl Settings {
    /// Owners whose actions may be pinned to a version tag.
    pub fn tag_pinned_owners(&self) -> Vec<&str> {
        match &self.tag_pinned_owners {
            Some(owners) => owners.iter().map(String::as_str).collect(),
            None => vec!["actions", "github"],
        }
    }
}

/// A policy over the model of what gets deployed, given the rule id it reports under.
pub type Policy = fn(&Deployment<'_>, &Settings, &'static str, &mut Vec<Hit>);

/// A check function, by the document model it reads.
#[derive(Clone, Copy)]
pub enum Checker {
    /// A policy shared by formats, run on the deployments lowered from files of `format`.
    Deployment {
        format: Target,
        policy: Policy,
    },
    Dockerfile(fn(&Dockerfile<'_>, &mut Vec<Hit>)),
    Kubernetes(fn(&Manifests<'_>, &mut Vec<Hit>)),
    Compose(fn(&ComposeFile<'_>, &mut Vec<Hit>)),
    /// GitHub Actions checks read the scan's settings too (the owners whose tags are trusted).
    GithubActions(fn(&Workflow<'_>, &Settings, &mut Vec<Hit>)),
    GitlabCi(fn(&Pipeline<'_>, &mut Vec<Hit>)),
    CloudFormation(fn(&Template<'_>, &mut Vec<Hit>)),
    /// Terraform checks read a whole module and say which of its files each hit is in.
    Terraform(fn(&Module, &mut Vec<(At, Hit)>)),
    /// Secret checks read any file as text.
    Secrets(fn(&SecretFile<'_>, &mut Vec<Hit>)),
}

impl Checker {
    pub fn target(self) -> Target {
        match self {
            Checker::Deployment { format, .. } => format,
            Checker::Dockerfile(_) => Target::Dockerfile,
            Checker::Kubernetes(_) => Target::Kubernetes,
            Checker::Compose(_) => Target::Compose,
            Checker::GithubActions(_) => Target::GithubActions,
            Checker::GitlabCi(_) => Target::GitlabCi,
            Checker::CloudFormation(_) => Target::CloudFormation,
            Checker::Terraform(_) => Target::Terraform,
            Checker::Secrets(_) => Target::Secrets,
        }
    }
}

/// A rule id and the function that checks it.
#[derive(Clone, Copy)]
pub struct Check {
    pub rule_id: &'static str,
    pub checker: Checker,
}

impl Check {
    /// A shared policy, reported under `rule_id` for files of `format`.
    pub const fn deployment(rule_id: &'static str, format: Target, policy: Policy) -> Check {
        Check {
            rule_id,
            checker: Checker::Deployment { format, policy },
        }
    }

    pub const fn secrets(
        rule_id: &'static str,
        function: fn(&SecretFile<'_>, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::Secrets(function),
        }
    }

    pub const fn terraform(
        rule_id: &'static str,
        function: fn(&Module, &mut Vec<(At, Hit)>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::Terraform(function),
        }
    }

    pub const fn compose(
        rule_id: &'static str,
        function: fn(&ComposeFile<'_>, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::Compose(function),
        }
    }

    pub const fn github_actions(
        rule_id: &'static str,
        function: fn(&Workflow<'_>, &Settings, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::GithubActions(function),
        }
    }

    pub const fn gitlab_ci(
        rule_id: &'static str,
        function: fn(&Pipeline<'_>, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::GitlabCi(function),
        }
    }

    pub const fn cloudformation(
        rule_id: &'static str,
        function: fn(&Template<'_>, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::CloudFormation(function),
        }
    }

    pub const fn kubernetes(
        rule_id: &'static str,
        function: fn(&Manifests<'_>, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::Kubernetes(function),
        }
    }

    pub const fn dockerfile(
        rule_id: &'static str,
        function: fn(&Dockerfile<'_>, &mut Vec<Hit>),
    ) -> Check {
        Check {
            rule_id,
            checker: Checker::Dockerfile(function),
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/checks.rs"));

/// A file whose text is not valid in its format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    pub message: String,
    /// Where the parser stopped, when it knows.
    pub position: Option<Position>,
    /// Not a mistake in the file but a file we do not read (a template): reported as skipped.
    pub skipped: bool,
    /// Not a mistake in the file either: its tree would not fit the parse budget.
    pub over_budget: bool,
}

/// Parses `text` as a file of `kind` and runs the `checks` that apply to what it contains.
pub fn run(kind: FileKind, text: &str, checks: &[Check]) -> Result<Vec<Hit>, ParseFailure> {
    run_in(
        kind,
        text,
        checks,
        &Settings::default(),
        &crate::links::Alone,
    )
}

/// [`run`], for a file of a repository whose other files it refers to (a compose service's
/// Dockerfile) can be read through `repository`.
pub fn run_in(
    kind: FileKind,
    text: &str,
    checks: &[Check],
    settings: &Settings,
    repository: &dyn crate::links::Repository,
) -> Result<Vec<Hit>, ParseFailure> {
    // A byte order mark becomes three spaces: parsers that skip it would count offsets from
    // after it, and the same length keeps every span valid in the text as given.
    let unmarked;
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            unmarked = format!("   {rest}");
            unmarked.as_str()
        }
        None => text,
    };
    // Text has no format of its own: only secrets are looked for.
    if kind == FileKind::Text {
        return Ok(run_secrets(Path::new(""), text, checks));
    }
    let input = format::Input::new(kind, text, checks, settings, repository);
    let mut hits = Vec::new();
    for format in format::reading(kind) {
        if input.wants(format.target()) {
            format.check(&input, &mut hits)?;
        }
    }
    Ok(hits)
}

/// A file the parser would need more memory for than the budget allows.
pub(crate) fn over_budget(parser: budget::Parser, text: &str) -> Result<(), ParseFailure> {
    budget::check(parser, text).map_err(|refused| ParseFailure {
        message: refused.to_string(),
        position: None,
        skipped: false,
        over_budget: true,
    })
}

/// Whether any of `checks` is a shared policy that applies to files of `format`.
pub(crate) fn wants_deployment(checks: &[Check], format: Target) -> bool {
    checks
        .iter()
        .any(|check| matches!(check.checker, Checker::Deployment { format: f, .. } if f == format))
}

/// Whether what files of `format` deploy is read: by a shared policy, or by a user's.
pub(crate) fn lowers(checks: &[Check], settings: &Settings, format: Target) -> bool {
    wants_deployment(checks, format) || settings.user_policies_read(format)
}

impl Settings {
    /// Whether a user's policy reads files of `format`.
    pub fn user_policies_read(&self, format: Target) -> bool {
        self.policies
            .as_ref()
            .is_some_and(|policies| policies.reads(format))
    }

    /// Runs users' policies that read `format` over one unit; `place` finds the node a result
    /// points at (its file in the unit, and its span there).
    pub(crate) fn run_user_policies(
        &self,
        format: Target,
        input: impl FnOnce(crate::policy::input::Parts) -> regorus::Value,
        place: &crate::policy::Place<'_>,
        hits: &mut Vec<Hit>,
    ) {
        let Some(policies) = &self.policies else {
            return;
        };
        let mut denials = Vec::new();
        policies.evaluate(format, input, place, &mut denials);
        hits.extend(denials.into_iter().map(|denial| {
            Hit::new(denial.rule_id, denial.span, denial.message).in_file(denial.file)
        }));
    }

    /// Runs users' policies that read `format` over a file written in YAML (or JSON): its
    /// documents, and what it deploys.
    pub(crate) fn run_user_policies_on_yaml(
        &self,
        format: Target,
        input: &format::Input<'_>,
        yaml: &crate::formats::yaml::Yaml,
        deployment: Option<&Deployment<'_>>,
        hits: &mut Vec<Hit>,
    ) {
        if !self.user_policies_read(format) {
            return;
        }
        use crate::policy::input;
        let lines = input::Lines::new(input.text);
        let build = |parts| {
            input::unit(
                input.repository.path().as_deref(),
                format,
                parts,
                || input::yaml_documents(yaml, &lines),
                || {
                    deployment.map_or(regorus::Value::Null, |deployment| {
                        input::model(deployment, &|entries, _, offset| {
                            lines.mark(entries, offset, None)
                        })
                    })
                },
            )
        };
        let places = input::YamlPlaces::new(yaml, &lines);
        let place = |pointer: &crate::policy::Pointer| places.place(pointer).map(|span| (0, span));
        self.run_user_policies(format, build, &place, hits);
    }
}

/// Runs the shared policies of `checks` that apply to `format` over what a file deploys.
pub(crate) fn run_policies(
    deployment: &Deployment<'_>,
    format: Target,
    checks: &[Check],
    settings: &Settings,
    hits: &mut Vec<Hit>,
) {
    for check in checks {
        if let Checker::Deployment { format: f, policy } = check.checker
            && f == format
        {
            policy(deployment, settings, check.rule_id, hits);
        }
    }
}

/// Whether any of `checks` looks for secrets (which read every file).
pub fn wants_secrets(checks: &[Check]) -> bool {
    checks
        .iter()
        .any(|check| matches!(check.checker, Checker::Secrets(_)))
}

/// Runs the secret `checks` over a file's text; `path` (as in the repository) tells its language
/// and whether it is test code.
pub fn run_secrets(path: &Path, text: &str, checks: &[Check]) -> Vec<Hit> {
    let file = SecretFile::new(path, text);
    let mut hits = Vec::new();
    for check in checks {
        if let Checker::Secrets(function) = check.checker {
            function(&file, &mut hits);
        }
    }
    hits
}

pub(crate) fn yaml_failure(error: crate::formats::yaml::YamlError) -> ParseFailure {
    ParseFailure {
        message: error.message,
        position: error
            .position
            .map(|(line, column)| Position { line, column }),
        skipped: false,
        over_budget: false,
    }
}

/// The first line (1-based) where a Go/Helm template expression stands where YAML expects a value
/// or a line (`{{- if … }}`, `name: {{ .Values.name }}`, `- {{ toYaml … }}`). Template text
/// inside quoted strings (Prometheus alert annotations, for example) does not count.
fn template_line(text: &str) -> Option<usize> {
    if !text.contains("{{") {
        return None;
    }
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("- ").unwrap_or(line).trim_start();
            let value = match line.split_once(": ") {
                Some((key, value)) if !key.contains('"') && !key.contains('\'') => {
                    value.trim_start()
                }
                _ => line,
            };
            value.starts_with("{{")
        })
        .map(|index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::template_line;

    #[test]
    fn templates_are_recognised_where_values_go() {
        assert_eq!(template_line("a: 1\nname: {{ .Values.name }}\n"), Some(2));
        assert_eq!(template_line("spec:\n{{- if .Values.x }}\n"), Some(2));
        assert_eq!(template_line("items:\n  - {{ toYaml . }}\n"), Some(2));
        assert_eq!(
            template_line("summary: \"{{ $labels.instance }} is down\"\n"),
            None
        );
        assert_eq!(template_line("description: 'value {{ $value }}'\n"), None);
        assert_eq!(template_line("plain: yaml\n"), None);
    }
}
