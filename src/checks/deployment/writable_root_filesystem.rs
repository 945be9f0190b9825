//! A container whose root filesystem is writable: set so, or not set read-only.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::{Deployment, Setting};

pub const COMPOSE: Check = Check::deployment("CMP013", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S011", Target::Kubernetes, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for container in deployment.workloads.iter().flat_map(|w| &w.containers) {
        match &container.read_only_root {
            Setting::Set(fact) if !fact.value => hits.push(Hit::new(
                rule,
                fact.span.clone(),
                format!("{} has a writable root filesystem", container.label),
            )),
            Setting::Unset { how } => hits.push(Hit::new(
                rule,
                container.site.clone(),
                format!("{} does not set `{how}`", container.label),
            )),
            Setting::Set(_) | Setting::NotSaid => {}
        }
    }
}
