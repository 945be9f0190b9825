//! Terraform's JSON syntax (`.tf.json`, `.tfvars.json`), read by translating it into native HCL
//! with a map back to the JSON's byte offsets.
//!
//! Why a translation rather than a second document model: every Terraform rule reads `hcl-edit`
//! bodies and evaluates them with `hcl-rs`, and `hcl-edit` takes spans only from its own parser.
//! Writing the JSON out as HCL lets one set of rules, one evaluator and one span API serve both
//! syntaxes, and the [`SpanMap`] sends every finding back to the JSON the user wrote.
//!
//! The translation follows Terraform's JSON configuration syntax:
//!
//! - top-level properties are block types; `resource`, `data` and `ephemeral` take two labels,
//!   `variable`, `output`, `module`, `provider` and `check` one, others none; at every level an
//!   array of objects stands for several blocks;
//! - strings are templates (`"${var.cidr}"`), except a variable's `default` and the values of a
//!   `.tfvars.json` file, which are taken literally;
//! - a property named `//` in a block is a comment;
//! - `dynamic` and `provisioner` keep their labelled shape.
//!
//! Terraform tells a nested block from an attribute with the provider's schema, which a scanner
//! does not have. Here, inside a resource, an object (or a list of objects) whose keys are all
//! identifiers is a nested block (`ingress`, `settings`, `ip_configuration`), unless its name is
//! one of the well-known map arguments (`tags`, `labels`, …); anything else is an attribute. A map
//! read as a block costs nothing to the rules: its entries are still judged, by their own names.

use std::ops::Range;
use std::path::PathBuf;

use jsonc_parser::ast::{Object, StringLit, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::{CollectOptions, ParseOptions};

use crate::source::SourceFile;

/// A JSON file written out as HCL.
#[derive(Debug)]
pub struct Translation {
    pub hcl: String,
    pub map: SpanMap,
}

/// A JSON file that cannot be read, with its 1-based line and column.
#[derive(Debug)]
pub struct JsonError {
    pub message: String,
    pub position: Option<(usize, usize)>,
}

/// From byte ranges of the HCL translation to byte ranges of the JSON text.
#[derive(Debug, Default)]
pub struct SpanMap {
    /// Pieces of the translation that stand for a piece of the JSON, in order, not overlapping.
    /// Where both have the same length the piece was copied and maps byte for byte; otherwise
    /// (`"key"` became `key`) its ends map to the ends of the original.
    segments: Vec<Segment>,
}

#[derive(Debug)]
struct Segment {
    translated: Range<usize>,
    original: Range<usize>,
}

impl SpanMap {
    /// The JSON range a range of the translation stands for.
    pub fn original(&self, span: Range<usize>) -> Range<usize> {
        let start = self.point(span.start, false);
        let end = if span.end > span.start {
            self.point(span.end, true)
        } else {
            start
        };
        start..end.max(start)
    }

    /// Maps one offset. A start falling between pieces moves forward to the next piece; an end
    /// moves back to the end of the previous one.
    fn point(&self, at: usize, is_end: bool) -> usize {
        let after = self.segments.partition_point(|s| {
            if is_end {
                s.translated.start < at
            } else {
                s.translated.start <= at
            }
        });
        let Some(segment) = after.checked_sub(1).map(|i| &self.segments[i]) else {
            return self.segments.first().map_or(0, |s| s.original.start);
        };
        let inside = if is_end {
            at <= segment.translated.end
        } else {
            at < segment.translated.end
        };
        if !inside {
            return match self.segments.get(after) {
                Some(next) if !is_end => next.original.start,
                _ => segment.original.end,
            };
        }
        if segment.translated.len() == segment.original.len() {
            segment.original.start + (at - segment.translated.start)
        } else if is_end {
            segment.original.end
        } else {
            segment.original.start
        }
    }
}

/// How strings are read: as templates (`"${var.x}"` reads a variable) or literally.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Template,
    Literal,
}

/// What the properties of a block's body are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// Resources, data sources, providers, nested blocks: blocks and attributes by shape.
    Nested,
    /// `module`, `output`, `locals`: every property is an argument.
    Arguments,
    /// `variable`: its `default` is a literal value.
    Variable,
    /// `dynamic "name"`: `for_each`, `iterator`, `content`.
    Dynamic,
}

