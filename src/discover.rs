//! Finding the files to scan, and deciding what each one is.
//!
//! Directories are walked with `ignore`'s parallel walker, which honours `.gitignore`, `.ignore`
//! and git's exclude files the way developers expect. Hidden files are scanned (`.env`,
//! `.github/`) but `.git/` never is. Symbolic links are not followed while walking: a link to a
//! file inside the scan root would only report that file twice, and a link out of the root (or a
//! link loop) must not take the scan elsewhere. Files given explicitly on the command line are
//! scanned as given, whatever their name.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use serde::{Deserialize, Serialize};

use crate::finding::{Diagnostic, DiagnosticKind};

/// What a file is by its name, which decides how it is parsed. The rules that apply depend on
/// what its content turns out to be, which the formats that read the kind decide (`checks::format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// `Dockerfile`, `Dockerfile.*`, `Dockerfile_*`, `Dockerfile-*`, `*.Dockerfile` (any case),
    /// and the same with `Containerfile`.
    Dockerfile,
    /// `docker-compose*.y(a)ml`, `compose*.y(a)ml`.
    Compose,
    /// Any other `*.yaml` / `*.yml`: Kubernetes manifests or compose files, by content.
    Yaml,
    /// `*.json`: Kubernetes manifests, by content.
    Json,
    /// `*.tf` and `*.tfvars`.
    Terraform,
    /// `*.tf.json` and `*.tfvars.json`.
    TerraformJson,
    /// Everything else: searched for hardcoded secrets.
    Text,
}

impl FileKind {
    pub const ALL: [FileKind; 7] = [
        FileKind::Dockerfile,
        FileKind::Compose,
        FileKind::Yaml,
        FileKind::Json,
        FileKind::Terraform,
        FileKind::TerraformJson,
        FileKind::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Dockerfile => "dockerfile",
            FileKind::Compose => "compose",
            FileKind::Yaml => "yaml",
            FileKind::Json => "json",
            FileKind::Terraform => "terraform",
            FileKind::TerraformJson => "terraform-json",
            FileKind::Text => "text",
        }
    }
}

/// What a rule checks: a kind of content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    Dockerfile,
    /// Compose files: a top-level `services` mapping.
    Compose,
    /// Kubernetes manifests: documents with `apiVersion` and `kind`.
    Kubernetes,
    Terraform,
    /// GitHub Actions workflows and actions: `jobs` of `runs-on`/`steps`/`uses`, or `runs.using`.
    GithubActions,
    /// GitLab CI pipelines: jobs with `script`, `trigger` or `extends`, or a `stages` list.
    GitlabCi,
    /// CloudFormation and SAM templates: `AWSTemplateFormatVersion`, or `Resources` of AWS types.
    #[serde(rename = "cloudformation")]
    CloudFormation,
    /// Secrets, in every file whatever its kind.
    Secrets,
    /// Palisade's own directives in any file (suppression comments).
    Palisade,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Dockerfile => "dockerfile",
            Target::Compose => "compose",
            Target::Kubernetes => "kubernetes",
            Target::Terraform => "terraform",
            Target::GithubActions => "github-actions",
            Target::GitlabCi => "gitlab-ci",
            Target::CloudFormation => "cloudformation",
            Target::Secrets => "secrets",
            Target::Palisade => "palisade",
        }
    }
}

/// A test on a file name, given as written and lowercased.
type NameTest = fn(&str, &str) -> bool;

