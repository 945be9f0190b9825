//! TFM004: a credential written into Terraform.
//!
//! Every attribute of every block is judged with the same rules as environment variables: a
//! secret-like name (`password`, `master_password`, `secret_key`, `client_secret`, `token`, …)
//! given a literal string, or a known token format anywhere in a string (heredocs included). A
//! `variable` whose name is secret-like is judged by its `default`, and a `.tfvars` file by the
//! values it sets. References (`var.…`, `data.…`, `random_password.…`, `aws_secretsmanager_…`)
//! are not literals and pass.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};

use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, label};
use crate::secrets;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM004";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (at, tree) in module.items() {
        let text = module.text(at);
        let file = &module.files[at.file];
        if file.is_values {
            let name = file.path.file_name().unwrap_or_default().to_string_lossy();
            walk(text, &tree, &format!("`{name}`"), &mut |hit| {
                hits.push((at, hit))
            });
            continue;
        }
        for block in tree.blocks() {
            let owner = describe(block);
            if block.ident.as_str() == "variable" {
                let name = label(block, 0).unwrap_or("?");
                if let Some(attribute) = block.body.get_attribute("default") {
                    let subject = format!("the default of variable `{name}`");
                    judge(text, name, &attribute.value, &subject, &mut |hit| {
                        hits.push((at, hit))
                    });
                }
                continue;
            }
            walk(text, &block.body, &owner, &mut |hit| hits.push((at, hit)));
        }
    }
}

/// Judges every attribute of a body and of its nested blocks.
fn walk(text: &str, body: &Body, owner: &str, report: &mut dyn FnMut(Hit)) {
    for attribute in body.attributes() {
        let key = attribute.key.as_str();
        judge(
            text,
            key,
            &attribute.value,
            &format!("`{key}` of {owner}"),
            report,
        );
    }
    for nested in body.blocks() {
        walk(text, &nested.body, owner, report);
    }
}

/// Reports `expression`, assigned to `name`, when it is a literal secret or holds a known token.
/// Objects and lists are judged entry by entry, each entry under its own key, every one of them.
fn judge(
    text: &str,
    name: &str,
    expression: &Expression,
    subject: &str,
    report: &mut dyn FnMut(Hit),
) {
    match expression {
        Expression::Object(object) => {
            for (key, value) in object.iter() {
                let key_text = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(Expression::String(literal)) => {
                        literal.value().to_string()
                    }
                    ObjectKey::Expression(_) => name.to_owned(),
                };
                let subject = format!("`{key_text}` in {subject}");
                judge(text, &key_text, value.expr(), &subject, report);
            }
        }
        Expression::Array(array) => {
            // A list named `secrets` lists which secrets (`secrets = ["db_password"]`): its
            // entries are judged for provider tokens only, not as values of a secret-like name.
            let collection = name.rsplit(['_', '-', '.']).next() == Some("secrets");
            let item_name = if collection { "" } else { name };
            for item in array.iter() {
                judge(text, item_name, item, subject, report);
            }
        }
        _ => {
            if let Some(hit) = judge_value(text, name, expression, subject) {
                report(hit);
            }
        }
    }
}

/// A hit when a single value is a literal secret or holds a known token.
fn judge_value(text: &str, name: &str, expression: &Expression, subject: &str) -> Option<Hit> {
    let span = expression.span()?;
    let raw = text.get(span.clone())?;
    let (value, secret) = match expression {
        Expression::String(literal) => {
            let value = literal.value().as_str();
            (value.to_owned(), secrets::assigned_secret(name, value)?)
        }
        // Templates, heredocs and anything else: only a known token format, found in the text.
        _ => {
            let (format, range) = secrets::find_token(raw)?;
            let masked = secrets::mask(&raw[range.clone()]);
            let secret = secrets::AssignedSecret {
                description: secrets::holds(format, &masked),
                range: range.clone(),
            };
            (raw.to_owned(), secret)
        }
    };
    let location = secrets::locate(raw, span.clone(), &value, secret.range.clone());
    Some(Hit::new(RULE, span, format!("{subject} {}", secret.description)).with_secret(location))
}

/// `aws_db_instance.main`, `provider "aws"`, `module "vpc"`.
fn describe(block: &Block) -> String {
    match (block.ident.as_str(), label(block, 0), label(block, 1)) {
        ("resource" | "data", Some(kind), Some(name)) => format!("{kind}.{name}"),
        (ident, Some(first), _) => format!("{ident} `{first}`"),
        (ident, None, _) => ident.to_owned(),
    }
}
