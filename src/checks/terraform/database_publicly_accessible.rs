//! TFM003: a managed database given a public endpoint: `publicly_accessible = true` on AWS,
//! `public_network_access_enabled = true` on Azure database servers.

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM003";

const DATABASES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster_instance",
    "aws_redshift_cluster",
    "aws_dms_replication_instance",
];

/// Azure database servers, whose public network access is on unless turned off.
const AZURE_DATABASES: &[&str] = &[
    "azurerm_mssql_server",
    "azurerm_sql_server",
    "azurerm_postgresql_server",
    "azurerm_postgresql_flexible_server",
    "azurerm_mysql_server",
    "azurerm_mysql_flexible_server",
    "azurerm_mariadb_server",
    "azurerm_cosmosdb_account",
];

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(AZURE_DATABASES) {
        let view = View::new(module, file, &block.body);
        if view.bool("public_network_access_enabled") == Some(true) {
            let key = "public_network_access_enabled";
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
