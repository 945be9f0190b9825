//! Terraform modules: every `.tf` file of a directory, with values resolved before rules judge them.
//!
//! A rule about `cidr_blocks = var.allowed` needs `variables.tf` and `terraform.tfvars`, which are
//! other files: so the unit is the module (a directory), not the file. Files are parsed with
//! `hcl-edit`, which keeps byte spans on every block, attribute and expression (JSON files through
//! their HCL translation, see [`super::terraform_json`]); values are evaluated with `hcl-rs` in a
//! context of the module's variables and locals:
//!
//! - `var.x`: the variable's default, overridden by `terraform.tfvars`, `terraform.tfvars.json`,
//!   then the other variable files in lexical order (Terraform's own precedence for the files it
//!   loads itself; which `-var-file` or `-var` a run passes cannot be known here, so every
//!   variable file present counts);
//! - `local.x`: locals, resolved in as many rounds as their references need;
//! - literals, lists, objects, string templates and conditionals whose parts are known.
//!
//! Anything else (a variable without default, `data.…`, a resource attribute, `each`, `count`,
//! a function call) is [`Resolved::Unknown`], and rules say nothing about unknowns rather than
//! guess.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl::eval::{Context, Evaluate};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use crate::formats::budget;
use crate::formats::terraform_json::{self, SpanMap};
use crate::source::{Position, SourceFile};

/// A parsed file of a module: configuration (`.tf`, `.tf.json`) or variable values (`.tfvars`,
/// `.tfvars.json`).
pub struct TfFile {
    pub path: PathBuf,
    /// The text the body's spans point into: the file itself, or the HCL translation of a JSON
    /// file.
    pub text: String,
    pub body: Body,
    /// Variable values (its attributes set variables), not configuration.
    pub is_values: bool,
    /// For a JSON file: the text as written, and the way back to it.
    json: Option<(String, SpanMap)>,
}

impl TfFile {
    /// The file's text as written, which findings are reported against.
    pub fn source(&self) -> &str {
        self.json.as_ref().map_or(&self.text, |(text, _)| text)
    }

    /// Where a span of [`TfFile::text`] is in [`TfFile::source`].
    pub fn source_span(&self, span: Range<usize>) -> Range<usize> {
        match &self.json {
            Some((_, map)) => map.original(span),
            None => span,
        }
    }
}

/// Whether a file of a module sets variable values (`.tfvars`, `.tfvars.json`).
pub fn is_values_file(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name.ends_with(".tfvars") || name.ends_with(".tfvars.json")
}

/// Whether a file name is one of a Terraform module's: `.tf`, `.tf.json`, `.tfvars`,
/// `.tfvars.json`.
pub fn is_module_file(name: &str) -> bool {
    [".tf", ".tf.json", ".tfvars", ".tfvars.json"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// The value of an expression, when it can be known from the module alone.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Known(hcl::Value),
    Unknown,
}

impl Resolved {
    pub fn known(&self) -> Option<&hcl::Value> {
        match self {
            Resolved::Known(value) => Some(value),
            Resolved::Unknown => None,
        }
    }
}

/// Where a variable's value comes from, for messages ("from the default of `var.cidr`").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableOrigin {
    /// The `default` of its `variable` block.
    Default,
    /// A value in this `.tfvars` file.
    Tfvars(PathBuf),
}

/// A file of the module that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TfParseError {
    pub path: PathBuf,
    pub message: String,
    /// 1-based line and column.
    pub position: Option<(usize, usize)>,
    /// The file's text, handed back for checks that read any text (secrets).
    pub text: String,
    /// Not invalid: its tree would not fit the parse budget.
    pub over_budget: bool,
}

/// All `.tf` files of one directory, with the module's variables and locals resolved.
pub struct Module {
    pub files: Vec<TfFile>,
    context: Context<'static>,
    /// Where each known variable's value came from.
    pub origins: HashMap<String, VariableOrigin>,
}

impl Module {
    /// Builds a module from configuration sources (`.tf`, `.tf.json`) and variable-value sources
    /// (`.tfvars`, `.tfvars.json`), each as path and text. Files that do not parse are returned as
    /// errors; the rest of the module is still usable.
    pub fn load(
        configuration: Vec<(PathBuf, String)>,
        mut values: Vec<(PathBuf, String)>,
    ) -> (Module, Vec<TfParseError>) {
        let mut errors = Vec::new();
        let mut files = Vec::new();
        // Values in Terraform's order of precedence: `terraform.tfvars`, `terraform.tfvars.json`,
        // then the others by name, each overriding the ones before.
        values.sort_by_key(|(path, _)| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let rank = match name.as_str() {
                "terraform.tfvars" => 0,
                "terraform.tfvars.json" => 1,
                _ => 2,
            };
            (rank, name)
        });
        let sources = configuration
            .into_iter()
            .map(|source| (source, false))
            .chain(values.into_iter().map(|source| (source, true)));
        for ((path, text), is_values) in sources {
            match parse_file(path, text, is_values) {
                Ok(file) => files.push(file),
                Err(error) => errors.push(error),
            }
        }

