//! The binary as users run it: commands, flags, exit codes, output formats.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn palisade() -> Command {
    let mut command = Command::cargo_bin("palisade").unwrap();
    command.current_dir(common::root()).env_remove("NO_COLOR");
    command
}

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const ROOT_IMAGE: &str = "FROM alpine:3.20\nHEALTHCHECK NONE\nCMD [\"sh\"]\n";
const CLEAN_IMAGE: &str = "FROM alpine:3.20\nHEALTHCHECK NONE\nUSER 10001\nCMD [\"sh\"]\n";

#[test]
fn findings_give_exit_1_and_a_readable_report() {
    palisade()
        .args([
            "scan",
            "fixtures/dockerfile/DKR001/bad-root-last.Dockerfile",
            "--color",
            "never",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "high[DKR001] last-user-root: the final image runs as root (`USER root`)",
        ))
        .stdout(predicate::str::contains(
            "--> fixtures/dockerfile/DKR001/bad-root-last.Dockerfile:7:1",
        ))
        .stdout(predicate::str::contains("7 | USER root\n  | ^^^^^^^^^\n"))
        .stdout(predicate::str::contains(
            "= fix: Create an unprivileged user",
        ))
        .stdout(predicate::str::contains("in 1 file checked"));
}

#[test]
fn a_clean_tree_gives_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", CLEAN_IMAGE);
    palisade()
        .args(["scan", "--color", "never"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No findings in 1 file checked"));
}

#[test]
fn the_gate_follows_fail_on() {
    let file = "fixtures/dockerfile/DKR001/bad-root-last.Dockerfile";
    let run = |gate: &str| {
        palisade()
            .args(["scan", file, "--select", "DKR001", "--fail-on", gate])
            .assert()
    };
    run("high").code(1);
    run("low").code(1);
    run("critical").code(0);
    run("none").code(0);
}

#[test]
fn min_severity_select_and_ignore_filter_rules() {
    let file = "fixtures/dockerfile/DKR001/bad-no-user.Dockerfile";
    let json = |args: &[&str]| -> Vec<String> {
        let output = palisade()
            .args(["scan", file, "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(json(&[]), ["DKR001", "DKR015"]);
    assert_eq!(json(&["--min-severity", "high"]), ["DKR001"]);
    assert_eq!(json(&["--select", "missing-healthcheck"]), ["DKR015"]);
    assert_eq!(
        json(&["--ignore", "DKR015,last-user-root"]),
        Vec::<String>::new()
    );
}

#[test]
fn usage_errors_give_exit_2() {
    palisade()
        .args(["scan", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no such file or directory: no/such/dir",
        ));
    palisade()
        .args(["scan", "--select", "DKR999", "fixtures"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule or policy `DKR999`"));
    palisade()
        .args(["scan", "--format", "xml"])
        .assert()
        .code(2);
    palisade()
        .args(["scan", "--exclude", "a[", "fixtures"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid --exclude"));
    palisade().args(["explain", "nope"]).assert().code(2);
    palisade().args(["frobnicate"]).assert().code(2);
    palisade()
        .args(["scan", "fixtures", "--output", "/no/such/dir/out.json"])
        .assert()
        .code(2);
}

#[test]
fn output_goes_to_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    palisade()
        .args([
            "scan",
            "fixtures/dockerfile/DKR002",
            "--format",
            "json",
            "--output",
        ])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let document: Value = serde_json::from_str(&fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(document["version"], 1);
}

#[test]
fn json_report_has_the_documented_shape() {
    let output = palisade()
        .args([
            "scan",
            "fixtures/dockerfile/DKR003/bad-expose.Dockerfile",
            "--format",
            "json",
            "--select",
            "DKR003",
        ])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["version"], 1);
    assert_eq!(document["tool"]["name"], "palisade");
    assert_eq!(document["summary"]["files_scanned"], 1);
    assert_eq!(document["summary"]["findings"], 3);
    assert_eq!(document["summary"]["by_severity"]["high"], 3);
    let first = &document["findings"][0];
    assert_eq!(first["rule_id"], "DKR003");
    assert_eq!(first["rule_name"], "exposed-ssh-port");
    assert_eq!(first["severity"], "high");
    assert_eq!(first["policy"], "no-public-ssh");
    assert_eq!(
        first["path"],
        "fixtures/dockerfile/DKR003/bad-expose.Dockerfile"
    );
    assert_eq!(first["start"], serde_json::json!({"line": 4, "column": 8}));
    assert_eq!(first["end"], serde_json::json!({"line": 4, "column": 10}));
    assert_eq!(first["snippet"], "EXPOSE 22");
    assert_eq!(first["fingerprint"].as_str().unwrap().len(), 64);
}

#[test]
fn secrets_are_never_printed_whole() {
    let secrets = [
        // Dockerfiles
        "Xq7vLp2mZ9rT",
        "k3Jd8sLq0Zp4Wm7Xn2Bv",
        "hGf83kdLq92mZpX0",
        "AKIAZQ3MPLEXAMPLEQ7Z",
        "Tr0ub4dor3x",
        "npm_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
        "ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa",
        "pL4nT3dS3cr3tV4lu3",
        // Kubernetes
        "k8sPassw0rd-Prod!",
        "ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBb",
        "s3cretRedisPw",
        "UHIwZC1EQi1wYXNzLTIwMjQ=",
        "sk_live_51HxQ2vLk9mZpT3rW8yN4bC7dE",
        // Terraform
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
        "ghp_Tf9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa",
        "Tf-Var-Pw-2291x",
        "Tf-db-Pw-6183",
        "sk_live_51TfQ2vLk9mZpT3rW8yN4bC7dE",
        "Tfvars-Tok-5521x",
        // Terraform JSON, also where the JSON escapes it
        "AKIAZQ3MPLEXAMPLEJS9",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzJSONKEY",
        r"wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYzJSONKEY",
        "Json-Var-Pw-7731",
        "Json-Db-Pw-4410",
        "sk_live_51JsQ2vLk9mZpT3rW8yN4bC7dE",
        "Json-Tfvars-Tok-9902",
        // Compose
        "Cmp-db-Pw-4491",
        "q8Zr2mKx7vLp4NbT",
        "tok-7Hq2Lm9Xv4Rs",
        "Zq9mXv4Lp",
    ];
    let directories = [
        "fixtures/dockerfile/DKR004",
        "fixtures/kubernetes/K8S004",
        "fixtures/kubernetes/K8S005",
        "fixtures/compose/CMP004",
        "fixtures/terraform/TFM004/bad-module",
        "fixtures/terraform/TFM004/bad-json",
    ];
    for format in ["text", "json", "sarif", "github", "gitlab", "junit"] {
        let output = palisade()
            .arg("scan")
            .args(directories)
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let stdout = String::from_utf8(output.stdout).unwrap();
        for rule in ["DKR004", "K8S004", "K8S005", "CMP004", "TFM004"] {
            assert!(stdout.contains(rule), "{format}: no {rule} finding");
        }
        for secret in secrets {
            assert!(!stdout.contains(secret), "{format} output leaks {secret}");
        }
    }
}

#[test]
fn rules_and_explain_document_the_catalog() {
    palisade()
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("DKR001  high     no-root"));
    let output = palisade()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        rules.as_array().unwrap().len(),
        palisade::Catalog::builtin().rules().len()
    );
    palisade()
        .args(["explain", "last-user-root"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "DKR001 last-user-root: Final image runs as root",
        ))
        .stdout(predicate::str::contains("How to fix:"))
        .stdout(predicate::str::contains("Flagged:"));
}

/// The README describes the catalog by policy (the rules themselves are listed by
/// `palisade rules`, so that adding one touches only its YAML, its check and its fixtures): every
/// policy a rule uses has its row.
#[test]
fn readme_names_every_policy_of_the_catalog() {
    let output = palisade()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let readme = fs::read_to_string(common::root().join("README.md")).unwrap();
    for rule in rules.as_array().unwrap() {
        let policy = rule["policy"].as_str().unwrap();
        assert!(
            readme.contains(&format!("| `{policy}` |")),
            "README's policy table has no row for `{policy}` ({})",
            rule["id"]
        );
    }
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let file = "fixtures/dockerfile/DKR001/bad-uid-zero.Dockerfile";
    let always = palisade()
        .args(["scan", file, "--color", "always"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(always.stdout)
            .unwrap()
            .contains("\u{1b}[")
    );
    // Not a terminal: no colour by default.
    let auto = palisade().args(["scan", file]).output().unwrap();
    assert!(!String::from_utf8(auto.stdout).unwrap().contains("\u{1b}["));
}

#[test]
fn quiet_prints_findings_only() {
    let file = "fixtures/dockerfile/DKR001/bad-uid-zero.Dockerfile";
    let output = palisade()
        .args(["scan", file, "-q", "--select", "DKR001"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("DKR001"));
    assert!(!stdout.contains("checked"));
}

#[test]
fn bad_files_become_diagnostics_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken/Dockerfile",
        "FROM alpine:3.20\nFROBNICATE everything\n",
    );
    write(dir.path(), "no-from/Dockerfile", "RUN echo hi\n");
    write(dir.path(), "empty/Dockerfile", "");
    write(dir.path(), "app/Dockerfile", ROOT_IMAGE);
    fs::write(
        dir.path().join("binary.Dockerfile"),
        b"FROM alpine\n\0\x01\x02\xff",
    )
    .unwrap();
    fs::write(
        dir.path().join("latin1.Dockerfile"),
        b"FROM alpine:3.20\nLABEL author=\"Jos\xe9\"\n",
    )
    .unwrap();
    write(
        dir.path(),
        "big/Dockerfile",
        &format!("FROM alpine:3.20\n{}", "RUN true\n".repeat(2000)),
    );
    write(
        dir.path(),
        "bom.Dockerfile",
        "\u{feff}FROM alpine:3.20\r\nHEALTHCHECK NONE\r\nUSER root\r\n",
    );

    let output = palisade()
        .args(["scan", "--format", "json", "--max-file-size", "10000"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "findings in good files still fail the gate"
    );
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    // Read: app, bom, broken, no-from, empty, latin1; not read: binary, big.
    assert_eq!(document["summary"]["files_scanned"], 6);
    assert_eq!(document["summary"]["files_unparsed"], 4);
    assert_eq!(document["summary"]["files_not_checked"], 2);
    for diagnostic in document["diagnostics"].as_array().unwrap() {
        let line = &diagnostic["line"];
        assert!(
            line.is_null() || line.as_u64().unwrap() >= 1,
            "{diagnostic}"
        );
    }
    let findings: Vec<(String, String, u64)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                relative(&f["path"], dir.path()),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        findings.contains(&("app/Dockerfile".into(), "DKR001".into(), 1)),
        "{findings:?}"
    );
    assert!(
        findings.contains(&("bom.Dockerfile".into(), "DKR001".into(), 3)),
        "{findings:?}"
    );
    let diagnostics: Vec<(String, String)> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                relative(&d["path"], dir.path()),
                d["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("broken/Dockerfile", "parse-error"),
        ("no-from/Dockerfile", "parse-error"),
        ("binary.Dockerfile", "skipped"),
        ("latin1.Dockerfile", "parse-error"),
        ("empty/Dockerfile", "parse-error"),
        ("big/Dockerfile", "skipped"),
    ] {
        assert!(
            diagnostics.contains(&(expected.0.into(), expected.1.into())),
            "missing {expected:?} in {diagnostics:?}"
        );
    }

    let text = palisade()
        .args(["scan", "--color", "never", "--max-file-size", "10000"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(
        stdout.contains("warning: ")
            && stdout.contains("broken/Dockerfile:2:1: not checked: invalid dockerfile"),
        "{stdout}"
    );
    assert!(stdout.contains("2 files or links were skipped"), "{stdout}");
    let verbose = palisade()
        .args(["scan", "-v", "--color", "never", "--max-file-size", "10000"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(verbose.stdout).unwrap();
    assert!(
        stdout.contains("binary.Dockerfile: skipped: binary file"),
        "{stdout}"
    );
    assert!(stdout.contains("over the 10000-byte limit"), "{stdout}");
}

/// The path of a JSON report entry, relative to the scanned directory.
fn relative(path: &Value, dir: &Path) -> String {
    let path = path.as_str().unwrap();
    path.strip_prefix(dir.to_str().unwrap())
        .unwrap_or(path)
        .trim_start_matches('/')
        .to_owned()
}

#[test]
fn discovery_honours_ignore_files_hidden_files_and_excludes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/Dockerfile", ROOT_IMAGE);
    write(dir.path(), ".devcontainer/Dockerfile", ROOT_IMAGE);
    write(dir.path(), ".git/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "vendor/lib/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "deploy/legacy/Dockerfile", ROOT_IMAGE);
    write(dir.path(), "services/api/Dockerfile.prod", ROOT_IMAGE);
    write(dir.path(), "services/api/worker.dockerfile", ROOT_IMAGE);
    write(dir.path(), "services/api/Containerfile", ROOT_IMAGE);

    let scanned = |extra: &[&str]| -> Vec<String> {
        let output = palisade()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut paths: Vec<String> = document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect();
        paths.dedup();
        paths
    };
    assert_eq!(
        scanned(&[]),
        [
            ".devcontainer/Dockerfile",
            "deploy/legacy/Dockerfile",
            "services/api/Containerfile",
            "services/api/Dockerfile.prod",
            "services/api/worker.dockerfile",
            "vendor/lib/Dockerfile",
        ]
    );
    let with_ignored = scanned(&["--no-ignore"]);
    assert!(with_ignored.contains(&"generated/Dockerfile".to_owned()));
    assert!(
        !with_ignored.iter().any(|p| p.starts_with(".git/")),
        ".git is never scanned"
    );
    assert_eq!(
        scanned(&[
            "--exclude",
            "vendor",
            "--exclude",
            "deploy/legacy/**",
            "--exclude",
            "*.dockerfile"
        ]),
        [
            ".devcontainer/Dockerfile",
            "services/api/Containerfile",
            "services/api/Dockerfile.prod"
        ]
    );
    // A file named explicitly is scanned even if ignored, and whatever its name.
    write(dir.path(), "generated/custom-name", ROOT_IMAGE);
    let output = palisade()
        .current_dir(dir.path())
        .args(["scan", "generated/Dockerfile", "--select", "DKR001"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "Dockerfile", ROOT_IMAGE);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app/Dockerfile", CLEAN_IMAGE);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("Dockerfile"),
        dir.path().join("linked.Dockerfile"),
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("app/loop")).unwrap();

    let output = palisade()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "nothing outside the root is scanned"
    );
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["summary"]["files_scanned"], 1);
    let skipped = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "skipped")
        .count();
    assert_eq!(skipped, 3, "{document}");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..300 {
        let text = match i % 4 {
            0 => ROOT_IMAGE.to_owned(),
            1 => format!(
                "ARG V=latest\nFROM node:$V\nEXPOSE 22 {i}\nENV API_KEY=k3Jd8sLq0Zp4Wm{i:04}\n"
            ),
            2 => "FROM alpine:3.20\nBROKEN\n".to_owned(),
            _ => CLEAN_IMAGE.to_owned(),
        };
        write(dir.path(), &format!("svc{:03}/Dockerfile", i), &text);
    }
    for format in ["json", "sarif", "text"] {
        let run = |jobs: &str| {
            let output = palisade()
                .current_dir(dir.path())
                .args([
                    "scan", "--color", "never", "--format", format, "--jobs", jobs,
                ])
                .output()
                .unwrap();
            let stdout = String::from_utf8(output.stdout).unwrap();
            // The text summary ends with the elapsed time, the one thing allowed to differ.
            stdout
                .rsplit_once(" (")
                .map_or(stdout.clone(), |(head, _)| {
                    if format == "text" {
                        head.to_owned()
                    } else {
                        stdout.clone()
                    }
                })
        };
        assert_eq!(
            run("1"),
            run("8"),
            "{format} output depends on the thread count"
        );
    }
}

#[test]
fn fingerprints_survive_lines_moving() {
    let dir = tempfile::tempdir().unwrap();
    let before = "FROM alpine:3.20\nENV API_KEY=k3Jd8sLq0Zp4Wm7Xn2Bv\nEXPOSE 22\nUSER root\n";
    let after = "# Rewritten header\nFROM alpine:3.20\n\nLABEL team=payments\nENV   API_KEY=k3Jd8sLq0Zp4Wm7Xn2Bv\nEXPOSE 8080\nEXPOSE 22\nUSER root\n";
    let fingerprints = |text: &str| {
        write(dir.path(), "Dockerfile", text);
        let output = palisade()
            .arg("scan")
            .arg(dir.path().join("Dockerfile"))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut prints: Vec<(String, String)> = document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_owned(),
                    f["fingerprint"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        prints.sort();
        prints
    };
    let old = fingerprints(before);
    assert_eq!(old.len(), 4);
    assert_eq!(old, fingerprints(after));
    // A changed offending text is a new finding.
    assert_ne!(old, fingerprints(&before.replace("USER root", "USER 0")));
    // A secret is not part of its fingerprint (which could otherwise be tested against guesses):
    // rotated in place, it is the same finding.
    assert_eq!(old, fingerprints(&before.replace("k3Jd8", "z9Qq1")));
}

#[test]
fn kubernetes_json_and_compose_files_are_recognised_by_content_and_name() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deploy/debug.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug"},
  "spec": {"containers": [{"name": "debug", "image": "busybox:1.36.1",
    "securityContext": {"privileged": true}}]}}"#,
    );
    // Named like a compose file: its services count even without `image` or `build`.
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  tools:\n    extends: {file: base.yaml, service: tools}\n    privileged: true\n",
    );
    // Other YAML with services only counts when they look like compose services.
    write(
        dir.path(),
        "stack.yml",
        "services:\n  db:\n    image: postgres:17.2\n    privileged: true\n",
    );
    write(
        dir.path(),
        "registry.yml",
        "services:\n  db:\n    url: https://db.internal\n    privileged: true\n",
    );
    write(
        dir.path(),
        "package.json",
        r#"{"name": "shop", "private": true}"#,
    );

    let output = palisade()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--select", "K8S002,CMP002"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(String, String, u64)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("compose.yaml".to_owned(), "CMP002".to_owned(), 4),
            ("deploy/debug.json".to_owned(), "K8S002".to_owned(), 3),
            ("stack.yml".to_owned(), "CMP002".to_owned(), 4),
        ]
    );
    assert_eq!(document["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn terraform_files_are_checked_with_their_module() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/variables.tf",
        "variable \"public\" {\n  default = false\n}\n",
    );
    write(dir.path(), "db/terraform.tfvars", "public = true\n");
    write(
        dir.path(),
        "db/main.tf",
        "resource \"aws_db_instance\" \"main\" {\n  engine              = \"postgres\"\n  publicly_accessible = var.public\n}\n",
    );
    write(dir.path(), "db/broken.tf", "resource \"aws_s3_bucket\" {\n");
    let findings = |args: &[&str]| -> (Vec<(String, u64, String)>, Value) {
        let output = palisade()
            .current_dir(dir.path())
            .args(["scan", "--format", "json", "--select", "TFM003"])
            .args(args)
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        let found = document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["start"]["line"].as_u64().unwrap(),
                    f["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        (found, document)
    };
    let expected = vec![(
        "db/main.tf".to_owned(),
        3,
        "aws_db_instance.main has a public endpoint (from `var.public`)".to_owned(),
    )];
    // Scanning one file (a pre-commit hook) still reads the module's variables and tfvars.
    let (single, _) = findings(&["db/main.tf"]);
    assert_eq!(single, expected);
    // The whole tree: the broken file is a diagnostic, the rest of its module is still checked.
    let (all, document) = findings(&[]);
    assert_eq!(all, expected);
    assert_eq!(document["summary"]["files_scanned"], 4);
    assert_eq!(document["summary"]["files_unparsed"], 1);
    assert_eq!(document["diagnostics"][0]["path"], "db/broken.tf");
}

#[test]
fn terraform_json_is_read_with_its_module_and_reported_where_written() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "net/variables.tf",
        "variable \"admin\" {\n  default = [\"10.0.0.0/8\"]\n}\n",
    );
    write(
        dir.path(),
        "net/terraform.tfvars.json",
        "{\n  \"admin\": [\"0.0.0.0/0\"]\n}\n",
    );
    write(
        dir.path(),
        "net/main.tf.json",
        "{\"resource\": {\"aws_security_group_rule\": {\"ssh\": {\n  \"type\": \"ingress\", \"from_port\": 22, \"to_port\": 22, \"protocol\": \"tcp\",\n  \"cidr_blocks\": \"${var.admin}\"\n}}}}\n",
    );
    write(
        dir.path(),
        "net/broken.tf.json",
        "{\n  \"resource\": {\n    \"x\": 1,\n  }\n}\n",
    );
    write(
        dir.path(),
        "net/template.tf.json",
        "{\"locals\": {\n  \"a\": \"ok\",\n  \"b\": \"${var.}\"\n}}\n",
    );
    let output = palisade()
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--select", "TFM001"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = &document["findings"][0];
    assert_eq!(document["findings"].as_array().unwrap().len(), 1);
    assert_eq!(finding["path"], "net/main.tf.json");
    assert_eq!(finding["start"]["line"], 3);
    assert_eq!(finding["start"]["column"], 3);
    assert_eq!(finding["end"]["column"], 32);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .ends_with("(from `var.admin`)")
    );
    // Invalid JSON, and valid JSON holding an invalid expression: diagnostics with positions.
    let diagnostics: Vec<(String, u64, u64)> = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        diagnostics,
        [
            ("net/broken.tf.json".to_owned(), 3, 11),
            ("net/template.tf.json".to_owned(), 3, 15),
        ]
    );
    assert_eq!(document["summary"]["files_scanned"], 5);
}

