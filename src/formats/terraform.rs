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
//!
//! Memory: a module keeps its files as text and their [outline](super::hcl_outline), and its
//! top-level blocks as trees only while those fit in [`CACHE_PER_BYTE`] times the module's size
//! (with a floor); beyond that, a block is parsed again each time a rule asks for it. Every file is
//! parsed whole once, block by block, when the module loads, which is where syntax errors are
//! found. So a large file costs its text plus a bounded cache, never the thirty-odd times its size
//! that a whole tree would.

use std::collections::HashMap;
use std::ops::{Deref, Range};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl::eval::{Context, Evaluate};
use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use crate::formats::budget;
use crate::formats::hcl_outline::{self, Header};
use crate::formats::terraform_json::{self, SpanMap};
use crate::source::{Position, SourceFile};

/// A file of a module: configuration (`.tf`, `.tf.json`) or variable values (`.tfvars`,
/// `.tfvars.json`), as text and its top-level items.
pub struct TfFile {
    pub path: PathBuf,
    /// The text the items' spans point into: the file itself, or the HCL translation of a JSON
    /// file.
    pub text: String,
    /// Variable values (its attributes set variables), not configuration.
    pub is_values: bool,
    /// For a JSON file: the text as written, and the way back to it.
    json: Option<(String, SpanMap)>,
    items: Vec<Item>,
}

/// A top-level block or attribute of a file, with its tree when the module keeps it.
struct Item {
    span: Range<usize>,
    header: Header,
    /// What its tree costs, estimated from its length.
    estimate: u64,
    tree: Option<Arc<Body>>,
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

    /// The item's tree: kept, or parsed again (it parsed when the module loaded).
    fn tree(&self, item: &Item) -> Option<Arc<Body>> {
        item.tree.clone().or_else(|| {
            hcl_edit::parser::parse_body(&self.text[item.span.clone()])
                .ok()
                .map(Arc::new)
        })
    }
}

/// Where a parsed item's spans are: its file in the module, and the offset its spans are
/// relative to (an item is parsed on its own, so its spans start at its first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub file: usize,
    pub offset: usize,
}

impl At {
    /// A span of the item, in its file's text.
    pub fn in_file(self, span: Range<usize>) -> Range<usize> {
        span.start + self.offset..span.end + self.offset
    }
}

/// A top-level block of a module, parsed.
pub struct TfBlock {
    tree: Arc<Body>,
}

impl Deref for TfBlock {
    type Target = Block;

