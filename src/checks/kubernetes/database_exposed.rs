//! K8S006: a database port reachable from outside the cluster.
//!
//! A `Service` of type `LoadBalancer` (unless `loadBalancerSourceRanges` restricts it) or
//! `NodePort` on a database port, and containers that put a database port on the node itself
//! (`hostPort`, or a `containerPort` under `hostNetwork: true`).

use crate::checks::kubernetes::{describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;
use crate::ports;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S006";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for exposed in super::exposed_service_ports(manifests) {
        if let Some(database) = ports::database(exposed.port) {
            hits.push(Hit::new(
                RULE,
                exposed.site,
                format!(
                    "{} exposes {database} port {} {}",
                    exposed.service, exposed.port, exposed.how
                ),
            ));
        }
    }
    each_container(manifests, |resource, pod, container| {
        let host_network = yaml
            .get(pod.spec, "hostNetwork")
            .is_some_and(|e| yaml.as_bool(e.value) == Some(true));
        let Some(list) = yaml.get(container.node, "ports") else {
            return;
        };
        for &item in yaml.items(list.value) {
            let host_port = yaml
                .get(item, "hostPort")
                .filter(|e| yaml.as_int(e.value).is_some_and(|p| p > 0));
            let container_port = yaml.get(item, "containerPort");
            let (entry, how) = match (host_port, container_port) {
                (Some(entry), _) => (entry, "as a host port"),
                (None, Some(entry)) if host_network => {
                    (entry, "on the node's network (`hostNetwork: true`)")
                }
                _ => continue,
            };
            let Some(port) = yaml.as_int(entry.value).and_then(|p| u16::try_from(p).ok()) else {
                continue;
            };
            if let Some(database) = ports::database(port) {
                hits.push(Hit::new(
                    RULE,
                    manifests.site(entry),
                    format!(
                        "{} publishes {database} port {port} {how}",
                        describe(resource, container)
                    ),
                ));
            }
        }
    });
}
