//! The scan: discover files, check each in parallel, collect findings and diagnostics, sort.
//!
//! Every file is read once, parsed once, and checked by every enabled check of its kind. Results
//! are sorted by (path, line, column, rule) before they are returned, so reports are identical
//! whatever the number of threads. A file that cannot be read or parsed becomes a diagnostic, and
//! a check that panics costs only that file's findings: the scan always goes on.
//!
//! Files come from disk, or from memory (staged content, standard input: [`Files`]): the
//! rest of the scan does not know the difference. Hits become findings in
//! [`crate::materialize`], where the file's secrets are masked in everything shown.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use regex::bytes::Regex;

use crate::catalog::{Catalog, Policy, Rule, Severity};
use crate::checks::{self, Check, Hit};
use crate::config::{PathIgnore, TestSecrets};
use crate::discover::{self, Candidate, DiscoverError, FileKind, Target, WalkOptions};
use crate::finding::{Diagnostic, DiagnosticKind, Finding, Suppression, SuppressionKind};
use crate::formats::compose::DockerfileRef;
use crate::formats::terraform::{self, Module};
use crate::links;
use crate::materialize::{SecretRanges, assign_fingerprints, findings_from_hits};
use crate::memory::{Content, MemoryFiles};
use crate::model::ports::Databases;
use crate::secrets::Overlaps;
use crate::secrets::scan::{is_documentation_path, is_test_path};
use crate::source::{Position, SourceFile};
use crate::suppress::{self, Date};

/// Default for [`ScanOptions::max_file_size`]: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Bytes inspected for NUL to decide that a file is binary (what git and ripgrep do).
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// What to scan and how.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    pub respect_ignore_files: bool,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    pub rules: RuleSelection,
    pub test_secrets: TestSecrets,
    /// Findings suppressed by path, from the configuration file.
    pub path_ignores: Vec<PathIgnore>,
    /// Secret values never reported.
    pub secret_allowlist: Vec<Regex>,
    /// Ports that count as databases besides the well-known ones.
    pub database_ports: Vec<(u16, String)>,
    /// Counts files as they are checked, for a progress display (the library prints nothing).
    pub progress: Option<Arc<Progress>>,
}

/// How far a scan has come: files to check, once found, and files checked so far.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            paths: vec![PathBuf::from(".")],
            jobs: 0,
            respect_ignore_files: true,
            exclude: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            rules: RuleSelection::default(),
            test_secrets: TestSecrets::default(),
            path_ignores: Vec::new(),
            secret_allowlist: Vec::new(),
            database_ports: Vec::new(),
            progress: None,
        }
    }
}

/// Which rules run.
#[derive(Clone, Debug, Default)]
pub struct RuleSelection {
    /// Only these rule ids (all when empty).
    pub select: Vec<String>,
    /// Never these rule ids.
    pub ignore: Vec<String>,
    /// Rules below this severity do not run.
    pub min_severity: Option<Severity>,
    /// Severities that replace the catalog's, by rule id.
    pub severity: BTreeMap<String, Severity>,
}

impl RuleSelection {
    /// Resolves rule ids, rule names and policy names given by a user to rule ids, rejecting
    /// unknown ones.
    pub fn resolve(catalog: &Catalog, names: &[String]) -> Result<Vec<String>, ScanError> {
        catalog.resolve(names).map_err(ScanError::UnknownRule)
    }

    /// Whether a rule runs.
    fn enables(&self, rule: &Rule) -> bool {
        (self.select.is_empty() || self.select.contains(&rule.id))
            && !self.ignore.contains(&rule.id)
            && self
                .min_severity
                .is_none_or(|min| self.severity_of(rule) >= min)
    }

    /// A rule's severity in this scan.
    pub fn severity_of(&self, rule: &Rule) -> Severity {
        self.severity
            .get(&rule.id)
            .copied()
            .unwrap_or(rule.severity)
    }

    fn enabled_checks(&self, catalog: &Catalog) -> Vec<Check> {
        checks::CHECKS
            .iter()
            .filter(|check| catalog.get(check.rule_id).is_some_and(|r| self.enables(r)))
            .copied()
            .collect()
    }
}

