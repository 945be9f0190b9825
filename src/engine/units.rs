//! Units of work: what must be checked together. A file on its own, or, for a format that reads
//! a directory at a time (Terraform: values come from sibling files), the files of a directory.
//! Those come first: they are the largest units, and one left for the end would keep a single
//! core busy while the others wait.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::checks::format::{self, Format};
use crate::discover::{Candidate, Target};

/// A unit of parallel work: one file, or the files of one directory for a format, with the
/// files to report on.
pub(super) enum Work<'c> {
    File(&'c Candidate),
    Unit(&'static dyn Format, PathBuf, Vec<&'c Candidate>),
    /// The templates of a Helm chart (its directory), rendered together.
    Chart(PathBuf, Vec<&'c Candidate>),
}

/// The units of work of the files to check, charts and directories first. `chart_of` says
/// which chart a file is a template of.
pub(super) fn units<'c>(
    to_check: &'c [Candidate],
    mut chart_of: impl FnMut(&Candidate) -> Option<PathBuf>,
) -> Vec<Work<'c>> {
    let mut by_directory: BTreeMap<(Target, PathBuf), (&'static dyn Format, Vec<&Candidate>)> =
        BTreeMap::new();
    let mut charts: BTreeMap<PathBuf, Vec<&Candidate>> = BTreeMap::new();
    let mut files = Vec::new();
    for candidate in to_check {
        if let Some(root) = chart_of(candidate) {
            charts.entry(root).or_default().push(candidate);
            continue;
        }
        match format::grouping(candidate.kind) {
            Some(format) => {
                let directory = candidate
                    .path
                    .parent()
                    .map(PathBuf::from)
                    .unwrap_or_default();
                by_directory
                    .entry((format.target(), directory))
                    .or_insert_with(|| (format, Vec::new()))
                    .1
                    .push(candidate);
            }
            None => files.push(candidate),
        }
    }
    charts
        .into_iter()
        .map(|(root, candidates)| Work::Chart(root, candidates))
        .chain(
            by_directory
                .into_iter()
                .map(|((_, directory), (format, candidates))| {
                    Work::Unit(format, directory, candidates)
                }),
        )
        .chain(files.into_iter().map(Work::File))
        .collect()
}
