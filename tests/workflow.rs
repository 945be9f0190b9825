//! The workflow around a scan, through the binary: suppressions in every format, the baseline,
//! and the exit codes a CI gate relies on.

mod common;

use common::{git, git_repository, palisade_in as palisade, write};

use std::fs;
use std::path::Path;

use serde_json::Value;

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let output = palisade(dir)
        .args(["scan", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap();
    (report, output.status.code().unwrap())
}

/// (path, rule, line) of a list of findings.
fn places(findings: &Value) -> Vec<(String, String, u64)> {
    findings
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
        .collect()
}

/// A small repository with one suppressed finding of each kind of file.
fn suppressed_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Findings about something missing point at FROM: suppressed from the line above.
    write(
        root,
        "Dockerfile",
        "# palisade:ignore[DKR001, missing-healthcheck] the base image switches user in its entrypoint\n\
         FROM python:3.12-slim\n\
         CMD [\"flask\", \"run\"]\n",
    );
    write(
        root,
        "k8s/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest # palisade:ignore[unpinned-container-image] mirrored and pinned by the registry\n          securityContext:\n            # palisade:ignore[K8S002] until=2999-12-31 needs host devices, reviewed\n            privileged: true\n",
    );
    write(
        root,
        "docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\" # palisade:ignore[CMP005] local development only\n",
    );
    write(
        root,
        "infra/main.tf",
        "resource \"aws_security_group\" \"bastion\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    // palisade:ignore[TFM001] the bastion host, behind MFA\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n\nresource \"aws_security_group\" \"ops\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"] /* palisade:ignore[ssh-open-to-world] ops VPN range */\n  }\n}\n",
    );
    write(
        root,
        "app/settings.py",
        "# palisade:ignore-file[SEC002] values for the local test database\nDB_PASSWORD = \"hGLbitAhCrNipR\"\nADMIN_PASSWORD = \"Zk3vP9qLx2Rt\"\n",
    );
    dir
}

const SUPPRESSED_RULES: &str = "DKR001,DKR015,K8S002,K8S003,CMP005,TFM001,SEC002,PAL001";

#[test]
fn suppressions_work_in_every_format_and_leave_the_gate() {
    let dir = suppressed_repository();
    let (report, code) = json(dir.path(), &["--select", SUPPRESSED_RULES]);
    assert_eq!(places(&report["findings"]), []);
    assert_eq!(code, 0, "suppressed findings do not fail the gate");
    let suppressed = places(&report["suppressed"]);
    let expected = [
        ("Dockerfile", "DKR001", 2),
        ("Dockerfile", "DKR015", 2),
        ("app/settings.py", "SEC002", 2),
        ("app/settings.py", "SEC002", 3),
        ("docker-compose.yml", "CMP005", 5),
        ("infra/main.tf", "TFM001", 7),
        ("infra/main.tf", "TFM001", 16),
        ("k8s/deploy.yaml", "K8S003", 10),
        ("k8s/deploy.yaml", "K8S002", 13),
    ];
    let expected: Vec<(String, String, u64)> = expected
        .iter()
        .map(|(p, r, l)| (p.to_string(), r.to_string(), *l))
        .collect();
    let mut sorted = suppressed.clone();
    sorted.sort();
    let mut expected_sorted = expected.clone();
    expected_sorted.sort();
    assert_eq!(sorted, expected_sorted);
    assert_eq!(report["summary"]["suppressed"], 9);
    let first = &report["suppressed"][0];
    assert_eq!(first["suppression"]["kind"], "in-source");
    assert_eq!(
        first["suppression"]["reason"],
        "the base image switches user in its entrypoint"
    );

    // Without suppressions the same scan fails.
    let text = palisade(dir.path())
        .args(["scan", "--select", SUPPRESSED_RULES])
        .output()
        .unwrap();
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(stdout.contains("No findings"), "{stdout}");
    assert!(stdout.contains("; 9 suppressed"), "{stdout}");
}

