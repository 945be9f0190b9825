//! GHA003: a workflow that runs with the base repository's secrets and a write token
//! (`pull_request_target`, `workflow_run`) checking out the pull request's code. Anything that
//! code can influence afterwards (a build script, a test, a package install hook, a Makefile)
//! then runs with those secrets: the "pwn request".

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::{Scalar, Workflow, contexts};

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA003";

/// Triggers whose runs have the base repository's secrets while acting on someone else's code.
const PRIVILEGED_TRIGGERS: &[&str] = &["pull_request_target", "workflow_run"];

/// Context paths that name the pull request's own code.
const HEAD: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.number",
    "github.event.number",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_repository.full_name",
];

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    let Some(trigger) = PRIVILEGED_TRIGGERS
        .iter()
        .find(|trigger| workflow.runs_on(trigger))
    else {
        return;
    };
    for job in &workflow.jobs {
        for step in &job.steps {
            let checkout = step
                .uses
                .as_ref()
                .is_some_and(|u| u.text.trim().starts_with("actions/checkout@"));
            if checkout {
                // Once per step: its `ref` and `repository` say the same.
                let named = step
                    .with
                    .iter()
                    .filter(|(name, _)| matches!(name.as_str(), "ref" | "repository"))
                    .find_map(|(_, value)| head_expression(workflow, value));
                if let Some(span) = named {
                    hits.push(Hit::new(
                        RULE,
                        span,
                        format!(
                            "a `{trigger}` workflow checks out the pull request's code: what it runs next runs with this repository's secrets and token"
                        ),
                    ));
                }
            }
            if let Some(run) = &step.run {
                let fetches = ["git checkout", "git fetch", "gh pr checkout", "git switch"]
                    .iter()
                    .any(|command| run.text.contains(command));
                if fetches && let Some(span) = head_expression(workflow, run) {
                    hits.push(Hit::new(
                        RULE,
                        span,
                        format!(
                            "a `{trigger}` workflow fetches the pull request's code in a script: what it runs next runs with this repository's secrets and token"
                        ),
                    ));
                }
            }
        }
    }
}

/// The first expression of `value` that names the pull request's code (its head, or its
/// `refs/pull/N/…` ref), where it is written.
fn head_expression(workflow: &Workflow<'_>, value: &Scalar) -> Option<std::ops::Range<usize>> {
    workflow
        .expressions_in(value)
        .into_iter()
        .find(|(_, inside)| {
            contexts(inside)
                .iter()
                .any(|path| HEAD.contains(&path.as_str()))
        })
        .map(|(place, _)| place)
}
