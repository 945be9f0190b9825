//! What a user's policy reads as `input`: one object per unit (a file, or a Terraform module),
//! built from what the scan parsed and lowered anyway.
//!
//! ```text
//! { "path": "deploy/web.yaml", "format": "kubernetes",
//!   "documents": [ …each document as parsed… ],
//!   "model": { "workloads": […], "exposures": […], "secrets": […] } }
//! ```
//!
//! Documents, mappings in sequences, Dockerfile instructions and stages, Terraform blocks and
//! every object of the model carry their place (`__line`, `__column`, and `__file` in a
//! Terraform module): a policy points at a node by returning it (with a path of keys and indexes
//! under it), and palisade reads back where it is. Documents hold values as written; the model's secrets are
//! described, never quoted. `schemas/policy-input.schema.json` is the contract.
//!
//! Values are built as regorus's own, not through JSON: building the input is a large part of
//! a policy's cost, and a conversion doubled it. Only the parts the policies that run on a unit
//! name are built ([`Parts`]).

use std::ops::Range;

use std::collections::BTreeMap;

use regorus::Value;

use super::{Pointer, Step};
use crate::discover::Target;
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use crate::formats::dockerfile::Dockerfile;
use crate::formats::terraform::{Module, Resolved};
use crate::formats::yaml::{MAX_DEPTH, NodeId, NodeKind, Yaml};
use crate::model::{Audience, Deployment, Health, Reach, Setting, User};

/// The keys of a node's place: its line and column (1-based, columns in characters), and in a
/// unit of several files (a Terraform module) its file.
pub const LINE: &str = "__line";
pub const COLUMN: &str = "__column";
pub const FILE: &str = "__file";

/// An object from its entries: `object! { "key" => value, … }`.
macro_rules! entries {
    ($($key:expr => $value:expr),* $(,)?) => {{
        let mut entries = BTreeMap::new();
        $(entries.insert(Value::from($key), Value::from($value));)*
        entries
    }};
}

/// An object from its entries: `object! { "key" => value, … }`.
macro_rules! object {
    ($($key:expr => $value:expr),* $(,)?) => {
        Value::from(entries! { $($key => $value),* })
    };
}

/// A list of values.
fn list<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::from(items.into_iter().map(Into::into).collect::<Vec<Value>>())
}

/// `null` for nothing.
fn or_null<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}

/// Line starts of a text, for positions of many offsets.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    /// The keys of a place, made once: a file has a place per mapping.
    keys: [Value; 3],
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
        Lines {
            text,
            starts,
            keys: [Value::from(LINE), Value::from(COLUMN), Value::from(FILE)],
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let column = self.text[self.starts[line]..offset].chars().count() + 1;
        (line + 1, column)
    }

    /// The byte offset of a 1-based line and column; `None` past the end.
    pub fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        let text = &self.text[start..end];
        Some(
            start
                + text
                    .char_indices()
                    .nth(column.saturating_sub(1))
                    .map_or(text.len(), |(at, _)| at),
        )
    }

    /// Marks the object of `entries` with the place of a byte offset (in `file` of a unit of
    /// several).
    pub fn mark(&self, entries: &mut BTreeMap<Value, Value>, offset: usize, file: Option<&Value>) {
        let (line, column) = self.position(offset);
        let [line_key, column_key, file_key] = &self.keys;
        entries.insert(line_key.clone(), Value::from(line));
        entries.insert(column_key.clone(), Value::from(column));
        if let Some(file) = file {
            entries.insert(file_key.clone(), file.clone());
        }
    }
}

/// Finds the nodes pointers into a YAML file mean; the index of mappings by offset is built
/// the first time a result points into the file.
pub struct YamlPlaces<'y> {
    yaml: &'y Yaml,
    lines: &'y Lines<'y>,
    mappings: std::cell::OnceCell<std::collections::HashMap<usize, NodeId>>,
}