#[test]
fn suppressed_results_reach_sarif_with_their_justification() {
    let dir = suppressed_repository();
    let output = palisade(dir.path())
        .args(["scan", "--format", "sarif", "--select", SUPPRESSED_RULES])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(common::sarif_schema_errors(&sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 9);
    for result in results {
        let suppression = &result["suppressions"][0];
        assert_eq!(suppression["kind"], "inSource", "{result}");
        assert!(!suppression["justification"].as_str().unwrap().is_empty());
    }
}

#[test]
fn bad_suppressions_are_reported_and_suppress_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\n\
         # palisade:ignore[DKR001]\n\
         USER root\n\
         # palisade:ignore[DKR003] until=2001-01-01 bastion image\n\
         EXPOSE 22\n\
         # palisade:ignore[DKR3] typo\n\
         # palisade:ignore[DKR010] nothing to suppress here\n\
         HEALTHCHECK CMD true\n\
         # palisade:ignore[] the reason, but no rule\n",
    );
    let (report, code) = json(dir.path(), &["--select", "DKR001,DKR003,DKR010,PAL001"]);
    assert_eq!(code, 1);
    let messages: Vec<(u64, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["start"]["line"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let summary: Vec<(u64, &str, &str)> = messages
        .iter()
        .map(|(line, rule, message)| {
            let gist = [
                "no reason",
                "expired on 2001-01-01",
                "unknown rule `DKR3`",
                "suppresses nothing",
                "names no rule",
            ]
            .into_iter()
            .find(|gist| message.contains(gist))
            .unwrap_or("");
            (*line, rule.as_str(), gist)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (2, "PAL001", "no reason"),
            (3, "DKR001", ""),
            (4, "PAL001", "expired on 2001-01-01"),
            (5, "DKR003", ""),
            (6, "PAL001", "unknown rule `DKR3`"),
            (7, "PAL001", "suppresses nothing"),
            (9, "PAL001", "names no rule"),
        ]
    );
    assert_eq!(report["summary"]["suppressed"], 0);

    // A suppression for a rule that did not run is not judged.
    let (report, _) = json(dir.path(), &["--select", "DKR001,PAL001"]);
    let rules: Vec<(String, String, u64)> = places(&report["findings"]);
    assert!(!rules.iter().any(|(_, _, line)| *line == 7), "{rules:?}");
}

#[test]
fn the_baseline_holds_old_findings_through_unrelated_edits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let dockerfile = "FROM python:3.12-slim\nRUN pip install flask\nUSER root\nEXPOSE 22\n";
    write(root, "api/Dockerfile", dockerfile);
    write(
        root,
        "app/settings.py",
        "DB_PASSWORD = \"hGLbitAhCrNipR\"\n",
    );
    palisade(root)
        .args(["baseline", "."])
        .assert()
        .code(0)
        .stderr(predicates::str::contains("recorded"));
    let baseline = fs::read_to_string(root.join(".palisade-baseline.json")).unwrap();
    assert!(
        !baseline.contains("hGLbitAhCrNipR"),
        "a baseline never holds a secret"
    );
    let recorded = serde_json::from_str::<Value>(&baseline).unwrap()["findings"]
        .as_array()
        .unwrap()
        .len();
    assert!(recorded >= 4, "{baseline}");

    // Nothing new: the gate passes, and says how much the baseline holds.
    let (report, code) = json(root, &["--baseline", ".palisade-baseline.json"]);
    assert_eq!((places(&report["findings"]), code), (vec![], 0));
    assert_eq!(report["summary"]["baselined"], recorded);

    // Lines added above and between, other lines edited: the old findings are still recorded.
    write(
        root,
        "api/Dockerfile",
        "# syntax=docker/dockerfile:1\n\nFROM python:3.12-slim\nRUN pip install flask gunicorn\n\nUSER root\nWORKDIR /srv\nEXPOSE 22\n",
    );
    write(
        root,
        "app/settings.py",
        "import os\n\nDEBUG = False\nDB_PASSWORD = \"hGLbitAhCrNipR\"\n",
    );
    let (report, code) = json(root, &["--baseline", ".palisade-baseline.json"]);
    assert_eq!((places(&report["findings"]), code), (vec![], 0));

    // A new problem is reported; the rest stays recorded, the secret changed in place included
    // (fingerprints never derive from a secret's value).
    write(
        root,
        "app/settings.py",
        "import os\n\nDEBUG = False\nDB_PASSWORD = \"Zk3vP9qLx2RtW\"\nAPI_TOKEN = \"Qm8vXz3LpW5kR\"\n",
    );
    let (report, code) = json(root, &["--baseline", ".palisade-baseline.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report["findings"]),
        [("app/settings.py".to_owned(), "SEC002".to_owned(), 5)]
    );
    assert_eq!(report["summary"]["baselined"], recorded);
    let text = palisade(root)
        .args(["scan", "--baseline", ".palisade-baseline.json"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(&format!("; {recorded} in the baseline")),
        "{text}"
    );
}

#[test]
fn a_missing_or_broken_baseline_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\n");
    palisade(dir.path())
        .args(["scan", "--baseline", "nope.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "cannot read the baseline nope.json",
        ));
    write(dir.path(), "broken.json", "{\"findings\": 3}");
    palisade(dir.path())
        .args(["scan", "--baseline", "broken.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("is not a palisade baseline"));
}

fn output(dir: &Path, args: &[&str]) -> (String, i32) {
    let output = palisade(dir).arg("scan").args(args).output().unwrap();
    (
        String::from_utf8(output.stdout).unwrap(),
        output.status.code().unwrap(),
    )
}

#[test]
fn github_annotations_point_at_the_diff() {
    let dir = suppressed_repository();
    write(dir.path(), "web/Dockerfile", "FROM nginx\nEXPOSE 22\n");
    let (text, code) = output(
        dir.path(),
        &["--format", "github", "--select", "DKR002,DKR003"],
    );
    assert_eq!(code, 1);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=web/Dockerfile,line=1,col=6,endLine=1,endColumn=11,title=DKR002 unpinned-image (high)::FROM image `nginx` has no tag, so it pulls whatever `latest` is at the time"
    );
    assert!(
        lines[1].starts_with("::error file=web/Dockerfile,line=2,"),
        "{text}"
    );
    assert_eq!(
        lines.last(),
        Some(&"palisade: 2 findings, 0 suppressed, 0 in the baseline")
    );
}

#[test]
fn gitlab_code_quality_and_junit_reports_are_well_formed() {
    let dir = suppressed_repository();
    write(dir.path(), "web/Dockerfile", "FROM nginx\nEXPOSE 22\n");
    write(dir.path(), "web/.env", "API_TOKEN=\"Qm8vXz3LpW5kR<&>\"\n");
    let (text, code) = output(dir.path(), &["--format", "gitlab"]);
    assert_eq!(code, 1);
    let issues: Value = serde_json::from_str(&text).unwrap();
    let issues = issues.as_array().unwrap();
    assert!(issues.len() >= 3);
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&issue["severity"].as_str().unwrap())
        );
    }
    let fingerprints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints are unique");

    let (xml, code) = output(dir.path(), &["--format", "junit"]);
    assert_eq!(code, 1);
    assert!(!xml.contains("Qm8vXz3LpW5kR"), "no secret in the report");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(tag) | quick_xml::events::Event::Empty(tag) => {
                match tag.name().as_ref() {
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(cases, issues.len());
    assert_eq!(failures, issues.len());

    // A clean scan is one passing case.
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "README.md", "nothing to see\n");
    let (xml, code) = output(clean.path(), &["--format", "junit"]);
    assert_eq!(code, 0);
    assert!(xml.contains(r#"tests="1" failures="0""#), "{xml}");
}

#[test]
fn staged_scans_read_the_index_with_the_module_around_it() {
    let dir = git_repository();
    let root = dir.path();
    write(
        root,
        "infra/variables.tf",
        "variable \"cidr\" {\n  default = \"0.0.0.0/0\"\n}\n",
    );
    write(root, "README.md", "docs\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    // Staged: a module file whose value comes from the committed variables.tf, and a clean
    // Dockerfile; the working tree then differs from what is staged.
    write(
        root,
        "infra/main.tf",
        "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n",
    );
    write(
        root,
        "api/Dockerfile",
        "FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n",
    );
    git(root, &["add", "infra/main.tf", "api/Dockerfile"]);
    write(root, "api/Dockerfile", "FROM alpine\n");
    write(root, "unstaged/Dockerfile", "FROM alpine\n");

    let (report, code) = json(root, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report["findings"]),
        [("infra/main.tf".to_owned(), "TFM001".to_owned(), 6)]
    );
    assert_eq!(report["summary"]["files_scanned"], 2);

    // From a sub-directory: only what is staged under it, shown relative to it.
    let (report, _) = json(&root.join("infra"), &["--staged"]);
    assert_eq!(
        places(&report["findings"]),
        [("main.tf".to_owned(), "TFM001".to_owned(), 6)]
    );
    let (report, code) = json(root, &["--staged", "api"]);
    assert_eq!((places(&report["findings"]), code), (vec![], 0));

    // Nothing staged: nothing to say, and the gate passes.
    git(root, &["commit", "-qm", "more"]);
    let (report, code) = json(root, &["--staged"]);
    assert_eq!(
        (report["summary"]["files_scanned"].as_u64(), code),
        (Some(0), 0)
    );
    // The snapshot of the index is removed.
    let leftovers = fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("palisade-staged-{}", std::process::id()))
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn changed_since_scans_the_working_tree_against_a_ref() {
    let dir = git_repository();
    let root = dir.path();
    write(root, "old/Dockerfile", "FROM alpine\n");
    write(root, "gone/Dockerfile", "FROM alpine\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    git(root, &["tag", "base"]);
    write(root, "new/Dockerfile", "FROM alpine\n");
    fs::remove_dir_all(root.join("gone")).unwrap();
    let (report, code) = json(root, &["--changed-since", "base", "--select", "DKR002"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report["findings"]),
        [("new/Dockerfile".to_owned(), "DKR002".to_owned(), 1)]
    );
    palisade(root)
        .args(["scan", "--changed-since", "no-such-ref"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no-such-ref"));
}

#[test]
fn staged_outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    palisade(dir.path())
        .args(["scan", "--staged"])
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("need a git repository"));
}

/// The YAML files that other tools read: the GitHub Action and the pre-commit hooks.
fn yaml(path: &str) -> (String, Value) {
    let text = fs::read_to_string(common::root().join(path)).unwrap();
    let value = serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    (text, value)
}

#[test]
fn the_action_uses_only_inputs_it_declares_and_uploads_sarif() {
    let (text, action) = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    for (name, input) in inputs {
        assert!(
            input["description"].is_string(),
            "input {name} is documented"
        );
    }
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        assert!(
            inputs.contains_key(&name),
            "action.yml uses undeclared input `{name}`"
        );
    }
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert!(steps.iter().any(|step| {
        step["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
    }));
    assert!(
        steps
            .iter()
            .all(|step| step["uses"].is_string() || step["shell"] == "bash")
    );
    // Every action used is pinned to a full commit, never a tag that can move.
    for step in steps {
        if let Some(uses) = step["uses"].as_str() {
            let reference = uses.rsplit_once('@').map_or("", |(_, r)| r);
            assert!(
                reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()),
                "{uses} is not pinned to a commit"
            );
        }
        // Inputs and contexts reach scripts through the environment, never pasted into them.
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "an expression is pasted into a script: {run}"
            );
        }
    }
    // The same default gate as the command line and the hooks.
    assert_eq!(inputs["fail-on"]["default"], "");
    // The cache key is not computed by `hashFiles`, which cannot see the action's own files.
    assert!(!text.contains("hashFiles(format('{0}"));
    // The scan step passes flags palisade has.
    for flag in [
        "--format sarif",
        "--sarif-category",
        "--fail-on",
        "--output",
    ] {
        assert!(text.contains(flag), "{flag}");
    }
}

