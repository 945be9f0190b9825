//! K8S014: the pod shares the node's network, process or IPC namespace.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S014";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        for (field, namespace) in [
            ("hostNetwork", "network"),
            ("hostPID", "process"),
            ("hostIPC", "IPC"),
        ] {
            if let Some(entry) = yaml.get(pod.spec, field)
                && yaml.as_bool(entry.value) == Some(true)
            {
                hits.push(Hit::new(
                    RULE,
                    manifests.site(entry),
                    format!(
                        "{} shares the node's {namespace} namespace",
                        resource.label()
                    ),
                ));
            }
        }
    }
}
