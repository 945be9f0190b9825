//! K8S016: a container without CPU and memory requests and a memory limit.
//!
//! Requests let the scheduler place pods; a memory limit keeps one container from starving the
//! node. CPU limits are left out on purpose: they throttle, and many teams avoid them.

use crate::checks::kubernetes::{describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::{ContainerGroup, Manifests};

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S016";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, _, container| {
        // A patch leaves what it does not set to the resource it patches.
        if container.group == ContainerGroup::EphemeralContainers || manifests.partial {
            return;
        }
        let missing: Vec<&str> = [
            ("requests", "cpu"),
            ("requests", "memory"),
            ("limits", "memory"),
        ]
        .into_iter()
        .filter(|(level, kind)| {
            yaml.get(container.node, "resources")
                .and_then(|r| yaml.get_path(r.value, &[level, kind]))
                .is_none()
        })
        .map(|pair| match pair {
            ("requests", "cpu") => "CPU request",
            ("requests", _) => "memory request",
            _ => "memory limit",
        })
        .collect();
        if !missing.is_empty() {
            hits.push(Hit::new(
                RULE,
                manifests.container_site(container),
                format!(
                    "{} has no {}",
                    describe(resource, container),
                    missing.join(", no ")
                ),
            ));
        }
    });
}
