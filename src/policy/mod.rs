//! Users' own rules, written in Rego (OPA's language) and evaluated in process by `regorus`: no
//! OPA binary, no network, no environment.
//!
//! A policy is a Rego package with a `metadata` object and a `deny` set. The metadata makes it a
//! rule of the catalog like any other (id, name, title, severity, policy, description,
//! remediation, and optionally the formats it reads and the compliance controls it checks), so
//! selectors, severity overrides, suppressions, baselines and every report treat it as a
//! built-in rule. `deny` holds messages, or objects `{"msg": …, "at": node, "path": [...]}` that
//! point at a node of the input (see [`input`]) and, by keys and indexes, at what is under it:
//! palisade turns the node's place (`__line`, `__column`) into the finding's.
//!
//! Policies are evaluated once per unit, in the scan's workers: each worker keeps its own copy
//! of the compiled policies, and a policy runs only on the formats it reads. A policy that
//! fails at run time (an error, a time limit) becomes a diagnostic of the unit; one that does not
//! load stops the scan before it starts.

pub mod input;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regorus::Value;
use serde::Deserialize;

use crate::catalog::{Catalog, Policy, Precision, Rule, Severity};
use crate::discover::Target;
use crate::printable::printable;

/// How long one policy may take on one unit before it is stopped.
const TIME_LIMIT: Duration = Duration::from_secs(2);

/// Policy files larger than this are refused (real policies are a few kilobytes).
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// At most this many policy files are read.
const MAX_POLICY_FILES: usize = 10_000;

/// The formats a policy may read.
const TARGETS: &[Target] = &[
    Target::Dockerfile,
    Target::Compose,
    Target::Kubernetes,
    Target::Terraform,
    Target::GithubActions,
    Target::GitlabCi,
    Target::CloudFormation,
];

/// How a worker evaluates policies: regorus's virtual machine runs the policies compiled once
/// (about three times as fast as its interpreter); the interpreter runs what the compiler does
/// not take, and policies that call `numbers.range`, which only the interpreter bounds.
enum Evaluator {
    Machine(Box<regorus::rvm::RegoVM>),
    Interpreter(Box<regorus::Engine>),
}

impl Evaluator {
    fn set_input(&mut self, input: Value) {
        match self {
            Evaluator::Machine(machine) => machine.set_input(input),
            Evaluator::Interpreter(engine) => engine.set_input(input),
        }
    }

    /// The value of a user rule's `deny` for the input set.
    fn deny(&mut self, rule: &UserRule) -> anyhow::Result<Value> {
        match self {
            Evaluator::Machine(machine) => {
                use regorus::rvm::vm::ExecutionMode;
                // Suspendable runs are slower (the twenty benchmark policies all run so took
                // 0.97 s against 0.92 s on one core), so only a rule that calls one of
                // `HOST_CALLS` runs so.
                machine.set_execution_mode(match rule.suspends {
                    true => ExecutionMode::Suspendable,
                    false => ExecutionMode::RunToCompletion,
                });
                let started = std::time::Instant::now();
                let mut result = machine.execute_entry_point_by_index(rule.entry_point);
                while let (Ok(_), Some(call)) = (&result, machine.get_host_await_identifier()) {
                    // The machine's clock stops while it waits: the calls count here.
                    if started.elapsed() > TIME_LIMIT {
                        anyhow::bail!("the time limit was exceeded");
                    }
                    let answer = host_call(call, machine.get_host_await_argument())?;
                    result = machine.resume(Some(answer));
                }
                result.map_err(|error| anyhow::anyhow!("{error}"))
            }
            Evaluator::Interpreter(engine) => engine.eval_rule(rule.deny.clone()),
        }
    }
}

/// The time limit of one evaluation.
fn timer() -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig {
        limit: TIME_LIMIT,
        check_interval: NonZeroU32::new(64).expect("not zero"),
    }
}