#[test]
fn the_pre_commit_hooks_scan_the_files_pre_commit_passes() {
    let (_, hooks) = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["palisade", "palisade-system"]);
    for hook in hooks {
        // pre-commit passes the staged files at commit time (with unstaged changes set aside),
        // every file with --all-files, the named ones with --files.
        assert_eq!(hook["entry"], "palisade scan");
        assert_ne!(hook["pass_filenames"], false);
    }
    assert_eq!(hooks[0]["language"], "rust");
    assert_eq!(hooks[1]["language"], "system");
}

#[test]
fn staged_scans_work_before_the_first_commit() {
    let dir = git_repository();
    let root = dir.path();
    write(
        root,
        "variables.tf",
        "variable \"cidr\" {\n  default = \"0.0.0.0/0\"\n}\n",
    );
    write(
        root,
        "main.tf",
        "resource \"aws_security_group\" \"s\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n}\n",
    );
    git(root, &["add", "main.tf", "variables.tf"]);
    let (report, code) = json(root, &["--staged", "--select", "TFM001"]);
    assert_eq!(code, 1);
    assert_eq!(
        places(&report["findings"]),
        [("main.tf".to_owned(), "TFM001".to_owned(), 6)]
    );
}

#[test]
fn the_configuration_file_tunes_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "Dockerfile", "FROM alpine\nEXPOSE 22\n");
    write(
        root,
        "docker-compose.yml",
        "services:\n  scylla:\n    image: example/scylla-fork:5\n    ports:\n      - \"7000:7000\"\n",
    );
    write(
        root,
        "infra/sg.tf.json",
        "{\"resource\": {\"aws_security_group\": {\"bastion\": {\"ingress\": [{\"from_port\": 22, \"to_port\": 22, \"protocol\": \"tcp\", \"cidr_blocks\": [\"0.0.0.0/0\"]}]}}}}\n",
    );
    write(
        root,
        "app/.env",
        "API_TOKEN=Qm8vXz3LpW5kRt\nSTRIPE_KEY=sk_test_EXAMPLEb4c9d8e7f6a5b4c3d2e1\n",
    );
    write(
        root,
        ".palisade.yaml",
        "fail-on: high\nrules:\n  ignore: [missing-healthcheck, DKR001]\n  severity:\n    DKR003: critical\nignore:\n  - paths: [\"infra/*.tf.json\"]\n    rules: [TFM001]\n    reason: bastion, reviewed\nsecrets:\n  allowlist: [\"^sk_test_EXAMPLE\"]\ndatabase-ports:\n  7000: ScyllaDB\n",
    );
    let (report, code) = json(root, &[]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .filter(|(_, rule, _)| {
            [
                "DKR001", "DKR003", "DKR015", "CMP005", "TFM001", "SEC002", "SEC001",
            ]
            .contains(&rule.as_str())
        })
        .collect();
    let expect = |path: &str, rule: &str, severity: &str| {
        (path.to_owned(), rule.to_owned(), severity.to_owned())
    };
    assert_eq!(
        found,
        [
            expect("Dockerfile", "DKR003", "critical"),
            expect("app/.env", "SEC002", "high"),
            expect("docker-compose.yml", "CMP005", "high"),
        ]
    );
    assert_eq!(
        places(&report["suppressed"]),
        [("infra/sg.tf.json".to_owned(), "TFM001".to_owned(), 1)]
    );
    assert_eq!(report["suppressed"][0]["suppression"]["kind"], "external");

    // From a sub-directory the same file applies; the command line wins over it.
    let (_, code) = json(&root.join("infra"), &["--fail-on", "none"]);
    assert_eq!(code, 0);
    let (report, _) = json(root, &["--no-config", "--select", "TFM001,DKR015"]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 2);

    let sarif = palisade(root)
        .args(["scan", "--format", "sarif", "--select", "TFM001"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["suppressions"][0]["kind"],
        "external"
    );

    // A misspelt key stops the scan and says where it is.
    write(root, "broken.yaml", "rules:\n  ignroe: [DKR001]\n");
    palisade(root)
        .args(["scan", "--config", "broken.yaml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "broken.yaml: line 2 column 3: unknown field `ignroe`",
        ));
}

#[test]
fn init_writes_a_configuration_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    palisade(dir.path()).arg("init").assert().code(0);
    let written = fs::read_to_string(dir.path().join(".palisade.yaml")).unwrap();
    assert!(written.contains("fail-on"));
    palisade(dir.path()).arg("init").assert().code(2);
    palisade(dir.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\nUSER app\nHEALTHCHECK CMD true\n",
    );
    palisade(dir.path()).arg("scan").assert().code(0);
}

