//! The values a template works on: what YAML and JSON hold, as Helm's engine sees them (maps
//! with sorted keys, lists, strings, numbers, booleans, nil), with where each value of a values
//! file was written, so that a finding can point at the `image.tag: latest` it came from.

use std::cell::{Ref, RefCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::formats::yaml::{NodeId, NodeKind, Yaml};

/// Where a map entry was written: a source of the render (a values file, a manifest), and the
/// byte offsets of its value and of its key there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub source: u32,
    pub offset: u32,
    pub key: u32,
}

/// A map: entries by key (Go templates range over maps in key order, and `toYaml` sorts keys),
/// with the origin of the entries that were read from a values file.
#[derive(Clone, Debug, Default)]
pub struct Map {
    pub entries: BTreeMap<String, Value>,
    pub origins: BTreeMap<String, Origin>,
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key)
    }

    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        self.origins.remove(&key);
        self.entries.insert(key, value);
    }
}

/// A template value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<Vec<Value>>),
    /// Shared and changeable, as Go's maps are: Sprig's `set` and `merge` change a map that
    /// other variables hold too, and charts rely on it.
    Map(Rc<RefCell<Map>>),
    /// The chart's files (`.Files`), or a subset of them (`.Files.Glob`): path and content.
    Files(Rc<Vec<(String, Rc<str>)>>),
    /// `.Capabilities.APIVersions`, which has `Has`.
    ApiVersions(Rc<Vec<String>>),
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Str(Rc::from(text))
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Str(Rc::from(text))
    }
}

impl Value {
    pub fn map(map: Map) -> Value {
        Value::Map(Rc::new(RefCell::new(map)))
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// Go's truth: false, zero, nil and empty are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(items) => !items.is_empty(),
            Value::Map(map) => !map.borrow().entries.is_empty(),
            Value::Files(files) => !files.is_empty(),
            Value::ApiVersions(_) => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<Ref<'_, Map>> {
        match self {
            Value::Map(map) => map.try_borrow().ok(),
            _ => None,
        }
    }

    /// A copy that shares nothing changeable with the original (`deepCopy`).
    pub fn deep_copy(&self) -> Value {
        self.copy_within(0)
    }

    fn copy_within(&self, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Nil;
        }
        match self {
            Value::Map(map) => {
                let map = map.borrow();
                Value::map(Map {
                    entries: map
                        .entries
                        .iter()
                        .map(|(k, v)| (k.clone(), v.copy_within(depth + 1)))
                        .collect(),
                    origins: map.origins.clone(),
                })
            }
            Value::List(items) => {
                Value::list(items.iter().map(|v| v.copy_within(depth + 1)).collect())
            }
            other => other.clone(),
        }
    }

    /// Sprig's `kindOf`: Go's reflect kind of the value as Helm holds it.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "slice",
            Value::Map(_) | Value::Files(_) => "map",
            Value::ApiVersions(_) => "slice",
        }
    }

    /// Sprig's `typeOf`: Go's type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) | Value::ApiVersions(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
            Value::Files(_) => "chart.Files",
        }
    }

    /// The number it holds or spells, as Sprig's `toInt64` reads it.
    pub fn to_int(&self) -> i64 {
        match self {
            Value::Bool(b) => i64::from(*b),
            Value::Int(i) => *i,
            Value::Float(f) => *f as i64,
            Value::Str(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().map(|f| f as i64))
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }

    pub fn to_float(&self) -> f64 {
        match self {
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Str(s) => s.trim().parse().unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// How `print` and `{{ . }}` write it (Go's `%v`); nil writes nothing, as Helm removes
    /// `<no value>` from its output.
    pub fn print(&self, out: &mut String) {
        self.print_within(out, 0);
    }

    fn print_within(&self, out: &mut String, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match self {
            Value::Nil => {}
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&go_float(*f)),
            Value::Str(s) => out.push_str(s),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    item.print_nested(out, depth);
                }
                out.push(']');
            }
            Value::ApiVersions(items) => {
                out.push('[');
                out.push_str(&items.join(" "));
                out.push(']');
            }
            Value::Map(map) => {
                out.push_str("map[");
                let Ok(map) = map.try_borrow() else {
                    return;
                };
                for (i, (key, value)) in map.entries.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(key);
                    out.push(':');
                    value.print_nested(out, depth);
                }
                out.push(']');
            }
            Value::Files(_) => out.push_str("map[]"),
        }
    }

    fn print_nested(&self, out: &mut String, depth: usize) {
        match self {
            Value::Nil => out.push_str("<nil>"),
            other => other.print_within(out, depth + 1),
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.print(&mut out);
        out
    }

    /// Equality as Go templates' `eq` and Sprig's `deepEqual` see it, numbers by value.
    pub fn equals(&self, other: &Value) -> bool {
        self.equals_within(other, 0)
    }

    fn equals_within(&self, other: &Value, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                self.to_float() == other.to_float()
            }
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.equals_within(y, depth + 1))
            }
            (Value::Map(a), Value::Map(b)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (Ok(a), Ok(b)) = (a.try_borrow(), b.try_borrow()) else {
                    return false;
                };
                a.entries.len() == b.entries.len()
                    && a.entries.iter().all(|(k, v)| {
                        b.entries
                            .get(k)
                            .is_some_and(|w| v.equals_within(w, depth + 1))
                    })
            }
            _ => false,
        }
    }
}

