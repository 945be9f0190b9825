//! Palisade attacked through its own binary: a scanned repository must never make it leak a
//! secret, run a program, write where it should not, read without end, or forge its output.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use common::{git, git_repository, palisade_in as palisade, write};
use serde_json::Value;

fn stdout(dir: &Path, args: &[&str]) -> (String, i32) {
    let output = palisade(dir).args(args).output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

const FORMATS: &[&str] = &["text", "json", "sarif", "github", "gitlab", "junit"];

/// A suppression comment on a line that holds a secret is reported with the secret masked, in
/// every format, whichever rules run.
#[test]
fn a_finding_on_a_line_with_a_secret_never_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "ExpiredSupQ8zk27xy";
    write(
        dir.path(),
        "app.py",
        &format!("password = \"{secret}\"  # palisade:ignore[SEC002] legacy until=2020-01-01\n"),
    );
    for format in FORMATS {
        for rules in [&[][..], &["--select", "PAL001"]] {
            let mut args = vec!["scan", "--fail-on", "low", "--format", format];
            args.extend(rules);
            let (output, code) = stdout(dir.path(), &args);
            assert_eq!(code, 1, "{format} {rules:?}: {output}");
            assert!(output.contains("PAL001"), "{format} {rules:?}: {output}");
            assert!(
                !output.contains("ExpiredSup") && !output.contains("27xy"),
                "{format} {rules:?} leaks the secret:\n{output}"
            );
        }
    }
}

/// Nothing written (reports, baselines) changes with a secret's value, so nothing can be tested
/// against guesses of it: two files that differ only in a short password give the same baseline
/// and the same reports, and masks do not tell a password's length (only a finding's place, its
/// columns, does).
#[test]
fn nothing_written_can_be_tested_against_guesses_of_a_secret() {
    let outputs = |password: &str| {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "settings.py",
            &format!("db_password = \"{password}\"\n"),
        );
        palisade(dir.path())
            .args(["baseline", "-o", "baseline.json"])
            .assert()
            .success();
        let baseline = fs::read_to_string(dir.path().join("baseline.json")).unwrap();
        assert!(!baseline.contains(password), "{baseline}");
        let mut written = vec![baseline];
        for format in FORMATS {
            let (output, _) = stdout(dir.path(), &["scan", "--format", format]);
            assert!(!output.contains(password), "{format}: {output}");
            // The elapsed time is the only thing that may differ.
            let output: String = output
                .lines()
                .filter(|line| !line.contains(" checked (") && !line.contains("time="))
                .collect::<Vec<_>>()
                .join("\n");
            written.push(output);
        }
        written
    };
    let one = outputs("73914062");
    let other = outputs("40628917");
    assert!(one[0].contains("SEC002"));
    for (index, (a, b)) in one.iter().zip(&other).enumerate() {
        assert_eq!(a, b, "output {index} depends on the secret");
    }
    // Of a longer one, the baseline and the text report are the same too.
    let longer = outputs("5820417396215");
    assert_eq!(one[0], longer[0]);
    assert_eq!(one[1], longer[1]);
}

/// A repository's git configuration names programs for git to run (fsmonitor, hooks, filters,
/// textconv, external diff): scanning it with `--staged` or `--changed-since` runs none of them.
#[test]
fn git_configuration_of_the_scanned_repository_never_runs() {
    let dir = git_repository();
    let root = dir.path();
    let marker = root.join("pwned");
    let hook = root.join("hook.sh");
    fs::write(
        &hook,
        format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\n", marker.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(root, "Dockerfile", "FROM alpine:3.20\nUSER app\n");
    write(root, ".gitattributes", "* filter=evil diff=evil\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    // Staged and working-tree changes that differ, so that git has content to compare.
    write(root, "Dockerfile", "FROM alpine:latest\nUSER app\n");
    git(root, &["add", "Dockerfile"]);
    write(root, "Dockerfile", "FROM alpine:latest\nUSER root\n");
    let hook = hook.display().to_string();
    for (key, value) in [
        ("core.fsmonitor", hook.as_str()),
        ("filter.evil.clean", hook.as_str()),
        ("filter.evil.smudge", hook.as_str()),
        ("filter.evil.process", hook.as_str()),
        ("filter.evil.required", "true"),
        ("diff.evil.textconv", hook.as_str()),
        ("diff.evil.command", hook.as_str()),
        ("diff.external", hook.as_str()),
        ("core.pager", hook.as_str()),
    ] {
        git(root, &["config", key, value]);
    }
    for name in ["post-index-change", "pre-commit", "post-checkout"] {
        let path = root.join(".git/hooks").join(name);
        fs::copy(root.join("hook.sh"), &path).unwrap();
    }
    // The working tree's file looks freshly changed to git, which then reads it.
    let _ = fs::remove_file(&marker);
    for args in [
        &["scan", "--staged", "--format", "json"][..],
        &["scan", "--changed-since", "HEAD", "--format", "json"],
    ] {
        let output = palisade(root).args(args).output().unwrap();
        let report: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{args:?}: {}", String::from_utf8_lossy(&output.stderr)));
        let rules: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"DKR002"), "{args:?}: {rules:?}");
        assert!(
            !marker.exists(),
            "{args:?} ran the repository's program: {}",
            fs::read_to_string(&marker).unwrap_or_default()
        );
    }
}

