//! CFN011: an S3 bucket open to the public, or without a public access block: a public canned
//! ACL (`AccessControl: PublicRead` or `PublicReadWrite`), a `PublicAccessBlockConfiguration`
//! that turns any of its four protections off, or none at all. The same judgement as TFM011.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::{Template, Value};

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN011";

const PROTECTIONS: &[&str] = &[
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let yaml = template.yaml;
    for bucket in template.resources_of(&["AWS::S3::Bucket"]) {
        let properties = bucket.properties;
        if let Some(acl) = template.property(properties, "AccessControl")
            && let Some(value) = template.value(acl.value).as_str()
            && matches!(value.trim(), "PublicRead" | "PublicReadWrite")
        {
            hits.push(Hit::new(
                RULE,
                yaml.site(acl),
                format!("{} grants the canned ACL `{}`", named(bucket), value.trim()),
            ));
        }
        let Some(block) = template.property(properties, "PublicAccessBlockConfiguration") else {
            hits.push(Hit::new(
                RULE,
                bucket.site.clone(),
                format!(
                    "{} has no `PublicAccessBlockConfiguration`: whether it can be made public is left to the account's settings",
                    named(bucket)
                ),
            ));
            continue;
        };
        let Value::Mapping(block) = template.value(block.value) else {
            continue;
        };
        for protection in PROTECTIONS {
            let entry = template.property(Some(block), protection);
            let off = match entry {
                // Left out, a protection of the block is off.
                None => true,
                Some(entry) => template.value(entry.value).as_bool() == Some(false),
            };
            if off {
                let span = entry.map_or_else(|| yaml.span(block), |e| yaml.site(e));
                hits.push(Hit::new(
                    RULE,
                    span,
                    format!(
                        "{} turns the public access protection `{protection}` off",
                        named(bucket)
                    ),
                ));
            }
        }
    }
}