/// Why a scan could not run at all.
#[derive(Debug)]
pub enum ScanError {
    Discover(DiscoverError),
    UnknownRule(String),
    ThreadPool(String),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Discover(error) => error.fmt(f),
            ScanError::UnknownRule(message) => f.write_str(message),
            ScanError::ThreadPool(error) => write!(f, "could not start worker threads: {error}"),
        }
    }
}

impl std::error::Error for ScanError {}

/// The outcome of a scan.
#[derive(Debug, Default)]
pub struct ScanReport {
    /// What the scan reports and the gate judges.
    pub findings: Vec<Finding>,
    /// Findings a suppression covers, with its reason: shown, but out of the gate.
    pub suppressed: Vec<Finding>,
    /// Findings left out because the baseline holds them.
    pub baselined: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Files read (those that could not be parsed included).
    pub files_scanned: usize,
    /// Files read but not valid in their format (or not UTF-8): nothing was checked in them.
    pub files_unparsed: usize,
    /// Files found but not checked: no rule applies to their kind, or they were skipped.
    pub files_not_checked: usize,
    pub elapsed: Duration,
    /// The configuration file in effect, as shown to the user.
    pub configuration: Option<PathBuf>,
}

/// Runs a scan of the files under `options.paths`.
pub fn scan(options: &ScanOptions) -> Result<ScanReport, ScanError> {
    scan_with(
        options,
        options.rules.enabled_checks(Catalog::builtin()),
        Files::Disk,
    )
}

/// Runs a scan of files held in memory (staged content, standard input); `options.paths` is
/// not used.
pub fn scan_memory(options: &ScanOptions, files: &MemoryFiles) -> Result<ScanReport, ScanError> {
    scan_with(
        options,
        options.rules.enabled_checks(Catalog::builtin()),
        Files::Memory(files),
    )
}

/// Where the files of a scan are read from.
#[derive(Clone, Copy)]
enum Files<'s> {
    Disk,
    Memory(&'s MemoryFiles),
}

impl Files<'_> {
    /// A file as text, refusing files over the size limit, binary files and invalid UTF-8.
    fn read_text(
        self,
        candidate: &Candidate,
        max_file_size: u64,
    ) -> Result<String, (DiagnosticKind, String)> {
        let bytes = match self {
            Files::Disk => read_bytes(candidate, max_file_size)?,
            Files::Memory(held) => match held.contents.get(&candidate.path) {
                Some(Content::Bytes(bytes)) if bytes.len() as u64 <= max_file_size => bytes.clone(),
                Some(Content::Bytes(bytes)) => {
                    return Err(too_large(bytes.len() as u64, max_file_size));
                }
                Some(Content::TooLarge(size)) => return Err(too_large(*size, max_file_size)),
                None => {
                    return Err((
                        DiagnosticKind::IoError,
                        "could not be read: not in the index".to_owned(),
                    ));
                }
            },
        };
        decode_text(bytes)
    }

    /// The Terraform files of a module's directory.
    fn module_files(self, directory: &Path) -> Vec<PathBuf> {
        match self {
            Files::Memory(held) => held.module_files(directory),
            Files::Disk => {
                let listing = if directory.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    directory
                };
                let Ok(entries) = fs::read_dir(listing) else {
                    return Vec::new();
                };
                entries
                    .flatten()
                    .filter(|entry| {
                        terraform::is_module_file(&entry.file_name().to_string_lossy())
                            && entry.file_type().is_ok_and(|t| t.is_file())
                    })
                    .map(|entry| directory.join(entry.file_name()))
                    .collect()
            }
        }
    }
}

