//! Units of work: what must be checked together. A file on its own, or a Terraform module (the
//! `.tf` files of a directory, for their variables and locals). Modules come first: a module is
//! the largest unit, and one left for the end would keep a single core busy while the others
//! wait.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::discover::{Candidate, FileKind};

/// A unit of parallel work: one file, or one Terraform module with the files to report on.
pub(super) enum Work<'c> {
    File(&'c Candidate),
    Module(PathBuf, Vec<&'c Candidate>),
}

/// The units of work of the files to check, modules first.
pub(super) fn units(to_check: &[Candidate]) -> Vec<Work<'_>> {
    // Terraform is checked a module (directory) at a time: values come from sibling files.
    let (modules, files): (Vec<&Candidate>, Vec<&Candidate>) =
        to_check.iter().partition(|candidate| {
            matches!(
                candidate.kind,
                FileKind::Terraform | FileKind::TerraformJson
            )
        });
    let mut by_directory: BTreeMap<PathBuf, Vec<&Candidate>> = BTreeMap::new();
    for candidate in modules {
        let directory = candidate
            .path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_default();
        by_directory.entry(directory).or_default().push(candidate);
    }
    by_directory
        .into_iter()
        .map(|(directory, candidates)| Work::Module(directory, candidates))
        .chain(files.into_iter().map(Work::File))
        .collect()
}
