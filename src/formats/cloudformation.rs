//! AWS CloudFormation templates (and SAM's), YAML or JSON, read from the YAML tree with every
//! position kept. A template is known by what it holds: `AWSTemplateFormatVersion`, or
//! `Resources` of `AWS::…` types.
//!
//! Properties are values or intrinsic functions, written in full (`{"Ref": "Port"}`,
//! `Fn::Sub: …`) or in YAML's short form (`!Ref Port`, `!Sub …`). [`Template::value`] resolves
//! what the template itself decides: a parameter's `Default` (or the value the scan is given
//! for it), `Mappings` through `!FindInMap`, `Conditions` through `!If`, and `!Sub`, `!Join`,
//! `!Select`, `!Split` and `!Base64` of known values. Everything else (a resource's id or
//! attribute, an imported value, the region) is [`Value::Unknown`], and no rule guesses it.

use std::ops::Range;

use crate::formats::yaml::{Entry, NodeId, Yaml};

/// How deep functions may nest before a value is unknown (real templates nest a few levels).
const MAX_DEPTH: usize = 32;

/// A template.
pub struct Template<'y> {
    pub yaml: &'y Yaml,
    pub root: NodeId,
    pub resources: Vec<Resource>,
    /// `Transform: AWS::Serverless-…`: a SAM template.
    pub sam: bool,
    parameters: Vec<Parameter>,
    /// Values the scan gives parameters (a parameters file), over their defaults.
    given: Vec<(String, String)>,
}

/// A parameter and its default.
pub struct Parameter {
    pub name: String,
    pub default: Option<Entry>,
    /// `NoEcho: true`: the value is a secret, by the author's own word.
    pub no_echo: bool,
}

/// A resource of the template.
pub struct Resource {
    /// Its logical id.
    pub id: String,
    /// Its type: `AWS::EC2::SecurityGroup`.
    pub kind: String,
    /// Where to point for the resource as a whole: its logical id.
    pub site: Range<usize>,
    pub properties: Option<NodeId>,
}

/// What a value is, as far as the template decides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A scalar (numbers and booleans as written: `"true"`, `22`).
    Str(String),
    List(Vec<Value>),
    /// A mapping, read node by node.
    Mapping(NodeId),
    /// `AWS::NoValue`: the property is left out.
    Absent,
    /// Decided when the stack is deployed.
    Unknown,
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// `true`/`false`, any case, as CloudFormation reads booleans written as strings.
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_str()?.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }
}

