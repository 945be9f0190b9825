//! DKR016: a relative `WORKDIR` before any absolute one.
//!
//! A relative `WORKDIR` resolves against the previous one; before any absolute `WORKDIR` in the
//! stage (or the stages it builds on) that is the base image's, which can change under you.

use crate::checks::{Check, Checker, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction, Stage};

pub const CHECK: Check = Check {
    rule_id: RULE,
    checker: Checker::Dockerfile(check),
};
const RULE: &str = "DKR016";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for stage in &dockerfile.stages {
        let mut anchored = dockerfile
            .lineage(stage)
            .skip(1)
            .any(|ancestor| has_absolute_workdir(dockerfile, ancestor));
        for index in stage.body.clone() {
            let Instruction::Workdir(workdir) = &dockerfile.instructions[index] else {
                continue;
            };
            let Some(path) = dockerfile.expand_in_stage(&workdir.arguments.value, stage, index)
            else {
                anchored = true;
                continue;
            };
            if is_absolute(&path) {
                anchored = true;
            } else if !anchored {
                hits.push(Hit::new(
                    RULE,
                    workdir.arguments.span.clone(),
                    format!(
                        "WORKDIR `{}` is relative to the base image's working directory",
                        path.trim()
                    ),
                ));
            }
        }
    }
}

fn has_absolute_workdir(dockerfile: &Dockerfile<'_>, stage: &Stage) -> bool {
    stage
        .body
        .clone()
        .any(|index| match &dockerfile.instructions[index] {
            Instruction::Workdir(workdir) => dockerfile
                .expand_in_stage(&workdir.arguments.value, stage, index)
                .is_none_or(|path| is_absolute(&path)),
            _ => false,
        })
}

/// `/srv`, and Windows paths `C:\app` or `C:/app`.
fn is_absolute(path: &str) -> bool {
    let path = path.trim().trim_matches('"');
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}
