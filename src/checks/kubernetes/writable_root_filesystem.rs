//! K8S011: the container's root filesystem is writable.

use crate::checks::kubernetes::{container_setting, describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S011";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    each_container(manifests, |resource, _, container| match container_setting(
        manifests,
        container,
        &["readOnlyRootFilesystem"],
    ) {
        Some(entry) if manifests.yaml.as_bool(entry.value) == Some(true) => {}
        Some(entry) => hits.push(Hit::new(
            RULE,
            manifests.site(entry),
            format!(
                "{} has a writable root filesystem",
                describe(resource, container)
            ),
        )),
        None => hits.push(Hit::new(
            RULE,
            manifests.container_site(container),
            format!(
                "{} does not set `readOnlyRootFilesystem: true`",
                describe(resource, container)
            ),
        )),
    });
}