impl<'y> Template<'y> {
    /// The template in `yaml`, with values given to its parameters; `None` for any other
    /// document.
    pub fn new(yaml: &'y Yaml, given: &[(String, String)]) -> Option<Template<'y>> {
        let root = *yaml.documents.first()?;
        let resources_entry = yaml.get(root, "Resources");
        let versioned = yaml.get(root, "AWSTemplateFormatVersion").is_some();
        let mut resources = Vec::new();
        if let Some(entry) = resources_entry {
            for (id, resource) in yaml.keys(entry.value) {
                let Some(kind) = yaml
                    .get(resource.value, "Type")
                    .and_then(|t| yaml.str(t.value))
                else {
                    continue;
                };
                resources.push(Resource {
                    id,
                    kind: kind.to_owned(),
                    site: yaml.span(resource.key),
                    properties: yaml.get(resource.value, "Properties").map(|p| p.value),
                });
            }
        }
        let typed = resources
            .iter()
            .any(|r| r.kind.starts_with("AWS::") || r.kind.starts_with("Custom::"));
        if !versioned && !typed {
            return None;
        }
        let sam = yaml.get(root, "Transform").is_some_and(|t| {
            let names: Vec<&str> = match yaml.str(t.value) {
                Some(one) => vec![one],
                None => yaml
                    .items(t.value)
                    .iter()
                    .filter_map(|&i| yaml.str(i))
                    .collect(),
            };
            names.iter().any(|n| n.starts_with("AWS::Serverless"))
        });
        let parameters = yaml
            .get(root, "Parameters")
            .map(|p| yaml.keys(p.value))
            .unwrap_or_default()
            .into_iter()
            .map(|(name, entry)| Parameter {
                default: yaml.get(entry.value, "Default"),
                no_echo: yaml
                    .get(entry.value, "NoEcho")
                    .and_then(|n| yaml.str(n.value))
                    .is_some_and(|n| n.eq_ignore_ascii_case("true")),
                name,
            })
            .collect();
        Some(Template {
            yaml,
            root,
            resources,
            sam,
            parameters,
            given: given.to_vec(),
        })
    }

    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// The resources of any of `kinds`.
    pub fn resources_of<'t>(&'t self, kinds: &'t [&str]) -> impl Iterator<Item = &'t Resource> {
        self.resources
            .iter()
            .filter(move |r| kinds.contains(&r.kind.as_str()))
    }

    /// A property of a mapping (a resource's `Properties`, or a nested one), as an entry.
    pub fn property(&self, node: Option<NodeId>, key: &str) -> Option<Entry> {
        self.yaml.get(node?, key)
    }

    /// The value of a property of a mapping, resolved.
    pub fn property_value(&self, node: Option<NodeId>, key: &str) -> Value {
        match self.property(node, key) {
            Some(entry) => self.value(entry.value),
            None => Value::Absent,
        }
    }

    /// An intrinsic function call: its name in full (`Ref`, `Fn::Sub`, `Condition`) and its
    /// argument. `!Sub x` is `Fn::Sub` of the node itself; `{"Fn::Sub": x}` of `x`.
    pub fn function(&self, node: NodeId) -> Option<(String, NodeId)> {
        let yaml = self.yaml;
        if let Some(tag) = yaml.tag(node) {
            let name = match tag {
                "Ref" | "Condition" => tag.to_owned(),
                other => format!("Fn::{other}"),
            };
            return Some((name, node));
        }
        if !yaml.is_mapping(node) {
            return None;
        }
        let keys = yaml.keys(node);
        match keys.as_slice() {
            [(name, entry)] if name == "Ref" || name == "Condition" || name.starts_with("Fn::") => {
                Some((name.clone(), entry.value))
            }
            _ => None,
        }
    }

    /// What `node` is, as far as the template decides it.
    pub fn value(&self, node: NodeId) -> Value {
        self.evaluate(node, &[], 0)
    }

    /// The parameter or `!Sub` variable a `!Ref` names, if its value is known.
    fn named(&self, name: &str, variables: &[(String, Value)], depth: usize) -> Value {
        if let Some((_, value)) = variables.iter().find(|(n, _)| n == name) {
            return value.clone();
        }
        if name == "AWS::NoValue" {
            return Value::Absent;
        }
        if let Some((_, value)) = self.given.iter().find(|(n, _)| n == name) {
            return Value::Str(value.clone());
        }
        match self.parameters.iter().find(|p| p.name == name) {
            Some(parameter) => match parameter.default {
                Some(default) => self.evaluate(default.value, &[], depth + 1),
                None => Value::Unknown,
            },
            // A resource's id, or a pseudo parameter (the region, the account).
            None => Value::Unknown,
        }
    }

    fn evaluate(&self, node: NodeId, variables: &[(String, Value)], depth: usize) -> Value {
        let yaml = self.yaml;
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let Some((name, argument)) = self.function(node) else {
            if let Some(text) = yaml.str(node) {
                return Value::Str(text.to_owned());
            }
            if yaml.is_mapping(node) {
                return Value::Mapping(node);
            }
            return Value::List(
                yaml.items(node)
                    .iter()
                    .map(|&item| self.evaluate(item, variables, depth + 1))
                    .filter(|v| *v != Value::Absent)
                    .collect(),
            );
        };
        let arguments = |node: NodeId| -> Vec<Value> {
            yaml.items(node)
                .iter()
                .map(|&item| self.evaluate(item, variables, depth + 1))
                .collect()
        };
        match name.as_str() {
            "Ref" => match yaml.str(argument) {
                Some(name) => self.named(name.trim(), variables, depth),
                None => Value::Unknown,
            },
            "Fn::Sub" => self.substitute(argument, variables, depth),
            "Fn::Join" => match arguments(argument).as_slice() {
                [Value::Str(separator), Value::List(items)] => {
                    let parts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
                    parts.map_or(Value::Unknown, |parts| Value::Str(parts.join(separator)))
                }
                _ => Value::Unknown,
            },
            "Fn::Select" => match arguments(argument).as_slice() {
                [Value::Str(index), Value::List(items)] => index
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.get(i).cloned())
                    .unwrap_or(Value::Unknown),
                _ => Value::Unknown,
            },
            "Fn::Split" => match arguments(argument).as_slice() {
                [Value::Str(separator), Value::Str(text)] if !separator.is_empty() => Value::List(
                    text.split(separator.as_str())
                        .map(|part| Value::Str(part.to_owned()))
                        .collect(),
                ),
                _ => Value::Unknown,
            },
            "Fn::Base64" => self.evaluate(argument, variables, depth + 1),
            "Fn::FindInMap" => {
                let keys = arguments(argument);
                let keys: Option<Vec<&str>> = keys.iter().take(3).map(Value::as_str).collect();
                match keys.as_deref() {
                    Some([map, top, second]) => self
                        .mapping(map, top, second)
                        .map_or(Value::Unknown, |n| self.evaluate(n, variables, depth + 1)),
                    _ => Value::Unknown,
                }
            }
            "Fn::If" => {
                let items = yaml.items(argument);
                let [condition, then, otherwise] = items else {
                    return Value::Unknown;
                };
                let chosen = yaml
                    .str(*condition)
                    .and_then(|c| self.condition_named(c.trim(), depth + 1));
                match chosen {
                    Some(true) => self.evaluate(*then, variables, depth + 1),
                    Some(false) => self.evaluate(*otherwise, variables, depth + 1),
                    None => Value::Unknown,
                }
            }
            _ => Value::Unknown,
        }
    }