/// The file-kind table: the first row whose test matches a file name decides its kind.
const KIND_TABLE: &[(FileKind, NameTest)] = &[
    (FileKind::Dockerfile, |name, lower| {
        let named = |base: &str| {
            name.strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '_', '-']))
        };
        named("Dockerfile")
            || named("Containerfile")
            || lower == "dockerfile"
            || lower == "containerfile"
            || lower.ends_with(".dockerfile")
            || lower.ends_with(".containerfile")
    }),
    (FileKind::Compose, |_, lower| {
        (lower.starts_with("docker-compose") || lower.starts_with("compose"))
            && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
    }),
    (FileKind::TerraformJson, |_, lower| {
        lower.ends_with(".tf.json") || lower.ends_with(".tfvars.json")
    }),
    (FileKind::Terraform, |_, lower| {
        lower.ends_with(".tf") || lower.ends_with(".tfvars")
    }),
    (FileKind::Yaml, |_, lower| {
        lower.ends_with(".yml") || lower.ends_with(".yaml")
    }),
    (FileKind::Json, |_, lower| lower.ends_with(".json")),
];

/// Classifies a file by its name.
pub fn classify(path: &Path) -> FileKind {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return FileKind::Text;
    };
    let lower = name.to_ascii_lowercase();
    KIND_TABLE
        .iter()
        .find(|(_, matches)| matches(name, &lower))
        .map_or(FileKind::Text, |(kind, _)| *kind)
}

/// The kind of a file that its name left as text, by what it contains: a Kubernetes manifest is
/// one whatever its extension (`secret.key`, `deploy.yml.txt`), when its first document starts
/// with `apiVersion:` and `kind:` at the top level (YAML) or it is a JSON object holding both.
/// Prose (Markdown, reStructuredText, AsciiDoc, HTML) is left alone: its examples are not files.
pub fn kind_by_content(path: &Path, text: &str) -> Option<FileKind> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let prose = matches!(
        extension.as_deref(),
        Some("md" | "markdown" | "mdx" | "rst" | "adoc" | "asciidoc" | "html" | "htm")
    );
    if prose {
        return None;
    }
    // A manifest says what it is at its top: only the start of a file is read, so that every
    // text file does not cost a second pass.
    let mut end = text.len().min(16 * 1024);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = text[..end].trim_start_matches('\u{feff}').trim_start();
    // A CloudFormation template, whatever its name (`.template` is common).
    if looks_like_cloudformation(head)
        && (head.contains("\"Resources\"") || head.contains("Resources:"))
    {
        return Some(if head.starts_with('{') {
            FileKind::Json
        } else {
            FileKind::Yaml
        });
    }
    if head.starts_with('{') {
        return (head.contains("\"apiVersion\"") && head.contains("\"kind\""))
            .then_some(FileKind::Json);
    }
    // The top-level keys of the first document, past comments and a leading `---`.
    let keys = head
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .skip_while(|line| *line == "---")
        .take_while(|line| *line != "---")
        .filter(|line| !line.starts_with([' ', '\t', '-']));
    let (mut api_version, mut kind) = (false, false);
    for line in keys {
        api_version |= line.starts_with("apiVersion:");
        kind |= line.starts_with("kind:");
        if api_version && kind {
            return Some(FileKind::Yaml);
        }
    }
    None
}

/// Whether the top of a file holds a CloudFormation template: the format version, or a
/// `Resources` section naming an AWS type.
pub fn looks_like_cloudformation(head: &str) -> bool {
    head.contains("AWSTemplateFormatVersion")
        || (head.contains("Resources") && head.contains("AWS::"))
}

/// A file to scan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// The path as the user will see it.
    pub path: PathBuf,
    /// The path relative to the repository root, with `/` separators (SARIF, fingerprints).
    pub repo_path: String,
    pub kind: FileKind,
}

/// How to walk.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    pub jobs: usize,
    pub respect_ignore_files: bool,
    pub exclude: Vec<String>,
}

/// A problem that stops the scan before it starts.
#[derive(Debug)]
pub enum DiscoverError {
    NoSuchPath(PathBuf),
    BadExclude(String, globset::Error),
}

impl std::fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiscoverError::NoSuchPath(path) => {
                write!(f, "no such file or directory: {}", path.display())
            }
            DiscoverError::BadExclude(glob, error) => {
                write!(f, "invalid --exclude pattern `{glob}`: {error}")
            }
        }
    }
}

