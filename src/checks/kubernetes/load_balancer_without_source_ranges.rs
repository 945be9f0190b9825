//! K8S024: a Service of type LoadBalancer with no `loadBalancerSourceRanges` (or one holding
//! `0.0.0.0/0`): the cloud gives it an address on the internet that admits everyone on its
//! ports. Internal load balancers (the clouds' `internal` annotations) are left out.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S024";

/// Annotations that keep a load balancer inside the network, and the value that does it.
const INTERNAL: &[(&str, &str)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    ("networking.gke.io/load-balancer-type", "internal"),
    ("cloud.google.com/load-balancer-type", "internal"),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        "true",
    ),
];

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for service in manifests.resources.iter().filter(|r| r.kind == "Service") {
        let Some(spec) = yaml.get(service.root, "spec") else {
            continue;
        };
        let Some(kind) = yaml.get(spec.value, "type") else {
            continue;
        };
        if yaml.str(kind.value).map(str::trim) != Some("LoadBalancer") {
            continue;
        }
        let internal = yaml
            .get(service.root, "metadata")
            .and_then(|m| yaml.get(m.value, "annotations"))
            .is_some_and(|annotations| {
                INTERNAL.iter().any(|(key, wanted)| {
                    yaml.get(annotations.value, key)
                        .and_then(|v| yaml.str(v.value))
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
                })
            });
        if internal {
            continue;
        }
        match yaml.get(spec.value, "loadBalancerSourceRanges") {
            // A patch leaves the ranges to the Service it patches.
            None if manifests.partial => {}
            None => hits.push(Hit::new(
                RULE,
                manifests.site(kind),
                format!(
                    "{} is a load balancer with no `loadBalancerSourceRanges`: everyone on the internet reaches its ports",
                    service.label()
                ),
            )),
            Some(ranges) => {
                let world = yaml.items(ranges.value).iter().find(|&&item| {
                    yaml.str(item)
                        .is_some_and(|r| matches!(r.trim(), "0.0.0.0/0" | "::/0"))
                });
                if let Some(&item) = world {
                    hits.push(Hit::new(
                        RULE,
                        yaml.span(item),
                        format!(
                            "{} admits everyone on the internet (`loadBalancerSourceRanges` holds `{}`)",
                            service.label(),
                            yaml.str(item).unwrap_or_default().trim()
                        ),
                    ));
                }
            }
        }
    }
}
