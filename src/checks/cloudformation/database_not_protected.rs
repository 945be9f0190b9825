//! CFN012: a database that one mistaken stack deletion or replacement can lose: an RDS
//! instance or Aurora cluster without deletion protection, or with automated backups turned off
//! (`BackupRetentionPeriod: 0`); a DynamoDB table without point-in-time recovery. The same
//! judgement as TFM012.

use super::named;
use crate::checks::{Check, Hit};
use crate::formats::cloudformation::{Template, Value};

pub const CHECK: Check = Check::cloudformation(RULE, check);
const RULE: &str = "CFN012";

fn check(template: &Template<'_>, hits: &mut Vec<Hit>) {
    let yaml = template.yaml;
    for database in template.resources_of(&["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"]) {
        let properties = database.properties;
        // Replicas are protected and backed up through their source; an Aurora cluster's
        // instances through the cluster.
        let through_another = ["SourceDBInstanceIdentifier", "DBClusterIdentifier"]
            .iter()
            .any(|k| template.property(properties, k).is_some());
        if through_another {
            continue;
        }
        match template.property(properties, "DeletionProtection") {
            None => hits.push(Hit::new(
                RULE,
                database.site.clone(),
                format!(
                    "{} does not set `DeletionProtection: true`",
                    named(database)
                ),
            )),
            Some(entry) => {
                if template.value(entry.value).as_bool() == Some(false) {
                    hits.push(Hit::new(
                        RULE,
                        yaml.site(entry),
                        format!("{} can be deleted without protection", named(database)),
                    ));
                }
            }
        }
        if let Some(entry) = template.property(properties, "BackupRetentionPeriod")
            && template.value(entry.value).as_str().map(str::trim) == Some("0")
        {
            hits.push(Hit::new(
                RULE,
                yaml.site(entry),
                format!("{} turns automated backups off", named(database)),
            ));
        }
    }
    // A global table sets it per replica, which is not judged.
    for table in template.resources_of(&["AWS::DynamoDB::Table"]) {
        let recovery =
            match template.property_value(table.properties, "PointInTimeRecoverySpecification") {
                Value::Mapping(node) => template.property(Some(node), "PointInTimeRecoveryEnabled"),
                _ => None,
            };
        match recovery.map(|e| (template.value(e.value).as_bool(), e)) {
            Some((Some(true), _)) | Some((None, _)) => {}
            Some((Some(false), entry)) => hits.push(Hit::new(
                RULE,
                yaml.site(entry),
                format!("{} has point-in-time recovery off", named(table)),
            )),
            None => hits.push(Hit::new(
                RULE,
                table.site.clone(),
                format!(
                    "{} does not set `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true`: no backup to restore a deleted or corrupted item from",
                    named(table)
                ),
            )),
        }
    }
}
