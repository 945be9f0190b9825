//! The configuration file, `.palisade.yaml`: what a repository decides once instead of on every
//! command line.
//!
//! It is looked for from the scanned directory upward (the first path given, or the current
//! directory), or named with `--config`; `--no-config` ignores it. Command-line flags win over
//! it where both say the same thing (`--fail-on`, `--min-severity`, `--select`,
//! `--test-secrets`); lists add up (`--ignore`, `--exclude`). Every key is checked: an unknown
//! or misspelt one is an error that names its line, never silently ignored, since a misspelt
//! exclusion would otherwise quietly do nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

use crate::bounded;
use crate::catalog::{Catalog, Severity};
use crate::suppress::Date;

/// What a secret found in test code, test data or an example (`tests/`, `*_test.go`,
/// `.env.example`) is worth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestSecrets {
    /// Reported one severity lower, and said to be in a test path.
    #[default]
    Lower,
    /// Reported like any other.
    Keep,
}

/// The names looked for, in order, in each directory.
pub const FILE_NAMES: &[&str] = &[".palisade.yaml", ".palisade.yml"];

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    /// Reserved for changes of shape; only 1 exists.
    version: Option<u32>,
    #[serde(default)]
    rules: RulesSection,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    ignore: Vec<IgnoreSection>,
    fail_on: Option<String>,
    #[serde(default)]
    fail_on_diagnostics: bool,
    min_severity: Option<Severity>,
    #[serde(default)]
    secrets: SecretsSection,
    #[serde(default)]
    database_ports: BTreeMap<u16, String>,
    #[serde(default)]
    helm: HelmSection,
    #[serde(default)]
    github_actions: GithubActionsSection,
    #[serde(default)]
    cloudformation: CloudFormationSection,
    #[serde(default)]
    policies: Vec<PathBuf>,
}

/// How CloudFormation templates are read.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CloudFormationSection {
    /// Values of template parameters, by name, as the stacks are deployed with them: over the
    /// parameters' defaults.
    #[serde(default)]
    parameters: BTreeMap<String, ParameterValue>,
    /// Files of parameter values (relative to the configuration file), in the forms the AWS
    /// tools write them; `parameters` wins over them.
    #[serde(default)]
    parameter_files: Vec<PathBuf>,
}

/// A parameter's value as written (`22`, `true` and `prod` alike), as CloudFormation passes
/// every parameter: as text.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ParameterValue {
    Bool(bool),
    Integer(i64),
    Number(f64),
    Text(String),
}

/// Parameter values in the forms the AWS tools read: a list of `{"ParameterKey": …,
/// "ParameterValue": …}` (`aws cloudformation create-stack --parameters file://…`), a list of
/// `"Key=Value"` (`aws cloudformation deploy --parameter-overrides`), or `{"Parameters": {…}}`
/// (a CodePipeline template configuration).
fn parameter_values(text: &str) -> Result<Vec<(String, String)>, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|error| format!("invalid JSON: {error}"))?;
    let text_of = |value: &serde_json::Value| match value {
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Some(value.to_string()),
        _ => None,
    };
    let unexpected = || {
        "expected a list of {\"ParameterKey\", \"ParameterValue\"}, a list of \"Key=Value\" or {\"Parameters\": {…}}".to_owned()
    };
    match &json {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(pair) => pair
                    .split_once('=')
                    .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                    .ok_or_else(unexpected),
                serde_json::Value::Object(_) => {
                    let key = item.get("ParameterKey").and_then(text_of);
                    let value = item.get("ParameterValue").and_then(text_of);
                    key.zip(value).ok_or_else(unexpected)
                }
                _ => Err(unexpected()),
            })
            .collect(),
        serde_json::Value::Object(object) => match object.get("Parameters") {
            Some(serde_json::Value::Object(parameters)) => parameters
                .iter()
                .map(|(key, value)| Ok((key.clone(), text_of(value).ok_or_else(unexpected)?)))
                .collect(),
            _ => Err(unexpected()),
        },
        _ => Err(unexpected()),
    }
}

impl ParameterValue {
    fn into_text(self) -> String {
        match self {
            ParameterValue::Bool(value) => value.to_string(),
            ParameterValue::Integer(value) => value.to_string(),
            ParameterValue::Number(value) => value.to_string(),
            ParameterValue::Text(value) => value,
        }
    }
}

/// How GitHub Actions workflows are judged.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GithubActionsSection {
    /// Owners whose actions may be pinned to a version tag rather than a commit.
    tag_pinned_owners: Option<Vec<String>>,
}