impl std::error::Error for DiscoverError {}

/// Everything found under the given paths, sorted by path, plus what was skipped and why.
pub fn discover(
    paths: &[PathBuf],
    options: &WalkOptions,
) -> Result<(Vec<Candidate>, Vec<Diagnostic>), DiscoverError> {
    let excludes = Excludes::new(&options.exclude)?;
    let mut candidates = Vec::new();
    let mut diagnostics = Vec::new();
    for root in paths {
        let metadata =
            std::fs::metadata(root).map_err(|_| DiscoverError::NoSuchPath(root.clone()))?;
        let display_root = clean(root);
        let repo_prefix = repo_prefix(root, metadata.is_dir());
        if metadata.is_dir() {
            walk_dir(
                &display_root,
                &repo_prefix,
                options,
                &excludes,
                &mut candidates,
                &mut diagnostics,
            );
        } else if !metadata.is_file() {
            // Opening a FIFO blocks until someone writes to it; a device may never end.
            diagnostics.push(
                Diagnostic::new(
                    display_root.clone(),
                    DiagnosticKind::Skipped,
                    "skipped: not a regular file (a FIFO, socket or device)",
                )
                .in_repository(join_repo_path(
                    &repo_prefix,
                    &display_root
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                )),
            );
        } else {
            let name = display_root
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            candidates.push(Candidate {
                kind: classify(&display_root),
                repo_path: join_repo_path(&repo_prefix, &name),
                path: display_root,
            });
        }
    }
    candidates.sort();
    candidates.dedup_by(|a, b| a.path == b.path);
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((candidates, diagnostics))
}

/// The kustomizations of the repositories that `named` files (files given by path, as a
/// pre-commit hook gives the files of a commit) are in: an overlay that reads one of them is
/// built to judge it, though the overlay's kustomization was not named. Walked as `discover`
/// walks, ignore files and exclusions respected, and only for a repository where a named file
/// has a kustomization in its directory or above (else no overlay can read it).
pub fn kustomizations_around(
    named: &[Candidate],
    options: &WalkOptions,
) -> Result<Vec<Candidate>, DiscoverError> {
    let excludes = Excludes::new(&options.exclude)?;
    let mut roots = std::collections::BTreeSet::new();
    for candidate in named {
        let mut root = candidate.path.clone();
        for _ in 0..candidate.repo_path.split('/').count().max(1) {
            root.pop();
        }
        // Kustomize reads only files in or below a kustomization's directory: a file with no
        // kustomization in its directory or above is read by no overlay, and no walk is needed.
        let directory = candidate.path.parent().unwrap_or(Path::new(""));
        let held = directory
            .ancestors()
            .take_while(|ancestor| ancestor.starts_with(&root))
            .any(|ancestor| {
                crate::formats::kustomize::FILE_NAMES.iter().any(|name| {
                    let path = if ancestor.as_os_str().is_empty() {
                        PathBuf::from(name)
                    } else {
                        ancestor.join(name)
                    };
                    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
                })
            });
        if held {
            roots.insert(root);
        }
    }
    let mut found = Vec::new();
    for root in roots {
        let walked = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        let (mut all, mut ignored) = (Vec::new(), Vec::new());
        walk_dir(&walked, "", options, &excludes, &mut all, &mut ignored);
        found.extend(all.into_iter().filter(|candidate| {
            candidate.path.file_name().is_some_and(|name| {
                crate::formats::kustomize::FILE_NAMES
                    .iter()
                    .any(|known| name == *known)
            })
        }));
    }
    found.sort();
    Ok(found)
}

