//! The command line: flags are documented where they are declared, and `--help` shows exactly
//! that text. [`execute`] runs a parsed command line and returns the process exit code:
//!
//! - 0: nothing at or above the `--fail-on` threshold;
//! - 1: findings at or above the threshold;
//! - 2: the scan could not run (bad arguments, no such path, unwritable output).
//!
//! A file that cannot be parsed is not a reason for 2: it is reported and the scan goes on.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::baseline::{self, Baseline, DEFAULT_BASELINE};
use crate::catalog::{Catalog, Rule, Severity};
use crate::config::{self, Config, TestSecrets};
use crate::engine::{self, DEFAULT_MAX_FILE_SIZE, Progress, RuleSelection, ScanOptions};
use crate::git::{self, Changes, Selection};
use crate::memory::{Content, MemoryFiles};
use crate::policy::Policies;
use crate::report::{self, Format, RenderOptions};
use crate::secrets::detectors::Detectors;

/// Exit code: nothing at or above the gate.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at or above the gate.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the scan could not run.
pub const EXIT_ERROR: u8 = 2;

/// The gate when none is given, the same for the command line, the pre-commit hooks and the
/// GitHub Action: every finding of the five core policies blocks (their rules are all high or
/// critical, which a catalog test holds them to), and hardening, supply-chain or reliability
/// advice alone (medium and below) does not.
pub const DEFAULT_GATE: Threshold = Threshold::High;

/// Policy and security scanner for infrastructure as code.
#[derive(Debug, Parser)]
#[command(
    name = "palisade",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories and report policy violations.
    Scan(ScanArgs),
    /// List the rule catalog.
    Rules(RulesArgs),
    /// Print one rule's full documentation.
    Explain(ExplainArgs),
    /// List the compliance frameworks, or one framework's controls and the rules that check
    /// each.
    Compliance(ComplianceArgs),
    /// List the secret detectors (the provider formats `leaked-credential` looks for).
    Detectors(DetectorsArgs),
    /// Record the current findings, so that `scan --baseline` reports only new ones.
    Baseline(BaselineArgs),
    /// Write a commented .palisade.yaml with every setting and its default.
    Init(InitArgs),
    /// Print the manifests a Helm chart renders to, as `scan` checks them (no `helm` needed), or
    /// what a Kustomize overlay builds (no `kustomize` needed).
    Render(RenderArgs),
    /// Print a shell completion script (bash, elvish, fish, powershell, zsh).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `palisade man > palisade.1`.
    Man,
    /// Print what users' policies read as `input` for the units of a file or directory (its
    /// documents and the model of what it deploys), as JSON; secrets are masked.
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A file, or a directory (a Terraform module, a chart, a repository).
    pub path: PathBuf,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InspectFormat::Json)]
    pub format: InspectFormat,

    #[command(flatten)]
    pub helm: HelmArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    Json,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The chart directory (the one holding `Chart.yaml`), or a directory with a kustomization.
    pub chart: PathBuf,

    #[command(flatten)]
    pub helm: HelmArgs,
}

/// Values for Helm charts: shared by `scan`, `baseline` and `render`.
#[derive(Debug, Args, Clone, Default)]
pub struct HelmArgs {
    /// A values file laid over every chart's `values.yaml`, like `helm template -f`.
    /// Repeatable; later files win.
    #[arg(long, value_name = "FILE")]
    pub helm_values: Vec<PathBuf>,

    /// A value for every chart, like `helm template --set` (`image.tag=1.2.3`, `a.b=1,c=x`,
    /// `list[0]=x`). Repeatable; applied after values files.
    #[arg(long, value_name = "KEY=VALUE")]
    pub helm_set: Vec<String>,
}

impl HelmArgs {
    fn options(&self) -> crate::helm::HelmOptions {
        crate::helm::HelmOptions {
            entries: vec![crate::helm::ValuesFor {
                chart: None,
                values: self.helm_values.clone(),
                set: self.helm_set.clone(),
            }],
        }
    }
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to write .palisade.yaml in.
    #[arg(default_value = ".")]
    pub directory: PathBuf,

    /// Replace an existing .palisade.yaml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub scope: Scope,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding is at or above this severity (`none`: never) [default: high:
    /// every rule of the five core policies is high or critical, hardening, supply-chain and
    /// reliability advice is medium or below].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<Threshold>,

