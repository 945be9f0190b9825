//! Kustomize overlays built in-process (what `palisade render` prints, before it masks
//! secrets): checked on its own, and against `kubectl kustomize` wherever kubectl is installed
//! (Debian's `kubectl` package builds offline).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::write;

/// Every document of a YAML stream as canonical JSON, generated names' hash suffixes (which are
/// Kustomize's own encoding) cut off.
fn documents(text: &str) -> BTreeSet<String> {
    let suffix = regex::Regex::new(r"-[a-z0-9]{10}\b").unwrap();
    let yaml = palisade::formats::yaml::Yaml::parse(text).unwrap();
    yaml.documents
        .iter()
        .map(|&root| {
            let value = palisade::helm::value::from_yaml(&yaml, root, None);
            let mut json = String::new();
            palisade::helm::value::to_json(&value, &mut json, 0);
            suffix.replace_all(&json, "").into_owned()
        })
        .filter(|json| json != "null")
        .collect()
}

/// The build, unmasked (`palisade render` masks the secrets it finds, which a comparison with
/// kubectl must not).
fn render(directory: &Path) -> String {
    let built =
        palisade::engine::render_overlay(directory, palisade::engine::DEFAULT_MAX_FILE_SIZE);
    built.manifests
}

#[test]
fn an_overlay_is_built_as_kustomize_builds_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n  - service.yaml\n",
    );
    write(
        root,
        "base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          env:\n            - {name: MODE, value: base}\n          envFrom:\n            - configMapRef: {name: settings}\n",
    );
    write(
        root,
        "base/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n    - port: 80\n",
    );
    write(
        root,
        "prod/kustomization.yaml",
        "resources:\n  - ../base\nnamespace: shop\nnamePrefix: prod-\ncommonLabels:\n  team: web\nimages:\n  - name: nginx\n    newTag: 1.27.3\nreplicas:\n  - name: web\n    count: 3\nconfigMapGenerator:\n  - name: settings\n    literals: [LEVEL=info]\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n      spec:\n        template:\n          spec:\n            containers:\n              - name: web\n                env:\n                  - {name: MODE, value: prod}\n                securityContext:\n                  readOnlyRootFilesystem: true\n  - target: {kind: Service}\n    patch: |-\n      - op: replace\n        path: /spec/ports/0/port\n        value: 8080\n",
    );
    let built = render(&root.join("prod"));
    for wanted in [
        "  name: prod-web\n  namespace: shop\n",
        "        image: nginx:1.27.3\n",
        "          value: prod\n",
        "        - configMapRef:\n            name: prod-settings-",
        "  replicas: 3\n",
        "    team: web\n",
        "  - port: 8080\n",
        "          readOnlyRootFilesystem: true\n",
    ] {
        assert!(built.contains(wanted), "{wanted:?} in\n{built}");
    }
    if let Some(expected) = kubectl_kustomize(&root.join("prod")) {
        assert_eq!(
            documents(&built),
            documents(&expected),
            "palisade:\n{built}\nkubectl:\n{expected}"
        );
    }
}

/// `kubectl kustomize DIR`, when kubectl is installed and builds it.
fn kubectl_kustomize(directory: &Path) -> Option<String> {
    let output = Command::new("kubectl")
        .arg("kustomize")
        .arg(directory)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8(output.stdout).unwrap())
}

/// Every overlay among the fixtures builds as kubectl builds it.
#[test]
fn the_fixture_overlays_build_as_kubectl_builds_them() {
    if kubectl_kustomize(
        &common::root().join("fixtures/kubernetes/K8S003/bad-latest-by-one-overlay/overlays/dev"),
    )
    .is_none()
        && Command::new("kubectl")
            .arg("version")
            .arg("--client")
            .output()
            .is_err()
    {
        eprintln!("kubectl is not installed: the comparison with `kubectl kustomize` is skipped");
        return;
    }
    let mut overlays: Vec<PathBuf> = Vec::new();
    let mut pending = vec![common::root().join("fixtures")];
    while let Some(directory) = pending.pop() {
        for entry in fs::read_dir(&directory).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
                overlays.push(directory.clone());
            }
        }
    }
    overlays.sort();
    assert!(overlays.len() >= 10, "{overlays:?}");
    let mut compared = 0;
    for overlay in &overlays {
        let Some(expected) = kubectl_kustomize(overlay) else {
            continue;
        };
        let built = render(overlay);
        assert_eq!(
            documents(&built),
            documents(&expected),
            "{}:\npalisade:\n{built}\nkubectl:\n{expected}",
            overlay.display()
        );
        compared += 1;
    }
    assert!(
        compared >= 10,
        "{compared} of {} overlays compared",
        overlays.len()
    );
}