/// Map-typed arguments common across providers, never read as nested blocks.
const MAP_ARGUMENTS: &[&str] = &[
    "annotations",
    "app_settings",
    "environment_variables",
    "labels",
    "parameters",
    "tags",
    "tags_all",
    "triggers",
    "variables",
];

/// Translates a `.tf.json` file.
pub fn translate(text: &str) -> Result<Translation, JsonError> {
    let root = parse_object(text)?;
    let mut out = Emitter::new(text);
    for property in &root.properties {
        let name = property.name.as_str();
        if name == "//" || !is_identifier(name) {
            continue;
        }
        let labels = match name {
            "resource" | "data" | "ephemeral" => 2,
            "variable" | "output" | "module" | "provider" | "check" => 1,
            _ => 0,
        };
        let kind = match name {
            "variable" => BodyKind::Variable,
            "module" | "output" | "locals" => BodyKind::Arguments,
            _ => BodyKind::Nested,
        };
        let header = span(&property.name);
        out.blocks(name, header, &property.value, &mut Vec::new(), labels, kind);
    }
    Ok(out.finish())
}

/// Translates a `.tfvars.json` file: one literal value per variable.
pub fn translate_values(text: &str) -> Result<Translation, JsonError> {
    let root = parse_object(text)?;
    let mut out = Emitter::new(text);
    for property in &root.properties {
        let name = property.name.as_str();
        if is_identifier(name) {
            out.attribute(name, span(&property.name), &property.value, Mode::Literal);
        }
    }
    Ok(out.finish())
}

/// Parses a file that must hold one JSON object, as Terraform's JSON files do.
fn parse_object(text: &str) -> Result<Object<'_>, JsonError> {
    // Terraform reads strict JSON: no comments, trailing commas or JSON5 extensions.
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed =
        jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict).map_err(|error| {
            JsonError {
                message: error.kind().to_string(),
                position: Some((error.line_display(), error.column_display())),
            }
        })?;
    match parsed.value {
        Some(Value::Object(root)) => Ok(root),
        Some(value) => {
            let at = SourceFile::new(PathBuf::new(), text.to_owned()).position(span(&value).start);
            Err(JsonError {
                message: "Terraform JSON must be an object at the top level".to_owned(),
                position: Some((at.line, at.column)),
            })
        }
        None => Err(JsonError {
            message: "the file holds no JSON value".to_owned(),
            position: None,
        }),
    }
}

/// A JSON node's byte range.
fn span(node: &impl Ranged) -> Range<usize> {
    let range = node.range();
    range.start..range.end
}

/// Writes HCL and records which piece of it stands for which piece of JSON.
struct Emitter<'t> {
    source: &'t str,
    out: String,
    segments: Vec<Segment>,
}

impl<'t> Emitter<'t> {
    fn new(source: &'t str) -> Self {
        Self {
            source,
            out: String::with_capacity(source.len() + source.len() / 4),
            segments: Vec::new(),
        }
    }

    fn finish(self) -> Translation {
        Translation {
            hcl: self.out,
            map: SpanMap {
                segments: self.segments,
            },
        }
    }

    /// Text with no counterpart in the JSON: spaces, `=`, newlines.
    fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// Text standing for `original`.
    fn mapped(&mut self, text: &str, original: Range<usize>) {
        let start = self.out.len();
        self.out.push_str(text);
        if !text.is_empty() {
            self.segments.push(Segment {
                translated: start..self.out.len(),
                original,
            });
        }
    }

    /// A piece of the JSON copied as it is.
    fn copy(&mut self, original: Range<usize>) {
        let text = self.source[original.clone()].to_owned();
        self.mapped(&text, original);
    }

