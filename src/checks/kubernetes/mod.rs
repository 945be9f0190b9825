//! Kubernetes manifests: the format, and the checks of facts only Kubernetes has (service account tokens, seccomp
//! profiles, resource limits, `Secret` objects), one module per rule, named after the rule. What
//! Kubernetes shares with other formats (containers, exposure) is lowered into the deployment
//! model and judged by the shared policies (`checks/deployment/`).

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_kubernetes.rs"));

pub(crate) use crate::lower::kubernetes::{
    admits_everyone, container_setting, describe, each_container, effective_setting,
    internal_load_balancer, pod_setting, settings_at_each_level,
};

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, lowers, run_policies};
use crate::discover::{FileKind, Target};
use crate::formats::kubernetes::Manifests;
use crate::links::Overlaid;
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
        // A file an overlay reads is judged as the overlay deploys it (by the engine); on its
        // own, it is part of a resource: what it leaves out is not missing.
        let partial = match input.repository.overlaid() {
            Overlaid::No => false,
            Overlaid::Built => return Ok(()),
            Overlaid::AlsoAlone => true,
        };
        // What a kustomization's inline patches and JSON 6902 operations set, and the Secrets
        // it generates from files, are judged where they are written.
        if crate::formats::kustomize_patches::may_hold_patches(input.text)
            && let Ok(yaml) = input.yaml()
        {
            check_patches(input, yaml, hits);
            check_generated_secrets(input, yaml, hits);
        }
        // Most YAML in a repository is no manifest (CI configs, app settings): not even parsed.
        if input.text.contains("apiVersion") {
            check_manifests(input, input.yaml()?, partial, hits);
        }
        Ok(())
    }
}

/// Every enabled Kubernetes check and policy over what an overlay builds (`input` is the build
/// written out): judged whole, as it is deployed.
pub fn check_built(input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
    check_manifests(input, input.yaml()?, false, hits);
    Ok(())
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
        let mut found = Vec::new();
        check_manifests(&patch, &yaml, true, &mut found);
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
        check_manifests(&generated, &yaml, false, &mut found);
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

/// Every enabled Kubernetes check and policy over a file's manifests; `partial` when they are
/// parts of resources (patches), whose absent settings are not missing.
fn check_manifests(
    input: &Input<'_>,
    yaml: &crate::formats::yaml::Yaml,
    partial: bool,
    hits: &mut Vec<Hit>,
) {
    let mut manifests = Manifests::new(yaml);
    if manifests.resources.is_empty() {
        return;
    }
    manifests.partial = partial;
    manifests.network_policies = input.repository.network_policies();
    for check in input.checks {
        if let Checker::Kubernetes(function) = check.checker {
            function(&manifests, hits);
        }
    }
    if lowers(input.checks, input.settings, Target::Kubernetes) {
        let used = lower::kubernetes::image_names(&manifests);
        let built = crate::links::built_images(input.repository, &|name| used.contains(&name));
        let deployment = lower::kubernetes::lower(&manifests, &built);
        run_policies(
            &deployment,
            Target::Kubernetes,
            input.checks,
            input.settings,
            hits,
        );
        // A patch is part of a resource: users' policies judge whole resources.
        if !partial {
            input.settings.run_user_policies_on_yaml(
                Target::Kubernetes,
                input,
                yaml,
                Some(&deployment),
                hits,
            );
        }
    }
}
