//! K8S012: the container keeps the runtime's default capabilities (`drop` lacks `ALL`).

use crate::checks::kubernetes::{container_setting, describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S012";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, _, container| {
        let drop = container_setting(manifests, container, &["capabilities", "drop"]);
        let drops_all = drop.is_some_and(|entry| {
            yaml.items(entry.value)
                .iter()
                .any(|&c| yaml.str(c).is_some_and(|c| c.eq_ignore_ascii_case("ALL")))
        });
        // A patch that says nothing of capabilities leaves them to the resource it patches.
        let left_to_the_base = manifests.partial && drop.is_none();
        if !(drops_all || left_to_the_base) {
            let site = drop.map_or_else(
                || manifests.container_site(container),
                |entry| manifests.site(entry),
            );
            hits.push(Hit::new(
                RULE,
                site,
                format!(
                    "{} does not drop ALL capabilities",
                    describe(resource, container)
                ),
            ));
        }
    });
}
