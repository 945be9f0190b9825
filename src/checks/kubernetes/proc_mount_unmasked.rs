//! K8S030: `procMount: Unmasked`: the container sees the `/proc` paths the runtime masks and
//! makes read-only by default (kernel memory, interrupts, timers), a way to read or change the
//! node's kernel state.

use crate::checks::kubernetes::{container_setting, describe};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S030";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        for container in &pod.containers {
            let Some(entry) = container_setting(manifests, container, &["procMount"]) else {
                continue;
            };
            if yaml.str(entry.value).map(str::trim) == Some("Unmasked") {
                hits.push(Hit::new(
                    RULE,
                    manifests.site(entry),
                    format!(
                        "{} sees the node's `/proc` unmasked",
                        describe(resource, container)
                    ),
                ));
            }
        }
    }
}