/// Go's `%v` of a float64: the shortest representation, in exponent form from 1e21 on.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    let plain = format!("{f}");
    if f.abs() >= 1e21 || (f != 0.0 && f.abs() < 1e-4) {
        let exp = format!("{f:e}");
        // Rust writes `1e21`, Go `1e+21`.
        return match exp.split_once('e') {
            Some((mantissa, power)) if !power.starts_with('-') => format!("{mantissa}e+{power}"),
            _ => exp,
        };
    }
    plain
}

/// How deep values nest before the rest is cut (real values nest a dozen levels).
const MAX_DEPTH: usize = 128;
/// How many nodes one conversion of a YAML document makes, aliases expanded.
const MAX_NODES: usize = 500_000;

/// A YAML document as a value, typed as Helm's YAML reader types plain scalars (YAML 1.1
/// booleans included), with the origin of every map entry in `source`.
pub fn from_yaml(yaml: &Yaml, root: NodeId, source: Option<u32>) -> Value {
    let mut budget = MAX_NODES;
    convert(yaml, root, source, typed_scalar, 0, &mut budget)
}

/// [`from_yaml`], with plain scalars typed as Kustomize reads them ([`core_scalar`]).
pub fn from_yaml_core(yaml: &Yaml, root: NodeId, source: Option<u32>) -> Value {
    let mut budget = MAX_NODES;
    convert(yaml, root, source, core_scalar, 0, &mut budget)
}

fn convert(
    yaml: &Yaml,
    id: NodeId,
    source: Option<u32>,
    typed: fn(&str) -> Value,
    depth: usize,
    budget: &mut usize,
) -> Value {
    if depth > MAX_DEPTH || *budget == 0 {
        return Value::Nil;
    }
    *budget -= 1;
    let id = yaml.resolve(id);
    match &yaml.node(id).kind {
        NodeKind::Scalar { plain, .. } => {
            let text = yaml.str(id).unwrap_or_default();
            if *plain {
                typed(text)
            } else {
                Value::from(text)
            }
        }
        NodeKind::Sequence(items) => Value::list(
            items
                .iter()
                .map(|&item| convert(yaml, item, source, typed, depth + 1, budget))
                .collect(),
        ),
        NodeKind::Mapping(_) => {
            let mut map = Map::default();
            // Merged keys first, then the mapping's own, so that its own win.
            for (key, entry) in yaml.keys(id).into_iter().rev() {
                let value = convert(yaml, entry.value, source, typed, depth + 1, budget);
                if let Some(source) = source {
                    let offset = yaml.span(entry.value).start as u32;
                    let key_at = yaml.span(entry.key).start as u32;
                    map.origins.insert(
                        key.clone(),
                        Origin {
                            source,
                            offset,
                            key: key_at,
                        },
                    );
                }
                map.entries.insert(key, value);
            }
            Value::map(map)
        }
        NodeKind::Alias(_) => Value::Nil,
    }
}

