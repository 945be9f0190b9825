//! Kustomize overlays: what each one deploys is judged as a whole. Every entry point of a
//! repository (a kustomization that no other one uses as a resource or component) is built
//! in-process (`crate::kustomize`) before the files are checked, every Kubernetes rule runs on
//! the build, and each hit is mapped back to the file and line that set the offending value
//! last: the base manifest, the patch, or the kustomization's own `images`, `namespace` or
//! generator entry. A file that some overlay reads is then judged through its overlays only,
//! with each hit naming the overlay it belongs to; a base shared by several overlays gets one
//! finding for what they all deploy, and none for what each of them fixes.
//!
//! A patch that matches nothing in a build (its target lives in a remote base, say) cannot be
//! judged there, so its file is also judged on its own, as a part of a resource.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::checks::Hit;
use crate::checks::format::Input;
use crate::discover::{Candidate, FileKind};
use crate::formats::kustomize::{self, Kustomization};
use crate::links;

use super::Context;
use super::read::{Files, Neighbours, place};

/// What the overlays of one repository deploy, judged.
#[derive(Default)]
pub(super) struct Overlays {
    /// Per file (its repository path) that some overlay reads: the hits that land in it.
    files: HashMap<String, Vec<Hit>>,
    /// Files holding a patch that changed nothing in some overlay.
    unmatched: HashSet<String>,
    /// Per entry kustomization (its repository path): what kept its build from being whole.
    problems: HashMap<String, Vec<String>>,
}

impl Overlays {
    /// How the file at `repo_path` is judged, and the hits of the overlays that land in it.
    pub(super) fn of(&self, repo_path: &str) -> (links::Overlaid, &[Hit]) {
        match self.files.get(repo_path) {
            None => (links::Overlaid::No, &[]),
            Some(hits) if self.unmatched.contains(repo_path) => {
                (links::Overlaid::AlsoAlone, hits.as_slice())
            }
            Some(hits) => (links::Overlaid::Built, hits.as_slice()),
        }
    }

    /// What kept the overlay whose kustomization is at `repo_path` from building whole.
    pub(super) fn problems(&self, repo_path: &str) -> &[String] {
        self.problems.get(repo_path).map_or(&[], Vec::as_slice)
    }
}

/// One overlay to build: its repository root, what it reads, and its kustomization file.
struct Entry<'c> {
    root: PathBuf,
    overlay: kustomize::Overlay,
    kustomization: &'c Candidate,
}

/// Source text the overlays of one scan read at most, all builds together: a repository of
/// thousands of overlays over large bases costs a known amount. Past it, an overlay is not
/// built: its patches are judged on their own, as parts of resources, and its bases as they are.
const MAX_BYTES_BUILT: usize = 64 << 20;

