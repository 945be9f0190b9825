//! K8S007: SSH (port 22) in a pod or exposed by a Service.
//!
//! `containerPort: 22` means an SSH server runs in the pod; `hostPort: 22` and a `LoadBalancer`
//! or `NodePort` Service on 22 make it reachable from outside the cluster.

use crate::checks::kubernetes::{describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;
use crate::ports::SSH;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S007";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for exposed in super::exposed_service_ports(manifests) {
        if exposed.port == SSH {
            hits.push(Hit::new(
                RULE,
                exposed.site,
                format!("{} exposes SSH (port 22) {}", exposed.service, exposed.how),
            ));
        }
    }
    each_container(manifests, |resource, _, container| {
        let Some(list) = yaml.get(container.node, "ports") else {
            return;
        };
        for &item in yaml.items(list.value) {
            for (field, how) in [
                ("hostPort", "as a host port"),
                ("containerPort", "in the pod"),
            ] {
                if let Some(entry) = yaml.get(item, field)
                    && yaml.as_int(entry.value) == Some(i64::from(SSH))
                {
                    hits.push(Hit::new(
                        RULE,
                        manifests.site(entry),
                        format!(
                            "{} opens SSH (port 22) {how}",
                            describe(resource, container)
                        ),
                    ));
                    break;
                }
            }
        }
    });
}