    /// Scan only what is staged in git, as staged (the index content, not the working tree),
    /// under the given paths. For pre-commit hooks.
    #[arg(long, conflicts_with = "changed_since")]
    pub staged: bool,

    /// Scan only the files that differ from REF (a branch, tag or commit) in the working tree,
    /// and untracked files, under the given paths.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,

    /// Report only findings that are not in this baseline (written by `palisade baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Report per control of a compliance framework (`pss-restricted`, `cis-docker-4`; see
    /// `palisade compliance`): failed, passed or not checked. Repeatable.
    #[arg(long, value_name = "FRAMEWORK")]
    pub compliance: Vec<String>,

    /// SARIF: the category of this analysis (`automationDetails.id`), to upload several analyses
    /// of one commit (one per directory of a monorepo, say) without one replacing another.
    #[arg(long, value_name = "CATEGORY")]
    pub sarif_category: Option<String>,

    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print findings and files that could not be checked only: no skipped files, no summary.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also exit with 1 when a file could not be checked (invalid in its format, unreadable, or
    /// a check failed on it), not only on findings.
    #[arg(long)]
    pub fail_on_diagnostics: bool,

    /// Also list files that were skipped (binary, too large, templates, symbolic links).
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// With `-` as the path: the name of the file read from standard input, which decides how it
    /// is read (`deploy/Dockerfile`, `main.tf`) and how it is shown. For editors and
    /// `git show REV:path | palisade scan - --stdin-filename path`.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub scope: Scope,

    /// Where to write the baseline.
    #[arg(long, short = 'o', value_name = "FILE", default_value = DEFAULT_BASELINE)]
    pub output: PathBuf,
}

/// What a scan reads and which rules it runs: shared by `scan` and `baseline`.
#[derive(Debug, Args)]
pub struct Scope {
    /// Files and directories to scan. Directories are walked; files are scanned as given; `-`
    /// reads one file from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Report only findings at or above this severity [default: info].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub min_severity: Option<Severity>,

    /// Run only these rules (ids or names, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,

    /// Never run these rules (ids or names, comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,

    /// Worker threads (0: one per core).
    #[arg(long, short = 'j', default_value_t = 0, value_name = "N")]
    pub jobs: usize,

    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip paths matching GLOB (a name anywhere, like `vendor`, or a path from the scanned
    /// directory, like `deploy/legacy/**`). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Secrets in test code, test data and examples (`tests/`, `*_test.go`, `.env.example`):
    /// reported one severity lower, or kept as they are [default: lower].
    #[arg(long, value_enum, value_name = "HOW")]
    pub test_secrets: Option<TestSecrets>,

    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE, value_name = "BYTES")]
    pub max_file_size: u64,

    /// Read the configuration from FILE [default: the nearest .palisade.yaml from the first
    /// path upward].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Read no configuration file.
    #[arg(long)]
    pub no_config: bool,

    #[command(flatten)]
    pub policies: PolicyArgs,

    #[command(flatten)]
    pub helm: HelmArgs,
}

/// Users' own policies, for every command that reads the catalog.
#[derive(Debug, Args, Default)]
pub struct PolicyArgs {
    /// Add the rules of the Rego policies in DIR (a directory, searched for `.rego` files, or
    /// one file), besides those the configuration's `policies:` names. Repeatable.
    #[arg(long = "policy", id = "policy", value_name = "DIR")]
    pub paths: Vec<PathBuf>,
}

impl PolicyArgs {
    /// The policies named here and by the configuration file found from the working directory.
    fn load_here(&self) -> Result<Option<Arc<Policies>>, String> {
        self.load(config::find(Path::new(".")).as_deref())
    }

    /// The policies named here and by the configuration file (`None`: none at all).
    fn load(&self, configuration: Option<&Path>) -> Result<Option<Arc<Policies>>, String> {
        let mut paths = self.paths.clone();
        if let Some(configuration) = configuration {
            paths.extend(config::policy_paths(configuration)?);
        }
        if paths.is_empty() {
            return Ok(None);
        }
        Policies::load(&paths).map(|policies| Some(Arc::new(policies)))
    }
}

/// The catalog with users' own rules, when there are any.
fn catalog_of(policies: Option<&Arc<Policies>>) -> &Catalog {
    policies.map_or(Catalog::builtin(), |policies| policies.catalog())
}