impl<'y> YamlPlaces<'y> {
    pub fn new(yaml: &'y Yaml, lines: &'y Lines<'y>) -> YamlPlaces<'y> {
        YamlPlaces {
            yaml,
            lines,
            mappings: std::cell::OnceCell::new(),
        }
    }

    /// The span a pointer means: the entry its path leads to from the mapping at its place
    /// (keys of mappings, indexes of sequences), as far as the path goes; the mapping's first
    /// key when the path is empty.
    pub fn place(&self, pointer: &Pointer) -> Option<Range<usize>> {
        let yaml = self.yaml;
        let offset = self.lines.offset(pointer.line, pointer.column)?;
        let mappings = self.mappings.get_or_init(|| {
            (0..yaml.nodes.len())
                .filter(|&id| matches!(yaml.nodes[id].kind, NodeKind::Mapping(_)))
                .map(|id| (yaml.span(id).start, id))
                .collect()
        });
        let mut node = *mappings.get(&offset)?;
        let mut site = None;
        for step in &pointer.path {
            let next = match step {
                Step::Key(key) => yaml
                    .get(node, key)
                    .map(|entry| (yaml.site(entry), entry.value)),
                Step::Index(index) => yaml
                    .items(node)
                    .get(*index)
                    .map(|&item| (yaml.span(item), yaml.resolve(item))),
            };
            let Some((span, value)) = next else {
                break;
            };
            site = Some(span);
            node = value;
        }
        site.or_else(|| match yaml.pairs(node).first() {
            Some(&(key, _)) => Some(yaml.span(key)),
            None => Some(yaml.span(node)),
        })
    }
}

/// Which parts of the input the policies that run on a unit read: the others are not built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    pub documents: bool,
    pub model: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        documents: true,
        model: true,
    };

    /// What either reads.
    pub fn or(self, other: Parts) -> Parts {
        Parts {
            documents: self.documents || other.documents,
            model: self.model || other.model,
        }
    }
}

/// The input of one unit, with the parts asked for (the others empty).
pub fn unit(
    path: Option<&str>,
    format: Target,
    parts: Parts,
    documents: impl FnOnce() -> Vec<Value>,
    model: impl FnOnce() -> Value,
) -> Value {
    object! {
        "path" => or_null(path),
        "format" => format.as_str(),
        "documents" => if parts.documents { documents() } else { Vec::new() },
        "model" => if parts.model { model() } else { Value::Null },
    }
}

/// Every document of a YAML (or JSON) file. CloudFormation's short-form functions are read as
/// their long form (`!Ref x` as `{"Ref": "x"}`), as the AWS tools read them.
///
/// Documents and the mappings of sequences (containers, ports, rules, steps) carry their place;
/// a mapping under a key does not: many are dictionaries whose keys are data (`services`,
/// `labels`, `Resources`, `env`), which a policy iterates, and a place among their keys would
/// be read as one more entry. A result reaches such a mapping by a `path` from a placed node.
pub fn yaml_documents(yaml: &Yaml, lines: &Lines<'_>) -> Vec<Value> {
    yaml.documents
        .iter()
        .map(|&document| yaml_value(yaml, document, lines, true, 0))
        .collect()
}

fn yaml_value(yaml: &Yaml, id: NodeId, lines: &Lines<'_>, placed: bool, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    let value = match &yaml.node(id).kind {
        NodeKind::Scalar { plain, .. } => {
            let text = yaml.str(id).unwrap_or_default();
            if *plain {
                plain_scalar(text)
            } else {
                Value::from(text)
            }
        }
        NodeKind::Sequence(items) => list(
            items
                .iter()
                .map(|&item| yaml_value(yaml, item, lines, true, depth + 1)),
        ),
        NodeKind::Mapping(pairs) => {
            let mut object = BTreeMap::new();
            if placed {
                lines.mark(&mut object, yaml.span(yaml.resolve(id)).start, None);
            }
            let merges = pairs.iter().any(|&(key, _)| yaml.str(key) == Some("<<"));
            if merges {
                for (name, entry) in yaml.keys(id) {
                    object.insert(
                        Value::from(name),
                        yaml_value(yaml, entry.value, lines, false, depth + 1),
                    );
                }
            } else {
                for &(key, value) in pairs.iter() {
                    // A complex key (a mapping as a key) has no JSON form: left out.
                    let Some(name) = yaml.str(key) else {
                        continue;
                    };
                    object.insert(
                        Value::from(name),
                        yaml_value(yaml, value, lines, false, depth + 1),
                    );
                }
            }
            Value::from(object)
        }
        NodeKind::Alias(_) => Value::Null,
    };
    match yaml.tag(id) {
        Some(tag) => long_form(tag, value),
        None => value,
    }
}

