//! K8S026: a Windows HostProcess pod or container (`windowsOptions.hostProcess: true`), which
//! runs as a process of the node, outside any container isolation.

use crate::checks::kubernetes::settings_at_each_level;
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S026";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        let path = &["windowsOptions", "hostProcess"];
        for (who, entry) in settings_at_each_level(manifests, resource, pod, path) {
            if yaml.as_bool(entry.value) == Some(true) {
                hits.push(Hit::new(
                    RULE,
                    manifests.site(entry),
                    format!("{who} runs as a process of the Windows node (hostProcess)"),
                ));
            }
        }
    }
}
