//! no-public-db: a database reachable from outside: a database port published on every
//! interface, exposed by a Service or a node's port, or open to the internet by a network rule
//! (numbered rules that deny it first taken into account), and a data store whose own firewall
//! admits everyone. Which ports are databases is the scan's setting: the well-known ones and
//! those the configuration adds.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::{Audience, Deployment, Exposure, Ports, Reach};

pub const COMPOSE: Check = Check::deployment("CMP005", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S006", Target::Kubernetes, check);
pub const TERRAFORM: Check = Check::deployment("TFM002", Target::Terraform, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN002", Target::CloudFormation, check);

fn check(
    deployment: &Deployment<'_>,
    settings: &Settings,
    rule: &'static str,
    hits: &mut Vec<Hit>,
) {
    for exposure in &deployment.exposures {
        if exposure.audience != Audience::Public {
            continue;
        }
        let what = match &exposure.reach {
            Reach::Store { sentence } => {
                let message = format!("{} {sentence}{}", exposure.subject, exposure.how);
                hits.push(Hit::new(rule, exposure.span.clone(), message).in_file(exposure.file));
                continue;
            }
            Reach::Ports { open, denied } => match first_database(exposure, settings) {
                _ if *open == Ports::All && denied.is_empty() => {
                    "every port, databases included".to_owned()
                }
                Some((port, database)) if *open == Ports::Range(port, port) => {
                    format!("{database} port {port}")
                }
                Some((port, database)) => {
                    format!("{database} port {port} ({})", open.describe())
                }
                None => continue,
            },
        };
        let message = format!(
            "{} {} {what}{}",
            exposure.subject, exposure.verb, exposure.how
        );
        hits.push(Hit::new(rule, exposure.span.clone(), message).in_file(exposure.file));
    }
}

/// The lowest database port the exposure lets through.
fn first_database(exposure: &Exposure, settings: &Settings) -> Option<(u16, String)> {
    let Reach::Ports { open, .. } = &exposure.reach else {
        return None;
    };
    let (mut low, high) = open.bounds();
    loop {
        let (port, name) = settings.databases.in_range(low, high)?;
        if exposure.opens(port) {
            return Some((port, name.into_owned()));
        }
        low = port.checked_add(1)?;
    }
}
