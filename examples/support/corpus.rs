//! What every corpus generator does the same way: write a file (its directories first, stopping
//! the generator on failure) and print the summary the benchmark scripts read.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process;

/// Writes `text` to `path`, creating its directories; a generator that cannot write stops.
pub fn write(path: &Path, text: &str) {
    let result = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| fs::write(path, text));
    if let Err(error) = result {
        eprintln!("cannot write {}: {error}", path.display());
        process::exit(1);
    }
}

/// `{"files": N, "bytes": N, "planted": {"RULE": N, …}}` on standard output.
pub fn print_summary(files: usize, bytes: usize, planted: &BTreeMap<&str, usize>) {
    let counts: Vec<String> = planted
        .iter()
        .map(|(rule, n)| format!("\"{rule}\": {n}"))
        .collect();
    println!(
        "{{\"files\": {files}, \"bytes\": {bytes}, \"planted\": {{{}}}}}",
        counts.join(", ")
    );
}