/// GitHub shows only the first annotations of a step: the most severe come first, whatever
/// their file.
#[test]
fn github_annotations_come_most_severe_first() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/Dockerfile", "FROM nginx:1.27\nUSER app\n");
    write(
        dir.path(),
        "z/pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext:\n        privileged: true\n",
    );
    let (text, _) = output(dir.path(), &["--format", "github"]);
    let severities: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("::"))
        .filter_map(|line| line.split(" (").nth(1)?.split(')').next())
        .collect();
    assert_eq!(severities.first(), Some(&"critical"), "{text}");
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|x| *x == s)
    };
    assert!(
        severities.windows(2).all(|w| rank(w[0]) <= rank(w[1])),
        "{severities:?}"
    );
}

/// A file that could not be checked is visible in every mode, and can fail the gate.
#[test]
fn broken_files_are_visible_and_can_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.yaml",
        "apiVersion: v1\nkind: Pod\nspec: [\n",
    );
    write(dir.path(), "broken.tf", "resource \"x\" {\n");
    let (text, code) = output(dir.path(), &["-q"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("broken.yaml") && text.contains("broken.tf"),
        "{text}"
    );
    let (_, code) = output(dir.path(), &["-q", "--fail-on-diagnostics"]);
    assert_eq!(code, 1);
    let (sarif, _) = output(dir.path(), &["--format", "sarif"]);
    assert!(sarif.contains("toolExecutionNotifications") && sarif.contains("broken.tf"));
    write(dir.path(), ".palisade.yaml", "fail-on-diagnostics: true\n");
    let (_, code) = output(dir.path(), &[]);
    assert_eq!(code, 1);
}

