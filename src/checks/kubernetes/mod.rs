//! Kubernetes manifests: the format, and the checks of facts only Kubernetes has (service account tokens, seccomp
//! profiles, resource limits, `Secret` objects), one module per rule, named after the rule. What
//! Kubernetes shares with other formats (containers, exposure) is lowered into the deployment
//! model and judged by the shared policies (`checks/deployment/`).

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_kubernetes.rs"));

pub(crate) use crate::lower::kubernetes::{
    container_setting, describe, each_container, effective_setting,
};

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, run_policies, wants_deployment};
use crate::discover::{FileKind, Target};
use crate::formats::kubernetes::Manifests;
use crate::lower;

/// Kubernetes manifests: YAML and JSON documents with `apiVersion` and `kind`, each file
/// checked alone with the images its repository builds.
pub struct Kubernetes;

pub const FORMAT: Kubernetes = Kubernetes;

impl Format for Kubernetes {
    fn target(&self) -> Target {
        Target::Kubernetes
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml, FileKind::Json]
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        // What a kustomization's inline patches and JSON 6902 operations set, and the Secrets
        // it generates from files, are judged where they are written.
        if crate::formats::kustomize_patches::may_hold_patches(input.text)
            && let Ok(yaml) = input.yaml()
        {
            check_patches(input, yaml, hits);
            check_generated_secrets(input, yaml, hits);
        }
        // Most YAML in a repository is no manifest (CI configs, app settings): not even parsed.
        if !input.text.contains("apiVersion") {
            return Ok(());
        }
        let kustomized = input.repository.kustomized();
        check_manifests(input, input.yaml()?, kustomized, hits);
        Ok(())
    }
}

/// Hits of the patches a file holds, each at the place the patch writes it: a patch is part of
/// a resource, so only what it sets is judged.
fn check_patches(input: &Input<'_>, yaml: &crate::formats::yaml::Yaml, hits: &mut Vec<Hit>) {
    for document in crate::formats::kustomize_patches::patch_documents(input.text, yaml) {
        let Ok(yaml) = crate::formats::yaml::Yaml::parse(&document.text) else {
            continue;
        };
        let patch = Input::new(
            input.kind,
            &document.text,
            input.checks,
            input.settings,
            input.repository,
        )
        .rendered();
        let kustomized = crate::links::Kustomized {
            patch: true,
            ..crate::links::Kustomized::default()
        };
        let mut found = Vec::new();
        check_manifests(&patch, &yaml, kustomized, &mut found);
        for mut hit in found {
            let Some(span) = document.locate(hit.span.clone()) else {
                continue;
            };
            hit.span = span;
            hit.secret = hit.secret.and_then(|secret| document.locate(secret));
            hits.push(hit);
        }
    }
}

/// The Secrets a kustomization generates from files, judged as the `Secret` objects they
/// become: a file holding a password is committed as one. Reported at the entry that names the
/// file, which is given as a related location.
fn check_generated_secrets(
    input: &Input<'_>,
    yaml: &crate::formats::yaml::Yaml,
    hits: &mut Vec<Hit>,
) {
    for file in crate::formats::kustomize_patches::generated_secret_files(yaml) {
        let Some((repo_path, content)) = input.repository.read(&file.path) else {
            continue;
        };
        let quoted = serde_json::to_string(&content).unwrap_or_default();
        let key = serde_json::to_string(&file.key).unwrap_or_default();
        let name = serde_json::to_string(&file.generator).unwrap_or_default();
        let document = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  {key}: {quoted}\n"
        );
        let Ok(yaml) = crate::formats::yaml::Yaml::parse(&document) else {
            continue;
        };
        let generated = Input::new(
            input.kind,
            &document,
            input.checks,
            input.settings,
            input.repository,
        )
        .rendered();
        let mut found = Vec::new();
        check_manifests(
            &generated,
            &yaml,
            crate::links::Kustomized::default(),
            &mut found,
        );
        for mut hit in found {
            hit.span = file.entry.clone();
            hit.secret = None;
            hit.related.push(crate::finding::Related {
                repo_path: repo_path.clone(),
                line: 1,
                column: 1,
                message: "the generated Secret holds this file".to_owned(),
            });
            hits.push(hit);
        }
    }
}

/// Every enabled Kubernetes check and policy over a file's manifests.
fn check_manifests(
    input: &Input<'_>,
    yaml: &crate::formats::yaml::Yaml,
    kustomized: crate::links::Kustomized,
    hits: &mut Vec<Hit>,
) {
    {
        let mut manifests = Manifests::new(yaml);
        if manifests.resources.is_empty() {
            return;
        }
        manifests.partial = kustomized.patch;
        manifests.provided = kustomized.provided;
        for check in input.checks {
            if let Checker::Kubernetes(function) = check.checker {
                function(&manifests, hits);
            }
        }
        if wants_deployment(input.checks, Target::Kubernetes) {
            let used = lower::kubernetes::image_names(&manifests);
            let mut built =
                crate::links::built_images(input.repository, &|name| used.contains(&name));
            // Images its kustomizations pin are pinned when it is deployed.
            built.extend(
                kustomized
                    .pinned_images
                    .into_iter()
                    .map(|image| (image, None)),
            );
            let deployment = lower::kubernetes::lower(&manifests, &built);
            run_policies(
                &deployment,
                Target::Kubernetes,
                input.checks,
                input.settings,
                hits,
            );
        }
    }
}
