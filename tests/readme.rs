//! Every `palisade` command the README shows runs as written: in a small git repository with
//! the paths the examples name, each exits 0 or 1 (never 2, the scan could not run) and prints
//! no error. Redirections to places outside the test are sent to `/dev/null`.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{git, git_repository};

/// The `palisade` command lines of the README's shell and YAML code blocks, continuation lines
/// joined, comments dropped.
fn readme_commands() -> Vec<String> {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = !in_block && ["```sh", "```bash", "```yaml"].contains(&line.trim());
            pending.clear();
            continue;
        }
        if !in_block {
            continue;
        }
        let mut line = line.trim().to_owned();
        for prefix in ["- run: ", "- "] {
            if let Some(rest) = line.strip_prefix(prefix) {
                line = rest.to_owned();
            }
        }
        if !pending.is_empty() {
            pending.push(' ');
            pending.push_str(&line);
        } else if line.starts_with("palisade ") || line.contains("| palisade ") {
            pending = line.clone();
        } else {
            continue;
        }
        if let Some(open) = pending.strip_suffix('\\') {
            pending = open.trim_end().to_owned();
            continue;
        }
        // A comment is `#` after whitespace (`${fpath[1]}` and `#L1` are not comments).
        let command = match pending.find(" #") {
            Some(at) => pending[..at].trim_end().to_owned(),
            None => pending.clone(),
        };
        commands.push(command);
        pending.clear();
    }
    commands
}

/// Sends output redirected to a file somewhere else to `/dev/null`.
fn without_outside_redirects(command: &str) -> String {
    match command.find(" >") {
        Some(at) => format!("{} > /dev/null", &command[..at]),
        None => command.to_owned(),
    }
}

#[test]
fn every_command_in_the_readme_runs() {
    let commands = readme_commands();
    assert!(commands.len() >= 15, "{commands:#?}");
    let dir = git_repository();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    for round in 0..4 {
        write(
            "deploy/Dockerfile",
            &format!("FROM alpine:3.2{round}\nUSER app\n"),
        );
        write(
            "services/api/Dockerfile",
            "FROM python:3.12-slim\nUSER root\n",
        );
        git(root, &["add", "."]);
        git(root, &["commit", "-qm", &format!("round {round}")]);
    }
    // The chart the Helm examples name.
    write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write("charts/web/values.yaml", "image:\n  tag: \"1.0\"\n");
    write("charts/web/values-prod.yaml", "image:\n  tag: latest\n");
    write(
        "charts/web/templates/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: \"nginx:{{ .Values.image.tag }}\"\n",
    );
    // The workflow the GitHub Actions recipe scans, pinned as the recipe's gate wants.
    write(
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n",
    );
    git(root, &["add", "charts", ".github"]);
    git(root, &["commit", "-qm", "chart"]);
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    write(
        "services/api/settings.py",
        "DB_PASSWORD = \"Zq8Kx2Lm9Wv4Rt7Y\"\n",
    );
    git(root, &["add", "services/api/settings.py"]);
    // The examples the README points at, as shipped.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for path in common::files_under(&examples) {
        let relative = path.strip_prefix(&examples).unwrap();
        write(
            &format!("examples/{}", relative.display()),
            &fs::read_to_string(&path).unwrap(),
        );
    }

    let binary = assert_cmd::cargo::cargo_bin("palisade");
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let summary = root.join("summary.md");
    // The baseline the examples read is written first, as the README says to.
    for command in std::iter::once("palisade baseline .".to_owned()).chain(commands) {
        let command = without_outside_redirects(&command);
        let output = Command::new("sh")
            .current_dir(root)
            .arg("-c")
            .arg(&command)
            .env("PATH", &path)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 1)) && !stderr.contains("error"),
            "`{command}` exited {:?}: {stderr}",
            output.status.code()
        );
    }
}