/// Values for Helm charts: for every chart, and per chart directory.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct HelmSection {
    #[serde(default)]
    values: Vec<PathBuf>,
    #[serde(default)]
    set: Vec<String>,
    #[serde(default)]
    charts: BTreeMap<PathBuf, ChartSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ChartSection {
    #[serde(default)]
    values: Vec<PathBuf>,
    #[serde(default)]
    set: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RulesSection {
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    severity: BTreeMap<String, Severity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct IgnoreSection {
    paths: Vec<String>,
    rules: Vec<String>,
    reason: String,
    until: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SecretsSection {
    #[serde(default)]
    allowlist: Vec<String>,
    test_secrets: Option<TestSecrets>,
}

/// Findings of some rules under some paths, suppressed for a reason given in the configuration.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    pub paths: GlobSet,
    /// Rule ids.
    pub rules: Vec<String>,
    pub reason: String,
    pub until: Option<Date>,
}

impl PathIgnore {
    /// Whether it covers a finding of `rule` at `repo_path` on `today`.
    pub fn covers(&self, rule: &str, repo_path: &str, today: Date) -> bool {
        self.until.is_none_or(|until| until >= today)
            && self.rules.iter().any(|r| r == rule)
            && self.paths.is_match(repo_path)
    }
}

/// A checked configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from.
    pub path: Option<PathBuf>,
    /// Rule ids.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub exclude: Vec<String>,
    pub path_ignores: Vec<PathIgnore>,
    /// As `--fail-on` takes it.
    pub fail_on: Option<String>,
    /// Exit with 1 when a file could not be checked, as `--fail-on-diagnostics`.
    pub fail_on_diagnostics: bool,
    pub min_severity: Option<Severity>,
    pub secret_allowlist: Vec<Regex>,
    pub test_secrets: Option<TestSecrets>,
    pub database_ports: Vec<(u16, String)>,
    /// Owners of GitHub actions whose version tags are trusted as pins.
    pub tag_pinned_owners: Option<Vec<String>>,
    /// Values of CloudFormation template parameters, by name.
    pub cloudformation_parameters: Vec<(String, String)>,
    /// Files of CloudFormation parameter values, read when the configuration file is loaded.
    pub cloudformation_parameter_files: Vec<PathBuf>,
    /// Values for Helm charts, paths resolved against the configuration file's directory.
    pub helm: crate::helm::HelmOptions,
    /// Directories (or files) of users' policies in Rego, resolved against the configuration
    /// file's directory.
    pub policies: Vec<PathBuf>,
}

/// Where a value error (`ignore[0].rules: unknown rule or policy `DKR3` …`) is in the text: the
/// node of its key, narrowed to the entry it quotes when there is one. `None` for errors that
/// carry their place already or name no key.
fn place_of(text: &str, message: &str) -> Option<(usize, usize)> {
    if message.starts_with("line ") {
        return None;
    }
    let key = message.split(": ").next()?;
    let yaml = crate::formats::yaml::Yaml::parse(text).ok()?;
    let mut node = *yaml.documents.first()?;
    for part in key.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        node = yaml.get(node, name)?.value;
        if let Some(index) = index {
            node = *yaml.items(node).get(index)?;
        }
    }
    if let Some(quoted) = message.split('`').nth(1) {
        let entries = yaml
            .items(node)
            .iter()
            .chain(yaml.pairs(node).iter().map(|(key, _)| key));
        for &entry in entries {
            if yaml.str(entry) == Some(quoted) {
                node = entry;
                break;
            }
        }
    }
    let position = crate::source::SourceFile::new(PathBuf::new(), text.to_owned())
        .position(yaml.span(node).start);
    Some((position.line, position.column))
}

/// The configuration that applies to a scan of `start` (a directory or a file): the nearest
/// `.palisade.yaml` in it or above it, up to the root of the repository it is in (the directory
/// holding `.git`) and never beyond: a file above the repository is not the repository's to
/// decide, and must not be able to turn a scan off. Outside any repository the search goes up
/// to the current directory when the scan is inside it, and no further than `start` otherwise.
/// A file elsewhere applies only when named with `--config`.
pub fn find(start: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(start).ok()?;
    let directory = if absolute.is_dir() {
        absolute.as_path()
    } else {
        absolute.parent()?
    };
    let in_repository = directory.ancestors().any(|dir| dir.join(".git").exists());
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|cwd| std::path::absolute(cwd).ok());
    for dir in directory.ancestors() {
        if let Some(found) = FILE_NAMES
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
        {
            return Some(found);
        }
        let last = if in_repository {
            dir.join(".git").exists()
        } else {
            cwd.as_deref()
                .is_none_or(|cwd| dir == cwd || !directory.starts_with(cwd))
        };
        if last {
            break;
        }
    }
    None
}

