//! K8S002: a privileged container: root on the node, with every device and capability.

use crate::checks::kubernetes::{container_setting, describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S002";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    each_container(manifests, |resource, _, container| {
        if let Some(entry) = container_setting(manifests, container, &["privileged"])
            && manifests.yaml.as_bool(entry.value) == Some(true)
        {
            hits.push(Hit::new(
                RULE,
                manifests.site(entry),
                format!("{} runs privileged", describe(resource, container)),
            ));
        }
    });
}
