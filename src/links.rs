//! Across artifacts: what one file of a repository says about what another deploys.
//!
//! A compose service with `build:` runs the image its Dockerfile makes, so the Dockerfile's final
//! `USER` and `HEALTHCHECK` are the service's, unless the service overrides them. Scanners that
//! read each file alone must either stay silent about such a service (and miss a root container)
//! or guess (and cry wolf about one whose Dockerfile sets a user). Here the check of the compose
//! file is given the facts of the Dockerfile it builds, read through a [`Repository`] that the
//! engine provides: files on disk or staged in git, inside the repository, never through a
//! symbolic link, within the size limit, parsed within the same memory budget as any file.

use std::sync::Arc;

use crate::finding::Related;
use crate::formats::budget;
use crate::formats::compose::{BuildRef, ComposeFile, DockerfileRef};
use crate::formats::dockerfile::{BuiltUser, Dockerfile, ImageFacts, RunsAs};
use crate::formats::kustomize::{Kustomization, PatchSource};
use crate::source::SourceFile;

/// Reads files of the repository that the file being checked refers to.
pub trait Repository {
    /// The file at `relative` (`/`-separated, relative to the directory of the file being
    /// checked): its path in the repository and its text, when it is inside the repository and
    /// can be read.
    fn read(&self, relative: &str) -> Option<(String, String)>;

    /// The file at `path`, relative to the repository root: its path and text, as [`read`].
    ///
    /// [`read`]: Repository::read
    fn read_from_root(&self, _path: &str) -> Option<(String, String)> {
        None
    }

    /// Images the repository builds and tags itself at deploy time, declared by the build
    /// configurations (`skaffold.yaml`, `Tiltfile`) of the file's directory or of any directory
    /// above it within the repository (see [`images_built_by`]), with their Dockerfiles
    /// relative to the repository root.
    fn built_images(&self) -> Arc<[BuiltImage]> {
        Arc::from([])
    }

    /// What the repository's kustomizations say about the file being checked.
    fn kustomized(&self) -> Kustomized {
        Kustomized::default()
    }
}

/// What the repository's kustomizations say about one manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kustomized {
    /// A kustomization applies it as a patch: it is part of a resource, not a whole one, so
    /// what it leaves out is not missing.
    pub patch: bool,
    /// Images that every kustomization deploying it pins (`images:` with a tag or a digest).
    pub pinned_images: Vec<String>,
    /// Settings that patches of every kustomization deploying it set, sorted keys of
    /// [`crate::formats::kubernetes::setting_key`].
    pub provided: Vec<String>,
}

/// The kustomizations of a repository, read once per scan: which files are patches, and which
/// images each manifest has pinned by every entry point (a kustomization that no other one uses)
/// that deploys it. Paths are repository paths, `/`-separated.
#[derive(Debug, Default)]
pub struct Kustomizations {
    patches: std::collections::HashSet<String>,
    pinned: std::collections::HashMap<String, Vec<String>>,
    /// Per manifest, the settings that patches of every entry point deploying it set
    /// (`Deployment/web/web/resources.limits.memory`, see [`Kustomized::provides`]).
    provided: std::collections::HashMap<String, Vec<String>>,
}

