//! K8S015: a `hostPath` volume mounts the node's filesystem into the pod.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S015";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(volumes) = resource
            .pod
            .as_ref()
            .and_then(|pod| yaml.get(pod.spec, "volumes"))
        else {
            continue;
        };
        for &volume in yaml.items(volumes.value) {
            if let Some(host_path) = yaml.get(volume, "hostPath") {
                let path = yaml
                    .get(host_path.value, "path")
                    .and_then(|e| yaml.str(e.value))
                    .unwrap_or("?");
                hits.push(Hit::new(
                    RULE,
                    manifests.site(host_path),
                    format!("{} mounts the node's `{path}` (hostPath)", resource.label()),
                ));
            }
        }
    }
}