/// The policies of a scan, loaded and checked.
pub struct Policies {
    /// Tells one set of policies from another for the evaluator each worker keeps.
    id: u64,
    /// Every module loaded: evaluates `metadata`, and policies the machine does not run (each
    /// worker a copy of its own).
    engine: Arc<Mutex<regorus::Engine>>,
    /// The `deny` rules compiled for the machine, when the compiler takes them all.
    program: Option<Arc<regorus::rvm::Program>>,
    rules: Vec<UserRule>,
    /// The built-in catalog with every rule loaded (also those [`Policies::only`] leaves out).
    catalog: Arc<Catalog>,
    /// Where the inputs of every unit go instead, for `palisade inspect`.
    capture: Option<Arc<Mutex<Vec<Value>>>>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field(
                "rules",
                &self.rules.iter().map(|r| r.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// One user rule: its catalog entry and where its `deny` is.
#[derive(Debug, Clone)]
pub struct UserRule {
    pub id: &'static str,
    pub rule: Rule,
    /// The Rego path of its `deny` (`data.acme.team_label.deny`).
    deny: String,
    /// Its `deny` among the compiled program's entry points.
    entry_point: usize,
    /// The parts of the input it reads.
    reads: input::Parts,
    /// Compliance controls it checks, as `framework/control`.
    pub controls: Vec<String>,
    /// How many units it ran out of time on; past [`MAX_TIMEOUTS`] it stops for the scan.
    timeouts: Arc<AtomicUsize>,
    /// Whether it calls one of [`HOST_CALLS`], so that the machine runs it suspendable.
    suspends: bool,
}

/// A policy that runs out of time on this many units is not run on the rest of the scan: a
/// mistake (or a hostile policy) costs seconds, not hours.
const MAX_TIMEOUTS: usize = 3;

/// A policy's `metadata`, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Metadata {
    id: String,
    name: String,
    title: String,
    severity: Severity,
    policy: Policy,
    description: String,
    remediation: String,
    #[serde(default)]
    targets: Vec<Target>,
    #[serde(default)]
    precision: Precision,
    #[serde(default)]
    cwe: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    controls: Vec<String>,
}

thread_local! {
    /// Policies that failed on this worker's unit, reported as the unit's diagnostics.
    static FAILURES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// What this worker evaluates with, for the policies of the id beside it.
    static EVALUATOR: RefCell<Option<(u64, Evaluator)>> = const { RefCell::new(None) };
}

/// The failures of policies on this worker since the last call: the engine asks after each unit.
pub fn take_failures() -> Vec<String> {
    FAILURES.with(|failures| std::mem::take(&mut *failures.borrow_mut()))
}

/// A new id for a set of policies (0 is the inspector's, which evaluates nothing).
fn next_id() -> u64 {
    static IDS: AtomicU64 = AtomicU64::new(1);
    IDS.fetch_add(1, Ordering::Relaxed)
}

/// Interned rule ids: hits name their rule with a `&'static str`.
fn intern(id: &str) -> &'static str {
    static IDS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut ids = IDS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = ids.iter().find(|known| **known == id) {
        return known;
    }
    let leaked: &'static str = Box::leak(id.to_owned().into_boxed_str());
    ids.push(leaked);
    leaked
}

impl Policies {
    /// Loads every `.rego` file under `paths` (files or directories; `*_test.rego` files are
    /// OPA unit tests and left out). An error names the file, and the line for a syntax error.
    pub fn load(paths: &[PathBuf]) -> Result<Policies, String> {
        let mut files = Vec::new();
        for path in paths {
            rego_files(path, &mut files)?;
        }
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(timer());
        engine.set_strict_builtin_errors(false);
        bound_ranges(&mut engine)?;
        // Packages, each with the files that declare it and the parts of the input its text
        // names.
        let mut packages: BTreeMap<String, (Vec<String>, input::Parts)> = BTreeMap::new();
        for file in &files {
            let label = file.display().to_string();
            let text = crate::bounded::read_text(file, MAX_POLICY_BYTES, "policy")?;
            refuse_wide_formats(&label, &text)?;
            let package = add_policy(&mut engine, &label, &text)?;
            refuse_invalid_patterns(&label, &text)?;
            let (labels, named) = packages.entry(package).or_default();
            labels.push(label);
            *named = named.or(input::Parts {
                documents: text.contains("documents"),
                model: text.contains("model"),
            });
        }
        let mut rules = Vec::new();
        // What packages of helpers name, which any policy may call.
        let mut helpers = input::Parts::default();
        for (package, (labels, named)) in &packages {
            let declares = |name: &str| {
                labels
                    .iter()
                    .find(|label| {
                        engine
                            .has_declared_rule_rooted_at(label, name)
                            .unwrap_or(false)
                    })
                    .cloned()
            };
            let (metadata_file, deny_file) = (declares("metadata"), declares("deny"));
            let source = match (metadata_file, deny_file) {
                (None, None) => {
                    helpers = helpers.or(*named);
                    continue;
                }
                (Some(file), Some(_)) => file,
                (None, Some(file)) => {
                    return Err(format!(
                        "{file}: `{package}` has `deny` but no `metadata` (id, name, title, severity, policy, description, remediation)"
                    ));
                }
                (Some(file), None) => {
                    return Err(format!("{file}: `{package}` has `metadata` but no `deny`"));
                }
            };
            if package.contains('"') || package.contains('[') {
                return Err(format!(
                    "{source}: name the package with plain words (`package acme.team_label`), not `{package}`"
                ));
            }
            let value = engine
                .eval_rule(format!("{package}.metadata"))
                .map_err(|error| {
                    format!(
                        "{source}: `{package}.metadata`: {}",
                        one_line(&error.to_string())
                    )
                })?;
            let mut rule = user_rule(package, &source, &value)?;
            rule.reads = *named;
            rules.push(rule);
        }
        // The input is only built as far as some policy that runs on a unit reads it.
        for rule in &mut rules {
            rule.reads = rule.reads.or(helpers);
        }
        // Refuses an id or a name taken by a built-in rule or by another policy.
        let catalog =
            Catalog::builtin().with(rules.iter().map(|rule| rule.rule.clone()).collect())?;
        let program = compile(&mut engine, &mut rules)?;
        Ok(Policies {
            id: next_id(),
            engine: Arc::new(Mutex::new(engine)),
            program,
            rules,
            catalog: Arc::new(catalog),
            capture: None,
        })
    }

