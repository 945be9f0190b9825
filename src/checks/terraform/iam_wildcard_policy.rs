//! TFM013: an IAM policy that allows every action on every resource (`"Action": "*"` with
//! `"Resource": "*"`): administrator access, whoever the policy is attached to.
//!
//! Read from the `policy` of `aws_iam_policy`, `aws_iam_role_policy`, `aws_iam_user_policy` and
//! `aws_iam_group_policy` (JSON, also through `jsonencode(...)`), and from the `statement` blocks of
//! `data "aws_iam_policy_document"`.

use crate::checks::terraform::{View, address};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, Resolved, label};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM013";

const POLICIES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
];

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(POLICIES) {
        let view = View::new(module, file, &block.body);
        let Some(Resolved::Known(hcl::Value::String(json))) = view.get("policy") else {
            continue;
        };
        let Ok(policy) = serde_json::from_str::<serde_json::Value>(&json) else {
            continue;
        };
        let statements = match policy.get("Statement") {
            Some(serde_json::Value::Array(items)) => items.clone(),
            Some(single) => vec![single.clone()],
            None => Vec::new(),
        };
        let admin = statements.iter().any(|statement| {
            let allow = statement.get("Effect").and_then(|e| e.as_str()) == Some("Allow");
            allow && has_star(statement.get("Action")) && has_star(statement.get("Resource"))
        });
        if admin {
            let message = format!("{} allows every action on every resource", address(&block));
            hits.push((
                file,
                Hit::new(RULE, view.span("policy").unwrap_or(0..0), message),
            ));
        }
    }
    for (file, block) in module
        .blocks("data")
        .filter(|(_, b)| label(b, 0) == Some("aws_iam_policy_document"))
    {
        for statement in View::new(module, file, &block.body).nested("statement") {
            let allow = statement.string("effect").is_none_or(|e| e == "Allow");
            let star = |key| {
                statement
                    .strings(key)
                    .is_some_and(|items| items.iter().any(|i| i == "*"))
            };
            if allow && star("actions") && star("resources") {
                let message = format!(
                    "data.{} allows every action on every resource",
                    address(&block)
                );
                hits.push((
                    file,
                    Hit::new(RULE, statement.span("actions").unwrap_or(0..0), message),
                ));
            }
        }
    }
}

/// `"*"` or a list containing `"*"`.
fn has_star(value: Option<&serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::String(text)) => text == "*",
        Some(serde_json::Value::Array(items)) => {
            items.iter().any(|item| item.as_str() == Some("*"))
        }
        _ => false,
    }
}
