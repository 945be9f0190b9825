//! GitLab CI: pipelines, and their own checks, one module per rule, named after the rule. Job
//! images and services are containers and variables are configuration, judged by the policies
//! every format shares; scripts are shell, judged as a Dockerfile's `RUN` is.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_gitlab_ci.rs"));

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, lowers, run_policies};
use crate::discover::{FileKind, Target};
use crate::formats::gitlab_ci::{MAX_INCLUDED, Pipeline, local_includes};
use crate::formats::yaml::Yaml;

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
            && !input.text.starts_with("default:")
            && ![
                "script",
                "stages",
                "extends",
                "trigger",
                "\ndefault:",
                "\n.",
            ]
            .iter()
            .any(|word| input.text.contains(word))
        {
            return Ok(());
        }
        let yaml = input.yaml()?;
        let included = included(yaml, input);
        let Some(pipeline) = Pipeline::new(yaml, input.text, &included) else {
            return Ok(());
        };
        for check in input.checks {
            if let Checker::GitlabCi(function) = check.checker {
                function(&pipeline, hits);
            }
        }
        if lowers(input.checks, input.settings, Target::GitlabCi) {
            let deployment = crate::lower::gitlab_ci::lower(&pipeline);
            run_policies(
                &deployment,
                Target::GitlabCi,
                input.checks,
                input.settings,
                hits,
            );
            input.settings.run_user_policies_on_yaml(
                Target::GitlabCi,
                input,
                yaml,
                Some(&deployment),
                hits,
            );
        }
        Ok(())
    }
}

/// The local files a pipeline includes, and those they include, in the order GitLab merges
/// them (each file's includes before it), each once, at most [`MAX_INCLUDED`]. A file that cannot be read or parsed
/// within the budget is left out: it is reported when it is checked itself.
fn included(yaml: &Yaml, input: &Input<'_>) -> Vec<Yaml> {
    let mut seen: Vec<String> = Vec::new();
    let mut files = Vec::new();
    include_all(yaml, input, &mut seen, &mut files);
    files
}

fn include_all(yaml: &Yaml, input: &Input<'_>, seen: &mut Vec<String>, files: &mut Vec<Yaml>) {
    for path in local_includes(yaml) {
        if seen.len() >= MAX_INCLUDED || seen.contains(&path) {
            continue;
        }
        seen.push(path.clone());
        // From the repository root, as GitLab reads them; or, for a pipeline of a project kept
        // in a directory of another repository, from the pipeline's directory.
        let Some((_, text)) = input
            .repository
            .read_from_root(&path)
            .or_else(|| input.repository.read(&path))
        else {
            continue;
        };
        if crate::checks::over_budget(crate::formats::budget::Parser::Yaml, &text).is_err() {
            continue;
        }
        let Ok(included) = Yaml::parse(&text) else {
            continue;
        };
        include_all(&included, input, seen, files);
        files.push(included);
    }
}
