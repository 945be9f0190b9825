//! Embeds the rule catalog (`rules/**/*.yaml`) in the binary, so that a `palisade` binary is
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

    let mut out =
        String::from("/// Every catalog file, as (path relative to the crate, contents).\n");
    out.push_str("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        let relative = file
            .strip_prefix(&root)
            .expect("rule file lies under the crate");
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            relative.to_string_lossy().replace('\\', "/"),
            file.to_string_lossy()
        );
    }
    out.push_str("];\n");

    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rule_files.rs");
    fs::write(dest, out).expect("write the embedded catalog index");
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