    pub fn rules(&self) -> &[UserRule] {
        &self.rules
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.capture.is_none()
    }

    /// No policy, but the input of every unit of every format kept, as a policy would see it:
    /// what `palisade inspect` prints.
    pub fn capturing() -> (Policies, Arc<Mutex<Vec<Value>>>) {
        let inputs = Arc::new(Mutex::new(Vec::new()));
        let policies = Policies {
            id: 0,
            engine: Arc::default(),
            program: None,
            rules: Vec::new(),
            catalog: Arc::new(Catalog::builtin().clone()),
            capture: Some(Arc::clone(&inputs)),
        };
        (policies, inputs)
    }

    /// The formats some rule reads.
    pub fn targets(&self) -> Vec<Target> {
        TARGETS
            .iter()
            .copied()
            .filter(|target| self.reads(*target))
            .collect()
    }

    /// The built-in catalog with these rules.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The same policies, only the rules `keep` accepts.
    pub fn only(&self, keep: impl Fn(&Rule) -> bool) -> Policies {
        Policies {
            id: next_id(),
            engine: Arc::clone(&self.engine),
            program: self.program.clone(),
            rules: self
                .rules
                .iter()
                .filter(|rule| keep(&rule.rule))
                .cloned()
                .collect(),
            catalog: Arc::clone(&self.catalog),
            capture: self.capture.clone(),
        }
    }

    /// A worker's own evaluator.
    fn evaluator(&self) -> Evaluator {
        match &self.program {
            Some(program) => {
                let mut machine = regorus::rvm::RegoVM::new();
                machine.load_program(Arc::clone(program));
                machine.set_execution_timer_config(Some(timer()));
                // The time limit bounds a run. The machine's own default, 25,000 instructions,
                // stops a plain policy on a bundle of a few thousand documents.
                machine.set_max_instructions(usize::MAX);
                Evaluator::Machine(Box::new(machine))
            }
            None => Evaluator::Interpreter(Box::new(
                self.engine
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone(),
            )),
        }
    }

    /// Whether a rule reads files of `target`.
    pub fn reads(&self, target: Target) -> bool {
        (self.capture.is_some() && TARGETS.contains(&target))
            || self
                .rules
                .iter()
                .any(|rule| rule.rule.targets.contains(&target))
    }