/// A plain scalar as Kustomize leaves it for the cluster: YAML 1.2's booleans only (`n`, `no`,
/// `on` stay strings, which Kustomize writes quoted), numbers as YAML 1.1 reads them (`0755`
/// is octal to the API server).
pub fn core_scalar(text: &str) -> Value {
    match typed_scalar(text) {
        Value::Bool(_)
            if !matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE") =>
        {
            Value::from(text)
        }
        typed => typed,
    }
}

/// A plain scalar as YAML 1.1 types it.
pub fn typed_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Nil,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | "+.inf" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let digits = text.trim_start_matches(['-', '+']);
    if digits.starts_with(|c: char| c.is_ascii_digit()) || digits.starts_with('.') {
        // YAML 1.1 octal (`0755`, file modes), and 1.2's `0o755`.
        let octal = digits
            .strip_prefix("0o")
            .or_else(|| digits.strip_prefix('0').filter(|rest| !rest.is_empty()));
        if let Some(octal) = octal.filter(|o| o.bytes().all(|b| (b'0'..=b'7').contains(&b)))
            && let Ok(int) = i64::from_str_radix(octal, 8)
        {
            return Value::Int(if text.starts_with('-') { -int } else { int });
        }
        if let Ok(int) = text.parse::<i64>() {
            return Value::Int(int);
        }
        if let Some(hex) = digits.strip_prefix("0x")
            && let Ok(int) = i64::from_str_radix(hex, 16)
        {
            return Value::Int(if text.starts_with('-') { -int } else { int });
        }
        if digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
            && let Ok(float) = text.parse::<f64>()
        {
            return Value::Float(float);
        }
    }
    Value::from(text)
}

/// Values as YAML, the way Helm's `toYaml` writes them: block style, sorted keys, two spaces,
/// list items at their key's indentation, strings quoted when they would read as something
/// else; no final newline.
pub fn to_yaml(value: &Value) -> String {
    to_yaml_marked(value).0
}

/// Where a piece of [`to_yaml_marked`] output was written: at output offset `at` starts the key
/// (`on_key`) or the value of a map entry whose origin is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub at: usize,
    pub origin: Origin,
    pub on_key: bool,
}

/// A value as YAML ([`to_yaml`]), with a mark at every key and same-line value of a map entry
/// whose origin is known, in output order.
pub fn to_yaml_marked(value: &Value) -> (String, Vec<Mark>) {
    let mut writer = Writer::default();
    writer.value(value, 0, 0);
    while writer.out.ends_with('\n') {
        writer.out.pop();
    }
    (writer.out, writer.marks)
}

#[derive(Default)]
struct Writer {
    out: String,
    marks: Vec<Mark>,
}

impl Writer {
    fn mark(&mut self, origin: Option<&Origin>, on_key: bool) {
        if let Some(&origin) = origin {
            self.marks.push(Mark {
                at: self.out.len(),
                origin,
                on_key,
            });
        }
    }

    fn value(&mut self, value: &Value, indent: usize, depth: usize) {
        if depth > MAX_DEPTH {
            self.out.push_str("null\n");
            return;
        }
        match value {
            Value::Map(map) if value.truthy() => {
                let Ok(map) = map.try_borrow() else {
                    return;
                };
                for (key, item) in &map.entries {
                    push_indent(&mut self.out, indent);
                    let origin = map.origins.get(key);
                    self.mark(origin, true);
                    push_scalar_text(key, &mut self.out);
                    self.out.push(':');
                    self.nested(item, origin, indent, depth);
                }
            }
            Value::List(items) if !items.is_empty() => {
                for item in items.iter() {
                    push_indent(&mut self.out, indent);
                    self.out.push('-');
                    match item {
                        Value::Map(_) | Value::List(_) if item.truthy() => {
                            // The first key on the dash's line, the rest under it: written as
                            // one level deeper, with the first indentation taken back.
                            self.out.push(' ');
                            let start = self.out.len();
                            self.value(item, indent + 2, depth + 1);
                            let cut = (indent + 2).min(self.out.len() - start);
                            self.out.replace_range(start..start + cut, "");
                            for mark in self.marks.iter_mut().rev() {
                                if mark.at < start {
                                    break;
                                }
                                mark.at = mark.at.saturating_sub(cut).max(start);
                            }
                        }
                        _ => {
                            self.out.push(' ');
                            write_scalar(item, indent + 2, &mut self.out);
                            self.out.push('\n');
                        }
                    }
                }
            }
            other => {
                push_indent(&mut self.out, indent);
                // A block scalar's lines sit deeper than where it starts.
                write_scalar(other, indent + 2, &mut self.out);
                self.out.push('\n');
            }
        }
    }

