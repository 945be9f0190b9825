//! GHA013: a `run:` script that pipes a download into an interpreter (`curl … | sh`): whatever
//! the server returns runs in the pipeline, with its token and secrets, unverified. The same
//! judgement as a Dockerfile's `RUN` (DKR011).

use crate::checks::dockerfile::pipe_to_shell::piped_downloads;
use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::Workflow;

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA013";

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    for job in &workflow.jobs {
        for run in job.steps.iter().filter_map(|step| step.run.as_ref()) {
            let mut seen: Vec<&str> = Vec::new();
            for found in piped_downloads(&run.text) {
                let written = &run.text[found];
                let n = seen.iter().filter(|s| **s == written).count();
                seen.push(written);
                hits.push(Hit::new(
                    RULE,
                    workflow.place_of(run, written, n),
                    "a downloaded script is piped into an interpreter without being verified",
                ));
            }
        }
    }
}