/// The policy paths a configuration file names (`policies:`), read before the rest of it: their
/// rules are part of the catalog the rest is checked against. A configuration comes with the
/// repository it configures, so its policies must be inside the configuration's directory, and
/// no symbolic link is followed to them.
pub fn policy_paths(path: &Path) -> Result<Vec<PathBuf>, String> {
    #[derive(Deserialize)]
    struct Policies {
        #[serde(default)]
        policies: Vec<PathBuf>,
    }
    let text = bounded::read_text(path, bounded::MAX_CONFIG_BYTES, "configuration")?;
    if !text.contains("policies") {
        return Ok(Vec::new());
    }
    let listed: Policies = serde_saphyr::from_str(&text).map_err(|error| {
        let message = error.to_string();
        format!(
            "{}: {}",
            path.display(),
            message.lines().next().unwrap_or_default()
        )
    })?;
    let directory = path.parent().unwrap_or(Path::new(""));
    listed
        .policies
        .into_iter()
        .map(|policy| {
            let inside = policy.is_relative()
                && policy.components().all(|part| {
                    matches!(
                        part,
                        std::path::Component::Normal(_) | std::path::Component::CurDir
                    )
                });
            if !inside {
                return Err(format!(
                    "{}: policies: `{}` must be a path inside the configuration's directory",
                    path.display(),
                    policy.display()
                ));
            }
            let full = directory.join(&policy);
            let mut walked = directory.to_path_buf();
            for part in policy.components() {
                walked.push(part);
                if walked
                    .symlink_metadata()
                    .is_ok_and(|metadata| metadata.file_type().is_symlink())
                {
                    return Err(format!(
                        "{}: policies: `{}` goes through a symbolic link",
                        path.display(),
                        policy.display()
                    ));
                }
            }
            Ok(full)
        })
        .collect()
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path, catalog: &Catalog) -> Result<Config, String> {
        let text = bounded::read_text(path, bounded::MAX_CONFIG_BYTES, "configuration")?;
        let mut config = Config::parse(&text, catalog).map_err(|message| {
            // The parser calls the text `<input>`; name the file instead.
            let message = message.replace("<input>", &path.display().to_string());
            format!("{}: {message}", path.display())
        })?;
        // Paths in it are relative to its directory.
        let directory = path.parent().unwrap_or(Path::new(""));
        config.helm.resolve_against(directory);
        config.read_parameter_files(directory)?;
        config.policies = policy_paths(path)?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Reads the CloudFormation parameter files, under the values written in the
    /// configuration itself.
    fn read_parameter_files(&mut self, directory: &Path) -> Result<(), String> {
        let mut from_files: Vec<(String, String)> = Vec::new();
        for file in &self.cloudformation_parameter_files {
            let path = directory.join(file);
            let text = bounded::read_text(&path, bounded::MAX_CONFIG_BYTES, "parameter file")?;
            let values = parameter_values(&text)
                .map_err(|message| format!("{}: {message}", path.display()))?;
            from_files.retain(|(name, _)| !values.iter().any(|(n, _)| n == name));
            from_files.extend(values);
        }
        from_files.retain(|(name, _)| {
            !self
                .cloudformation_parameters
                .iter()
                .any(|(written, _)| written == name)
        });
        from_files.append(&mut self.cloudformation_parameters);
        self.cloudformation_parameters = from_files;
        Ok(())
    }

    /// Parses and checks a configuration's text. Every error names its place: the parser's
    /// own (unknown keys, wrong types) do, and a wrong value (an unknown rule, an invalid
    /// pattern or date) is found again in the text by its key and the value it quotes.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<Config, String> {
        Config::parse_values(text, catalog).map_err(|message| {
            // One line: the parser's own errors repeat their place as a drawing below it, and
            // others (a regular expression's) span lines that say it again.
            let message = if message.starts_with("line ") {
                message.lines().next().unwrap_or_default().to_owned()
            } else {
                let lines: Vec<&str> = message.lines().map(str::trim).collect();
                lines.join(" ")
            };
            match place_of(text, &message) {
                Some((line, column)) => format!("line {line} column {column}: {message}"),
                None => message,
            }
        })
    }

    fn parse_values(text: &str, catalog: &Catalog) -> Result<Config, String> {
        let file: File = if text.trim().is_empty() {
            File::default()
        } else {
            serde_saphyr::from_str(text)
                .map_err(|e| e.to_string().trim_start_matches("error: ").to_owned())?
        };
        if let Some(version) = file.version
            && version != 1
        {
            return Err(format!(
                "version {version} is not known (this palisade reads 1)"
            ));
        }
        let rule_ids = |names: &[String], key: &str| -> Result<Vec<String>, String> {
            catalog
                .resolve(names)
                .map_err(|message| format!("{key}: {message}"))
        };
        let mut severity = BTreeMap::new();
        for (name, level) in &file.rules.severity {
            // A policy sets every rule of it; a rule named after it wins.
            for id in rule_ids(std::slice::from_ref(name), "rules.severity")? {
                if catalog.find(name).is_some() || !severity.contains_key(&id) {
                    severity.insert(id, *level);
                }
            }
        }
        let mut path_ignores = Vec::new();
        for (index, ignore) in file.ignore.iter().enumerate() {
            let key = format!("ignore[{index}]");
            if ignore.reason.trim().is_empty() {
                return Err(format!("{key}: a reason is required"));
            }
            if ignore.paths.is_empty() || ignore.rules.is_empty() {
                return Err(format!("{key}: name the `paths` and the `rules` it covers"));
            }
            let mut globs = GlobSetBuilder::new();
            for pattern in &ignore.paths {
                // As for `exclude`: without `/` a name at any depth, with `/` a path from the
                // repository root; `*` stays within a directory, `**` crosses them.
                let full = if pattern.contains('/') {
                    pattern.trim_start_matches('/').to_owned()
                } else {
                    format!("**/{pattern}")
                };
                let glob = GlobBuilder::new(&full)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("{key}.paths: invalid pattern `{pattern}`: {e}"))?;
                globs.add(glob);
            }
            let until =
                match &ignore.until {
                    Some(text) => Some(Date::parse(text).ok_or_else(|| {
                        format!("{key}.until: `{text}` is not a date (YYYY-MM-DD)")
                    })?),
                    None => None,
                };
            path_ignores.push(PathIgnore {
                paths: globs.build().map_err(|e| format!("{key}.paths: {e}"))?,
                rules: rule_ids(&ignore.rules, &format!("{key}.rules"))?,
                reason: ignore.reason.trim().to_owned(),
                until,
            });
        }
        if let Some(fail_on) = &file.fail_on
            && !["critical", "high", "medium", "low", "info", "none"].contains(&fail_on.as_str())
        {
            return Err(format!(
                "fail-on: `{fail_on}` is not one of critical, high, medium, low, info, none"
            ));
        }
        let secret_allowlist = file
            .secrets
            .allowlist
            .iter()
            .map(|pattern| {
                // Like the detectors: bytes, ASCII classes (`\d`, `\w`).
                RegexBuilder::new(pattern)
                    .unicode(false)
                    .build()
                    .map_err(|e| format!("secrets.allowlist: invalid expression `{pattern}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Config {
            path: None,
            select: rule_ids(&file.rules.select, "rules.select")?,
            ignore: rule_ids(&file.rules.ignore, "rules.ignore")?,
            severity,
            exclude: file.exclude,
            path_ignores,
            fail_on: file.fail_on,
            fail_on_diagnostics: file.fail_on_diagnostics,
            min_severity: file.min_severity,
            secret_allowlist,
            test_secrets: file.secrets.test_secrets,
            database_ports: file.database_ports.into_iter().collect(),
            tag_pinned_owners: file.github_actions.tag_pinned_owners,
            cloudformation_parameters: file
                .cloudformation
                .parameters
                .into_iter()
                .map(|(name, value)| (name, value.into_text()))
                .collect(),
            cloudformation_parameter_files: file.cloudformation.parameter_files,
            policies: file.policies,
            helm: crate::helm::HelmOptions {
                entries: std::iter::once(crate::helm::ValuesFor {
                    chart: None,
                    values: file.helm.values,
                    set: file.helm.set,
                })
                .chain(file.helm.charts.into_iter().map(|(directory, chart)| {
                    crate::helm::ValuesFor {
                        chart: Some(directory),
                        values: chart.values,
                        set: chart.set,
                    }
                }))
                .collect(),
            },
        })
    }
}

