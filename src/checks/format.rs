//! The format interface: what the scan needs to know of an input format, in one place per
//! format, and the one list of formats ([`FORMATS`]).
//!
//! A format says which files it may read (by the kind their name gives them, then by what they
//! hold), how its files group into units of work (each file alone, or a directory together, as a
//! Terraform module), and how to check them: parse within the memory budget, lower into the
//! model of what gets deployed, run its checks and the shared policies. Its document model lives
//! in `crate::formats`, its lowering in `crate::lower`, its rules in `checks/<format>/`. Adding a
//! format is writing those and adding it to [`FORMATS`]; the engine knows none of them by name.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use crate::checks::{Check, Hit, ParseFailure, Settings};
use crate::discover::{FileKind, Target};
use crate::formats::budget;
use crate::formats::yaml::Yaml;
use crate::links::Repository;
use crate::source::Position;

/// What a format is given to check one file.
pub struct Input<'a> {
    /// The kind its name gave it.
    pub kind: FileKind,
    pub text: &'a str,
    /// The enabled checks of every format; a format runs its own.
    pub checks: &'a [Check],
    pub settings: &'a Settings,
    /// The files around it, for facts across files (the Dockerfile a service builds).
    pub repository: &'a dyn Repository,
    /// The file parsed as YAML, once for every format written in YAML.
    yaml: OnceCell<Result<Yaml, ParseFailure>>,
    /// Output of a template engine (a rendered Helm template): what looks like a template in
    /// it is data (`{{ $labels }}` of an alerting rule), not a template to render.
    rendered: bool,
}

impl<'a> Input<'a> {
    pub fn new(
        kind: FileKind,
        text: &'a str,
        checks: &'a [Check],
        settings: &'a Settings,
        repository: &'a dyn Repository,
    ) -> Input<'a> {
        Input {
            kind,
            text,
            checks,
            settings,
            repository,
            yaml: OnceCell::new(),
            rendered: false,
        }
    }

    /// A rendered template's output.
    pub fn rendered(mut self) -> Input<'a> {
        self.rendered = true;
        self
    }

    /// The file as YAML, parsed the first time a format asks, within the parse budget. A Go or
    /// Helm template is not YAML: it is skipped, with the line where the template shows.
    pub fn yaml(&self) -> Result<&Yaml, ParseFailure> {
        self.yaml
            .get_or_init(|| {
                if let Some(line) = super::template_line(self.text).filter(|_| !self.rendered) {
                    return Err(ParseFailure {
                        message: "a template (`{{ … }}`), not plain YAML: render it (e.g. `helm template`) and scan the output".to_owned(),
                        position: Some(Position { line, column: 1 }),
                        skipped: true,
                        over_budget: false,
                    });
                }
                super::over_budget(budget::Parser::Yaml, self.text)?;
                Yaml::parse(self.text).map_err(super::yaml_failure)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Whether any enabled check reads files of `target`.
    pub fn wants(&self, target: Target) -> bool {
        self.checks
            .iter()
            .any(|check| check.checker.target() == target)
            || self.settings.user_policies_read(target)
    }
}

/// One input format.
pub trait Format: Sync {
    /// The target of its rules in the catalog.
    fn target(&self) -> Target;

    /// The kinds of file (by name) it may read; whether it does is then decided by content.
    fn kinds(&self) -> &'static [FileKind];

    /// Checks one file: hits of every enabled check of this format. A file whose content turns
    /// out not to be of this format (a YAML file that is no manifest) gives no hits and no
    /// failure.
    fn check(&self, input: &Input<'_>, hits: &mut Vec<Hit>) -> Result<(), ParseFailure>;

    /// For a format whose files are checked a directory at a time: which files of a directory
    /// belong to the unit, by name (`.tf`, `.tfvars` and their JSON forms for Terraform).
    fn unit_member(&self) -> Option<fn(&str) -> bool> {
        None
    }

    /// Loads the files of one directory as a unit, parsing each; only called when
    /// [`unit_member`](Format::unit_member) is given.
    fn load_unit(&self, _files: Vec<(PathBuf, String)>) -> Box<dyn Unit> {
        Box::new(NoUnit)
    }
}

/// The files of a directory, loaded together (a Terraform module).
pub trait Unit: Send {
    /// Every file of the unit, as written, with why it could not be parsed when it could not.
    fn files(&self) -> Vec<UnitFile<'_>>;

    /// Runs the enabled checks of the format over the unit: hits with the index of their file
    /// in [`files`](Unit::files).
    fn check(&self, checks: &[Check], settings: &Settings) -> Vec<(usize, Hit)>;
}

/// One file of a [`Unit`].
pub struct UnitFile<'u> {
    pub path: &'u Path,
    /// As written (a JSON file, not its translation).
    pub text: &'u str,
    pub failure: Option<ParseFailure>,
}

/// A unit of nothing, for formats that check each file alone.
struct NoUnit;

impl Unit for NoUnit {
    fn files(&self) -> Vec<UnitFile<'_>> {
        Vec::new()
    }

    fn check(&self, _: &[Check], _: &Settings) -> Vec<(usize, Hit)> {
        Vec::new()
    }
}

/// Every input format, in the order their checks run.
pub static FORMATS: &[&dyn Format] = &[
    &super::dockerfile::FORMAT,
    &super::kubernetes::FORMAT,
    &super::compose::FORMAT,
    &super::terraform::FORMAT,
    &super::github_actions::FORMAT,
    &super::gitlab_ci::FORMAT,
    &super::cloudformation::FORMAT,
];

/// The formats that may read a file of `kind`.
pub fn reading(kind: FileKind) -> impl Iterator<Item = &'static dyn Format> {
    FORMATS
        .iter()
        .copied()
        .filter(move |format| format.kinds().contains(&kind))
}

/// What the content of a file of `kind` can be checked as: the targets of the formats that may
/// read it; a file no format reads is text, searched for secrets (as every file is).
pub fn targets(kind: FileKind) -> Vec<Target> {
    let targets: Vec<Target> = reading(kind).map(|format| format.target()).collect();
    if targets.is_empty() {
        vec![Target::Secrets]
    } else {
        targets
    }
}

/// The format that checks files of `kind` a directory at a time, if any.
pub fn grouping(kind: FileKind) -> Option<&'static dyn Format> {
    reading(kind).find(|format| format.unit_member().is_some())
}
