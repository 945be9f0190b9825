//! The SARIF report against the official 2.1.0 schema and what GitHub code scanning needs.

mod common;

use assert_cmd::Command;
use serde_json::Value;

fn sarif(args: &[&str]) -> Value {
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(common::root())
        .args(["scan", "--format", "sarif"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn report_with_findings_and_notifications_is_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nNOT_AN_INSTRUCTION x\n",
    )
    .unwrap();
    // A parse error with no position: no FROM at all.
    std::fs::write(dir.path().join("empty.Dockerfile"), "").unwrap();
    let document = sarif(&["fixtures", dir.path().to_str().unwrap()]);
    let errors = common::sarif_schema_errors(&document);
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &document["runs"][0];
    assert!(run["results"].as_array().unwrap().len() > 30);
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notifications.len(), 2);
    assert!(notifications.iter().all(|n| n["level"] == "warning"));
    let regions: Vec<&Value> = notifications
        .iter()
        .map(|n| &n["locations"][0]["physicalLocation"]["region"])
        .collect();
    assert_eq!(
        regions[0]["startLine"], 2,
        "Dockerfile: the bad instruction"
    );
    // The directory was given as an absolute path: URIs stay repository-relative.
    for notification in notifications {
        let artifact = &notification["locations"][0]["physicalLocation"]["artifactLocation"];
        assert!(
            !artifact["uri"].as_str().unwrap().starts_with('/'),
            "{artifact}"
        );
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
    }
    assert!(
        regions[1].is_null(),
        "empty.Dockerfile: no place to point at"
    );
}

#[test]
fn empty_report_is_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let document = sarif(&[dir.path().to_str().unwrap()]);
    assert!(common::sarif_schema_errors(&document).is_empty());
    assert_eq!(document["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn rules_carry_what_github_displays() {
    let document = sarif(&["fixtures/dockerfile/DKR001"]);
    let driver = &document["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "palisade");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert!(
        driver["informationUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), palisade::Catalog::builtin().rules().len());
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(rule["name"].is_string(), "{id}");
        assert!(rule["shortDescription"]["text"].is_string(), "{id}");
        assert!(
            rule["fullDescription"]["text"].as_str().unwrap().len() <= 1024,
            "{id}"
        );
        assert!(
            rule["help"]["text"].is_string() && rule["help"]["markdown"].is_string(),
            "{id}"
        );
        assert!(
            rule["helpUri"].as_str().unwrap().starts_with("https://"),
            "{id}"
        );
        let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{id}");
        let properties = &rule["properties"];
        let score: f64 = properties["security-severity"]
            .as_str()
            .expect("a string, as GitHub wants")
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score), "{id}");
        let tags: Vec<&str> = properties["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let policy = palisade::Catalog::builtin()
            .get(id)
            .unwrap()
            .policy
            .as_str();
        assert!(
            tags.contains(&"security") && tags.contains(&policy),
            "{id}: {tags:?}"
        );
        assert!(properties["precision"].is_string(), "{id}");
    }
}

#[test]
fn results_point_at_repository_relative_paths_with_fingerprints() {
    let document = sarif(&["fixtures/dockerfile/DKR003"]);
    let run = &document["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "palisade/");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("fixtures/dockerfile/DKR003/"), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert!(
            region["startLine"].as_u64().unwrap() >= 1
                && region["startColumn"].as_u64().unwrap() >= 1
        );
        assert!(region["endColumn"].as_u64().unwrap() > region["startColumn"].as_u64().unwrap());
        let fingerprints = &result["partialFingerprints"];
        let line_hash = fingerprints["primaryLocationLineHash"].as_str().unwrap();
        assert!(
            line_hash
                .split_once(':')
                .is_some_and(|(hash, n)| hash.len() == 16 && n.parse::<u32>().is_ok())
        );
        assert_eq!(fingerprints["palisade/v2"].as_str().unwrap().len(), 64);
    }
}