    fn nested(&mut self, item: &Value, origin: Option<&Origin>, indent: usize, depth: usize) {
        match item {
            Value::Map(_) if item.truthy() => {
                self.out.push('\n');
                self.value(item, indent + 2, depth + 1);
            }
            Value::List(items) if !items.is_empty() => {
                self.out.push('\n');
                self.value(item, indent, depth + 1);
            }
            _ => {
                self.out.push(' ');
                self.mark(origin, false);
                write_scalar(item, indent + 2, &mut self.out);
                self.out.push('\n');
            }
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_scalar(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Nil => out.push_str("null"),
        Value::Map(_) | Value::Files(_) => out.push_str("{}"),
        Value::List(_) | Value::ApiVersions(_) => out.push_str("[]"),
        Value::Str(s) if s.contains('\n') && !s.contains(['\r', '\t']) => {
            // A literal block keeps multi-line text readable, as Helm writes it.
            out.push('|');
            if !s.ends_with('\n') {
                out.push('-');
            } else if s.ends_with("\n\n") {
                out.push('+');
            }
            if s.starts_with(' ') {
                out.push('2');
            }
            for line in s.trim_end_matches('\n').split('\n') {
                out.push('\n');
                if !line.is_empty() {
                    push_indent(out, indent);
                    out.push_str(line);
                }
            }
        }
        Value::Str(s) => push_scalar_text(s, out),
        other => other.print(out),
    }
}

/// A string as a YAML scalar, as Helm's YAML writer chooses: plain when it reads back as the
/// same string, else single-quoted, else (control characters, line breaks) double-quoted.
fn push_scalar_text(s: &str, out: &mut String) {
    if !needs_quotes(s) {
        out.push_str(s);
    } else if s.chars().any(|c| c.is_control()) {
        push_double_quoted(s, out, false);
    } else {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    }
}

/// A double-quoted string with `\"`, `\\`, `\n`, `\t`, `\r` escaped, and other control
/// characters as YAML writes them (`\u0007`) or, with `go`, as Go's `%q` does (`\x07`).
pub fn push_double_quoted(s: &str, out: &mut String, go: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && go => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    if !matches!(typed_scalar(s), Value::Str(_)) {
        return true;
    }
    let first = s.as_bytes()[0];
    if b"-?:,[]{}#&*!|>'\"%@`".contains(&first) {
        // `-x` and `:x` read back as plain text, the rest do not.
        if !(matches!(first, b'-' | b'?' | b':') && s.len() > 1 && s.as_bytes()[1] != b' ') {
            return true;
        }
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control())
        || matches!(s, "<<" | "=")
}

/// A value as JSON (`toJson`): keys sorted, no spaces.
pub fn to_json(value: &Value, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("null");
        return;
    }
    match value {
        Value::Nil => out.push_str("null"),
        Value::Bool(_) | Value::Int(_) => value.print(out),
        Value::Float(f) if f.is_finite() => out.push_str(&go_float(*f)),
        Value::Float(_) => out.push_str("null"),
        Value::Str(s) => {
            out.push_str(&serde_json::to_string(&**s).unwrap_or_else(|_| "\"\"".to_owned()))
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::ApiVersions(items) => {
            out.push_str(&serde_json::to_string(&**items).unwrap_or_default());
        }
        Value::Map(map) => {
            out.push('{');
            let Ok(map) = map.try_borrow() else {
                out.push('}');
                return;
            };
            for (i, (key, item)) in map.entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push(':');
                to_json(item, out, depth + 1);
            }
            out.push('}');
        }
        Value::Files(_) => out.push_str("{}"),
    }
}

/// A JSON value as a template value (`fromJson`).
pub fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(items) => Value::list(items.iter().map(from_json).collect()),
        serde_json::Value::Object(object) => {
            let mut map = Map::default();
            for (key, item) in object {
                map.entries.insert(key.clone(), from_json(item));
            }
            Value::map(map)
        }
    }
}