impl Scope {
    /// The configuration file that applies, checked: named with `--config`, or found from the
    /// first path upward (for standard input, from where its `--stdin-filename` would be); and
    /// the users' policies it and `--policy` name, whose rules it may refer to.
    fn config(&self, stdin_name: Option<&Path>) -> Result<(Config, Option<Arc<Policies>>), String> {
        if self.no_config {
            return Ok((Config::default(), self.policies.load(None)?));
        }
        let start = match stdin_name {
            Some(name) => name
                .parent()
                .filter(|p| p.is_dir())
                .unwrap_or(Path::new(".")),
            None => self.paths.first().map_or(Path::new("."), PathBuf::as_path),
        };
        let path = match &self.config {
            Some(path) => Some(path.clone()),
            None => config::find(start),
        };
        let policies = self.policies.load(path.as_deref())?;
        let config = match path {
            Some(path) => Config::load(&path, catalog_of(policies.as_ref()))?,
            None => Config::default(),
        };
        Ok((config, policies))
    }

    /// The scan's options: the command line over the configuration.
    fn options(
        &self,
        config: &Config,
        policies: Option<Arc<Policies>>,
    ) -> Result<ScanOptions, String> {
        let catalog = catalog_of(policies.as_ref());
        let select = RuleSelection::resolve(catalog, &self.select).map_err(|e| e.to_string())?;
        let mut ignore =
            RuleSelection::resolve(catalog, &self.ignore).map_err(|e| e.to_string())?;
        ignore.extend(config.ignore.iter().cloned());
        let rules = RuleSelection {
            select: if select.is_empty() {
                config.select.clone()
            } else {
                select
            },
            ignore,
            min_severity: Some(
                self.min_severity
                    .or(config.min_severity)
                    .unwrap_or(Severity::Info),
            ),
            severity: config.severity.clone(),
        };
        Ok(ScanOptions {
            paths: self.paths.clone(),
            jobs: self.jobs,
            respect_ignore_files: !self.no_ignore,
            exclude: self
                .exclude
                .iter()
                .chain(&config.exclude)
                .cloned()
                .collect(),
            max_file_size: self.max_file_size,
            rules,
            test_secrets: self
                .test_secrets
                .or(config.test_secrets)
                .unwrap_or_default(),
            path_ignores: config.path_ignores.clone(),
            secret_allowlist: config.secret_allowlist.clone(),
            database_ports: config.database_ports.clone(),
            tag_pinned_owners: config.tag_pinned_owners.clone(),
            cloudformation_parameters: config.cloudformation_parameters.clone(),
            progress: None,
            helm: config.helm.clone().then(self.helm.options()),
            policies,
        })
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,

    #[command(flatten)]
    pub policies: PolicyArgs,
}

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// A framework's id (`pss-restricted`, `cis-docker-4`); none: the list of frameworks.
    pub framework: Option<String>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ComplianceFormat::Text)]
    pub format: ComplianceFormat,

    #[command(flatten)]
    pub policies: PolicyArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ComplianceFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DetectorsArgs {
    /// Output format: a table, JSON (with each detector's expression and keywords), or the
    /// expressions alone, one per line (for `rg -f` or `grep -P -f`).
    #[arg(long, short = 'f', value_enum, default_value_t = DetectorsFormat::Text)]
    pub format: DetectorsFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DetectorsFormat {
    Text,
    Json,
    Patterns,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (`DKR001`) or name (`last-user-root`).
    pub rule: String,

    #[command(flatten)]
    pub policies: PolicyArgs,
}

/// The severity gate of `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail because of findings.
    None,
}