/// Runs a scan with the given checks.
fn scan_with(
    options: &ScanOptions,
    checks: Vec<Check>,
    files: Files<'_>,
) -> Result<ScanReport, ScanError> {
    let started = Instant::now();
    let catalog = Catalog::builtin();
    let targets: BTreeSet<Target> = checks.iter().map(|check| check.checker.target()).collect();

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|error| ScanError::ThreadPool(error.to_string()))?;
    let walk = WalkOptions {
        jobs: pool.current_num_threads(),
        respect_ignore_files: options.respect_ignore_files,
        exclude: options.exclude.clone(),
    };
    let (candidates, mut diagnostics) = match files {
        Files::Disk => discover::discover(&options.paths, &walk).map_err(ScanError::Discover)?,
        Files::Memory(held) => (held.candidates.clone(), Vec::new()),
    };

    let context = Context {
        checks: &checks,
        settings: checks::Settings {
            databases: Databases {
                extra: options.database_ports.clone(),
            },
        },
        catalog,
        options,
        enabled: catalog
            .rules()
            .iter()
            .filter(|rule| options.rules.enables(rule))
            .map(|rule| rule.id.as_str())
            .collect(),
        today: Date::today(),
        files,
        max_file_size: options.max_file_size,
        secrets: checks::wants_secrets(&checks),
        lower_test_secrets: options.test_secrets == TestSecrets::Lower,
        built_images: Mutex::new(HashMap::new()),
        targets,
    };
    let (to_check, not_checked): (Vec<_>, Vec<_>) = candidates.into_iter().partition(|candidate| {
        // Suppression comments can be wrong in any file, and any file may be a manifest by
        // what it holds.
        context.secrets
            || context.enabled.contains(suppress::RULE)
            || context.checks_format(candidate.kind)
            || (candidate.kind == FileKind::Text && context.targets.contains(&Target::Kubernetes))
    });
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
    // Modules first: a module is the largest unit of work, and one left for the end would keep
    // a single core busy while the others wait.
    let work: Vec<Work<'_>> = by_directory
        .into_iter()
        .map(|(directory, candidates)| Work::Module(directory, candidates))
        .chain(files.into_iter().map(Work::File))
        .collect();
    // Outcomes are tallied as they come rather than collected: memory then grows with the
    // findings, not with the number of files.
    if let Some(progress) = &options.progress {
        progress.total.store(to_check.len(), Ordering::Relaxed);
    }
    let tally = pool.install(|| {
        // One unit per job: rayon otherwise hands each thread a run of units to go through in
        // order, and a run that holds the slow units cannot be shared once it has started.
        work.par_iter()
            .with_max_len(1)
            .fold(Tally::default, |mut tally, item| {
                let outcomes = check_work(item, &context);
                if let Some(progress) = &options.progress {
                    progress.done.fetch_add(outcomes.len(), Ordering::Relaxed);
                }
                for outcome in outcomes {
                    tally.add(outcome);
                }
                tally
            })
            .reduce(Tally::default, Tally::merge)
    });
    drop(work);
    diagnostics.extend(tally.diagnostics);
    let mut report = ScanReport {
        findings: tally.findings,
        files_scanned: tally.files_scanned,
        files_unparsed: tally.files_unparsed,
        files_not_checked: not_checked.len() + tally.files_not_checked,
        ..ScanReport::default()
    };
    report.findings.sort_by(|a, b| {
        (&a.path, a.start, &a.rule_id, a.end, &a.message)
            .cmp(&(&b.path, b.start, &b.rule_id, b.end, &b.message))
    });
    // Some findings are less severe than their rule (secrets in tests, a detector's own level).
    if let Some(minimum) = options.rules.min_severity {
        report
            .findings
            .retain(|finding| finding.severity >= minimum);
    }
    assign_fingerprints(&mut report.findings);
    // Moved out in place: the findings may be the largest thing the scan holds.
    report.suppressed = report
        .findings
        .extract_if(.., |finding| finding.suppression.is_some())
        .collect();
    diagnostics.sort_by(|a, b| (&a.path, a.position, a.kind).cmp(&(&b.path, b.position, b.kind)));
    report.diagnostics = diagnostics;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// A unit of parallel work: one file, or one Terraform module with the files to report on.