/// Builds and judges, per repository root, every overlay whose kustomization is among
/// `candidates` or (files on disk, named one by one) that reads one of them. The kustomizations of `related` are read for what
/// they say (which overlays there are, and what they read), not reported on.
pub(super) fn judge(
    candidates: &[Candidate],
    related: &[Candidate],
    context: &Context<'_>,
) -> HashMap<PathBuf, Overlays> {
    // Per root: each kustomization by repository path, with its file and whether it is
    // reported on (a staged file read from the index as well is reported on).
    type Known<'k> = BTreeMap<String, (&'k Candidate, bool, Kustomization)>;
    let mut by_root: HashMap<PathBuf, Known> = HashMap::new();
    let all = candidates
        .iter()
        .map(|c| (c, true))
        .chain(related.iter().map(|c| (c, false)));
    for (candidate, reported) in all {
        let named = candidate
            .path
            .file_name()
            .is_some_and(|name| kustomize::FILE_NAMES.iter().any(|n| name == *n));
        if !named {
            continue;
        }
        let Some((root, repo_path)) = place(candidate) else {
            continue;
        };
        let known = by_root.entry(root).or_default();
        if known.contains_key(&repo_path) {
            continue;
        }
        let Ok(text) = context.files.read_text(candidate, context.max_file_size) else {
            continue;
        };
        if let Some(kustomization) = Kustomization::parse(&text) {
            known.insert(repo_path, (candidate, reported, kustomization));
        }
    }
    // The files reported on: an overlay that reads one is built, named or not.
    let places: Vec<(PathBuf, String)> = candidates.iter().filter_map(place).collect();
    let named: HashSet<(&Path, &str)> = places
        .iter()
        .map(|(root, path)| (root.as_path(), path.as_str()))
        .collect();
    let mut entries = Vec::new();
    for (root, known) in &by_root {
        let listed: Vec<(String, Kustomization)> = known
            .iter()
            .map(|(path, (_, _, kustomization))| (path.clone(), kustomization.clone()))
            .collect();
        for overlay in kustomize::overlays(&listed) {
            let Some(&(candidate, reported, _)) = known.get(&overlay.kustomization) else {
                continue;
            };
            // Staged scans name the overlays to build themselves: those that read a change.
            let reads_reported = || {
                matches!(context.files, Files::Disk)
                    && overlay
                        .files()
                        .any(|file| named.contains(&(root.as_path(), file.as_str())))
            };
            if reported || reads_reported() {
                entries.push(Entry {
                    root: root.clone(),
                    overlay,
                    kustomization: candidate,
                });
            }
        }
    }
    entries.sort_by(|a, b| (&a.root, &a.overlay.directory).cmp(&(&b.root, &b.overlay.directory)));
    let budget = AtomicUsize::new(MAX_BYTES_BUILT);
    let judged: Vec<Judged> = entries
        .par_iter()
        .with_max_len(1)
        .map(|entry| judge_entry(entry, context, &budget))
        .collect();
    let mut overlays: HashMap<PathBuf, Overlays> = HashMap::new();
    // Per root, file, rule and place: the overlay whose findings are said there. Overlays over
    // one base find the same problem at the same line, each naming the resource its own way
    // (`o1-web`, `o2-web`): said once, by the first overlay in order that finds it.
    type Place = (PathBuf, String, &'static str, usize, usize);
    let mut said_by: HashMap<Place, usize> = HashMap::new();
    for (index, (entry, judged)) in entries.iter().zip(judged).enumerate() {
        let overlays = overlays.entry(entry.root.clone()).or_default();
        for file in judged.read {
            overlays.files.entry(file).or_default();
        }
        for (file, hit) in judged.hits {
            let place = (
                entry.root.clone(),
                file.clone(),
                hit.rule_id,
                hit.span.start,
                hit.span.end,
            );
            if *said_by.entry(place).or_insert(index) == index {
                overlays.files.entry(file).or_default().push(hit);
            }
        }
        overlays.unmatched.extend(judged.unmatched);
        if !judged.problems.is_empty() {
            overlays
                .problems
                .insert(entry.kustomization.repo_path.clone(), judged.problems);
        }
    }
    overlays
}

/// What one overlay's build gave: the files it read, its hits by file, the files holding a
/// patch that matched nothing, and what kept it from being whole.
#[derive(Default)]
struct Judged {
    read: Vec<String>,
    hits: Vec<(String, Hit)>,
    unmatched: Vec<String>,
    problems: Vec<String>,
}

