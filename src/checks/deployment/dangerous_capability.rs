//! A capability added that breaks container isolation (see
//! [`crate::model::capabilities::DANGEROUS`]).

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::Deployment;
use crate::model::capabilities;

pub const COMPOSE: Check = Check::deployment("CMP010", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S013", Target::Kubernetes, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN007", Target::CloudFormation, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for container in deployment.workloads.iter().flat_map(|w| &w.containers) {
        for capability in &container.capabilities_added {
            if capabilities::is_dangerous(&capability.value) {
                hits.push(Hit::new(
                    rule,
                    capability.span.clone(),
                    format!(
                        "{} adds the capability `{}`",
                        container.label, capability.value
                    ),
                ));
            }
        }
    }
}
