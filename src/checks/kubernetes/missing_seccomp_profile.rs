//! K8S019: no seccomp profile, or `Unconfined`.
//!
//! The effective `seccompProfile.type` (container over pod) must be `RuntimeDefault` or
//! `Localhost`.

use crate::checks::kubernetes::{describe, each_container, effective_setting};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S019";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(
        manifests,
        |resource, pod, container| match effective_setting(
            manifests,
            pod,
            container,
            &["seccompProfile", "type"],
        ) {
            Some(entry)
                if matches!(yaml.str(entry.value), Some("RuntimeDefault" | "Localhost")) => {}
            Some(entry) => hits.push(Hit::new(
                RULE,
                manifests.site(entry),
                format!(
                    "{} runs without seccomp filtering",
                    describe(resource, container)
                ),
            )),
            // A patch leaves it to the resource it patches.
            None if manifests.partial => {}
            None => hits.push(Hit::new(
                RULE,
                manifests.container_site(container),
                format!(
                    "{} sets no seccomp profile (use `RuntimeDefault`)",
                    describe(resource, container)
                ),
            )),
        },
    );
}
