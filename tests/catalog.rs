//! Tests over the whole rule catalog: its hygiene, and its tie to the checks.

use std::collections::HashSet;

use palisade::catalog::{Catalog, Policy, Severity};
use palisade::checks::{self, CHECKS, format};
use palisade::discover::{FileKind, Target};

fn catalog() -> &'static Catalog {
    Catalog::builtin()
}

#[test]
fn catalog_files_parse_and_are_named_after_their_rule() {
    let files = Catalog::builtin_files();
    assert!(!files.is_empty());
    for (path, text) in files {
        let parsed = Catalog::parse(&[(path, text)]).unwrap_or_else(|e| panic!("{e}"));
        let rule = &parsed.rules()[0];
        let target = rule.targets[0].as_str();
        assert_eq!(
            *path,
            format!("rules/{target}/{}.yaml", rule.id),
            "file name and location follow the rule"
        );
    }
}

#[test]
fn the_binary_reads_the_catalog_files_as_written() {
    let as_written = Catalog::parse(Catalog::builtin_files()).unwrap_or_else(|e| panic!("{e}"));
    let json = |catalog: &Catalog| serde_json::to_value(catalog.rules()).expect("rules serialize");
    assert_eq!(json(catalog()), json(&as_written));
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = HashSet::new();
    let mut names = HashSet::new();
    for rule in catalog().rules() {
        assert!(ids.insert(rule.id.as_str()), "duplicate id {}", rule.id);
        assert!(
            names.insert(rule.name.as_str()),
            "duplicate name {}",
            rule.name
        );
        let (prefix, number) = rule.id.split_at(3);
        let expected_prefix = match rule.targets[0] {
            Target::Dockerfile => "DKR",
            Target::Kubernetes => "K8S",
            Target::Compose => "CMP",
            Target::Terraform => "TFM",
            Target::GithubActions => "GHA",
            Target::GitlabCi => "GLC",
            Target::CloudFormation => "CFN",
            Target::Secrets => "SEC",
            Target::Palisade => "PAL",
        };
        assert_eq!(
            prefix, expected_prefix,
            "{}: the id prefix names the target",
            rule.id
        );
        assert!(
            number.len() == 3 && number.chars().all(|c| c.is_ascii_digit()),
            "id {} is not like DKR001",
            rule.id
        );
        let kebab = !rule.name.is_empty()
            && rule.name.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        assert!(kebab, "name {} is not kebab case", rule.name);
        assert!(
            !rule.name.starts_with("avoid-") && !rule.name.starts_with("use-"),
            "name {} should name the bad pattern",
            rule.name
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in catalog().rules() {
        assert!(
            rule.title.len() >= 10 && rule.title.len() <= 80,
            "{}: title length",
            rule.id
        );
        assert!(
            rule.description.len() >= 120,
            "{}: description too short",
            rule.id
        );
        // Reports show only the first line: it must be a whole sentence on its own.
        assert!(
            rule.remediation_summary().ends_with('.'),
            "{}: the first line of the remediation is not a whole sentence: {:?}",
            rule.id,
            rule.remediation_summary()
        );
        assert!(!rule.references.is_empty(), "{}: references", rule.id);
        for reference in &rule.references {
            assert!(
                reference.starts_with("https://"),
                "{}: reference {reference}",
                rule.id
            );
        }
        for cwe in &rule.cwe {
            assert!(
                cwe.starts_with("CWE-") && cwe[4..].parse::<u32>().is_ok(),
                "{}: {cwe}",
                rule.id
            );
        }
        assert!(!rule.targets.is_empty(), "{}: targets", rule.id);
    }
}

#[test]
fn severities_are_honest() {
    for rule in catalog().rules() {
        let core = matches!(
            rule.policy,
            Policy::NoRoot
                | Policy::NoLatest
                | Policy::NoHardcodedSecrets
                | Policy::NoPublicDb
                | Policy::NoPublicSsh
        );
        if core {
            assert!(
                rule.severity >= Severity::High,
                "{}: core policies are high or critical (the default gate, high, relies on it)",
                rule.id
            );
        } else {
            assert!(
                rule.severity <= Severity::Medium,
                "{}: advice is medium at most (it must not block at the default gate, high)",
                rule.id
            );
        }
        if rule.policy == Policy::Reliability {
            assert!(
                rule.severity <= Severity::Low,
                "{}: reliability is low or info",
                rule.id
            );
        }
    }
}

#[test]
fn every_rule_has_a_check_and_every_check_a_rule() {
    // Palisade's own rules (suppression comments) are judged by the engine, not by a check.
    let rule_ids: HashSet<&str> = catalog()
        .rules()
        .iter()
        .filter(|r| r.targets != [Target::Palisade])
        .map(|r| r.id.as_str())
        .collect();
    let check_ids: Vec<&str> = CHECKS.iter().map(|c| c.rule_id).collect();
    let unique: HashSet<&str> = check_ids.iter().copied().collect();
    assert_eq!(unique.len(), check_ids.len(), "a rule has two checks");
    assert_eq!(rule_ids, unique, "rules and checks differ");
    for check in CHECKS {
        let rule = catalog().get(check.rule_id).unwrap();
        assert!(
            rule.targets.contains(&check.checker.target()),
            "{}: check reads a format the rule does not target",
            rule.id
        );
    }
}

/// An example is a file alone at the root of a repository: no other file exists (no
/// `.dockerignore`, no Dockerfile a compose service builds, no network policy).
struct AloneInARepository;

impl palisade::links::Repository for AloneInARepository {
    fn read(&self, _: &str) -> Option<(String, String)> {
        None
    }

    fn path(&self) -> Option<String> {
        Some("example".to_owned())
    }

    fn network_policies(
        &self,
    ) -> Option<std::sync::Arc<[palisade::formats::network_policies::Policy]>> {
        Some(std::sync::Arc::from([]))
    }
}

#[test]
fn every_example_behaves() {
    for check in CHECKS {
        let rule = catalog().get(check.rule_id).unwrap();
        // A file kind whose content the rule's target can be.
        let kind = FileKind::ALL
            .into_iter()
            .find(|kind| format::targets(*kind).contains(&check.checker.target()))
            .unwrap();
        let run = |text: &str| {
            let settings = palisade::checks::Settings::default();
            checks::run_in(
                kind,
                text,
                std::slice::from_ref(check),
                &settings,
                &AloneInARepository,
            )
            .unwrap()
        };
        let examples = rule
            .examples
            .as_ref()
            .unwrap_or_else(|| panic!("{}: a built-in rule without examples", rule.id));
        let bad = run(&examples.bad);
        assert!(!bad.is_empty(), "{}: examples.bad does not fire", rule.id);
        let good = run(&examples.good);
        assert!(
            good.is_empty(),
            "{}: examples.good fires: {good:?}",
            rule.id
        );
    }
}

#[test]
fn rules_are_found_by_id_or_name_in_any_case() {
    let by_id = catalog().find("dkr001").unwrap();
    let by_name = catalog().find("Last-User-Root").unwrap();
    assert_eq!(by_id.id, by_name.id);
    assert!(catalog().find("DKR999").is_none());
}

#[test]
fn palisade_rule_examples_behave() {
    for rule in catalog().rules() {
        if rule.targets != [Target::Palisade] {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        let mut findings = Vec::new();
        let examples = rule.examples.as_ref().unwrap();
        for example in [&examples.bad, &examples.good] {
            std::fs::write(&path, format!("FROM alpine:3.20\n{example}")).unwrap();
            let options = palisade::ScanOptions {
                paths: vec![path.clone()],
                ..palisade::ScanOptions::default()
            };
            let report = palisade::scan(&options).unwrap();
            findings.push(
                report
                    .findings
                    .iter()
                    .filter(|f| f.rule_id == rule.id)
                    .count(),
            );
        }
        assert_eq!(findings, [1, 0], "{}: bad, good", rule.id);
    }
}