/// What `palisade init` writes: every setting, commented, with its default.
pub const TEMPLATE: &str = r#"# palisade configuration. Command-line flags win over these settings; lists add up.
# Every key is checked: a misspelt one is an error. Remove the `#` of what you need.
version: 1

# The gate: exit 1 on findings at or above this severity (critical, high, medium, low, info, none).
# fail-on: high

# Also exit 1 when a file could not be checked (invalid, unreadable), as --fail-on-diagnostics.
# fail-on-diagnostics: false

# Report only findings at or above this severity.
# min-severity: info

rules:
  # Run only these rules (ids like DKR001, names like last-user-root, or policies like no-root
  # and hardening: every rule of the policy); empty: all.
  select: []
  # Never run these rules (ids, names or policies).
  ignore: []
  # Another severity for some rules (ids, names or policies; a rule named wins over its policy).
  severity: {}
  #   DKR015: low
  #   unpinned-image: critical
  #   reliability: info

# Paths never scanned: a name at any depth (`vendor`) or a path from the scanned directory
# (`deploy/legacy/**`), as for --exclude.
exclude: []

# Findings of some rules under some paths, suppressed with a reason (and a last day, if any).
# They are reported as suppressed, like `palisade:ignore` comments; use this for files that cannot
# hold comments (JSON) or for whole directories.
ignore: []
#  - paths: ["test/fixtures/**"]
#    rules: [SEC001, SEC002]
#    reason: credentials of the throwaway test database
#    until: 2027-06-30

