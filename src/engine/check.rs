//! Checking: each unit parsed once, lowered into the model of what gets deployed and checked by
//! every enabled check of its format, secrets looked for in every file read. A file that cannot
//! be parsed becomes a diagnostic (its secrets are still looked for), and a check that panics
//! costs only its unit's findings.

use std::collections::{BTreeSet, HashMap};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use crate::checks::format::Format;
use crate::checks::{self, Hit};
use crate::discover::{self, Candidate, FileKind};
use crate::finding::{Diagnostic, DiagnosticKind, Finding};
use crate::secrets::Overlaps;
use crate::source::SourceFile;

use super::Context;
use super::read::{Neighbours, repository_path};
use super::units::Work;

/// What the files checked by one worker gave.
#[derive(Default)]
pub(super) struct Tally {
    /// The findings of each file checked, as the file gave them: they are put in order once, at
    /// the end, rather than moved on every merge (a finding is hundreds of bytes; with 33,000
    /// findings, appending lists at each merge and sorting the result cost 5% of the scan).
    pub(super) findings: Vec<Vec<Finding>>,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) files_scanned: usize,
    pub(super) files_unparsed: usize,
    pub(super) files_not_checked: usize,
}

impl Tally {
    pub(super) fn add(&mut self, outcome: FileOutcome) {
        let findings = match outcome {
            FileOutcome::Checked(findings) => {
                self.files_scanned += 1;
                findings
            }
            FileOutcome::CheckedWith(diagnostic, findings) => {
                self.files_scanned += 1;
                self.diagnostics.push(diagnostic);
                findings
            }
            FileOutcome::Unparsed(diagnostic, findings) => {
                self.files_scanned += 1;
                self.files_unparsed += 1;
                self.diagnostics.push(diagnostic);
                findings
            }
            FileOutcome::Skipped(diagnostic, findings) => {
                self.files_not_checked += 1;
                self.diagnostics.push(diagnostic);
                findings
            }
        };
        if !findings.is_empty() {
            self.findings.push(findings);
        }
    }

    /// The failures of users' policies on a unit, as diagnostics of its first file.
    pub(super) fn add_policy_failures(&mut self, item: &Work<'_>, failures: Vec<String>) {
        let candidate = match item {
            Work::File(candidate) => Some(*candidate),
            Work::Unit(_, _, candidates) | Work::Chart(_, candidates) => {
                candidates.first().copied()
            }
        };
        let Some(candidate) = candidate else {
            return;
        };
        let mut seen = std::collections::HashSet::new();
        for message in failures {
            if seen.insert(message.clone()) {
                self.diagnostics.push(
                    Diagnostic::new(candidate.path.clone(), DiagnosticKind::PolicyError, message)
                        .in_repository(&candidate.repo_path),
                );
            }
        }
    }

    pub(super) fn merge(mut self, mut other: Tally) -> Tally {
        self.findings.append(&mut other.findings);
        self.diagnostics.append(&mut other.diagnostics);
        self.files_scanned += other.files_scanned;
        self.files_unparsed += other.files_unparsed;
        self.files_not_checked += other.files_not_checked;
        self
    }
}

pub(super) enum FileOutcome {
    Checked(Vec<Finding>),
    /// Checked, with something routine to say (a chart's dependency that is not vendored).
    CheckedWith(Diagnostic, Vec<Finding>),
    /// Read, but not valid in its format (or a check failed on it); secrets are still looked for.
    Unparsed(Diagnostic, Vec<Finding>),
    /// Not read, or not a file of its format (a template); secrets are still looked for in what
    /// was read.
    Skipped(Diagnostic, Vec<Finding>),
}

impl Context<'_> {
    /// The secret hits of a file not already reported by a format's rule (`format`), which knows
    /// more about what the value is.
    pub(super) fn secret_hits(
        &self,
        candidate: &Candidate,
        text: &str,
        format: &[Hit],
    ) -> Vec<Hit> {
        if !self.secrets {
            return Vec::new();
        }
        let path = repository_path(candidate);
        let reported = Overlaps::new(format.iter().filter_map(|hit| hit.secret.clone()));
        checks::run_secrets(path, text, self.checks)
            .into_iter()
            .filter(|hit| !reported.any(hit.secret.as_ref().unwrap_or(&hit.span)))
            .collect()
    }
}