/// The settings a patch sets: for each resource and container it names, every key path it
/// writes (`Deployment/web/web/securityContext.runAsNonRoot`; pod settings with an empty
/// container name). A strategic-merge patch names its resource; JSON 6902 operations (a list
/// of `op`/`path`/`value`) act on the `target` and name containers by position (`#0`).
fn provided_by(text: &str, target: Option<&(String, String)>) -> Vec<String> {
    use crate::formats::kubernetes::{Manifests, setting_key};
    use crate::formats::yaml::{NodeId, Yaml};
    if budget::check(budget::Parser::Yaml, text).is_err() {
        return Vec::new();
    }
    let Ok(yaml) = Yaml::parse(text) else {
        return Vec::new();
    };
    fn paths(yaml: &Yaml, node: NodeId, prefix: &str, depth: usize, out: &mut Vec<String>) {
        if depth > 8 {
            return;
        }
        for (key, entry) in yaml.keys(node) {
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            if yaml.is_mapping(entry.value) {
                paths(yaml, entry.value, &path, depth + 1, out);
            }
            out.push(path);
        }
    }
    let mut provided = Vec::new();
    if let (Some((kind, name)), Some(&document)) = (target, yaml.documents.first())
        && !yaml.items(document).is_empty()
    {
        for &operation in yaml.items(document) {
            let field = |key| yaml.get(operation, key).and_then(|e| yaml.str(e.value));
            if !matches!(field("op"), Some("add" | "replace")) {
                continue;
            }
            let Some(path) = field("path") else {
                continue;
            };
            // The pod spec of the kinds that have one, then a container by position or the pod.
            let Some(rest) = [
                "/spec/template/spec/",
                "/spec/jobTemplate/spec/template/spec/",
                "/spec/",
            ]
            .iter()
            .find_map(|prefix| path.strip_prefix(prefix)) else {
                continue;
            };
            let (container, rest) = match rest.strip_prefix("containers/") {
                Some(after) => match after.split_once('/') {
                    Some((index, rest)) if index.bytes().all(|b| b.is_ascii_digit()) => {
                        (format!("#{index}"), rest)
                    }
                    _ => continue,
                },
                None => (String::new(), rest),
            };
            let setting = rest.replace('/', ".");
            provided.push(setting_key(kind, name, &container, &setting));
            if let Some(value) = yaml.get(operation, "value")
                && yaml.is_mapping(value.value)
            {
                let mut found = Vec::new();
                paths(&yaml, value.value, &setting, 0, &mut found);
                provided.extend(
                    found
                        .into_iter()
                        .map(|path| setting_key(kind, name, &container, &path)),
                );
            }
        }
        return provided;
    }
    let manifests = Manifests::new(&yaml);
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        let mut found = Vec::new();
        paths(&yaml, pod.spec, "", 0, &mut found);
        provided.extend(
            found
                .into_iter()
                .map(|path| setting_key(&resource.kind, &resource.name, "", &path)),
        );
        for container in &pod.containers {
            let mut found = Vec::new();
            paths(&yaml, container.node, "", 0, &mut found);
            provided.extend(
                found.into_iter().map(|path| {
                    setting_key(&resource.kind, &resource.name, &container.name, &path)
                }),
            );
        }
    }
    provided
}