    /// Evaluates the rules that read `target` on one unit's input. Each hit is placed by the
    /// node its result points at: `place` gives the file of the unit and the span there, `None`
    /// when the node is not found (the hit is then at the start of the unit's first file).
    pub fn evaluate(
        &self,
        target: Target,
        input: impl FnOnce(input::Parts) -> Value,
        place: &Place<'_>,
        denials: &mut Vec<Denial>,
    ) {
        if let Some(capture) = &self.capture {
            let input = input(input::Parts::ALL);
            capture
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(input);
            return;
        }
        let rules: Vec<&UserRule> = self
            .rules
            .iter()
            .filter(|rule| rule.rule.targets.contains(&target))
            .collect();
        if rules.is_empty() {
            return;
        }
        let parts = rules
            .iter()
            .fold(input::Parts::default(), |parts, rule| parts.or(rule.reads));
        let input = input(parts);
        EVALUATOR.with(|slot| {
            let mut slot = slot.borrow_mut();
            if slot.as_ref().is_none_or(|(id, _)| *id != self.id) {
                *slot = Some((self.id, self.evaluator()));
            }
            let (_, evaluator) = slot.as_mut().expect("set above");
            evaluator.set_input(input);
            for rule in rules {
                if rule.timeouts.load(Ordering::Relaxed) >= MAX_TIMEOUTS {
                    continue;
                }
                match evaluator.deny(rule) {
                    Ok(results) => {
                        for result in results_of(&results) {
                            match denial(rule, result, place) {
                                Ok(denial) => denials.push(denial),
                                Err(message) => fail(rule, &message),
                            }
                        }
                    }
                    Err(error) => {
                        let mut message = one_line(&error.to_string());
                        if message.contains("time limit") {
                            let timeouts = rule.timeouts.fetch_add(1, Ordering::Relaxed) + 1;
                            message = format!("it ran out of time ({} s)", TIME_LIMIT.as_secs());
                            if timeouts == MAX_TIMEOUTS {
                                message.push_str(&format!(
                                    "; after {MAX_TIMEOUTS} such units it is not run on the rest of the scan"
                                ));
                            }
                        }
                        fail(rule, &message);
                    }
                }
            }
        });
    }
}

/// The `deny` rules of every policy compiled for the virtual machine; `None` when the compiler
/// does not take them, or when they call `numbers.range`, which the machine does not bound. A
/// call of a function that does not exist (or that palisade leaves out: `http.send`,
/// `opa.runtime`) is an error of the policy.
fn compile(
    engine: &mut regorus::Engine,
    rules: &mut [UserRule],
) -> Result<Option<Arc<regorus::rvm::Program>>, String> {
    let Some(first) = rules.first() else {
        return Ok(None);
    };
    let first: regorus::Rc<str> = first.deny.as_str().into();
    let Ok(compiled) = engine.compile_with_entrypoint(&first) else {
        return Ok(None);
    };
    let entry_points: Vec<&str> = rules.iter().map(|rule| rule.deny.as_str()).collect();
    use regorus::languages::rego::compiler::Compiler;
    let program =
        match Compiler::compile_from_policy_with_host_await(&compiled, &entry_points, HOST_CALLS) {
            Ok(program) => program,
            Err(error) => {
                let error = error.to_string();
                if error.contains("Unknown function") {
                    return Err(one_line(&error));
                }
                return Ok(None);
            }
        };
    let unbounded = program
        .builtin_info_table
        .iter()
        .any(|builtin| builtin.name.starts_with("numbers.range"));
    if unbounded {
        return Ok(None);
    }
    for rule in rules.iter_mut() {
        match program.entry_points.get_index_of(rule.deny.as_str()) {
            Some(index) => rule.entry_point = index,
            None => return Ok(None),
        }
        // The compiler takes only what an entry point reaches: compiled alone, a rule shows
        // whether it calls one of `HOST_CALLS`, however many functions and packages away.
        rule.suspends = program.has_host_await()
            && Compiler::compile_from_policy_with_host_await(&compiled, &[&rule.deny], HOST_CALLS)
                .map_or(true, |alone| alone.has_host_await());
    }
    Ok(Some(program))
}

/// The built-ins palisade answers for the machine, with their arity. regorus's `regex.match`
/// clones its cached expression on every call, and a clone starts with empty matching caches:
/// about 3 µs a call. Answered here, from expressions each worker compiles once, about 1 µs.
const HOST_CALLS: &[(&str, usize)] = &[("regex.match", 2)];

/// The answer to a call of one of [`HOST_CALLS`]: what the built-in returns, `Undefined` where it
/// fails (as Rego evaluates a built-in's error), an error where regorus's would stop the
/// evaluation (a pattern over the size limit).
fn host_call(call: &Value, arguments: Option<&Value>) -> anyhow::Result<Value> {
    let (Value::String(call), Some(Value::Array(arguments))) = (call, arguments) else {
        anyhow::bail!("the machine stopped for an unknown call");
    };
    match (call.as_ref(), arguments.as_slice()) {
        ("regex.match", [Value::String(pattern), Value::String(text)]) => {
            Ok(match_pattern(pattern, text)?.map_or(Value::Undefined, Value::Bool))
        }
        ("regex.match", _) => Ok(Value::Undefined),
        (other, _) => anyhow::bail!("the machine stopped for an unknown call {other}"),
    }
}

/// Whether `pattern` matches `text`; `None` when the pattern does not compile. Each thread keeps
/// the expressions it compiled, a bounded number: patterns may be computed from the input, and
/// each expression's matching caches may grow to a few megabytes on hostile patterns.
fn match_pattern(pattern: &str, text: &str) -> anyhow::Result<Option<bool>> {
    const MAX_PATTERNS: usize = 64;
    thread_local! {
        static PATTERNS: RefCell<std::collections::HashMap<Box<str>, Option<regex::Regex>>> =
            RefCell::default();
    }
    PATTERNS.with(|patterns| {
        let mut patterns = patterns.borrow_mut();
        if let Some(compiled) = patterns.get(pattern) {
            return Ok(compiled.as_ref().map(|regex| regex.is_match(text)));
        }
        let compiled = match compile_pattern(pattern) {
            Ok(regex) => Some(regex),
            Err(regex::Error::CompiledTooBig(_)) => anyhow::bail!(
                "the pattern of regex.match is larger than the limit of {} KiB once compiled",
                REGEX_SIZE_LIMIT / 1024
            ),
            Err(_) => None,
        };
        let matched = compiled.as_ref().map(|regex| regex.is_match(text));
        if patterns.len() >= MAX_PATTERNS {
            patterns.clear();
        }
        patterns.insert(pattern.into(), compiled);
        Ok(matched)
    })
}

/// Refuses a format with a width or precision of five digits or more (`%99999999d`): regorus
/// makes the padding whole, and a policy could otherwise ask for gigabytes in one call.
fn refuse_wide_formats(label: &str, text: &str) -> Result<(), String> {
    static WIDE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let wide = WIDE.get_or_init(|| {
        regex::Regex::new(r"%[-+# 0]*([0-9]{5,}|[0-9]*\.[0-9]{5,})").expect("a valid expression")
    });
    match wide.find(text) {
        Some(found) => {
            let line = text[..found.start()].matches('\n').count() + 1;
            Err(format!(
                "{label}:{line}: a format width or precision of five digits or more (`{}`) is refused",
                found.as_str()
            ))
        }
        None => Ok(()),
    }
}

/// The size limit regorus compiles `regex.*` patterns with.
const REGEX_SIZE_LIMIT: usize = 100 * 1024;

/// A policy's pattern compiled as regorus compiles it.
fn compile_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// Refuses a literal pattern of a `regex.*` call that does not compile. Rego evaluates a
/// built-in's error as undefined, so `regex.match("[a-", x)` would never hold and the policy
/// would miss silently on every file; the author learns it when the policies load instead.
/// Patterns computed at run time still fall to undefined, as in OPA.
fn refuse_invalid_patterns(label: &str, text: &str) -> Result<(), String> {
    use regorus::unstable::{Lexer, Source, TokenKind};
    // The argument that holds the pattern, by function.
    let pattern_argument = |function: &str| match function {
        "match" | "find_n" | "split" | "find_all_string_submatch_n" => Some(0),
        "replace" => Some(1),
        _ => None,
    };
    let Ok(source) = Source::from_contents(label.to_owned(), text.to_owned()) else {
        return Ok(());
    };
    let mut lexer = Lexer::new(&source);
    let mut tokens = Vec::new();
    while let Ok(token) = lexer.next_token() {
        if token.0 == TokenKind::Eof {
            break;
        }
        tokens.push(token);
    }
    for (at, window) in tokens.windows(4).enumerate() {
        let [namespace, dot, function, open] = window else {
            continue;
        };
        let is = |token: &regorus::unstable::Token, kind: TokenKind, text: &str| {
            token.0 == kind && token.1.text() == text
        };
        if !(is(namespace, TokenKind::Ident, "regex")
            && is(dot, TokenKind::Symbol, ".")
            && function.0 == TokenKind::Ident
            && is(open, TokenKind::Symbol, "("))
            || (at > 0 && is(&tokens[at - 1], TokenKind::Symbol, "."))
        {
            continue;
        }
        let Some(argument) = pattern_argument(function.1.text()) else {
            continue;
        };
        let Some(literal) = nth_argument(&tokens[at + 4..], argument) else {
            continue;
        };
        let pattern = match literal.0 {
            TokenKind::RawString => literal.1.text().to_owned(),
            TokenKind::String => {
                match serde_json::from_str::<String>(&format!("\"{}\"", literal.1.text())) {
                    Ok(pattern) => pattern,
                    Err(_) => continue,
                }
            }
            _ => continue,
        };
        if let Err(error) = compile_pattern(&pattern) {
            let reason = match &error {
                regex::Error::Syntax(text) => text
                    .lines()
                    .find_map(|line| line.strip_prefix("error: "))
                    .unwrap_or("not a valid pattern")
                    .to_owned(),
                other => first_line(&other.to_string()),
            };
            // The literal's span starts after its opening quote.
            return Err(format!(
                "{label}:{}:{}: the pattern of regex.{} does not compile: {}",
                literal.1.line,
                literal.1.col.saturating_sub(1).max(1),
                function.1.text(),
                printable(&reason)
            ));
        }
    }
    Ok(())
}

/// The token of a call's `index`th argument when that argument is one literal token, given the
/// tokens after the call's opening parenthesis.
fn nth_argument(
    tokens: &[regorus::unstable::Token],
    index: usize,
) -> Option<&regorus::unstable::Token> {
    use regorus::unstable::TokenKind;
    let mut depth = 0usize;
    let mut argument = 0;
    let mut start = 0;
    for (at, token) in tokens.iter().enumerate() {
        if token.0 == TokenKind::Symbol {
            match token.1.text() {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" if depth > 0 => depth -= 1,
                "," | ")" if depth == 0 => {
                    if argument == index {
                        return (at == start + 1).then(|| &tokens[start]);
                    }
                    if token.1.text() == ")" {
                        return None;
                    }
                    argument += 1;
                    start = at + 1;
                }
                _ => {}
            }
        }
    }
    None
}

/// The most elements `numbers.range` may make.
const MAX_RANGE: i64 = 1_000_000;

/// `numbers.range` and `numbers.range_step` within [`MAX_RANGE`] elements: regorus reserves
/// the whole range at once, and a range past the machine's memory would abort the process
/// before the time limit could stop it.
fn bound_ranges(engine: &mut regorus::Engine) -> Result<(), String> {
    fn range(args: Vec<regorus::Value>) -> anyhow::Result<regorus::Value> {
        let number = |index: usize| -> anyhow::Result<i64> {
            args.get(index)
                .and_then(|value| value.as_i64().ok())
                .ok_or_else(|| anyhow::anyhow!("numbers.range: operands must be integers"))
        };
        let (from, to) = (number(0)?, number(1)?);
        let step = if args.len() > 2 { number(2)? } else { 1 };
        if step <= 0 {
            anyhow::bail!("numbers.range_step: the step must be positive");
        }
        let count =
            (i128::from(to) - i128::from(from)).unsigned_abs() / step.unsigned_abs() as u128 + 1;
        if count > MAX_RANGE as u128 {
            anyhow::bail!("numbers.range: more than {MAX_RANGE} elements");
        }
        let direction = if to >= from { step } else { -step };
        let values: Vec<regorus::Value> = (0..count as i64)
            .map(|index| regorus::Value::from(from + index * direction))
            .collect();
        Ok(regorus::Value::from(values))
    }
    engine
        .add_extension("numbers.range".to_owned(), 2, Box::new(range))
        .and_then(|()| engine.add_extension("numbers.range_step".to_owned(), 3, Box::new(range)))
        .map_err(|error| error.to_string())
}

fn fail(rule: &UserRule, message: &str) {
    let source = rule.rule.source.as_deref().unwrap_or_default();
    let message = format!("policy {} ({source}) failed: {message}", rule.id);
    FAILURES.with(|failures| failures.borrow_mut().push(message));
}

/// The first line of a message that says something.
fn first_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("no message")
        .to_owned()
}

