//! CFN013: an EKS cluster whose API endpoint anyone on the internet can reach: the public
//! endpoint on (`ResourcesVpcConfig.EndpointPublicAccess`, true by default) with no
//! `PublicAccessCidrs` (every address by default) or with `0.0.0.0/0` among them. The same
//! judgement as TFM014.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::{Template, Value};
use crate::model::ports::is_everyone;

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN013";

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let yaml = template.yaml;
    for cluster in template.resources_of(&["AWS::EKS::Cluster"]) {
        let Some(config) = template.property(cluster.properties, "ResourcesVpcConfig") else {
            continue;
        };
        let Value::Mapping(node) = template.value(config.value) else {
            continue;
        };
        let public = template.property(Some(node), "EndpointPublicAccess");
        match public.map(|p| template.value(p.value).as_bool()) {
            Some(Some(false)) => continue,
            // Decided at deploy time: not judged.
            Some(None) => continue,
            _ => {}
        }
        let ranges = template.property(Some(node), "PublicAccessCidrs");
        let message = match ranges.map(|r| template.value(r.value)) {
            None => format!(
                "{} has a public API endpoint with no `PublicAccessCidrs`, so every address may reach it",
                named(cluster)
            ),
            Some(Value::List(items))
                if items.iter().any(|i| i.as_str().is_some_and(is_everyone)) =>
            {
                format!(
                    "{} admits every address to its public API endpoint (`PublicAccessCidrs` holds `0.0.0.0/0`)",
                    named(cluster)
                )
            }
            Some(_) => continue,
        };
        let span = ranges
            .or(public)
            .map_or_else(|| yaml.site(config), |e| yaml.site(e));
        hits.push(Hit::new(RULE, span, message));
    }
}
