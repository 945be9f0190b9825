//! Dockerfiles: the format, and its own checks, one module per rule, named after the rule.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_dockerfile.rs"));

mod shell;

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, lowers, over_budget, run_policies};
use crate::discover::{FileKind, Target};
use crate::formats::budget;
use crate::formats::dockerfile::Dockerfile;
use crate::lower;
use crate::source::Position;

/// Dockerfiles and Containerfiles, each checked alone.
pub struct Dockerfiles;

pub const FORMAT: Dockerfiles = Dockerfiles;

impl Format for Dockerfiles {
    fn target(&self) -> Target {
        Target::Dockerfile
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Dockerfile]
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        over_budget(budget::Parser::Dockerfile, input.text)?;
        let document = Dockerfile::parse(input.text).map_err(|error| ParseFailure {
            message: error.message,
            // "No FROM at all" has no place: the parser says line 0.
            position: (error.line > 0).then(|| Position {
                line: error.line,
                column: error.column.max(1),
            }),
            skipped: false,
            over_budget: false,
        })?;
        let mut document = document;
        if input.checks.iter().any(|c| c.rule_id == CONTEXT_RULE) {
            document.dockerignore = dockerignore(input.repository);
        }
        for check in input.checks {
            if let Checker::Dockerfile(function) = check.checker {
                function(&document, hits);
            }
        }
        if lowers(input.checks, input.settings, Target::Dockerfile) {
            let deployment = lower::dockerfile::lower(&document);
            run_policies(
                &deployment,
                Target::Dockerfile,
                input.checks,
                input.settings,
                hits,
            );
            run_user_policies(input, &document, &deployment, hits);
        }
        Ok(())
    }
}

/// Users' policies over a Dockerfile: its instructions and stages, and the image it builds. A
/// result points at an instruction (or a stage: its `FROM`).
fn run_user_policies(
    input: &Input<'_>,
    document: &Dockerfile<'_>,
    deployment: &crate::model::Deployment<'_>,
    hits: &mut Vec<Hit>,
) {
    use crate::policy::input as policy_input;
    if !input.settings.user_policies_read(Target::Dockerfile) {
        return;
    }
    let lines = policy_input::Lines::new(input.text);
    let build = |parts| {
        policy_input::unit(
            input.repository.path().as_deref(),
            Target::Dockerfile,
            parts,
            || vec![policy_input::dockerfile_document(document, &lines)],
            || {
                policy_input::model(deployment, &|entries, _, offset| {
                    lines.mark(entries, offset, None)
                })
            },
        )
    };
    let place = |pointer: &crate::policy::Pointer| {
        let offset = lines.offset(pointer.line, pointer.column)?;
        let span = document
            .instructions
            .iter()
            .map(|instruction| document.instruction_span(instruction))
            .find(|span| span.start == offset)
            .unwrap_or(offset..offset);
        Some((0, span))
    };
    input
        .settings
        .run_user_policies(Target::Dockerfile, build, &place, hits);
}

/// The rule that needs to know about `.dockerignore` files.
const CONTEXT_RULE: &str = "DKR017";

/// Whether a `.dockerignore` applies to a build of the Dockerfile being checked: its own
/// (`Dockerfile.dockerignore`, `api.Dockerfile.dockerignore`) or a `.dockerignore` in its
/// directory or any directory above it, where the build context may be. `None` outside a
/// repository.
fn dockerignore(repository: &dyn crate::links::Repository) -> Option<bool> {
    let path = repository.path()?;
    let (directory, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
    let own = crate::paths::join_within(directory, &format!("{name}.dockerignore"))?;
    let mut candidates = std::iter::once(own).chain(
        crate::paths::directories_up(directory)
            .filter_map(|directory| crate::paths::join_within(directory, ".dockerignore")),
    );
    Some(candidates.any(|candidate| repository.exists_from_root(&candidate)))
}