#[test]
fn secret_findings_name_their_detector_in_json_and_sarif() {
    let files = [
        "fixtures/secrets/SEC001/bad-config.env",
        "fixtures/secrets/SEC002/bad-service.rs",
    ];
    let output = palisade()
        .arg("scan")
        .args(files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let detectors: BTreeSet<(&str, &str)> = findings
        .iter()
        .map(|f| {
            let rule = f["rule_id"].as_str().unwrap();
            (
                rule,
                f["detector"].as_str().expect("a secret names its detector"),
            )
        })
        .collect();
    assert!(
        detectors.contains(&("SEC002", "secret-assignment")),
        "{detectors:?}"
    );
    let provider: Vec<&str> = detectors
        .iter()
        .filter(|(rule, _)| *rule == "SEC001")
        .map(|(_, detector)| *detector)
        .collect();
    assert!(!provider.is_empty());
    for detector in &provider {
        assert!(findings.iter().any(|f| {
            f["message"]
                .as_str()
                .unwrap()
                .contains(&format!("detector `{detector}`"))
        }));
    }
    let output = palisade()
        .arg("scan")
        .args(files)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for result in results {
        assert!(result["properties"]["detector"].is_string(), "{result}");
    }
}

#[test]
fn secrets_in_rust_test_code_are_lowered() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("src")).unwrap();
    fs::write(
        dir.path().join("src/lib.rs"),
        "pub const DB_PASSWORD: &str = \"Pq7mWx2LkR9s\";\n\
         // pub const OLD_PASSWORD: &str = \"Rn5vXq8LmZ2k\";\n\
         #[cfg(test)]\nmod tests {\n    const PASSWORD: &str = \"Tq3mXz8LpW5k\";\n}\n",
    )
    .unwrap();
    let output = palisade()
        .args(["scan", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(u64, &str, bool)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["start"]["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap().ends_with(" (in test code)"),
            )
        })
        .collect();
    // The commented-out constant on line 2 is prose to Rust's syntax, not a binding.
    assert_eq!(found, [(1, "high", false), (5, "medium", true)]);
    palisade()
        .args(["scan", "--test-secrets", "keep", "--format", "json"])
        .arg(dir.path())
        .assert()
        .stdout(predicate::str::contains("(in test code)").not());
}

