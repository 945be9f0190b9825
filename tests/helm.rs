//! Helm charts as users meet them: rendered without `helm`, findings at the template line with
//! the values line beside them, the user's values, charts that cannot render, archived
//! subcharts, staged changes, and templates that would never finish.

mod common;

use std::fs;
use std::io::Write as _;
use std::path::Path;

use serde_json::Value;

use common::{git, git_repository, palisade_in, write};

/// A chart whose image tag comes from values.yaml.
fn web_chart(dir: &Path, chart: &str, tag: &str) {
    write(
        dir,
        &format!("{chart}/Chart.yaml"),
        "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: \"1.4.0\"\n",
    );
    write(
        dir,
        &format!("{chart}/values.yaml"),
        &format!(
            "image:\n  repository: registry.example.com/web\n  tag: {tag}\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n"
        ),
    );
    write(
        dir,
        &format!("{chart}/templates/_helpers.tpl"),
        "{{- define \"web.name\" -}}\n{{ .Release.Name }}-{{ .Chart.Name }}\n{{- end -}}\n",
    );
    write(
        dir,
        &format!("{chart}/templates/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.name\" . }}\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n          securityContext:\n            {{- toYaml .Values.securityContext | nindent 12 }}\n",
    );
}

fn json_scan(dir: &Path, args: &[&str]) -> Value {
    let output = palisade_in(dir)
        .args([
            "scan",
            "--format",
            "json",
            "--no-config",
            "--fail-on",
            "none",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn findings_of<'v>(report: &'v Value, rule: &str) -> Vec<&'v Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

#[test]
fn a_finding_points_at_the_template_line_and_the_values_line() {
    let dir = tempfile::tempdir().unwrap();
    web_chart(dir.path(), "deploy/web", "latest");
    let report = json_scan(dir.path(), &["--select", "K8S003,K8S001", "."]);
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    let found = findings_of(&report, "K8S003");
    assert_eq!(found.len(), 1, "{report:#}");
    let finding = found[0];
    assert_eq!(finding["path"], "deploy/web/templates/deployment.yaml");
    assert_eq!(finding["start"]["line"], 14);
    assert_eq!(finding["rendered_from"], "deploy/web");
    assert_eq!(
        finding["related"],
        serde_json::json!([{"path": "deploy/web/values.yaml", "line": 3, "column": 8, "message": "the value comes from here"}])
    );
    // The values make the pod non-root: nothing to say.
    assert!(findings_of(&report, "K8S001").is_empty(), "{report:#}");

    let output = palisade_in(dir.path())
        .args([
            "scan",
            "--format",
            "sarif",
            "--no-config",
            "--select",
            "K8S003",
            ".",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(common::sarif_schema_errors(&sarif).is_empty());
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["properties"]["renderedFrom"], "deploy/web");
    let related = &result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "deploy/web/values.yaml");
    assert_eq!(related["region"]["startLine"], 3);
}

#[test]
fn the_users_values_decide_what_is_deployed() {
    let dir = tempfile::tempdir().unwrap();
    web_chart(dir.path(), "web", "\"1.4.0\"");
    let scan = |args: &[&str]| {
        let mut all = vec!["--select", "K8S003"];
        all.extend_from_slice(args);
        all.push("web");
        json_scan(dir.path(), &all)
    };
    assert!(findings_of(&scan(&[]), "K8S003").is_empty());

    write(dir.path(), "prod.yaml", "image:\n  tag: latest\n");
    let report = scan(&["--helm-values", "prod.yaml"]);
    let found = findings_of(&report, "K8S003");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["related"][0]["path"], "prod.yaml");
    assert_eq!(found[0]["related"][0]["line"], 2);

    // Assignments come after values files.
    let report = scan(&[
        "--helm-values",
        "prod.yaml",
        "--helm-set",
        "image.tag=1.4.1",
    ]);
    assert!(findings_of(&report, "K8S003").is_empty(), "{report:#}");

    // The configuration gives values per chart, relative to itself.
    write(
        dir.path(),
        ".palisade.yaml",
        "version: 1\nhelm:\n  charts:\n    web:\n      values: [prod.yaml]\n",
    );
    let output = palisade_in(dir.path())
        .args([
            "scan",
            "--format",
            "json",
            "--select",
            "K8S003",
            "--fail-on",
            "none",
            "web",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings_of(&report, "K8S003").len(), 1, "{report:#}");
    write(
        dir.path(),
        ".palisade.yaml",
        "version: 1\nhelm:\n  valuez: []\n",
    );
    palisade_in(dir.path())
        .args(["scan", "web"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("valuez"));
}

#[test]
fn a_chart_that_cannot_render_says_where_and_its_secrets_are_still_found() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/Chart.yaml",
        "apiVersion: v2\nname: db\nversion: 0.1.0\n",
    );
    write(
        dir.path(),
        "db/values.yaml",
        "auth:\n  # The installer must give it.\n  password: \"\"\n  githubToken: ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N\n",
    );
    write(
        dir.path(),
        "db/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {{ required \"auth.password is required\" .Values.auth.password }}\n",
    );
    write(
        dir.path(),
        "db/templates/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: db\nspec:\n  containers:\n    - name: db\n      image: postgres\n",
    );
    let report = json_scan(dir.path(), &["db"]);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{report:#}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["path"], "db/templates/secret.yaml");
    assert_eq!(diagnostic["kind"], "parse-error");
    assert_eq!(diagnostic["line"], 6);
    let message = diagnostic["message"].as_str().unwrap();
    assert!(
        message.contains("templates/secret.yaml:6: required: auth.password is required"),
        "{message}"
    );
    assert!(message.contains("--helm-set"), "{message}");
    // The other template is checked, and the values file is searched for secrets.
    assert_eq!(findings_of(&report, "K8S003").len(), 1, "{report:#}");
    let secrets = findings_of(&report, "SEC001");
    assert_eq!(secrets.len(), 1, "{report:#}");
    assert_eq!(secrets[0]["path"], "db/values.yaml");
    assert!(
        !report
            .to_string()
            .contains("ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N")
    );

    // With the value given, it renders.
    let report = json_scan(
        dir.path(),
        &["--helm-set", "auth.password=from-the-vault", "db"],
    );
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{report:#}");
}

/// A chart archive as `helm package` writes it: `name/Chart.yaml`, `name/templates/…`.
/// Names are written as given, `..` included, as a hostile archive would.
fn archive(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (path, text) in files {
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, text.as_bytes()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn archived_subcharts_are_rendered_with_the_parents_values() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - name: agent\n    version: 0.2.0\n    repository: https://charts.example.com\n",
    );
    write(
        dir.path(),
        "app/values.yaml",
        "agent:\n  privileged: true\n",
    );
    let bytes = archive(&[
        (
            "agent/Chart.yaml",
            "apiVersion: v2\nname: agent\nversion: 0.2.0\n",
        ),
        ("agent/values.yaml", "privileged: false\n"),
        (
            "agent/templates/daemonset.yaml",
            "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n        - name: agent\n          image: registry.example.com/agent:0.2.0\n          securityContext:\n            privileged: {{ .Values.privileged }}\n",
        ),
        ("agent/../../escape/templates/x.yaml", "never read"),
    ]);
    fs::create_dir_all(dir.path().join("app/charts")).unwrap();
    fs::File::create(dir.path().join("app/charts/agent-0.2.0.tgz"))
        .unwrap()
        .write_all(&bytes)
        .unwrap();
    let report = json_scan(dir.path(), &["--select", "K8S002", "."]);
    let found = findings_of(&report, "K8S002");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["path"], "app/Chart.yaml");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("(in charts/agent-0.2.0.tgz: templates/daemonset.yaml, line 16)"),
        "{message}"
    );
    assert_eq!(found[0]["related"][0]["path"], "app/values.yaml");

    // The parent turns it off.
    write(
        dir.path(),
        "app/values.yaml",
        "agent:\n  privileged: false\n",
    );
    let report = json_scan(dir.path(), &["--select", "K8S002", "app"]);
    assert!(findings_of(&report, "K8S002").is_empty(), "{report:#}");
}

#[test]
fn templates_that_never_finish_are_stopped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "c/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    write(
        dir.path(),
        "c/templates/loop.yaml",
        "{{- range until 100000 }}{{ range until 100000 }}x{{ end }}{{ end }}\n",
    );
    write(
        dir.path(),
        "c/templates/recursion.yaml",
        "{{- define \"self\" }}{{ include \"self\" . }}{{ end }}{{ include \"self\" . }}\n",
    );
    write(
        dir.path(),
        "c/templates/bomb.yaml",
        "{{- $s := \"xxxxxxxxxxxxxxxx\" }}{{ range until 40 }}{{ $s = printf \"%s%s\" $s $s }}{{ end }}{{ $s }}\n",
    );
    let report = json_scan(dir.path(), &["c"]);
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("16 MiB") || m.contains("32 MiB")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("too many steps")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("nest too deep")),
        "{messages:?}"
    );
}