    fn deref(&self) -> &Block {
        self.tree
            .blocks()
            .next()
            .expect("a block item parses to one block")
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
        let size: usize = configuration
            .iter()
            .chain(&values)
            .map(|(_, text)| text.len())
            .sum();
        let mut cache = cache_allowance(size);
        let (mut files, mut errors) = (Vec::new(), Vec::new());
        let sources = configuration
            .into_iter()
            .map(|source| (source, false))
            .chain(values.into_iter().map(|source| (source, true)));
        for ((path, text), is_values) in sources {
            match parse_file(path, text, is_values, &mut cache) {
                Ok(file) => files.push(file),
                Err(error) => errors.push(error),
            }
        }
        let mut module = Module {
            files,
            context: Context::new(),
            origins: HashMap::new(),
        };

        let mut variables: hcl::Map<String, hcl::Value> = hcl::Map::new();
        let empty = Context::new();
        for (_, block) in module.blocks("variable") {
            let (Some(name), Some(default)) = (label(&block, 0), attribute(&block.body, "default"))
            else {
                continue;
            };
            if let Resolved::Known(value) = evaluate(&empty, default) {
                variables.insert(name.to_owned(), value);
            }
        }
        let mut origins: HashMap<String, VariableOrigin> = variables
            .keys()
            .map(|name| (name.clone(), VariableOrigin::Default))
            .collect();
        let values = module.items_where(|file, header| {
            file.is_values && matches!(header, Header::Attribute { .. })
        });
        for (at, tree) in values {
            for item in tree.attributes() {
                if let Resolved::Known(value) = evaluate(&empty, &item.value) {
                    variables.insert(item.key.to_string(), value);
                    let path = module.files[at.file].path.clone();
                    origins.insert(item.key.to_string(), VariableOrigin::Tfvars(path));
                }
            }
        }
        module.origins = origins;

        let mut context = Context::new();
        declare_functions(&mut context);
        context.declare_var("var", hcl::Value::Object(variables));
        let locals = resolve_locals(&module, size, &mut context);
        context.declare_var("local", hcl::Value::Object(locals));
        module.context = context;
        (module, errors)
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

    /// Top-level items of the module's files, parsed, where `keep` accepts their file and
    /// header (which is read without parsing).
    fn items_where<'m>(
        &'m self,
        keep: impl Fn(&TfFile, &Header) -> bool + 'm,
    ) -> impl Iterator<Item = (At, Arc<Body>)> + 'm {
        self.files
            .iter()
            .enumerate()
            .flat_map(|(index, file)| file.items.iter().map(move |item| (index, file, item)))
            .filter(move |(_, file, item)| keep(file, &item.header))
            .filter_map(|(index, file, item)| {
                let at = At {
                    file: index,
                    offset: item.span.start,
                };
                Some((at, file.tree(item)?))
            })
    }

    /// Every top-level item of every file (blocks of configuration, attributes of variable
    /// files), for rules that read everything.
    pub fn items(&self) -> impl Iterator<Item = (At, Arc<Body>)> + '_ {
        self.items_where(|_, _| true)
    }

    /// The text an item's spans point into, from the item's first byte.
    pub fn text(&self, at: At) -> &str {
        self.files
            .get(at.file)
            .and_then(|file| file.text.get(at.offset..))
            .unwrap_or("")
    }

    /// Top-level blocks of a type (`resource`, `provider`, …) of configuration files.
    pub fn blocks<'m>(&'m self, kind: &'m str) -> impl Iterator<Item = (At, TfBlock)> + 'm {
        self.blocks_where(move |ident, _| ident == kind)
    }

    /// `resource "TYPE" "NAME"` blocks of the given types.
    pub fn resources<'m>(
        &'m self,
        types: &'m [&'m str],
    ) -> impl Iterator<Item = (At, TfBlock)> + 'm {
        self.blocks_where(move |ident, labels| {
            ident == "resource" && labels.first().is_some_and(|t| types.contains(&t.as_str()))
        })
    }

    fn blocks_where<'m>(
        &'m self,
        keep: impl Fn(&str, &[String]) -> bool + 'm,
    ) -> impl Iterator<Item = (At, TfBlock)> + 'm {
        self.items_where(move |file, header| match header {
            Header::Block { ident, labels } => !file.is_values && keep(ident, labels),
            _ => false,
        })
        .filter(|(_, tree)| tree.blocks().next().is_some())
        .map(|(at, tree)| (at, TfBlock { tree }))
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