/// A ref is never read by git as an option.
#[test]
fn a_ref_that_looks_like_an_option_is_refused() {
    let dir = git_repository();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine:3.20\nUSER app\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    write(root, "victim.txt", "precious\n");
    for reference in ["--output=victim.txt", "-p", "--no-index"] {
        palisade(root)
            .arg("scan")
            .arg(format!("--changed-since={reference}"))
            .assert()
            .code(2)
            .stderr(predicates::str::contains("is not a ref"));
    }
    assert_eq!(
        fs::read_to_string(root.join("victim.txt")).unwrap(),
        "precious\n"
    );
    // A ref that is not a commit is an error too, not an empty scan.
    palisade(root)
        .args(["scan", "--changed-since", "HEAD:Dockerfile"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a commit"));
}

/// Staged content, secrets included, is scanned in memory: nothing is written to the
/// temporary directory (where other users could read it, and a killed scan would leave it).
#[test]
fn staged_content_never_touches_the_disk() {
    let dir = git_repository();
    let root = dir.path();
    write(
        root,
        "main.tf",
        "variable \"cidr\" {\n  default = \"0.0.0.0/0\"\n}\n",
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    write(
        root,
        "sg.tf",
        "resource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n",
    );
    write(root, "app.env", "DB_PASSWORD=Zq8Kx2Lm9Wv4Rt7Y\n");
    git(root, &["add", "sg.tf", "app.env"]);
    // A temporary "directory" that is a file: nothing can be written under it, and the scan
    // must not need to.
    let tmp = tempfile::tempdir().unwrap();
    let not_a_directory = tmp.path().join("file");
    fs::write(&not_a_directory, "").unwrap();
    let output = palisade(root)
        .env("TMPDIR", &not_a_directory)
        .env("TMP", &not_a_directory)
        .env("TEMP", &not_a_directory)
        .args(["scan", "--staged", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let found: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["rule_id"].as_str().unwrap()))
        .collect();
    // The module's variable came from HEAD, through memory.
    assert!(found.contains(&("sg.tf", "TFM001")), "{found:?}");
    assert!(
        found.iter().any(|(path, _)| *path == "app.env"),
        "{found:?}"
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "the scan wrote to the temporary directory"
    );
}

/// A configuration file above the repository is not the repository's: it never applies
/// unless named, and the configuration in effect is named in reports.
#[test]
fn configuration_above_the_repository_never_applies() {
    let outer = tempfile::tempdir().unwrap();
    write(
        outer.path(),
        ".palisade.yaml",
        "exclude: [\"*.py\"]\nfail-on: none\n",
    );
    let root = outer.path().join("repo");
    fs::create_dir_all(root.join(".git")).unwrap();
    write(&root, "app.py", "password = \"Zq8Kx2Lm9Wv4Rt7Y\"\n");

    let (text, code) = stdout(&root, &["scan", "-v"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("SEC002"), "{text}");
    assert!(text.contains("no configuration file"), "{text}");
    // Also when scanning a sub-directory, or from outside the repository.
    let (text, code) = stdout(outer.path(), &["scan", "repo"]);
    assert_eq!(code, 1, "{text}");

    // Named, it applies, and every report says so.
    let (text, code) = stdout(&root, &["scan", "-v", "--config", "../.palisade.yaml"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("configuration: ../.palisade.yaml"), "{text}");
    // The repository's own file applies, and is named.
    write(&root, ".palisade.yaml", "fail-on: critical\n");
    let (json, _) = stdout(&root, &["scan", "--format", "json"]);
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["configuration"], ".palisade.yaml");
    let (sarif, _) = stdout(&root, &["scan", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["properties"]["configuration"],
        ".palisade.yaml"
    );
}

/// Configuration and baselines are read only from regular files, and only so much.
#[test]
fn configuration_and_baseline_reads_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\nUSER app\n");
    #[cfg(unix)]
    for device in ["/dev/zero", "/dev/urandom"] {
        for flag in ["--config", "--baseline"] {
            palisade(dir.path())
                .args(["scan", flag, device])
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .code(2)
                .stderr(predicates::str::contains("is not a regular file"));
        }
    }
    write(
        dir.path(),
        "big.yaml",
        &format!("# {}\n", "x".repeat(2 * 1024 * 1024)),
    );
    palisade(dir.path())
        .args(["scan", "--config", "big.yaml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is larger than"));
}

/// A Terraform file built to exhaust memory (a 10 MB heredoc of `${a}`, which once took over a
/// gigabyte) is refused before it is parsed, also when it is only the context of a small file in
/// its directory; the scan runs within an address-space limit the old parse could not fit in.
#[cfg(unix)]
#[test]
fn terraform_built_to_exhaust_memory_is_refused_within_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let heredoc = format!(
        "locals {{\n  x = <<EOT\n{}\nEOT\n}}\n",
        "${a}".repeat(10 * 1024 * 1024 / 4)
    );
    write(dir.path(), "infra/big.tf", &heredoc);
    write(
        dir.path(),
        "infra/small.tf",
        "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    );
    let binary = assert_cmd::cargo::cargo_bin("palisade");
    for target in ["infra", "infra/small.tf"] {
        // 600 MB of address space: threads and allocator arenas fit, a gigabyte parse does not.
        let output = Process::new("sh")
            .current_dir(dir.path())
            .arg("-c")
            .arg(format!(
                "ulimit -v 600000 && exec '{}' scan --format json --max-file-size 20000000 {target}",
                binary.display()
            ))
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|_| panic!("{target}: {}", String::from_utf8_lossy(&output.stderr)));
        let found: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap())
            .collect();
        assert!(found.contains(&"TFM001"), "{target}: {found:?}");
        if target == "infra" {
            let diagnostics = report["diagnostics"].to_string();
            assert!(
                diagnostics.contains("memory bound"),
                "{target}: {diagnostics}"
            );
        }
    }
}

/// Names and values from input never reach a terminal or a CI log as control characters: no
/// escape sequence, no second line, no forged workflow command.
#[cfg(unix)]
#[test]
fn control_characters_from_input_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a\u{1b}]0;PWNED\u{7}\u{1b}[2J.py",
        "password = \"Zq8Kx2Lm9Wv4Rt7Y\"\n",
    );
    write(
        dir.path(),
        "b\n::error file=forged.py::forged\u{202e}.py",
        "password = \"Yq8Kx2Lm9Wv4Rt7Y\"\n",
    );
    write(
        dir.path(),
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx:1.27\n    environment:\n      \"DB_\\e[2J\\u202ePASSWORD\": \"Xq8Kx2Lm9Wv4Rt7Y\"\n",
    );
    for format in ["text", "github", "junit"] {
        let (output, _) = stdout(
            dir.path(),
            &["scan", "--format", format, "--color", "never", "-v"],
        );
        assert!(
            output.contains("SEC002") || output.contains("CMP004"),
            "{output}"
        );
        assert!(
            !output.contains('\u{1b}') && !output.contains('\u{7}') && !output.contains('\u{202e}'),
            "{format}: {output:?}"
        );
        assert!(
            !output
                .lines()
                .any(|line| line.starts_with("::error file=forged")),
            "{format}: {output}"
        );
        if format == "text" {
            assert!(
                output.contains("a\\x1b]0;PWNED\\x07\\x1b[2J.py"),
                "{output}"
            );
            assert!(output.contains("b\\n::error"), "{output}");
        }
    }
}