#[test]
fn paths_are_relative_to_the_repository_even_from_a_subfolder() {
    let document = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(common::root().join("fixtures/dockerfile"))
        .args(["scan", "--format", "sarif", "DKR003"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&document.stdout).unwrap();
    let uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(uri.starts_with("fixtures/dockerfile/DKR003/"), "{uri}");
}

#[test]
fn the_category_names_the_analysis() {
    let document = sarif(&["--sarif-category", "infra/terraform", "fixtures/terraform"]);
    assert_eq!(
        document["runs"][0]["automationDetails"]["id"],
        "infra/terraform/"
    );
    let document = sarif(&["fixtures/terraform"]);
    assert_eq!(document["runs"][0]["automationDetails"]["id"], "palisade/");
}

#[test]
fn results_beyond_github_limits_are_left_out_most_severe_first() {
    let report = common::scan_with(&[&common::root().join("fixtures/kubernetes")], &[]);
    // Suppressed findings are results too, marked as suppressed.
    let total = report.findings.len() + report.suppressed.len();
    assert!(total > 40, "{total}");
    let catalog = palisade::Catalog::builtin();
    let render = |max_results: usize, max_gzipped: usize| {
        let mut out = Vec::new();
        palisade::report::sarif::render_within(
            &report,
            catalog,
            None,
            max_results,
            max_gzipped,
            &mut out,
        )
        .unwrap();
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    let severities = |document: &Value| -> Vec<String> {
        document["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["properties"]["severity"].as_str().unwrap().to_owned())
            .collect()
    };

    let all = render(usize::MAX, usize::MAX);
    assert_eq!(severities(&all).len(), total);
    assert!(!all.to_string().contains("results-truncated"));

    let capped = render(10, usize::MAX);
    assert!(common::sarif_schema_errors(&capped).is_empty());
    let kept = severities(&capped);
    assert_eq!(kept.len(), 10);
    // The ten most severe: nothing kept is less severe than anything left out.
    let mut ranks: Vec<u8> = report
        .findings
        .iter()
        .chain(&report.suppressed)
        .map(|f| f.severity as u8)
        .collect();
    ranks.sort_unstable_by(|a, b| b.cmp(a));
    let mut kept_ranks: Vec<u8> = kept
        .iter()
        .map(|s| match s.as_str() {
            "critical" => 4,
            "high" => 3,
            "medium" => 2,
            "low" => 1,
            _ => 0,
        })
        .collect();
    kept_ranks.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(kept_ranks, ranks[..10]);
    let notes = capped["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let note = notes
        .iter()
        .find(|n| n["descriptor"]["id"] == "results-truncated")
        .expect("a notification says results were left out");
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{} of {total} results left out", total - 10))
    );

    // The gzipped size is a limit too: halfway between no results and all of them.
    let gzipped = |document: &Value| {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder
            .write_all(serde_json::to_string_pretty(document).unwrap().as_bytes())
            .unwrap();
        encoder.finish().unwrap().len()
    };
    let limit = (gzipped(&render(0, usize::MAX)) + gzipped(&all)) / 2;
    let small = render(usize::MAX, limit);
    assert!(gzipped(&small) <= limit);
    let kept = severities(&small).len();
    assert!(kept > 0 && kept < total, "{kept} of {total}");
}

/// Paths with spaces, `#`, `?`, `%` and non-ASCII characters are percent-encoded URI references
/// (GitHub and the multitool reject raw ones), and decode back to the repository path.
#[test]
fn uris_of_odd_file_names_are_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "my dir/Dockerfile",
        "a#b/x?y%z copy.Dockerfile",
        "ünï/Dockerfile",
    ];
    for name in names {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "FROM ubuntu:latest\n").unwrap();
    }
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let output = Command::cargo_bin("palisade")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", "--format", "sarif", "--select", "DKR002"])
        .output()
        .unwrap();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(common::sarif_schema_errors(&document).is_empty());
    let mut uris: Vec<String> = document["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    uris.sort();
    assert_eq!(
        uris,
        [
            "%C3%BCn%C3%AF/Dockerfile",
            "a%23b/x%3Fy%25z%20copy.Dockerfile",
            "my%20dir/Dockerfile"
        ]
    );
}

/// With `--compliance`, the report stays valid SARIF: the controls as rule tags and the
/// evaluation in the invocation's properties.
#[test]
fn a_compliance_report_is_valid_sarif() {
    let document = sarif(&[
        "examples/compliance/pod-security",
        "--compliance",
        "pss-baseline",
        "--compliance",
        "cis-docker-4",
    ]);
    let errors = common::sarif_schema_errors(&document);
    assert!(errors.is_empty(), "{errors:#?}");
    let evaluations = document["runs"][0]["invocations"][0]["properties"]["compliance"]
        .as_array()
        .unwrap();
    assert_eq!(evaluations.len(), 2);
    assert_eq!(evaluations[1]["framework"], "cis-docker-4");
}