/// `!Ref x` as `{"Ref": "x"}`, `!GetAtt a.b` as `{"Fn::GetAtt": ["a", "b"]}`, `!Sub …` as
/// `{"Fn::Sub": …}`: CloudFormation's long form.
fn long_form(tag: &str, value: Value) -> Value {
    let (name, value) = match tag {
        "Ref" | "Condition" => (tag.to_owned(), value),
        "GetAtt" => {
            let value = match value.as_string().ok().and_then(|text| text.split_once('.')) {
                Some((resource, attribute)) => list([resource, attribute]),
                None => value,
            };
            ("Fn::GetAtt".to_owned(), value)
        }
        _ => (format!("Fn::{tag}"), value),
    };
    object! { name => value }
}

/// A plain scalar as YAML 1.2's core schema types it: null, booleans, integers and floats;
/// anything else is a string.
fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Value::from(text);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let integer = if let Some(hex) = unsigned.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = unsigned.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if unsigned.bytes().all(|b| b.is_ascii_digit()) {
        unsigned.parse::<i64>().ok()
    } else {
        None
    };
    if let Some(integer) = integer {
        return Value::from(if text.starts_with('-') {
            -integer
        } else {
            integer
        });
    }
    let float_like = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && unsigned.bytes().any(|b| b.is_ascii_digit());
    match text.parse::<f64>() {
        Ok(number) if float_like && number.is_finite() => Value::from(number),
        _ => Value::from(text),
    }
}

/// A Dockerfile as one document: its instructions, each with its stage, and its stages.
pub fn dockerfile_document(dockerfile: &Dockerfile<'_>, lines: &Lines<'_>) -> Value {
    let mut stage_of = vec![None; dockerfile.instructions.len()];
    for stage in &dockerfile.stages {
        stage_of[stage.from] = Some(stage.index);
        for index in stage.body.clone() {
            if let Some(slot) = stage_of.get_mut(index) {
                *slot = Some(stage.index);
            }
        }
    }
    let instructions = dockerfile
        .instructions
        .iter()
        .enumerate()
        .map(|(index, instruction)| {
            let span = dockerfile.instruction_span(instruction);
            let text = dockerfile.text.get(span.clone()).unwrap_or_default();
            let (keyword, arguments) = text
                .trim_start()
                .split_once(char::is_whitespace)
                .unwrap_or((text.trim(), ""));
            let pairs = dockerfile.key_values(index);
            let mut entries = BTreeMap::new();
            entries.insert(Value::from("instruction"), Value::from(keyword.to_ascii_uppercase()));
            entries.insert(Value::from("arguments"), Value::from(arguments.trim()));
            entries.insert(Value::from("stage"), or_null(stage_of[index]));
            lines.mark(&mut entries, span.start, None);
            if !pairs.is_empty() {
                entries.insert(
                    Value::from("pairs"),
                    list(pairs.iter().map(|pair| {
                        object! { "key" => pair.key.as_str(), "value" => or_null(pair.value.as_deref()) }
                    })),
                );
            }
            Value::from(entries)
        });
    let stages = dockerfile.stages.iter().map(|stage| {
        let span = dockerfile.instruction_span(&dockerfile.instructions[stage.from]);
        let image = dockerfile
            .text
            .get(span.clone())
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .find(|word| !word.starts_with("--"))
            .unwrap_or_default();
        let mut entries = entries! {
            "index" => stage.index,
            "name" => or_null(stage.name.as_deref()),
            "image" => image,
            "final" => stage.index + 1 == dockerfile.stages.len(),
            "ships" => stage.reaches_final_image,
        };
        lines.mark(&mut entries, span.start, None);
        Value::from(entries)
    });
    object! { "instructions" => list(instructions), "stages" => list(stages) }
}

/// A Terraform module as policies read it, with what places its nodes: each file's line
/// index and name, made once, and where each body's attributes are, made as the documents are.
pub struct TerraformUnit<'m> {
    module: &'m Module,
    lines: Vec<Lines<'m>>,
    names: Vec<Value>,
    keys: std::cell::RefCell<TerraformKeys>,
}

