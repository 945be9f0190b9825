//! Users' own policies in Rego: the shipped examples against their fixtures, and everything a
//! built-in rule has that a policy's rule must have too: the catalog, SARIF, selectors, severity
//! overrides, suppressions, baselines, compliance controls; then loading errors, failures at run
//! time, and the input `palisade inspect` shows.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{palisade_in, write};

fn examples() -> PathBuf {
    common::root().join("examples/policies")
}

/// Runs the binary in `dir` and returns (exit code, standard output, standard error).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = palisade_in(dir).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// The JSON report of `palisade scan TARGET --no-config --policy POLICIES --select RULES` in
/// `dir`, a scan whose findings pass the default gate.
fn scan_policies(dir: &Path, target: &str, policies: &str, rules: &str) -> Value {
    let (code, out, err) = run(
        dir,
        &[
            "scan",
            target,
            "--no-config",
            "--policy",
            policies,
            "--select",
            rules,
            "-f",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    json(&out)
}

/// (file name, rule, line) of every finding of a JSON report.
fn found(report: &Value) -> Vec<(String, String, usize)> {
    let mut found: Vec<(String, String, usize)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            (
                path.rsplit('/').next().unwrap().to_owned(),
                f["rule_id"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    found.sort();
    found
}

/// The ids a policy file declares.
fn declared_ids(dir: &Path) -> Vec<String> {
    common::files_under(dir)
        .iter()
        .filter(|file| file.extension().is_some_and(|e| e == "rego"))
        .filter_map(|file| {
            let text = fs::read_to_string(file).unwrap();
            let at = text.find("\"id\": \"")? + 7;
            Some(text[at..].split('"').next()?.to_owned())
        })
        .collect()
}

#[test]
fn shipped_examples_report_exactly_their_marked_findings() {
    let mut examples_run = 0;
    for entry in fs::read_dir(examples()).unwrap().flatten() {
        let example = entry.path();
        let fixtures = example.join("fixtures");
        let ids = declared_ids(&example);
        assert!(!ids.is_empty(), "{}: no policy", example.display());
        let mut expected: Vec<(String, String, usize)> = common::files_under(&fixtures)
            .iter()
            .flat_map(|file| {
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                common::expectations(&fs::read_to_string(file).unwrap())
                    .into_iter()
                    .map(move |(rule, line)| (name.clone(), rule, line))
            })
            .collect();
        expected.sort();
        assert!(
            !expected.is_empty(),
            "{}: no marked finding",
            example.display()
        );
        let (code, out, err) = run(
            &example,
            &[
                "scan",
                "fixtures",
                "--policy",
                ".",
                "--no-config",
                "--select",
                &ids.join(","),
                "--fail-on",
                "info",
                "-f",
                "json",
            ],
        );
        assert_eq!(code, 1, "{err}");
        let report = json(&out);
        assert_eq!(
            report["diagnostics"],
            serde_json::json!([]),
            "{}",
            example.display()
        );
        assert_eq!(found(&report), expected, "{}", example.display());
        examples_run += 1;
    }
    assert!(examples_run >= 3);
}

/// A repository with one Deployment that lacks its owners' labels, and the examples' policy.
fn labelled_repository() -> tempfile::TempDir {
    let dir = common::git_repository();
    write(
        dir.path(),
        "policies/required_labels.rego",
        &fs::read_to_string(examples().join("required-labels/required_labels.rego")).unwrap(),
    );
    write(
        dir.path(),
        "deploy/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    team: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1.0.0\n",
    );
    dir
}

#[test]
fn policies_join_the_catalog_and_every_report() {
    let dir = labelled_repository();
    let (code, out, err) = run(dir.path(), &["rules", "--policy", "policies", "-f", "json"]);
    assert_eq!(code, 0, "{err}");
    let rules = json(&out);
    let rule = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "ORG001")
        .expect("listed");
    assert_eq!(rule["severity"], "medium");
    assert_eq!(rule["policy"], "reliability");
    assert_eq!(rule["targets"], serde_json::json!(["kubernetes"]));
    assert!(
        rule["source"]
            .as_str()
            .unwrap()
            .ends_with("required_labels.rego")
    );

    let (code, out, _) = run(
        dir.path(),
        &[
            "explain",
            "workload-without-owner-labels",
            "--policy",
            "policies",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        out.contains("ORG001 workload-without-owner-labels"),
        "{out}"
    );
    assert!(out.contains("Add the missing labels"), "{out}");
    assert!(
        out.contains("Defined by: policies/required_labels.rego"),
        "{out}"
    );

    let (code, out, err) = run(
        dir.path(),
        &[
            "scan",
            "--policy",
            "policies",
            "--select",
            "ORG001",
            "--fail-on",
            "medium",
            "-f",
            "sarif",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let sarif = json(&out);
    assert_eq!(common::sarif_schema_errors(&sarif), Vec::<String>::new());
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "ORG001");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    let described = &run["tool"]["driver"]["rules"][index];
    assert_eq!(described["id"], "ORG001");
    assert!(
        described["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("Defined by the policy"),
        "{described}"
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region["startLine"], 4,
        "the finding points at the workload's name"
    );
}

#[test]
fn selectors_overrides_suppressions_and_baselines_treat_policies_as_rules() {
    let dir = labelled_repository();
    let scan = |extra: &[&str]| {
        let mut args = vec!["scan", "--policy", "policies", "-f", "json"];
        args.extend_from_slice(extra);
        let (_, out, err) = run(dir.path(), &args);
        let report = json(&out);
        assert_eq!(report["diagnostics"], serde_json::json!([]), "{err}");
        report
    };
    let ids = |report: &Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_owned())
            .filter(|id| id == "ORG001")
            .collect()
    };
    assert_eq!(ids(&scan(&[])), ["ORG001"]);
    assert_eq!(
        ids(&scan(&["--select", "workload-without-owner-labels"])),
        ["ORG001"]
    );
    assert_eq!(ids(&scan(&["--select", "reliability"])), ["ORG001"]);
    assert!(ids(&scan(&["--ignore", "ORG001"])).is_empty());
    assert!(ids(&scan(&["--min-severity", "high"])).is_empty());

    // The configuration names the policies, raises the rule's severity, and its rule ids are
    // checked against the catalog with the policies' rules in it.
    write(
        dir.path(),
        ".palisade.yaml",
        "version: 1\npolicies: [policies]\nrules:\n  severity:\n    ORG001: high\n",
    );
    let (code, out, err) = run(dir.path(), &["scan", "--select", "ORG001", "-f", "json"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(json(&out)["findings"][0]["severity"], "high");
    write(
        dir.path(),
        ".palisade.yaml",
        "version: 1\npolicies: [policies]\nrules:\n  severity:\n    ORG009: high\n",
    );
    let (code, _, err) = run(dir.path(), &["scan"]);
    assert_eq!(code, 2);
    assert!(err.contains("ORG009"), "{err}");
    fs::remove_file(dir.path().join(".palisade.yaml")).unwrap();

    // A baseline holds the finding; a new one is reported.
    let (code, _, err) = run(dir.path(), &["baseline", "--policy", "policies"]);
    assert_eq!(code, 0, "{err}");
    let report = scan(&[
        "--baseline",
        ".palisade-baseline.json",
        "--select",
        "ORG001",
    ]);
    assert_eq!(report["summary"]["baselined"], 1);
    assert!(ids(&report).is_empty());

    // An inline suppression with a reason.
    let manifest = dir.path().join("deploy/web.yaml");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(
        &manifest,
        text.replace(
            "  name: web\n",
            "  # palisade:ignore[ORG001] owned by the platform team, labelled by the operator\n  name: web\n",
        ),
    )
    .unwrap();
    let report = scan(&["--select", "ORG001"]);
    assert!(ids(&report).is_empty());
    assert_eq!(report["suppressed"][0]["rule_id"], "ORG001");
}

/// A policy file with `body` after a valid metadata block.
fn policy(id: &str, body: &str) -> String {
    format!(
        "package test.{}\n\nimport rego.v1\n\nmetadata := {{\"id\": \"{id}\", \"name\": \"{}\", \"title\": \"A test\", \"severity\": \"low\", \"policy\": \"hardening\", \"description\": \"What it checks.\", \"remediation\": \"What to do.\"}}\n\n{body}\n",
        id.to_lowercase(),
        id.to_lowercase()
    )
}

#[test]
fn policies_that_do_not_load_stop_the_scan_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\nUSER app\n");
    let cases: &[(&str, String, &str)] = &[
        (
            "syntax.rego",
            "package broken\nimport rego.v1\n\ndeny contains msg if {\n  msg := \n}\n".to_owned(),
            "/syntax.rego:5:",
        ),
        (
            "nometadata.rego",
            "package nometa\nimport rego.v1\ndeny contains \"x\" if true\n".to_owned(),
            "has `deny` but no `metadata`",
        ),
        (
            "severity.rego",
            policy("T1", "deny contains \"x\" if false").replace("\"low\"", "\"urgent\""),
            "severity.rego: `metadata`: unknown variant `urgent`",
        ),
        (
            "builtin.rego",
            policy("DKR001", "deny contains \"x\" if false"),
            "already has",
        ),
        (
            "control.rego",
            policy("T2", "deny contains \"x\" if false").replace(
                "\"remediation\"",
                "\"controls\": [\"pss-restricted/none\"], \"remediation\"",
            ),
            "pss-restricted/none",
        ),
        (
            "runtime.rego",
            policy("T3", "deny contains opa.runtime().env.HOME if true"),
            "Unknown function: 'opa.runtime'",
        ),
        (
            "network.rego",
            policy(
                "T10",
                "deny contains x if { x := http.send({\"url\": \"https://example.com\"}) }",
            ),
            "Unknown function: 'http.send'",
        ),
        (
            "wide.rego",
            policy("T11", "deny contains sprintf(\"%999999999d\", [1]) if true"),
            "five digits or more",
        ),
        (
            "pattern.rego",
            policy(
                "T12",
                "deny contains \"x\" if {\n  some d in input.documents\n  regex.match(`^(FROM|RUN [a-`, d.instructions[0].arguments)\n}",
            ),
            "/pattern.rego:9:15: the pattern of regex.match does not compile: unclosed character class",
        ),
        (
            "replace.rego",
            policy(
                "T13",
                "deny contains \"x\" if regex.replace(input.path, \"(\\\\d\", \"\") == \"\"",
            ),
            "the pattern of regex.replace does not compile: unclosed group",
        ),
    ];
    for (name, text, says) in cases {
        let policies = dir.path().join(format!("policies-{name}"));
        write(&policies, name, text);
        let (code, _, err) = run(
            dir.path(),
            &[
                "scan",
                ".",
                "--no-config",
                "--policy",
                policies.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(says), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one line: {err}");
    }
    // Two policies may not share an id.
    let twice = dir.path().join("twice");
    write(
        &twice,
        "a.rego",
        &policy("T4", "deny contains \"x\" if false"),
    );
    write(
        &twice,
        "b.rego",
        &policy("T4", "deny contains \"x\" if false")
            .replace("package test.t4", "package test.other"),
    );
    let (code, _, err) = run(dir.path(), &["rules", "--policy", "twice"]);
    assert_eq!(code, 2);
    assert!(err.contains("T4"), "{err}");
}

/// Policies are written for OPA, whose expressions know `\\d`, `\\s`, `\\w`, Unicode classes
/// and case folding; a pattern using them must match, not fall silently to undefined.
#[test]
fn regular_expressions_read_as_in_opa() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\nRUN apk  UPGRADE --no-cache\nLABEL version=\"v2\" team=\"Équipe\"\nUSER 10001\n",
    );
    let cases = [
        ("T20", r"`(?i)apk\s+upgrade`", "arguments"),
        ("T21", r"`^version=.v\d\b`", "arguments"),
        ("T22", r#""team=\"\\p{Lu}\\w+\"""#, "arguments"),
    ];
    for (id, pattern, field) in cases {
        write(
            dir.path(),
            &format!("policies/{}.rego", id.to_lowercase()),
            &policy(
                id,
                &format!(
                    "deny contains {{\"msg\": \"matched\", \"at\": i}} if {{\n  some d in input.documents\n  some i in d.instructions\n  regex.match({pattern}, i.{field})\n}}"
                ),
            ),
        );
    }
    let report = scan_policies(dir.path(), ".", "policies", "T20,T21,T22");
    assert!(
        report["diagnostics"].as_array().unwrap().is_empty(),
        "{report}"
    );
    let dockerfile = |rule: &str, line| ("Dockerfile".to_owned(), rule.to_owned(), line);
    assert_eq!(
        found(&report),
        [
            dockerfile("T20", 2),
            dockerfile("T21", 3),
            dockerfile("T22", 3)
        ]
    );
}

/// `regex.match` is answered by palisade on regorus's virtual machine (regorus's own clones its
/// compiled expression on every call); it must read exactly as regorus's interpreter reads it,
/// wherever the call sits and whatever its arguments are.
#[test]
fn regex_match_reads_the_same_on_the_machine_and_in_the_interpreter() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "FROM alpine:3.20\nRUN apk upgrade --no-cache\nRUN echo UPGRADE\nUSER 10001\n",
    );
    let each = "some d in input.documents\n  some i in d.instructions\n  i.instruction == \"RUN\"";
    let cases = [
        // In a function of another package.
        ("T40", format!("deny contains {{\"msg\": \"m\", \"at\": i}} if {{\n  {each}\n  data.helpers.upgrades(i.arguments)\n}}")),
        // A pattern computed from the input.
        ("T41", format!("deny contains {{\"msg\": \"m\", \"at\": i}} if {{\n  {each}\n  regex.match(sprintf(\"^%s\", [lower(i.instruction)]), \"run it\")\n}}")),
        // A computed pattern that does not compile is undefined, so `not` holds.
        ("T42", format!("deny contains {{\"msg\": \"m\", \"at\": i}} if {{\n  {each}\n  not regex.match(concat(\"\", [\"[\", i.instruction]), i.arguments)\n}}")),
        // A value that is not a string is undefined too.
        ("T43", format!("deny contains {{\"msg\": \"m\", \"at\": i}} if {{\n  {each}\n  not regex.match(\"1\", count(d.instructions))\n}}")),
        // In a comprehension, and with the result bound to a variable.
        ("T44", "deny contains {\"msg\": \"m\", \"at\": d} if {\n  some d in input.documents\n  hits := [i | some i in d.instructions; regex.match(`(?i)upgrade`, i.arguments, true)]\n  count(hits) == 2\n}".to_owned()),
        // Under `every`, and negated.
        ("T45", "deny contains {\"msg\": \"m\", \"at\": d} if {\n  some d in input.documents\n  every i in d.instructions {\n    not regex.match(`curl|wget`, i.arguments)\n  }\n}".to_owned()),
        // A match that is false.
        ("T46", format!("deny contains {{\"msg\": \"m\", \"at\": i}} if {{\n  {each}\n  regex.match(`^apk\\s+add`, i.arguments)\n}}")),
    ];
    for set in ["machine", "interpreter"] {
        write(
            dir.path(),
            &format!("{set}/helpers.rego"),
            "package helpers\n\nimport rego.v1\n\nupgrades(x) if regex.match(`\\bupgrade\\b`, x)\n",
        );
    }
    for (id, body) in &cases {
        write(
            dir.path(),
            &format!("machine/{}.rego", id.to_lowercase()),
            &policy(id, body),
        );
        // `numbers.range` anywhere sends every policy of the set to the interpreter.
        write(
            dir.path(),
            &format!("interpreter/{}.rego", id.to_lowercase()),
            &policy(id, &format!("{body}\n\nunused := numbers.range(1, 2)")),
        );
    }
    let scan = |policies: &str| {
        let report = scan_policies(
            dir.path(),
            "Dockerfile",
            policies,
            "T40,T41,T42,T43,T44,T45,T46",
        );
        assert!(
            report["diagnostics"].as_array().unwrap().is_empty(),
            "{report}"
        );
        found(&report)
    };
    let at = |rule: &str, line| ("Dockerfile".to_owned(), rule.to_owned(), line);
    let expected = [
        at("T40", 2),
        at("T41", 2),
        at("T41", 3),
        at("T42", 2),
        at("T42", 3),
        at("T43", 2),
        at("T43", 3),
        at("T44", 1),
        at("T45", 1),
    ];
    assert_eq!(scan("machine"), expected);
    assert_eq!(scan("interpreter"), expected);
}

/// A pattern computed at run time that compiles past regorus's size limit stops the policy on
/// that unit, as regorus does: not matching would turn `not regex.match(…)` true.
#[test]
fn a_regex_past_the_size_limit_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", "FROM alpine:3.20\nUSER 10001\n");
    write(
        dir.path(),
        "policies/huge.rego",
        &policy(
            "T47",
            "deny contains \"m\" if {\n  not regex.match(sprintf(\"\\\\w{%d}\", [2000]), input.format)\n}",
        ),
    );
    let report = scan_policies(dir.path(), "Dockerfile", "policies", "T47");
    assert!(found(&report).is_empty(), "{report}");
    let message = report["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("T47") && message.contains("limit"),
        "{report}"
    );
}

#[test]
fn policies_that_fail_on_a_file_are_diagnostics_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/Dockerfile", "FROM alpine:3.20\nUSER app\n");
    write(
        dir.path(),
        "policies/bad_result.rego",
        &policy(
            "T5",
            "deny contains {\"message\": \"no msg field\"} if true",
        ),
    );
    write(
        dir.path(),
        "policies/fine.rego",
        &policy(
            "T6",
            "deny contains \"every file\" if input.format == \"dockerfile\"",
        ),
    );
    let args = [
        "scan",
        "a",
        "--no-config",
        "--policy",
        "policies",
        "--select",
        "T5,T6",
        "-f",
        "json",
    ];
    let (code, out, err) = run(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(report["findings"][0]["rule_id"], "T6");
    assert_eq!(
        report["findings"][0]["start"]["line"], 1,
        "a message alone is at the file"
    );
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["kind"], "policy-error");
    assert!(
        diagnostic["message"].as_str().unwrap().contains("T5")
            && diagnostic["message"]
                .as_str()
                .unwrap()
                .contains("needs a `msg`"),
        "{diagnostic}"
    );
    let mut gated = args.to_vec();
    gated.push("--fail-on-diagnostics");
    assert_eq!(run(dir.path(), &gated).0, 1);
}

#[test]
fn a_policy_that_runs_out_of_time_is_stopped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a/Dockerfile", "FROM alpine:3.20\nUSER app\n");
    write(
        dir.path(),
        "policies/slow.rego",
        &policy(
            "T7",
            "deny contains \"never\" if {\n  some i in numbers.range(1, 4000)\n  some j in numbers.range(1, 4000)\n  i * j == 0\n}",
        ),
    );
    write(
        dir.path(),
        "policies/huge.rego",
        &policy(
            "T8",
            "deny contains sprintf(\"%d\", [count(numbers.range(1, 10000000000))]) if true",
        ),
    );
    let report = scan_policies(dir.path(), "a", "policies", "T7,T8");
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("T7") && m.contains("ran out of time")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("T8") && m.contains("more than 1000000")),
        "{messages:?}"
    );
}

