//! The Dockerfile document model.
//!
//! Parsing is `parse-dockerfile`'s job: it keeps a byte span on every instruction, flag and
//! argument, and handles line continuations, the `# escape=` directive, heredocs, JSON and shell
//! forms and case-insensitive keywords. This module adds what the checks need on top:
//!
//! - **stages**: which instructions belong to which `FROM`, stage names, and which earlier stage
//!   a stage builds on (`FROM builder`), so that rules can follow what the final image inherits;
//! - **variables**: the value of `$VAR`, `${VAR}`, `${VAR:-default}` at any instruction, from
//!   `ARG` defaults (global ones for `FROM`) and `ENV`, computed in one pass. A value that depends on
//!   a build argument without a default is *unknown*, and rules do not guess about unknowns;
//! - **key=value pairs** of `ENV`, `ARG` and `LABEL` with the exact span of each key and value,
//!   read from the source text so that findings point at the value itself;
//! - **shell text** of `RUN` with continuations blanked out but every byte kept in place, so a
//!   match in it is a span in the file.

use std::collections::HashMap;
use std::ops::Range;

pub use parse_dockerfile::Instruction;
use parse_dockerfile::{Command, Source};

use crate::model::image::{ImageRef, is_root_user};

/// A parse failure with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// A parsed Dockerfile.
pub struct Dockerfile<'a> {
    pub text: &'a str,
    pub instructions: Vec<Instruction<'a>>,
    pub stages: Vec<Stage>,
    /// The escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Stage names (lowercase) to stage indices.
    stage_names: HashMap<String, usize>,
    /// By instruction: the key=value pairs of `ENV`, `ARG` and `LABEL`.
    pairs: Vec<Vec<KeyValue>>,
    /// By instruction: the scripts of `RUN`.
    scripts: Vec<Vec<Script>>,
    variables: Variables,
    /// Whether a `.dockerignore` filters what the build sends (one beside the Dockerfile or in
    /// a directory above it, or `<name>.dockerignore`); `None` when the scan cannot tell (a
    /// Dockerfile read outside any repository).
    pub dockerignore: Option<bool>,
}

/// One build stage: a `FROM` and the instructions up to the next one.
#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Index of the `FROM` in [`Dockerfile::instructions`].
    pub from: usize,
    /// Indices of the stage's other instructions.
    pub body: Range<usize>,
    /// `FROM … AS name`, lowercased (stage names are case-insensitive).
    pub name: Option<String>,
    /// The earlier stage this one builds on, when its `FROM` names one.
    pub parent: Option<usize>,
    /// Whether the stage's filesystem ends up in the final image (it is the final stage or one of
    /// its ancestors). Mistakes in other stages are thrown away with them.
    pub reaches_final_image: bool,
}

/// What a Dockerfile says about the containers of the image it builds, for the files that
/// run that image (a compose service with `build:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFacts {
    /// The Dockerfile's path in the repository (`(inline)` for `dockerfile_inline`).
    pub dockerfile: String,
    pub user: BuiltUser,
    /// It declares a `HEALTHCHECK` (or `HEALTHCHECK NONE`).
    pub healthcheck: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuiltUser {
    /// Root, because of the instruction at this place, said this way (`` `USER root` ``).
    Root {
        at: crate::finding::Related,
        cause: String,
    },
    NonRoot(String),
    Unknown,
}

/// Who containers of an image run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunsAs {
    /// Root, because of the instruction at this index of [`Dockerfile::instructions`].
    Root {
        instruction: usize,
        cause: RootCause,
    },
    /// A user other than root.
    User(String),
    /// Decided outside the Dockerfile (a build argument without a default, a non-root base).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCause {
    /// `USER root`, `USER 0`, in this stage or in the one named by `inherited_from`.
    User {
        value: String,
        inherited_from: Option<String>,
    },
    /// No `USER` anywhere in the lineage: the base image's default, root.
    NeverSet { image: String },
}