impl Kustomizations {
    /// From every kustomization file of the repository, by its path; `read` gives the text of
    /// a patch file, by its path.
    pub fn build(
        files: &[(String, Kustomization)],
        read: &dyn Fn(&str) -> Option<String>,
    ) -> Kustomizations {
        use std::collections::{BTreeMap, HashMap, HashSet};
        let directory = |path: &str| {
            path.rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_owned())
        };
        let join = |directory: &str, relative: &str| {
            if directory.is_empty() {
                normalize(relative)
            } else {
                normalize(&format!("{directory}/{relative}"))
            }
        };
        let by_directory: HashMap<String, &Kustomization> = files
            .iter()
            .map(|(path, kustomization)| (directory(path), kustomization))
            .collect();
        let mut index = Kustomizations::default();
        let mut used = HashSet::new();
        for (path, kustomization) in files {
            let here = directory(path);
            for patch in &kustomization.patches {
                if let PatchSource::File(file) = &patch.source
                    && let Some(file) = join(&here, file)
                {
                    index.patches.insert(file);
                }
            }
            for resource in &kustomization.resources {
                if let Some(target) = join(&here, resource).filter(|t| by_directory.contains_key(t))
                {
                    used.insert(target);
                }
            }
        }
        // Per manifest and entry point: the images pinned (an outer kustomization's `images`
        // decide before an inner one's) and the settings patched in.
        type Deployed = (HashSet<String>, HashSet<String>);
        let mut reached: HashMap<String, Vec<Deployed>> = HashMap::new();
        // What each patch sets, read once however many entry points apply it.
        let mut patch_facts: HashMap<String, HashSet<String>> = HashMap::new();
        let mut entries: Vec<&String> =
            by_directory.keys().filter(|d| !used.contains(*d)).collect();
        entries.sort();
        // Every entry point walks the kustomizations it uses: bounded, so that a repository of
        // many overlays over one large base costs a known amount. Past the bound, images are
        // judged as written, as without kustomizations.
        let mut budget: usize = 1_000_000;
        for entry in entries {
            let mut stack: Vec<(String, BTreeMap<String, bool>, HashSet<String>)> =
                vec![(entry.clone(), BTreeMap::new(), HashSet::new())];
            let mut seen = HashSet::new();
            while let Some((here, mut decided, mut applied)) = stack.pop() {
                if !seen.insert(here.clone()) {
                    continue;
                }
                let Some(kustomization) = by_directory.get(&here) else {
                    continue;
                };
                for image in &kustomization.images {
                    decided.entry(image.name.clone()).or_insert(image.pins);
                }
                // A patch of this kustomization applies to every resource below it.
                for (number, patch) in kustomization.patches.iter().enumerate() {
                    let (key, text) = match &patch.source {
                        PatchSource::File(file) => {
                            let Some(file) = join(&here, file) else {
                                continue;
                            };
                            (file, None)
                        }
                        PatchSource::Inline(text) => (format!("{here}#{number}"), Some(text)),
                    };
                    let facts = patch_facts
                        .entry(key)
                        .or_insert_with_key(|key| {
                            let text = text.cloned().or_else(|| read(key));
                            text.map(|text| {
                                provided_by(&text, patch.target.as_ref())
                                    .into_iter()
                                    .collect()
                            })
                            .unwrap_or_default()
                        })
                        .clone();
                    budget = budget.saturating_sub(facts.len());
                    applied.extend(facts);
                }
                for resource in &kustomization.resources {
                    budget = budget.saturating_sub(1 + decided.len());
                    if budget == 0 {
                        return Kustomizations {
                            patches: index.patches,
                            ..Kustomizations::default()
                        };
                    }
                    let Some(target) = join(&here, resource) else {
                        continue;
                    };
                    if by_directory.contains_key(&target) {
                        stack.push((target, decided.clone(), applied.clone()));
                    } else {
                        let pinned = decided
                            .iter()
                            .filter(|(_, pins)| **pins)
                            .map(|(name, _)| name.clone())
                            .collect();
                        reached
                            .entry(target)
                            .or_default()
                            .push((pinned, applied.clone()));
                    }
                }
            }
        }
        // What every entry point deploying a manifest does to it.
        let every = |sets: Vec<&HashSet<String>>| -> Vec<String> {
            let mut common: Vec<String> = sets
                .iter()
                .skip(1)
                .fold(sets[0].clone(), |common, set| &common & set)
                .into_iter()
                .collect();
            common.sort();
            common
        };
        for (file, records) in reached {
            let pinned = every(records.iter().map(|(pinned, _)| pinned).collect());
            let provided = every(records.iter().map(|(_, provided)| provided).collect());
            if !pinned.is_empty() {
                index.pinned.insert(file.clone(), pinned);
            }
            if !provided.is_empty() {
                index.provided.insert(file, provided);
            }
        }
        index
    }

    /// What the kustomizations say about the manifest at `path`.
    pub fn of(&self, path: &str) -> Kustomized {
        Kustomized {
            patch: self.patches.contains(path),
            pinned_images: self.pinned.get(path).cloned().unwrap_or_default(),
            provided: self.provided.get(path).cloned().unwrap_or_default(),
        }
    }
}

/// The build configurations looked for, from a manifest's directory up to the repository root.
pub const BUILD_CONFIGURATIONS: &[&str] = &["skaffold.yaml", "skaffold.yml", "Tiltfile"];

/// An image a build configuration builds, and how, when it is built from a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltImage {
    pub image: String,
    /// The Dockerfile and target stage: relative to the build configuration's directory as
    /// [`images_built_by`] reads it, from the repository root after [`Repository::built_images`].
    pub build: Option<BuildRef>,
}

/// Builders of Skaffold artifacts that do not build from a Dockerfile.
const SKAFFOLD_NON_DOCKER_BUILDERS: &[&str] = &["jib", "ko", "bazel", "buildpacks", "custom"];

