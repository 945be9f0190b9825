//! TFM002: a database reachable from the whole internet by network rules: a firewall or security
//! group rule on a database port, an Azure database firewall rule from `0.0.0.0` to
//! `255.255.255.255`, or a Cloud SQL authorized network of `0.0.0.0/0` with a public IPv4 address.

use crate::checks::terraform::{Ports, View, address, cause, open_ingress};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module};

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM002";

/// Firewall rules of Azure's database servers (single and flexible).
const AZURE_FIREWALL_RULES: &[&str] = &[
    "azurerm_sql_firewall_rule",
    "azurerm_mssql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
];

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for open in open_ingress(module) {
        let reach = match open.ports {
            Ports::All if open.denied.is_empty() => "every port, databases included".to_owned(),
            ports => match open.database() {
                Some((port, database)) if ports == Ports::Range(port, port) => {
                    format!("{database} port {port}")
                }
                Some((port, database)) => format!("{database} port {port} ({})", ports.describe()),
                None => continue,
            },
        };
        let message = format!(
            "{} lets anyone on the internet reach {reach}{}",
            open.resource,
            cause(&open.variables)
        );
        hits.push((open.file, Hit::new(RULE, open.site, message)));
    }
    for (file, block) in module.resources(AZURE_FIREWALL_RULES) {
        let rule = View::new(module, file, &block.body);
        let (Some(start), Some(end)) = (
            rule.string("start_ip_address"),
            rule.string("end_ip_address"),
        ) else {
            continue;
        };
        if start.trim() == "0.0.0.0" && end.trim() == "255.255.255.255" {
            let mut variables = rule.variables("start_ip_address");
            variables.extend(rule.variables("end_ip_address"));
            let message = format!(
                "{} admits every IPv4 address to the database server{}",
                address(&block),
                cause(&variables)
            );
            hits.push((
                file,
                Hit::new(RULE, rule.span("start_ip_address").unwrap_or(0..0), message),
            ));
        }
    }
    for (file, block) in module.resources(&["google_sql_database_instance"]) {
        let instance = View::new(module, file, &block.body);
        for settings in instance.nested("settings") {
            for ip in settings.nested("ip_configuration") {
                if ip.bool("ipv4_enabled") == Some(false) {
                    continue;
                }
                for network in ip.nested("authorized_networks") {
                    if network
                        .string("value")
                        .is_some_and(|v| matches!(v.trim(), "0.0.0.0/0" | "::/0"))
                    {
                        let message = format!(
                            "{} authorizes every address to connect to its public IP{}",
                            address(&block),
                            cause(&network.variables("value"))
                        );
                        hits.push((
                            file,
                            Hit::new(RULE, network.span("value").unwrap_or(0..0), message),
                        ));
                    }
                }
            }
        }
    }
}
