//! CloudFormation (and SAM) templates, YAML or JSON, and their own checks, one module per rule,
//! named after the rule. Security groups, databases, containers and secrets are lowered into
//! the model and judged by the policies every format shares.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_cloudformation.rs"));

use crate::checks::format::{Format, Input};
use crate::checks::{Checker, Hit, ParseFailure, lowers, run_policies};
use crate::discover::{FileKind, Target, looks_like_cloudformation};
use crate::formats::cloudformation::Template;

/// Templates, known by what they hold, whatever their name (`.yaml`, `.json`, `.template`).
pub struct CloudFormation;

pub const FORMAT: CloudFormation = CloudFormation;

impl Format for CloudFormation {
    fn target(&self) -> Target {
        Target::CloudFormation
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Yaml, FileKind::Json]
    }

    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        // Most YAML and JSON is no template: not even parsed.
        if !looks_like_cloudformation(input.text) {
            return Ok(());
        }
        let given = input.settings.cloudformation_parameters.as_slice();
        let Some(template) = Template::new(input.yaml()?, given) else {
            return Ok(());
        };
        for check in input.checks {
            if let Checker::CloudFormation(function) = check.checker {
                function(&template, hits);
            }
        }
        if lowers(input.checks, input.settings, Target::CloudFormation) {
            let deployment = crate::lower::cloudformation::lower(&template);
            run_policies(
                &deployment,
                Target::CloudFormation,
                input.checks,
                input.settings,
                hits,
            );
            input.settings.run_user_policies_on_yaml(
                Target::CloudFormation,
                input,
                input.yaml()?,
                Some(&deployment),
                hits,
            );
        }
        Ok(())
    }
}

/// How messages name a resource: "`Database` (AWS::RDS::DBInstance)".
fn named(resource: &crate::formats::cloudformation::Resource) -> String {
    format!("`{}` ({})", resource.id, resource.kind)
}
