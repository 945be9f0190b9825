//! Kustomizations: which other files of the repository a `kustomization.yaml` reads. Its
//! `resources` and `components` (files, or directories holding another kustomization), and the
//! files it reads into what it builds: patches (`patchesStrategicMerge`, `patches[].path`,
//! `patchesJson6902[].path`) and the inputs of its generators (`files`, `envs`).
//!
//! This is what the scan needs before it builds overlays (`crate::kustomize`): which
//! kustomizations are entry points (used by no other), and which files a staged change must
//! bring along for an overlay to build as it will be deployed.

use std::collections::{BTreeMap, BTreeSet};

use crate::formats::yaml::Yaml;

/// File names Kustomize reads as a directory's kustomization.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One kustomization file, with every path relative to its directory as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kustomization {
    /// `resources` and `components`: files, or directories with a kustomization of their own.
    /// Remote ones (URLs) are left out.
    pub resources: Vec<String>,
    /// Patch files and generator inputs.
    pub files: Vec<String>,
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
        let strings = |node, key: &str| -> Vec<String> {
            yaml.get(node, key)
                .map(|entry| match yaml.str(entry.value) {
                    Some(one) => vec![one.trim().to_owned()],
                    None => yaml
                        .items(entry.value)
                        .iter()
                        .filter_map(|&item| yaml.str(item))
                        .map(|s| s.trim().to_owned())
                        .collect(),
                })
                .unwrap_or_default()
        };
        let local = |path: &String| {
            !path.contains("://") && !path.starts_with("git@") && !path.starts_with("github.com/")
        };
        let mut resources: Vec<String> = strings(root, "resources");
        resources.extend(strings(root, "bases"));
        resources.extend(strings(root, "components"));
        resources.retain(local);
        // Entries of `patchesStrategicMerge` are paths, or YAML text written inline.
        let mut files: Vec<String> = strings(root, "patchesStrategicMerge")
            .into_iter()
            .filter(|patch| !patch.contains('\n') && !patch.contains(": "))
            .collect();
        for key in ["patches", "patchesJson6902"] {
            if let Some(entry) = yaml.get(root, key) {
                for &item in yaml.items(entry.value) {
                    files.extend(strings(item, "path"));
                }
            }
        }
        for key in ["configMapGenerator", "secretGenerator"] {
            if let Some(entry) = yaml.get(root, key) {
                for &item in yaml.items(entry.value) {
                    for field in ["files", "envs", "env"] {
                        // `key=path` names the value's key.
                        files.extend(strings(item, field).into_iter().map(|file| {
                            file.split_once('=')
                                .map_or(file.clone(), |(_, path)| path.to_owned())
                        }));
                    }
                }
            }
        }
        files.retain(local);
        Some(Kustomization { resources, files })
    }
}

/// An overlay of a repository: an entry point (a kustomization that no other one uses as a
/// resource or component) and every file its build reads, by repository path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlay {
    /// The entry point's directory (`""` at the root) and kustomization file.
    pub directory: String,
    pub kustomization: String,
    /// The kustomization files it builds on, its own included.
    pub kustomizations: BTreeSet<String>,
    /// Manifests named in `resources`.
    pub manifests: BTreeSet<String>,
    /// Patch files and generator inputs.
    pub inputs: BTreeSet<String>,
}

impl Overlay {
    /// Every file it reads.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.kustomizations
            .iter()
            .chain(&self.manifests)
            .chain(&self.inputs)
    }
}

