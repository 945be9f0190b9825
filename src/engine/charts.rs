//! Helm charts: a chart directory is one unit of work. Its templates are rendered in-process
//! (`crate::helm`), every Kubernetes rule runs on each rendered template, and each hit is
//! mapped back to the template line that wrote it, with the values-file line that supplied the
//! value as a related location. A template that cannot be rendered is a diagnostic naming the
//! place and the cause; every file of the chart is still searched for secrets.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::checks::format::{Format, Input};
use crate::checks::{self, Hit};
use crate::discover::{Candidate, FileKind};
use crate::finding::{Diagnostic, DiagnosticKind, Related};
use crate::helm::{self, chart};
use crate::memory::Content;
use crate::source::{SourceFile, position_in};

use super::Context;
use super::check::FileOutcome;
use super::read::{Files, Neighbours, place};

/// The chart a file belongs to, when it is one of its templates: the top chart directory (a
/// subchart vendored under `charts/` belongs to its parent's render). Whether a directory
/// holds a `Chart.yaml` is asked once per directory.
pub(super) struct ChartRoots<'f> {
    files: Files<'f>,
    known: HashMap<PathBuf, bool>,
}

impl<'f> ChartRoots<'f> {
    pub(super) fn new(files: Files<'f>) -> ChartRoots<'f> {
        ChartRoots {
            files,
            known: HashMap::new(),
        }
    }

    fn is_chart(&mut self, directory: &Path) -> bool {
        if let Some(&known) = self.known.get(directory) {
            return known;
        }
        let chart_yaml = directory.join("Chart.yaml");
        let found = match self.files {
            Files::Disk => std::fs::symlink_metadata(&chart_yaml).is_ok_and(|m| m.is_file()),
            Files::Memory(held) => held.contents.contains_key(&chart_yaml),
        };
        self.known.insert(directory.to_path_buf(), found);
        found
    }

    /// The top chart directory of a template file or of a chart's `Chart.yaml` (where
    /// findings in templates of archived subcharts are reported).
    pub(super) fn chart_of(&mut self, path: &Path) -> Option<PathBuf> {
        // Most files are neither: decided by name, without asking the file system.
        let named_chart = path.file_name().is_some_and(|name| name == "Chart.yaml");
        let in_templates = path
            .components()
            .any(|part| part.as_os_str() == "templates");
        if !named_chart && !in_templates && path.parent().is_some_and(|p| !p.as_os_str().is_empty())
        {
            return None;
        }
        let path = &normal(self.files, path);
        let mut root = None;
        if path.file_name().is_some_and(|name| name == "Chart.yaml") {
            root = path.parent().map(Path::to_path_buf);
        }
        // Otherwise only files under a `templates` directory are templates.
        let mut ancestor = path.parent().filter(|_| root.is_none());
        while let Some(directory) = ancestor {
            if directory
                .file_name()
                .is_some_and(|name| name == "templates")
                && let Some(chart) = directory.parent()
                && self.is_chart(chart)
            {
                root = Some(chart.to_path_buf());
                break;
            }
            ancestor = directory.parent();
        }
        let mut root = root?;
        // Up through `charts/` directories of parent charts.
        loop {
            let parent = root
                .parent()
                .filter(|p| p.file_name().is_some_and(|n| n == "charts"));
            match parent.and_then(Path::parent) {
                Some(upper) if self.is_chart(upper) => root = upper.to_path_buf(),
                _ => break,
            }
        }
        Some(root)
    }
}

/// The files of a chart directory, from disk or memory.
fn chart_files(files: Files<'_>, root: &Path, max_file_size: u64) -> Vec<chart::ChartFile> {
    match files {
        Files::Disk => helm::files_on_disk(root, max_file_size),
        Files::Memory(held) => held
            .contents
            .range(root.to_path_buf()..)
            .take_while(|(path, _)| path.starts_with(root))
            .filter_map(|(path, content)| match content {
                Content::Bytes(bytes) => Some(chart::ChartFile {
                    path: path
                        .strip_prefix(root)
                        .ok()?
                        .to_string_lossy()
                        .replace('\\', "/"),
                    bytes: bytes.clone(),
                }),
                Content::TooLarge(_) => None,
            })
            .collect(),
    }
}

/// Finds a dependency that is not vendored in the repository: at its `file://` path, or in a
/// sibling directory of its name (monorepos of charts keep their library chart beside the
/// others). Never outside `repository`, and only a directory with a `Chart.yaml`.
fn resolver<'a>(
    root: &'a Path,
    repository: PathBuf,
    read: &'a dyn Fn(&Path) -> Vec<chart::ChartFile>,
    exists: &'a dyn Fn(&Path) -> bool,
) -> impl Fn(&str, &str) -> Option<(String, Vec<chart::ChartFile>)> + 'a {
    move |name: &str, source: &str| {
        let relative = match source.strip_prefix("file://") {
            Some(path) => path.trim_end_matches('/').to_owned(),
            None => format!("../{name}"),
        };
        let directory = lexical(&root.join(&relative))?;
        if !directory.starts_with(&repository) || directory == lexical(root)? {
            return None;
        }
        if !exists(&directory.join("Chart.yaml")) {
            return None;
        }
        Some((relative, read(&directory)))
    }
}

