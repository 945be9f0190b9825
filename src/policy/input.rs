//! What a user's policy reads as `input`: one object per unit (a file, or a Terraform module),
//! built from what the scan parsed and lowered anyway.
//!
//! ```text
//! { "path": "deploy/web.yaml", "format": "kubernetes",
//!   "documents": [ …each document as parsed… ],
//!   "model": { "workloads": […], "exposures": […], "secrets": […] } }
//! ```
//!
//! Every mapping of a document, and every object of the model, carries `__position` (the line
//! and column where it starts, and for a Terraform module the file): a policy points at a node
//! by returning it, and palisade reads back where it is. Documents hold values as written; the
//! model's secrets are described, never quoted. `schemas/policy-input.json` is the contract.

use std::ops::Range;

use serde_json::{Map, Value, json};

use super::Pointer;
use crate::discover::Target;
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use crate::formats::dockerfile::Dockerfile;
use crate::formats::terraform::{Module, Resolved};
use crate::formats::yaml::{MAX_DEPTH, NodeId, NodeKind, Yaml};
use crate::model::{Audience, Deployment, Health, Reach, Setting, User};

/// The key of a node's position.
pub const POSITION: &str = "__position";

/// Line starts of a text, for positions of many offsets.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Lines<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1));
        Lines { text, starts }
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

    /// The `__position` of a byte offset.
    pub fn at(&self, offset: usize, file: Option<&str>) -> Value {
        let (line, column) = self.position(offset);
        let mut position = json!({ "line": line, "column": column });
        if let Some(file) = file {
            position["file"] = Value::from(file);
        }
        position
    }
}

/// The span a pointer into a YAML file means: the entry of its key in the mapping at its
/// position, or the mapping's first key when it names none (or one the mapping lacks).
pub fn yaml_place(yaml: &Yaml, lines: &Lines<'_>, pointer: &Pointer) -> Option<Range<usize>> {
    let offset = lines.offset(pointer.line, pointer.column)?;
    let mapping = (0..yaml.nodes.len()).find(|&id| {
        yaml.span(id).start == offset && matches!(yaml.nodes[id].kind, NodeKind::Mapping(_))
    })?;
    if let Some(entry) = pointer
        .key
        .as_deref()
        .and_then(|key| yaml.get(mapping, key))
    {
        return Some(yaml.site(entry));
    }
    match yaml.pairs(mapping).first() {
        Some(&(key, _)) => Some(yaml.span(key)),
        None => Some(yaml.span(mapping)),
    }
}

/// The input of one unit.
pub fn unit(path: Option<&str>, format: Target, documents: Vec<Value>, model: Value) -> Value {
    json!({
        "path": path,
        "format": format.as_str(),
        "documents": documents,
        "model": model,
    })
}

/// Every document of a YAML (or JSON) file. CloudFormation's short-form functions are read as
/// their long form (`!Ref x` as `{"Ref": "x"}`), as the AWS tools read them.
pub fn yaml_documents(yaml: &Yaml, lines: &Lines<'_>) -> Vec<Value> {
    yaml.documents
        .iter()
        .map(|&document| yaml_value(yaml, document, lines, 0))
        .collect()
}