impl<'m> TerraformUnit<'m> {
    pub fn new(module: &'m Module) -> TerraformUnit<'m> {
        TerraformUnit {
            module,
            lines: module
                .files
                .iter()
                .map(|file| Lines::new(file.source()))
                .collect(),
            names: module
                .files
                .iter()
                .map(|file| Value::from(file_name(&file.path)))
                .collect(),
            keys: std::cell::RefCell::default(),
        }
    }

    /// One document per file: `{"file": name, "blocks": [...], "values": {...}}`, each block
    /// `{"type", "labels", "body"}` and placed. Attributes hold their value when the module
    /// alone decides it (variables and locals resolved), else their expression (`"${var.x}"`);
    /// nested blocks are lists of bodies under their type. Variable files give `values`.
    pub fn documents(&self) -> Vec<Value> {
        let module = self.module;
        let mut keys = self.keys.borrow_mut();
        let mut blocks: Vec<Vec<Value>> = vec![Vec::new(); module.files.len()];
        let mut values: Vec<BTreeMap<Value, Value>> = vec![BTreeMap::new(); module.files.len()];
        for (at, tree) in module.items() {
            let file = &module.files[at.file];
            let reader = TerraformReader {
                module,
                file: at.file,
                name: &self.names[at.file],
                lines: &self.lines[at.file],
                to_source: &|span: Range<usize>| file.source_span(at.in_file(span)),
            };
            for structure in tree.iter() {
                match structure {
                    Structure::Block(block) => blocks[at.file].push(reader.block(block, &mut keys)),
                    Structure::Attribute(attribute) => {
                        values[at.file].insert(
                            Value::from(attribute.key.as_str()),
                            reader.expression(&attribute.value),
                        );
                    }
                }
            }
        }
        self.names
            .iter()
            .zip(blocks.into_iter().zip(values))
            .map(|(name, (blocks, values))| {
                object! { "file" => name.clone(), "blocks" => blocks, "values" => Value::from(values) }
            })
            .collect()
    }

    /// Marks an object of the model with the place of an offset of a file's text (a JSON
    /// file's translation, mapped back to the file as written).
    pub fn mark(&self, entries: &mut BTreeMap<Value, Value>, file: usize, offset: usize) {
        let offset = self.module.files[file].source_span(offset..offset).start;
        self.lines[file].mark(entries, offset, Some(&self.names[file]));
    }

    /// The span a pointer means: the attribute or nested block of its first key in the block
    /// at its place, or the block's first line.
    pub fn place(&self, pointer: &Pointer) -> Option<(usize, Range<usize>)> {
        let file = self.names.iter().position(
            |name| matches!(name, Value::String(name) if Some(&**name) == pointer.file.as_deref()),
        )?;
        let source = self.module.files[file].source();
        let offset = self.lines[file].offset(pointer.line, pointer.column)?;
        let key = match pointer.path.first() {
            Some(Step::Key(key)) => Some(key.as_str()),
            _ => None,
        };
        let named = key.and_then(|key| {
            self.keys
                .borrow()
                .get(&(file, offset))?
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, span)| span.clone())
        });
        let span = named.unwrap_or_else(|| {
            let end = source[offset..]
                .find('\n')
                .map_or(source.len(), |at| offset + at);
            offset..end
        });
        Some((file, span))
    }
}

/// Where the attributes and nested blocks of each Terraform body are, by the file and offset of
/// the body's block, for results that name a key.
type TerraformKeys = std::collections::HashMap<(usize, usize), Vec<(String, Range<usize>)>>;

/// A file's name, as positions in a module name it.
fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
}

struct TerraformReader<'r> {
    module: &'r Module,
    file: usize,
    name: &'r Value,
    lines: &'r Lines<'r>,
    to_source: &'r dyn Fn(Range<usize>) -> Range<usize>,
}

