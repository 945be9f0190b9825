//! Executing templates: the parsed tree walked over values, writing output and a map from every
//! piece of output back to the template bytes that wrote it (text) or the action that printed it,
//! with the values-file entries that action read.
//!
//! Execution is bounded: a step budget, an output limit and a nesting limit stop a template that
//! loops or recurses without end, so no chart can hang a scan. Nothing here reads the process
//! environment, the network or files outside the chart: `env`, `lookup` and `getHostByName`
//! are empty, random functions are deterministic.

use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use super::funcs;
use super::parse::{self, Arg, Node, Pipeline};
use super::value::{Origin, Value};

/// Steps (nodes and commands) one render of a template may take.
const MAX_STEPS: u64 = 5_000_000;
/// Bytes one render of a template may write, its includes counted.
const MAX_OUTPUT: usize = 32 * 1024 * 1024;
/// How deep `include`, `template` and `tpl` may nest: real charts nest a few levels; this keeps
/// the stack of a worker thread safe.
const MAX_NESTING: usize = 50;

/// The template files of a render and the named templates they define.
#[derive(Default)]
pub struct Templates {
    pub files: Vec<TemplateFile>,
    /// Named templates by name. Later definitions win, as in Helm, where every file of a chart
    /// and its subcharts share one namespace.
    defines: HashMap<String, Define>,
}

/// A named template: the file that defines it, its text and its body.
#[derive(Clone)]
struct Define {
    file: u32,
    text: Rc<str>,
    body: Rc<[Node]>,
}

pub struct TemplateFile {
    /// The name templates see (`.Template.Name`): `chart/templates/deployment.yaml`.
    pub name: String,
    pub text: Rc<str>,
    /// Parsed, or why not.
    pub parsed: Result<Rc<[Node]>, parse::ParseError>,
}

impl Templates {
    /// Adds a file: parses it and learns its named templates; the file itself is one too, by
    /// its name (`include (print $.Template.BasePath "/configmap.yaml") .`).
    pub fn add(&mut self, name: String, text: Rc<str>) -> u32 {
        let index = self.files.len() as u32;
        let parsed = parse::parse(&text).map(|parsed| {
            let nodes: Rc<[Node]> = Rc::from(parsed.nodes);
            self.defines.insert(
                name.clone(),
                Define {
                    file: index,
                    text: text.clone(),
                    body: nodes.clone(),
                },
            );
            for (define, body) in parsed.defines {
                let define_text = text.clone();
                self.defines.insert(
                    define,
                    Define {
                        file: index,
                        text: define_text,
                        body: Rc::from(body),
                    },
                );
            }
            nodes
        });
        self.files.push(TemplateFile { name, text, parsed });
        index
    }
}

/// A piece of output and where it came from.
#[derive(Debug, Clone)]
pub struct Segment {
    pub output: Range<usize>,
    /// The template file and its bytes.
    pub file: u32,
    pub source: Range<usize>,
    /// Text copied from the template, byte for byte; otherwise the output of an action.
    pub literal: bool,
    /// The values-file entries the action read: key, value, where written.
    pub values: Rc<[Touched]>,
    /// Written inside a `{{ template }}` call: the outermost call's file and span, for output of
    /// a named template defined in a file that is not reported on (a library chart's).
    pub call: Option<(u32, Range<usize>)>,
}

#[derive(Debug, Clone)]
pub struct Touched {
    pub key: String,
    pub value: Value,
    pub origin: Origin,
}

/// A rendered template: its text and where each piece came from.
#[derive(Debug, Default)]
pub struct Output {
    pub text: String,
    pub segments: Vec<Segment>,
}

/// Why a render stopped: at which file and byte, in which function.
#[derive(Debug, Clone)]
pub struct ExecError {
    pub file: u32,
    pub offset: usize,
    pub message: String,
    /// `fail` or `required`: the chart itself refused the values.
    pub refused: bool,
}

enum Stop {
    Error(ExecError),
    Break,
    Continue,
}

impl From<ExecError> for Stop {
    fn from(error: ExecError) -> Stop {
        Stop::Error(error)
    }
}

