//! GitLab CI: pipelines, and their own checks, one module per rule, named after the rule. Job
//! images and services are containers and variables are configuration, judged by the policies
//! every format shares; scripts are shell, judged as a Dockerfile's `RUN` is.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_gitlab_ci.rs"));

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, run_policies, wants_deployment};
use crate::discover::{FileKind, Target};
use crate::formats::gitlab_ci::Pipeline;

/// `.gitlab-ci.yml` and the files it includes, known by what they hold.
pub struct GitlabCi;

pub const FORMAT: GitlabCi = GitlabCi;

impl Format for GitlabCi {
    fn target(&self) -> Target {
        Target::GitlabCi
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml]
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        // Most YAML is no pipeline: not even parsed.
        if !input.text.starts_with('.')
            && !["script", "stages", "extends", "trigger", "\n."]
                .iter()
                .any(|word| input.text.contains(word))
        {
            return Ok(());
        }
        let Some(pipeline) = Pipeline::new(input.yaml()?, input.text) else {
            return Ok(());
        };
        for check in input.checks {
            if let Checker::GitlabCi(function) = check.checker {
                function(&pipeline, hits);
            }
        }
        if wants_deployment(input.checks, Target::GitlabCi) {
            let deployment = crate::lower::gitlab_ci::lower(&pipeline);
            run_policies(
                &deployment,
                Target::GitlabCi,
                input.checks,
                input.settings,
                hits,
            );
        }
        Ok(())
    }
}