/// `override` laid over `base`, recursively for maps (Helm's coalescing of values: a user's
/// values over a chart's defaults; `null` deletes a default).
pub fn coalesce(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Map(base), Value::Map(over)) => {
            let (Ok(base), Ok(over)) = (base.try_borrow(), over.try_borrow()) else {
                return Value::Nil;
            };
            let mut merged = base.clone();
            for (key, value) in &over.entries {
                if matches!(value, Value::Nil) {
                    merged.entries.remove(key);
                    merged.origins.remove(key);
                    continue;
                }
                let combined = match merged.entries.get(key) {
                    Some(existing @ Value::Map(_)) if matches!(value, Value::Map(_)) => {
                        coalesce(existing, value)
                    }
                    _ => value.deep_copy(),
                };
                merged.entries.insert(key.clone(), combined);
                match over.origins.get(key) {
                    Some(origin) => {
                        merged.origins.insert(key.clone(), *origin);
                    }
                    None => {
                        merged.origins.remove(key);
                    }
                }
            }
            Value::map(merged)
        }
        (_, Value::Nil) => base.clone(),
        _ => over.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_value(text: &str) -> Value {
        let yaml = Yaml::parse(text).unwrap();
        from_yaml(&yaml, yaml.documents[0], Some(0))
    }

    #[test]
    fn scalars_are_typed_as_helm_reads_them() {
        let value = yaml_value("a: 1\nb: yes\nc: \"1\"\nd: 1.5\ne: ~\nf: text\n");
        assert!(matches!(typed_scalar("0755"), Value::Int(493)));
        assert!(matches!(typed_scalar("0"), Value::Int(0)));
        assert!(matches!(typed_scalar("089"), Value::Int(89)));
        let map = value.as_map().unwrap();
        assert!(matches!(map.get("a"), Some(Value::Int(1))));
        assert!(matches!(map.get("b"), Some(Value::Bool(true))));
        assert!(matches!(map.get("c"), Some(Value::Str(s)) if &**s == "1"));
        assert!(matches!(map.get("d"), Some(Value::Float(_))));
        assert!(matches!(map.get("e"), Some(Value::Nil)));
        assert_eq!(map.origins["f"].offset, 34);
    }

    #[test]
    fn to_yaml_reads_back_as_the_same_values() {
        let text =
            "b:\n  - x: \"1\"\n    z: [a, b]\n  - plain\na: \"yes\"\nc: |\n  two\n  lines\nd: {}\n";
        let value = yaml_value(text);
        let written = to_yaml(&value);
        assert_eq!(
            written,
            "a: 'yes'\nb:\n- x: '1'\n  z:\n  - a\n  - b\n- plain\nc: |\n  two\n  lines\nd: {}"
        );
        let again = yaml_value(&written);
        assert!(again.equals(&value));
    }

    #[test]
    fn text_alone_is_a_block_indented_under_its_start() {
        assert_eq!(to_yaml(&Value::from("a: 1\nb\n")), "|\n  a: 1\n  b");
        assert_eq!(to_yaml(&Value::from("a: 1")), "'a: 1'");
    }

    #[test]
    fn coalescing_overrides_and_deletes() {
        let base = yaml_value("image:\n  repository: nginx\n  tag: \"1.0\"\nkeep: 1\ngone: 2\n");
        let over = yaml_value("image:\n  tag: latest\ngone: null\n");
        let merged = coalesce(&base, &over);
        assert_eq!(
            to_yaml(&merged),
            "image:\n  repository: nginx\n  tag: latest\nkeep: 1"
        );
    }
}
