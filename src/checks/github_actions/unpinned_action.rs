//! GHA001: an action or reusable workflow used by a tag or a branch rather than a commit. A
//! tag can be moved and a branch moves by design: whoever controls the action's repository (or
//! steals its maintainer's token) decides what runs next in this pipeline, with its secrets.
//! Actions of trusted owners (GitHub's own, `actions/…` and `github/…`, unless the configuration
//! says otherwise) pinned to a version tag are accepted; a branch is never.

use crate::checks::{Check, Hit, Settings};
use crate::formats::github_actions::{Scalar, Workflow};

pub const CHECK: Check = Check::github_actions(RULE, check);
const RULE: &str = "GHA001";

/// Refs that name a branch rather than a release.
const BRANCHES: &[&str] = &[
    "main", "master", "develop", "dev", "trunk", "latest", "head", "stable", "nightly",
];

fn check(workflow: &Workflow<'_>, settings: &Settings, hits: &mut Vec<Hit>) {
    let trusted = settings.tag_pinned_owners();
    for job in &workflow.jobs {
        let uses = job
            .uses
            .iter()
            .chain(job.steps.iter().filter_map(|step| step.uses.as_ref()));
        for used in uses {
            if let Some(message) = judge(used, &trusted) {
                hits.push(Hit::new(RULE, used.span.clone(), message));
            }
        }
    }
}

/// What is wrong with a `uses:` value, if anything.
fn judge(used: &Scalar, trusted: &[&str]) -> Option<String> {
    let text = used.text.trim();
    // The repository's own actions and workflows change with it.
    if text.starts_with("./") || text.contains("${{") {
        return None;
    }
    if let Some(image) = text.strip_prefix("docker://") {
        return (!image.contains("@sha256:")).then(|| {
            format!("Docker action `{text}` is not pinned to a digest: the image can be replaced")
        });
    }
    let (action, reference) = match text.split_once('@') {
        Some((action, reference)) => (action, reference),
        None => {
            return Some(format!(
                "`{text}` names no version: it runs whatever the default branch holds"
            ));
        }
    };
    if reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let owner = action.split('/').next().unwrap_or_default();
    let is_branch = BRANCHES.contains(&reference.to_ascii_lowercase().as_str())
        || !reference
            .trim_start_matches(['v', 'V'])
            .starts_with(|c: char| c.is_ascii_digit());
    if is_branch {
        return Some(format!(
            "`{text}` follows the branch `{reference}`: whoever can push to it changes what runs here"
        ));
    }
    if trusted.contains(&owner) {
        return None;
    }
    Some(format!(
        "`{text}` is pinned to the tag `{reference}`, which its owner can move: pin the commit SHA"
    ))
}
