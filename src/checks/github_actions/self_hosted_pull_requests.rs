//! GHA006: a job on a self-hosted runner in a workflow that pull requests trigger. A pull
//! request from a fork runs its own code there (its build scripts, its tests), and a
//! self-hosted runner is not wiped after the job: the code can stay, read what later jobs
//! handle, and reach the network the runner lives in.

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::Workflow;

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA006";

const PULL_REQUEST_TRIGGERS: &[&str] = &["pull_request", "pull_request_target"];

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    let Some(trigger) = PULL_REQUEST_TRIGGERS
        .iter()
        .find(|trigger| workflow.runs_on(trigger))
    else {
        return;
    };
    let yaml = workflow.yaml;
    for job in &workflow.jobs {
        let Some(runs_on) = yaml.get(job.node, "runs-on") else {
            continue;
        };
        // `runs-on: self-hosted`, `[self-hosted, linux]`, or `{labels: [self-hosted, …]}`.
        let labels = yaml
            .get(runs_on.value, "labels")
            .map_or(runs_on.value, |labels| labels.value);
        let mut named: Vec<_> = yaml.items(labels).to_vec();
        if named.is_empty() {
            named.push(labels);
        }
        if let Some(&label) = named
            .iter()
            .find(|&&label| yaml.str(label).is_some_and(|l| l.trim() == "self-hosted"))
        {
            hits.push(Hit::new(
                RULE,
                yaml.span(label),
                format!(
                    "job `{}` runs on a self-hosted runner in a workflow that `{trigger}` triggers: a fork's code runs on a machine that outlives the job",
                    job.id
                ),
            ));
        }
    }
}