        let mut variables: hcl::Map<String, hcl::Value> = hcl::Map::new();
        let mut origins = HashMap::new();
        let empty = Context::new();
        for file in files.iter().filter(|file| !file.is_values) {
            for block in blocks(&file.body, "variable") {
                let (Some(name), Some(default)) =
                    (label(block, 0), attribute(&block.body, "default"))
                else {
                    continue;
                };
                if let Resolved::Known(value) = evaluate(&empty, default) {
                    variables.insert(name.to_owned(), value);
                    origins.insert(name.to_owned(), VariableOrigin::Default);
                }
            }
        }
        for file in files.iter().filter(|file| file.is_values) {
            for item in file.body.attributes() {
                if let Resolved::Known(value) = evaluate(&empty, &item.value) {
                    variables.insert(item.key.to_string(), value);
                    origins.insert(
                        item.key.to_string(),
                        VariableOrigin::Tfvars(file.path.clone()),
                    );
                }
            }
        }

        let mut context = Context::new();
        declare_functions(&mut context);
        context.declare_var("var", hcl::Value::Object(variables));
        let locals = resolve_locals(&files, &mut context);
        context.declare_var("local", hcl::Value::Object(locals));
        (
            Module {
                files,
                context,
                origins,
            },
            errors,
        )
    }

    /// The value of an expression of this module.
    pub fn eval(&self, expression: &Expression) -> Resolved {
        evaluate(&self.context, expression)
    }

    /// The value of an expression with one more variable in scope: the iterator of a `dynamic`
    /// block (`ingress.value`).
    pub fn eval_with(&self, expression: &Expression, name: &str, value: hcl::Value) -> Resolved {
        let mut context = self.context.clone();
        context.declare_var(name.to_owned(), value);
        evaluate(&context, expression)
    }

    /// Top-level blocks of a type (`resource`, `provider`, …), with the index of their file.
    pub fn blocks<'m>(&'m self, kind: &'m str) -> impl Iterator<Item = (usize, &'m Block)> + 'm {
        self.files
            .iter()
            .enumerate()
            .filter(|(_, file)| !file.is_values)
            .flat_map(move |(index, file)| {
                blocks(&file.body, kind).map(move |block| (index, block))
            })
    }

    /// `resource "TYPE" "NAME"` blocks of the given types.
    pub fn resources<'m>(
        &'m self,
        types: &'m [&'m str],
    ) -> impl Iterator<Item = (usize, &'m Block)> + 'm {
        self.blocks("resource")
            .filter(move |(_, block)| label(block, 0).is_some_and(|t| types.contains(&t)))
    }

    /// The variables an expression reads (`var.x`), for messages that name the cause.
    pub fn variables_in(&self, expression: &Expression) -> Vec<String> {
        let text = hcl::Expression::from(expression.clone()).to_string();
        let mut names: Vec<String> = text
            .match_indices("var.")
            .filter_map(|(at, _)| {
                let rest = &text[at + 4..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                (end > 0).then(|| rest[..end].to_owned())
            })
            .collect();
        names.dedup();
        names
    }
}

/// The blocks of a body with the given identifier.
pub fn blocks<'b>(body: &'b Body, kind: &'b str) -> impl Iterator<Item = &'b Block> + 'b {
    body.blocks()
        .filter(move |block| block.ident.as_str() == kind)
}

/// A block's label, by position (`resource "aws_db_instance" "main"`: 0 is the type).
pub fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(|label| label.as_str())
}

/// The value of an attribute of a body.
pub fn attribute<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.get_attribute(key).map(|attribute| &attribute.value)
}

/// The byte span of an attribute, key through value, for findings.
pub fn attribute_span(body: &Body, key: &str) -> Option<Range<usize>> {
    body.get_attribute(key)
        .and_then(|attribute| attribute.span())
}

/// The span of a block's header (`resource "aws_db_instance" "main"`), for findings about
/// something missing from it.
pub fn block_header_span(block: &Block) -> Option<Range<usize>> {
    let start = block.ident.span()?.start;
    let end = block
        .labels
        .last()
        .and_then(|label| label.span())
        .map_or(block.ident.span()?.end, |span| span.end);
    Some(start..end)
}

