//! Every rule against its fixtures: `fixtures/<format>/<RULE-ID>/{bad,good}-*`.
//!
//! A fixture is a file, or a directory scanned as a whole (a Terraform module with its
//! `variables.tf` and `terraform.tfvars`, a compose project with the Dockerfiles it builds). Expected findings are marked in the fixture itself: a
//! comment `# expect: RULE[, RULE…]` says that the next line which is not such a marker carries
//! exactly those findings (`// expect:` in languages with C-style comments). JSON has no comments, so Terraform JSON fixtures use Terraform's own
//! comment property instead: `"//": "expect: RULE",`. A fixture is scanned with its directory's rule and every rule its
//! markers name, and the findings of those rules must match the markers exactly (file, rule and
//! line). `good-*` fixtures carry no marker and must produce no finding of their rule.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use palisade::Catalog;

fn fixture_files() -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for format in fs::read_dir(common::root().join("fixtures"))
        .unwrap()
        .flatten()
    {
        for rule_dir in fs::read_dir(format.path()).unwrap().flatten() {
            let rule = rule_dir.file_name().to_string_lossy().into_owned();
            for file in fs::read_dir(rule_dir.path()).unwrap().flatten() {
                files.push((rule.clone(), file.path()));
            }
        }
    }
    files.sort();
    files
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_fixture_produces_exactly_its_marked_findings() {
    let mut failures = Vec::new();
    let fixtures = fixture_files();
    assert!(fixtures.len() >= 30, "fixtures are missing");
    for (rule, path) in &fixtures {
        // The files of the fixture, and the name each finding is reported under.
        let files: Vec<PathBuf> = if path.is_dir() {
            // Subdirectories too: a compose project with the Dockerfiles it builds.
            common::files_under(path)
        } else {
            vec![path.clone()]
        };
        let mut expected: Vec<(String, String, usize)> = files
            .iter()
            .flat_map(|file| {
                let text = fs::read_to_string(file).unwrap();
                common::expectations(&text)
                    .into_iter()
                    .map(|(rule, line)| (name(file), rule, line))
                    .collect::<Vec<_>>()
            })
            .collect();
        expected.sort();
        let mut rules: BTreeSet<String> = expected.iter().map(|(_, r, _)| r.clone()).collect();
        rules.insert(rule.clone());
        let rules: Vec<String> = rules.into_iter().collect();
        let report = common::scan_with(&[path], &rules);
        assert!(
            report.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            report.diagnostics
        );
        let mut actual: Vec<(String, String, usize)> = report
            .findings
            .iter()
            .map(|f| (name(&f.path), f.rule_id.clone(), f.start.line))
            .collect();
        actual.sort();
        if actual != expected {
            failures.push(format!(
                "{}\n  expected {expected:?}\n  actual   {actual:?}",
                path.display()
            ));
        }
        let is_bad = name(path).starts_with("bad");
        assert_eq!(
            is_bad,
            expected.iter().any(|(_, r, _)| r == rule),
            "{}: bad fixtures mark their rule, good ones do not",
            path.display()
        );
    }
    assert!(
        failures.is_empty(),
        "fixtures disagree with their markers:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_rule_has_bad_and_good_fixtures() {
    let files = fixture_files();
    for rule in Catalog::builtin().rules() {
        let names: Vec<String> = files
            .iter()
            .filter(|(r, _)| *r == rule.id)
            .map(|(_, p)| name(p))
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("bad")),
            "{} has no bad fixture",
            rule.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("good")),
            "{} has no good fixture",
            rule.id
        );
    }
    for (rule, path) in &files {
        assert!(
            Catalog::builtin().get(rule).is_some(),
            "{} is in a directory of no rule",
            path.display()
        );
    }
}

#[test]
fn markers_are_read_as_documented() {
    let text = "a\n# expect: X1, X2\n# expect: X3\nb\nc\n";
    assert_eq!(
        common::expectations(text),
        [
            ("X1".to_owned(), 4),
            ("X2".to_owned(), 4),
            ("X3".to_owned(), 4)
        ]
    );
}