enum Work<'c> {
    File(&'c Candidate),
    Module(PathBuf, Vec<&'c Candidate>),
}

/// What the files checked by one worker gave.
#[derive(Default)]
struct Tally {
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    files_scanned: usize,
    files_unparsed: usize,
    files_not_checked: usize,
}

impl Tally {
    fn add(&mut self, outcome: FileOutcome) {
        let findings = match outcome {
            FileOutcome::Checked(findings) => {
                self.files_scanned += 1;
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
        // A file with many findings is kept as it is rather than copied.
        self.merge_findings(findings);
    }

    fn merge_findings(&mut self, mut findings: Vec<Finding>) {
        if self.findings.len() < findings.len() {
            std::mem::swap(&mut self.findings, &mut findings);
        }
        self.findings.append(&mut findings);
    }

    fn merge(mut self, mut other: Tally) -> Tally {
        self.merge_findings(std::mem::take(&mut other.findings));
        self.diagnostics.append(&mut other.diagnostics);
        self.files_scanned += other.files_scanned;
        self.files_unparsed += other.files_unparsed;
        self.files_not_checked += other.files_not_checked;
        self
    }
}

enum FileOutcome {
    Checked(Vec<Finding>),
    /// Read, but not valid in its format (or a check failed on it); secrets are still looked for.
    Unparsed(Diagnostic, Vec<Finding>),
    /// Not read, or not a file of its format (a template); secrets are still looked for in what
    /// was read.
    Skipped(Diagnostic, Vec<Finding>),
}

/// What every file of a scan is checked with.
struct Context<'c> {
    checks: &'c [Check],
    /// What the checks are told besides which rules run.
    settings: checks::Settings,
    catalog: &'c Catalog,
    files: Files<'c>,
    max_file_size: u64,
    /// Targets of the enabled rules.
    targets: BTreeSet<Target>,
    /// Whether secret rules are enabled: they read every file.
    secrets: bool,
    lower_test_secrets: bool,
    /// Ids of the rules that run, checks and `PAL001` alike.
    enabled: BTreeSet<&'c str>,
    /// For suppressions with a last day.
    today: Date,
    /// Severity overrides, path ignores and the secret allowlist.
    options: &'c ScanOptions,
    /// Images built by the build configurations of each directory (repository root, and the
    /// directory relative to it), read once per scan.
    built_images: Mutex<HashMap<(PathBuf, String), BuiltImages>>,
}

/// Images a directory's build configurations build.
type BuiltImages = Arc<[links::BuiltImage]>;

impl Context<'_> {
    /// Whether a rule of a file kind's own format is enabled.
    fn checks_format(&self, kind: FileKind) -> bool {
        kind.targets()
            .iter()
            .any(|t| *t != Target::Secrets && self.targets.contains(t))
    }

    /// The secret hits of a file not already reported by a format's rule (`format`), which knows
    /// more about what the value is.
    fn secret_hits(&self, candidate: &Candidate, text: &str, format: &[Hit]) -> Vec<Hit> {
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

    /// Every range of a file that a secret detector or a format's rule judged a secret. When the
    /// secret rules are not part of the scan, the detectors still run on a file that has
    /// something to report (a finding, or a suppression comment that may be one), so that what
    /// its findings show is masked all the same.
    fn secret_ranges(
        &self,
        candidate: &Candidate,
        source: &SourceFile,
        hits: &[Hit],
    ) -> SecretRanges {
        let mut ranges: Vec<_> = hits.iter().filter_map(|hit| hit.secret.clone()).collect();
        let may_report = || {
            !hits.is_empty()
                || memchr::memmem::find(source.text.as_bytes(), suppress::MARKER.as_bytes())
                    .is_some()
        };
        if !self.secrets && may_report() {
            let allowlist = &self.options.secret_allowlist;
            ranges.extend(
                checks::run_secrets(repository_path(candidate), &source.text, checks::CHECKS)
                    .into_iter()
                    .filter_map(|hit| hit.secret.or(Some(hit.span)))
                    .filter(|range| {
                        let value = source
                            .text
                            .as_bytes()
                            .get(range.clone())
                            .unwrap_or_default();
                        !allowlist.iter().any(|allowed| allowed.is_match(value))
                    }),
            );
        }
        SecretRanges::new(&source.text, ranges)
    }

    /// Findings of a file's hits; secrets in test and example paths are lowered a severity.
    fn findings(
        &self,
        candidate: &Candidate,
        source: &SourceFile,
        mut hits: Vec<Hit>,
    ) -> Vec<Finding> {
        let allowlist = &self.options.secret_allowlist;
        if !allowlist.is_empty() {
            hits.retain(|hit| {
                let value = hit
                    .secret
                    .as_ref()
                    .and_then(|s| source.text.as_bytes().get(s.clone()));
                !value.is_some_and(|value| allowlist.iter().any(|allowed| allowed.is_match(value)))
            });
        }
        for hit in &mut hits {
            if let Some(&severity) = self.options.rules.severity.get(hit.rule_id) {
                hit.severity = Some(severity);
            }
        }
        if self.lower_test_secrets {
            let test_path = is_test_path(repository_path(candidate));
            let documentation = is_documentation_path(repository_path(candidate));
            for hit in &mut hits {
                let Some(rule) = self.catalog.get(hit.rule_id) else {
                    continue;
                };
                // Every rule about hardcoded secrets, the formats' own (`TFM004`, `DKR004`) too.
                if rule.policy != Policy::NoHardcodedSecrets {
                    continue;
                }
                let place = if test_path {
                    " (in a test or example path)"
                } else if documentation {
                    " (in documentation)"
                } else if hit.in_test_code {
                    " (in test code)"
                } else {
                    continue;
                };
                hit.severity = Some(hit.severity.unwrap_or(rule.severity).lowered());
                hit.message.push_str(place);
            }
        }
        let secrets = self.secret_ranges(candidate, source, &hits);
        let mut findings = findings_from_hits(candidate, source, hits, self.catalog, &secrets);
        let ran = |rule: &str| self.enabled.contains(rule);
        let problems = suppress::apply(
            &candidate.path,
            &source.text,
            &mut findings,
            self.catalog,
            &ran,
            self.today,
        );
        if ran(suppress::RULE) && !problems.is_empty() {
            findings.extend(findings_from_hits(
                candidate,
                source,
                problems,
                self.catalog,
                &secrets,
            ));
        }
        secrets.mask_messages(&source.text, &mut findings);
        let repo_path = repository_path(candidate)
            .to_string_lossy()
            .replace('\\', "/");
        for finding in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            if let Some(ignore) = self
                .options
                .path_ignores
                .iter()
                .find(|ignore| ignore.covers(&finding.rule_id, &repo_path, self.today))
            {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    reason: ignore.reason.clone(),
                });
            }
        }
        findings
    }
}