fn yaml_value(yaml: &Yaml, id: NodeId, lines: &Lines<'_>, depth: usize) -> Value {
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
        NodeKind::Sequence(items) => Value::Array(
            items
                .iter()
                .map(|&item| yaml_value(yaml, item, lines, depth + 1))
                .collect(),
        ),
        NodeKind::Mapping(pairs) => {
            let mut object = Map::new();
            object.insert(
                POSITION.to_owned(),
                lines.at(yaml.span(yaml.resolve(id)).start, None),
            );
            let merges = pairs.iter().any(|&(key, _)| yaml.str(key) == Some("<<"));
            if merges {
                for (name, entry) in yaml.keys(id) {
                    object.insert(name, yaml_value(yaml, entry.value, lines, depth + 1));
                }
            } else {
                for &(key, value) in pairs.iter() {
                    let name = match yaml.str(key) {
                        Some(name) => name.to_owned(),
                        // A complex key (a mapping as key) has no JSON form: its YAML text.
                        None => continue,
                    };
                    object.insert(name, yaml_value(yaml, value, lines, depth + 1));
                }
            }
            Value::Object(object)
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
            let value = match value {
                Value::String(text) => match text.split_once('.') {
                    Some((resource, attribute)) => json!([resource, attribute]),
                    None => Value::String(text),
                },
                other => other,
            };
            ("Fn::GetAtt".to_owned(), value)
        }
        _ => (format!("Fn::{tag}"), value),
    };
    let mut object = Map::new();
    object.insert(name, value);
    Value::Object(object)
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
        Ok(number) if float_like && number.is_finite() => {
            serde_json::Number::from_f64(number).map_or_else(|| Value::from(text), Value::Number)
        }
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
    let instructions: Vec<Value> = dockerfile
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
            let mut object = json!({
                "instruction": keyword.to_ascii_uppercase(),
                "arguments": arguments.trim(),
                "stage": stage_of[index],
            });
            let pairs = dockerfile.key_values(index);
            if !pairs.is_empty() {
                object["pairs"] = pairs
                    .iter()
                    .map(|pair| json!({ "key": pair.key, "value": pair.value }))
                    .collect();
            }
            object[POSITION] = lines.at(span.start, None);
            object
        })
        .collect();
    let stages: Vec<Value> = dockerfile
        .stages
        .iter()
        .map(|stage| {
            let from = &dockerfile.instructions[stage.from];
            let span = dockerfile.instruction_span(from);
            let image = dockerfile
                .text
                .get(span.clone())
                .unwrap_or_default()
                .split_whitespace()
                .skip(1)
                .find(|word| !word.starts_with("--"))
                .unwrap_or_default();
            json!({
                "index": stage.index,
                "name": stage.name,
                "image": image,
                "final": stage.index + 1 == dockerfile.stages.len(),
                "ships": stage.reaches_final_image,
                POSITION: lines.at(span.start, None),
            })
        })
        .collect();
    json!({ "instructions": instructions, "stages": stages })
}

/// Where the attributes and nested blocks of each Terraform body are, by the file and offset of
/// the body's block, for results that name a key.
pub type TerraformKeys = std::collections::HashMap<(usize, usize), Vec<(String, Range<usize>)>>;

/// A Terraform module as one document per file: `{"file": name, "blocks": [...]}`, each block
/// `{"type", "labels", "body", "__position"}`. Attributes hold their value when the module
/// alone decides it (variables and locals resolved), else their expression (`"${var.x}"`);
/// nested blocks are lists of bodies under their type.
pub fn terraform_documents(module: &Module, keys: &mut TerraformKeys) -> Vec<Value> {
    let names: Vec<String> = module
        .files
        .iter()
        .map(|file| {
            file.path
                .file_name()
                .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
        })
        .collect();
    let lines: Vec<Lines<'_>> = module
        .files
        .iter()
        .map(|file| Lines::new(file.source()))
        .collect();
    let mut blocks: Vec<Vec<Value>> = vec![Vec::new(); module.files.len()];
    let mut values: Vec<Map<String, Value>> = vec![Map::new(); module.files.len()];
    for (at, tree) in module.items() {
        let file = &module.files[at.file];
        let reader = TerraformReader {
            module,
            file: at.file,
            name: &names[at.file],
            lines: &lines[at.file],
            to_source: &|span: Range<usize>| file.source_span(at.in_file(span)),
        };
        for structure in tree.iter() {
            match structure {
                Structure::Block(block) => blocks[at.file].push(reader.block(block, keys, 0)),
                Structure::Attribute(attribute) => {
                    values[at.file].insert(
                        attribute.key.as_str().to_owned(),
                        reader.expression(&attribute.value),
                    );
                }
            }
        }
    }
    names
        .into_iter()
        .zip(blocks.into_iter().zip(values))
        .map(|(name, (blocks, values))| {
            let mut document = json!({ "file": name, "blocks": blocks });
            if !values.is_empty() {
                document["values"] = Value::Object(values);
            }
            document
        })
        .collect()
}

