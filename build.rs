//! Embeds the rule catalog and the secret detectors (`rules/**/*.yaml`) in the binary, so that a `palisade` binary is
//! self-contained and the catalog it reports is exactly the one it was built and tested with.

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

    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_files.rs");
    fs::write(dest, out).expect("write the embedded catalog index");
}

fn embed(out: &mut String, root: &Path, name: &str, doc: &str, files: &[PathBuf]) {
    let _ = writeln!(out, "/// {doc}\npub static {name}: &[(&str, &str)] = &[");
    for file in files {
        let relative = file
            .strip_prefix(root)
            .expect("rule file lies under the crate");
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            relative.to_string_lossy().replace('\\', "/"),
            file.to_string_lossy()
        );
    }
    out.push_str("];\n");
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
