//! K8S018: the pod gets an API token it probably does not need.
//!
//! Unless `automountServiceAccountToken: false` is set on the pod, every container can read a
//! token for the Kubernetes API, and a compromised container can use it.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S018";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        match yaml.get(pod.spec, "automountServiceAccountToken") {
            Some(entry) if yaml.as_bool(entry.value) == Some(false) => {}
            Some(entry) => hits.push(Hit::new(RULE, manifests.site(entry), format!("{} mounts a service account token", resource.label()))),
            // A patch leaves it to the resource it patches.
            None if manifests.partial => {}
            None => hits.push(Hit::new(
                RULE,
                manifests.resource_site(resource),
                format!("{} mounts a service account token (`automountServiceAccountToken` is not false)", resource.label()),
            )),
        }
    }
}
