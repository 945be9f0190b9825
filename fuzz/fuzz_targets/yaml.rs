//! Any text, read as YAML (manifests, Compose files, pipelines, CloudFormation templates) and
//! checked by every rule: errors are fine, panics, hangs and unbounded memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade::checks::{self, CHECKS};
use palisade::discover::FileKind;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = checks::run(FileKind::Yaml, &text, CHECKS);
    let _ = checks::run(FileKind::Compose, &text, CHECKS);
});