/// A path in the one form charts are compared in: absolute for files on disk (a file may be
/// named from inside its chart, `deployment.yaml` in `templates/`), as shown for files in
/// memory; `.` and `..` resolved by their names.
fn normal(files: Files<'_>, path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() && matches!(files, Files::Disk) {
        Path::new(".")
    } else {
        path
    };
    let path = match files {
        Files::Disk => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        Files::Memory(_) => path.to_path_buf(),
    };
    lexical(&path).unwrap_or(path)
}

/// A path with `.` and `..` resolved by their names (no link is followed); `None` when it
/// climbs above its start.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// The repository a chart is in (in [`normal`] form): above one of its files, or, for a chart
/// named alone, the nearest directory with `.git` above it (else its parent).
fn repository_of(files: Files<'_>, root: &Path, candidate: Option<&Candidate>) -> PathBuf {
    if let Some((repository, _)) = candidate.and_then(place) {
        return normal(files, &repository);
    }
    let found = root.ancestors().find(|a| a.join(".git").exists());
    found
        .or_else(|| root.parent())
        .unwrap_or(root)
        .to_path_buf()
}

/// The user's values for a chart: files read within the size limit; a file that cannot be
/// read is a problem of the render.
fn overrides(
    root: &Path,
    options: &crate::helm::HelmOptions,
    max_file_size: u64,
    problems: &mut Vec<String>,
) -> chart::Overrides {
    let (values, set) = options.for_chart(root);
    let mut overrides = chart::Overrides {
        values: Vec::new(),
        set,
    };
    for path in values {
        match crate::bounded::read_text(&path, max_file_size, "values file") {
            Ok(text) => overrides.values.push((path.display().to_string(), text)),
            Err(error) => problems.push(error),
        }
    }
    overrides
}

/// Renders the chart at `root` (in [`normal`] form) from `files` with the user's values, its
/// dependencies looked for in `repository`: the render, and every problem of it (values files
/// that cannot be read included).
fn render_at(
    files: Files<'_>,
    root: &Path,
    repository: PathBuf,
    options: &crate::helm::HelmOptions,
    max_file_size: u64,
) -> (chart::Render, Vec<String>) {
    let mut problems = Vec::new();
    let overrides = overrides(root, options, max_file_size, &mut problems);
    let read = |directory: &Path| chart_files(files, directory, max_file_size);
    let exists = |path: &Path| match files {
        Files::Disk => super::read::regular_file_within(&repository, path),
        Files::Memory(held) => held.contents.contains_key(path),
    };
    let resolve = resolver(root, repository.clone(), &read, &exists);
    let render = chart::render(
        chart_files(files, root, max_file_size),
        &overrides,
        &resolve,
    );
    problems.extend(render.problems.iter().cloned());
    (render, problems)
}

