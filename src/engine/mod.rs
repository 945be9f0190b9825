//! The scan, as a pipeline of named stages:
//!
//! 1. **discover** the files (`crate::discover`), or take those held in memory;
//! 2. group them into **units** of work ([`units`]): a file, or a Terraform module;
//! 3. **read** each file once, from disk or memory, within the size limit ([`read`]);
//! 4. **check** each unit in parallel: parse, lower into the model of what gets deployed, run
//!    every enabled check of its format, look for secrets ([`check`]);
//! 5. **filter** and **materialise** each file's hits: every decision of the user (allowlist,
//!    severity overrides, lowering in tests, inline suppressions, path ignores) in one place,
//!    then positions, snippets and masks ([`filter`], `crate::materialize`);
//! 6. sort, fingerprint and split off what is suppressed, so that reports are identical
//!    whatever the number of threads; the caller **reports** (`crate::report`).
//!
//! A file that cannot be read or parsed becomes a diagnostic, and a check that panics costs
//! only that unit's findings: the scan always goes on. Files come from disk, or from memory
//! (staged content, standard input: [`read::Files`]): the rest of the scan does not know the
//! difference.

mod charts;
mod check;
mod filter;
mod overlays;
mod read;
mod units;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use regex::bytes::Regex;

use crate::catalog::{Catalog, Rule, Severity};
use crate::checks::{self, Check};
use crate::config::{PathIgnore, TestSecrets};
use crate::discover::{self, Candidate, DiscoverError, FileKind, Target, WalkOptions};
use crate::finding::{Diagnostic, Finding};
use crate::links;
use crate::materialize::assign_fingerprints;
use crate::memory::MemoryFiles;
use crate::model::ports::Databases;
use crate::source::Position;
use crate::suppress::{self, Date};

pub use charts::{RenderedChart, render_chart, render_overlay};
use check::{Tally, check_work};
use read::Files;

/// Default for [`ScanOptions::max_file_size`]: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

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
    /// Owners of GitHub actions whose version tags are trusted as pins; `None`: GitHub's own.
    pub tag_pinned_owners: Option<Vec<String>>,
    /// Values of CloudFormation template parameters, by name, over their defaults.
    pub cloudformation_parameters: Vec<(String, String)>,
    /// Counts files as they are checked, for a progress display (the library prints nothing).
    pub progress: Option<Arc<Progress>>,
    /// Values for Helm charts.
    pub helm: crate::helm::HelmOptions,
    /// Users' own policies, which join the catalog.
    pub policies: Option<Arc<crate::policy::Policies>>,
}

/// How far a scan has come: files to check, once found, and files checked so far.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
}