    /// Blocks of type `ident` from a JSON value: `labels` more levels of labels to read, then a
    /// body (or an array of bodies). A finding about the block points at its innermost label.
    fn blocks(
        &mut self,
        ident: &str,
        type_key: Range<usize>,
        value: &Value<'_>,
        labels: &mut Vec<(String, Range<usize>)>,
        remaining: usize,
        kind: BodyKind,
    ) {
        match value {
            Value::Array(array) => {
                for element in &array.elements {
                    self.blocks(ident, type_key.clone(), element, labels, remaining, kind);
                }
            }
            Value::Object(object) if remaining > 0 => {
                for property in &object.properties {
                    let name = property.name.as_str();
                    if name == "//" {
                        continue;
                    }
                    labels.push((name.to_owned(), span(&property.name)));
                    self.blocks(
                        ident,
                        type_key.clone(),
                        &property.value,
                        labels,
                        remaining - 1,
                        kind,
                    );
                    labels.pop();
                }
            }
            Value::Object(body) => {
                let header = labels.last().map_or(type_key, |(_, range)| range.clone());
                self.mapped(ident, header.clone());
                for (label, _) in labels.iter() {
                    self.raw(" ");
                    self.mapped(&quote(label, Mode::Literal), header.clone());
                }
                self.raw(" {\n");
                self.body(body, kind);
                let end = body.range.end;
                self.mapped("}", end.saturating_sub(1)..end);
                self.raw("\n");
            }
            // Not a block: Terraform refuses it, and there is nothing to check in it.
            _ => {}
        }
    }

    fn body(&mut self, body: &Object<'_>, kind: BodyKind) {
        for property in &body.properties {
            let name = property.name.as_str();
            if name == "//" || !is_identifier(name) {
                continue;
            }
            let key = span(&property.name);
            let value = &property.value;
            match (kind, name) {
                (BodyKind::Variable, "type" | "validation") => {}
                (BodyKind::Variable, _) => self.attribute(name, key, value, Mode::Literal),
                (BodyKind::Arguments, _) => self.attribute(name, key, value, Mode::Template),
                (BodyKind::Dynamic, "content") => {
                    self.blocks(name, key, value, &mut Vec::new(), 0, BodyKind::Nested)
                }
                // The iterator names a variable: a bare identifier, as in native syntax
                // (`"rule"`, or `"${rule}"` as some converters write it).
                (BodyKind::Dynamic, "iterator") => {
                    let Value::StringLit(iterator) = value else {
                        continue;
                    };
                    let text = iterator.value.as_ref();
                    let ident = text
                        .strip_prefix("${")
                        .and_then(|t| t.strip_suffix('}'))
                        .unwrap_or(text)
                        .trim();
                    if is_identifier(ident) {
                        self.mapped(name, key);
                        self.raw(" = ");
                        self.mapped(ident, iterator.range.start..iterator.range.end);
                        self.raw("\n");
                    }
                }
                (BodyKind::Dynamic, _) => self.attribute(name, key, value, Mode::Template),
                (BodyKind::Nested, "dynamic") => {
                    self.blocks(name, key, value, &mut Vec::new(), 1, BodyKind::Dynamic)
                }
                (BodyKind::Nested, "provisioner") => {
                    self.blocks(name, key, value, &mut Vec::new(), 1, BodyKind::Nested)
                }
                (BodyKind::Nested, _) if is_nested_block(name, value) => {
                    self.blocks(name, key, value, &mut Vec::new(), 0, BodyKind::Nested)
                }
                (BodyKind::Nested, _) => self.attribute(name, key, value, Mode::Template),
            }
        }
    }

    fn attribute(&mut self, name: &str, key: Range<usize>, value: &Value<'_>, mode: Mode) {
        self.mapped(name, key);
        self.raw(" = ");
        self.expression(value, mode);
        self.raw("\n");
    }

    fn expression(&mut self, value: &Value<'_>, mode: Mode) {
        match value {
            Value::StringLit(literal) => self.string(literal, mode),
            Value::NumberLit(_) | Value::BooleanLit(_) | Value::NullKeyword(_) => {
                self.copy(span(value))
            }
            Value::Array(array) => {
                let Range { start, end } = array.range.start..array.range.end;
                self.mapped("[", start..start + 1);
                for (index, element) in array.elements.iter().enumerate() {
                    if index > 0 {
                        self.raw(", ");
                    }
                    self.expression(element, mode);
                }
                self.mapped("]", end.saturating_sub(1)..end);
            }
            Value::Object(object) => {
                let Range { start, end } = object.range.start..object.range.end;
                self.mapped("{", start..start + 1);
                self.raw("\n");
                for property in &object.properties {
                    let key = quote(property.name.as_str(), Mode::Literal);
                    self.mapped(&key, span(&property.name));
                    self.raw(" = ");
                    self.expression(&property.value, mode);
                    self.raw("\n");
                }
                self.mapped("}", end.saturating_sub(1)..end);
            }
        }
    }