/// The files a candidate refers to (a compose service's Dockerfile), read as scanned files are:
/// from disk or from the staged index, regular files only (never through a symbolic link or from
/// a device), within `--max-file-size`, and only inside the candidate's repository (or, outside
/// any, below the candidate's own directory).
struct Neighbours<'c> {
    candidate: &'c Candidate,
    context: &'c Context<'c>,
}

impl Neighbours<'_> {
    /// The candidate's repository root on disk and its path in the repository.
    fn place(&self) -> Option<(PathBuf, String)> {
        let candidate = self.candidate;
        let repo_path = if candidate.repo_path.is_empty() {
            candidate.path.file_name()?.to_string_lossy().into_owned()
        } else {
            candidate.repo_path.clone()
        };
        let mut root = candidate.path.clone();
        for _ in 0..repo_path.split('/').count() {
            root.pop();
        }
        Some((root, repo_path))
    }

    /// The file at `target` (normalised, relative to the repository root), when it is a regular
    /// file that can be read.
    fn read_in_repository(&self, root: &Path, target: &str) -> Option<String> {
        let path = if root.as_os_str().is_empty() {
            PathBuf::from(target)
        } else {
            root.join(target)
        };
        if matches!(self.context.files, Files::Disk)
            && !fs::symlink_metadata(&path).is_ok_and(|metadata| metadata.is_file())
        {
            return None;
        }
        let neighbour = Candidate {
            path,
            repo_path: target.to_owned(),
            kind: FileKind::Text,
        };
        self.context
            .files
            .read_text(&neighbour, self.context.max_file_size)
            .ok()
    }
}

