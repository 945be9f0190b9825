//! Compose files: the format, and its own checks, one module per rule, named after the rule.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_compose.rs"));

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, lowers, run_policies};
use crate::discover::{FileKind, Target};
use crate::formats::compose::ComposeFile;
use crate::lower;

/// Compose projects: files named like compose files, and YAML whose content is one (see
/// [`ComposeFile::new`]), each checked alone with the Dockerfiles its services build.
pub struct Compose;

pub const FORMAT: Compose = Compose;

impl Format for Compose {
    fn target(&self) -> Target {
        Target::Compose
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Compose, FileKind::Yaml]
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        // Most YAML in a repository is not compose (CI configs, app settings): not even parsed.
        if !input.text.contains("services") {
            return Ok(());
        }
        let yaml = input.yaml()?;
        let compose = crate::links::link(
            ComposeFile::new(yaml, input.kind == FileKind::Compose),
            input.repository,
        );
        if compose.services.is_empty() {
            return Ok(());
        }
        for check in input.checks {
            if let Checker::Compose(function) = check.checker {
                function(&compose, hits);
            }
        }
        if lowers(input.checks, input.settings, Target::Compose) {
            let deployment = lower::compose::lower(&compose);
            run_policies(
                &deployment,
                Target::Compose,
                input.checks,
                input.settings,
                hits,
            );
            input.settings.run_user_policies_on_yaml(
                Target::Compose,
                input,
                yaml,
                Some(&deployment),
                hits,
            );
        }
        Ok(())
    }
}
