//! CFN016: a database subnet group that uses a subnet giving its instances public IP addresses
//! (`MapPublicIpOnLaunch: true`): one changed `PubliclyAccessible` or security group rule puts
//! the database on the internet. The same judgement as TFM017.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::Template;

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN016";

/// Subnet groups of data stores, and the property that lists their subnets.
const GROUPS: &[(&str, &str)] = &[
    ("AWS::RDS::DBSubnetGroup", "SubnetIds"),
    ("AWS::Redshift::ClusterSubnetGroup", "SubnetIds"),
    ("AWS::ElastiCache::SubnetGroup", "SubnetIds"),
    ("AWS::DocDB::DBSubnetGroup", "SubnetIds"),
    ("AWS::Neptune::DBSubnetGroup", "SubnetIds"),
];

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let public: Vec<&str> = template
        .resources_of(&["AWS::EC2::Subnet"])
        .filter(|subnet| {
            template
                .property_value(subnet.properties, "MapPublicIpOnLaunch")
                .as_bool()
                == Some(true)
        })
        .map(|subnet| subnet.id.as_str())
        .collect();
    if public.is_empty() {
        return;
    }
    for group in &template.resources {
        let Some(&(_, key)) = GROUPS.iter().find(|(kind, _)| *kind == group.kind) else {
            continue;
        };
        let Some(subnets) = template.property(group.properties, key) else {
            continue;
        };
        if let Some(subnet) = template
            .referenced(subnets.value)
            .into_iter()
            .find(|subnet| public.contains(&subnet.as_str()))
        {
            hits.push(Hit::new(
                RULE,
                template.yaml.site(subnets),
                format!(
                    "{} places databases in `{subnet}`, a subnet that gives instances public IP addresses",
                    named(group)
                ),
            ));
        }
    }
}
