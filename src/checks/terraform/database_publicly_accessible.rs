//! TFM003: a managed database given a public endpoint (`publicly_accessible = true`).

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::Module;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM003";

const DATABASES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster_instance",
    "aws_redshift_cluster",
    "aws_dms_replication_instance",
];

fn check(module: &Module, hits: &mut Vec<(usize, Hit)>) {
    for (file, block) in module.resources(DATABASES) {
        let view = View::new(module, file, &block.body);
        if view.bool("publicly_accessible") == Some(true) {
            let message = format!(
                "{} has a public endpoint{}",
                address(block),
                cause(&view.variables("publicly_accessible"))
            );
            hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span("publicly_accessible").unwrap_or(0..0),
                    message,
                ),
            ));
        }
    }
}