/// The few Terraform functions rules need to see through: `jsonencode` (ECS container
/// definitions, IAM policies) and `jsondecode`. Any other function leaves a value unknown.
fn declare_functions(context: &mut Context<'static>) {
    use hcl::eval::{FuncArgs, FuncDef, ParamType};
    fn jsonencode(args: FuncArgs) -> Result<hcl::Value, String> {
        let value = args.first().ok_or("jsonencode needs an argument")?;
        serde_json::to_string(value)
            .map(hcl::Value::String)
            .map_err(|e| e.to_string())
    }
    fn jsondecode(args: FuncArgs) -> Result<hcl::Value, String> {
        let text = args
            .first()
            .and_then(|v| v.as_str())
            .ok_or("jsondecode needs a string")?;
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
    context.declare_func(
        "jsonencode",
        FuncDef::builder().param(ParamType::Any).build(jsonencode),
    );
    context.declare_func(
        "jsondecode",
        FuncDef::builder()
            .param(ParamType::String)
            .build(jsondecode),
    );
}

fn evaluate(context: &Context<'_>, expression: &Expression) -> Resolved {
    let expression = hcl::Expression::from(expression.clone());
    match expression.evaluate(context) {
        Ok(value) => Resolved::Known(value),
        Err(_) => Resolved::Unknown,
    }
}

/// Rounds of local resolution: a chain of locals deeper than this stays unknown, which bounds the
/// work on hostile input (each round reads every pending local).
const MAX_LOCAL_ROUNDS: usize = 64;

/// Locals may refer to each other in any order: evaluate in rounds until nothing changes.
fn resolve_locals(
    files: &[TfFile],
    context: &mut Context<'static>,
) -> hcl::Map<String, hcl::Value> {
    let mut pending: Vec<(String, &Expression)> = files
        .iter()
        .flat_map(|file| blocks(&file.body, "locals"))
        .flat_map(|block| {
            block
                .body
                .attributes()
                .map(|item| (item.key.to_string(), &item.value))
        })
        .collect();
    let mut known: hcl::Map<String, hcl::Value> = hcl::Map::new();
    for _ in 0..MAX_LOCAL_ROUNDS {
        context.declare_var("local", hcl::Value::Object(known.clone()));
        let before = pending.len();
        pending.retain(|(name, expression)| match evaluate(context, expression) {
            Resolved::Known(value) => {
                known.insert(name.clone(), value);
                false
            }
            Resolved::Unknown => true,
        });
        if pending.len() == before {
            break;
        }
    }
    known
}

/// Parses one file of a module; a JSON file through its HCL translation.
fn parse_file(path: PathBuf, text: String, is_values: bool) -> Result<TfFile, TfParseError> {
    let is_json = path.extension().is_some_and(|e| e == "json");
    let parser = if is_json {
        budget::Parser::Json
    } else {
        budget::Parser::Hcl
    };
    if let Err(refused) = budget::check(parser, &text) {
        return Err(TfParseError {
            path,
            message: refused.to_string(),
            position: None,
            text,
            over_budget: true,
        });
    }
    if !is_json {
        return match hcl_edit::parser::parse_body(&text) {
            Ok(body) => Ok(TfFile {
                path,
                text,
                body,
                is_values,
                json: None,
            }),
            Err(error) => {
                let location = error.location();
                Err(TfParseError {
                    path,
                    message: error.message().to_owned(),
                    position: Some((location.line(), location.column())),
                    text,
                    over_budget: false,
                })
            }
        };
    }
    let translated = if is_values {
        terraform_json::translate_values(&text)
    } else {
        terraform_json::translate(&text)
    };
    let translation = match translated {
        Ok(translation) => translation,
        Err(error) => {
            return Err(TfParseError {
                path,
                message: error.message,
                position: error.position,
                text,
                over_budget: false,
            });
        }
    };
    if let Err(refused) = budget::check(budget::Parser::Hcl, &translation.hcl) {
        return Err(TfParseError {
            path,
            message: refused.to_string(),
            position: None,
            text,
            over_budget: true,
        });
    }
    match hcl_edit::parser::parse_body(&translation.hcl) {
        Ok(body) => Ok(TfFile {
            path,
            text: translation.hcl,
            body,
            is_values,
            json: Some((text, translation.map)),
        }),
        // The JSON is valid but what it holds is not: an expression in a string, most likely.
        Err(error) => {
            let location = error.location();
            let translated = SourceFile::new(PathBuf::new(), translation.hcl);
            let at = translated.offset(Position {
                line: location.line(),
                column: location.column(),
            });
            let original = translation.map.original(at..at).start;
            let source = SourceFile::new(PathBuf::new(), text);
            let position = source.position(original);
            Err(TfParseError {
                path,
                message: error.message().to_owned(),
                position: Some((position.line, position.column)),
                text: source.text,
                over_budget: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(tf: &[(&str, &str)], tfvars: &[(&str, &str)]) -> Module {
        let own = |files: &[(&str, &str)]| {
            files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), (*t).to_owned()))
                .collect()
        };
        let (module, errors) = Module::load(own(tf), own(tfvars));
        assert!(errors.is_empty(), "{errors:?}");
        module
    }

    fn value_of(module: &Module, resource: &str, key: &str) -> Resolved {
        let (_, block) = module
            .blocks("resource")
            .find(|(_, b)| label(b, 1) == Some(resource))
            .unwrap();
        module.eval(attribute(&block.body, key).unwrap())
    }

    #[test]
    fn variables_locals_and_tfvars_resolve_in_terraform_order() {
        let module = module(
            &[
                (
                    "variables.tf",
                    "variable \"cidr\" {\n  default = \"10.0.0.0/8\"\n}\nvariable \"port\" { default = 22 }\nvariable \"open\" {}\n",
                ),
                (
                    "main.tf",
                    "locals {\n  world = \"${local.prefix}/0\"\n  prefix = \"0.0.0.0\"\n}\n\
                     resource \"x\" \"a\" {\n  cidr = var.cidr\n  port = var.port\n  world = [local.world]\n  \
                     open = var.open\n  cond = var.port == 22 ? \"ssh\" : \"other\"\n  data = data.aws_vpc.main.cidr\n}\n",
                ),
            ],
            &[
                ("b.auto.tfvars", "cidr = \"192.168.0.0/16\"\n"),
                (
                    "terraform.tfvars",
                    "cidr = \"172.16.0.0/12\"\nport = 2222\n",
                ),
            ],
        );
        // terraform.tfvars overrides the default, *.auto.tfvars override terraform.tfvars.
        assert_eq!(
            value_of(&module, "a", "cidr"),
            Resolved::Known("192.168.0.0/16".into())
        );
        assert_eq!(value_of(&module, "a", "port"), Resolved::Known(2222.into()));
        assert_eq!(
            module.origins.get("port"),
            Some(&VariableOrigin::Tfvars(PathBuf::from("terraform.tfvars")))
        );
        assert_eq!(
            value_of(&module, "a", "world"),
            Resolved::Known(hcl::Value::Array(vec!["0.0.0.0/0".into()]))
        );
        assert_eq!(
            value_of(&module, "a", "cond"),
            Resolved::Known("other".into())
        );
        assert_eq!(value_of(&module, "a", "open"), Resolved::Unknown);
        assert_eq!(value_of(&module, "a", "data"), Resolved::Unknown);
    }

    #[test]
    fn jsonencode_is_evaluated() {
        let module = module(
            &[(
                "main.tf",
                "resource \"x\" \"a\" {\n  defs = jsonencode([{ image = \"nginx:latest\" }])\n  back = jsondecode(\"{\\\"a\\\": 1}\")\n}\n",
            )],
            &[],
        );
        assert_eq!(
            value_of(&module, "a", "defs"),
            Resolved::Known("[{\"image\":\"nginx:latest\"}]".into())
        );
        let mut object = hcl::Map::new();
        object.insert("a".to_owned(), hcl::Value::from(1));
        assert_eq!(
            value_of(&module, "a", "back"),
            Resolved::Known(hcl::Value::Object(object))
        );
    }

    #[test]
    fn spans_point_into_the_file() {
        let text = "resource \"aws_db_instance\" \"main\" {\n  publicly_accessible = true\n}\n";
        let module = module(&[("db.tf", text)], &[]);
        let (_, block) = module.resources(&["aws_db_instance"]).next().unwrap();
        let span = attribute_span(&block.body, "publicly_accessible").unwrap();
        assert_eq!(&text[span], "publicly_accessible = true");
        assert_eq!(
            &text[block_header_span(block).unwrap()],
            "resource \"aws_db_instance\" \"main\""
        );
    }

    #[test]
    fn broken_files_are_errors_and_the_rest_still_loads() {
        let (module, errors) = Module::load(
            vec![
                (
                    PathBuf::from("ok.tf"),
                    "variable \"a\" { default = 1 }\n".into(),
                ),
                (PathBuf::from("bad.tf"), "resource \"x\" {\n".into()),
            ],
            vec![],
        );
        assert_eq!(module.files.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].path, PathBuf::from("bad.tf"));
    }

    #[test]
    fn variables_named_in_an_expression() {
        let module = module(
            &[(
                "main.tf",
                "resource \"x\" \"a\" {\n  v = \"${var.a}-${var.b_c}\"\n}\n",
            )],
            &[],
        );
        let (_, block) = module.blocks("resource").next().unwrap();
        assert_eq!(
            module.variables_in(attribute(&block.body, "v").unwrap()),
            ["a", "b_c"]
        );
    }
}