impl RootCause {
    /// "`USER root`", "`USER 0`, inherited from stage `build`", "no USER after `FROM python:3`".
    pub fn describe(&self) -> String {
        match self {
            RootCause::User {
                value,
                inherited_from: None,
            } => format!("`USER {value}`"),
            RootCause::User {
                value,
                inherited_from: Some(stage),
            } => format!("`USER {value}`, inherited from stage `{stage}`"),
            RootCause::NeverSet { image } => format!("no `USER` after `FROM {image}`"),
        }
    }
}

/// The value of a variable at some point of the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Never declared: expands to the empty string.
    Unset,
    /// Declared, but its value comes from outside (a build argument without a default).
    Unknown,
    Known(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scope {
    /// `ARG` before the first `FROM`: visible to `FROM` lines, and to `ARG NAME` in stages.
    Global,
    /// `ARG` inside a stage: visible until the end of the stage.
    StageArg(usize),
    /// `ENV`: visible until the end of the stage and in every stage built on it.
    StageEnv(usize),
}

#[derive(Debug, Clone)]
struct Definition {
    instruction: usize,
    value: Value,
}

/// Definitions by name and scope, each list in instruction order, so that the definition in force
/// at an instruction is found by binary search.
#[derive(Debug, Default)]
struct Variables {
    by_scope: HashMap<(String, Scope), Vec<Definition>>,
}

/// How many ancestor stages are searched for an inherited `ENV`; beyond that a variable is
/// unknown. Real builds chain a handful of stages; this bounds the work on hostile input.
const MAX_INHERITANCE_DEPTH: usize = 64;

/// How deeply `${A:-${B:-…}}` may nest before a value counts as unknown.
const MAX_EXPANSION_DEPTH: usize = 16;

/// A `key=value` (or legacy `ENV key value`) pair with the spans of its parts in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub key_span: Range<usize>,
    /// The value with quotes and escapes removed; `None` for `ARG NAME` without a default.
    pub value: Option<String>,
    /// The value as written, quotes included; empty at the end of the key when there is none.
    pub value_span: Range<usize>,
}

/// Shell text of a `RUN`: its span in the file, and the text with line continuations and comment
/// lines blanked out but every byte kept in place, so an offset in `text` is `span.start` plus it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub span: Range<usize>,
    pub text: String,
}

impl Script {
    /// The file span of a range of `text`.
    pub fn file_span(&self, range: Range<usize>) -> Range<usize> {
        self.span.start + range.start..self.span.start + range.end
    }
}

impl<'a> Dockerfile<'a> {
    pub fn parse(text: &'a str) -> Result<Dockerfile<'a>, ParseError> {
        let parsed = parse_dockerfile::parse(text).map_err(|error| {
            // The position is reported separately; do not repeat it in the message.
            let message = error.to_string();
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            ParseError {
                message: message.strip_suffix(&suffix).unwrap_or(&message).to_owned(),
                line: error.line(),
                column: error.column(),
            }
        })?;
        let escape = parsed
            .parser_directives
            .escape
            .as_ref()
            .map_or('\\', |directive| directive.value.value);
        let instructions = parsed.instructions;
        let (stages, stage_names) = split_stages(&instructions);
        let pairs = instructions
            .iter()
            .map(|i| key_values_of(text, i, escape))
            .collect();
        let scripts = instructions
            .iter()
            .map(|i| scripts_of(text, i, escape))
            .collect();
        let mut dockerfile = Dockerfile {
            text,
            instructions,
            stages,
            escape,
            stage_names,
            pairs,
            scripts,
            variables: Variables::default(),
            dockerignore: None,
        };
        dockerfile.variables = dockerfile.collect_variables();
        Ok(dockerfile)
    }

    /// The stage whose image is the build's result.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage and its ancestors (`FROM builder`), nearest first: everything the stage's image
    /// inherits from within this Dockerfile.
    pub fn lineage(&self, stage: &Stage) -> impl Iterator<Item = &Stage> {
        let mut next = Some(stage.index);
        std::iter::from_fn(move || {
            let stage = &self.stages[next?];
            next = stage.parent;
            Some(stage)
        })
    }

    pub fn from_instruction(
        &self,
        stage: &Stage,
    ) -> Option<&parse_dockerfile::FromInstruction<'a>> {
        match &self.instructions[stage.from] {
            Instruction::From(from) => Some(from),
            _ => None,
        }
    }