impl Threshold {
    fn severity(self) -> Option<Severity> {
        match self {
            Threshold::Critical => Some(Severity::Critical),
            Threshold::High => Some(Severity::High),
            Threshold::Medium => Some(Severity::Medium),
            Threshold::Low => Some(Severity::Low),
            Threshold::Info => Some(Severity::Info),
            Threshold::None => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
    Markdown,
}

/// Runs a command line and returns the exit code. Reports go to standard output (or
/// `--output`), errors to standard error.
pub fn execute(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Rules(args) => args.policies.load_here().and_then(|policies| {
            write_stdout(|out| list_rules(catalog_of(policies.as_ref()), args.format, out))
                .map(|()| EXIT_OK)
        }),
        Command::Explain(args) => explain(&args),
        Command::Compliance(args) => list_compliance(&args),
        Command::Detectors(args) => {
            write_stdout(|out| list_detectors(args.format, out)).map(|()| EXIT_OK)
        }
        Command::Baseline(args) => write_baseline(&args),
        Command::Init(args) => init(&args),
        Command::Render(args) => render_chart(&args),
        Command::Inspect(args) => inspect(&args),
        Command::Completions(args) => write_stdout(|out| {
            clap_complete::generate(args.shell, &mut Cli::command(), "palisade", out);
            Ok(())
        })
        .map(|()| EXIT_OK),
        Command::Man => {
            write_stdout(|out| clap_mangen::Man::new(Cli::command()).render(out)).map(|()| EXIT_OK)
        }
    };
    result.unwrap_or_else(|message| {
        eprintln!("error: {}", report::printable(&message));
        EXIT_ERROR
    })
}

/// Where the secrets of a file are, as the rules find them (its format's and the detectors'):
/// what any output quoting the file masks.
fn secret_ranges(
    kind: crate::discover::FileKind,
    path: &Path,
    text: &str,
) -> Vec<std::ops::Range<usize>> {
    use crate::checks::{self, CHECKS};
    let settings = checks::Settings::default();
    checks::run_in(kind, text, CHECKS, &settings, &crate::links::Alone)
        .unwrap_or_default()
        .into_iter()
        .chain(checks::run_secrets(path, text, CHECKS))
        .filter_map(|hit| hit.secret)
        .filter(|range| {
            range.end <= text.len()
                && text.is_char_boundary(range.start)
                && text.is_char_boundary(range.end)
        })
        .collect()
}

/// `palisade inspect`: the inputs of the units a scan of the path checks, sorted by path, with
/// every secret the rules find in the files masked and control characters escaped.
fn inspect(args: &InspectArgs) -> Result<u8, String> {
    let (capturing, inputs) = Policies::capturing();
    let options = ScanOptions {
        paths: vec![args.path.clone()],
        helm: args.helm.options(),
        policies: Some(Arc::new(capturing)),
        ..ScanOptions::default()
    };
    let report = engine::scan(&options).map_err(|error| error.to_string())?;
    let mut inputs: Vec<serde_json::Value> =
        std::mem::take(&mut *inputs.lock().unwrap_or_else(|e| e.into_inner()))
            .iter()
            .filter_map(|input| serde_json::from_str(&input.to_json_str().ok()?).ok())
            .collect();
    // The secrets of every file read, by value: a unit's input may quote any of its files.
    let mut secrets: Vec<String> = Vec::new();
    let files = crate::discover::discover(
        std::slice::from_ref(&args.path),
        &crate::discover::WalkOptions {
            jobs: 1,
            respect_ignore_files: true,
            exclude: Vec::new(),
        },
    )
    .map(|(candidates, _)| candidates)
    .unwrap_or_default();
    for candidate in files {
        let Ok(text) = crate::bounded::read_text(&candidate.path, DEFAULT_MAX_FILE_SIZE, "file")
        else {
            continue;
        };
        for range in secret_ranges(candidate.kind, &candidate.path, &text) {
            secrets.push(text[range].to_owned());
        }
    }
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets.dedup();
    secrets.retain(|secret| !secret.is_empty());
    for input in &mut inputs {
        shown_input(input, &secrets);
    }
    inputs.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    write_stdout(|out| {
        serde_json::to_writer_pretty(&mut *out, &inputs)?;
        writeln!(out)
    })?;
    for diagnostic in report.diagnostics.iter().filter(|d| !d.kind.is_routine()) {
        eprintln!(
            "{}: {}",
            report::printable(&diagnostic.path.display().to_string()),
            report::printable(&diagnostic.message)
        );
    }
    Ok(EXIT_OK)
}

/// An input as `inspect` shows it: secrets masked, control characters escaped.
fn shown_input(value: &mut serde_json::Value, secrets: &[String]) {
    match value {
        serde_json::Value::String(text) => {
            let mut shown = text.clone();
            for secret in secrets {
                if shown.contains(secret.as_str()) {
                    shown = shown.replace(secret.as_str(), &crate::secrets::mask(secret));
                }
            }
            *text = report::printable(&shown).into_owned();
        }
        serde_json::Value::Array(items) => {
            for item in items {
                shown_input(item, secrets);
            }
        }
        serde_json::Value::Object(fields) => {
            let entries = std::mem::take(fields);
            for (key, mut item) in entries {
                shown_input(&mut item, secrets);
                fields.insert(report::printable(&key).into_owned(), item);
            }
        }
        _ => {}
    }
}

/// `palisade render`: a chart's manifests as the scan sees them, each after a `# Source:` line;
/// templates that could not be rendered are said on standard error (exit 1).
fn render_chart(args: &RenderArgs) -> Result<u8, String> {
    let overlay = crate::kustomize::FILE_NAMES
        .iter()
        .any(|name| args.chart.join(name).is_file());
    let rendered = if args.chart.join("Chart.yaml").is_file() {
        engine::render_chart(&args.chart, &args.helm.options(), DEFAULT_MAX_FILE_SIZE)
    } else if overlay {
        engine::render_overlay(&args.chart, DEFAULT_MAX_FILE_SIZE)
    } else {
        return Err(format!(
            "{}: no Chart.yaml and no kustomization: neither a chart nor an overlay",
            args.chart.display()
        ));
    };
    let failed = !rendered.problems.is_empty();
    let shown = shown_manifests(&rendered.manifests);
    write_stdout(|out| out.write_all(shown.as_bytes()))?;
    for problem in &rendered.problems {
        eprintln!("{}", report::printable(problem));
    }
    Ok(if failed { EXIT_FINDINGS } else { EXIT_OK })
}

/// Rendered manifests as `render` prints them: every secret the rules find masked, as reports
/// mask them, and control characters escaped line by line, so that printing a chart never shows
/// a committed secret or lets a value drive the terminal.
fn shown_manifests(text: &str) -> String {
    let mut secrets = secret_ranges(
        crate::discover::FileKind::Yaml,
        Path::new("rendered.yaml"),
        text,
    );
    secrets.sort_by_key(|range| (range.start, std::cmp::Reverse(range.end)));
    let mut masked = String::with_capacity(text.len());
    let mut at = 0;
    for range in secrets {
        if range.start < at {
            continue;
        }
        masked.push_str(&text[at..range.start]);
        let mask = crate::secrets::mask(&text[range.clone()]);
        // A plain YAML value cannot start with `*` (an alias): quoted, the output stays YAML.
        let starts_value = text[..range.start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "[{,".contains(c));
        if mask.starts_with('*') && starts_value {
            masked.push('\'');
            masked.push_str(&mask);
            masked.push('\'');
        } else {
            masked.push_str(&mask);
        }
        at = range.end;
    }
    masked.push_str(&text[at..]);
    masked
        .split_inclusive('\n')
        .map(|line| {
            let (body, end) = match line.strip_suffix('\n') {
                Some(body) => (body, "\n"),
                None => (line, ""),
            };
            format!("{}{end}", report::printable(body))
        })
        .collect()
}

fn scan(args: &ScanArgs) -> Result<u8, String> {
    // An unknown framework fails before the scan, not after.
    for id in &args.compliance {
        known_framework(id)?;
    }
    // A baseline that cannot be read fails before the scan, not after.
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let changes = match (&args.staged, &args.changed_since) {
        (true, _) => Some(Changes::Staged),
        (false, Some(reference)) => Some(Changes::Since(reference.clone())),
        (false, None) => None,
    };
    let from_stdin = args.scope.paths.iter().any(|path| path.as_os_str() == "-");
    if from_stdin && (args.scope.paths.len() > 1 || changes.is_some()) {
        return Err(
            "`-` (standard input) is scanned alone, without other paths, --staged or --changed-since"
                .to_owned(),
        );
    }
    if args.stdin_filename.is_some() && !from_stdin {
        return Err("--stdin-filename names standard input: scan `-`".to_owned());
    }
    let selection = if from_stdin {
        Some(Selection::Memory(read_stdin(
            args.stdin_filename.as_deref(),
            args.scope.max_file_size,
        )?))
    } else {
        changes
            .map(|changes| git::select(&changes, &args.scope.paths, args.scope.max_file_size))
            .transpose()?
    };
    let (config, policies) = args.scope.config(args.stdin_filename.as_deref())?;
    let mut options = args.scope.options(&config, policies)?;
    let policies = options.policies.clone();
    let catalog = catalog_of(policies.as_ref());
    let frameworks: Vec<crate::compliance::Framework> = args
        .compliance
        .iter()
        .map(|id| with_user_rules(known_framework(id)?, options.policies.as_deref()))
        .collect::<Result<_, String>>()?;
    let show_progress = args.format == Format::Text && !args.quiet && io::stderr().is_terminal();
    let progress = show_progress.then(|| Arc::new(Progress::default()));
    options.progress = progress.clone();
    if let Some(Selection::Paths(paths)) = &selection {
        options.paths = paths.clone();
    }
    let mut report = with_progress(progress, || match &selection {
        Some(Selection::Memory(held)) => engine::scan_memory(&options, held),
        _ => engine::scan(&options),
    })
    .map_err(|error| error.to_string())?;
    report.configuration = config.path.as_deref().map(shown_path);
    report.compliance = frameworks
        .iter()
        .map(|framework| {
            crate::compliance::evaluate(
                framework,
                |rule| report.findings.iter().filter(|f| f.rule_id == rule).count(),
                |rule| catalog.get(rule).is_some_and(|r| options.rules.enables(r)),
            )
        })
        .collect();
    if let Some(baseline) = &baseline {
        baseline.apply(&mut report);
    }

    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let render_options = RenderOptions {
        color: match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => auto_color(to_terminal),
        },
        verbose: args.verbose,
        quiet: args.quiet,
        sarif_category: args.sarif_category.clone(),
        link_base: commit_link_base(),
    };
    let render =
        |out: &mut dyn Write| report::render(&report, catalog, args.format, &render_options, out);
    match &args.output {
        Some(path) => {
            let file =
                File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let mut out = BufWriter::new(file);
            render(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        None => write_stdout(render)?,
    }

    let fail_on = match (args.fail_on, &config.fail_on) {
        (Some(threshold), _) => threshold,
        // Checked when the configuration was read.
        (None, Some(name)) => Threshold::from_str(name, true).unwrap_or(DEFAULT_GATE),
        (None, None) => DEFAULT_GATE,
    };
    let failing = fail_on.severity().is_some_and(|gate| {
        report
            .findings
            .iter()
            .any(|finding| finding.severity >= gate)
    });
    let unchecked = (args.fail_on_diagnostics || config.fail_on_diagnostics)
        && report.diagnostics.iter().any(|d| !d.kind.is_routine());
    // The process ends next: freeing a report of many thousand findings one string at a time
    // would only delay the exit code.
    std::mem::forget(report);
    Ok(if failing || unchecked {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn write_baseline(args: &BaselineArgs) -> Result<u8, String> {
    let (config, policies) = args.scope.config(None)?;
    let report =
        engine::scan(&args.scope.options(&config, policies)?).map_err(|error| error.to_string())?;
    let cannot = |e: io::Error| format!("cannot write {}: {e}", args.output.display());
    let mut out = BufWriter::new(File::create(&args.output).map_err(cannot)?);
    baseline::write(&report, &mut out)
        .and_then(|()| out.flush())
        .map_err(cannot)?;
    eprintln!(
        "recorded {} finding{} in {}",
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        args.output.display()
    );
    Ok(EXIT_OK)
}

fn init(args: &InitArgs) -> Result<u8, String> {
    let path = args.directory.join(config::FILE_NAMES[0]);
    if path.exists() && !args.force {
        return Err(format!(
            "{} exists; use --force to replace it",
            path.display()
        ));
    }
    std::fs::write(&path, config::TEMPLATE)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(EXIT_OK)
}

fn explain(args: &ExplainArgs) -> Result<u8, String> {
    let policies = args.policies.load_here()?;
    let catalog = catalog_of(policies.as_ref());
    let rule = catalog
        .find(&args.rule)
        .ok_or_else(|| format!("unknown rule `{}` (see `palisade rules`)", args.rule))?;
    write_stdout(|out| explain_rule(rule, out))?;
    Ok(EXIT_OK)
}

/// Runs `scan`, showing on standard error how many files are checked once it has taken more
/// than a second, on one line rewritten in place, erased at the end. Only for a terminal and
/// the text format: machine formats and logs never see it.
fn with_progress<T>(progress: Option<Arc<Progress>>, scan: impl FnOnce() -> T) -> T {
    let Some(progress) = progress else {
        return scan();
    };
    let finished = std::sync::Mutex::new(false);
    let wake = std::sync::Condvar::new();
    std::thread::scope(|threads| {
        threads.spawn(|| {
            let mut shown = false;
            let mut wait = std::time::Duration::from_secs(1);
            let mut done = finished.lock().unwrap_or_else(|e| e.into_inner());
            while !*done {
                let (guard, _) = wake
                    .wait_timeout(done, wait)
                    .unwrap_or_else(|e| e.into_inner());
                done = guard;
                if *done {
                    break;
                }
                let total = progress.total.load(std::sync::atomic::Ordering::Relaxed);
                let checked = progress.done.load(std::sync::atomic::Ordering::Relaxed);
                let line = if total == 0 {
                    "palisade: looking for files…".to_owned()
                } else {
                    format!("palisade: {checked} of {total} files checked")
                };
                eprint!("\r\x1b[2K{line}");
                shown = true;
                wait = std::time::Duration::from_millis(100);
            }
            if shown {
                eprint!("\r\x1b[2K");
            }
        });
        let result = scan();
        *finished.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        result
    })
}

/// Standard input as one file named `name` (its name decides its kind; `stdin` by default),
/// read up to the size limit.
fn read_stdin(name: Option<&Path>, max_file_size: u64) -> Result<MemoryFiles, String> {
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(max_file_size + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    let content = if bytes.len() as u64 > max_file_size {
        Content::TooLarge(bytes.len() as u64)
    } else {
        Content::Bytes(bytes)
    };
    Ok(MemoryFiles::single(
        name.unwrap_or(Path::new("stdin")),
        content,
    ))
}

/// Where the scanned commit's files are browsed, when a CI says (GitHub Actions, GitLab CI), for
/// links from the Markdown summary.
fn commit_link_base() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(server), Some(repository), Some(sha)) = (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_SHA"),
    ) {
        return Some(format!("{server}/{repository}/blob/{sha}"));
    }
    if let (Some(project), Some(sha)) = (var("CI_PROJECT_URL"), var("CI_COMMIT_SHA")) {
        return Some(format!("{project}/-/blob/{sha}"));
    }
    None
}

/// Whether `--color auto` colours: `NO_COLOR` (set, not empty) turns colour off; otherwise
/// `CLICOLOR_FORCE` or `FORCE_COLOR` (set, not empty, not `0`) turn it on even when the output is
/// not a terminal (CI logs that render ANSI); otherwise a terminal is coloured.
fn auto_color(to_terminal: bool) -> bool {
    let value = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if value("NO_COLOR").is_some() {
        return false;
    }
    let forced = |name: &str| value(name).is_some_and(|v| v != "0");
    forced("CLICOLOR_FORCE") || forced("FORCE_COLOR") || to_terminal
}

/// A path relative to the current directory when it is under it, as a user would type it.
fn shown_path(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    cwd.and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Writes to standard output; a closed pipe (`palisade rules | head`) is not an error.
fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {error}"))
        }
        _ => Ok(()),
    }
}

/// `palisade rules` in each format. The Markdown table is the README's rule list.
pub fn list_detectors(format: DetectorsFormat, out: &mut dyn Write) -> io::Result<()> {
    let detectors = &Detectors::builtin().list;
    match format {
        DetectorsFormat::Text => {
            let width = detectors.iter().map(|d| d.id.len()).max().unwrap_or(2);
            for detector in detectors {
                writeln!(
                    out,
                    "{:<width$}  {:<8}  {}",
                    detector.id,
                    detector.severity.as_str(),
                    detector.title
                )?;
            }
            writeln!(out, "\n{} detectors", detectors.len())?;
        }
        DetectorsFormat::Json => {
            let list: Vec<serde_json::Value> = detectors
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id,
                        "title": d.title,
                        "severity": d.severity,
                        "keywords": d.keywords,
                        "regex": d.pattern,
                        "note": d.note,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        DetectorsFormat::Patterns => {
            for detector in detectors {
                writeln!(out, "{}", detector.pattern)?;
            }
        }
    }
    Ok(())
}

/// The framework called `id`, or an error listing the known ones.
/// A framework with the controls users' rules declare they check.
fn with_user_rules(
    framework: &crate::compliance::Framework,
    policies: Option<&Policies>,
) -> Result<crate::compliance::Framework, String> {
    let checks = policies.into_iter().flat_map(|policies| {
        policies.rules().iter().flat_map(|rule| {
            rule.controls
                .iter()
                .map(move |control| (rule.id, control.as_str()))
        })
    });
    Ok(framework.with_rules(checks))
}

fn known_framework(id: &str) -> Result<&'static crate::compliance::Framework, String> {
    crate::compliance::framework(id).ok_or_else(|| {
        let known: Vec<&str> = crate::compliance::frameworks()
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        format!("unknown framework `{id}` (known: {})", known.join(", "))
    })
}

/// `palisade compliance [FRAMEWORK]`: the frameworks, or one framework's controls, each with
/// the rules that check it, or "not checked" plainly.
fn list_compliance(args: &ComplianceArgs) -> Result<u8, String> {
    use crate::compliance;
    let policies = args.policies.load_here()?;
    let chosen = match &args.framework {
        Some(id) => vec![known_framework(id)?],
        None => compliance::frameworks().iter().collect(),
    };
    let chosen = chosen
        .into_iter()
        .map(|framework| with_user_rules(framework, policies.as_deref()))
        .collect::<Result<Vec<_>, String>>()?;
    write_stdout(|out| {
        if args.format == ComplianceFormat::Json {
            serde_json::to_writer_pretty(&mut *out, &chosen)?;
            return writeln!(out);
        }
        let id_width = chosen.iter().map(|f| f.id.len()).max().unwrap_or(0);
        for framework in &chosen {
            let checked = framework
                .controls
                .iter()
                .filter(|c| !c.rules.is_empty())
                .count();
            writeln!(
                out,
                "{:<id_width$}  {} ({}): {} controls, {checked} checked by rules",
                framework.id,
                framework.title,
                framework.version,
                framework.controls.len()
            )?;
            if args.framework.is_none() {
                continue;
            }
            let width = framework
                .controls
                .iter()
                .map(|c| c.id.len())
                .max()
                .unwrap_or(2);
            for control in &framework.controls {
                let rules = if control.rules.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", control.rules.join(", "))
                };
                writeln!(
                    out,
                    "  {:<width$}  {:<14} {}{rules}",
                    control.id,
                    control.checked(),
                    control.title
                )?;
            }
        }
        Ok(())
    })
    .map(|()| EXIT_OK)
}

pub fn list_rules(catalog: &Catalog, format: RulesFormat, out: &mut dyn Write) -> io::Result<()> {
    let rules = catalog.rules();
    match format {
        RulesFormat::Text => {
            let name_width = rules.iter().map(|r| r.name.len()).max().unwrap_or(4);
            for rule in rules {
                writeln!(
                    out,
                    "{:<7} {:<8} {:<20} {:<name_width$}  {}",
                    rule.id, rule.severity, rule.policy, rule.name, rule.title
                )?;
            }
        }
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rules)?;
            writeln!(out)?;
        }
        RulesFormat::Markdown => {
            writeln!(
                out,
                "| ID | Name | Severity | Policy | Applies to | What it catches |"
            )?;
            writeln!(
                out,
                "|----|------|----------|--------|------------|-----------------|"
            )?;
            for rule in rules {
                let targets: Vec<&str> = rule.targets.iter().map(|t| t.as_str()).collect();
                writeln!(
                    out,
                    "| {} | `{}` | {} | {} | {} | {} |",
                    rule.id,
                    rule.name,
                    rule.severity,
                    rule.policy,
                    targets.join(", "),
                    rule.title.replace('|', "\\|")
                )?;
            }
        }
    }
    Ok(())
}