impl TerraformReader<'_> {
    fn block(&self, block: &Block, keys: &mut TerraformKeys) -> Value {
        let start = self.start(block, 0);
        let mut entries = entries! {
            "type" => block.ident.as_str(),
            "labels" => list(block.labels.iter().map(|label| label.as_str())),
            "body" => Value::from(self.body(&block.body, start, keys, 0)),
        };
        self.lines.mark(&mut entries, start, Some(self.name));
        Value::from(entries)
    }

    fn start(&self, block: &Block, otherwise: usize) -> usize {
        block
            .ident
            .span()
            .map_or(otherwise, |span| (self.to_source)(span).start)
    }

    /// A body's attributes and nested blocks; a nested block's body also carries its
    /// position, and its labels as `__labels`.
    fn body(
        &self,
        body: &Body,
        start: usize,
        keys: &mut TerraformKeys,
        depth: usize,
    ) -> BTreeMap<Value, Value> {
        let mut object = BTreeMap::new();
        if depth > MAX_DEPTH {
            return object;
        }
        let mut places = Vec::new();
        let mut nested: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    if let Some(span) = attribute.span() {
                        places.push((attribute.key.as_str().to_owned(), (self.to_source)(span)));
                    }
                    object.insert(
                        Value::from(attribute.key.as_str()),
                        self.expression(&attribute.value),
                    );
                }
                Structure::Block(block) => {
                    let nested_start = self.start(block, start);
                    if let Some(span) = block.span() {
                        places.push((block.ident.as_str().to_owned(), (self.to_source)(span)));
                    }
                    let mut inner = self.body(&block.body, nested_start, keys, depth + 1);
                    self.lines.mark(&mut inner, nested_start, Some(self.name));
                    if !block.labels.is_empty() {
                        inner.insert(
                            Value::from("__labels"),
                            list(block.labels.iter().map(|label| label.as_str())),
                        );
                    }
                    nested
                        .entry(block.ident.as_str())
                        .or_default()
                        .push(Value::from(inner));
                }
            }
        }
        for (name, bodies) in nested {
            object.insert(Value::from(name), Value::from(bodies));
        }
        keys.insert((self.file, start), places);
        object
    }

    /// The value the module gives an expression, or its text as Terraform's JSON syntax
    /// writes an expression (`"${aws_vpc.main.id}"`).
    fn expression(&self, expression: &Expression) -> Value {
        match self.module.eval(expression) {
            Resolved::Known(value) => hcl_value(&value, 0),
            Resolved::Unknown => {
                let text = hcl::Expression::from(expression.clone()).to_string();
                Value::from(format!("${{{}}}", text.trim()))
            }
        }
    }
}

fn hcl_value(value: &hcl::Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match value {
        hcl::Value::Null => Value::Null,
        hcl::Value::Bool(value) => Value::from(*value),
        hcl::Value::Number(number) => match (number.as_i64(), number.as_f64()) {
            (Some(integer), _) => Value::from(integer),
            (None, Some(float)) if float.is_finite() => Value::from(float),
            _ => Value::from(number.to_string()),
        },
        hcl::Value::String(text) => Value::from(text.as_str()),
        hcl::Value::Array(items) => list(items.iter().map(|item| hcl_value(item, depth + 1))),
        hcl::Value::Object(entries) => Value::from(
            entries
                .iter()
                .map(|(key, item)| (Value::from(key.as_str()), hcl_value(item, depth + 1)))
                .collect::<BTreeMap<Value, Value>>(),
        ),
    }
}

/// Marks an object with the place of a byte offset in a file of the unit (its index in a
/// module; 0 for a file on its own).
pub type Mark<'m> = dyn Fn(&mut BTreeMap<Value, Value>, usize, usize) + 'm;

