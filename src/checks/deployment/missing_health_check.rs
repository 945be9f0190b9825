//! A long-running container whose health nobody watches: no `HEALTHCHECK` in the image, no
//! compose `healthcheck` (nor one in the Dockerfile the service builds), no readiness or
//! liveness probe. Init containers and batch jobs run to completion and are not judged; turning
//! a check off explicitly (`HEALTHCHECK NONE`, `disable: true`) is a decision and passes.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::{Deployment, Health};

pub const DOCKERFILE: Check = Check::deployment("DKR015", Target::Dockerfile, check);
pub const COMPOSE: Check = Check::deployment("CMP014", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S017", Target::Kubernetes, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for container in deployment.workloads.iter().flat_map(|w| &w.containers) {
        if let (true, Health::Missing(what)) = (container.long_running, &container.health) {
            hits.push(Hit::new(
                rule,
                container.site.clone(),
                format!("{} has no {what}", container.label),
            ));
        }
    }
}
