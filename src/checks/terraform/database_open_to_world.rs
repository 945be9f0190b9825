//! TFM002: a database reachable from the whole internet by network rules: a firewall or security
//! group rule on a database port, an Azure database firewall rule from `0.0.0.0` to
//! `255.255.255.255`, a Cloud SQL authorized network of `0.0.0.0/0` with a public IPv4 address,
//! an Alibaba Cloud database whitelist (`security_ips`) holding `0.0.0.0/0` or `0.0.0.0`, or an
//! RDS DB security group (`aws_db_security_group`) ingress from `0.0.0.0/0`.

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
    // Alibaba Cloud databases admit the addresses of their whitelist; `0.0.0.0/0` (and
    // `0.0.0.0`, which the console reads the same way) is everyone.
    const WHITELISTED: &[&str] = &[
        "alicloud_db_instance",
        "alicloud_mongodb_instance",
        "alicloud_kvstore_instance",
    ];
    for (file, block) in module.resources(WHITELISTED) {
        let instance = View::new(module, file, &block.body);
        let everyone = instance.strings("security_ips").is_some_and(|ips| {
            ips.iter()
                .flat_map(|ip| ip.split(','))
                .any(|ip| matches!(ip.trim(), "0.0.0.0/0" | "0.0.0.0"))
        });
        if everyone {
            let message = format!(
                "{} whitelists every address (`security_ips`){}",
                address(&block),
                cause(&instance.variables("security_ips"))
            );
            hits.push((
                file,
                Hit::new(RULE, instance.span("security_ips").unwrap_or(0..0), message),
            ));
        }
    }
    // RDS DB security groups (EC2-Classic) admit the CIDR ranges of their ingress blocks.
    for (file, block) in module.resources(&["aws_db_security_group"]) {
        for ingress in View::new(module, file, &block.body).nested("ingress") {
            if ingress
                .string("cidr")
                .is_some_and(|cidr| matches!(cidr.trim(), "0.0.0.0/0" | "::/0"))
            {
                let message = format!(
                    "{} admits every address to its databases{}",
                    address(&block),
                    cause(&ingress.variables("cidr"))
                );
                hits.push((
                    file,
                    Hit::new(RULE, ingress.span("cidr").unwrap_or(0..0), message),
                ));
            }
        }
    }
}
