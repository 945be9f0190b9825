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

    /// How the repository's Kustomize overlays judge the file being checked.
    fn overlaid(&self) -> Overlaid {
        Overlaid::No
    }

    /// Whether a regular file exists at `path`, relative to the repository root (asked again
    /// and again for the same paths: the Dockerfiles of a tree share their `.dockerignore`).
    fn exists_from_root(&self, path: &str) -> bool {
        self.read_from_root(path).is_some()
    }

    /// The network policies of the whole repository, when the scan read them all (a scan of
    /// the repository's directories); `None` when it did not (`--staged`, files named one by
    /// one), and rules that need them do not judge.
    fn network_policies(&self) -> Option<Arc<[crate::formats::network_policies::Policy]>> {
        None
    }

    /// The path of the file being checked in its repository (`docker/api/Dockerfile`), when it
    /// is read from one.
    fn path(&self) -> Option<String> {
        None
    }
}

/// How a file is judged when Kustomize overlays read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlaid {
    /// No overlay reads it: judged on its own, as whole resources.
    No,
    /// Judged as the overlays that read it deploy it, and only so.
    Built,
    /// Judged as its overlays deploy it, and on its own as parts of resources as well: it
    /// holds a patch that changed nothing in some overlay.
    AlsoAlone,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paths::normalize;

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
}