fn scan_file(candidate: &Candidate, context: &Context<'_>) -> FileOutcome {
    let path = &candidate.path;
    let text = match context.files.read_text(candidate, context.max_file_size) {
        Ok(text) => text,
        Err((kind, message)) => {
            let diagnostic =
                Diagnostic::new(path.clone(), kind, message).in_repository(&candidate.repo_path);
            return match kind {
                DiagnosticKind::ParseError => FileOutcome::Unparsed(diagnostic, Vec::new()),
                _ => FileOutcome::Skipped(diagnostic, Vec::new()),
            };
        }
    };
    let source = SourceFile::new(path.clone(), text);
    // A file that its name left as text may be a manifest by what it holds.
    let kind = match candidate.kind {
        FileKind::Text => discover::kind_by_content(path, &source.text).unwrap_or(FileKind::Text),
        kind => kind,
    };
    // A check that panics loses only the format's findings: secrets are still looked for.
    let format = if context.checks_format(kind) {
        panic::catch_unwind(AssertUnwindSafe(|| {
            let neighbours = Neighbours {
                candidate,
                context,
                rendered_policies: None,
            };
            checks::run_in(
                kind,
                &source.text,
                context.checks,
                &context.settings,
                &neighbours,
            )
        }))
    } else {
        Ok(Ok(Vec::new()))
    };
    // What the overlays that read the file found in it, but for what the file's own check
    // found at the same place.
    let format = format.map(|result| {
        result.map(|mut hits| {
            let (_, overlays) = Neighbours {
                candidate,
                context,
                rendered_policies: None,
            }
            .overlay_hits();
            let own = hits.len();
            for hit in overlays {
                let known = hits[..own]
                    .iter()
                    .any(|h| h.rule_id == hit.rule_id && h.span.start == hit.span.start);
                if !known {
                    hits.push(hit.clone());
                }
            }
            hits
        })
    });
    let own = match &format {
        Ok(Ok(hits)) => hits.as_slice(),
        _ => &[],
    };
    let secrets = context.secret_hits(candidate, &source.text, own);
    match format {
        Ok(Ok(mut hits)) => {
            hits.extend(secrets);
            let findings = context.findings(candidate, &source, hits);
            match helm_charts_of_kustomization(candidate, &source)
                .or_else(|| overlay_problems(candidate, context))
            {
                Some(diagnostic) => FileOutcome::CheckedWith(diagnostic, findings),
                None => FileOutcome::Checked(findings),
            }
        }
        Ok(Err(failure)) => {
            let (kind, message) = if failure.skipped {
                (
                    DiagnosticKind::Skipped,
                    format!("skipped: {}", failure.message),
                )
            } else {
                (
                    DiagnosticKind::ParseError,
                    not_checked(kind.as_str(), &failure.message, failure.over_budget),
                )
            };
            let mut diagnostic =
                Diagnostic::new(path.clone(), kind, message).in_repository(&candidate.repo_path);
            diagnostic.position = failure.position;
            let findings = context.findings(candidate, &source, secrets);
            if failure.skipped {
                FileOutcome::Skipped(diagnostic, findings)
            } else {
                FileOutcome::Unparsed(diagnostic, findings)
            }
        }
        Err(payload) => FileOutcome::Unparsed(
            internal_error(candidate, "file", payload.as_ref()),
            context.findings(candidate, &source, secrets),
        ),
    }
}

/// A kustomization that inflates Helm charts (`helmCharts:`): what they deploy is not built here,
/// and the diagnostic says so rather than staying silent.
fn helm_charts_of_kustomization(candidate: &Candidate, source: &SourceFile) -> Option<Diagnostic> {
    let name = candidate.path.file_name()?.to_str()?;
    if !crate::formats::kustomize::FILE_NAMES.contains(&name) {
        return None;
    }
    let at = source
        .text
        .match_indices("helmCharts:")
        .map(|(at, _)| at)
        .find(|&at| at == 0 || source.text.as_bytes()[at - 1] == b'\n')?;
    let mut diagnostic = Diagnostic::new(
        candidate.path.clone(),
        DiagnosticKind::Skipped,
        "helmCharts are not inflated: what they deploy is not checked here; a chart kept in the \
         repository is checked from its own directory (pass its values with --helm-values)"
            .to_owned(),
    )
    .in_repository(&candidate.repo_path);
    diagnostic.position = Some(source.position(at));
    Some(diagnostic)
}

/// What kept the overlay of an entry kustomization from building whole (a remote base, a patch
/// that matches nothing, a field not applied): said, since what is missing is not judged.
fn overlay_problems(candidate: &Candidate, context: &Context<'_>) -> Option<Diagnostic> {
    let (root, repo_path) = super::read::place(candidate)?;
    let problems = context.overlays.get(&root)?.problems(&repo_path);
    if problems.is_empty() {
        return None;
    }
    Some(
        Diagnostic::new(
            candidate.path.clone(),
            DiagnosticKind::Skipped,
            format!("overlay: {}", problems.join("; ")),
        )
        .in_repository(&candidate.repo_path),
    )
}

