//! TFM016: a VPC without flow logs: after an intrusion, nothing tells which addresses talked to
//! which, and a scan or an exfiltration in progress leaves no trace to alert on. A VPC counts
//! as logged when an `aws_flow_log` of the module names it (`vpc_id`), or, for the
//! `terraform-aws-modules/vpc` module, with `enable_flow_log = true`. A flow log whose VPC is
//! named through a local or a variable may log any of them, so none is reported.

use crate::checks::terraform::{View, address, resources_without};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span, label};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM016";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    // A flow log of a VPC named through a local or a variable may be any VPC's: none is judged.
    for (file, block) in resources_without(module, "aws_vpc", "aws_flow_log", "vpc_id") {
        hits.push((
            file,
            Hit::new(
                RULE,
                block_header_span(&block).unwrap_or(0..0),
                format!(
                    "{} has no `aws_flow_log` in this module: its traffic leaves no record",
                    address(&block)
                ),
            ),
        ));
    }
    for (file, block) in module.blocks("module") {
        let view = View::new(module, file, &block.body);
        if !view
            .string("source")
            .is_some_and(|s| s.contains("terraform-aws-modules/vpc"))
            || view
                .string("source")
                .is_some_and(|s| s.contains("//modules/"))
        {
            continue;
        }
        match view.bool("enable_flow_log") {
            Some(true) => {}
            // Decided by a variable without a value here: not judged.
            None if view.get("enable_flow_log").is_some() => {}
            _ => hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span("enable_flow_log")
                        .unwrap_or_else(|| block_header_span(&block).unwrap_or(0..0)),
                    format!(
                        "module.{} creates a VPC without flow logs (`enable_flow_log = true` is off)",
                        label(&block, 0).unwrap_or("?")
                    ),
                ),
            )),
        }
    }
}
