//! TFM015: a bucket that holds backups or logs without Object Lock and a default retention:
//! whoever gets the keys (ransomware, an insider, a leaked pipeline token) deletes or
//! overwrites the copies meant to survive exactly that. Object Lock in compliance or governance
//! mode keeps every version for the retention period, whoever asks.
//!
//! A bucket holds backups or logs when its name (the resource's, or its `bucket`) says so
//! (`db-backups`, `audit-logs`, see `model::backups`), or when a CloudTrail trail or another
//! bucket's access logging writes to it. Object Lock counts from the bucket's own
//! `object_lock_configuration` (provider 3) or an `aws_s3_bucket_object_lock_configuration` of
//! the module, when it sets a `default_retention`.

use crate::checks::terraform::{View, address};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span, label};
use crate::model::backups::holds_backups_or_logs;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM015";

/// Whether an Object Lock `rule` block sets a default retention.
fn has_default_retention(view: &View<'_>) -> bool {
    view.nested("rule")
        .iter()
        .any(|rule| !rule.nested("default_retention").is_empty())
}

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    // Where logs are written: CloudTrail trails and buckets' access logging.
    let mut log_targets: Vec<String> = Vec::new();
    for (file, block) in module.resources(&["aws_cloudtrail"]) {
        log_targets.extend(View::new(module, file, &block.body).text("s3_bucket_name"));
    }
    for (file, block) in module.resources(&["aws_s3_bucket_logging"]) {
        log_targets.extend(View::new(module, file, &block.body).text("target_bucket"));
    }
    // Buckets locked by a separate configuration resource, with a default retention.
    let locked: Vec<String> = module
        .resources(&["aws_s3_bucket_object_lock_configuration"])
        .filter_map(|(file, block)| {
            let view = View::new(module, file, &block.body);
            has_default_retention(&view)
                .then(|| view.text("bucket"))
                .flatten()
        })
        .collect();
    for (file, block) in module.resources(&["aws_s3_bucket"]) {
        let view = View::new(module, file, &block.body);
        let name = label(&block, 1).unwrap_or("?");
        let reference = format!("aws_s3_bucket.{name}.");
        let bucket_name = view
            .string("bucket")
            .or_else(|| view.string("bucket_prefix"))
            .unwrap_or_default();
        let written_to = log_targets.iter().any(|t| t.contains(&reference));
        if !written_to && !holds_backups_or_logs([name, bucket_name.as_str()]) {
            continue;
        }
        let inline = view
            .nested("object_lock_configuration")
            .iter()
            .any(has_default_retention);
        if inline || locked.iter().any(|bucket| bucket.contains(&reference)) {
            continue;
        }
        let what = if written_to {
            "receives logs"
        } else {
            "holds backups or logs, by its name,"
        };
        let how = if view.bool("object_lock_enabled") == Some(true) {
            "enables Object Lock without a default retention, so nothing keeps its objects from being deleted"
        } else {
            "has no Object Lock with a default retention: whoever gets its keys can delete or overwrite every copy"
        };
        hits.push((
            file,
            Hit::new(
                RULE,
                view.span("object_lock_enabled")
                    .unwrap_or_else(|| block_header_span(&block).unwrap_or(0..0)),
                format!("{} {what} and {how}", address(&block)),
            ),
        ));
    }
}
