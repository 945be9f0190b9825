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
            let found: Vec<&str> = piped_downloads(&run.text)
                .into_iter()
                .map(|range| &run.text[range])
                .collect();
            for place in workflow.places(run, &found) {
                hits.push(Hit::new(
                    RULE,
                    place,
                    "a downloaded script is piped into an interpreter without being verified",
                ));
            }
        }
    }
}