struct TerraformReader<'r> {
    module: &'r Module,
    file: usize,
    name: &'r str,
    lines: &'r Lines<'r>,
    to_source: &'r dyn Fn(Range<usize>) -> Range<usize>,
}

impl TerraformReader<'_> {
    fn block(&self, block: &Block, keys: &mut TerraformKeys, depth: usize) -> Value {
        let start = block
            .ident
            .span()
            .map_or(0, |span| (self.to_source)(span).start);
        let mut object = json!({
            "type": block.ident.as_str(),
            "labels": block.labels.iter().map(|label| label.as_str()).collect::<Vec<_>>(),
            "body": self.body(&block.body, start, keys, depth),
        });
        object[POSITION] = self.lines.at(start, Some(self.name));
        object
    }

    fn body(&self, body: &Body, start: usize, keys: &mut TerraformKeys, depth: usize) -> Value {
        let mut object = Map::new();
        let mut places = Vec::new();
        if depth > MAX_DEPTH {
            return Value::Object(object);
        }
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    if let Some(span) = attribute.span() {
                        places.push((attribute.key.as_str().to_owned(), (self.to_source)(span)));
                    }
                    object.insert(
                        attribute.key.as_str().to_owned(),
                        self.expression(&attribute.value),
                    );
                }
                Structure::Block(block) => {
                    let nested_start = block
                        .ident
                        .span()
                        .map_or(start, |span| (self.to_source)(span).start);
                    if let Some(span) = block.span() {
                        places.push((block.ident.as_str().to_owned(), (self.to_source)(span)));
                    }
                    let mut nested = match self.body(&block.body, nested_start, keys, depth + 1) {
                        Value::Object(nested) => nested,
                        _ => Map::new(),
                    };
                    nested.insert(
                        POSITION.to_owned(),
                        self.lines.at(nested_start, Some(self.name)),
                    );
                    if !block.labels.is_empty() {
                        nested.insert(
                            "__labels".to_owned(),
                            block.labels.iter().map(|label| label.as_str()).collect(),
                        );
                    }
                    let list = object
                        .entry(block.ident.as_str().to_owned())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = list {
                        list.push(Value::Object(nested));
                    }
                }
            }
        }
        keys.insert((self.file, start), places);
        Value::Object(object)
    }

    /// The value the module gives an expression, or its text as Terraform's JSON syntax
    /// writes an expression (`"${aws_vpc.main.id}"`).
    fn expression(&self, expression: &Expression) -> Value {
        match self.module.eval(expression) {
            Resolved::Known(value) => serde_json::to_value(&value).unwrap_or(Value::Null),
            Resolved::Unknown => {
                let text = hcl::Expression::from(expression.clone()).to_string();
                Value::from(format!("${{{}}}", text.trim()))
            }
        }
    }
}