/// The Markdown summary counts, lists the most severe with links to their lines when the CI
/// names the commit, masks secrets and lets no HTML through.
#[test]
fn markdown_summary_links_masks_and_escapes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "my dir/Dockerfile", "FROM ubuntu:latest\n");
    write(dir.path(), "app.py", "password = \"Zq8Kx2Lm9Wv4Rt7Y\"\n");
    write(dir.path(), "<b>.env", "API_TOKEN=Qm8vXz3LpW5kRtY7\n");
    let output = palisade(dir.path())
        .args(["scan", "--format", "markdown"])
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_SHA", "0123abc")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("## palisade: "), "{text}");
    assert!(
        text.contains("| high | no-root | `DKR001` last-user-root | 1 |"),
        "{text}"
    );
    assert!(
        text.contains(
            "[my dir/Dockerfile:1](https://github.com/acme/app/blob/0123abc/my%20dir/Dockerfile#L1)"
        ),
        "{text}"
    );
    assert!(
        !text.contains("Zq8Kx2Lm9Wv4") && !text.contains("Qm8vXz3L"),
        "{text}"
    );
    assert!(!text.contains("<b>"), "{text}");
    // Without a CI, places are plain.
    let output = palisade(dir.path())
        .args(["scan", "--format", "markdown"])
        .env_remove("GITHUB_SHA")
        .env_remove("CI_COMMIT_SHA")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("| my dir/Dockerfile:1 |"), "{text}");
}

