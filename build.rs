//! Embeds the rule catalog and the secret detectors (`rules/**/*.yaml`) in the binary, so that a `palisade` binary is
//! self-contained and the catalog it reports is exactly the one it was built and tested with;
//! and registers every check: each file of `src/checks/<dir>/` that defines `Check` constants is a
//! module of its directory and each constant an entry of `checks::CHECKS`, so adding a rule is
//! writing its YAML, its check file and its fixtures, nothing more.
//!
//! Each file is embedded twice: as written, for the tests that hold the files to their rules,
//! and converted to JSON, which the binary reads at start-up. Reading the YAML took about 5 ms,
//! a quarter of a pre-commit scan of ten files; the same data as JSON reads in a tenth of that.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = root.join("rules");
    println!("cargo:rerun-if-changed=rules");

    let mut files = Vec::new();
    collect_yaml(&rules_dir, &mut files);
    files.sort();

    // Secret detectors (`rules/secrets/detectors/`) are data of one rule, not rules.
    let (detectors, rules): (Vec<PathBuf>, Vec<PathBuf>) = files
        .into_iter()
        .partition(|file| file.parent().is_some_and(|dir| dir.ends_with("detectors")));
    let mut out = String::new();
    embed(
        &mut out,
        &root,
        "RULE_FILES",
        "Every catalog file, as (path relative to the crate, contents).",
        &rules,
    );
    embed(
        &mut out,
        &root,
        "DETECTOR_FILES",
        "Every secret-detector file, as (path relative to the crate, contents).",
        &detectors,
    );

    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("rule_files.rs"), out).expect("write the embedded catalog index");
    register_checks(&root, &out_dir);
}

/// The directories of `src/checks/`, in the order their checks run: the policies every format
/// shares (`deployment`), then each format's own.
const CHECK_FORMATS: &[&str] = &[
    "deployment",
    "dockerfile",
    "kubernetes",
    "compose",
    "terraform",
    "github_actions",
    "gitlab_ci",
    "cloudformation",
    "secrets",
];

/// Writes `checks_<format>.rs` (the format's rule modules) and `checks.rs` (the registry).
fn register_checks(root: &Path, out_dir: &Path) {
    println!("cargo:rerun-if-changed=src/checks");
    let mut registry = String::from(
        "/// Every check, by format, each format's in file-name order.\npub static CHECKS: &[Check] = &[\n",
    );
    for format in CHECK_FORMATS {
        let directory = root.join("src/checks").join(format);
        let mut files: Vec<PathBuf> = fs::read_dir(&directory)
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", directory.display()))
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "rs"))
            .filter(|path| path.file_stem().is_some_and(|stem| stem != "mod"))
            .collect();
        files.sort();
        let mut modules = String::new();
        for file in files {
            let text = fs::read_to_string(&file)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
            // A rule's file defines `CHECK`; a shared policy's file one constant per format it
            // applies to. Helpers shared by a format's checks (`shell.rs`) define none.
            let constants: Vec<&str> = text
                .lines()
                .filter_map(|line| line.strip_prefix("pub const "))
                .filter_map(|rest| rest.split_once(": Check ="))
                .map(|(name, _)| name.trim())
                .collect();
            if constants.is_empty() {
                continue;
            }
            let stem = file
                .file_stem()
                .expect("a file has a name")
                .to_string_lossy()
                .into_owned();
            writeln!(
                modules,
                "#[path = {:?}]\npub mod {stem};",
                file.display().to_string()
            )
            .expect("write to a string");
            for constant in constants {
                writeln!(registry, "    {format}::{stem}::{constant},").expect("write to a string");
            }
        }
        fs::write(out_dir.join(format!("checks_{format}.rs")), modules)
            .expect("write a format's check modules");
    }
    registry.push_str("];\n");
    fs::write(out_dir.join("checks.rs"), registry).expect("write the check registry");
}

/// Writes `{name}` (the files as written) and `{name}_JSON` (the same files as JSON).
fn embed(out: &mut String, root: &Path, name: &str, doc: &str, files: &[PathBuf]) {
    let mut yaml = format!("/// {doc}\npub static {name}: &[(&str, &str)] = &[\n");
    let mut json = format!(
        "/// The files of [`{name}`], converted to JSON.\npub static {name}_JSON: &[(&str, &str)] = &[\n"
    );
    for file in files {
        let relative = file
            .strip_prefix(root)
            .expect("rule file lies under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let text = fs::read_to_string(file)
            .unwrap_or_else(|error| panic!("cannot read {relative}: {error}"));
        let value: serde_json::Value = serde_saphyr::from_str(&text)
            .unwrap_or_else(|error| panic!("{relative} is not valid YAML: {error}"));
        let _ = writeln!(
            yaml,
            "    ({relative:?}, include_str!({:?})),",
            file.to_string_lossy()
        );
        let _ = writeln!(json, "    ({relative:?}, {:?}),", value.to_string());
    }
    yaml.push_str("];\n");
    json.push_str("];\n");
    out.push_str(&yaml);
    out.push_str(&json);
}

fn collect_yaml(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_yaml(&path, files);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
        {
            files.push(path);
        }
    }
}
