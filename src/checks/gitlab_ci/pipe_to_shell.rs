//! GLC013: a job script that pipes a download into an interpreter (`curl … | sh`): whatever
//! the server returns runs in the pipeline, with its variables and tokens, unverified. The same
//! judgement as a Dockerfile's `RUN` (DKR011).

use crate::checks::dockerfile::pipe_to_shell::piped_downloads;
use crate::checks::{Check, Hit};
use crate::formats::gitlab_ci::Pipeline;

pub const CHECK: Check = Check::gitlab_ci(RULE, check);
const RULE: &str = "GLC013";

fn check(pipeline: &Pipeline<'_>, hits: &mut Vec<Hit>) {
    let mut reported = Vec::new();
    for job in &pipeline.jobs {
        for (node, line) in pipeline.scripts(job) {
            // A template's script is reported once, not for each job that extends it.
            if reported.contains(&node) {
                continue;
            }
            let span = pipeline.yaml.span(node);
            let source = pipeline.text.get(span.clone()).unwrap_or_default();
            for found in piped_downloads(&line) {
                let written = &line[found];
                let at = source.find(written).map_or(span.clone(), |at| {
                    span.start + at..span.start + at + written.len()
                });
                hits.push(Hit::new(
                    RULE,
                    at,
                    "a downloaded script is piped into an interpreter without being verified",
                ));
                reported.push(node);
            }
        }
    }
}
