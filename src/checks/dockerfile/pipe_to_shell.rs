//! DKR011: a download piped straight into an interpreter (`curl … | sh`).
//!
//! Whatever the server returns at build time runs, unverified, inside the build. All stages
//! count: a builder stage that runs a tampered script produces tampered artifacts.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::Dockerfile;

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR011";

const INTERPRETERS: &str = r"(?:ba|z|da|k|a|fi)?sh|python[0-9.]*|perl|ruby|node|php";

/// Matched on bytes with Unicode off: every delimiter is ASCII, so a match starts and ends on
/// character boundaries anyway, and the expressions compile several times faster (a
/// pre-commit scan pays for that at every run).
fn patterns() -> &'static [Regex] {
    static PATTERNS: OnceLock<Vec<Regex>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            // curl … | sh,  wget -qO- … | sudo -E bash -s --
            format!(r"\b(?:curl|wget)\b[^|;&\n]*\|[ \t]*(?:sudo[ \t]+(?:-[^ \t\r\n]+[ \t]+)*)?(?:{INTERPRETERS})\b"),
            // sh -c "$(curl …)",  bash <(curl …)
            format!(r"\b(?:{INTERPRETERS})\b[^|;&\n]*(?:\$\(|<\()[ \t]*(?:curl|wget)\b"),
        ]
        .iter()
        .map(|pattern| {
            RegexBuilder::new(pattern)
                .unicode(false)
                .build()
                .expect("built-in pattern compiles")
        })
        .collect()
    })
}

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for index in 0..dockerfile.instructions.len() {
        for script in dockerfile.run_scripts(index) {
            for found in piped_downloads(&script.text) {
                hits.push(Hit::new(
                    RULE,
                    script.file_span(found),
                    "a downloaded script is piped into an interpreter without being verified",
                ));
            }
        }
    }
}

/// Where a shell script pipes a download into an interpreter (`curl … | sh`, `sh -c
/// "$(curl …)"`): the one judgement for every format that runs shell (a Dockerfile's `RUN`, a
/// pipeline's `run:`).
pub(crate) fn piped_downloads(script: &str) -> Vec<std::ops::Range<usize>> {
    patterns()
        .iter()
        .flat_map(|pattern| {
            pattern
                .find_iter(script.as_bytes())
                .map(|found| found.range())
        })
        .collect()
}