/// `--select` and `--ignore` take policy names as well as rule ids and names, and so does the
/// configuration file.
#[test]
fn rules_are_selected_by_policy() {
    let rules_of = |args: &[&str]| -> BTreeSet<String> {
        let output = palisade()
            .args(["scan", "fixtures", "--format", "json", "--no-config"])
            .args(args)
            .output()
            .unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f["policy"].as_str().unwrap().to_owned() + " " + f["rule_id"].as_str().unwrap()
            })
            .collect()
    };
    let selected = rules_of(&["--select", "no-root,DKR002"]);
    assert!(selected.contains("no-root DKR001"), "{selected:?}");
    assert!(selected.contains("no-root K8S001"), "{selected:?}");
    assert!(selected.contains("no-latest DKR002"), "{selected:?}");
    assert!(
        selected
            .iter()
            .all(|r| r.starts_with("no-root ") || r == "no-latest DKR002"),
        "{selected:?}"
    );
    let ignored = rules_of(&["--ignore", "hardening,reliability,hygiene"]);
    assert!(!ignored.is_empty());
    assert!(
        ignored
            .iter()
            .all(|r| r.starts_with("no-") || r.starts_with("supply-chain")),
        "{ignored:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".palisade.yaml"),
        "rules:\n  select: [no-latest]\n  severity:\n    no-latest: low\n",
    )
    .unwrap();
    fs::write(dir.path().join("Dockerfile"), "FROM ubuntu:latest\n").unwrap();
    let output = palisade()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings: Vec<(&str, &str)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(findings, [("DKR002", "low")]);
}