    /// The `FROM` image of a stage with global `ARG` defaults substituted; `None` when it depends
    /// on a build argument without a default.
    pub fn resolved_image(&self, stage: &Stage) -> Option<String> {
        let from = self.from_instruction(stage)?;
        self.expand(&from.image.value, Scope::Global, stage.from)
    }

    /// Whether `reference` names an earlier stage than `before` (by name or by index).
    pub fn names_stage(&self, reference: &str, before: usize) -> bool {
        let by_name = self
            .stage_names
            .get(&reference.to_ascii_lowercase())
            .is_some_and(|&index| index < before);
        let by_index = reference
            .parse::<usize>()
            .is_ok_and(|index| index < before.min(self.stages.len()));
        by_name || by_index
    }

    /// A stage by its name (`FROM … AS name`, case-insensitive), as `build.target` names it.
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stage_names
            .get(&name.to_ascii_lowercase())
            .map(|&index| &self.stages[index])
    }

    /// Who containers of `stage`'s image run as. The stage inherits `USER` from the stages it is
    /// built on (`FROM build`), so its lineage is searched, nearest stage first, last `USER`
    /// first; with no `USER` at all, the base image decides, which is root unless it is one of
    /// the well-known non-root variants.
    pub fn runs_as(&self, stage: &Stage) -> RunsAs {
        for ancestor in self.lineage(stage) {
            let last_user =
                ancestor
                    .body
                    .clone()
                    .rev()
                    .find_map(|index| match &self.instructions[index] {
                        Instruction::User(user) => Some((index, user)),
                        _ => None,
                    });
            let Some((index, user)) = last_user else {
                continue;
            };
            // A user from a build argument without a default is not ours to guess.
            let Some(value) = self.expand_in_stage(&user.arguments.value, ancestor, index) else {
                return RunsAs::Unknown;
            };
            let value = value.trim().to_owned();
            if !is_root_user(&value) {
                return RunsAs::User(value);
            }
            let inherited_from = (ancestor.index != stage.index).then(|| {
                ancestor
                    .name
                    .clone()
                    .unwrap_or_else(|| ancestor.index.to_string())
            });
            return RunsAs::Root {
                instruction: index,
                cause: RootCause::User {
                    value,
                    inherited_from,
                },
            };
        }
        let Some(root_stage) = self.lineage(stage).last() else {
            return RunsAs::Unknown;
        };
        let base = self.resolved_image(root_stage).unwrap_or_default();
        let base_sets_user = ImageRef::parse(&base).runs_as_non_root();
        // Named by the image the lineage starts from, not by a stage it passes through.
        match self.from_instruction(root_stage) {
            Some(from) if !base_sets_user => RunsAs::Root {
                instruction: stage.from,
                cause: RootCause::NeverSet {
                    image: from.image.value.to_string(),
                },
            },
            _ => RunsAs::Unknown,
        }
    }

    /// Whether `stage`'s image declares a `HEALTHCHECK` (its own or inherited; `HEALTHCHECK NONE`
    /// is a decision too).
    pub fn has_healthcheck(&self, stage: &Stage) -> bool {
        self.lineage(stage).any(|ancestor| {
            ancestor
                .body
                .clone()
                .any(|index| matches!(self.instructions[index], Instruction::Healthcheck(_)))
        })
    }

    /// `word` with variables expanded as at `instruction` in `stage`.
    pub fn expand_in_stage(&self, word: &str, stage: &Stage, instruction: usize) -> Option<String> {
        self.expand(word, Scope::StageArg(stage.index), instruction)
    }

    /// The span of a whole instruction: from its keyword to the end of its last argument.
    pub fn instruction_span(&self, instruction: &Instruction<'_>) -> Range<usize> {
        instruction_span(instruction)
    }

    /// Pairs of the `ENV`, `ARG` or `LABEL` instruction at `index` (empty for others).
    pub fn key_values(&self, index: usize) -> &[KeyValue] {
        &self.pairs[index]
    }

    /// The shell text of the `RUN` at `index`: its command and heredoc bodies (empty for others).
    pub fn run_scripts(&self, index: usize) -> &[Script] {
        &self.scripts[index]
    }

    fn collect_variables(&self) -> Variables {
        let mut variables = Variables::default();
        let mut stage: Option<usize> = None;
        for (index, instruction) in self.instructions.iter().enumerate() {
            let is_arg = match instruction {
                Instruction::From(_) => {
                    stage = Some(stage.map_or(0, |s| s + 1));
                    continue;
                }
                Instruction::Arg(_) => true,
                Instruction::Env(_) => false,
                _ => continue,
            };
            let scope = match (stage, is_arg) {
                (None, _) => Scope::Global,
                (Some(s), true) => Scope::StageArg(s),
                (Some(s), false) => Scope::StageEnv(s),
            };
            for pair in &self.pairs[index] {
                let value = match (&pair.value, scope) {
                    (Some(raw), _) => self.expand_with(&variables, raw, scope, index),
                    // `ARG NAME` in a stage brings the global default into the stage.
                    (None, Scope::StageArg(_)) => {
                        match variables.lookup(self, &pair.key, Scope::Global, index) {
                            Value::Known(value) => Some(value),
                            _ => None,
                        }
                    }
                    (None, _) => None,
                };
                variables
                    .by_scope
                    .entry((pair.key.clone(), scope))
                    .or_default()
                    .push(Definition {
                        instruction: index,
                        value: value.map_or(Value::Unknown, Value::Known),
                    });
            }
        }
        variables
    }

    fn expand(&self, word: &str, scope: Scope, instruction: usize) -> Option<String> {
        self.expand_with(&self.variables, word, scope, instruction)
    }

    fn expand_with(
        &self,
        variables: &Variables,
        word: &str,
        scope: Scope,
        instruction: usize,
    ) -> Option<String> {
        expand(word, &|name| {
            variables.lookup(self, name, scope, instruction)
        })
    }
}