/// What functions are told about the render (`.Files` and the like live in the values).
pub struct Exec<'t> {
    templates: &'t Templates,
    vars: Vec<(String, Value)>,
    pub(super) output: Output,
    steps: u64,
    nesting: usize,
    /// Values-file entries read while the current action is evaluated.
    touched: Vec<Touched>,
    /// The file and action span being executed, for errors.
    file: u32,
    span: Range<usize>,
    /// The text the current nodes' spans are in: the file's, or a `tpl` string's.
    text: Rc<str>,
    /// Templates of the `tpl` strings being executed, innermost last: their named templates
    /// come before the chart's.
    local: Vec<Rc<Templates>>,
    /// Templates `tpl` parsed, by their text.
    tpl_cache: HashMap<Rc<str>, Rc<Templates>>,
    /// The outermost `{{ template }}` call being executed.
    call: Option<(u32, Range<usize>)>,
}

impl<'t> Exec<'t> {
    pub fn new(templates: &'t Templates) -> Exec<'t> {
        Exec {
            templates,
            vars: Vec::new(),
            output: Output::default(),
            steps: 0,
            nesting: 0,
            touched: Vec::new(),
            file: 0,
            span: 0..0,
            text: Rc::from(""),
            local: Vec::new(),
            tpl_cache: HashMap::new(),
            call: None,
        }
    }

    /// Renders file `file` of the templates with `data` as dot.
    pub fn render(templates: &Templates, file: u32, data: Value) -> Result<Output, ExecError> {
        let template = &templates.files[file as usize];
        let nodes = match &template.parsed {
            Ok(nodes) => nodes.clone(),
            Err(error) => {
                return Err(ExecError {
                    file,
                    offset: error.offset,
                    message: format!("template: {}", error.message),
                    refused: false,
                });
            }
        };
        let mut exec = Exec::new(templates);
        exec.file = file;
        exec.text = template.text.clone();
        exec.vars.push(("$".to_owned(), data.clone()));
        match exec.nodes(&nodes, &data) {
            Ok(()) => Ok(exec.output),
            Err(Stop::Error(error)) => Err(error),
            Err(Stop::Break | Stop::Continue) => Ok(exec.output),
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> ExecError {
        ExecError {
            file: self.file,
            offset: self.span.start,
            message: message.into(),
            refused: false,
        }
    }

    fn step(&mut self) -> Result<(), ExecError> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(self.error("the template takes too many steps (a loop without end?)"));
        }
        Ok(())
    }

    fn write(
        &mut self,
        text: &str,
        source: Range<usize>,
        literal: bool,
        values: Rc<[Touched]>,
    ) -> Result<(), ExecError> {
        if text.is_empty() {
            return Ok(());
        }
        if self.output.text.len() + text.len() > MAX_OUTPUT {
            return Err(self.error("the template writes more than 32 MiB"));
        }
        let start = self.output.text.len();
        self.output.text.push_str(text);
        self.output.segments.push(Segment {
            output: start..self.output.text.len(),
            file: self.file,
            source,
            literal,
            values,
            call: self.call.clone(),
        });
        Ok(())
    }

    fn nodes(&mut self, nodes: &[Node], dot: &Value) -> Result<(), Stop> {
        for node in nodes {
            self.node(node, dot)?;
        }
        Ok(())
    }

    fn node(&mut self, node: &Node, dot: &Value) -> Result<(), Stop> {
        self.step()?;
        match node {
            Node::Text(range) => {
                let text = self.text.clone();
                self.write(&text[range.clone()], range.clone(), true, Rc::from([]))?;
            }
            Node::Action(pipeline) => {
                self.touched.clear();
                let value = self.pipeline(pipeline, dot)?;
                if pipeline.declare.is_empty() {
                    let values: Rc<[Touched]> = Rc::from(std::mem::take(&mut self.touched));
                    let text = value.to_text();
                    self.span = pipeline.span.clone();
                    self.write(&text, pipeline.span.clone(), false, values)?;
                }
            }
            Node::If {
                branches,
                otherwise,
            } => {
                let mark = self.vars.len();
                let mut taken = false;
                for (condition, body) in branches {
                    if self.pipeline(condition, dot)?.truthy() {
                        self.nodes(body, dot)?;
                        taken = true;
                        break;
                    }
                }
                if !taken {
                    self.nodes(otherwise, dot)?;
                }
                self.vars.truncate(mark);
            }
            Node::With {
                branches,
                otherwise,
            } => {
                let mark = self.vars.len();
                let mut taken = false;
                for (condition, body) in branches {
                    let value = self.pipeline(condition, dot)?;
                    if value.truthy() {
                        self.nodes(body, &value)?;
                        taken = true;
                        break;
                    }
                }
                if !taken {
                    self.nodes(otherwise, dot)?;
                }
                self.vars.truncate(mark);
            }
            Node::Range {
                pipeline,
                body,
                otherwise,
            } => self.range(pipeline, body, otherwise, dot)?,
            Node::Template {
                name,
                argument,
                span,
            } => {
                self.span = span.clone();
                let value = match argument {
                    Some(pipeline) => self.pipeline(pipeline, dot)?,
                    None => Value::Nil,
                };
                let outermost = self.call.is_none();
                if outermost {
                    self.call = Some((self.file, span.clone()));
                }
                let result = self.call_template(name, value);
                if outermost {
                    self.call = None;
                }
                result?;
            }
            Node::Break => return Err(Stop::Break),
            Node::Continue => return Err(Stop::Continue),
        }
        Ok(())
    }

    fn range(
        &mut self,
        pipeline: &Pipeline,
        body: &[Node],
        otherwise: &[Node],
        dot: &Value,
    ) -> Result<(), Stop> {
        let mark = self.vars.len();
        let mut plain = pipeline.clone();
        plain.declare.clear();
        let value = self.pipeline(&plain, dot)?;
        let items: Vec<(Value, Value)> = match &value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), v.clone()))
                .collect(),
            Value::ApiVersions(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Int(i as i64), Value::from(v.as_str())))
                .collect(),
            Value::Map(map) => map
                .borrow()
                .entries
                .iter()
                .map(|(k, v)| (Value::from(k.as_str()), v.clone()))
                .collect(),
            Value::Files(files) => files
                .iter()
                .map(|(k, v)| (Value::from(k.as_str()), Value::Str(v.clone())))
                .collect(),
            Value::Int(n) => (0..*n).map(|i| (Value::Int(i), Value::Int(i))).collect(),
            Value::Nil => Vec::new(),
            other => {
                return Err(self
                    .error(format!("range can't iterate over {}", other.type_name()))
                    .into());
            }
        };
        if items.is_empty() {
            self.nodes(otherwise, dot)?;
            return Ok(());
        }
        for (key, item) in items {
            self.vars.truncate(mark);
            match pipeline.declare.as_slice() {
                [] => {}
                [one] => self.declare(one, item.clone(), pipeline.assign),
                [first, second, ..] => {
                    self.declare(first, key, pipeline.assign);
                    self.declare(second, item.clone(), pipeline.assign);
                }
            }
            match self.nodes(body, &item) {
                Ok(()) | Err(Stop::Continue) => {}
                Err(Stop::Break) => break,
                Err(error) => return Err(error),
            }
        }
        self.vars.truncate(mark);
        Ok(())
    }

    fn declare(&mut self, name: &str, value: Value, assign: bool) {
        if assign && let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
            slot.1 = value;
            return;
        }
        self.vars.push((name.to_owned(), value));
    }

    /// Runs a named template, writing into the current output.
    fn call_template(&mut self, name: &str, data: Value) -> Result<(), ExecError> {
        let found = self
            .local
            .iter()
            .rev()
            .find_map(|own| own.defines.get(name))
            .or_else(|| self.templates.defines.get(name))
            .cloned();
        let Some(define) = found else {
            return Err(self.error(format!("no template named \"{name}\"")));
        };
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error("templates nest too deep (a template that includes itself?)"));
        }
        let vars = std::mem::replace(&mut self.vars, vec![("$".to_owned(), data.clone())]);
        let (saved_file, saved_span) = (self.file, self.span.clone());
        let saved_text = std::mem::replace(&mut self.text, define.text.clone());
        self.file = define.file;
        let result = self.nodes(&define.body, &data);
        self.file = saved_file;
        self.span = saved_span;
        self.text = saved_text;
        self.vars = vars;
        self.nesting -= 1;
        match result {
            Ok(()) | Err(Stop::Break | Stop::Continue) => Ok(()),
            Err(Stop::Error(error)) => Err(error),
        }
    }

    /// `include`: a named template rendered to a string.
    pub(super) fn include(&mut self, name: &str, data: Value) -> Result<Value, ExecError> {
        let saved = std::mem::take(&mut self.output);
        let touched = std::mem::take(&mut self.touched);
        let result = self.call_template(name, data);
        let rendered = std::mem::replace(&mut self.output, saved);
        self.touched = touched;
        result?;
        if self.output.text.len() + rendered.text.len() > MAX_OUTPUT {
            return Err(self.error("the template writes more than 32 MiB"));
        }
        Ok(Value::from(rendered.text))
    }

    /// `tpl`: a string rendered as a template, with the named templates of the chart and those
    /// it defines itself.
    pub(super) fn tpl(&mut self, text: &str, data: Value) -> Result<Value, ExecError> {
        let key: Rc<str> = Rc::from(text);
        let own = match self.tpl_cache.get(&key) {
            Some(own) => own.clone(),
            None => {
                let mut own = Templates::default();
                own.add("tpl".to_owned(), key.clone());
                let own = Rc::new(own);
                if self.tpl_cache.len() < 10_000 {
                    self.tpl_cache.insert(key, own.clone());
                }
                own
            }
        };
        let nodes = match &own.files[0].parsed {
            Ok(nodes) => nodes.clone(),
            Err(error) => return Err(self.error(format!("tpl: {}", error.message))),
        };
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.error("tpl nests too deep"));
        }
        let saved_output = std::mem::take(&mut self.output);
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".to_owned(), data.clone())]);
        let saved_text = std::mem::replace(&mut self.text, own.files[0].text.clone());
        let touched = std::mem::take(&mut self.touched);
        self.local.push(own);
        let result = self.nodes(&nodes, &data);
        self.local.pop();
        self.touched = touched;
        self.text = saved_text;
        self.vars = saved_vars;
        let rendered = std::mem::replace(&mut self.output, saved_output);
        self.nesting -= 1;
        match result {
            Ok(()) | Err(Stop::Break | Stop::Continue) => Ok(Value::from(rendered.text)),
            Err(Stop::Error(mut error)) => {
                error.file = self.file;
                error.offset = self.span.start;
                error.message = format!("tpl: {}", error.message);
                Err(error)
            }
        }
    }

    fn pipeline(&mut self, pipeline: &Pipeline, dot: &Value) -> Result<Value, ExecError> {
        self.span = pipeline.span.clone();
        let mut value: Option<Value> = None;
        for command in &pipeline.commands {
            self.step()?;
            value = Some(self.command(command, dot, value)?);
        }
        let value = value.unwrap_or_default();
        for name in &pipeline.declare {
            self.declare(name, value.clone(), pipeline.assign);
        }
        Ok(value)
    }

    fn command(
        &mut self,
        command: &[Arg],
        dot: &Value,
        piped: Option<Value>,
    ) -> Result<Value, ExecError> {
        let (first, rest) = command.split_first().expect("commands are never empty");
        match first {
            Arg::Function(name) => self.call(name, rest, dot, piped),
            Arg::Field(path) if !path.is_empty() && (!rest.is_empty() || piped.is_some()) => {
                // A method of a built-in object: `.Files.Get "x"`, `.Capabilities.APIVersions.Has`.
                let (method, receiver_path) = path.split_last().expect("a field path");
                let receiver = self.fields(dot.clone(), receiver_path);
                let mut args = self.args(rest, dot)?;
                args.extend(piped);
                funcs::method(self, &receiver, method, args)
            }
            Arg::Variable(name, path)
                if !path.is_empty() && (!rest.is_empty() || piped.is_some()) =>
            {
                let (method, receiver_path) = path.split_last().expect("a field path");
                let receiver = self.variable(name)?;
                let receiver = self.fields(receiver, receiver_path);
                let mut args = self.args(rest, dot)?;
                args.extend(piped);
                funcs::method(self, &receiver, method, args)
            }
            _ => {
                if !rest.is_empty() || piped.is_some() {
                    return Err(
                        self.error("can't give arguments to a value that is not a function")
                    );
                }
                self.arg(first, dot)
            }
        }
    }

    fn args(&mut self, args: &[Arg], dot: &Value) -> Result<Vec<Value>, ExecError> {
        args.iter().map(|arg| self.arg(arg, dot)).collect()
    }

    fn arg(&mut self, arg: &Arg, dot: &Value) -> Result<Value, ExecError> {
        Ok(match arg {
            Arg::Field(path) => self.fields(dot.clone(), path),
            Arg::Variable(name, path) => {
                let value = self.variable(name)?;
                self.fields(value, path)
            }
            Arg::Function(name) => self.call(name, &[], dot, None)?,
            Arg::Group(pipeline, path) => {
                let value = self.pipeline(pipeline, dot)?;
                self.fields(value, path)
            }
            Arg::Str(s) => Value::from(s.as_str()),
            Arg::Int(i) => Value::Int(*i),
            Arg::Float(f) => Value::Float(*f),
            Arg::Bool(b) => Value::Bool(*b),
            Arg::Nil => Value::Nil,
        })
    }

    fn variable(&self, name: &str) -> Result<Value, ExecError> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.error(format!("undefined variable \"{name}\"")))
    }

    /// Fields of a value; a missing key (or a field of nothing) is nil, as Helm's lenient
    /// missing-key mode leaves it.
    fn fields(&mut self, mut value: Value, path: &[String]) -> Value {
        for name in path {
            value = match &value {
                Value::Map(map) => {
                    let map = map.borrow();
                    let found = map.get(name).cloned().unwrap_or_default();
                    if let Some(origin) = map.origins.get(name)
                        && self.touched.len() < 64
                    {
                        self.touched.push(Touched {
                            key: name.clone(),
                            value: found.clone(),
                            origin: *origin,
                        });
                    }
                    found
                }
                _ => Value::Nil,
            };
        }
        value
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Arg],
        dot: &Value,
        piped: Option<Value>,
    ) -> Result<Value, ExecError> {
        // Go's `and` and `or` stop at the first argument that decides.
        match name {
            "and" | "or" => {
                let mut last = Value::Nil;
                let count = args.len() + usize::from(piped.is_some());
                if count == 0 {
                    return Err(self.error(format!("{name}: needs at least one argument")));
                }
                for arg in args {
                    last = self.arg(arg, dot)?;
                    if last.truthy() == (name == "or") {
                        return Ok(last);
                    }
                }
                if let Some(value) = piped {
                    last = value;
                }
                return Ok(last);
            }
            _ => {}
        }
        let mut values = self.args(args, dot)?;
        values.extend(piped);
        funcs::call(self, name, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::yaml::Yaml;
    use crate::helm::value;

    fn render(template: &str, values: &str) -> Result<String, ExecError> {
        let mut templates = Templates::default();
        templates.add("t".to_owned(), Rc::from(template));
        let yaml = Yaml::parse(values).unwrap();
        let data = yaml
            .documents
            .first()
            .map_or(Value::Nil, |&root| value::from_yaml(&yaml, root, Some(0)));
        Exec::render(&templates, 0, data).map(|output| output.text)
    }

    #[test]
    fn actions_control_and_variables() {
        let out = render(
            "{{- range $i, $v := .items }}{{ if $i }},{{ end }}{{ $v | upper }}{{ end }}|{{ with .m }}{{ .k }}{{ else }}none{{ end }}|{{ $x := 1 }}{{ $x = 2 }}{{ $x }}",
            "items: [a, b]\nm: {k: v}\n",
        )
        .unwrap();
        assert_eq!(out, "A,B|v|2");
    }

    #[test]
    fn named_templates_include_and_tpl() {
        let out = render(
            "{{ define \"name\" }}{{ .a }}-x{{ end }}{{ include \"name\" . | quote }} {{ template \"name\" . }} {{ tpl \"{{ .a }}!\" . }}",
            "a: hi\n",
        )
        .unwrap();
        assert_eq!(out, "\"hi-x\" hi-x hi!");
    }

    #[test]
    fn break_continue_and_short_circuit() {
        let out = render(
            "{{ range .n }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}{{ if and false (fail \"never\") }}{{ end }}",
            "n: [1, 2, 3, 4, 5]\n",
        )
        .unwrap();
        assert_eq!(out, "13");
    }

    #[test]
    fn endless_work_is_stopped() {
        let error = render(
            "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}",
            "a: 1\n",
        )
        .unwrap_err();
        assert!(error.message.contains("nest too deep"), "{}", error.message);
        let error = render("{{ range until 100000000 }}x{{ end }}", "a: 1\n").unwrap_err();
        assert!(
            error.message.contains("too many steps") || error.message.contains("until"),
            "{}",
            error.message
        );
    }

    #[test]
    fn failures_name_the_place() {
        let error = render(
            "line\n{{ required \"image.tag is required\" .Values.x }}",
            "a: 1\n",
        )
        .unwrap_err();
        assert_eq!(error.offset, 5);
        assert!(error.refused);
        assert!(error.message.contains("image.tag is required"));
    }
}
