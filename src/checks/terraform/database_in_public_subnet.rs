//! TFM017: a database subnet group that uses a subnet giving its instances public IP addresses
//! (`map_public_ip_on_launch = true`): the subnet is built for the internet, and one changed
//! `publicly_accessible` or security group rule puts the database on it. Databases belong in
//! private subnets.

use crate::checks::terraform::{View, address};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, label};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM017";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    let public: Vec<String> = module
        .resources(&["aws_subnet"])
        .filter(|(file, block)| {
            View::new(module, *file, &block.body).bool("map_public_ip_on_launch") == Some(true)
        })
        .map(|(_, block)| format!("aws_subnet.{}", label(&block, 1).unwrap_or("?")))
        .collect();
    if public.is_empty() {
        return;
    }
    for (file, block) in module.resources(&[
        "aws_db_subnet_group",
        "aws_redshift_subnet_group",
        "aws_elasticache_subnet_group",
        "aws_docdb_subnet_group",
        "aws_neptune_subnet_group",
    ]) {
        let view = View::new(module, file, &block.body);
        let Some(subnets) = view.text("subnet_ids") else {
            continue;
        };
        let used: Vec<&String> = public
            .iter()
            .filter(|subnet| {
                subnets
                    .match_indices(subnet.as_str())
                    .any(|(at, _)| subnets[at + subnet.len()..].starts_with(['.', '[']))
            })
            .collect();
        if let Some(subnet) = used.first() {
            hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span("subnet_ids").unwrap_or(0..0),
                    format!(
                        "{} places databases in `{subnet}`, a subnet that gives instances public IP addresses",
                        address(&block)
                    ),
                ),
            ));
        }
    }
}