    /// `!Sub "text ${Name}"` or `!Sub ["text ${Name}", {Name: value}]`; `${!Literal}` is
    /// written as `${Literal}`.
    fn substitute(&self, argument: NodeId, variables: &[(String, Value)], depth: usize) -> Value {
        let yaml = self.yaml;
        let (template, mut own) = match yaml.str(argument) {
            Some(text) => (text, Vec::new()),
            None => {
                let items = yaml.items(argument);
                let Some(text) = items.first().and_then(|&t| yaml.str(t)) else {
                    return Value::Unknown;
                };
                let own: Vec<(String, Value)> = items
                    .get(1)
                    .map(|&map| {
                        yaml.keys(map)
                            .into_iter()
                            .map(|(name, entry)| {
                                (name, self.evaluate(entry.value, variables, depth + 1))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                (text, own)
            }
        };
        own.extend(variables.iter().cloned());
        let mut out = String::new();
        let mut rest = template;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[at..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if name.contains('.') {
                // `${Resource.Attribute}`: a `!GetAtt`.
                return Value::Unknown;
            } else {
                match self.named(name.trim(), &own, depth + 1) {
                    Value::Str(value) => out.push_str(&value),
                    _ => return Value::Unknown,
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Value::Str(out)
    }

    /// `Mappings.<map>.<top>.<second>`.
    fn mapping(&self, map: &str, top: &str, second: &str) -> Option<NodeId> {
        let yaml = self.yaml;
        let mappings = yaml.get(self.root, "Mappings")?.value;
        let node = yaml.get(mappings, map)?.value;
        let node = yaml.get(node, top)?.value;
        Some(yaml.get(node, second)?.value)
    }

    /// Whether a condition of `Conditions` holds, when the template decides it.
    fn condition_named(&self, name: &str, depth: usize) -> Option<bool> {
        let node = self.yaml.get(self.root, "Conditions")?.value;
        let condition = self.yaml.get(node, name)?.value;
        self.condition(condition, depth + 1)
    }

    fn condition(&self, node: NodeId, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let yaml = self.yaml;
        let (name, argument) = self.function(node)?;
        let items = yaml.items(argument);
        match name.as_str() {
            "Condition" => self.condition_named(yaml.str(argument)?.trim(), depth),
            "Fn::Equals" => match items {
                [a, b] => {
                    let (a, b) = (self.evaluate(*a, &[], depth), self.evaluate(*b, &[], depth));
                    Some(a.as_str()? == b.as_str()?)
                }
                _ => None,
            },
            "Fn::Not" => Some(!self.condition(*items.first()?, depth + 1)?),
            "Fn::And" => {
                let values: Option<Vec<bool>> = items
                    .iter()
                    .map(|&c| self.condition(c, depth + 1))
                    .collect();
                Some(values?.iter().all(|&v| v))
            }
            "Fn::Or" => {
                let values: Option<Vec<bool>> = items
                    .iter()
                    .map(|&c| self.condition(c, depth + 1))
                    .collect();
                Some(values?.iter().any(|&v| v))
            }
            _ => None,
        }
    }

    /// Every reference (`!Ref X`, `!GetAtt X.Attr`, `${X}` in a `!Sub`) under `node`, with the
    /// key of the mapping it is written under (the nearest one): `(key, X)`.
    pub fn references(&self, node: NodeId) -> Vec<(String, String)> {
        let mut found = Vec::new();
        self.collect_references(node, "", 0, &mut found);
        found
    }

    /// The resources and parameters named under `node` ([`references`](Template::references)
    /// without their keys).
    pub fn referenced(&self, node: NodeId) -> Vec<String> {
        self.references(node)
            .into_iter()
            .map(|(_, named)| named)
            .collect()
    }

    fn collect_references(
        &self,
        node: NodeId,
        key: &str,
        depth: usize,
        found: &mut Vec<(String, String)>,
    ) {
        let yaml = self.yaml;
        if depth > MAX_DEPTH * 4 {
            return;
        }
        if let Some((name, argument)) = self.function(node) {
            let named = match name.as_str() {
                "Ref" => yaml.str(argument).map(str::to_owned),
                "Fn::GetAtt" => match yaml.str(argument) {
                    Some(text) => text.split('.').next().map(str::to_owned),
                    None => yaml
                        .items(argument)
                        .first()
                        .and_then(|&first| yaml.str(first))
                        .map(str::to_owned),
                },
                "Fn::Sub" => {
                    let text = yaml
                        .str(argument)
                        .or_else(|| yaml.items(argument).first().and_then(|&t| yaml.str(t)));
                    for name in text.map(sub_names).unwrap_or_default() {
                        found.push((key.to_owned(), name));
                    }
                    None
                }
                _ => None,
            };
            if let Some(named) = named {
                found.push((key.to_owned(), named.trim().to_owned()));
                return;
            }
        }
        if yaml.is_mapping(node) {
            for (name, entry) in yaml.keys(node) {
                let inner = if name == "Ref" || name.starts_with("Fn::") {
                    key
                } else {
                    name.as_str()
                };
                self.collect_references(entry.value, inner, depth + 1, found);
            }
        } else {
            for &item in yaml.items(node) {
                self.collect_references(item, key, depth + 1, found);
            }
        }
    }

    /// The parameter a property names with `!Ref` (to say where its value comes from).
    pub fn referenced_parameter(&self, node: NodeId) -> Option<&Parameter> {
        let (name, argument) = self.function(node)?;
        if name != "Ref" {
            return None;
        }
        let wanted = self.yaml.str(argument)?.trim();
        self.parameters.iter().find(|p| p.name == wanted)
    }
}

/// The resources and parameters a `!Sub` text names: `${X}` and `${X.Attr}`, not `${!X}`.
fn sub_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = &after[..end];
        if !name.starts_with('!') {
            names.push(name.split('.').next().unwrap_or(name).trim().to_owned());
        }
        rest = &after[end + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str) -> Yaml {
        Yaml::parse(text).unwrap()
    }

    #[test]
    fn short_and_long_forms_resolve_what_the_template_decides() {
        let yaml = template(
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Cidr:\n    Type: String\n    Default: 0.0.0.0/0\n  Env:\n    Type: String\n    Default: prod\n  Open:\n    Type: String\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n  NotProd: !Not [!Condition IsProd]\nMappings:\n  Ports:\n    prod:\n      Db: 5432\nResources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      A: !Ref Cidr\n      B: !Sub '${Env}-db-${!Literal}'\n      C: !FindInMap [Ports, !Ref Env, Db]\n      D: !If [IsProd, yes-prod, no-prod]\n      E: !If [NotProd, x, !Ref AWS::NoValue]\n      F: !Join ['', [a, !Ref Env]]\n      G: !Select [1, !Split [',', 'a,b,c']]\n      H: !Ref Open\n      I: !GetAtt Other.Arn\n      J: !Sub '${AWS::Region}'\n      K: {\"Fn::Join\": [\"-\", [{\"Ref\": \"Env\"}, x]]}\n",
        );
        let t = Template::new(&yaml, &[]).unwrap();
        let properties = t.resources[0].properties;
        let value = |key| t.property_value(properties, key);
        assert_eq!(value("A"), Value::Str("0.0.0.0/0".into()));
        assert_eq!(value("B"), Value::Str("prod-db-${Literal}".into()));
        assert_eq!(value("C"), Value::Str("5432".into()));
        assert_eq!(value("D"), Value::Str("yes-prod".into()));
        assert_eq!(value("E"), Value::Absent);
        assert_eq!(value("F"), Value::Str("aprod".into()));
        assert_eq!(value("G"), Value::Str("b".into()));
        assert_eq!(value("H"), Value::Unknown);
        assert_eq!(value("I"), Value::Unknown);
        assert_eq!(value("J"), Value::Unknown);
        assert_eq!(value("K"), Value::Str("prod-x".into()));
        assert_eq!(value("Missing"), Value::Absent);
        // A value given to the scan wins over the default.
        let given = [("Cidr".to_owned(), "10.0.0.0/8".to_owned())];
        let t = Template::new(&yaml, &given).unwrap();
        assert_eq!(
            t.property_value(properties, "A"),
            Value::Str("10.0.0.0/8".into())
        );
    }

    #[test]
    fn templates_are_known_by_their_content() {
        let yaml = template("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n");
        assert!(Template::new(&yaml, &[]).is_some());
        let yaml = template(
            "{\"Transform\": \"AWS::Serverless-2016-10-31\", \"Resources\": {\"Fn\": {\"Type\": \"AWS::Serverless::Function\"}}}",
        );
        assert!(Template::new(&yaml, &[]).unwrap().sam);
        let yaml = template("services:\n  web:\n    image: nginx\n");
        assert!(Template::new(&yaml, &[]).is_none());
    }

    #[test]
    fn self_referencing_values_end() {
        let yaml = template(
            "Conditions:\n  A: !Condition A\nResources:\n  X:\n    Type: AWS::S3::Bucket\n    Properties:\n      P: !If [A, a, b]\n",
        );
        let t = Template::new(&yaml, &[]).unwrap();
        assert_eq!(
            t.property_value(t.resources[0].properties, "P"),
            Value::Unknown
        );
    }
}