/// `palisade explain`: everything the catalog says about one rule.
pub fn explain_rule(rule: &Rule, out: &mut dyn Write) -> io::Result<()> {
    let targets: Vec<&str> = rule.targets.iter().map(|t| t.as_str()).collect();
    writeln!(out, "{} {}: {}", rule.id, rule.name, rule.title)?;
    writeln!(out)?;
    writeln!(out, "Severity:   {}", rule.severity)?;
    writeln!(out, "Policy:     {}", rule.policy)?;
    writeln!(out, "Applies to: {}", targets.join(", "))?;
    if !rule.cwe.is_empty() {
        writeln!(out, "CWE:        {}", rule.cwe.join(", "))?;
    }
    writeln!(out, "\n{}\n", rule.description.trim())?;
    writeln!(out, "How to fix:\n{}\n", indent(rule.remediation.trim()))?;
    if let Some(examples) = &rule.examples {
        writeln!(out, "Flagged:\n{}\n", indent(examples.bad.trim_end()))?;
        writeln!(out, "Passes:\n{}", indent(examples.good.trim_end()))?;
    }
    if let Some(source) = &rule.source {
        writeln!(out, "Defined by: {source}")?;
    }
    if !rule.references.is_empty() {
        writeln!(out, "\nReferences:")?;
        for reference in &rule.references {
            writeln!(out, "  {reference}")?;
        }
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
