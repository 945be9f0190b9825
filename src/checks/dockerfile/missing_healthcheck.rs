//! DKR015: the final image has no `HEALTHCHECK`.
//!
//! Without one, Docker and Compose cannot tell a hung container from a healthy one. The final
//! stage inherits `HEALTHCHECK` from the stages it is built on; `HEALTHCHECK NONE` is an explicit
//! decision and passes.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::Dockerfile;

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR015";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    let Some(last) = dockerfile.final_stage() else {
        return;
    };
    if !dockerfile.has_healthcheck(last) {
        hits.push(Hit::new(
            RULE,
            dockerfile.instruction_span(&dockerfile.instructions[last.from]),
            "the final image declares no HEALTHCHECK",
        ));
    }
}
