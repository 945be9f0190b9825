//! Kustomizations: what a `kustomization.yaml` says about other files of the repository. Its
//! `resources` and `components` (files, or directories holding another kustomization), the
//! files it applies as patches (`patchesStrategicMerge`, `patches[].path`,
//! `patchesJson6902[].path`), and the image tags and digests it sets (`images`).
//!
//! This is what the scan needs to judge manifests the way Kustomize deploys them: a patch is
//! part of a resource, not a resource, and an image a kustomization pins is pinned.

use crate::formats::yaml::Yaml;

/// File names Kustomize reads as a directory's kustomization.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One kustomization file, with every path relative to its directory as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kustomization {
    /// `resources` and `components`: files, or directories with a kustomization of their own.
    /// Remote ones (URLs) are left out.
    pub resources: Vec<String>,
    /// Patches: files or inline text, strategic merge or JSON 6902, with their targets.
    pub patches: Vec<Patch>,
    pub images: Vec<ImageOverride>,
}

/// A patch a kustomization applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    pub source: PatchSource,
    /// `target`'s kind and name, which JSON 6902 operations need (they name no resource).
    pub target: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchSource {
    /// A file, relative to the kustomization's directory.
    File(String),
    /// The patch's text, written in the kustomization.
    Inline(String),
}

/// An entry of `images`: which image it changes, and whether the result is pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOverride {
    /// The image name as manifests write it, without tag.
    pub name: String,
    /// A tag other than `latest`, or a digest.
    pub pins: bool,
}

impl Kustomization {
    /// Reads a kustomization; `None` when the text is not one (not YAML, or not a mapping).
    pub fn parse(text: &str) -> Option<Kustomization> {
        crate::formats::budget::check(crate::formats::budget::Parser::Yaml, text).ok()?;
        let yaml = Yaml::parse(text).ok()?;
        let root = *yaml.documents.first()?;
        if !yaml.is_mapping(root) {
            return None;
        }
        let strings = |key: &str| -> Vec<String> {
            yaml.get(root, key)
                .map(|entry| {
                    yaml.items(entry.value)
                        .iter()
                        .filter_map(|&item| yaml.str(item))
                        .map(|s| s.trim().to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let local = |path: &String| !path.contains("://") && !path.starts_with("git@");
        let mut resources: Vec<String> = strings("resources");
        resources.extend(strings("bases"));
        resources.extend(strings("components"));
        resources.retain(local);
        // Entries of `patchesStrategicMerge` are paths, or YAML text written inline.
        let mut patches: Vec<Patch> = strings("patchesStrategicMerge")
            .into_iter()
            .map(|patch| Patch {
                source: if patch.contains('\n') || patch.contains(": ") {
                    PatchSource::Inline(patch)
                } else {
                    PatchSource::File(patch)
                },
                target: None,
            })
            .collect();
        for key in ["patches", "patchesJson6902"] {
            let Some(entry) = yaml.get(root, key) else {
                continue;
            };
            for &item in yaml.items(entry.value) {
                let target = yaml.get(item, "target").and_then(|target| {
                    let field = |key| yaml.get(target.value, key).and_then(|e| yaml.str(e.value));
                    Some((
                        field("kind")?.to_owned(),
                        field("name").unwrap_or("").to_owned(),
                    ))
                });
                let field = |key| yaml.get(item, key).and_then(|e| yaml.str(e.value));
                let source = match (field("path"), field("patch")) {
                    (Some(path), _) => PatchSource::File(path.trim().to_owned()),
                    (None, Some(text)) => PatchSource::Inline(text.to_owned()),
                    (None, None) => continue,
                };
                patches.push(Patch { source, target });
            }
        }
        let mut images = Vec::new();
        if let Some(entry) = yaml.get(root, "images") {
            for &item in yaml.items(entry.value) {
                let field = |key| {
                    yaml.get(item, key)
                        .and_then(|e| yaml.str(e.value))
                        .map(str::trim)
                };
                let Some(name) = field("name") else {
                    continue;
                };
                let tag = field("newTag").filter(|tag| !tag.is_empty());
                let digest = field("digest").filter(|digest| !digest.is_empty());
                images.push(ImageOverride {
                    name: name.to_owned(),
                    pins: digest.is_some() || tag.is_some_and(|tag| tag != "latest"),
                });
            }
        }
        Some(Kustomization {
            resources,
            patches,
            images,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_patches_and_images() {
        let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n  - extra.yaml\n  - https://github.com/acme/config//base?ref=v1\ncomponents:\n  - ../../components/tls\npatchesStrategicMerge:\n  - replicas.yaml\n  - |-\n    apiVersion: apps/v1\n    kind: Deployment\npatches:\n  - path: security.yaml\n    target: {kind: Deployment}\n  - patch: |-\n      - op: replace\npatchesJson6902:\n  - target: {kind: Service, name: web}\n    path: service-port.json\nimages:\n  - name: web\n    newTag: 1.4.2\n  - name: worker\n    newName: registry.internal/worker\n  - name: cron\n    digest: sha256:4f1c8d03c1c5b3c8d2a7f0e4b9e6d5c4b3a29181716151413121110090807060\n  - name: debug\n    newTag: latest\n";
        let kustomization = Kustomization::parse(text).unwrap();
        assert_eq!(
            kustomization.resources,
            ["../../base", "extra.yaml", "../../components/tls"]
        );
        let files: Vec<&str> = kustomization
            .patches
            .iter()
            .filter_map(|patch| match &patch.source {
                PatchSource::File(path) => Some(path.as_str()),
                PatchSource::Inline(_) => None,
            })
            .collect();
        assert_eq!(
            files,
            ["replicas.yaml", "security.yaml", "service-port.json"]
        );
        let service = kustomization.patches.last().unwrap();
        assert_eq!(
            service.target,
            Some(("Service".to_owned(), "web".to_owned()))
        );
        let pins: Vec<(&str, bool)> = kustomization
            .images
            .iter()
            .map(|image| (image.name.as_str(), image.pins))
            .collect();
        assert_eq!(
            pins,
            [
                ("web", true),
                ("worker", false),
                ("cron", true),
                ("debug", false)
            ]
        );
        let inline = kustomization
            .patches
            .iter()
            .filter(|patch| matches!(patch.source, PatchSource::Inline(_)))
            .count();
        assert_eq!(inline, 2);
        assert_eq!(Kustomization::parse("- not\n- a mapping\n"), None);
    }
}