fn judge_entry(entry: &Entry<'_>, context: &Context<'_>, budget: &AtomicUsize) -> Judged {
    let directory = &entry.overlay.directory;
    if budget.load(Ordering::Relaxed) == 0 {
        // Not built: what its patches and kustomizations set is judged where it is written.
        let parts: Vec<String> = entry
            .overlay
            .kustomizations
            .iter()
            .chain(&entry.overlay.inputs)
            .cloned()
            .collect();
        return Judged {
            read: parts.clone(),
            unmatched: parts,
            problems: vec![format!(
                "not built: the overlays of this scan read {} MiB already; its patches are \
                 judged on their own",
                MAX_BYTES_BUILT >> 20
            )],
            ..Judged::default()
        };
    }
    let neighbours = Neighbours {
        candidate: entry.kustomization,
        context,
        rendered_policies: None,
    };
    let repo_path_of = |relative: &str| crate::paths::join_within(directory, relative);
    let read = |relative: &str| -> Option<String> {
        let target = repo_path_of(relative)?;
        neighbours.read_in_repository(&entry.root, &target)
    };
    let build = crate::kustomize::build(&read);
    let size: usize = build.sources.iter().map(|(_, text)| text.len()).sum();
    let _ = budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
        Some(left.saturating_sub(size))
    });
    let written = crate::kustomize::written(&build);
    let mut judged = Judged {
        read: build
            .sources
            .iter()
            .filter_map(|(path, _)| repo_path_of(path))
            .collect(),
        unmatched: build
            .unmatched
            .iter()
            .filter_map(|&source| repo_path_of(&build.sources[source as usize].0))
            .collect(),
        problems: build.problems.clone(),
        ..Judged::default()
    };
    let input = Input::new(
        FileKind::Yaml,
        &written.text,
        context.checks,
        &context.settings,
        &neighbours,
    )
    .rendered();
    let mut found = Vec::new();
    if let Err(failure) = crate::checks::kubernetes::check_built(&input, &mut found) {
        judged
            .problems
            .push(format!("the build is not valid YAML: {}", failure.message));
        return judged;
    }
    let overlay = if directory.is_empty() {
        ".".to_owned()
    } else {
        directory.clone()
    };
    for mut hit in found {
        let Some((source, span)) = written.locate(&build, hit.span.clone()) else {
            continue;
        };
        let Some(file) = repo_path_of(&build.sources[source as usize].0) else {
            continue;
        };
        // A secret is masked where it is written. A value a generator reads from a file is
        // written there, not at the entry that names the file: that file is related instead.
        let whole = build
            .read_whole
            .iter()
            .find(|(entry, _)| entry.source == source && entry.offset as usize == span.start);
        if let Some((_, file)) = whole {
            hit.secret = None;
            if let Some(repo_path) = repo_path_of(&build.sources[*file as usize].0) {
                hit.related.push(crate::finding::Related {
                    repo_path,
                    line: 1,
                    column: 1,
                    message: "the generated value holds this file".to_owned(),
                });
            }
        } else {
            hit.secret = hit
                .secret
                .and_then(|secret| secret_in(&build, &written, source, secret));
        }
        hit.span = span;
        hit.rendered_from = Some(overlay.clone());
        judged.hits.push((file, hit));
    }
    judged
}

/// Where the secret at `secret` of the build's text is written in `source`: the value as the
/// build writes it, or (a generated Secret's data) base64-decoded, quoted or not; when it cannot
/// be told exactly, from its place to the end of the line, so that nothing of it shows. `None`
/// when it is written in another source.
fn secret_in(
    build: &crate::kustomize::Build,
    written: &crate::kustomize::Written,
    source: u32,
    secret: std::ops::Range<usize>,
) -> Option<std::ops::Range<usize>> {
    use base64::Engine as _;
    let (secret_source, span) = written.locate(build, secret.clone())?;
    if secret_source != source {
        return None;
    }
    if !span.is_empty() {
        return Some(span);
    }
    let text: &str = &build.sources[source as usize].1;
    let shown = written.text.get(secret).unwrap_or_default();
    let compact: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let at = span.start;
    for start in [at, at + 1] {
        for value in [Some(shown), decoded.as_deref()].into_iter().flatten() {
            if !value.is_empty()
                && text
                    .get(start..)
                    .is_some_and(|rest| rest.starts_with(value))
            {
                return Some(start..start + value.len());
            }
        }
    }
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    Some(at..line_end)
}
