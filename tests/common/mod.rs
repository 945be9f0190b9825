//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use palisade::engine::{RuleSelection, ScanOptions, ScanReport, scan};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Scans `paths` through the library with only `rules` enabled (all when empty).
pub fn scan_with(paths: &[&Path], rules: &[String]) -> ScanReport {
    let options = ScanOptions {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        jobs: 2,
        rules: RuleSelection {
            select: rules.to_vec(),
            ..RuleSelection::default()
        },
        ..ScanOptions::default()
    };
    scan(&options).expect("scan runs")
}

/// Findings of a scan as (rule, line) pairs, sorted.
pub fn rule_lines(report: &ScanReport) -> Vec<(String, usize)> {
    let mut pairs: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule_id.clone(), f.start.line))
        .collect();
    pairs.sort();
    pairs
}

/// What is wrong with a document as SARIF 2.1.0, by the official schema.
pub fn sarif_schema_errors(document: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The binary, run in `dir`.
pub fn palisade_in(dir: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("palisade").unwrap();
    command.current_dir(dir);
    command
}

/// Writes `text` to `path` under `dir`, creating directories.
pub fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Runs git in `dir`, which must succeed.
pub fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A throwaway git repository with an identity, for commits.
pub fn git_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.email", "dev@example.com"],
        &["config", "user.name", "Dev"],
        &["config", "commit.gpgsign", "false"],
    ] {
        git(dir.path(), args);
    }
    dir
}

/// The rules a marker line names: `# expect: RULE[, RULE…]` (`// expect:` in languages with
/// C-style comments, `"//": "expect: RULE",` in JSON).
pub fn marker(line: &str) -> Option<&str> {
    let line = line.trim();
    line.strip_prefix("# expect:")
        .or_else(|| line.strip_prefix("// expect:"))
        .or_else(|| {
            line.strip_prefix(r#""//": "expect:"#)
                .map(|rules| rules.trim_end_matches(',').trim_end_matches('"'))
        })
}

/// The (rule, line) pairs a file's markers expect: each marker names the findings of the next
/// line that is not a marker.
pub fn expectations(text: &str) -> Vec<(String, usize)> {
    let mut pending: Vec<String> = Vec::new();
    let mut expected = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(rules) = marker(line) {
            pending.extend(
                rules
                    .split(',')
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty()),
            );
        } else {
            expected.extend(pending.drain(..).map(|rule| (rule, index + 1)));
        }
    }
    assert!(
        pending.is_empty(),
        "a marker at the end of the file points at no line"
    );
    expected.sort();
    expected
}

/// Every file under `dir`, subdirectories included, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in fs::read_dir(&directory).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
