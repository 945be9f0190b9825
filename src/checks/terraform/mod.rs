//! Terraform: the format (a module, every `.tf` of a directory, is checked together), and the
//! checks of facts only Terraform (among the formats read today) has: buckets, IAM
//! policies, database settings, encryption. Network exposure is lowered into the deployment
//! model (`lower/terraform.rs`) and judged by the shared policies.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_terraform.rs"));

pub(crate) use crate::lower::terraform::{View, address, cause, refers_to, resources_without};

use std::path::PathBuf;

use crate::checks::format::{Format, Input, Unit, UnitFile};
use crate::checks::{Check, Checker, Hit, ParseFailure, Settings, lowers, run_policies};
use crate::discover::{FileKind, Target};
use crate::formats::terraform::{self as tf, At, Module, TfParseError};
use crate::lower;
use crate::model::Deployment;
use crate::source::Position;

/// Terraform modules: the `.tf`, `.tfvars` and JSON files of one directory, checked together
/// because values come from sibling files.
pub struct Terraform;

pub const FORMAT: Terraform = Terraform;

impl Format for Terraform {
    fn target(&self) -> Target {
        Target::Terraform
    }

    fn kinds(&self) -> &'static [FileKind] {
        &[FileKind::Terraform, FileKind::TerraformJson]
    }

    /// A file on its own is a module of one file.
    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure> {
        let name = match input.kind {
            FileKind::TerraformJson => "main.tf.json",
            _ => "main.tf",
        };
        let (module, errors) = Module::load(vec![(name.into(), input.text.to_owned())], Vec::new());
        if let Some(error) = errors.into_iter().next() {
            return Err(failure(&error));
        }
        hits.extend(
            run_module(&module, input.checks, input.settings)
                .into_iter()
                .map(|(_, hit)| hit),
        );
        Ok(())
    }

    fn unit_member(&self) -> Option<fn(&str) -> bool> {
        Some(tf::is_module_file)
    }

    fn load_unit(&self, files: Vec<(PathBuf, String)>) -> Box<dyn Unit> {
        let (values, configuration) = files
            .into_iter()
            .partition(|(path, _)| tf::is_values_file(path));
        let (module, errors) = Module::load(configuration, values);
        Box::new(LoadedModule { module, errors })
    }
}

/// A module and the files of its directory that could not be parsed.
struct LoadedModule {
    module: Module,
    errors: Vec<TfParseError>,
}

impl Unit for LoadedModule {
    fn files(&self) -> Vec<UnitFile<'_>> {
        let parsed = self.module.files.iter().map(|file| UnitFile {
            path: &file.path,
            text: file.source(),
            failure: None,
        });
        let failed = self.errors.iter().map(|error| UnitFile {
            path: &error.path,
            text: &error.text,
            failure: Some(failure(error)),
        });
        parsed.chain(failed).collect()
    }

    fn check(&self, checks: &[Check], settings: &Settings) -> Vec<(usize, Hit)> {
        run_module(&self.module, checks, settings)
    }
}

fn failure(error: &TfParseError) -> ParseFailure {
    ParseFailure {
        message: error.message.clone(),
        position: error
            .position
            .map(|(line, column)| Position { line, column }),
        skipped: false,
        over_budget: error.over_budget,
    }
}

/// Users' policies over a module: its files' blocks, and what it exposes. Hits are placed in
/// the files as written.
fn run_user_policies(
    module: &Module,
    deployment: &Deployment<'_>,
    settings: &Settings,
    hits: &mut Vec<Hit>,
) {
    use crate::policy::input;
    if !settings.user_policies_read(Target::Terraform) {
        return;
    }
    let unit = input::TerraformUnit::new(module);
    let build = |parts| {
        input::unit(
            None,
            Target::Terraform,
            parts,
            || unit.documents(),
            || {
                input::model(deployment, &|entries, file, offset| {
                    unit.mark(entries, file, offset)
                })
            },
        )
    };
    let place = |pointer: &crate::policy::Pointer| unit.place(pointer);
    settings.run_user_policies(Target::Terraform, build, &place, hits);
}

/// Runs the Terraform `checks` over a module: hits with the index of their file in the module.
/// Spans are in each file as written (rules see a JSON file through its HCL translation).
fn run_module(module: &Module, checks: &[Check], settings: &Settings) -> Vec<(usize, Hit)> {
    let mut hits = Vec::new();
    for check in checks {
        if let Checker::Terraform(function) = check.checker {
            function(module, &mut hits);
        }
    }
    // Placed in the files as written already.
    let mut placed = Vec::new();
    if lowers(checks, settings, Target::Terraform) {
        // The model's spans are already in each file's text; `At` of the file's start maps them.
        let deployment = Deployment {
            exposures: lower::terraform::exposures(module),
            ..Deployment::default()
        };
        let mut found = Vec::new();
        run_policies(&deployment, Target::Terraform, checks, settings, &mut found);
        run_user_policies(module, &deployment, settings, &mut placed);
        hits.extend(found.into_iter().map(|hit| {
            let at = At {
                file: hit.file,
                offset: 0,
            };
            (at, hit)
        }));
    }
    hits.into_iter()
        .filter_map(|(at, mut hit)| {
            let file = module.files.get(at.file)?;
            hit.span = file.source_span(at.in_file(hit.span));
            hit.secret = hit
                .secret
                .map(|secret| file.source_span(at.in_file(secret)));
            Some((at.file, hit))
        })
        .chain(placed.into_iter().map(|hit| (hit.file, hit)))
        .collect()
}