/// `-` scans standard input, named by `--stdin-filename` (which decides its kind).
#[test]
fn standard_input_is_scanned_as_the_file_it_names() {
    let output = palisade()
        .args([
            "scan",
            "-",
            "--stdin-filename",
            "deploy/Dockerfile",
            "--format",
            "json",
        ])
        .write_stdin("FROM ubuntu:latest\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: BTreeSet<(String, String)> = document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(found.contains(&("deploy/Dockerfile".to_owned(), "DKR002".to_owned())));
    // Unnamed, it is text: only secrets are looked for.
    palisade()
        .args(["scan", "-"])
        .write_stdin("FROM ubuntu:latest\n")
        .assert()
        .code(0);
    palisade()
        .args(["scan", "-", "fixtures"])
        .write_stdin("")
        .assert()
        .code(2);
}

/// The text report sums up findings per rule; `CLICOLOR_FORCE` and `FORCE_COLOR` colour it
/// when it is not a terminal, and `NO_COLOR` wins over them.
#[test]
fn text_report_tallies_rules_and_honours_colour_variables() {
    let run = |vars: &[(&str, &str)]| {
        let mut command = palisade();
        command
            .args(["scan", "-", "--stdin-filename", "Dockerfile"])
            .write_stdin("FROM ubuntu:latest\n")
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("FORCE_COLOR");
        for (name, value) in vars {
            command.env(name, value);
        }
        String::from_utf8(command.output().unwrap().stdout).unwrap()
    };
    let plain = run(&[]);
    assert!(!plain.contains('\u{1b}'));
    assert!(
        plain
            .lines()
            .any(|line| line.trim_start().starts_with("1  high     DKR001")),
        "{plain}"
    );
    assert!(run(&[("CLICOLOR_FORCE", "1")]).contains('\u{1b}'));
    assert!(run(&[("FORCE_COLOR", "1")]).contains('\u{1b}'));
    assert!(!run(&[("FORCE_COLOR", "0")]).contains('\u{1b}'));
    assert!(!run(&[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));
}

/// Shell completions and the man page come from the command-line definition itself.
#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = palisade().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains("stdin-filename"), "{shell}");
    }
    let bash = palisade()
        .args(["completions", "bash"])
        .output()
        .unwrap()
        .stdout;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("palisade.bash"), bash).unwrap();
    if let Ok(status) = std::process::Command::new("bash")
        .arg("-n")
        .arg(dir.path().join("palisade.bash"))
        .status()
    {
        assert!(
            status.success(),
            "the bash completion script does not parse"
        );
    }
    let man = String::from_utf8(palisade().arg("man").output().unwrap().stdout).unwrap();
    assert!(man.contains(".TH palisade 1"), "{man}");
    assert!(man.contains(".SH NAME") && man.contains("scan"), "{man}");
}