/// On regorus's virtual machine, the time limit bounds a run, its own calls to palisade
/// (`regex.match`) included; the count of instructions does not, or a plain policy would fail
/// on a bundle of a few thousand documents.
#[test]
fn machine_runs_are_bounded_by_time_not_by_instructions() {
    let dir = tempfile::tempdir().unwrap();
    let bundle: Vec<String> = (0..3000)
        .map(|n| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{n}\n  labels:\n    app: a{n}\ndata:\n  k: v\n"))
        .collect();
    write(dir.path(), "a/bundle.yaml", &bundle.join("---\n"));
    let long_run = format!("FROM alpine:3.20\nRUN {}\nUSER 10001\n", "a".repeat(80_000));
    write(dir.path(), "a/Dockerfile", &long_run);
    let each_document = "some d in input.documents\n  d.kind == \"ConfigMap\"";
    write(
        dir.path(),
        "policies/plain.rego",
        &policy(
            "T50",
            &format!(
                "deny contains {{\"msg\": \"no team\", \"at\": d}} if {{\n  {each_document}\n  some key, _ in d.metadata.labels\n  key != \"team\"\n  some _, value in d.data\n  value != \"\"\n}}"
            ),
        ),
    );
    write(
        dir.path(),
        "policies/nested.rego",
        &policy(
            "T51",
            "deny contains \"never\" if {\n  some a in input.documents\n  some b in input.documents\n  some c in input.documents\n  a.metadata.name == concat(\"\", [b.metadata.name, c.metadata.name])\n}",
        ),
    );
    // Each call scans 80 kB; 80,000 calls would take many seconds.
    write(
        dir.path(),
        "policies/matching.rego",
        &policy(
            "T52",
            "deny contains \"never\" if {\n  some d in input.documents\n  some i in d.instructions\n  i.instruction == \"RUN\"\n  hits := [p | some p in split(i.arguments, \"a\"); regex.match(`^[a-z]*[0-9]`, i.arguments)]\n  count(hits) > 0\n}",
        ),
    );
    let report = scan_policies(dir.path(), "a", "policies", "T50,T51,T52");
    let found = found(&report);
    assert_eq!(found.len(), 3000, "{:?}", &found[..found.len().min(3)]);
    assert!(found.iter().all(|(_, rule, _)| rule == "T50"));
    let mut failed: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    failed.sort();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(
        failed[0].0.ends_with("Dockerfile") && failed[0].1.contains("T52"),
        "{failed:?}"
    );
    assert!(
        failed[1].0.ends_with("bundle.yaml") && failed[1].1.contains("T51"),
        "{failed:?}"
    );
    assert!(
        failed
            .iter()
            .all(|(_, message)| message.contains("ran out of time")),
        "{failed:?}"
    );
}

#[test]
fn results_point_at_nodes_and_at_paths_under_them() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports:\n            - containerPort: 80\n              hostPort: 80\n",
    );
    write(
        dir.path(),
        "policies/places.rego",
        &policy(
            "T12",
            "deny contains {\"msg\": \"replicas\", \"at\": d, \"path\": [\"spec\", \"replicas\"]} if some d in input.documents\n\
             deny contains {\"msg\": \"document\", \"at\": d} if some d in input.documents\n\
             deny contains {\"msg\": \"port\", \"at\": c, \"path\": [\"ports\", 0, \"hostPort\"]} if some c in input.documents[_].spec.template.spec.containers\n\
             deny contains {\"msg\": \"container\", \"at\": c} if some c in input.documents[_].spec.template.spec.containers\n\
             deny contains {\"msg\": \"nowhere\", \"at\": {\"a\": 1}} if true\n\
             deny contains {\"msg\": \"past the end\", \"at\": d, \"path\": [\"spec\", \"missing\", \"deeper\"]} if some d in input.documents",
        ),
    );
    let (_, out, err) = run(
        dir.path(),
        &[
            "scan",
            "deploy.yaml",
            "--no-config",
            "--policy",
            "policies",
            "--select",
            "T12",
            "-f",
            "json",
        ],
    );
    let report = json(&out);
    assert_eq!(report["diagnostics"], serde_json::json!([]), "{err}");
    let mut places: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["message"].as_str().unwrap().to_owned(),
                f["start"]["line"].as_u64().unwrap(),
                f["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    places.sort();
    assert_eq!(
        places,
        [
            ("container".to_owned(), 10, 11),
            ("document".to_owned(), 1, 1),
            ("nowhere".to_owned(), 1, 1),
            // As far as the path goes: `spec`.
            ("past the end".to_owned(), 5, 1),
            ("port".to_owned(), 14, 15),
            ("replicas".to_owned(), 6, 3),
        ]
    );
}

