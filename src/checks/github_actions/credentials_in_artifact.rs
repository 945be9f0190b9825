//! GHA007: a job that checks out with the token kept in `.git/config` (`actions/checkout`'s
//! default, `persist-credentials: true`) and uploads the workspace as an artifact: the token goes
//! with it, to everyone who can download the run's artifacts (anyone, on a public repository).

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::Workflow;

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA007";

/// Artifact paths that take the whole checkout, `.git` included.
fn whole_workspace(path: &str) -> bool {
    path.lines().map(str::trim).any(|line| {
        matches!(
            line,
            "." | "./" | "*" | "./*" | "${{ github.workspace }}" | "${{ github.workspace }}/"
        )
    })
}

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    for job in &workflow.jobs {
        let uploads_workspace = job.steps.iter().any(|step| {
            step.uses
                .as_ref()
                .is_some_and(|u| u.text.trim().starts_with("actions/upload-artifact@"))
                && step
                    .with
                    .iter()
                    .any(|(name, value)| name == "path" && whole_workspace(&value.text))
        });
        if !uploads_workspace {
            continue;
        }
        for step in &job.steps {
            let Some(uses) = &step.uses else {
                continue;
            };
            let keeps = !step.with.iter().any(|(name, value)| {
                name == "persist-credentials" && value.text.trim().eq_ignore_ascii_case("false")
            });
            if uses.text.trim().starts_with("actions/checkout@") && keeps {
                hits.push(Hit::new(
                    RULE,
                    uses.span.clone(),
                    format!(
                        "job `{}` keeps the checkout's token in `.git/config` and uploads the workspace as an artifact: set `persist-credentials: false`",
                        job.id
                    ),
                ));
            }
        }
    }
}