impl links::Repository for Neighbours<'_> {
    fn read(&self, relative: &str) -> Option<(String, String)> {
        let (root, repo_path) = self.place()?;
        let directory = repo_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory);
        let target = links::normalize(&format!("{directory}/{relative}"))?;
        let text = self.read_in_repository(&root, &target)?;
        Some((target, text))
    }

    fn read_from_root(&self, path: &str) -> Option<(String, String)> {
        let (root, _) = self.place()?;
        let target = links::normalize(path)?;
        let text = self.read_in_repository(&root, &target)?;
        Some((target, text))
    }

    fn built_images(&self) -> Arc<[links::BuiltImage]> {
        let Some((root, repo_path)) = self.place() else {
            return Arc::from([]);
        };
        // Every directory from the file's up to the repository root, each read once per scan.
        let mut images = Vec::new();
        let mut directory = repo_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory);
        loop {
            let key = (root.clone(), directory.to_owned());
            let cached = self
                .context
                .built_images
                .lock()
                .ok()
                .and_then(|cache| cache.get(&key).cloned());
            let found = cached.unwrap_or_else(|| {
                let found: BuiltImages = links::BUILD_CONFIGURATIONS
                    .iter()
                    .filter_map(|name| {
                        let target = links::normalize(&format!("{directory}/{name}"))?;
                        let text = self.read_in_repository(&root, &target)?;
                        Some(links::images_built_by(name, &text))
                    })
                    .flatten()
                    .map(|mut image| {
                        // From the configuration's directory to the repository root.
                        image.build = image.build.take().and_then(|mut build| {
                            if let DockerfileRef::Path(path) = &build.dockerfile {
                                build.dockerfile = DockerfileRef::FromRoot(links::normalize(
                                    &format!("{directory}/{path}"),
                                )?);
                            }
                            Some(build)
                        });
                        image
                    })
                    .collect();
                if let Ok(mut cache) = self.context.built_images.lock() {
                    cache.insert(key, found.clone());
                }
                found
            });
            images.extend(found.iter().cloned());
            if directory.is_empty() {
                break;
            }
            directory = directory.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
        Arc::from(images)
    }
}