/// The images a build configuration builds: a Skaffold file's `build.artifacts[].image` (and
/// those of its profiles), a Tiltfile's `docker_build('image', …)` and similar calls. Manifests
/// name these images bare (`image: frontend`), and the tool replaces the name with the digest
/// of what it built when it deploys, so they are not unpinned images. A Skaffold artifact built
/// by Docker (the default builder) says its Dockerfile: `context` (default `.`) joined with
/// `docker.dockerfile` (default `Dockerfile`), and `docker.target`.
pub fn images_built_by(name: &str, text: &str) -> Vec<BuiltImage> {
    if name == "Tiltfile" {
        return tilt_images(text)
            .into_iter()
            .map(|image| BuiltImage { image, build: None })
            .collect();
    }
    let Ok(yaml) = crate::formats::yaml::Yaml::parse(text) else {
        return Vec::new();
    };
    let mut images = Vec::new();
    for &document in &yaml.documents {
        let mut builds = vec![document];
        if let Some(profiles) = yaml.get(document, "profiles") {
            builds.extend(yaml.items(profiles.value).iter().copied());
        }
        for build in builds {
            let Some(artifacts) = yaml
                .get(build, "build")
                .and_then(|b| yaml.get(b.value, "artifacts"))
            else {
                continue;
            };
            for &artifact in yaml.items(artifacts.value) {
                let field = |node, key| yaml.get(node, key).and_then(|e| yaml.str(e.value));
                let Some(image) = field(artifact, "image") else {
                    continue;
                };
                let docker = yaml.get(artifact, "docker").map(|e| e.value);
                let by_docker = !SKAFFOLD_NON_DOCKER_BUILDERS
                    .iter()
                    .any(|builder| yaml.get(artifact, builder).is_some());
                let build = by_docker.then(|| {
                    let context = field(artifact, "context").unwrap_or(".");
                    let dockerfile = docker
                        .and_then(|d| field(d, "dockerfile"))
                        .unwrap_or("Dockerfile");
                    BuildRef {
                        dockerfile: DockerfileRef::Path(format!("{context}/{dockerfile}")),
                        target: docker.and_then(|d| field(d, "target")).map(str::to_owned),
                    }
                });
                images.push(BuiltImage {
                    image: image.trim().to_owned(),
                    build,
                });
            }
        }
    }
    images
}

/// `docker_build('app', '.')`, `docker_build(ref="app", …)`, `custom_build('app', …)`,
/// `ko_build('app', …)`: the first argument or `ref=`.
fn tilt_images(text: &str) -> Vec<String> {
    let mut images = Vec::new();
    for call in ["docker_build(", "custom_build(", "ko_build("] {
        for (at, _) in text.match_indices(call) {
            let rest = text[at + call.len()..].trim_start();
            let rest = rest.strip_prefix("ref").map_or(rest, |r| {
                r.trim_start().strip_prefix('=').unwrap_or(r).trim_start()
            });
            let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = rest[1..].find(quote) {
                images.push(rest[1..1 + end].to_owned());
            }
        }
    }
    images
}

/// A repository with nothing in it: checks of a file on its own.
pub struct Alone;

impl Repository for Alone {
    fn read(&self, _: &str) -> Option<(String, String)> {
        None
    }
}

/// Each service of `compose` with the facts of the Dockerfile it builds, read from `repository`.
pub fn link<'y>(mut compose: ComposeFile<'y>, repository: &dyn Repository) -> ComposeFile<'y> {
    compose.built = compose
        .services
        .iter()
        .map(|service| built(&compose.build(service)?, repository))
        .collect();
    compose
}

/// The images the repository builds, for a manifest of it, each with the facts of its
/// Dockerfile when it can be read. Only the Dockerfiles of images the manifest `uses` (by name,
/// without tag) are read and parsed.
pub fn built_images(
    repository: &dyn Repository,
    uses: &dyn Fn(&str) -> bool,
) -> Vec<(String, Option<ImageFacts>)> {
    repository
        .built_images()
        .iter()
        .map(|built_image| {
            let facts = built_image
                .build
                .as_ref()
                .filter(|_| uses(crate::model::image::ImageRef::parse(&built_image.image).name))
                .and_then(|build| built(build, repository));
            (built_image.image.clone(), facts)
        })
        .collect()
}

/// The facts of the image `build` makes, when its Dockerfile can be read and parsed.
pub fn built(build: &BuildRef, repository: &dyn Repository) -> Option<ImageFacts> {
    let (path, text) = match &build.dockerfile {
        DockerfileRef::Path(relative) => repository.read(relative)?,
        DockerfileRef::FromRoot(path) => repository.read_from_root(path)?,
        DockerfileRef::Inline(text) => ("(inline)".to_owned(), text.clone()),
    };
    budget::check(budget::Parser::Dockerfile, &text).ok()?;
    let dockerfile = Dockerfile::parse(&text).ok()?;
    let stage = match &build.target {
        Some(target) => dockerfile.stage_named(target)?,
        None => dockerfile.final_stage()?,
    };
    let user = match dockerfile.runs_as(stage) {
        RunsAs::Root { instruction, cause } => {
            let span = dockerfile.instruction_span(&dockerfile.instructions[instruction]);
            let source = SourceFile::new(path.clone().into(), text.clone());
            let position = source.position(span.start);
            let cause = cause.describe();
            BuiltUser::Root {
                at: Related {
                    repo_path: path.clone(),
                    line: position.line,
                    column: position.column,
                    message: format!("the image runs as root here ({cause})"),
                },
                cause,
            }
        }
        RunsAs::User(user) => BuiltUser::NonRoot(user),
        RunsAs::Unknown => BuiltUser::Unknown,
    };
    Some(ImageFacts {
        healthcheck: dockerfile.has_healthcheck(stage),
        dockerfile: path,
        user,
    })
}

