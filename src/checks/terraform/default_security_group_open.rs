//! TFM019: a VPC's default security group that admits traffic. Every VPC has one, which
//! resources join when none is named, and AWS creates it with rules (all traffic between its
//! members, all traffic out). Left unmanaged it keeps those; managed by
//! `aws_default_security_group` with rules, or given rules by separate resources
//! (`security_group_id = aws_vpc.main.default_security_group_id`), it has others. Managed
//! without rules, it admits nothing.

use crate::checks::terraform::{View, address, resources_without};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM019";

/// Resources that add one rule to the security group they name.
const RULE_RESOURCES: &[&str] = &[
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
];

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(RULE_RESOURCES) {
        let view = View::new(module, file, &block.body);
        let Some(group) = view.text("security_group_id") else {
            continue;
        };
        // As written in HCL (`aws_vpc.main.default_security_group_id`) or in JSON (`"${…}"`).
        if group.contains(".default_security_group_id")
            || group.contains("aws_default_security_group.")
        {
            hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span("security_group_id")
                        .or_else(|| block_header_span(&block))
                        .unwrap_or(0..0),
                    format!(
                        "{} adds a rule to the VPC's default security group",
                        address(&block)
                    ),
                ),
            ));
        }
    }
    // A default group of a VPC named through a local or a variable may be any VPC's: none is
    // judged unmanaged.
    let unmanaged = resources_without(module, "aws_vpc", "aws_default_security_group", "vpc_id");
    for (file, block) in unmanaged {
        hits.push((
            file,
            Hit::new(
                RULE,
                block_header_span(&block).unwrap_or(0..0),
                format!(
                    "{} leaves its default security group with AWS's rules (traffic between its members, all traffic out): manage it with an `aws_default_security_group` without rules",
                    address(&block)
                ),
            ),
        ));
    }
    for (file, block) in module.resources(&["aws_default_security_group"]) {
        let view = View::new(module, file, &block.body);
        for direction in ["ingress", "egress"] {
            let rules = view.nested(direction);
            if rules.is_empty() {
                continue;
            }
            // A rule's own span when written as a block; the header otherwise.
            let span = block
                .body
                .blocks()
                .find(|nested| nested.ident.as_str() == direction)
                .and_then(block_header_span)
                .or_else(|| view.span(direction))
                .or_else(|| block_header_span(&block))
                .unwrap_or(0..0);
            hits.push((
                file,
                Hit::new(
                    RULE,
                    span,
                    format!(
                        "{} gives the VPC's default security group {} {direction} rule{}",
                        address(&block),
                        rules.len(),
                        if rules.len() == 1 { "" } else { "s" }
                    ),
                ),
            ));
        }
    }
}