/// A staged patch is judged with the kustomizations of the repository as staged, which are read
/// from the index even when they are not staged themselves.
#[test]
fn staged_scans_know_the_kustomizations_around_a_patch() {
    let dir = git_repository();
    let root = dir.path();
    write(
        root,
        "deploy/base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n",
    );
    write(
        root,
        "deploy/base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.internal/web\n",
    );
    write(
        root,
        "deploy/prod/kustomization.yaml",
        "resources:\n  - ../base\nimages:\n  - name: registry.internal/web\n    newTag: 1.4.2\npatches:\n  - path: limits.yaml\n",
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    // Staged: the patch alone, and a change to the base that the overlay pins.
    write(
        root,
        "deploy/prod/limits.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          resources:\n            limits: {memory: 512Mi}\n",
    );
    write(
        root,
        "deploy/base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.internal/web\n          ports: [{containerPort: 8080}]\n",
    );
    git(
        root,
        &[
            "add",
            "deploy/prod/limits.yaml",
            "deploy/base/deployment.yaml",
        ],
    );

    let (report, _) = json(root, &["--staged", "--select", "K8S003,K8S016,K8S017"]);
    let found = places(&report["findings"]);
    // The patch leaves probes and requests to the base; the image is pinned by the overlay.
    assert!(
        found
            .iter()
            .all(|(path, _, _)| path != "deploy/prod/limits.yaml"),
        "{found:?}"
    );
    assert!(
        found.iter().all(|(_, rule, _)| rule != "K8S003"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(path, rule, _)| path == "deploy/base/deployment.yaml" && rule == "K8S017"),
        "{found:?}"
    );
}

/// A staged change to an overlay is judged on what the overlay deploys: a patch that no longer
/// sets what the base leaves out shows at the base's line, though the base is not staged.
#[test]
fn staged_overlay_changes_show_where_the_overlay_deploys_them() {
    let dir = git_repository();
    let root = dir.path();
    write(
        root,
        "deploy/base/kustomization.yaml",
        "resources:\n  - deployment.yaml\n",
    );
    write(
        root,
        "deploy/base/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.internal/web:1.4.2\n",
    );
    write(
        root,
        "deploy/prod/kustomization.yaml",
        "resources:\n  - ../base\npatches:\n  - path: probes.yaml\n",
    );
    let probes = |probe: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n{probe}"
        )
    };
    write(
        root,
        "deploy/prod/probes.yaml",
        &probes("          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n"),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    let (report, _) = json(root, &["--staged", "--select", "K8S017"]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);

    // The overlay's patch no longer sets a probe: only the patch is staged.
    write(
        root,
        "deploy/prod/probes.yaml",
        &probes("          ports: [{containerPort: 8080}]\n"),
    );
    git(root, &["add", "deploy/prod/probes.yaml"]);
    let (report, _) = json(root, &["--staged", "--select", "K8S017"]);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["path"], "deploy/base/deployment.yaml");
    assert_eq!(findings[0]["start"]["line"], 9);
    assert_eq!(findings[0]["rendered_from"], "deploy/prod");

    // A staged change to the image the overlay deploys: at the line that sets it.
    git(root, &["reset", "-q", "--hard"]);
    write(
        root,
        "deploy/prod/kustomization.yaml",
        "resources:\n  - ../base\npatches:\n  - path: probes.yaml\nimages:\n  - name: registry.internal/web\n    newTag: latest\n",
    );
    git(root, &["add", "deploy/prod/kustomization.yaml"]);
    let (report, _) = json(root, &["--staged", "--select", "K8S003"]);
    assert_eq!(
        places(&report["findings"]),
        [(
            "deploy/prod/kustomization.yaml".to_owned(),
            "K8S003".to_owned(),
            7
        )]
    );
}

