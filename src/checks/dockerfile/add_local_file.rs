//! DKR010: `ADD` used to copy local files.
//!
//! `ADD` also fetches URLs and unpacks archives; for plain files that magic only surprises.
//! Local tar archives (which `ADD` unpacks on purpose), URLs and git sources are left alone.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction, source_paths};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR010";

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst",
];

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for instruction in &dockerfile.instructions {
        let Instruction::Add(add) = instruction else {
            continue;
        };
        let mut local = source_paths(&add.src).filter(|(path, _)| is_plain_local(path));
        let heredoc = add.src.len() > source_paths(&add.src).count();
        if let Some((path, _)) = local.next() {
            hits.push(Hit::new(
                RULE,
                dockerfile.instruction_span(instruction),
                format!("ADD copies the local path `{path}`; COPY does the same without fetching or unpacking"),
            ));
        } else if heredoc {
            hits.push(Hit::new(
                RULE,
                dockerfile.instruction_span(instruction),
                "ADD writes an inline file; COPY does the same without fetching or unpacking",
            ));
        }
    }
}

fn is_plain_local(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let remote = lower.contains("://") || lower.starts_with("git@");
    let archive = ARCHIVES.iter().any(|extension| lower.ends_with(extension));
    !remote && !archive
}