#[test]
fn older_rego_loads_as_conftest_writes_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n",
    );
    write(
        dir.path(),
        "policies/old.rego",
        "package old\n\nmetadata = {\"id\": \"T9\", \"name\": \"old-style\", \"title\": \"Old\", \"severity\": \"low\", \"policy\": \"hardening\", \"description\": \"d\", \"remediation\": \"r\"}\n\ndeny[msg] {\n  doc := input.documents[_]\n  doc.kind == \"Pod\"\n  msg := sprintf(\"%s is a bare Pod\", [doc.metadata.name])\n}\n",
    );
    let report = scan_policies(dir.path(), ".", "policies", "T9");
    assert_eq!(report["findings"][0]["message"], "p is a bare Pod");
}

#[test]
fn a_configuration_names_policies_only_inside_its_directory() {
    let dir = labelled_repository();
    for outside in ["../policies", "/etc"] {
        write(
            dir.path(),
            ".palisade.yaml",
            &format!("version: 1\npolicies: [{outside}]\n"),
        );
        let (code, _, err) = run(dir.path(), &["scan"]);
        assert_eq!(code, 2, "{outside}");
        assert!(
            err.contains("inside the configuration's directory"),
            "{err}"
        );
    }
}

#[test]
fn compliance_reports_count_the_controls_policies_declare() {
    let dir = tempfile::tempdir().unwrap();
    let policies = examples().join("allowed-registries");
    let (code, out, _) = run(
        dir.path(),
        &[
            "compliance",
            "cis-docker-4",
            "--policy",
            policies.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("4.2 "))
        .unwrap();
    assert!(line.contains("ORG002"), "{line}");
    write(
        dir.path(),
        "Dockerfile",
        "FROM python:3.12-slim\nUSER 10001\n",
    );
    let (_, out, err) = run(
        dir.path(),
        &[
            "scan",
            ".",
            "--no-config",
            "--policy",
            policies.to_str().unwrap(),
            "--compliance",
            "cis-docker-4",
            "-f",
            "json",
        ],
    );
    let report = json(&out);
    let control = report["compliance"][0]["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "4.2")
        .cloned()
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(control["status"], "failed");
    assert!(
        control["rules"]
            .as_array()
            .unwrap()
            .contains(&Value::from("ORG002"))
    );
}

#[test]
fn inspect_prints_what_policies_read_as_the_schema_says_with_secrets_masked() {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(common::root().join("schemas/policy-input.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    for example in schema["examples"].as_array().unwrap() {
        assert!(
            validator.is_valid(example),
            "the schema's own example: {example}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let secret = "Xk9vP2mQ7wLr4tZs";
    write(
        dir.path(),
        "compose.yaml",
        &format!(
            "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: \"{secret}\"\n    ports:\n      - \"5432:5432\"\n"
        ),
    );
    write(
        dir.path(),
        "Dockerfile",
        "FROM python:3.12-slim AS build\nRUN pip wheel .\nFROM registry.example.com/python:3.12\nLABEL org.opencontainers.image.source=https://example.com\nUSER 10001\n",
    );
    write(
        dir.path(),
        "infra/main.tf",
        "variable \"cidr\" {\n  default = \"0.0.0.0/0\"\n}\n\nresource \"aws_security_group\" \"ssh\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [var.cidr]\n  }\n  vpc_id = aws_vpc.main.id\n}\n",
    );
    write(
        dir.path(),
        "stack.yaml",
        "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"${AWS::StackName}-logs\"\n",
    );
    fs::copy(
        examples().join("required-labels/fixtures/deployments.yaml"),
        dir.path().join("deployments.yaml"),
    )
    .unwrap();
    let (code, out, err) = run(dir.path(), &["inspect", "."]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(secret), "a secret is printed: {out}");
    let inputs = json(&out);
    let inputs = inputs.as_array().unwrap();
    let formats: Vec<&str> = inputs
        .iter()
        .map(|i| i["format"].as_str().unwrap())
        .collect();
    for format in [
        "compose",
        "dockerfile",
        "terraform",
        "cloudformation",
        "kubernetes",
    ] {
        assert!(formats.contains(&format), "{format} in {formats:?}");
    }
    for input in inputs {
        let errors: Vec<String> = validator
            .iter_errors(input)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:?} in {input}");
    }
    let by_format = |format: &str| inputs.iter().find(|i| i["format"] == format).unwrap();
    let compose = by_format("compose");
    assert_eq!(compose["documents"][0]["__line"], 1);
    // Mappings under a key are dictionaries as often as not: no place among their keys.
    let services = compose["documents"][0]["services"].as_object().unwrap();
    assert_eq!(services.keys().collect::<Vec<_>>(), ["db"]);
    assert_eq!(compose["model"]["exposures"][0]["audience"], "public");
    let terraform = by_format("terraform");
    let group = &terraform["documents"][0]["blocks"][1];
    assert_eq!(
        group["body"]["ingress"][0]["cidr_blocks"],
        serde_json::json!(["0.0.0.0/0"])
    );
    assert_eq!(group["body"]["vpc_id"], "${aws_vpc.main.id}");
    assert_eq!(group["__file"], "main.tf");
    let template = by_format("cloudformation");
    assert_eq!(
        template["documents"][0]["Resources"]["Bucket"]["Properties"]["BucketName"],
        serde_json::json!({"Fn::Sub": "${AWS::StackName}-logs"})
    );
    let dockerfile = by_format("dockerfile");
    assert_eq!(dockerfile["documents"][0]["stages"][1]["final"], true);
    assert_eq!(
        dockerfile["documents"][0]["instructions"][3]["pairs"][0]["key"],
        "org.opencontainers.image.source"
    );
}