/// The JSON report's published schema (`schemas/report.schema.json`) holds for real output:
/// every fixture (findings of every rule, secrets with detectors, suppressed findings,
/// unparsable files), a baseline run and an empty one.
#[test]
fn json_reports_follow_the_published_schema() {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string("schemas/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let mixed = dir.path().join("mixed");
    fs::create_dir(&mixed).unwrap();
    fs::write(
        mixed.join("broken.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: [\n",
    )
    .unwrap();
    fs::write(mixed.join("image.png"), b"\x89PNG\0\0").unwrap();
    fs::write(
        mixed.join("Dockerfile"),
        "FROM alpine:3.20\n# palisade:ignore[DKR001] drops privileges in its entrypoint\nUSER root\n",
    )
    .unwrap();
    fs::write(
        mixed.join("app.py"),
        "token = \"ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N\"\n",
    )
    .unwrap();
    let mixed = mixed.to_str().unwrap();
    for args in [
        vec!["scan", "fixtures", "--format", "json"],
        vec!["scan", mixed, "--format", "json", "-j", "1"],
        vec!["scan", empty.to_str().unwrap(), "--format", "json"],
    ] {
        let output = palisade().args(&args).output().unwrap();
        let document: Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .take(5)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
    // Every optional part was exercised.
    let output = palisade()
        .args(["scan", mixed, "--format", "json"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!document["suppressed"].as_array().unwrap().is_empty());
    assert!(!document["diagnostics"].as_array().unwrap().is_empty());
    assert!(
        document["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.get("detector").is_some())
    );
}

/// Progress is shown only on a terminal: a piped standard error (CI logs) never gets it.
#[test]
fn no_progress_line_when_standard_error_is_not_a_terminal() {
    let output = palisade()
        .args(["scan", "fixtures", "-j", "1", "--fail-on", "none"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        !stderr.contains("files checked") && !stderr.contains('\r'),
        "{stderr}"
    );
}

/// A container whose root comes from the Dockerfile the repository builds it from is reported
/// at the container and points at the Dockerfile's line, in JSON and in SARIF, for compose and
/// Kubernetes alike.
#[test]
fn findings_across_files_point_at_the_dockerfile_they_depend_on() {
    for (fixture, rule, dockerfile) in [
        (
            "fixtures/compose/CMP001/bad-built-as-root",
            "CMP001",
            "fixtures/compose/CMP001/bad-built-as-root/api/Dockerfile",
        ),
        (
            "fixtures/kubernetes/K8S001/bad-built-as-root",
            "K8S001",
            "fixtures/kubernetes/K8S001/bad-built-as-root/services/api/Dockerfile",
        ),
    ] {
        let output = palisade()
            .args(["scan", fixture, "--select", rule, "--format", "json"])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let related: Vec<(String, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|finding| finding["related"].as_array().cloned().unwrap_or_default())
            .map(|place| {
                (
                    place["path"].as_str().unwrap().to_owned(),
                    place["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert!(
            related.contains(&(dockerfile.to_owned(), 5)),
            "{rule}: {related:?}"
        );

        let output = palisade()
            .args(["scan", fixture, "--select", rule, "--format", "sarif"])
            .output()
            .unwrap();
        let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
        let uris: Vec<&str> = sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|result| result["relatedLocations"].as_array().unwrap().iter())
            .filter_map(|place| place["physicalLocation"]["artifactLocation"]["uri"].as_str())
            .collect();
        assert!(
            uris.iter().any(|uri| uri.ends_with(dockerfile)),
            "{rule}: {uris:?}"
        );
    }
}

/// `palisade compliance` lists the frameworks; with one, its controls, each checked, partly
/// checked or not checked, with the rules that check it; an unknown one is a usage error.
#[test]
fn compliance_lists_frameworks_and_their_controls() {
    let listing = palisade().arg("compliance").assert().success();
    let text = String::from_utf8(listing.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("pss-restricted") && text.contains("cis-docker-4"),
        "{text}"
    );
    let controls = palisade()
        .args(["compliance", "pss-baseline"])
        .assert()
        .success();
    let text = String::from_utf8(controls.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("privileged-containers") && text.contains("[K8S002]"),
        "{text}"
    );
    let controls = palisade()
        .args(["compliance", "cis-docker-4"])
        .assert()
        .success();
    let text = String::from_utf8(controls.get_output().stdout.clone()).unwrap();
    assert!(text.contains("not checked"), "{text}");
    let json = palisade()
        .args(["compliance", "cis-docker-4", "--format", "json"])
        .assert()
        .success();
    let frameworks: Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(frameworks[0]["controls"][0]["id"], "4.1");
    assert_eq!(frameworks[0]["controls"][0]["rules"][0], "DKR001");
    palisade()
        .args(["compliance", "nist-800-53"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown framework"));
}

/// `scan --compliance pss-restricted` on a repository of one compliant Deployment and one
/// privileged root Pod: each control failed, passed or not checked, in JSON and in text.
#[test]
fn a_pod_security_standards_report() {
    let dir = common_fixture("examples/compliance/pod-security");
    let output = palisade()
        .args(["scan", "--format", "json", "--compliance", "pss-restricted"])
        .arg(&dir)
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let evaluation = &report["compliance"][0];
    assert_eq!(evaluation["framework"], "pss-restricted");
    let status = |id: &str| -> String {
        evaluation["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(status("privileged-containers"), "failed");
    assert_eq!(status("running-as-non-root"), "failed");
    assert_eq!(status("seccomp"), "failed");
    assert_eq!(status("host-namespaces"), "passed");
    assert_eq!(status("hostpath-volumes"), "passed");
    assert_eq!(status("apparmor"), "failed");
    assert_eq!(status("host-process"), "passed");
    assert_eq!(status("sysctls"), "passed");
    // Rules turned off by the selection leave their controls unchecked, never passed.
    let output = palisade()
        .args(["scan", "--format", "json", "--compliance", "pss-restricted"])
        .args(["--ignore", "K8S014"])
        .arg(&dir)
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    let host = report["compliance"][0]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "host-namespaces")
        .unwrap()
        .clone();
    assert_eq!(host["status"], "not-checked");
    // The text report says the same, and the SARIF rules carry the controls as tags.
    palisade()
        .args(["scan", "--compliance", "pss-restricted", "--color", "never"])
        .args(["--ignore", "K8S026"])
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("6 failed, 7 passed, 1 not checked")
                .and(predicate::str::contains("not checked host-process")),
        );
    let sarif = palisade()
        .args([
            "scan",
            "--format",
            "sarif",
            "--compliance",
            "pss-restricted",
        ])
        .arg(&dir)
        .assert()
        .code(1);
    let sarif: Value = serde_json::from_slice(&sarif.get_output().stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let privileged = rules.iter().find(|r| r["id"] == "K8S002").unwrap();
    assert!(
        privileged["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("pss-restricted/privileged-containers"))
    );
    palisade()
        .args(["scan", "--compliance", "nist-800-53"])
        .arg(&dir)
        .assert()
        .code(2);
}

fn common_fixture(relative: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}
