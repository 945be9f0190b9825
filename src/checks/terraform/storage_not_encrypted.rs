//! TFM010: database or disk storage left unencrypted at rest (`storage_encrypted` on RDS and
//! Aurora, `encrypted` on EBS volumes), whether set to false or left to its false default.

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span, label};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM010";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(&["aws_db_instance", "aws_rds_cluster", "aws_ebs_volume"])
    {
        let key = if label(&block, 0) == Some("aws_ebs_volume") {
            "encrypted"
        } else {
            "storage_encrypted"
        };
        let view = View::new(module, file, &block.body);
        // Aurora Serverless v1 and clusters restored from encrypted snapshots decide it elsewhere.
        if view.get("snapshot_identifier").is_some() || view.get("replicate_source_db").is_some() {
            continue;
        }
        match view.get(key) {
            None => hits.push((
                file,
                Hit::new(
                    RULE,
                    block_header_span(&block).unwrap_or(0..0),
                    format!("{} does not set `{key} = true`", address(&block)),
                ),
            )),
            Some(_) if view.bool(key) == Some(false) => hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span(key).unwrap_or(0..0),
                    format!(
                        "{} stores data unencrypted{}",
                        address(&block),
                        cause(&view.variables(key))
                    ),
                ),
            )),
            Some(_) => {}
        }
    }
}