/// The model of what a unit deploys, each object marked with the place of its fact.
pub fn model(deployment: &Deployment<'_>, mark: &Mark<'_>) -> Value {
    let workloads = deployment.workloads.iter().map(|workload| {
        let containers = workload.containers.iter().map(|container| {
            let mut entries = entries! {
                "name" => container.label.to_string(),
                "image" => or_null(container.image.as_ref().map(|image| image.value.as_str())),
                "image_built_here" => container.image_built_here,
                "long_running" => container.long_running,
                "user" => match container.user {
                    User::NonRoot => "non-root",
                    User::Unknown => "unknown",
                    User::Root { .. } => "root",
                    User::MaybeRoot { .. } => "maybe-root",
                },
                "privileged" => container.privileged.is_some(),
                "capabilities_added" => list(
                    container
                        .capabilities_added
                        .iter()
                        .map(|capability| capability.value.as_str()),
                ),
                "read_only_root_filesystem" => match &container.read_only_root {
                    Setting::Set(fact) => Value::from(fact.value),
                    Setting::Unset { .. } => Value::from(false),
                    Setting::NotSaid => Value::Null,
                },
                "health_checked" => match container.health {
                    Health::Declared => Value::from(true),
                    Health::Missing(_) => Value::from(false),
                    Health::Unknown => Value::Null,
                },
            };
            mark(&mut entries, 0, container.site.start);
            Value::from(entries)
        });
        let mut entries = entries! {
            "name" => workload.label.to_string(),
            "host_namespaces" => list(
                workload
                    .host_namespaces
                    .iter()
                    .map(|namespace| namespace.value.as_str()),
            ),
            "containers" => list(containers),
        };
        if let Some(container) = workload.containers.first() {
            mark(&mut entries, 0, container.site.start);
        }
        Value::from(entries)
    });
    let exposures = deployment.exposures.iter().map(|exposure| {
        let range = |ports: crate::model::Ports| {
            let (low, high) = ports.bounds();
            object! { "from" => u64::from(low), "to" => u64::from(high) }
        };
        let (ports, store) = match &exposure.reach {
            Reach::Ports { open, denied } => {
                let mut ports = BTreeMap::new();
                let (low, high) = open.bounds();
                ports.insert(Value::from("from"), Value::from(u64::from(low)));
                ports.insert(Value::from("to"), Value::from(u64::from(high)));
                ports.insert(
                    Value::from("denied"),
                    list(denied.iter().map(|ports| range(*ports))),
                );
                (Value::from(ports), false)
            }
            Reach::Store { .. } => (Value::Null, true),
        };
        let mut entries = entries! {
            "subject" => exposure.subject.to_string(),
            "audience" => match exposure.audience {
                Audience::Public => "public",
                Audience::Internal => "internal",
                Audience::Local => "local",
            },
            "ports" => ports,
            "data_store" => store,
        };
        mark(&mut entries, exposure.file, exposure.span.start);
        Value::from(entries)
    });
    let secrets = deployment.secrets.iter().map(|secret| {
        let mut entries = entries! {
            "place" => secret.place.as_str(),
            "description" => secret.description.as_str(),
        };
        mark(&mut entries, 0, secret.site.start);
        Value::from(entries)
    });
    object! {
        "workloads" => list(workloads),
        "exposures" => list(exposures),
        "secrets" => list(secrets),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(value: &Value) -> serde_json::Value {
        serde_json::from_str(&value.to_json_str().unwrap()).unwrap()
    }

    use serde_json::json;

    #[test]
    fn plain_scalars_are_typed_as_yaml_core_types_them() {
        assert_eq!(json(&plain_scalar("8080")), json!(8080));
        assert_eq!(json(&plain_scalar("-3")), json!(-3));
        assert_eq!(json(&plain_scalar("0x1F")), json!(31));
        assert_eq!(json(&plain_scalar("1.5")), json!(1.5));
        assert_eq!(json(&plain_scalar("true")), json!(true));
        assert_eq!(plain_scalar("~"), Value::Null);
        assert_eq!(json(&plain_scalar("yes")), json!("yes"));
        assert_eq!(json(&plain_scalar("1.27-alpine")), json!("1.27-alpine"));
        assert_eq!(json(&plain_scalar(".inf")), json!(".inf"));
        assert_eq!(json(&plain_scalar("1e400")), json!("1e400"));
        assert_eq!(json(&plain_scalar("99999999999999999999")), json!(1e20));
    }

    #[test]
    fn mappings_in_lists_carry_their_place_and_tags_their_long_form() {
        let text = "a:\n  b: 1\n  c: !GetAtt Db.Endpoint\n  d: !Ref Name\nl:\n  - e: 2\n";
        let yaml = Yaml::parse(text).unwrap();
        let lines = Lines::new(text);
        let documents: Vec<serde_json::Value> =
            yaml_documents(&yaml, &lines).iter().map(json).collect();
        assert_eq!(documents[0][LINE], json!(1));
        assert_eq!(documents[0]["a"]["b"], json!(1));
        // A mapping under a key may be a dictionary: no place among its keys.
        assert_eq!(documents[0]["a"].get(LINE), None);
        assert_eq!(documents[0]["l"][0][LINE], json!(6));
        assert_eq!(documents[0]["l"][0][COLUMN], json!(5));
        assert_eq!(
            documents[0]["a"]["c"],
            json!({"Fn::GetAtt": ["Db", "Endpoint"]})
        );
        assert_eq!(documents[0]["a"]["d"], json!({"Ref": "Name"}));
        assert_eq!(lines.offset(2, 3), Some(text.find("b:").unwrap()));
    }

    #[test]
    fn merge_keys_are_expanded() {
        let text = "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n";
        let yaml = Yaml::parse(text).unwrap();
        let documents: Vec<serde_json::Value> = yaml_documents(&yaml, &Lines::new(text))
            .iter()
            .map(json)
            .collect();
        assert_eq!(documents[0]["use"]["x"], json!(1));
        assert_eq!(documents[0]["use"]["y"], json!(2));
        assert!(documents[0]["use"].get("<<").is_none());
    }
}
