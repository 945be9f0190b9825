//! CFN014: a bucket that holds backups or logs without Object Lock and a default retention:
//! whoever gets the keys deletes or overwrites the copies meant to survive them. The same
//! judgement as TFM015: a bucket holds backups or logs when its logical id or `BucketName`
//! says so, or when a CloudTrail trail or another bucket's access logging writes to it.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::{Template, Value};
use crate::model::backups::holds_backups_or_logs;

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN014";

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let yaml = template.yaml;
    // Buckets logs are written to.
    let mut log_targets: Vec<String> = Vec::new();
    for trail in template.resources_of(&["AWS::CloudTrail::Trail"]) {
        if let Some(bucket) = template.property(trail.properties, "S3BucketName") {
            log_targets.extend(template.referenced(bucket.value));
        }
    }
    for bucket in template.resources_of(&["AWS::S3::Bucket"]) {
        if let Value::Mapping(logging) =
            template.property_value(bucket.properties, "LoggingConfiguration")
            && let Some(target) = template.property(Some(logging), "DestinationBucketName")
        {
            log_targets.extend(template.referenced(target.value));
        }
    }
    for bucket in template.resources_of(&["AWS::S3::Bucket"]) {
        let properties = bucket.properties;
        let bucket_name = template
            .property_value(properties, "BucketName")
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        let written_to = log_targets.contains(&bucket.id);
        if !written_to && !holds_backups_or_logs([bucket.id.as_str(), bucket_name.as_str()]) {
            continue;
        }
        let retention = match template.property_value(properties, "ObjectLockConfiguration") {
            Value::Mapping(lock) => match template.property_value(Some(lock), "Rule") {
                Value::Mapping(rule) => template.property(Some(rule), "DefaultRetention").is_some(),
                _ => false,
            },
            _ => false,
        };
        let enabled = template.property(properties, "ObjectLockEnabled");
        let lock_on = enabled.is_some_and(|e| template.value(e.value).as_bool() == Some(true));
        if lock_on && retention {
            continue;
        }
        let what = if written_to {
            "receives logs"
        } else {
            "holds backups or logs, by its name,"
        };
        let how = if lock_on {
            "enables Object Lock without a default retention, so nothing keeps its objects from being deleted"
        } else {
            "has no Object Lock with a default retention: whoever gets its keys can delete or overwrite every copy"
        };
        let span = enabled.map_or_else(|| bucket.site.clone(), |e| yaml.site(e));
        hits.push(Hit::new(
            RULE,
            span,
            format!("{} {what} and {how}", named(bucket)),
        ));
    }
}
