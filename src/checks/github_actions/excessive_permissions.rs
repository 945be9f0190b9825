//! GHA004: a job whose token may write to the repository when it has no need to. `write-all`
//! says so; no `permissions` at all leaves the token at the repository's default, which is
//! write access to contents, packages, pull requests and more on repositories created before
//! 2023 and on many organisations' settings. And `secrets: inherit` hands every secret of the
//! repository to a workflow of another repository.

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::Workflow;

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA004";

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    if workflow.action {
        return;
    }
    let yaml = workflow.yaml;
    let write_all =
        |entry: &crate::formats::yaml::Entry| yaml.str(entry.value) == Some("write-all");
    if let Some(permissions) = &workflow.permissions
        && write_all(permissions)
    {
        hits.push(Hit::new(
            RULE,
            yaml.site(*permissions),
            "the workflow gives every job a token that can write everything (`write-all`): grant each job only what it needs",
        ));
    }
    // Write scopes granted at the top reach every job that does not set its own: in a
    // workflow of several jobs, more jobs than need them.
    let inheriting = workflow
        .jobs
        .iter()
        .filter(|job| job.permissions.is_none())
        .count();
    if let Some(permissions) = &workflow.permissions
        && workflow.jobs.len() > 1
        && inheriting > 0
    {
        for (scope, entry) in yaml.keys(permissions.value) {
            if yaml.str(entry.value) == Some("write") {
                hits.push(Hit::new(
                    RULE,
                    yaml.site(entry),
                    format!(
                        "`{scope}: write` is given to every job at the workflow level ({inheriting} of {} jobs inherit it): grant it in the jobs that need it",
                        workflow.jobs.len()
                    ),
                ));
            }
        }
    }
    for job in &workflow.jobs {
        match &job.permissions {
            Some(permissions) if write_all(permissions) => hits.push(Hit::new(
                RULE,
                yaml.site(*permissions),
                format!(
                    "job `{}` has a token that can write everything (`write-all`): grant only what it needs",
                    job.id
                ),
            )),
            Some(_) => {}
            None if workflow.permissions.is_none() => hits.push(Hit::new(
                RULE,
                job.site.clone(),
                format!(
                    "job `{}` runs with the repository's default token permissions, which may allow writing: set `permissions:` (`contents: read` is enough to build and test)",
                    job.id
                ),
            )),
            None => {}
        }
        // A reusable workflow of another repository given every secret.
        if let Some(uses) = &job.uses
            && !uses.text.trim().starts_with("./")
            && let Some(secrets) = yaml.get(job.node, "secrets")
            && yaml.str(secrets.value) == Some("inherit")
        {
            hits.push(Hit::new(
                RULE,
                yaml.site(secrets),
                format!(
                    "job `{}` hands every secret of this repository to `{}`, a workflow of another repository: pass the secrets it needs by name",
                    job.id,
                    uses.text.trim()
                ),
            ));
        }
    }
}