fn walk_dir(
    root: &Path,
    repo_prefix: &str,
    options: &WalkOptions,
    excludes: &Excludes,
    candidates: &mut Vec<Candidate>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let respect = options.respect_ignore_files;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(false)
        .git_ignore(respect)
        .git_global(respect)
        .git_exclude(respect)
        .ignore(respect)
        .parents(respect)
        .require_git(false)
        .threads(options.jobs.max(1));
    let root_owned = root.to_path_buf();
    let excludes_for_filter = excludes.clone();
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 {
            return true;
        }
        if entry.file_type().is_some_and(|t| t.is_dir()) && entry.file_name() == ".git" {
            return false;
        }
        let relative = entry
            .path()
            .strip_prefix(&root_owned)
            .unwrap_or(entry.path());
        !excludes_for_filter.is_excluded(relative)
    });

    let found = Mutex::new((Vec::new(), Vec::new()));
    builder.build_parallel().run(|| {
        Box::new(|result| {
            let outcome = match result {
                Err(error) => Err(walk_error_diagnostic(root, &error)),
                Ok(entry) => {
                    let Some(file_type) = entry.file_type() else {
                        return WalkState::Continue;
                    };
                    let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    let repo_path = join_repo_path(repo_prefix, &slash_path(relative));
                    if entry.path_is_symlink() {
                        Err(Diagnostic::new(
                            clean(entry.path()),
                            DiagnosticKind::Skipped,
                            "symbolic link not followed; its target is scanned where it lives if it is inside the scan root",
                        )
                        .in_repository(repo_path))
                    } else if file_type.is_file() {
                        Ok(Candidate {
                            kind: classify(entry.path()),
                            repo_path,
                            path: clean(entry.path()),
                        })
                    } else {
                        return WalkState::Continue;
                    }
                }
            };
            if let Ok(mut found) = found.lock() {
                match outcome {
                    Ok(candidate) => found.0.push(candidate),
                    Err(diagnostic) => found.1.push(diagnostic),
                }
            }
            WalkState::Continue
        })
    });
    let (mut found_candidates, mut found_diagnostics) = found
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    candidates.append(&mut found_candidates);
    diagnostics.append(&mut found_diagnostics);
}

fn walk_error_diagnostic(root: &Path, error: &ignore::Error) -> Diagnostic {
    let path = error_path(error).unwrap_or(root).to_path_buf();
    Diagnostic::new(
        path,
        DiagnosticKind::IoError,
        format!("could not be read: {}", error_message(error)),
    )
}

fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn error_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        other => other.to_string(),
    }
}

/// Exclusion globs. A pattern without `/` matches a file or directory name at any depth (like
/// `.gitignore`); a pattern with `/` matches the path relative to the scanned directory.
#[derive(Clone, Debug)]
struct Excludes {
    by_name: GlobSet,
    by_path: GlobSet,
}

impl Excludes {
    fn new(patterns: &[String]) -> Result<Self, DiscoverError> {
        let mut by_name = GlobSetBuilder::new();
        let mut by_path = GlobSetBuilder::new();
        for pattern in patterns {
            let trimmed = pattern.trim_end_matches('/');
            let bad = |error| DiscoverError::BadExclude(pattern.clone(), error);
            if trimmed.contains('/') {
                let trimmed = trimmed.trim_start_matches("./").trim_start_matches('/');
                by_path.add(
                    GlobBuilder::new(trimmed)
                        .literal_separator(true)
                        .build()
                        .map_err(bad)?,
                );
            } else {
                by_name.add(Glob::new(trimmed).map_err(bad)?);
            }
        }
        let build = |builder: GlobSetBuilder| {
            builder
                .build()
                .map_err(|error| DiscoverError::BadExclude(patterns.join(" "), error))
        };
        Ok(Self {
            by_name: build(by_name)?,
            by_path: build(by_path)?,
        })
    }

    fn is_excluded(&self, relative: &Path) -> bool {
        relative
            .file_name()
            .is_some_and(|name| self.by_name.is_match(name))
            || self.by_path.is_match(relative)
    }
}

/// `./a/b` → `a/b`; `.` stays `.`.
fn clean(path: &Path) -> PathBuf {
    let stripped = path.strip_prefix(".").unwrap_or(path);
    if stripped.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        stripped.to_path_buf()
    }
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn join_repo_path(prefix: &str, relative: &str) -> String {
    if prefix.is_empty() {
        relative.to_owned()
    } else {
        format!("{prefix}/{relative}")
    }
}

