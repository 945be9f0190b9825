//! Kustomize overlays built in-process (what `palisade render` prints, before it masks
//! secrets): checked on its own, and against `kubectl kustomize` wherever kubectl is installed
//! (Debian's `kubectl` package builds offline).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::write;

/// Every document of a YAML stream as canonical JSON.
fn documents(text: &str) -> BTreeSet<String> {
    let yaml = palisade::formats::yaml::Yaml::parse(text).unwrap();
    yaml.documents
        .iter()
        .map(|&root| {
            let value = palisade::helm::value::from_yaml(&yaml, root, None);
            let mut json = String::new();
            palisade::helm::value::to_json(&value, &mut json, 0);
            json
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

/// (repository path, rule, line, overlay) of every finding of a scan of `dir`, sorted.
fn judged(dir: &Path, rules: &[&str]) -> Vec<(String, String, usize, String)> {
    let rules: Vec<String> = rules.iter().map(|r| (*r).to_owned()).collect();
    let report = common::scan_with(&[dir], &rules);
    let mut found: Vec<_> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.repo_path.clone(),
                f.rule_id.clone(),
                f.start.line,
                f.rendered_from.clone().unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    found
}

const BASE_DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.internal/web\n";

fn patch(body: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n{body}"
    )
}

/// What every overlay fixes is not reported in the base; what one overlay leaves is, once, at
/// the base's line, naming that overlay; what an overlay sets is reported where it sets it.
#[test]
fn each_overlay_is_judged_as_it_deploys_its_base() {
    let dir = common::git_repository();
    let root = dir.path();
    write(
        root,
        "base/kustomization.yaml",
        "resources: [deployment.yaml]\n",
    );
    write(root, "base/deployment.yaml", BASE_DEPLOYMENT);
    // prod: pins the image and runs as non-root.
    write(
        root,
        "prod/kustomization.yaml",
        "resources: [../base]\nimages:\n  - name: registry.internal/web\n    newTag: 1.4.2\npatches:\n  - path: user.yaml\n",
    );
    write(
        root,
        "prod/user.yaml",
        &patch("          securityContext: {runAsNonRoot: true, runAsUser: 10001}\n"),
    );
    // staging: pins the image by digest and sets its user inline, but deploys it privileged.
    write(
        root,
        "staging/kustomization.yaml",
        "resources: [../base]\nimages:\n  - name: registry.internal/web\n    digest: sha256:4f1c8d03c1c5b3c8d2a7f0e4b9e6d5c4b3a29181716151413121110090807060\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n      spec:\n        template:\n          spec:\n            securityContext:\n              runAsNonRoot: true\n            containers:\n              - name: web\n                securityContext:\n                  privileged: true\n",
    );
    // preview and qa: deploy `latest`, with the base's user (root, for all anyone knows).
    for overlay in ["preview", "qa"] {
        write(
            root,
            &format!("{overlay}/kustomization.yaml"),
            "resources: [../base]\nnamePrefix: preview-\nimages:\n  - name: registry.internal/web\n    newTag: latest\n",
        );
    }
    let found = judged(root, &["K8S001", "K8S002", "K8S003"]);
    let place = |path: &str, rule: &str, line: usize, overlay: &str| {
        (path.to_owned(), rule.to_owned(), line, overlay.to_owned())
    };
    assert_eq!(
        found,
        [
            // The base's container, as preview (the first of the two) deploys it.
            place("base/deployment.yaml", "K8S001", 9, "preview"),
            place("preview/kustomization.yaml", "K8S003", 5, "preview"),
            place("qa/kustomization.yaml", "K8S003", 5, "qa"),
            place("staging/kustomization.yaml", "K8S002", 19, "staging"),
        ]
    );
}

/// A patch whose target is not in the build (a remote base) is judged on its own, as a part
/// of a resource; the overlay says why.
#[test]
fn a_patch_that_matches_nothing_is_judged_on_its_own() {
    let dir = common::git_repository();
    let root = dir.path();
    write(
        root,
        "prod/kustomization.yaml",
        "resources:\n  - https://github.com/acme/deploy//base?ref=v1\npatches:\n  - path: debug.yaml\n",
    );
    write(
        root,
        "prod/debug.yaml",
        &patch("          securityContext:\n            privileged: true\n"),
    );
    let report = common::scan_with(&[root], &[]);
    let found: Vec<(&str, &str, usize)> = report
        .findings
        .iter()
        .map(|f| (f.repo_path.as_str(), f.rule_id.as_str(), f.start.line))
        .collect();
    // Privileged, where the patch says it; nothing it leaves to the base is missing.
    assert_eq!(found, [("prod/debug.yaml", "K8S002", 11)], "{found:?}");
    let said: Vec<&str> = report
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        said.iter().any(|m| m.contains("is not fetched")
            && m.contains("a patch in debug.yaml matches no resource")),
        "{said:?}"
    );
}

/// A Secret generated from a literal commits the literal: reported there, its value masked in
/// every report; one generated from a file is reported at the entry naming the file.
#[test]
fn generated_secrets_are_reported_where_their_values_are_written() {
    let dir = common::git_repository();
    let root = dir.path();
    write(
        root,
        "app/kustomization.yaml",
        "secretGenerator:\n  - name: db\n    literals:\n      - DB_USER=reports\n      - DB_PASSWORD=Kq7vZ2xLm9Tp\n    files:\n      - api-token.txt\n",
    );
    write(root, "app/api-token.txt", "tok_8f3KzQ1wLm5NvR7x\n");
    let output = common::palisade_in(root)
        .args(["scan", "--format", "json", "--select", "K8S005", "."])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains("Kq7vZ2xLm9Tp") && !text.contains("tok_8f3KzQ1wLm5NvR7x"),
        "{text}"
    );
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let found: Vec<(&str, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("app/kustomization.yaml", 5, 9),
            ("app/kustomization.yaml", 7, 9)
        ],
        "{findings:#?}"
    );
    assert!(
        findings[0]["snippet"]
            .as_str()
            .unwrap()
            .contains("DB_PASSWORD=")
    );
    assert_eq!(findings[1]["related"][0]["path"], "app/api-token.txt");
}

/// Files named one by one (as a pre-commit hook names a commit's files) are judged by the
/// overlays that read them, though their kustomizations are not named.
#[test]
fn named_files_are_judged_by_the_overlays_that_read_them() {
    let dir = common::git_repository();
    let root = dir.path();
    write(
        root,
        "base/kustomization.yaml",
        "resources: [deployment.yaml]\n",
    );
    write(root, "base/deployment.yaml", BASE_DEPLOYMENT);
    write(
        root,
        "prod/kustomization.yaml",
        "resources: [../base]\nimages:\n  - name: registry.internal/web\n    newTag: 1.4.2\npatches:\n  - path: hardening.yaml\n",
    );
    write(
        root,
        "prod/hardening.yaml",
        &patch(
            "          securityContext:\n            runAsNonRoot: true\n            privileged: true\n",
        ),
    );
    let report = common::scan_with(&[&root.join("prod/hardening.yaml")], &[]);
    let found: Vec<(&str, &str, usize)> = report
        .findings
        .iter()
        .map(|f| (f.repo_path.as_str(), f.rule_id.as_str(), f.start.line))
        .collect();
    // What the patch sets, and nothing it leaves to the base.
    assert_eq!(found, [("prod/hardening.yaml", "K8S002", 12)], "{found:?}");
    // The base alone: its image is pinned and its user set by the overlay.
    let rules = ["K8S001".to_owned(), "K8S003".to_owned()];
    let report = common::scan_with(&[&root.join("base/deployment.yaml")], &rules);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}