/// A file another file refers to (a generator's input, a base, a Dockerfile, a chart's
/// dependency) is never read through a symbolic link: a link to a directory outside the
/// repository cannot make the scan read, judge or print what is there.
#[cfg(unix)]
#[test]
fn references_never_lead_outside_through_a_linked_directory() {
    let outside = tempfile::tempdir().unwrap();
    let secret = "hunter2-Kq7vZ2xLm9Tp";
    write(outside.path(), "secret.txt", &format!("{secret}\n"));
    write(
        outside.path(),
        "base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:latest\n          securityContext: {privileged: true}\n",
    );
    write(
        outside.path(),
        "base/kustomization.yaml",
        "resources: [deployment.yaml]\n",
    );
    write(
        outside.path(),
        "Dockerfile",
        "FROM alpine:3.20\nUSER root\n",
    );
    let dir = git_repository();
    let root = dir.path();
    std::os::unix::fs::symlink(outside.path(), root.join("linked")).unwrap();
    write(
        root,
        "kustomization.yaml",
        "resources: [linked/base]\nsecretGenerator:\n  - name: db\n    files: [linked/secret.txt]\n",
    );
    write(
        root,
        "compose.yaml",
        "services:\n  app:\n    build:\n      context: linked\n    user: \"1000\"\n",
    );
    for format in ["json", "text"] {
        let (out, _) = stdout(root, &["scan", "--format", format, "."]);
        assert!(!out.contains("K8S002") && !out.contains("K8S003"), "{out}");
        assert!(
            !out.contains("secret.txt`") && !out.contains("aHVu"),
            "{out}"
        );
    }
    let (out, _) = stdout(root, &["render", "."]);
    assert!(
        !out.contains("web:latest") && !out.contains("aHVu"),
        "{out}"
    );
}