#[test]
fn fingerprints_do_not_move_when_another_template_changes() {
    let dir = tempfile::tempdir().unwrap();
    web_chart(dir.path(), "web", "latest");
    let fingerprint = |dir: &Path| {
        let report = json_scan(dir, &["--select", "K8S003", "web"]);
        findings_of(&report, "K8S003")[0]["fingerprint"].clone()
    };
    let before = fingerprint(dir.path());
    write(
        dir.path(),
        "web/templates/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n",
    );
    write(
        dir.path(),
        "web/templates/_helpers.tpl",
        "{{/* Names. */}}\n{{- define \"web.name\" -}}\n{{ .Release.Name }}-{{ .Chart.Name }}\n{{- end -}}\n",
    );
    assert_eq!(fingerprint(dir.path()), before);
}

#[test]
fn render_prints_what_the_scan_checks() {
    let dir = tempfile::tempdir().unwrap();
    web_chart(dir.path(), "web", "latest");
    let output = palisade_in(dir.path())
        .args(["render", "web", "--helm-set", "image.tag=2.0.0"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("---\n# Source: templates/deployment.yaml\n"),
        "{text}"
    );
    assert!(
        text.contains("image: \"registry.example.com/web:2.0.0\""),
        "{text}"
    );
    assert!(text.contains("name: release-name-web\n"), "{text}");
    assert!(text.contains("            runAsUser: 10001\n"), "{text}");
    palisade_in(dir.path())
        .args(["render", "nowhere"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no Chart.yaml"));
}

#[test]
fn a_staged_values_change_is_judged_in_the_templates_it_renders() {
    let dir = git_repository();
    web_chart(dir.path(), "web", "\"1.4.0\"");
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "chart"]);
    write(
        dir.path(),
        "web/values.yaml",
        "image:\n  repository: registry.example.com/web\n  tag: latest\nsecurityContext:\n  runAsNonRoot: true\n  runAsUser: 10001\n",
    );
    git(dir.path(), &["add", "web/values.yaml"]);
    // Unstaged edits are not what will be committed.
    write(dir.path(), "web/templates/deployment.yaml", "not: [valid\n");
    let output = palisade_in(dir.path())
        .args([
            "scan",
            "--staged",
            "--format",
            "json",
            "--no-config",
            "--select",
            "K8S003",
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found = findings_of(&report, "K8S003");
    assert_eq!(found.len(), 1, "{report:#}");
    assert_eq!(found[0]["path"], "web/templates/deployment.yaml");
    assert_eq!(found[0]["related"][0]["path"], "web/values.yaml");
    assert_eq!(report["diagnostics"], serde_json::json!([]));
}

#[test]
fn a_kustomization_inflating_charts_says_they_are_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "overlay/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nhelmCharts:\n  - name: redis\n    repo: https://charts.example.com\n",
    );
    let report = json_scan(dir.path(), &["overlay"]);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{report:#}");
    assert_eq!(diagnostics[0]["kind"], "skipped");
    assert_eq!(diagnostics[0]["line"], 3);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("helmCharts are not inflated")
    );
}

/// The render of a fixture chart (helpers, `toYaml`, `range` over a map with `$`, a subchart
/// whose values the parent overrides, a disabled dependency that is not vendored), written down
/// as `helm template` gives it, documents separated the same way.
#[test]
fn a_chart_renders_as_helm_template_does() {
    let output = palisade_in(&common::root())
        .args([
            "render",
            "fixtures/kubernetes/K8S001/bad-helm-subchart-and-overrides",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected =
        fs::read_to_string(common::root().join("tests/helm-expected-subchart-and-overrides.yaml"))
            .unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
}

#[test]
fn render_never_prints_a_secret_or_a_control_character() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "c/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 1.0.0\n",
    );
    write(
        dir.path(),
        "c/values.yaml",
        "token: ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N\npassword: Zq8Kx2Lm9Wv4Rt7Y\nbanner: \"\\e]0;owned\\a\"\n",
    );
    write(
        dir.path(),
        "c/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: {{ .Values.password }}\n  token: {{ .Values.token }}\n  banner: {{ .Values.banner }}\n",
    );
    let output = palisade_in(dir.path())
        .args(["render", "c"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains("Zq8Kx2Lm9Wv4Rt7Y"), "{text}");
    assert!(
        !text.contains("ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N"),
        "{text}"
    );
    assert!(text.contains("token: ghp_********Ue7N\n"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
}