/// Checks one unit of work. A panic anywhere in it (a bug) costs only its own files' findings:
/// they are reported as internal errors and the scan goes on.
pub(super) fn check_work(item: &Work<'_>, context: &Context<'_>) -> Vec<FileOutcome> {
    let outcomes = panic::catch_unwind(AssertUnwindSafe(|| match item {
        Work::File(candidate) => vec![scan_file(candidate, context)],
        Work::Chart(root, candidates) => super::charts::scan_chart(root, candidates, context),
        Work::Unit(format, directory, candidates) => {
            scan_unit(*format, directory, candidates, context)
        }
    }));
    outcomes.unwrap_or_else(|payload| {
        let (what, candidates) = match item {
            Work::File(candidate) => ("file", std::slice::from_ref(candidate)),
            Work::Unit(_, _, candidates) => ("module", candidates.as_slice()),
            Work::Chart(_, candidates) => ("chart", candidates.as_slice()),
        };
        candidates
            .iter()
            .map(|candidate| {
                FileOutcome::Unparsed(
                    internal_error(candidate, what, payload.as_ref()),
                    Vec::new(),
                )
            })
            .collect()
    })
}

/// The diagnostic of a check that panicked on a file (`what`: the file or its module), with
/// the panic's message, for the bug report it asks for.
fn internal_error(
    candidate: &Candidate,
    what: &str,
    payload: &(dyn std::any::Any + Send),
) -> Diagnostic {
    let cause = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    Diagnostic::new(
        candidate.path.clone(),
        DiagnosticKind::InternalError,
        format!(
            "not checked: a check failed unexpectedly on this {what} ({cause}); please report it"
        ),
    )
    .in_repository(&candidate.repo_path)
}

/// Checks the `candidates` of one directory together as a unit of `format` (a Terraform
/// module). The directory's other files of the unit are read too (for variables and locals),
/// but only candidates are reported on.
fn scan_unit(
    format: &dyn Format,
    directory: &Path,
    candidates: &[&Candidate],
    context: &Context<'_>,
) -> Vec<FileOutcome> {
    let Some(member) = format.unit_member() else {
        return Vec::new();
    };
    let mut paths: BTreeSet<PathBuf> = candidates.iter().map(|c| c.path.clone()).collect();
    paths.extend(context.files.unit_files(directory, member));
    let reported: HashMap<&Path, &Candidate> =
        candidates.iter().map(|c| (c.path.as_path(), *c)).collect();
    let mut outcomes = Vec::new();
    let mut read = Vec::new();
    for path in paths {
        let candidate = reported.get(path.as_path());
        let sibling = Candidate {
            path: path.clone(),
            repo_path: String::new(),
            kind: FileKind::Text,
        };
        match context.files.read_text(
            candidate.copied().unwrap_or(&sibling),
            context.max_file_size,
        ) {
            Ok(text) => read.push((path, text)),
            Err((kind, message)) => {
                if let Some(candidate) = candidate {
                    let diagnostic = Diagnostic::new(path.clone(), kind, message)
                        .in_repository(&candidate.repo_path);
                    outcomes.push(match kind {
                        DiagnosticKind::ParseError => FileOutcome::Unparsed(diagnostic, Vec::new()),
                        _ => FileOutcome::Skipped(diagnostic, Vec::new()),
                    });
                }
            }
        }
    }

    let unit = format.load_unit(read);
    let files = unit.files();
    // Hits by file, in one pass over the unit's hits.
    let mut hits = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut by_file: Vec<Vec<Hit>> = vec![Vec::new(); files.len()];
        for (index, hit) in unit.check(context.checks, &context.settings) {
            if let Some(own) = by_file.get_mut(index) {
                own.push(hit);
            }
        }
        by_file
    }));
    for (index, file) in files.iter().enumerate() {
        let Some(candidate) = reported.get(file.path) else {
            continue;
        };
        let source = || SourceFile::new(file.path.to_path_buf(), file.text.to_owned());
        if let Some(failure) = &file.failure {
            let mut diagnostic = Diagnostic::new(
                file.path.to_path_buf(),
                DiagnosticKind::ParseError,
                not_checked(
                    format.target().as_str(),
                    &failure.message,
                    failure.over_budget,
                ),
            )
            .in_repository(&candidate.repo_path);
            diagnostic.position = failure.position;
            let secrets = context.secret_hits(candidate, file.text, &[]);
            outcomes.push(FileOutcome::Unparsed(
                diagnostic,
                context.findings(candidate, &source(), secrets),
            ));
            continue;
        }
        outcomes.push(match &mut hits {
            Ok(by_file) => {
                let mut own = std::mem::take(&mut by_file[index]);
                let secrets = context.secret_hits(candidate, file.text, &own);
                own.extend(secrets);
                FileOutcome::Checked(context.findings(candidate, &source(), own))
            }
            Err(payload) => {
                let secrets = context.secret_hits(candidate, file.text, &[]);
                FileOutcome::Unparsed(
                    internal_error(candidate, "module", payload.as_ref()),
                    context.findings(candidate, &source(), secrets),
                )
            }
        });
    }
    outcomes
}

/// The message of a file that was read but not checked: invalid in its format, or over the
/// parse budget (which is no fault of the format).
fn not_checked(kind: &str, message: &str, over_budget: bool) -> String {
    if over_budget {
        format!("not checked: {message}")
    } else {
        format!("not checked: invalid {kind}: {message}")
    }
}