    /// A string without escapes is valid HCL as it is, and is copied so that offsets inside it
    /// (where a secret sits) map exactly; any other is written anew.
    fn string(&mut self, literal: &StringLit<'_>, mode: Mode) {
        let range = literal.range.start..literal.range.end;
        let raw = &self.source[range.clone()];
        let as_is = !raw.contains('\\')
            && (mode == Mode::Template || !(raw.contains("${") || raw.contains("%{")));
        if as_is {
            self.copy(range);
        } else {
            self.mapped(&quote(&literal.value, mode), range);
        }
    }
}

/// A quoted HCL string with this value. In template mode, `${…}` and `%{…}` sequences are kept
/// as HCL source; in literal mode they are escaped.
fn quote(value: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut at = 0;
    while let Some(c) = value[at..].chars().next() {
        let rest = &value[at..];
        let opens_sequence = rest.starts_with("${") || rest.starts_with("%{");
        if mode == Mode::Template {
            if rest.starts_with("$${") || rest.starts_with("%%{") {
                out.push_str(&rest[..3]);
                at += 3;
                continue;
            }
            if opens_sequence && let Some(length) = sequence_length(rest) {
                out.push_str(&rest[..length]);
                at += length;
                continue;
            }
        } else if opens_sequence {
            out.push(c);
            out.push_str(&rest[..2]);
            at += 2;
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
        at += c.len_utf8();
    }
    out.push('"');
    out
}

/// The length of a template sequence (`${…}`, `%{…}`) at the start of `text`, through its closing
/// brace; braces inside quoted strings and nested templates are skipped. `None` when unclosed.
fn sequence_length(text: &str) -> Option<usize> {
    enum Context {
        /// Inside an expression, with this many open braces of its own.
        Expression(usize),
        String,
    }
    let bytes = text.as_bytes();
    let mut stack = vec![Context::Expression(0)];
    let mut at = 2;
    while at < bytes.len() {
        match (stack.last_mut()?, bytes[at]) {
            (Context::Expression(depth), b'{') => *depth += 1,
            (Context::Expression(0), b'}') => {
                stack.pop();
                if stack.is_empty() {
                    return Some(at + 1);
                }
            }
            (Context::Expression(depth), b'}') => *depth -= 1,
            (Context::Expression(_), b'"') => stack.push(Context::String),
            (Context::String, b'\\') => at += 1,
            (Context::String, b'"') => {
                stack.pop();
            }
            (Context::String, b'$' | b'%') if bytes.get(at + 1) == Some(&b'{') => {
                stack.push(Context::Expression(0));
                at += 1;
            }
            _ => {}
        }
        at += 1;
    }
    None
}

/// An HCL identifier: a letter or `_`, then letters, digits, `_` and `-`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Whether a resource's property is a nested block: see the module documentation.
fn is_nested_block(name: &str, value: &Value<'_>) -> bool {
    let is_body = |value: &Value<'_>| match value {
        Value::Object(object) => object
            .properties
            .iter()
            .all(|p| p.name.as_str() == "//" || is_identifier(p.name.as_str())),
        _ => false,
    };
    if MAP_ARGUMENTS.contains(&name) {
        return false;
    }
    match value {
        Value::Array(array) => !array.elements.is_empty() && array.elements.iter().all(is_body),
        value => is_body(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hcl(json: &str) -> String {
        let translation = translate(json).unwrap();
        hcl_edit::parser::parse_body(&translation.hcl)
            .unwrap_or_else(|e| panic!("{e}\n{}", translation.hcl));
        translation.hcl
    }

    #[test]
    fn blocks_take_their_labels_and_bodies() {
        let text = hcl(r#"{
  "//": "a comment",
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web",
        "ingress": [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}, {"from_port": 443}],
        "tags": {"Name": "web"},
        "dynamic": {"egress": {"for_each": "${var.rules}", "iterator": "rule", "content": {"to_port": "${rule.value}"}}}
      }
    }
  },
  "variable": {"cidr": {"type": "string", "default": "${not-a-template}"}},
  "locals": [{"a": 1}, {"b": "x"}],
  "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "us", "region": "us-east-1"}]},
  "terraform": {"backend": {"s3": {"bucket": "state"}}}
}"#);
        for expected in [
            "resource \"aws_security_group\" \"web\" {\n",
            "ingress {\nfrom_port = 22\ncidr_blocks = [\"0.0.0.0/0\"]\n}\ningress {\nfrom_port = 443\n}",
            "tags = {\n\"Name\" = \"web\"\n}",
            "dynamic \"egress\" {\nfor_each = \"${var.rules}\"\niterator = rule\ncontent {\nto_port = \"${rule.value}\"\n}",
            "variable \"cidr\" {\ndefault = \"$${not-a-template}\"\n}",
            "locals {\na = 1\n}\nlocals {\nb = \"x\"\n}",
            "provider \"aws\" {\nregion = \"eu-west-1\"\n}\nprovider \"aws\" {\nalias = \"us\"",
            "terraform {\nbackend {\ns3 {\nbucket = \"state\"\n}",
        ] {
            assert!(text.contains(expected), "{expected:?} not in\n{text}");
        }
        assert!(!text.contains("a comment") && !text.contains("type"));
    }

    #[test]
    fn escaped_strings_are_rewritten_as_hcl() {
        let text = hcl(r#"{"resource": {"x": {"y": {
  "a": "line\nnext \"quoted\" \/ \u0041",
  "b": "${jsonencode({\"image\" = \"nginx\"})}",
  "c": "$${literal} and %%{literal}"
}}}}"#);
        assert!(
            text.contains(r#"a = "line\nnext \"quoted\" / A""#),
            "{text}"
        );
        assert!(
            text.contains(r#"b = "${jsonencode({"image" = "nginx"})}""#),
            "{text}"
        );
        assert!(
            text.contains(r#"c = "$${literal} and %%{literal}""#),
            "{text}"
        );
    }

    #[test]
    fn spans_map_back_to_the_json() {
        let json = "{\n  \"resource\": {\"aws_db_instance\": {\"main\": {\n    \"publicly_accessible\": true,\n    \"password\": \"p\\u0041ss\", \"port\": 5432\n  }}}\n}\n";
        let translation = translate(json).unwrap();
        let body = hcl_edit::parser::parse_body(&translation.hcl).unwrap();
        let block = body.blocks().next().unwrap();
        let original = |span: Range<usize>| &json[translation.map.original(span)];

        let header = crate::formats::terraform::block_header_span(block).unwrap();
        assert_eq!(original(header), "\"main\"");
        let attribute = |key| crate::formats::terraform::attribute_span(&block.body, key).unwrap();
        assert_eq!(
            original(attribute("publicly_accessible")),
            "\"publicly_accessible\": true"
        );
        assert_eq!(
            original(attribute("password")),
            "\"password\": \"p\\u0041ss\""
        );
        assert_eq!(original(attribute("port")), "\"port\": 5432");
        // Inside a copied string, offsets map one to one.
        let at = translation.hcl.find("true").unwrap();
        assert_eq!(original(at + 1..at + 3), "ru");
    }

    #[test]
    fn values_files_are_literal() {
        let translation =
            translate_values(r#"{"cidr": "0.0.0.0/0", "ports": [22, 80], "x": "${y}"}"#).unwrap();
        assert_eq!(
            translation.hcl,
            "cidr = \"0.0.0.0/0\"\nports = [22, 80]\nx = \"$${y}\"\n"
        );
    }

    #[test]
    fn invalid_json_is_an_error_with_a_position() {
        let error = translate("{\n  \"resource\": {,}\n}").unwrap_err();
        assert_eq!(error.position, Some((2, 16)));
        assert!(translate("[1]").is_err());
        assert!(translate("").is_err());
        assert!(
            translate("{\"a\": 1,}").is_err(),
            "trailing commas are not JSON"
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(translate(&deep).is_err());
    }

    #[test]
    fn template_sequences_end_at_their_own_brace() {
        assert_eq!(sequence_length("${a}b"), Some(4));
        assert_eq!(sequence_length("${f({x = \"}\"})}!"), Some(15));
        assert_eq!(sequence_length("${join(\",\", [\"${a}\"])} tail"), Some(22));
        assert_eq!(sequence_length("${open"), None);
    }
}
