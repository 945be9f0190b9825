//! Any text, searched for secrets as a file of each class (Rust, other code, configuration,
//! lockfile): the keyword automaton, the detectors, the assignment expressions and Rust's
//! structural pass and statement parser.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use palisade::checks::{self, CHECKS};

const NAMES: &[&str] = &["lib.rs", "app.py", "settings.env", "yarn.lock", "config.yaml"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let name = NAMES[usize::from(selector) % NAMES.len()];
    let _ = checks::run_secrets(Path::new(name), &text, CHECKS);
});