/// Locals may refer to each other in any order: evaluate in rounds until nothing changes. Their
/// blocks are held as trees together: those the module keeps, and as many others as fit in one
/// more cache allowance; locals beyond stay unknown.
fn resolve_locals(
    module: &Module,
    size: usize,
    context: &mut Context<'static>,
) -> hcl::Map<String, hcl::Value> {
    let mut allowed = cache_allowance(size);
    let trees: Vec<Arc<Body>> = module
        .files
        .iter()
        .filter(|file| !file.is_values)
        .flat_map(|file| file.items.iter().map(move |item| (file, item)))
        .filter(
            |(_, item)| matches!(&item.header, Header::Block { ident, .. } if ident == "locals"),
        )
        .take_while(|(_, item)| {
            if item.tree.is_none() {
                allowed = allowed.saturating_sub(item.estimate);
            }
            allowed > 0
        })
        .filter_map(|(file, item)| file.tree(item))
        .collect();
    let mut pending: Vec<(String, &Expression)> = trees
        .iter()
        .flat_map(|tree| tree.blocks())
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

/// What the tree of a realistic block costs per byte of its text (measured with heaptrack on the
/// fixtures: 27 to 31), for the cache's accounting; the budget, a hard limit, counts tokens.
const TREE_PER_BYTE: u64 = 32;
/// …plus what every block's tree costs whatever its size (two bodies with room for four
/// structures each, measured with heaptrack on files of a million one-line blocks).
const TREE_PER_ITEM: u64 = 2560;
/// A module keeps its blocks' trees while they fit in this many times its size…
pub const CACHE_PER_BYTE: u64 = 4;
/// …or in this much, whichever is more.
const CACHE_FLOOR: u64 = 64 * 1024 * 1024;

/// How much estimated tree a module of `size` bytes may keep: the cache, and again as much for
/// the locals held together while they are resolved.
fn cache_allowance(size: usize) -> u64 {
    (size as u64)
        .saturating_mul(CACHE_PER_BYTE)
        .max(CACHE_FLOOR)
}

/// The estimated cost of the tree of a block of `length` bytes.
fn tree_estimate(length: usize) -> u64 {
    (length as u64)
        .saturating_mul(TREE_PER_BYTE)
        .saturating_add(TREE_PER_ITEM)
}

/// Reads one file of a module (a JSON file through its HCL translation) and parses each of its
/// top-level items, keeping their trees while `cache` (bytes of estimated tree) allows.
fn parse_file(
    path: PathBuf,
    text: String,
    is_values: bool,
    cache: &mut u64,
) -> Result<TfFile, TfParseError> {
    let over_budget = |path, message: String, text| TfParseError {
        path,
        message,
        position: None,
        text,
        over_budget: true,
    };
    let allowed = budget::budget(text.len());
    let (text, json) = if path.extension().is_some_and(|e| e == "json") {
        if let Err(refused) = budget::check(budget::Parser::Json, &text) {
            return Err(over_budget(path, refused.to_string(), text));
        }
        let translated = if is_values {
            terraform_json::translate_values(&text)
        } else {
            terraform_json::translate(&text)
        };
        match translated {
            Ok(translation) => (translation.hcl, Some((text, translation.map))),
            Err(error) => {
                return Err(TfParseError {
                    path,
                    message: error.message,
                    position: error.position,
                    text,
                    over_budget: false,
                });
            }
        }
    } else {
        (text, None)
    };
    let mut file = TfFile {
        path,
        text,
        is_values,
        json,
        items: Vec::new(),
    };
    let outline = hcl_outline::outline(&file.text);
    // Every block's tree costs something whatever its size: a file of very many tiny blocks
    // cannot be held within the budget however they are cached.
    let least = (outline.len() as u64).saturating_mul(TREE_PER_ITEM);
    if least > allowed {
        let refused = budget::OverBudget {
            estimate: least,
            budget: allowed,
        };
        let text = file.json.map_or(file.text, |(text, _)| text);
        return Err(over_budget(file.path, refused.to_string(), text));
    }
    for outlined in outline {
        let source = &file.text[outlined.span.clone()];
        if let Err(refused) = budget::check_within(budget::Parser::Hcl, source, allowed) {
            let text = file.json.map_or(file.text, |(text, _)| text);
            return Err(over_budget(file.path, refused.to_string(), text));
        }
        let estimate = tree_estimate(source.len());
        match hcl_edit::parser::parse_body(source) {
            Ok(tree) => {
                let keep = estimate <= *cache;
                if keep {
                    *cache -= estimate;
                }
                file.items.push(Item {
                    span: outlined.span,
                    header: outlined.header,
                    estimate,
                    tree: keep.then(|| Arc::new(tree)),
                });
            }
            Err(error) => {
                let location = error.location();
                let within = SourceFile::new(PathBuf::new(), source.to_owned()).offset(Position {
                    line: location.line(),
                    column: location.column(),
                });
                let at = outlined.span.start + within;
                let (text, at) = match file.json {
                    Some((text, map)) => (text, map.original(at..at).start),
                    None => (file.text, at),
                };
                let message = error.message().to_owned();
                let source = SourceFile::new(PathBuf::new(), text);
                let position = source.position(at);
                return Err(TfParseError {
                    path: file.path,
                    message,
                    position: Some((position.line, position.column)),
                    text: source.text,
                    over_budget: false,
                });
            }
        }
    }
    Ok(file)
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
        let text = "variable \"x\" {}\n\n# a comment\nresource \"aws_db_instance\" \"main\" {\n  publicly_accessible = true\n}\n";
        let module = module(&[("db.tf", text)], &[]);
        let (at, block) = module.resources(&["aws_db_instance"]).next().unwrap();
        let span = attribute_span(&block.body, "publicly_accessible").unwrap();
        assert_eq!(&text[at.in_file(span)], "publicly_accessible = true");
        assert_eq!(
            &text[at.in_file(block_header_span(&block).unwrap())],
            "resource \"aws_db_instance\" \"main\""
        );
    }

    /// Parsing item by item reads every fixture exactly as parsing it whole does.
    #[test]
    fn items_parse_as_the_whole_file_does() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/terraform");
        let mut checked = 0;
        let paths = ignore::WalkBuilder::new(root)
            .build()
            .flatten()
            .map(|entry| entry.into_path())
            .filter(|path| path.extension().is_some_and(|e| e == "tf"));
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(whole) = hcl_edit::parser::parse_body(&text) else {
                continue;
            };
            let whole: Vec<String> = hcl::Body::from(whole)
                .into_iter()
                .map(|structure| format!("{structure:?}"))
                .collect();
            let items: Vec<String> = hcl_outline::outline(&text)
                .into_iter()
                .map(|item| {
                    let tree = hcl_edit::parser::parse_body(&text[item.span]).unwrap();
                    format!("{:?}", hcl::Body::from(tree).into_inner()[0])
                })
                .collect();
            assert_eq!(items, whole, "{}", path.display());
            checked += 1;
        }
        assert!(checked > 20, "{checked} fixtures");
    }

    #[test]
    fn a_syntax_error_is_placed_in_the_file_not_in_its_block() {
        let text = "variable \"a\" {\n  default = 1\n}\n\nresource \"x\" \"y\" {\n  a = = 2\n}\n";
        let (module, errors) = Module::load(vec![(PathBuf::from("bad.tf"), text.into())], vec![]);
        assert!(module.files.is_empty());
        let whole = hcl_edit::parser::parse_body(text).unwrap_err();
        let expected = (whole.location().line(), whole.location().column());
        assert_eq!(errors[0].position, Some(expected));
        assert_eq!(expected.0, 6);
    }

    /// Beyond the cache, blocks are parsed again when asked for and read the same.
    #[test]
    fn blocks_beyond_the_cache_are_parsed_again() {
        let block = "resource \"aws_db_instance\" \"db\" {\n  publicly_accessible = true\n}\n";
        let text = block.repeat(3);
        let mut cache = tree_estimate(block.len());
        let file = parse_file(PathBuf::from("main.tf"), text, false, &mut cache).unwrap();
        let kept: Vec<bool> = file.items.iter().map(|item| item.tree.is_some()).collect();
        assert_eq!(kept, [true, false, false]);
        let module = Module {
            files: vec![file],
            context: Context::new(),
            origins: HashMap::new(),
        };
        let spans: Vec<Range<usize>> = module
            .resources(&["aws_db_instance"])
            .map(|(at, block)| {
                at.in_file(attribute_span(&block.body, "publicly_accessible").unwrap())
            })
            .collect();
        assert_eq!(spans.len(), 3);
        for span in spans {
            assert_eq!(&module.files[0].text[span], "publicly_accessible = true");
        }
    }

    /// Each block's tree has a cost of its own: a file of very many tiny blocks is refused
    /// before any is parsed, however small each one is.
    #[test]
    fn very_many_tiny_blocks_are_over_the_budget() {
        let text = "locals {}\n".repeat(60_000);
        let (module, errors) = Module::load(vec![(PathBuf::from("main.tf"), text)], vec![]);
        assert!(module.files.is_empty());
        assert!(errors[0].over_budget, "{:?}", errors[0].message);
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
