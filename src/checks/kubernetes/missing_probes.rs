//! K8S017: a long-running container without a readiness or liveness probe.
//!
//! Init containers, ephemeral containers and batch pods (Jobs, CronJobs) run to completion and
//! are not checked.

use crate::checks::kubernetes::{describe, each_container, is_long_running};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S017";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, pod, container| {
        if !is_long_running(pod, container) {
            return;
        }
        let missing: Vec<&str> = ["readinessProbe", "livenessProbe"]
            .into_iter()
            .filter(|probe| yaml.get(container.node, probe).is_none())
            .collect();
        if !missing.is_empty() {
            hits.push(Hit::new(
                RULE,
                manifests.container_site(container),
                format!(
                    "{} has no {}",
                    describe(resource, container),
                    missing.join(" and no ")
                ),
            ));
        }
    });
}