impl Variables {
    /// The value of `name` as seen from `instruction`, in `scope`.
    fn lookup(
        &self,
        dockerfile: &Dockerfile<'_>,
        name: &str,
        scope: Scope,
        instruction: usize,
    ) -> Value {
        let stage = match scope {
            Scope::Global => {
                return self
                    .latest(name, Scope::Global, instruction)
                    .map_or(Value::Unset, |d| d.value.clone());
            }
            Scope::StageArg(s) | Scope::StageEnv(s) => s,
        };
        let arg = self.latest(name, Scope::StageArg(stage), instruction);
        let env = self.latest(name, Scope::StageEnv(stage), instruction);
        if let Some(definition) = arg.into_iter().chain(env).max_by_key(|d| d.instruction) {
            return definition.value.clone();
        }
        // ENV (not ARG) is inherited from the stages this one is built on.
        let mut ancestor = dockerfile.stages.get(stage).and_then(|s| s.parent);
        for _ in 0..MAX_INHERITANCE_DEPTH {
            let Some(parent) = ancestor else {
                return Value::Unset;
            };
            let end = dockerfile.stages[parent].body.end;
            if let Some(definition) = self.latest(name, Scope::StageEnv(parent), end) {
                return definition.value.clone();
            }
            ancestor = dockerfile.stages[parent].parent;
        }
        if ancestor.is_some() {
            Value::Unknown
        } else {
            Value::Unset
        }
    }

    /// The last definition of `name` in `scope` before instruction `before`.
    fn latest(&self, name: &str, scope: Scope, before: usize) -> Option<&Definition> {
        let definitions = self.by_scope.get(&(name.to_owned(), scope))?;
        let count = definitions.partition_point(|d| d.instruction < before);
        count.checked_sub(1).map(|last| &definitions[last])
    }
}

