//! CFN010: database, warehouse, disk or file system storage left unencrypted at rest:
//! `StorageEncrypted` on RDS instances and Aurora clusters, `Encrypted` on EBS volumes, EFS file
//! systems and Redshift clusters, whether set to false or left to its false default.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::Template;

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN010";

/// Resource types and the property that encrypts them.
const ENCRYPTED_BY: &[(&str, &str)] = &[
    ("AWS::RDS::DBInstance", "StorageEncrypted"),
    ("AWS::RDS::DBCluster", "StorageEncrypted"),
    ("AWS::EC2::Volume", "Encrypted"),
    ("AWS::EFS::FileSystem", "Encrypted"),
    ("AWS::Redshift::Cluster", "Encrypted"),
];

/// Properties that make the storage decided elsewhere: an Aurora cluster's member instance,
/// a replica, a restore from a snapshot (encrypted as the snapshot was), a volume from one.
const DECIDED_ELSEWHERE: &[&str] = &[
    "DBClusterIdentifier",
    "SourceDBInstanceIdentifier",
    "SourceDBClusterIdentifier",
    "DBSnapshotIdentifier",
    "SnapshotIdentifier",
    "DBClusterSnapshotIdentifier",
    "SourceDBInstanceAutomatedBackupsArn",
];

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    for resource in &template.resources {
        let Some(&(_, key)) = ENCRYPTED_BY.iter().find(|(kind, _)| *kind == resource.kind) else {
            continue;
        };
        let properties = resource.properties;
        // Aurora Serverless v1 is always encrypted.
        let serverless = template
            .property_value(properties, "EngineMode")
            .as_str()
            .is_some_and(|mode| mode.trim() == "serverless");
        if serverless
            || DECIDED_ELSEWHERE
                .iter()
                .any(|k| template.property(properties, k).is_some())
        {
            continue;
        }
        match template.property(properties, key) {
            None => hits.push(Hit::new(
                RULE,
                resource.site.clone(),
                format!("{} does not set `{key}: true`", named(resource)),
            )),
            Some(entry) => {
                if template.value(entry.value).as_bool() == Some(false) {
                    hits.push(Hit::new(
                        RULE,
                        template.yaml.site(entry),
                        format!(
                            "{} leaves its storage unencrypted (`{key}: false`)",
                            named(resource)
                        ),
                    ));
                }
            }
        }
    }
}
