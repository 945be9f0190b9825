//! CFN017: a launch template, launch configuration or instance whose metadata service answers
//! IMDSv1: `MetadataOptions.HttpTokens` left out or `optional`, unless the endpoint is turned
//! off. An instance can only require IMDSv2 through a launch template. The same judgement as
//! TFM018.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::{Template, Value};
use crate::formats::yaml::NodeId;

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN017";

const FIX: &str = "MetadataOptions: {HttpTokens: required}";

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let yaml = template.yaml;
    for resource in template.resources_of(&[
        "AWS::EC2::LaunchTemplate",
        "AWS::AutoScaling::LaunchConfiguration",
        "AWS::EC2::Instance",
    ]) {
        let properties = resource.properties;
        // Where `MetadataOptions` goes.
        let holder: Option<NodeId> = match resource.kind.as_str() {
            "AWS::EC2::LaunchTemplate" => {
                match template.property_value(properties, "LaunchTemplateData") {
                    Value::Mapping(data) => Some(data),
                    // Decided at deployment, or not written: not judged.
                    _ => continue,
                }
            }
            "AWS::EC2::Instance" => {
                // An instance launched from a template takes the template's options.
                if template.property(properties, "LaunchTemplate").is_some() {
                    continue;
                }
                hits.push(Hit::new(
                    RULE,
                    resource.site.clone(),
                    format!(
                        "{} allows IMDSv1: an instance requires IMDSv2 only through a launch template with `{FIX}`",
                        named(resource)
                    ),
                ));
                continue;
            }
            _ => properties,
        };
        let options = match template.property(holder, "MetadataOptions") {
            None => {
                hits.push(Hit::new(
                    RULE,
                    resource.site.clone(),
                    format!("{} allows IMDSv1 (set `{FIX}`)", named(resource)),
                ));
                continue;
            }
            Some(entry) => match template.value(entry.value) {
                Value::Mapping(options) => options,
                _ => continue,
            },
        };
        let endpoint = template.property_value(Some(options), "HttpEndpoint");
        if endpoint.as_str().map(str::trim) == Some("disabled") {
            continue;
        }
        match template.property(Some(options), "HttpTokens") {
            None => hits.push(Hit::new(
                RULE,
                resource.site.clone(),
                format!(
                    "{} allows IMDSv1: `HttpTokens` defaults to `optional` (set `{FIX}`)",
                    named(resource)
                ),
            )),
            Some(entry) => {
                if template.value(entry.value).as_str().map(str::trim) == Some("optional") {
                    hits.push(Hit::new(
                        RULE,
                        yaml.site(entry),
                        format!("{} allows IMDSv1 (`HttpTokens: optional`)", named(resource)),
                    ));
                }
            }
        }
    }
}