/// A file's path in its repository (as given, for a file outside any).
fn repository_path(candidate: &Candidate) -> &Path {
    if candidate.repo_path.is_empty() {
        candidate.path.as_path()
    } else {
        Path::new(&candidate.repo_path)
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
            let neighbours = Neighbours { candidate, context };
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
    let own = match &format {
        Ok(Ok(hits)) => hits.as_slice(),
        _ => &[],
    };
    let secrets = context.secret_hits(candidate, &source.text, own);
    match format {
        Ok(Ok(mut hits)) => {
            hits.extend(secrets);
            FileOutcome::Checked(context.findings(candidate, &source, hits))
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

/// Checks one unit of work. A panic anywhere in it (a bug) costs only its own files' findings:
/// they are reported as internal errors and the scan goes on.
fn check_work(item: &Work<'_>, context: &Context<'_>) -> Vec<FileOutcome> {
    let outcomes = panic::catch_unwind(AssertUnwindSafe(|| match item {
        Work::File(candidate) => vec![scan_file(candidate, context)],
        Work::Module(directory, candidates) => scan_module(directory, candidates, context),
    }));
    outcomes.unwrap_or_else(|payload| {
        let (what, candidates) = match item {
            Work::File(candidate) => ("file", std::slice::from_ref(candidate)),
            Work::Module(_, candidates) => ("module", candidates.as_slice()),
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

/// Checks the Terraform `candidates` of one directory as a module. The directory's other
/// Terraform files are read too, for variables and locals, but only candidates are reported on.
fn scan_module(
    directory: &Path,
    candidates: &[&Candidate],
    context: &Context<'_>,
) -> Vec<FileOutcome> {
    let mut paths: BTreeSet<PathBuf> = candidates.iter().map(|c| c.path.clone()).collect();
    paths.extend(context.files.module_files(directory));
    let reported: HashMap<&Path, &Candidate> =
        candidates.iter().map(|c| (c.path.as_path(), *c)).collect();
    let mut outcomes = Vec::new();
    let (mut configuration, mut values) = (Vec::new(), Vec::new());
    for path in paths {
        let candidate = reported.get(path.as_path());
        let sibling = Candidate {
            path: path.clone(),
            repo_path: String::new(),
            kind: FileKind::Terraform,
        };
        match context.files.read_text(
            candidate.copied().unwrap_or(&sibling),
            context.max_file_size,
        ) {
            Ok(text) => {
                if terraform::is_values_file(&path) {
                    values.push((path, text));
                } else {
                    configuration.push((path, text));
                }
            }
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

    let (module, errors) = Module::load(configuration, values);
    for error in errors {
        if let Some(candidate) = reported.get(error.path.as_path()) {
            let mut diagnostic = Diagnostic::new(
                error.path.clone(),
                DiagnosticKind::ParseError,
                not_checked("terraform", &error.message, error.over_budget),
            )
            .in_repository(&candidate.repo_path);
            diagnostic.position = error
                .position
                .map(|(line, column)| Position { line, column });
            let secrets = context.secret_hits(candidate, &error.text, &[]);
            let source = SourceFile::new(error.path.clone(), error.text);
            outcomes.push(FileOutcome::Unparsed(
                diagnostic,
                context.findings(candidate, &source, secrets),
            ));
        }
    }
    // Hits by file, in one pass over the module's hits.
    let mut hits = panic::catch_unwind(AssertUnwindSafe(|| {
        let mut by_file: Vec<Vec<Hit>> = vec![Vec::new(); module.files.len()];
        for (index, hit) in checks::run_module(&module, context.checks, &context.settings) {
            if let Some(own) = by_file.get_mut(index) {
                own.push(hit);
            }
        }
        by_file
    }));
    for (index, file) in module.files.iter().enumerate() {
        let Some(candidate) = reported.get(file.path.as_path()) else {
            continue;
        };
        outcomes.push(match &mut hits {
            Ok(by_file) => {
                let mut own = std::mem::take(&mut by_file[index]);
                let secrets = context.secret_hits(candidate, file.source(), &own);
                own.extend(secrets);
                let source = SourceFile::new(file.path.clone(), file.source().to_owned());
                FileOutcome::Checked(context.findings(candidate, &source, own))
            }
            Err(payload) => {
                let secrets = context.secret_hits(candidate, file.source(), &[]);
                let source = SourceFile::new(file.path.clone(), file.source().to_owned());
                FileOutcome::Unparsed(
                    internal_error(candidate, "module", payload.as_ref()),
                    context.findings(candidate, &source, secrets),
                )
            }
        });
    }
    outcomes
}

/// Text in UTF-16 with a byte order mark, decoded; `None` without one.
fn utf16(bytes: &[u8]) -> Option<Result<String, (DiagnosticKind, String)>> {
    let (rest, little_endian) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    let units = rest.chunks(2).map(|pair| match (pair, little_endian) {
        ([low, high], true) => u16::from_le_bytes([*low, *high]),
        ([high, low], false) => u16::from_be_bytes([*high, *low]),
        // An odd byte at the end: not UTF-16 after all.
        _ => 0xDC00,
    });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| {
                (
                    DiagnosticKind::ParseError,
                    "not checked: starts like UTF-16 but is not valid UTF-16".to_owned(),
                )
            }),
    )
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

fn too_large(size: u64, max_file_size: u64) -> (DiagnosticKind, String) {
    (
        DiagnosticKind::Skipped,
        format!("skipped: {size} bytes is over the {max_file_size}-byte limit (--max-file-size)"),
    )
}

/// Reads a file from disk, refusing files over the size limit.
fn read_bytes(
    candidate: &Candidate,
    max_file_size: u64,
) -> Result<Vec<u8>, (DiagnosticKind, String)> {
    let io = |error: std::io::Error| {
        (
            DiagnosticKind::IoError,
            format!("could not be read: {error}"),
        )
    };
    let file = fs::File::open(&candidate.path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > max_file_size {
        return Err(too_large(size, max_file_size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read one byte past the limit, in case the file grew since its size was taken.
    file.take(max_file_size + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_file_size {
        return Err((
            DiagnosticKind::Skipped,
            format!("skipped: over the {max_file_size}-byte limit (--max-file-size)"),
        ));
    }
    Ok(bytes)
}

/// A file's bytes as UTF-8 text, refusing binary files and invalid UTF-8.
fn decode_text(bytes: Vec<u8>) -> Result<String, (DiagnosticKind, String)> {
    // Windows tools (PowerShell's `>`, Notepad) write UTF-16 with a byte order mark.
    if let Some(text) = utf16(&bytes) {
        return text;
    }
    if bytes[..bytes.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        return Err((DiagnosticKind::Skipped, "skipped: binary file".to_owned()));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|error| {
        (
            DiagnosticKind::ParseError,
            format!(
                "not checked: not valid UTF-8 (at byte {})",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::kubernetes::Manifests;

    fn panics_on_manifests(_: &Manifests<'_>, _: &mut Vec<Hit>) {
        panic!("a bug in a Kubernetes check");
    }

    fn panics_on_modules(_: &Module, _: &mut Vec<(crate::formats::terraform::At, Hit)>) {
        panic!("a bug in a Terraform check");
    }

    fn panics_on_marked_text(file: &crate::checks::secrets::SecretFile<'_>, _: &mut Vec<Hit>) {
        if file.text.contains("trips the secret check") {
            panic!("a bug in a secret check");
        }
    }

    /// Two scans with different database ports, at once in one process: each judges by its own.
    #[test]
    fn concurrent_scans_keep_their_own_database_ports() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("docker-compose.yml"),
            "services:\n  db:\n    image: acme/store:1.2\n    ports:\n      - \"7000:7000\"\n",
        )
        .unwrap();
        let scan_with_ports = |ports: Vec<(u16, String)>| {
            let options = ScanOptions {
                paths: vec![dir.path().to_path_buf()],
                database_ports: ports,
                rules: RuleSelection {
                    select: vec!["CMP005".to_owned()],
                    ..RuleSelection::default()
                },
                jobs: 2,
                ..ScanOptions::default()
            };
            (0..20)
                .map(|_| scan(&options).unwrap().findings.len())
                .collect::<Vec<_>>()
        };
        std::thread::scope(|threads| {
            let with = threads.spawn(|| scan_with_ports(vec![(7000, "ScyllaDB".to_owned())]));
            let without = threads.spawn(|| scan_with_ports(Vec::new()));
            assert!(with.join().unwrap().iter().all(|&count| count == 1));
            assert!(without.join().unwrap().iter().all(|&count| count == 0));
        });
    }

    /// A bug in one check must not cost the rest of the scan: the files it panicked on are
    /// reported with the panic's message, secrets in them are still found, and every other file
    /// is checked as usual.
    #[test]
    fn a_check_that_panics_costs_only_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write("Dockerfile", "FROM ubuntu:latest\nUSER app\n");
        write(
            "deploy/pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    \
             - name: web\n      image: nginx:1.27\n      env:\n        - name: GITHUB_TOKEN\n          \
             value: ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N\n",
        );
        write("notes.txt", "this line trips the secret check\n");
        write(
            "infra/main.tf",
            "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
        );
        let mut checks: Vec<Check> = checks::CHECKS
            .iter()
            .filter(|check| matches!(check.checker.target(), Target::Dockerfile | Target::Secrets))
            .copied()
            .collect();
        checks.push(Check::kubernetes("K8S001", panics_on_manifests));
        checks.push(Check::terraform("TFM001", panics_on_modules));
        checks.push(Check::secrets("SEC001", panics_on_marked_text));
        let options = ScanOptions {
            paths: vec![dir.path().to_path_buf()],
            ..ScanOptions::default()
        };

        let report = scan_with(&options, checks, Files::Disk).unwrap();

        let internal: Vec<(&str, &str)> = report
            .diagnostics
            .iter()
            .filter(|d| d.kind == DiagnosticKind::InternalError)
            .map(|d| (d.repo_path.as_deref().unwrap(), d.message.as_str()))
            .collect();
        assert_eq!(internal.len(), 3, "{internal:?}");
        assert_eq!(internal[0].0, "deploy/pod.yaml");
        assert!(internal[0].1.contains("a bug in a Kubernetes check"));
        assert!(internal[0].1.contains("on this file"));
        assert_eq!(internal[1].0, "infra/main.tf");
        assert!(internal[1].1.contains("a bug in a Terraform check"));
        assert!(internal[1].1.contains("on this module"));
        assert_eq!(internal[2].0, "notes.txt");
        assert!(internal[2].1.contains("a bug in a secret check"));
        let found: Vec<(&str, &str)> = report
            .findings
            .iter()
            .map(|f| (f.repo_path.as_str(), f.rule_id.as_str()))
            .collect();
        assert!(found.contains(&("Dockerfile", "DKR002")), "{found:?}");
        assert!(
            found
                .iter()
                .any(|&(path, rule)| path == "deploy/pod.yaml" && rule.starts_with("SEC")),
            "{found:?}"
        );
        assert_eq!(report.files_scanned, 4);
    }
}
