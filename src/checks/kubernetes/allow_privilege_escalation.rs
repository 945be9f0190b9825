//! K8S010: `allowPrivilegeEscalation` not set to false (setuid binaries can gain privileges).

use crate::checks::kubernetes::{container_setting, describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S010";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    each_container(manifests, |resource, _, container| {
        let setting = container_setting(manifests, container, &["allowPrivilegeEscalation"]);
        match setting {
            Some(entry) if manifests.yaml.as_bool(entry.value) == Some(false) => {}
            Some(entry) => hits.push(Hit::new(
                RULE,
                manifests.site(entry),
                format!(
                    "{} allows privilege escalation",
                    describe(resource, container)
                ),
            )),
            // A patch leaves it to the resource it patches.
            None if manifests.partial => {}
            None => hits.push(Hit::new(
                RULE,
                manifests.container_site(container),
                format!(
                    "{} does not set `allowPrivilegeEscalation: false`",
                    describe(resource, container)
                ),
            )),
        }
    });
}