/// Where a scan root (a directory, or the directory of a file) lies relative to its repository
/// root: the nearest ancestor holding `.git`, or the scan root itself outside a repository.
fn repo_prefix(root: &Path, is_dir: bool) -> String {
    let Ok(canonical) = root.canonicalize() else {
        return String::new();
    };
    let dir = if is_dir {
        canonical.as_path()
    } else {
        canonical.parent().unwrap_or(&canonical)
    };
    dir.ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
        .and_then(|repo| dir.strip_prefix(repo).ok())
        .map(slash_path)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_by_content_whatever_their_name() {
        let secret =
            "# saved from kubectl\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n";
        assert_eq!(
            kind_by_content(Path::new("creds.key"), secret),
            Some(FileKind::Yaml)
        );
        let json = "{\"apiVersion\": \"v1\", \"kind\": \"Secret\"}";
        assert_eq!(
            kind_by_content(Path::new("secret.txt"), json),
            Some(FileKind::Json)
        );
        // Prose with an example, nested keys, and plain text are not manifests.
        assert_eq!(kind_by_content(Path::new("README.md"), secret), None);
        assert_eq!(
            kind_by_content(
                Path::new("stack.template"),
                "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
            ),
            Some(FileKind::Yaml)
        );
        assert_eq!(
            kind_by_content(
                Path::new("stack.template"),
                "{\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}"
            ),
            Some(FileKind::Json)
        );
        assert_eq!(
            kind_by_content(Path::new("a.txt"), "spec:\n  apiVersion: v1\n  kind: Pod\n"),
            None
        );
        assert_eq!(
            kind_by_content(Path::new("notes"), "apiVersion is a field\n"),
            None
        );
    }

    #[test]
    fn classifies_by_name() {
        let cases = [
            ("Dockerfile", FileKind::Dockerfile),
            ("Dockerfile.prod", FileKind::Dockerfile),
            ("api.Dockerfile", FileKind::Dockerfile),
            ("api.dockerfile", FileKind::Dockerfile),
            ("Containerfile", FileKind::Dockerfile),
            ("Containerfile.dev", FileKind::Dockerfile),
            ("Dockerfile_prod", FileKind::Dockerfile),
            ("Dockerfile-alpine", FileKind::Dockerfile),
            ("dockerfile", FileKind::Dockerfile),
            ("web.containerfile", FileKind::Dockerfile),
            ("dockerfile.txt", FileKind::Text),
            ("docker-compose.yml", FileKind::Compose),
            ("docker-compose.override.yaml", FileKind::Compose),
            ("compose.yaml", FileKind::Compose),
            ("deployment.yaml", FileKind::Yaml),
            ("deployment.json", FileKind::Json),
            ("main.tf", FileKind::Terraform),
            ("prod.tfvars", FileKind::Terraform),
            ("main.tf.json", FileKind::TerraformJson),
            (".env", FileKind::Text),
            ("app.py", FileKind::Text),
        ];
        for (name, kind) in cases {
            assert_eq!(
                classify(Path::new("dir").join(name).as_path()),
                kind,
                "{name}"
            );
        }
    }

    #[test]
    fn excludes_match_names_anywhere_and_paths_from_the_root() {
        let excludes = Excludes::new(&["vendor".into(), "docs/**".into(), "*.bak".into()]).unwrap();
        assert!(excludes.is_excluded(Path::new("a/vendor")));
        assert!(excludes.is_excluded(Path::new("docs/x/Dockerfile")));
        assert!(excludes.is_excluded(Path::new("x/Dockerfile.bak")));
        assert!(!excludes.is_excluded(Path::new("a/docs/Dockerfile")));
        assert!(!excludes.is_excluded(Path::new("app/Dockerfile")));
    }
}
