//! A workload that shares the process, IPC or network namespace of the machine it runs on.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::Deployment;

pub const COMPOSE: Check = Check::deployment("CMP012", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S014", Target::Kubernetes, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for workload in &deployment.workloads {
        for namespace in &workload.host_namespaces {
            hits.push(Hit::new(
                rule,
                namespace.span.clone(),
                format!(
                    "{} shares the {}'s {} namespace",
                    workload.label,
                    workload.host,
                    namespace.value.as_str()
                ),
            ));
        }
    }
}