/// What `palisade render` prints: the rendered templates, and what went wrong.
pub struct RenderedChart {
    pub manifests: String,
    pub problems: Vec<String>,
}

/// Renders the chart at `root` with the values `options` give it.
pub fn render_chart(
    root: &Path,
    options: &crate::helm::HelmOptions,
    max_file_size: u64,
) -> RenderedChart {
    let root = normal(Files::Disk, root);
    let repository = repository_of(Files::Disk, &root, None);
    let (render, mut problems) = render_at(Files::Disk, &root, repository, options, max_file_size);
    let mut manifests = String::new();
    for rendered in &render.rendered {
        let text = rendered.output.text.trim();
        if text.is_empty() {
            continue;
        }
        let source = &render.templates[rendered.template];
        manifests.push_str("---\n# Source: ");
        if let Some(archive) = &source.archive {
            manifests.push_str(archive);
            manifests.push('!');
        }
        manifests.push_str(&source.path);
        manifests.push('\n');
        manifests.push_str(text);
        manifests.push('\n');
    }
    for failure in &render.failures {
        problems.push(describe_failure(&render, failure));
    }
    RenderedChart {
        manifests,
        problems,
    }
}

/// Builds the kustomization in `directory` (what `palisade render` prints for an overlay):
/// files are read inside the repository the directory is in, never through a symbolic link,
/// within `max_file_size`.
pub fn render_overlay(directory: &Path, max_file_size: u64) -> RenderedChart {
    let top = normal(Files::Disk, directory);
    let repository = repository_of(Files::Disk, &top, None);
    let read = |relative: &str| -> Option<String> {
        let path = lexical(&top.join(relative))?;
        if !super::read::regular_file_within(&repository, &path)
            || std::fs::metadata(&path).ok()?.len() > max_file_size
        {
            return None;
        }
        std::fs::read_to_string(&path).ok()
    };
    let build = crate::kustomize::build(&read);
    RenderedChart {
        manifests: crate::kustomize::to_yaml(&build),
        problems: build.problems,
    }
}

/// `templates/x.yaml:12: required: …`, naming the template where rendering stopped.
fn describe_failure(render: &chart::Render, failure: &chart::Failure) -> String {
    let source = &render.templates[failure.source];
    let line = position_in(&source.text, failure.offset).line;
    let advice = if failure.refused {
        " (give the value with --helm-set or --helm-values)"
    } else {
        ""
    };
    format!("{}:{line}: {}{advice}", source.path, failure.message)
}

