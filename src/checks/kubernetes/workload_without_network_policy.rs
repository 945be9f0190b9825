//! K8S025: a workload whose pods no network policy of the repository selects: they accept
//! connections from every pod of the cluster and reach anything, so one compromised pod
//! anywhere reaches them. Judged across the repository, like a linker (see
//! `formats::network_policies`), only when the scan read all of it.
//!
//! Pods on the node's network (`hostNetwork: true`) are outside network policies, and the
//! system namespaces are the platform's: both are left out, and so are patches.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;
use crate::formats::network_policies::selected;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S025";

const SYSTEM: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let Some(policies) = &manifests.network_policies else {
        return;
    };
    if manifests.partial {
        return;
    }
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        let host_network = yaml
            .get(pod.spec, "hostNetwork")
            .and_then(|h| yaml.as_bool(h.value))
            .unwrap_or(false);
        let namespace = resource.namespace(yaml);
        if host_network || namespace.is_some_and(|n| SYSTEM.contains(&n)) {
            continue;
        }
        let labels = resource.pod_labels(yaml);
        if selected(policies, namespace, &labels) {
            continue;
        }
        let place = namespace.map_or_else(String::new, |n| format!(" in namespace `{n}`"));
        hits.push(Hit::new(
            RULE,
            manifests.resource_site(resource),
            format!(
                "{} runs pods that no NetworkPolicy of the repository selects{place}: they accept connections from every pod of the cluster",
                resource.label()
            ),
        ));
    }
}
