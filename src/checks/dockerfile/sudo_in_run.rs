//! DKR014: `sudo` in a `RUN`.
//!
//! Build steps already run as the current `USER`; `sudo` in an image means it ships a privilege
//! escalation path and its configuration. Switch `USER` around the steps that need root instead.

use crate::checks::dockerfile::shell;
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::Dockerfile;

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR014";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for index in 0..dockerfile.instructions.len() {
        for script in dockerfile.run_scripts(index) {
            for command in shell::commands(&script.text) {
                let first_program = command.words.iter().find(|(_, w)| !shell::is_assignment(w));
                if let Some(&(at, "sudo")) = first_program {
                    hits.push(Hit::new(
                        RULE,
                        script.file_span(at..at + "sudo".len()),
                        "RUN uses sudo; switch USER around the steps that need root instead",
                    ));
                }
            }
        }
    }
}
