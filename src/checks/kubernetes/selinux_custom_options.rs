//! K8S029: `seLinuxOptions` (pod or container) with a `user`, a `role`, or a `type` other than
//! the types made for containers: the process leaves the SELinux confinement the runtime gives
//! every container (`spc_t` is not confined at all). A `level` alone is allowed.

use crate::checks::kubernetes::settings_at_each_level;
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S029";

/// The SELinux types the baseline Pod Security Standard allows (Kubernetes v1.31).
const CONTAINER_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        for (who, options) in settings_at_each_level(manifests, resource, pod, &["seLinuxOptions"])
        {
            for field in ["type", "user", "role"] {
                let Some(entry) = yaml.get(options.value, field) else {
                    continue;
                };
                let value = yaml.str(entry.value).unwrap_or_default().trim();
                if value.is_empty() || (field == "type" && CONTAINER_TYPES.contains(&value)) {
                    continue;
                }
                hits.push(Hit::new(
                    RULE,
                    manifests.site(entry),
                    format!("{who} sets the SELinux {field} `{value}`"),
                ));
            }
        }
    }
}