secrets:
  # Values that are never reported as secrets (regular expressions, matched against the value).
  allowlist: []
  # Secrets in test code and examples: `lower` (one severity lower) or `keep`.
  # test-secrets: lower

# More ports that count as databases for the no-public-db rules (besides 5432, 3306, 6379, …).
database-ports: {}
#  7000: ScyllaDB

# GitHub Actions: owners whose actions may be pinned to a version tag rather than a commit SHA
# (GHA001). GitHub's own by default; [] requires a SHA for every action.
github-actions:
  tag-pinned-owners: [actions, github]

# CloudFormation: values of template parameters, by name, as the stacks are deployed (over the
# parameters' defaults). A parameter without a default or a value here is not judged.
cloudformation:
  parameters: {}
#    SSHLocation: 10.0.0.0/8
  # Files of parameter values, as the AWS tools take them (relative to this file).
  parameter-files: []
#    - deploy/prod-parameters.json

# Your own rules, in Rego: directories (or files) of policies, inside this file's directory.
policies: []
#  - policy

# Values for Helm charts (paths relative to this file), laid over each chart's values.yaml:
# first these for every chart, then a chart directory's own, then --helm-values and --helm-set.
helm:
  values: []
  set: []
  charts: {}
#    charts/web:
#      values: [charts/web/values-prod.yaml]
#      set: ["image.tag=2.4.1"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Catalog::builtin())
    }

    #[test]
    fn the_template_is_a_valid_configuration() {
        let config = parse(TEMPLATE).unwrap();
        assert!(config.select.is_empty() && config.ignore.is_empty());
    }

    #[test]
    fn parameter_files_in_the_forms_of_the_aws_tools() {
        let expected = vec![
            ("Port".to_owned(), "22".to_owned()),
            ("SSHLocation".to_owned(), "10.0.0.0/8".to_owned()),
        ];
        for text in [
            r#"[{"ParameterKey": "Port", "ParameterValue": 22}, {"ParameterKey": "SSHLocation", "ParameterValue": "10.0.0.0/8"}]"#,
            r#"["Port=22", "SSHLocation=10.0.0.0/8"]"#,
            r#"{"Parameters": {"Port": "22", "SSHLocation": "10.0.0.0/8"}}"#,
        ] {
            assert_eq!(parameter_values(text).unwrap(), expected, "{text}");
        }
        assert!(parameter_values("[1]").is_err());
        assert!(parameter_values("{\"Tags\": {}}").is_err());
        assert!(
            parameter_values("not json")
                .unwrap_err()
                .starts_with("invalid JSON")
        );
    }

    #[test]
    fn cloudformation_parameters_are_read_as_text() {
        let config = parse(
            "cloudformation:\n  parameters:\n    SSHLocation: 10.0.0.0/8\n    Port: 2222\n    Public: false\n",
        )
        .unwrap();
        assert_eq!(
            config.cloudformation_parameters,
            [
                ("Port".to_owned(), "2222".to_owned()),
                ("Public".to_owned(), "false".to_owned()),
                ("SSHLocation".to_owned(), "10.0.0.0/8".to_owned()),
            ]
        );
        assert!(parse("cloudformation:\n  parameter: {}\n").is_err());
    }

    #[test]
    fn settings_are_read_and_checked() {
        let config = parse(
            "fail-on: high\nrules:\n  ignore: [missing-healthcheck]\n  severity:\n    DKR003: critical\nignore:\n  - paths: [\"deploy/*.json\"]\n    rules: [TFM001]\n    reason: bastion\n    until: 2030-01-01\nsecrets:\n  allowlist: [\"^AKIAEXAMPLE\"]\n  test-secrets: keep\ndatabase-ports:\n  7000: ScyllaDB\n",
        )
        .unwrap();
        assert_eq!(config.fail_on.as_deref(), Some("high"));
        assert_eq!(config.ignore, ["DKR015"]);
        assert_eq!(config.severity.get("DKR003"), Some(&Severity::Critical));
        let today = Date::parse("2029-12-31").unwrap();
        assert!(config.path_ignores[0].covers("TFM001", "deploy/sg.json", today));
        assert!(!config.path_ignores[0].covers("TFM001", "deploy/x/sg.json", today));
        assert!(!config.path_ignores[0].covers("TFM001", "other/deploy/sg.json", today));
        assert!(!config.path_ignores[0].covers("TFM002", "deploy/sg.json", today));
        assert!(!config.path_ignores[0].covers(
            "TFM001",
            "deploy/sg.json",
            Date::parse("2030-01-02").unwrap()
        ));
        assert!(config.secret_allowlist[0].is_match(b"AKIAEXAMPLE123"));
        assert_eq!(config.test_secrets, Some(TestSecrets::Keep));
        assert_eq!(config.database_ports, [(7000, "ScyllaDB".to_owned())]);
    }

    #[test]
    fn mistakes_are_errors_with_their_place() {
        let cases = [
            (
                "rules:\n  ignroe: [DKR001]\n",
                "line 2 column 3: unknown field `ignroe`",
            ),
            (
                "fail-on: hgih\n",
                "line 1 column 10: fail-on: `hgih` is not one of",
            ),
            (
                "rules:\n  ignore: [DKR001, DKR999]\n",
                "line 2 column 20: rules.ignore: unknown rule or policy `DKR999`",
            ),
            (
                "rules:\n  severity:\n    DKR001: low\n    nope: high\n",
                "line 4 column 5: rules.severity: unknown rule or policy `nope`",
            ),
            (
                "ignore:\n  - paths: [a]\n    rules: [DKR001]\n    reason: \"\"\n",
                "line 2 column 5: ignore[0]: a reason is required",
            ),
            (
                "ignore:\n  - paths: [a]\n    rules: [DKR001]\n    reason: x\n  - paths: [\"[\"]\n    rules: [DKR001]\n    reason: x\n",
                "line 5 column 13: ignore[1].paths: invalid pattern",
            ),
            (
                "ignore:\n  - paths: [a]\n    rules: [DKR001]\n    reason: x\n    until: 2024-13-01\n",
                "line 5 column 12: ignore[0].until",
            ),
            (
                "secrets:\n  allowlist: [\"(\"]\n",
                "line 2 column 15: secrets.allowlist: invalid expression",
            ),
            ("version: 2\n", "version 2 is not known"),
            ("min-severity: loud\n", "line 1"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text:?}: {error}");
        }
    }

    /// Whatever the text and the message, finding an error's place never panics, and a place
    /// found is inside the text.
    #[test]
    fn error_places_are_found_safely_in_any_text() {
        let mut random = crate::testing::Random::new(0x2545_f491_4f6c_dd1d);
        let pieces = [
            "rules", ":", "\n", "  ", "- ", "ignore", "[", "]", "`", "x", "é", "0", ".", "{", "}",
            "\"", ",", "paths", "#",
        ];
        for _ in 0..3_000 {
            let mut pick =
                |count: usize| -> String { (0..count).map(|_| random.pick(&pieces)).collect() };
            let text = pick(30);
            let message = pick(8);
            if let Some((line, column)) = place_of(&text, &message) {
                assert!(line >= 1 && column >= 1);
                assert!(
                    line <= text.lines().count().max(1) + 1,
                    "{text:?} {message:?}"
                );
            }
        }
    }
}