fn split_stages(instructions: &[Instruction<'_>]) -> (Vec<Stage>, HashMap<String, usize>) {
    let mut stages: Vec<Stage> = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (index, instruction) in instructions.iter().enumerate() {
        let Instruction::From(from) = instruction else {
            continue;
        };
        if let Some(previous) = stages.last_mut() {
            previous.body.end = index;
        }
        let parent = names.get(&from.image.value.to_ascii_lowercase()).copied();
        let name = from
            .as_
            .as_ref()
            .map(|(_, name)| name.value.to_ascii_lowercase());
        if let Some(name) = &name {
            names.entry(name.clone()).or_insert(stages.len());
        }
        stages.push(Stage {
            index: stages.len(),
            from: index,
            body: index + 1..instructions.len(),
            name,
            parent,
            reaches_final_image: false,
        });
    }
    // The final stage and its ancestors are what ends up in the image.
    let mut next = stages.len().checked_sub(1);
    while let Some(index) = next {
        if stages[index].reaches_final_image {
            break;
        }
        stages[index].reaches_final_image = true;
        next = stages[index].parent;
    }
    (stages, names)
}

fn instruction_span(instruction: &Instruction<'_>) -> Range<usize> {
    use Instruction as I;
    let (keyword, end) = match instruction {
        I::Add(i) => (&i.add.span, i.dest.span.end),
        I::Arg(i) => (&i.arg.span, i.arguments.span.end),
        I::Cmd(i) => (&i.cmd.span, command_span(&i.arguments).end),
        I::Copy(i) => (&i.copy.span, i.dest.span.end),
        I::Entrypoint(i) => (&i.entrypoint.span, command_span(&i.arguments).end),
        I::Env(i) => (&i.env.span, i.arguments.span.end),
        I::Expose(i) => (
            &i.expose.span,
            i.arguments.last().map_or(i.expose.span.end, |a| a.span.end),
        ),
        I::From(i) => (
            &i.from.span,
            i.as_
                .as_ref()
                .map_or(i.image.span.end, |(_, name)| name.span.end),
        ),
        I::Healthcheck(i) => (&i.healthcheck.span, i.healthcheck.span.end),
        I::Label(i) => (&i.label.span, i.arguments.span.end),
        I::Maintainer(i) => (&i.maintainer.span, i.name.span.end),
        I::Onbuild(i) => (&i.onbuild.span, instruction_span(&i.instruction).end),
        I::Run(i) => (&i.run.span, command_span(&i.arguments).end),
        I::Shell(i) => (
            &i.shell.span,
            i.arguments.last().map_or(i.shell.span.end, |a| a.span.end),
        ),
        I::Stopsignal(i) => (&i.stopsignal.span, i.arguments.span.end),
        I::User(i) => (&i.user.span, i.arguments.span.end),
        I::Volume(i) => (&i.volume.span, i.volume.span.end),
        I::Workdir(i) => (&i.workdir.span, i.arguments.span.end),
        _ => return 0..0,
    };
    keyword.start..end.max(keyword.end)
}

fn command_span(command: &Command<'_>) -> Range<usize> {
    match command {
        Command::Shell(shell) => shell.span.clone(),
        Command::Exec(exec) => exec.span.clone(),
        _ => 0..0,
    }
}

fn key_values_of(text: &str, instruction: &Instruction<'_>, escape: char) -> Vec<KeyValue> {
    let (span, legacy_allowed) = match instruction {
        Instruction::Env(env) => (env.arguments.span.clone(), true),
        Instruction::Arg(arg) => (arg.arguments.span.clone(), false),
        Instruction::Label(label) => (label.arguments.span.clone(), false),
        _ => return Vec::new(),
    };
    parse_key_values(text, span, escape, legacy_allowed)
}

fn scripts_of(text: &str, instruction: &Instruction<'_>, escape: char) -> Vec<Script> {
    let Instruction::Run(run) = instruction else {
        return Vec::new();
    };
    let command = char_span(text, command_span(&run.arguments));
    let mut scripts = vec![Script {
        text: shell_view(&text[command.clone()], escape),
        span: command,
    }];
    for here_doc in &run.here_docs {
        let span = char_span(text, here_doc.span.clone());
        // A heredoc body is plain shell: its line continuations are the shell's own.
        scripts.push(Script {
            text: shell_view(&text[span.clone()], '\\'),
            span,
        });
    }
    scripts
}

/// The sources of an `ADD` or `COPY` that are paths or URLs (not heredocs), with their spans.
pub fn source_paths<'s>(
    sources: &'s [Source<'_>],
) -> impl Iterator<Item = (&'s str, Range<usize>)> {
    sources.iter().filter_map(|source| match source {
        Source::Path(path) => Some((path.value.as_ref(), path.span.clone())),
        _ => None,
    })
}

