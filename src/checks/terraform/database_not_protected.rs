//! TFM012: a database that one mistaken `terraform destroy` (or apply) can lose: no deletion
//! protection, or automated backups turned off (`backup_retention_period = 0`); a DynamoDB
//! table without point-in-time recovery, its continuous backups.

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM012";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(&["aws_db_instance", "aws_rds_cluster"]) {
        let view = View::new(module, file, &block.body);
        // Read replicas are protected and backed up through their source.
        if view.get("replicate_source_db").is_some() {
            continue;
        }
        match view.bool("deletion_protection") {
            Some(true) => {}
            Some(false) => hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span("deletion_protection").unwrap_or(0..0),
                    format!(
                        "{} can be deleted without protection{}",
                        address(&block),
                        cause(&view.variables("deletion_protection"))
                    ),
                ),
            )),
            None if view.get("deletion_protection").is_none() => hits.push((
                file,
                Hit::new(
                    RULE,
                    block_header_span(&block).unwrap_or(0..0),
                    format!(
                        "{} does not set `deletion_protection = true`",
                        address(&block)
                    ),
                ),
            )),
            None => {}
        }
        if view.string("backup_retention_period").as_deref() == Some("0") {
            hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span("backup_retention_period").unwrap_or(0..0),
                    format!(
                        "{} turns automated backups off{}",
                        address(&block),
                        cause(&view.variables("backup_retention_period"))
                    ),
                ),
            ));
        }
    }
    for (file, block) in module.resources(&["aws_dynamodb_table"]) {
        let view = View::new(module, file, &block.body);
        let recovery = view.nested("point_in_time_recovery");
        match recovery.first().map(|r| (r.bool("enabled"), r.span("enabled"))) {
            Some((Some(true), _)) => {}
            // Decided by a variable without a value here: not judged.
            Some((None, Some(_))) => {}
            Some((_, span)) => hits.push((
                file,
                Hit::new(
                    RULE,
                    span.unwrap_or_else(|| block_header_span(&block).unwrap_or(0..0)),
                    format!("{} has point-in-time recovery off", address(&block)),
                ),
            )),
            None => hits.push((
                file,
                Hit::new(
                    RULE,
                    block_header_span(&block).unwrap_or(0..0),
                    format!(
                        "{} has no `point_in_time_recovery {{ enabled = true }}`: no backup to restore a deleted or corrupted item from",
                        address(&block)
                    ),
                ),
            )),
        }
    }
}
