//! DKR016: a relative `WORKDIR` before any absolute one.
//!
//! A relative `WORKDIR` resolves against the previous one; before any absolute `WORKDIR` in the
//! stage (or the stages it builds on) that is the base image's, which can change under you.
//! Stages come after the stages they build on, so one pass in order knows, for each stage,
//! whether its ancestors already anchored the working directory.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR016";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    // Whether each stage ends with an anchored (absolute or unknown) working directory.
    let mut anchored_at_end = vec![false; dockerfile.stages.len()];
    for stage in &dockerfile.stages {
        let mut anchored = stage.parent.is_some_and(|parent| anchored_at_end[parent]);
        for index in stage.body.clone() {
            let Instruction::Workdir(workdir) = &dockerfile.instructions[index] else {
                continue;
            };
            match dockerfile.expand_in_stage(&workdir.arguments.value, stage, index) {
                // A path we cannot know: do not guess, and do not blame the ones after it.
                None => anchored = true,
                Some(path) if is_absolute(&path) => anchored = true,
                Some(path) if !anchored => hits.push(Hit::new(
                    RULE,
                    workdir.arguments.span.clone(),
                    format!(
                        "WORKDIR `{}` is relative to the base image's working directory",
                        path.trim()
                    ),
                )),
                Some(_) => {}
            }
        }
        anchored_at_end[stage.index] = anchored;
    }
}

/// `/srv`, and Windows paths `C:\app` or `C:/app`.
fn is_absolute(path: &str) -> bool {
    let path = path.trim().trim_matches('"');
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}
