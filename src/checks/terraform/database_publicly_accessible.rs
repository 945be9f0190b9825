//! TFM003: a managed database given a public endpoint: `publicly_accessible = true` on AWS,
//! `public_network_access_enabled = true` on Azure database servers, or left out where the
//! provider's default is public; an OpenSearch or Elasticsearch domain outside a VPC.
//!
//! Defaults (azurerm provider): `public_network_access_enabled` is true unless set on SQL,
//! PostgreSQL, MySQL and MariaDB servers, Cosmos DB accounts and Redis caches; a flexible server is public
//! unless it is placed in a subnet (`delegated_subnet_id`), which makes it private. On AWS,
//! `publicly_accessible` defaults to false, and `azurerm_sql_server` (retired) has no such
//! setting: only an explicit value counts there. An AWS OpenSearch (or Elasticsearch) domain
//! without `vpc_options` has an endpoint on the internet, whatever its access policy says.

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span, label};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM003";

const DATABASES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster_instance",
    "aws_redshift_cluster",
    "aws_dms_replication_instance",
];

/// Azure database servers with `public_network_access_enabled`, and what leaving it out means.
const AZURE_DATABASES: &[(&str, Default)] = &[
    ("azurerm_mssql_server", Default::Public),
    ("azurerm_postgresql_server", Default::Public),
    ("azurerm_mysql_server", Default::Public),
    ("azurerm_mariadb_server", Default::Public),
    ("azurerm_cosmosdb_account", Default::Public),
    ("azurerm_redis_cache", Default::Public),
    (
        "azurerm_postgresql_flexible_server",
        Default::PublicOutsideASubnet,
    ),
    (
        "azurerm_mysql_flexible_server",
        Default::PublicOutsideASubnet,
    ),
    ("azurerm_sql_server", Default::Unknown),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Default {
    Public,
    /// Public unless `delegated_subnet_id` puts it in a virtual network.
    PublicOutsideASubnet,
    Unknown,
}

/// Search domains, public unless placed in a VPC.
const SEARCH_DOMAINS: &[&str] = &["aws_opensearch_domain", "aws_elasticsearch_domain"];

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    rds_modules(module, hits);
    for (file, block) in module.resources(SEARCH_DOMAINS) {
        let view = View::new(module, file, &block.body);
        if view.get("vpc_options").is_none() && view.nested("vpc_options").is_empty() {
            let message = format!(
                "{} has a public endpoint: it is not placed in a VPC (`vpc_options`)",
                address(&block)
            );
            let site = block_header_span(&block).unwrap_or(0..0);
            hits.push((file, Hit::new(RULE, site, message)));
        }
    }
    let types: Vec<&str> = AZURE_DATABASES.iter().map(|(kind, _)| *kind).collect();
    for (file, block) in module.resources(&types) {
        let view = View::new(module, file, &block.body);
        let key = "public_network_access_enabled";
        let kind = label(&block, 0).unwrap_or("");
        let default = AZURE_DATABASES
            .iter()
            .find(|(name, _)| *name == kind)
            .map_or(Default::Unknown, |(_, default)| *default);
        match view.get(key) {
            Some(_) if view.bool(key) == Some(true) => {
                let message = format!(
                    "{} accepts connections from public networks{}",
                    address(&block),
                    cause(&view.variables(key))
                );
                hits.push((
                    file,
                    Hit::new(RULE, view.span(key).unwrap_or(0..0), message),
                ));
            }
            // Set, to false or to something unknown: not ours to guess.
            Some(_) => {}
            None => {
                let in_subnet = view.get("delegated_subnet_id").is_some();
                let public = match default {
                    Default::Public => true,
                    Default::PublicOutsideASubnet => !in_subnet,
                    Default::Unknown => false,
                };
                if public {
                    let message = format!(
                        "{} accepts connections from public networks: `{key}` is not set, and the provider's default is true",
                        address(&block)
                    );
                    let site = block_header_span(&block).unwrap_or(0..0);
                    hits.push((file, Hit::new(RULE, site, message)));
                }
            }
        }
    }
    for (file, block) in module.resources(DATABASES) {
        let view = View::new(module, file, &block.body);
        if view.bool("publicly_accessible") == Some(true) {
            let message = format!(
                "{} has a public endpoint{}",
                address(&block),
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

/// The `terraform-aws-modules/rds` and `rds-aurora` modules (registry, Git, or a local copy,
/// recognised by an `engine` beside `publicly_accessible`) pass `publicly_accessible` to the
/// instances they create.
fn rds_modules(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.blocks("module") {
        let view = View::new(module, file, &block.body);
        let source = view.string("source").unwrap_or_default();
        let is_rds = source.contains("rds") || view.get("engine").is_some();
        if !is_rds || view.bool("publicly_accessible") != Some(true) {
            continue;
        }
        let message = format!(
            "module.{} creates a database with a public endpoint{}",
            label(&block, 0).unwrap_or("?"),
            cause(&view.variables("publicly_accessible"))
        );
        let site = view.span("publicly_accessible").unwrap_or(0..0);
        hits.push((file, Hit::new(RULE, site, message)));
    }
}
