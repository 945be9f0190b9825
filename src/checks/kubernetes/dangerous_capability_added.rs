//! K8S013: a capability that amounts to root on the node (or close to it) is added.

use crate::capabilities;
use crate::checks::kubernetes::{container_setting, describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S013";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, _, container| {
        let Some(add) = container_setting(manifests, container, &["capabilities", "add"]) else {
            return;
        };
        for &capability in yaml.items(add.value) {
            if let Some(name) = yaml
                .str(capability)
                .filter(|c| capabilities::is_dangerous(c))
            {
                hits.push(Hit::new(
                    RULE,
                    yaml.span(capability),
                    format!(
                        "{} adds the capability `{name}`",
                        describe(resource, container)
                    ),
                ));
            }
        }
    });
}