/// Checks the chart at `root`; `candidates` are its files to report on.
pub(super) fn scan_chart(
    root: &Path,
    candidates: &[&Candidate],
    context: &Context<'_>,
) -> Vec<FileOutcome> {
    let repository = repository_of(context.files, root, candidates.first().copied());
    let (render, problems) = render_at(
        context.files,
        root,
        repository,
        &context.options.helm,
        context.max_file_size,
    );
    let chart_repo_path = candidates
        .first()
        .and_then(|candidate| chart_repo_path(context.files, root, candidate))
        .unwrap_or_default();
    let by_path: HashMap<PathBuf, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (normal(context.files, &c.path), i))
        .collect();
    // Each template's candidate, when it is one; a template of an archived subchart is
    // reported on the chart's `Chart.yaml`.
    let chart_yaml = lexical(&root.join("Chart.yaml")).and_then(|path| by_path.get(&path).copied());
    let candidate_of = |template: &chart::Source| -> Option<usize> {
        if template.archive.is_some() {
            return chart_yaml;
        }
        by_path.get(&lexical(&root.join(&template.path))?).copied()
    };
    let mut hits: Vec<Vec<Hit>> = vec![Vec::new(); candidates.len()];
    let mut failures: Vec<Option<Diagnostic>> = vec![None; candidates.len()];
    let kubernetes = &checks::kubernetes::FORMAT;
    let wants = context.targets.contains(&kubernetes.target());
    // The network policies the chart renders are deployed with its workloads.
    let chart_policies: super::NetworkPolicies = render
        .rendered
        .iter()
        .filter(|rendered| wants && rendered.output.text.contains("NetworkPolicy"))
        .filter_map(|rendered| crate::formats::yaml::Yaml::parse(&rendered.output.text).ok())
        .flat_map(|yaml| crate::formats::network_policies::policies(&yaml))
        .collect();
    for rendered in render.rendered.iter().filter(|_| wants) {
        let template = &render.templates[rendered.template];
        let Some(own) = candidate_of(template) else {
            continue;
        };
        let neighbours = Neighbours {
            candidate: candidates[own],
            context,
            rendered_policies: Some(chart_policies.clone()),
        };
        let text = &rendered.output.text;
        let input = Input::new(
            FileKind::Yaml,
            text,
            context.checks,
            &context.settings,
            &neighbours,
        )
        .rendered();
        let mut found = Vec::new();
        if let Err(failure) = kubernetes.check(&input, &mut found) {
            let mut diagnostic = Diagnostic::new(
                candidates[own].path.clone(),
                DiagnosticKind::ParseError,
                format!(
                    "not checked: the template renders to invalid YAML: {}",
                    failure.message
                ),
            )
            .in_repository(&candidates[own].repo_path);
            diagnostic.position = failure.position.and_then(|position| {
                let offset = SourceFile::new(PathBuf::new(), text.clone()).offset(position);
                let located = helm::locate(&rendered.output, offset..offset)?;
                (located.template == rendered.template)
                    .then(|| position_in(&template.text, located.span.start))
            });
            failures[own] = Some(diagnostic);
            continue;
        }
        let mut seen = BTreeSet::new();
        for hit in found {
            let Some(mut located) = helm::locate(&rendered.output, hit.span.clone()) else {
                continue;
            };
            // Written by a named template of a file not reported on (a library chart's): the
            // call that wrote it.
            if candidate_of(&render.templates[located.template]).is_none()
                && let Some((file, span)) = located.call.clone()
            {
                located.template = file;
                located.span = span;
                located.from_action = true;
            }
            let target = &render.templates[located.template];
            let Some(index) = candidate_of(target) else {
                continue;
            };
            let mut hit = hit;
            if let Some(archive) = &target.archive {
                // Not a file of the repository: said in the message, at the top of Chart.yaml.
                let line = position_in(&target.text, located.span.start).line;
                hit.message = format!(
                    "{} (in {archive}: {}, line {line})",
                    hit.message, target.path
                );
                located.span = 0..0;
                hit.secret = None;
            }
            if !seen.insert((
                located.template,
                located.span.start,
                hit.rule_id,
                hit.message.clone(),
            )) {
                continue;
            }
            let mut mapped = hit.clone();
            mapped.span = located.span.clone();
            // A secret is judged where it is written: a template's own text. One an action
            // writes comes from a values file (searched for secrets as it is) or is computed
            // when the chart is installed (`randAlphaNum`, `genCA`): not committed here.
            if let Some(secret) = &hit.secret {
                match helm::locate(&rendered.output, secret.clone()) {
                    Some(at) if !at.from_action && at.template == located.template => {
                        mapped.secret = Some(at.span);
                    }
                    _ => continue,
                }
            }
            // A value from a values file: the value's line too.
            let values = helm::values_within(&rendered.output, hit.span.clone());
            if !values.is_empty() {
                let start = hit.span.start.min(text.len());
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                let line = &text[line_start..line_end];
                let offending = text
                    .get(hit.span.clone())
                    .filter(|t| !t.is_empty())
                    .unwrap_or(line);
                if let Some(origin) = helm::value_behind(&values, offending, line) {
                    let source = &render.values[origin.source as usize];
                    if let Some(related) =
                        value_location(source, origin.offset as usize, &chart_repo_path)
                    {
                        mapped.related.push(related);
                    }
                }
            }
            mapped.rendered_from = Some(chart_repo_path.clone());
            hits[index].push(mapped);
        }
    }
    for failure in &render.failures {
        let template = &render.templates[failure.template];
        let Some(own) = candidate_of(template) else {
            continue;
        };
        let mut diagnostic = Diagnostic::new(
            candidates[own].path.clone(),
            DiagnosticKind::ParseError,
            format!(
                "not checked: the chart could not render it: {}",
                describe_failure(&render, failure)
            ),
        )
        .in_repository(&candidates[own].repo_path);
        if failure.source == failure.template {
            diagnostic.position = Some(position_in(&template.text, failure.offset));
        }
        failures[own] = Some(diagnostic);
    }
    // What kept the chart from rendering whole, said once, on its first file.
    if !problems.is_empty() && !candidates.is_empty() {
        let first = candidates[0];
        let message = format!(
            "chart {}: {}",
            display_chart(&chart_repo_path),
            problems.join("; ")
        );
        if failures[0].is_none() {
            failures[0] = Some(
                Diagnostic::new(first.path.clone(), DiagnosticKind::Skipped, message)
                    .in_repository(&first.repo_path),
            );
        }
    }
    let mut outcomes = Vec::new();
    for (index, candidate) in candidates.iter().enumerate() {
        let text = match context.files.read_text(candidate, context.max_file_size) {
            Ok(text) => text,
            Err((kind, message)) => {
                let diagnostic = Diagnostic::new(candidate.path.clone(), kind, message)
                    .in_repository(&candidate.repo_path);
                outcomes.push(match kind {
                    DiagnosticKind::ParseError => FileOutcome::Unparsed(diagnostic, Vec::new()),
                    _ => FileOutcome::Skipped(diagnostic, Vec::new()),
                });
                continue;
            }
        };
        let mut own = std::mem::take(&mut hits[index]);
        // Every hit at a place in the file's text.
        own.retain(|hit| hit.span.end <= text.len());
        let secrets = context.secret_hits(candidate, &text, &own);
        own.extend(secrets);
        let source = SourceFile::new(candidate.path.clone(), text);
        let findings = context.findings(candidate, &source, own);
        outcomes.push(match failures[index].take() {
            Some(diagnostic) if diagnostic.kind == DiagnosticKind::Skipped => {
                FileOutcome::CheckedWith(diagnostic, findings)
            }
            Some(diagnostic) => FileOutcome::Unparsed(diagnostic, findings),
            None => FileOutcome::Checked(findings),
        });
    }
    outcomes
}

fn display_chart(repo_path: &str) -> &str {
    if repo_path.is_empty() { "." } else { repo_path }
}

/// The chart directory's path in the repository, from one of its files.
fn chart_repo_path(files: Files<'_>, root: &Path, candidate: &Candidate) -> Option<String> {
    let (repository, _) = place(candidate)?;
    let relative = root.strip_prefix(normal(files, &repository)).ok()?;
    Some(relative.to_string_lossy().replace('\\', "/"))
}

/// The related location of a value: its line and column in the values file.
fn value_location(source: &chart::Source, offset: usize, chart_repo_path: &str) -> Option<Related> {
    let position = position_in(&source.text, offset);
    let repo_path = match &source.archive {
        Some(archive) => format!("{}!{}", join(chart_repo_path, archive), source.path),
        None if source.in_chart => join(chart_repo_path, &source.path),
        // The user's values file, as named.
        None => source.path.clone(),
    };
    Some(Related {
        repo_path,
        line: position.line,
        column: position.column,
        message: "the value comes from here".to_owned(),
    })
}

fn join(directory: &str, path: &str) -> String {
    if directory.is_empty() {
        path.to_owned()
    } else {
        format!("{directory}/{path}")
    }
}
