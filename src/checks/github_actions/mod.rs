//! GitHub Actions: workflows and actions, and their own checks, one module per rule, named after
//! the rule. A pipeline is code that runs with the repository's token and secrets: these rules
//! look for what lets someone else's code or text run there.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_github_actions.rs"));

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, lowers, run_policies};
use crate::discover::{FileKind, Target};
use crate::formats::github_actions::Workflow;

/// Workflows (`.github/workflows/*.yml`) and actions (`action.yml`), known by what they hold.
pub struct GithubActions;

pub const FORMAT: GithubActions = GithubActions;

impl Format for GithubActions {
    fn target(&self) -> Target {
        Target::GithubActions
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml]
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        // Most YAML is neither: not even parsed.
        if !(input.text.contains("jobs") || input.text.contains("runs")) {
            return Ok(());
        }
        let Some(workflow) = Workflow::new(input.yaml()?, input.text) else {
            return Ok(());
        };
        for check in input.checks {
            if let Checker::GithubActions(function) = check.checker {
                function(&workflow, input.settings, hits);
            }
        }
        // Job containers and services are containers, and what a pipeline is configured with
        // is searched for secrets, by the policies every format shares.
        if lowers(input.checks, input.settings, Target::GithubActions) {
            let deployment = crate::lower::github_actions::lower(&workflow);
            run_policies(
                &deployment,
                Target::GithubActions,
                input.checks,
                input.settings,
                hits,
            );
            input.settings.run_user_policies_on_yaml(
                Target::GithubActions,
                input,
                input.yaml()?,
                Some(&deployment),
                hits,
            );
        }
        Ok(())
    }
}
