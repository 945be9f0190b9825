//! CFN015: a VPC without flow logs: after an intrusion, nothing tells which addresses talked to
//! which. A VPC counts as logged when an `AWS::EC2::FlowLog` of the template names it in
//! `ResourceId`. The same judgement as TFM016.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::Template;

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN015";

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let logged: Vec<String> = template
        .resources_of(&["AWS::EC2::FlowLog"])
        .filter_map(|log| template.property(log.properties, "ResourceId"))
        .flat_map(|id| template.referenced(id.value))
        .collect();
    for vpc in template.resources_of(&["AWS::EC2::VPC"]) {
        if !logged.contains(&vpc.id) {
            hits.push(Hit::new(
                RULE,
                vpc.site.clone(),
                format!(
                    "{} has no `AWS::EC2::FlowLog` in this template: its traffic leaves no record",
                    named(vpc)
                ),
            ));
        }
    }
}