/// Which owners' actions may be pinned to a version tag is the configuration's to say:
/// GitHub's own by default, none with `tag-pinned-owners: []`, an organisation's own added.
#[test]
fn the_configuration_says_whose_action_tags_are_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".github/workflows/ci.yml",
        "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: acme/setup-toolchain@v2\n",
    );
    let flagged = |config: Option<&str>| -> Vec<String> {
        if let Some(config) = config {
            write(root, ".palisade.yaml", config);
        }
        let (report, _) = json(root, &["--select", "GHA001"]);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["snippet"].as_str().unwrap().trim().to_owned())
            .collect()
    };
    assert_eq!(flagged(None), ["- uses: acme/setup-toolchain@v2"]);
    assert_eq!(
        flagged(Some(
            "version: 1\ngithub-actions:\n  tag-pinned-owners: []\n"
        ))
        .len(),
        2
    );
    assert!(
        flagged(Some(
            "version: 1\ngithub-actions:\n  tag-pinned-owners: [actions, acme]\n"
        ))
        .is_empty()
    );
}

/// A template's parameters count with their defaults, unless the configuration gives the value
/// the stacks are deployed with.
#[test]
fn the_configuration_gives_cloudformation_parameters_their_values() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "stack.template",
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  SSHLocation:\n    Type: String\n    Default: 0.0.0.0/0\nResources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: ssh\n      SecurityGroupIngress:\n        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref SSHLocation}\n",
    );
    let messages = |config: Option<&str>| -> Vec<String> {
        if let Some(config) = config {
            write(root, ".palisade.yaml", config);
        }
        let (report, _) = json(root, &["--select", "CFN001"]);
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        messages(None),
        [
            "security group `Group` lets anyone on the internet reach SSH (port 22) through parameter `SSHLocation`, whose value is `0.0.0.0/0`"
        ]
    );
    let restricted = "version: 1\ncloudformation:\n  parameters:\n    SSHLocation: 10.20.0.0/16\n";
    assert!(messages(Some(restricted)).is_empty());
    // A parameters file as `aws cloudformation create-stack --parameters file://…` takes it;
    // the configuration's own values win over it.
    write(
        root,
        "deploy/prod.json",
        r#"[{"ParameterKey": "SSHLocation", "ParameterValue": "0.0.0.0/0"}]"#,
    );
    let from_file = "version: 1\ncloudformation:\n  parameter-files: [deploy/prod.json]\n";
    assert_eq!(messages(Some(from_file)).len(), 1);
    let both = format!("{from_file}  parameters:\n    SSHLocation: 10.20.0.0/16\n");
    assert!(messages(Some(&both)).is_empty());
    // A broken file stops the scan, naming it.
    write(root, "deploy/prod.json", "[{\"ParameterKey\": 1}]");
    let output = palisade(root).args(["scan"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("prod.json"), "{stderr}");
}