/// Expands `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and `${VAR+alt}`.
/// Returns `None` when any part of the result is unknown, or uses a form we do not evaluate.
pub fn expand(word: &str, lookup: &dyn Fn(&str) -> Value) -> Option<String> {
    expand_nested(word, lookup, 0)
}

fn expand_nested(word: &str, lookup: &dyn Fn(&str) -> Value, depth: usize) -> Option<String> {
    if depth > MAX_EXPANSION_DEPTH {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(dollar) = rest.find('$') {
        // An escaped `\$` is a literal dollar sign.
        if rest[..dollar].ends_with('\\') {
            out.push_str(&rest[..dollar - 1]);
            out.push('$');
            rest = &rest[dollar + 1..];
            continue;
        }
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            let close = matching_brace(braced)?;
            out.push_str(&expand_braced(&braced[..close], lookup, depth)?);
            rest = &braced[close + 1..];
        } else {
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if name_len == 0 {
                out.push('$');
            } else {
                match lookup(&after[..name_len]) {
                    Value::Known(value) => out.push_str(&value),
                    Value::Unset => {}
                    Value::Unknown => return None,
                }
            }
            rest = &after[name_len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(index),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

fn expand_braced(inner: &str, lookup: &dyn Fn(&str) -> Value, depth: usize) -> Option<String> {
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, modifier) = inner.split_at(name_len);
    if name.is_empty() {
        return None;
    }
    let value = lookup(name);
    let (operator, word) = if let Some(word) = modifier.strip_prefix(":-") {
        (":-", word)
    } else if let Some(word) = modifier.strip_prefix(":+") {
        (":+", word)
    } else if let Some(word) = modifier.strip_prefix('-') {
        ("-", word)
    } else if let Some(word) = modifier.strip_prefix('+') {
        ("+", word)
    } else if modifier.is_empty() {
        ("", "")
    } else {
        return None;
    };
    let is_set = !matches!(value, Value::Unset);
    let is_non_empty = matches!(&value, Value::Known(v) if !v.is_empty());
    match (operator, value) {
        ("", Value::Known(v)) => Some(v),
        ("", Value::Unset) => Some(String::new()),
        (_, Value::Unknown) => None,
        (":-", v) => {
            if is_non_empty {
                known(v)
            } else {
                expand_nested(word, lookup, depth + 1)
            }
        }
        ("-", v) => {
            if is_set {
                known(v)
            } else {
                expand_nested(word, lookup, depth + 1)
            }
        }
        (":+", _) => {
            if is_non_empty {
                expand_nested(word, lookup, depth + 1)
            } else {
                Some(String::new())
            }
        }
        ("+", _) => {
            if is_set {
                expand_nested(word, lookup, depth + 1)
            } else {
                Some(String::new())
            }
        }
        _ => None,
    }
}

fn known(value: Value) -> Option<String> {
    match value {
        Value::Known(v) => Some(v),
        Value::Unset => Some(String::new()),
        Value::Unknown => None,
    }
}

/// Splits the raw text of `ENV`/`ARG`/`LABEL` arguments into pairs, tracking spans in the file.
fn parse_key_values(
    text: &str,
    span: Range<usize>,
    escape: char,
    legacy_allowed: bool,
) -> Vec<KeyValue> {
    let words = split_words(text, span.clone(), escape);
    // Legacy `ENV KEY value with spaces`: the first word has no `=`.
    if legacy_allowed
        && let Some(first) = words.first()
        && first.equals.is_none()
    {
        let value_span = words
            .get(1)
            .map_or(first.span.end..first.span.end, |second| {
                second.span.start..words.last().map_or(second.span.end, |last| last.span.end)
            });
        let value = words[1..]
            .iter()
            .map(|w| w.value.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        return vec![KeyValue {
            key: first.value.clone(),
            key_span: first.span.clone(),
            value: Some(value),
            value_span,
        }];
    }
    words
        .into_iter()
        .map(|word| match word.equals {
            Some((raw_at, value_at)) => KeyValue {
                key: word.value[..value_at].to_owned(),
                key_span: word.span.start..raw_at,
                value: Some(word.value[value_at + 1..].to_owned()),
                value_span: raw_at + 1..word.span.end,
            },
            None => KeyValue {
                key: word.value,
                key_span: word.span.clone(),
                value: None,
                value_span: word.span.end..word.span.end,
            },
        })
        .collect()
}

struct Word {
    span: Range<usize>,
    /// Unquoted, unescaped.
    value: String,
    /// The first unquoted `=`: (its offset in the file, its offset in `value`).
    equals: Option<(usize, usize)>,
}

/// A span of the parser, widened to character boundaries and kept within the text: on malformed
/// input its byte offsets can land inside a multi-byte character.
fn char_span(text: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// Shell-like words of `text[span]`: quotes and escapes removed, continuations skipped.
fn split_words(text: &str, span: Range<usize>, escape: char) -> Vec<Word> {
    let mut words = Vec::new();
    let span = char_span(text, span);
    // Comment lines inside a continued instruction are not part of it.
    let view = shell_view(&text[span.clone()], escape);
    let mut chars = view
        .char_indices()
        .map(|(i, c)| (i + span.start, c))
        .peekable();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(word) = current.take() {
                words.push(word);
            }
            continue;
        }
        let word = current.get_or_insert_with(|| Word {
            span: at..at,
            value: String::new(),
            equals: None,
        });
        word.span.end = at + c.len_utf8();
        match (quote, c) {
            (_, c) if c == escape && quote != Some('\'') => match chars.next() {
                // A line continuation joins the lines.
                Some((_, '\n')) => {}
                Some((_, '\r')) if chars.peek().is_some_and(|&(_, n)| n == '\n') => {
                    chars.next();
                }
                Some((next_at, next)) => {
                    word.value.push(next);
                    word.span.end = next_at + next.len_utf8();
                }
                None => word.value.push(c),
            },
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '=') if word.equals.is_none() => {
                word.equals = Some((at, word.value.len()));
                word.value.push('=');
            }
            _ => word.value.push(c),
        }
    }
    if let Some(word) = current {
        words.push(word);
    }
    words.retain(|word| !word.value.is_empty() || word.equals.is_some());
    words
}

/// `raw` with each line continuation (escape + newline) and each comment line inside a
/// continued command replaced by spaces of the same byte length, so offsets stay file offsets.
fn shell_view(raw: &str, escape: char) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut continued = false;
    for line in raw.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        if continued && body.trim_start().starts_with('#') {
            out.extend(std::iter::repeat_n(' ', body.len()));
            out.push_str(ending);
            continue;
        }
        continued = body.ends_with(escape) && !ending.is_empty();
        if continued {
            out.push_str(&body[..body.len() - escape.len_utf8()]);
            out.extend(std::iter::repeat_n(' ', escape.len_utf8()));
            out.push_str(ending);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Value + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(Value::Unset, |(_, v)| {
                    if *v == "?" {
                        Value::Unknown
                    } else {
                        Value::Known((*v).into())
                    }
                })
        }
    }

    #[test]
    fn expansion_forms() {
        let lookup = values(&[("A", "1"), ("E", ""), ("U", "?")]);
        assert_eq!(expand("x$A-${A}", &lookup).as_deref(), Some("x1-1"));
        assert_eq!(expand("${B:-dflt}", &lookup).as_deref(), Some("dflt"));
        assert_eq!(expand("${E:-dflt}", &lookup).as_deref(), Some("dflt"));
        assert_eq!(expand("${E-dflt}", &lookup).as_deref(), Some(""));
        assert_eq!(expand("${A:+alt}", &lookup).as_deref(), Some("alt"));
        assert_eq!(expand("${B:+alt}", &lookup).as_deref(), Some(""));
        assert_eq!(expand("${B:-${A}}", &lookup).as_deref(), Some("1"));
        assert_eq!(expand("$B", &lookup).as_deref(), Some(""));
        assert_eq!(expand("$U", &lookup), None);
        assert_eq!(expand("${A#x}", &lookup), None);
        assert_eq!(expand("cost: 5$", &lookup).as_deref(), Some("cost: 5$"));
        assert_eq!(expand("\\$A", &lookup).as_deref(), Some("$A"));
    }

    #[test]
    fn key_values_keep_spans() {
        let text = "FROM a\nENV A=1 B=\"two words\" \\\n    C=three";
        let df = Dockerfile::parse(text).unwrap();
        let pairs = df.key_values(1);
        let got: Vec<_> = pairs
            .iter()
            .map(|p| {
                (
                    p.key.as_str(),
                    p.value.as_deref().unwrap(),
                    &text[p.value_span.clone()],
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("A", "1", "1"),
                ("B", "two words", "\"two words\""),
                ("C", "three", "three")
            ]
        );
        assert_eq!(&text[pairs[2].key_span.clone()], "C");
    }

    #[test]
    fn comment_lines_inside_continuations_are_skipped() {
        let text = "FROM a\nENV A=1 \\\n# a comment=here\n    B=2\n";
        let df = Dockerfile::parse(text).unwrap();
        let keys: Vec<_> = df.key_values(1).iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["A", "B"]);
    }

    #[test]
    fn legacy_env_form() {
        let text = "FROM a\nENV GREETING hello  world";
        let df = Dockerfile::parse(text).unwrap();
        let pairs = df.key_values(1);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].key, "GREETING");
        assert_eq!(pairs[0].value.as_deref(), Some("hello world"));
        assert_eq!(&text[pairs[0].value_span.clone()], "hello  world");
    }

    #[test]
    fn variables_follow_docker_scoping() {
        let text = "ARG BASE=alpine\nARG TAG=3.20\nFROM ${BASE}:${TAG} AS build\nARG TAG\nENV HOME_DIR=/srv/$TAG\n\
                    FROM build AS final\nWORKDIR $HOME_DIR\nFROM $MISSING\nARG NODEFAULT\nUSER $NODEFAULT\n";
        let df = Dockerfile::parse(text).unwrap();
        assert_eq!(
            df.resolved_image(&df.stages[0]).as_deref(),
            Some("alpine:3.20")
        );
        assert_eq!(df.stages[1].parent, Some(0));
        // ENV is inherited by the child stage, and was expanded with the stage's ARG TAG.
        assert_eq!(
            df.expand_in_stage("$HOME_DIR", &df.stages[1], 6).as_deref(),
            Some("/srv/3.20")
        );
        // An undeclared variable is empty; an ARG without a default is unknown.
        assert_eq!(df.resolved_image(&df.stages[2]).as_deref(), Some(""));
        assert_eq!(df.expand_in_stage("$NODEFAULT", &df.stages[2], 9), None);
    }

    #[test]
    fn shell_view_keeps_offsets() {
        let raw = "apt-get update \\\n  # comment\n  && apt-get install x";
        let view = shell_view(raw, '\\');
        assert_eq!(view.len(), raw.len());
        assert!(!view.contains('\\'));
        assert!(!view.contains("comment"));
        assert_eq!(view.find("apt-get install"), raw.find("apt-get install"));
    }

    #[test]
    fn escape_directive_and_heredocs() {
        let text = "# escape=`\nFROM alpine:3.20\nRUN <<EOF\nUSER root\nEOF\nENV A=1 `\n  B=2\n";
        let df = Dockerfile::parse(text).unwrap();
        assert_eq!(df.escape, '`');
        assert!(
            !df.instructions
                .iter()
                .any(|i| matches!(i, Instruction::User(_)))
        );
        let env = df
            .instructions
            .iter()
            .position(|i| matches!(i, Instruction::Env(_)))
            .unwrap();
        let keys: Vec<_> = df.key_values(env).iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["A", "B"]);
    }
}