/// The overlays of a repository, from its kustomizations (path and content), in order of
/// their directories. A kustomization nested in a cycle belongs to no overlay.
pub fn overlays(kustomizations: &[(String, Kustomization)]) -> Vec<Overlay> {
    let directory = |path: &str| {
        path.rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned())
    };
    let by_directory: BTreeMap<String, (&String, &Kustomization)> = kustomizations
        .iter()
        .map(|(path, kustomization)| (directory(path), (path, kustomization)))
        .collect();
    let used: BTreeSet<String> = by_directory
        .iter()
        .flat_map(|(here, (_, kustomization))| {
            kustomization
                .resources
                .iter()
                .filter_map(|resource| crate::paths::join_within(here, resource))
        })
        .filter(|target| by_directory.contains_key(target))
        .collect();
    let mut overlays = Vec::new();
    for (entry, (path, _)) in by_directory.iter().filter(|(d, _)| !used.contains(*d)) {
        let mut overlay = Overlay {
            directory: entry.clone(),
            kustomization: (*path).clone(),
            ..Overlay::default()
        };
        let mut pending = vec![entry.clone()];
        let mut seen = BTreeSet::new();
        while let Some(here) = pending.pop() {
            if seen.len() > MAX_KUSTOMIZATIONS || !seen.insert(here.clone()) {
                continue;
            }
            let Some((path, kustomization)) = by_directory.get(&here) else {
                continue;
            };
            overlay.kustomizations.insert((*path).clone());
            overlay.inputs.extend(
                kustomization
                    .files
                    .iter()
                    .filter_map(|file| crate::paths::join_within(&here, file)),
            );
            for target in kustomization
                .resources
                .iter()
                .filter_map(|r| crate::paths::join_within(&here, r))
            {
                if by_directory.contains_key(&target) {
                    pending.push(target);
                } else {
                    overlay.manifests.insert(target);
                }
            }
        }
        overlays.push(overlay);
    }
    overlays
}

/// Kustomizations one overlay builds on, at most.
const MAX_KUSTOMIZATIONS: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_and_the_files_read() {
        let text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n  - extra.yaml\n  - https://github.com/acme/config//base?ref=v1\ncomponents:\n  - ../../components/tls\npatchesStrategicMerge:\n  - replicas.yaml\n  - |-\n    apiVersion: apps/v1\n    kind: Deployment\npatches:\n  - path: security.yaml\n    target: {kind: Deployment}\n  - patch: |-\n      - op: replace\npatchesJson6902:\n  - target: {kind: Service, name: web}\n    path: service-port.json\nsecretGenerator:\n  - name: db\n    files: [password.txt, tls.key=keys/web.key]\n    envs: [db.env]\nconfigMapGenerator:\n  - name: app\n    env: app.env\n";
        let kustomization = Kustomization::parse(text).unwrap();
        assert_eq!(
            kustomization.resources,
            ["../../base", "extra.yaml", "../../components/tls"]
        );
        assert_eq!(
            kustomization.files,
            [
                "replicas.yaml",
                "security.yaml",
                "service-port.json",
                "app.env",
                "password.txt",
                "keys/web.key",
                "db.env"
            ]
        );
        assert_eq!(Kustomization::parse("- not\n- a mapping\n"), None);
    }

    #[test]
    fn overlays_are_the_entry_points_with_what_they_read() {
        let parse = |path: &str, text: &str| (path.to_owned(), Kustomization::parse(text).unwrap());
        let kustomizations = [
            parse(
                "deploy/base/kustomization.yaml",
                "resources: [web.yaml, ../shared]\nconfigMapGenerator:\n  - {name: app, envs: [app.env]}\n",
            ),
            parse(
                "deploy/shared/kustomization.yaml",
                "resources: [policy.yaml]\n",
            ),
            parse(
                "deploy/prod/kustomization.yaml",
                "resources: [../base]\npatches:\n  - path: limits.yaml\n",
            ),
            parse("deploy/dev/kustomization.yaml", "resources: [../base]\n"),
            // A cycle: neither is an entry point.
            parse("a/kustomization.yaml", "resources: [../b]\n"),
            parse("b/kustomization.yaml", "resources: [../a]\n"),
        ];
        let found = overlays(&kustomizations);
        let directories: Vec<&str> = found.iter().map(|o| o.directory.as_str()).collect();
        assert_eq!(directories, ["deploy/dev", "deploy/prod"]);
        let prod = &found[1];
        assert_eq!(prod.kustomization, "deploy/prod/kustomization.yaml");
        assert_eq!(
            prod.kustomizations.iter().collect::<Vec<_>>(),
            [
                "deploy/base/kustomization.yaml",
                "deploy/prod/kustomization.yaml",
                "deploy/shared/kustomization.yaml"
            ]
        );
        assert_eq!(
            prod.manifests.iter().collect::<Vec<_>>(),
            ["deploy/base/web.yaml", "deploy/shared/policy.yaml"]
        );
        assert_eq!(
            prod.inputs.iter().collect::<Vec<_>>(),
            ["deploy/base/app.env", "deploy/prod/limits.yaml"]
        );
    }
}