/// `a/./b/../c` → `a/c`; `None` when it climbs above its start.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `path` taken from `directory` (both relative, `/`-separated), resolved by name:
/// `a/b` and `../c` give `a/c`; the `..` that climb above `directory`'s start are kept
/// (`../common`), for the caller to judge against where it may read.
pub fn join_relative(directory: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in directory.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Files(Vec<(&'static str, &'static str)>);

    impl Repository for Files {
        fn read(&self, relative: &str) -> Option<(String, String)> {
            let path = normalize(relative)?;
            self.0
                .iter()
                .find(|(name, _)| *name == path)
                .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
        }
    }

    fn build(path: &str, target: Option<&str>) -> BuildRef {
        BuildRef {
            dockerfile: DockerfileRef::Path(path.to_owned()),
            target: target.map(str::to_owned),
        }
    }

    #[test]
    fn the_final_stage_or_the_target_decides() {
        let files = Files(vec![(
            "api/Dockerfile",
            "FROM golang:1.22 AS build\nRUN go build\n\nFROM gcr.io/distroless/static:nonroot\nUSER 65532\nHEALTHCHECK NONE\n",
        )]);
        let built = built(&build("./api/Dockerfile", None), &files).unwrap();
        assert_eq!(built.user, BuiltUser::NonRoot("65532".to_owned()));
        assert!(built.healthcheck);
        let builder = super::built(&build("api/Dockerfile", Some("build")), &files).unwrap();
        let BuiltUser::Root { at, cause } = builder.user else {
            panic!("{:?}", builder.user);
        };
        assert_eq!(
            (at.repo_path.as_str(), at.line, at.column),
            ("api/Dockerfile", 1, 1)
        );
        assert_eq!(cause, "no `USER` after `FROM golang:1.22`");
        assert!(!builder.healthcheck);
    }

    #[test]
    fn unreadable_or_broken_dockerfiles_say_nothing() {
        let files = Files(vec![("Dockerfile", "RUN no from\n")]);
        assert_eq!(built(&build("Dockerfile", None), &files), None);
        assert_eq!(built(&build("missing/Dockerfile", None), &files), None);
        assert_eq!(built(&build("Dockerfile", Some("nope")), &files), None);
    }

    #[test]
    fn images_a_build_configuration_builds() {
        let skaffold = "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: frontend\n      context: src/frontend\n    - image: gcr.io/acme/cart\nprofiles:\n  - name: dev\n    build:\n      artifacts:\n        - image: debug-tools\n";
        let images = images_built_by("skaffold.yaml", skaffold);
        let names: Vec<&str> = images.iter().map(|i| i.image.as_str()).collect();
        assert_eq!(names, ["frontend", "gcr.io/acme/cart", "debug-tools"]);
        assert_eq!(
            images[0].build,
            Some(build("src/frontend/Dockerfile", None)),
            "the context's Dockerfile"
        );
        let tilt = "docker_build('api', './api')\ndocker_build(ref=\"web\", context='web')\nk8s_yaml('k8s.yaml')\n";
        let names: Vec<String> = images_built_by("Tiltfile", tilt)
            .into_iter()
            .map(|i| i.image)
            .collect();
        assert_eq!(names, ["api", "web"]);
        assert!(images_built_by("skaffold.yaml", "not: [valid").is_empty());
    }

    #[test]
    fn skaffold_says_the_dockerfile_and_target_of_docker_builds_only() {
        let skaffold = "build:\n  artifacts:\n    - image: api\n      context: services/api\n      docker:\n        dockerfile: build/Dockerfile.prod\n        target: runtime\n    - image: worker\n      jib: {}\n";
        let images = images_built_by("skaffold.yaml", skaffold);
        assert_eq!(
            images[0].build,
            Some(build("services/api/build/Dockerfile.prod", Some("runtime")))
        );
        assert_eq!(images[1].build, None);
    }

    #[test]
    fn kustomizations_mark_patches_and_pin_images_for_every_entry_point() {
        let parse = |text: &str| Kustomization::parse(text).unwrap();
        let files = vec![
            (
                "deploy/base/kustomization.yaml".to_owned(),
                parse(
                    "resources: [web.yaml, worker.yaml]\nimages:\n  - {name: worker, newTag: \"2.0\"}\n",
                ),
            ),
            (
                "deploy/overlays/prod/kustomization.yaml".to_owned(),
                parse(
                    "resources: [../../base]\npatches:\n  - path: security.yaml\nimages:\n  - {name: web, newTag: 1.4.2}\n  - {name: worker, newTag: latest}\n",
                ),
            ),
            (
                "deploy/overlays/dev/kustomization.yaml".to_owned(),
                parse(
                    "resources: [../../base]\nimages:\n  - {name: web, digest: \"sha256:4f1c\"}\n",
                ),
            ),
        ];
        let index = Kustomizations::build(&files, &|_| None);
        assert!(index.of("deploy/overlays/prod/security.yaml").patch);
        assert!(!index.of("deploy/base/web.yaml").patch);
        // Both overlays pin `web`; prod overrides the base's `worker` tag with `latest`.
        assert_eq!(index.of("deploy/base/web.yaml").pinned_images, ["web"]);
        assert_eq!(index.of("deploy/base/worker.yaml").pinned_images, ["web"]);
        assert_eq!(index.of("elsewhere.yaml"), Kustomized::default());
    }

    #[test]
    fn patches_say_which_settings_they_set() {
        let strategic = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      containers:\n        - name: app\n          securityContext: {runAsNonRoot: true}\n";
        let found = provided_by(strategic, None);
        assert!(found.contains(&"Deployment/web//automountServiceAccountToken".to_owned()));
        assert!(found.contains(&"Deployment/web/app/securityContext.runAsNonRoot".to_owned()));
        let operations = "- op: add\n  path: /spec/template/spec/containers/1/resources\n  value: {limits: {memory: 1Gi}}\n- op: remove\n  path: /spec/template/spec/containers/0/livenessProbe\n";
        let target = ("Deployment".to_owned(), "web".to_owned());
        let found = provided_by(operations, Some(&target));
        assert_eq!(
            found,
            [
                "Deployment/web/#1/resources",
                "Deployment/web/#1/resources.limits.memory",
                "Deployment/web/#1/resources.limits",
            ]
        );
    }

    #[test]
    fn kustomizations_in_a_cycle_or_in_great_numbers_stay_bounded() {
        let parse = |text: &str| Kustomization::parse(text).unwrap();
        let cycle = vec![
            (
                "a/kustomization.yaml".to_owned(),
                parse("resources: [../b, web.yaml]\n"),
            ),
            (
                "b/kustomization.yaml".to_owned(),
                parse("resources: [../a]\n"),
            ),
        ];
        assert_eq!(
            Kustomizations::build(&cycle, &|_| None).of("a/web.yaml"),
            Kustomized::default()
        );
        // 2,000 overlays over a base of 1,000 files, each overlay pinning an image.
        let base: String = (0..1_000).map(|i| format!("  - f{i}.yaml\n")).collect();
        let mut files = vec![(
            "base/kustomization.yaml".to_owned(),
            parse(&format!("resources:\n{base}")),
        )];
        for i in 0..2_000 {
            files.push((
                format!("overlays/o{i}/kustomization.yaml"),
                parse("resources: [../../base]\npatches:\n  - path: p.yaml\nimages:\n  - {name: web, newTag: \"1.0\"}\n"),
            ));
        }
        // Past its bound the walk stops: patches are still known, no image is taken as pinned.
        let index = Kustomizations::build(&files, &|_| None);
        assert!(index.of("overlays/o7/p.yaml").patch);
        assert!(index.of("base/f999.yaml").pinned_images.is_empty());
    }

    #[test]
    fn paths_never_climb_above_their_start() {
        assert_eq!(normalize("./a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../outside"), None);
        assert_eq!(normalize("a/../../b"), None);
    }
}