impl ScanOptions {
    /// The catalog of this scan: the built-in rules, and the users' own.
    pub fn catalog(&self) -> &Catalog {
        self.policies
            .as_ref()
            .map_or(Catalog::builtin(), |policies| policies.catalog())
    }
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
            tag_pinned_owners: None,
            cloudformation_parameters: Vec::new(),
            progress: None,
            helm: crate::helm::HelmOptions::default(),
            policies: None,
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
    pub fn enables(&self, rule: &Rule) -> bool {
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
    /// The controls of the compliance frameworks asked for, judged by this scan's findings.
    pub compliance: Vec<crate::compliance::Evaluation>,
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

/// Runs a scan with the given checks.
fn scan_with(
    options: &ScanOptions,
    checks: Vec<Check>,
    files: Files<'_>,
) -> Result<ScanReport, ScanError> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build()
        .map_err(|error| ScanError::ThreadPool(error.to_string()))?;
    let (candidates, diagnostics) = match files {
        Files::Disk => {
            let walk = WalkOptions {
                jobs: pool.current_num_threads(),
                respect_ignore_files: options.respect_ignore_files,
                exclude: options.exclude.clone(),
            };
            discover::discover(&options.paths, &walk).map_err(ScanError::Discover)?
        }
        Files::Memory(held) => (held.candidates.clone(), Vec::new()),
    };
    let mut context = Context::new(options, &checks, files);
    if context.targets.contains(&Target::Kubernetes) {
        // Files named one by one (a pre-commit hook's) may be read by overlays not named.
        let around = match files {
            Files::Disk if options.paths.iter().any(|path| path.is_file()) => {
                // Only what an overlay can read and judge: manifests, patches, kustomizations.
                let overlay_part = |candidate: &Candidate| {
                    matches!(candidate.kind, FileKind::Yaml | FileKind::Json)
                        && files
                            .read_text(candidate, options.max_file_size)
                            .is_ok_and(|text| {
                                text.contains("apiVersion")
                                    || text.contains("op:")
                                    || text.contains("\"op\"")
                                    || text.contains("resources:")
                            })
                };
                let named: Vec<Candidate> = candidates
                    .iter()
                    .filter(|c| overlay_part(c))
                    .cloned()
                    .collect();
                let walk = WalkOptions {
                    jobs: pool.current_num_threads(),
                    respect_ignore_files: options.respect_ignore_files,
                    exclude: options.exclude.clone(),
                };
                if named.is_empty() {
                    Vec::new()
                } else {
                    discover::kustomizations_around(&named, &walk).map_err(ScanError::Discover)?
                }
            }
            _ => Vec::new(),
        };
        let related = match files {
            Files::Memory(held) => held.related.as_slice(),
            Files::Disk => around.as_slice(),
        };
        let overlays = pool.install(|| overlays::judge(&candidates, related, &context));
        context.overlays = overlays;
        // Which pods the repository's network policies select is known only when every file
        // of it is read: a scan of its directories, not of staged or named files.
        let whole = matches!(files, Files::Disk) && options.paths.iter().all(|p| p.is_dir());
        if whole && context.enabled.contains(NETWORK_POLICY_RULE) {
            context.network_policies =
                Some(pool.install(|| network_policies(&candidates, &context)));
        }
    }
    let (to_check, not_checked): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|candidate| context.reads(candidate.kind));
    // Templates of Helm charts are rendered with their chart, when Kubernetes rules run.
    let mut roots = charts::ChartRoots::new(files);
    let kubernetes = context.targets.contains(&Target::Kubernetes);
    let work = units::units(&to_check, |candidate| {
        kubernetes
            .then(|| roots.chart_of(&candidate.path))
            .flatten()
    });
    if let Some(progress) = &options.progress {
        progress.total.store(to_check.len(), Ordering::Relaxed);
    }
    let tally = pool.install(|| check_in_parallel(&work, &context));
    drop(work);
    // Sorted on the scan's threads too: with many findings, sorting is a part of the scan.
    let mut report = pool.install(|| finish(tally, diagnostics, options));
    report.files_not_checked += not_checked.len();
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The rule that judges workloads by the repository's network policies.
const NETWORK_POLICY_RULE: &str = "K8S025";

/// The network policies of every repository of the scan, from its YAML and JSON files, read in
/// parallel; only files that name a policy kind are parsed.
fn network_policies(
    candidates: &[Candidate],
    context: &Context<'_>,
) -> HashMap<PathBuf, NetworkPolicies> {
    let found: Vec<(PathBuf, Vec<crate::formats::network_policies::Policy>)> = candidates
        .par_iter()
        .filter(|candidate| matches!(candidate.kind, FileKind::Yaml | FileKind::Json))
        .filter_map(|candidate| {
            let text = context
                .files
                .read_text(candidate, context.max_file_size)
                .ok()?;
            if !text.contains("NetworkPolicy") {
                return None;
            }
            checks::over_budget(crate::formats::budget::Parser::Yaml, &text).ok()?;
            let yaml = crate::formats::yaml::Yaml::parse(&text).ok()?;
            let (root, _) = read::place(candidate)?;
            Some((root, crate::formats::network_policies::policies(&yaml)))
        })
        .collect();
    let mut by_root: HashMap<PathBuf, Vec<crate::formats::network_policies::Policy>> =
        HashMap::new();
    for candidate in candidates {
        if let Some((root, _)) = read::place(candidate) {
            by_root.entry(root).or_default();
        }
    }
    for (root, policies) in found {
        by_root.entry(root).or_default().extend(policies);
    }
    by_root
        .into_iter()
        .map(|(root, policies)| (root, Arc::from(policies)))
        .collect()
}

/// Checks every unit, one per job: rayon otherwise hands each thread a run of units to go
/// through in order, and a run that holds the slow units cannot be shared once it has started.
/// Outcomes are tallied as they come rather than collected: memory then grows with the
/// findings, not with the number of files.
fn check_in_parallel(work: &[units::Work<'_>], context: &Context<'_>) -> Tally {
    work.par_iter()
        .with_max_len(1)
        .fold(Tally::default, |mut tally, item| {
            let outcomes = check_work(item, context);
            tally.add_policy_failures(item, crate::policy::take_failures());
            if let Some(progress) = &context.options.progress {
                progress.done.fetch_add(outcomes.len(), Ordering::Relaxed);
            }
            for outcome in outcomes {
                tally.add(outcome);
            }
            tally
        })
        .reduce(Tally::default, Tally::merge)
}

/// The report, in an order that does not depend on the threads: findings sorted, cut at the
/// minimum severity (some are less severe than their rule: secrets in tests, a detector's own
/// level), fingerprinted, and the suppressed ones set apart.
fn finish(tally: Tally, mut diagnostics: Vec<Diagnostic>, options: &ScanOptions) -> ScanReport {
    diagnostics.extend(tally.diagnostics);
    let mut report = ScanReport {
        findings: in_report_order(tally.findings),
        files_scanned: tally.files_scanned,
        files_unparsed: tally.files_unparsed,
        files_not_checked: tally.files_not_checked,
        ..ScanReport::default()
    };
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
    report
}

/// The findings of every file, sorted by path, start, rule, end and message. Small keys are
/// sorted and each finding is then moved once: a finding is hundreds of bytes, and paths, which
/// compare component by component, are ranked once rather than compared at every step.
fn in_report_order(batches: Vec<Vec<Finding>>) -> Vec<Finding> {
    let mut paths: Vec<&Path> = batches
        .iter()
        .flat_map(|batch| batch.iter().map(|finding| finding.path.as_path()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    paths.par_sort_unstable();
    let rank: HashMap<&Path, usize> = paths
        .iter()
        .enumerate()
        .map(|(rank, path)| (*path, rank))
        .collect();
    // (path's rank, start, batch, index in the batch)
    let mut order: Vec<(usize, Position, usize, usize)> = batches
        .iter()
        .enumerate()
        .flat_map(|(b, batch)| {
            let rank = &rank;
            batch
                .iter()
                .enumerate()
                .map(move |(i, finding)| (rank[finding.path.as_path()], finding.start, b, i))
        })
        .collect();
    order.par_sort_unstable_by(|x, y| {
        let (a, b) = (&batches[x.2][x.3], &batches[y.2][y.3]);
        (x.0, x.1, &a.rule_id, a.end, &a.message, x.2, x.3)
            .cmp(&(y.0, y.1, &b.rule_id, b.end, &b.message, y.2, y.3))
    });
    drop(rank);
    drop(paths);
    let mut slots: Vec<Vec<Option<Finding>>> = batches
        .into_iter()
        .map(|batch| batch.into_iter().map(Some).collect())
        .collect();
    let mut findings = Vec::with_capacity(order.len());
    findings.extend(
        order
            .into_iter()
            .filter_map(|(_, _, b, i)| slots[b][i].take()),
    );
    findings
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
    /// The Kustomize overlays of each repository root, built and judged before the files
    /// are checked.
    overlays: HashMap<PathBuf, overlays::Overlays>,
    /// The network policies of each repository root, when the scan reads every file of it.
    network_policies: Option<HashMap<PathBuf, NetworkPolicies>>,
    /// Which files exist (repository root, path from it), for files that many others look
    /// for (`.dockerignore`), asked once per scan.
    existing: Mutex<HashMap<(PathBuf, String), bool>>,
}

/// The network policies of a repository.
type NetworkPolicies = Arc<[crate::formats::network_policies::Policy]>;

/// Images a directory's build configurations build.
type BuiltImages = Arc<[links::BuiltImage]>;

impl<'c> Context<'c> {
    fn new(options: &'c ScanOptions, checks: &'c [Check], files: Files<'c>) -> Context<'c> {
        let catalog = options.catalog();
        // Only the users' rules that run are evaluated.
        let policies = options
            .policies
            .as_ref()
            .map(|policies| policies.only(|rule| options.rules.enables(rule)))
            .filter(|policies| !policies.is_empty())
            .map(Arc::new);
        let mut targets: BTreeSet<Target> =
            checks.iter().map(|check| check.checker.target()).collect();
        if let Some(policies) = &policies {
            targets.extend(
                policies
                    .rules()
                    .iter()
                    .flat_map(|rule| rule.rule.targets.iter().copied()),
            );
        }
        Context {
            checks,
            settings: checks::Settings {
                databases: Databases {
                    extra: options.database_ports.clone(),
                },
                tag_pinned_owners: options.tag_pinned_owners.clone(),
                cloudformation_parameters: options.cloudformation_parameters.clone(),
                policies,
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
            secrets: checks::wants_secrets(checks),
            lower_test_secrets: options.test_secrets == TestSecrets::Lower,
            built_images: Mutex::new(HashMap::new()),
            overlays: HashMap::new(),
            network_policies: None,
            existing: Mutex::new(HashMap::new()),
            targets,
        }
    }

    /// Whether a file of `kind` is read at all: suppression comments can be wrong in any file,
    /// and any text file may be a manifest or a template (`stack.template`) by what it holds.
    fn reads(&self, kind: FileKind) -> bool {
        self.secrets
            || self.enabled.contains(suppress::RULE)
            || self.checks_format(kind)
            || (kind == FileKind::Text
                && (self.targets.contains(&Target::Kubernetes)
                    || self.targets.contains(&Target::CloudFormation)))
    }

    /// Whether a rule of a file kind's own format is enabled.
    fn checks_format(&self, kind: FileKind) -> bool {
        checks::format::reading(kind).any(|format| self.targets.contains(&format.target()))
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::checks::Hit;
    use crate::finding::DiagnosticKind;
    use crate::formats::kubernetes::Manifests;
    use crate::formats::terraform::Module;

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
