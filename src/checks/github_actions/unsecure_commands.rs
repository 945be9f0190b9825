//! GHA005: `ACTIONS_ALLOW_UNSECURE_COMMANDS` turned on. It brings back `::set-env` and
//! `::add-path`, which GitHub disabled because any text a step prints (a test's output, a pull
//! request's title echoed to the log) could set the environment of every later step, and with
//! `LD_PRELOAD` or `PATH` run code there.

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::Workflow;
use crate::formats::yaml::NodeId;

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA005";

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    let yaml = workflow.yaml;
    let mut owners: Vec<NodeId> = vec![workflow.root];
    for job in &workflow.jobs {
        owners.push(job.node);
        owners.extend(job.steps.iter().map(|step| step.node));
    }
    for owner in owners {
        let Some(env) = yaml.get(owner, "env") else {
            continue;
        };
        let Some(entry) = yaml.get(env.value, "ACTIONS_ALLOW_UNSECURE_COMMANDS") else {
            continue;
        };
        let on = yaml.as_bool(entry.value) == Some(true)
            || yaml
                .str(entry.value)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if on {
            hits.push(Hit::new(
                RULE,
                yaml.site(entry),
                "`ACTIONS_ALLOW_UNSECURE_COMMANDS` lets any text a step prints set the environment of the steps after it",
            ));
        }
    }
}