/// The elements of `deny`: a set, an array, or undefined (nothing denied).
fn results_of(results: &regorus::Value) -> Vec<&regorus::Value> {
    match results {
        regorus::Value::Set(set) => set.iter().collect(),
        regorus::Value::Array(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// Finds the node a pointer means: its file in the unit, and its span there.
pub type Place<'p> = dyn Fn(&Pointer) -> Option<(usize, Range<usize>)> + 'p;

/// Where a result points: the place of the node it returned (`__line`, `__column`, `__file`),
/// and the path from that node it names (`key`, or `path`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    /// The file of a Terraform module the node is in.
    pub file: Option<String>,
    pub line: usize,
    pub column: usize,
    pub path: Vec<Step>,
}

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// What a policy reports about a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub rule_id: &'static str,
    /// Which file of the unit (a Terraform module's); 0 for a file on its own.
    pub file: usize,
    pub span: Range<usize>,
    pub message: String,
}

/// The denial of one result: a message, or `{"msg", "at", "key", "path"}`. Values are matched by
/// their variant: regorus's accessors make an error (with a backtrace) for every mismatch.
fn denial(rule: &UserRule, result: &Value, place: &Place<'_>) -> Result<Denial, String> {
    let text = |value: Option<&Value>| match value {
        Some(Value::String(text)) => Some(text.to_string()),
        _ => None,
    };
    // The names a result is read by, made once: a scan may read thousands of results.
    static NAMES: std::sync::LazyLock<BTreeMap<&'static str, Value>> =
        std::sync::LazyLock::new(|| {
            [
                "msg",
                "key",
                "path",
                "at",
                input::FILE,
                input::LINE,
                input::COLUMN,
            ]
            .into_iter()
            .map(|name| (name, Value::from(name)))
            .collect()
        });
    let field = |object: &Value, name: &str| match (object, NAMES.get(name)) {
        (Value::Object(fields), Some(name)) => fields.get(name).cloned(),
        _ => None,
    };
    let (message, at, path) = match result {
        Value::String(message) => (message.to_string(), None, Vec::new()),
        Value::Object(_) => {
            let message = text(field(result, "msg").as_ref())
                .ok_or("a result object needs a `msg` string")?;
            let mut path = Vec::new();
            if let Some(key) = text(field(result, "key").as_ref()) {
                path.push(Step::Key(key));
            }
            if let Some(Value::Array(steps)) = field(result, "path") {
                for step in steps.iter() {
                    path.push(match step {
                        Value::String(key) => Step::Key(key.to_string()),
                        Value::Number(number) => match number.as_u64() {
                            Some(index) => Step::Index(index as usize),
                            None => return Err("a `path` step is a key or an index".to_owned()),
                        },
                        _ => return Err("a `path` step is a key or an index".to_owned()),
                    });
                }
            }
            (message, field(result, "at"), path)
        }
        _ => return Err("a result must be a message or an object with `msg`".to_owned()),
    };
    let pointer = at.and_then(|node| {
        let number = |name: &str| match field(&node, name) {
            Some(Value::Number(number)) => number.as_u64().map(|n| n as usize),
            _ => None,
        };
        Some(Pointer {
            file: text(field(&node, input::FILE).as_ref()),
            line: number(input::LINE)?,
            column: number(input::COLUMN)?,
            path,
        })
    });
    let (file, span) = pointer.as_ref().and_then(place).unwrap_or((0, 0..0));
    Ok(Denial {
        rule_id: rule.id,
        file,
        span,
        message: printable(message.trim()).into_owned(),
    })
}

/// `path` itself when it is a file, else every `.rego` file under it, sorted.
fn rego_files(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let metadata = std::fs::metadata(path)
        .map_err(|error| format!("policy path {}: {error}", path.display()))?;
    if metadata.is_file() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(path)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .build()
    {
        let entry = entry.map_err(|error| format!("policy path {}: {error}", path.display()))?;
        let name = entry.file_name().to_string_lossy();
        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
        if is_file && name.ends_with(".rego") && !name.ends_with("_test.rego") {
            found.push(entry.into_path());
        }
        if found.len() > MAX_POLICY_FILES {
            return Err(format!(
                "policy path {}: more than {MAX_POLICY_FILES} policy files",
                path.display()
            ));
        }
    }
    found.sort();
    files.extend(found);
    Ok(())
}

/// Adds one file: Rego v1 (OPA 1.0's), or v0 for older policies that parse only so. When
/// neither parses, the error of the reading that got further is the one that helps.
fn add_policy(engine: &mut regorus::Engine, label: &str, text: &str) -> Result<String, String> {
    let v1_error = match engine.add_policy(label.to_owned(), text.to_owned()) {
        Ok(package) => return Ok(package),
        Err(error) => one_line(&error.to_string()),
    };
    engine.set_rego_v0(true);
    let v0 = engine.add_policy(label.to_owned(), text.to_owned());
    engine.set_rego_v0(false);
    let v0_error = match v0 {
        Ok(package) => return Ok(package),
        Err(error) => one_line(&error.to_string()),
    };
    let reached = |message: &str| -> (usize, usize) {
        let place = message.split(": ").next().unwrap_or_default();
        let mut numbers = place
            .rsplit(':')
            .filter_map(|part| part.parse::<usize>().ok());
        let column = numbers.next().unwrap_or(0);
        (numbers.next().unwrap_or(0), column)
    };
    let error = if reached(&v0_error) > reached(&v1_error) {
        v0_error
    } else {
        v1_error
    };
    Err(if error.starts_with(label) {
        error
    } else {
        format!("{label}: {error}")
    })
}

/// regorus's report of an error (a place, the source line drawn, the message; nested when one
/// error wraps another) as one line, `file:line:column: message` of the innermost, without the
/// source line: a file that is not a policy should not be quoted.
fn one_line(message: &str) -> String {
    let place = message
        .lines()
        .filter_map(|line| line.trim().strip_prefix("--> "))
        .map(str::trim)
        .next_back();
    let error = message
        .lines()
        .filter_map(|line| line.trim().strip_prefix("error:"))
        .map(str::trim)
        .rfind(|text| !text.is_empty());
    match (place, error) {
        (Some(place), Some(error)) => printable(&format!("{place}: {error}")).into_owned(),
        _ => printable(&first_line(message)).into_owned(),
    }
}

fn user_rule(package: &str, source: &str, value: &regorus::Value) -> Result<UserRule, String> {
    let json = value
        .to_json_str()
        .map_err(|error| format!("{source}: `metadata`: {error}"))?;
    let metadata: Metadata =
        serde_json::from_str(&json).map_err(|error| format!("{source}: `metadata`: {error}"))?;
    let valid_id = !metadata.id.is_empty()
        && metadata.id.len() <= 40
        && metadata.id.starts_with(|c: char| c.is_ascii_alphabetic())
        && metadata
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_id {
        return Err(format!(
            "{source}: `metadata.id` `{}` must be letters, digits, `-` or `_`, starting with a letter",
            printable(&metadata.id)
        ));
    }
    let valid_name = !metadata.name.is_empty()
        && metadata
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid_name {
        return Err(format!(
            "{source}: `metadata.name` `{}` must be kebab-case (`deployment-without-team-label`)",
            printable(&metadata.name)
        ));
    }
    for (field, text) in [
        ("title", &metadata.title),
        ("description", &metadata.description),
        ("remediation", &metadata.remediation),
    ] {
        if text.trim().is_empty() {
            return Err(format!("{source}: `metadata.{field}` is empty"));
        }
    }
    if let Some(wrong) = metadata.targets.iter().find(|t| !TARGETS.contains(t)) {
        return Err(format!(
            "{source}: `metadata.targets`: policies read {}, not {}",
            TARGETS
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            wrong.as_str()
        ));
    }
    for control in &metadata.controls {
        let known = control.split_once('/').is_some_and(|(framework, id)| {
            crate::compliance::frameworks()
                .iter()
                .any(|f| f.id == framework && f.controls.iter().any(|c| c.id == id))
        });
        if !known {
            return Err(format!(
                "{source}: `metadata.controls`: `{control}` is not a control of a known framework (`framework/control`, see `palisade compliance`)"
            ));
        }
    }
    let targets = if metadata.targets.is_empty() {
        TARGETS.to_vec()
    } else {
        metadata.targets
    };
    let id = intern(&metadata.id);
    Ok(UserRule {
        id,
        deny: format!("{package}.deny"),
        entry_point: 0,
        reads: input::Parts::ALL,
        controls: metadata.controls,
        timeouts: Arc::default(),
        suspends: false,
        rule: Rule {
            id: metadata.id,
            name: metadata.name,
            title: metadata.title,
            severity: metadata.severity,
            policy: metadata.policy,
            targets,
            precision: metadata.precision,
            cwe: metadata.cwe,
            description: metadata.description,
            remediation: metadata.remediation,
            references: metadata.references,
            examples: None,
            source: Some(source.to_owned()),
        },
    })
}