/// The span a pointer into a Terraform module means: the attribute or nested block of its key
/// in the block at its position, or the block's first line.
pub fn terraform_place(
    module: &Module,
    keys: &TerraformKeys,
    pointer: &Pointer,
) -> Option<(usize, Range<usize>)> {
    let file = module.files.iter().position(|file| {
        pointer.file.as_deref().is_some_and(|name| {
            file.path
                .file_name()
                .is_some_and(|own| own.to_string_lossy() == name)
        })
    })?;
    let source = module.files[file].source();
    let lines = Lines::new(source);
    let offset = lines.offset(pointer.line, pointer.column)?;
    let named = pointer.key.as_deref().and_then(|key| {
        keys.get(&(file, offset))?
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

/// The model of what a unit deploys; `at` gives the position of a span in the unit's file
/// (`file`: which file of a module).
pub fn model(deployment: &Deployment<'_>, at: &dyn Fn(usize, Range<usize>) -> Value) -> Value {
    let workloads: Vec<Value> = deployment
        .workloads
        .iter()
        .map(|workload| {
            let containers: Vec<Value> = workload
                .containers
                .iter()
                .map(|container| {
                    json!({
                        "name": container.label.to_string(),
                        "image": container.image.as_ref().map(|image| &image.value),
                        "image_built_here": container.image_built_here,
                        "long_running": container.long_running,
                        "user": match container.user {
                            User::NonRoot => "non-root",
                            User::Unknown => "unknown",
                            User::Root { .. } => "root",
                            User::MaybeRoot { .. } => "maybe-root",
                        },
                        "privileged": container.privileged.is_some(),
                        "capabilities_added": container
                            .capabilities_added
                            .iter()
                            .map(|capability| capability.value.as_str())
                            .collect::<Vec<_>>(),
                        "read_only_root_filesystem": match &container.read_only_root {
                            Setting::Set(fact) => Some(fact.value),
                            Setting::Unset { .. } => Some(false),
                            Setting::NotSaid => None,
                        },
                        "health_checked": match container.health {
                            Health::Declared => Some(true),
                            Health::Missing(_) => Some(false),
                            Health::Unknown => None,
                        },
                        POSITION: at(0, container.site.clone()),
                    })
                })
                .collect();
            let position = workload
                .containers
                .first()
                .map_or(Value::Null, |container| at(0, container.site.clone()));
            json!({
                "name": workload.label.to_string(),
                "host_namespaces": workload
                    .host_namespaces
                    .iter()
                    .map(|namespace| namespace.value.as_str())
                    .collect::<Vec<_>>(),
                "containers": containers,
                POSITION: position,
            })
        })
        .collect();
    let exposures: Vec<Value> = deployment
        .exposures
        .iter()
        .map(|exposure| {
            let (ports, store) = match &exposure.reach {
                Reach::Ports { open, denied } => {
                    let (low, high) = open.bounds();
                    let denied: Vec<Value> = denied
                        .iter()
                        .map(|ports| {
                            let (low, high) = ports.bounds();
                            json!({ "from": low, "to": high })
                        })
                        .collect();
                    (json!({ "from": low, "to": high, "denied": denied }), false)
                }
                Reach::Store { .. } => (Value::Null, true),
            };
            json!({
                "subject": exposure.subject.to_string(),
                "audience": match exposure.audience {
                    Audience::Public => "public",
                    Audience::Internal => "internal",
                    Audience::Local => "local",
                },
                "ports": ports,
                "data_store": store,
                POSITION: at(exposure.file, exposure.span.clone()),
            })
        })
        .collect();
    let secrets: Vec<Value> = deployment
        .secrets
        .iter()
        .map(|secret| {
            json!({
                "place": secret.place,
                "description": secret.description,
                POSITION: at(0, secret.site.clone()),
            })
        })
        .collect();
    json!({ "workloads": workloads, "exposures": exposures, "secrets": secrets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_typed_as_yaml_core_types_them() {
        assert_eq!(plain_scalar("8080"), json!(8080));
        assert_eq!(plain_scalar("-3"), json!(-3));
        assert_eq!(plain_scalar("0x1F"), json!(31));
        assert_eq!(plain_scalar("1.5"), json!(1.5));
        assert_eq!(plain_scalar("true"), json!(true));
        assert_eq!(plain_scalar("~"), Value::Null);
        assert_eq!(plain_scalar("yes"), json!("yes"));
        assert_eq!(plain_scalar("1.27-alpine"), json!("1.27-alpine"));
        assert_eq!(plain_scalar(".inf"), json!(".inf"));
        assert_eq!(plain_scalar("1e400"), json!("1e400"));
        assert_eq!(plain_scalar("99999999999999999999"), json!(1e20));
    }

    #[test]
    fn mappings_carry_their_position_and_tags_their_long_form() {
        let text = "a:\n  b: 1\n  c: !GetAtt Db.Endpoint\n  d: !Ref Name\n";
        let yaml = Yaml::parse(text).unwrap();
        let lines = Lines::new(text);
        let documents = yaml_documents(&yaml, &lines);
        assert_eq!(documents[0]["a"]["b"], json!(1));
        assert_eq!(documents[0]["a"][POSITION], json!({"line": 2, "column": 3}));
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
        let documents = yaml_documents(&yaml, &Lines::new(text));
        assert_eq!(documents[0]["use"]["x"], json!(1));
        assert_eq!(documents[0]["use"]["y"], json!(2));
        assert!(documents[0]["use"].get("<<").is_none());
    }
}