/// Terraform's JSON syntax says the same as HCL: each HCL Terraform fixture, converted to JSON
/// (`.tf` to `.tf.json`, `.tfvars` to `.tfvars.json`, as `hcl-rs` writes them), gives the same
/// findings with the same messages.
#[test]
fn terraform_fixtures_converted_to_json_give_the_same_findings() {
    let mut compared = 0;
    for (rule, path) in fixture_files() {
        if !path.starts_with(common::root().join("fixtures/terraform")) {
            continue;
        }
        let files: Vec<PathBuf> = if path.is_dir() {
            fs::read_dir(&path)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .collect()
        } else {
            vec![path.clone()]
        };
        if files
            .iter()
            .all(|f| f.extension().is_some_and(|e| e == "json"))
        {
            continue;
        }
        let converted = tempfile::tempdir().unwrap();
        for file in &files {
            let text = fs::read_to_string(file).unwrap();
            let name = name(file);
            let (name, text) = if name.ends_with(".tf") || name.ends_with(".tfvars") {
                let value: serde_json::Value = hcl::from_str(&text).unwrap();
                (
                    format!("{name}.json"),
                    serde_json::to_string_pretty(&value).unwrap(),
                )
            } else {
                (name, text)
            };
            fs::write(converted.path().join(name), text).unwrap();
        }
        let findings = |path: &Path| {
            let report = common::scan_with(&[path], &[]);
            assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
            let mut found: Vec<(String, String)> = report
                .findings
                .iter()
                // The fixtures are in a test path, the converted copies are not.
                .map(|f| {
                    let message = f.message.replace(".json`", "`");
                    let message = message.replace(" (in a test or example path)", "");
                    (f.rule_id.clone(), message)
                })
                .collect();
            found.sort();
            found
        };
        let hcl = findings(&path);
        let json = findings(converted.path());
        assert!(
            hcl.iter().any(|(r, _)| *r == rule) == name(&path).starts_with("bad"),
            "{}",
            path.display()
        );
        assert_eq!(hcl, json, "{} as JSON", path.display());
        compared += 1;
    }
    assert!(compared >= 18, "{compared}");
}

/// A CloudFormation template written in YAML short form (`!Ref`, `!Sub`, …) and the same template
/// in JSON (`{"Ref": …}`, `{"Fn::Sub": …}`) as `aws cloudformation` would take it.
fn cloudformation_as_json(yaml: &palisade::formats::yaml::Yaml, node: usize) -> serde_json::Value {
    use palisade::formats::yaml::NodeKind;
    let value = match &yaml.node(node).kind {
        NodeKind::Mapping(_) => serde_json::Value::Object(
            yaml.keys(node)
                .into_iter()
                .map(|(key, entry)| (key, cloudformation_as_json(yaml, entry.value)))
                .collect(),
        ),
        NodeKind::Sequence(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|&item| cloudformation_as_json(yaml, item))
                .collect(),
        ),
        NodeKind::Alias(target) => cloudformation_as_json(yaml, *target),
        NodeKind::Scalar { .. } => {
            let text = yaml.str(node).unwrap_or_default();
            match text.parse::<i64>() {
                Ok(number) if yaml.content_span(node).is_some() && !text.starts_with('0') => {
                    serde_json::Value::from(number)
                }
                _ => serde_json::Value::String(text.to_owned()),
            }
        }
    };
    match yaml.tag(node) {
        None => value,
        Some("GetAtt") if value.is_string() => {
            let text = value.as_str().unwrap();
            let (resource, attribute) = text.split_once('.').unwrap();
            serde_json::json!({"Fn::GetAtt": [resource, attribute]})
        }
        Some(tag @ ("Ref" | "Condition")) => serde_json::json!({ tag: value }),
        Some(tag) => serde_json::json!({ format!("Fn::{tag}"): value }),
    }
}

/// CloudFormation's JSON says the same as its YAML: each YAML CloudFormation fixture, written as
/// JSON with the functions in their long form, gives the same findings with the same messages.
#[test]
fn cloudformation_fixtures_converted_to_json_give_the_same_findings() {
    let mut compared = 0;
    for (rule, path) in fixture_files() {
        if !path.starts_with(common::root().join("fixtures/cloudformation"))
            || path.extension().is_none_or(|e| e != "yaml")
        {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let yaml = palisade::formats::yaml::Yaml::parse(&text).unwrap();
        let json = cloudformation_as_json(&yaml, yaml.documents[0]);
        let converted = tempfile::tempdir().unwrap();
        let copy = converted.path().join(name(&path).replace(".yaml", ".json"));
        fs::write(&copy, serde_json::to_string_pretty(&json).unwrap()).unwrap();
        let findings = |path: &Path| {
            let report = common::scan_with(&[path], std::slice::from_ref(&rule));
            assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
            let mut found: Vec<String> = report
                .findings
                .iter()
                .map(|f| f.message.replace(" (in a test or example path)", ""))
                .collect();
            found.sort();
            found
        };
        let written = findings(&path);
        assert_eq!(
            written.is_empty(),
            !name(&path).starts_with("bad"),
            "{}",
            path.display()
        );
        assert_eq!(written, findings(&copy), "{} as JSON", path.display());
        compared += 1;
    }
    assert!(compared >= 25, "{compared}");
}
