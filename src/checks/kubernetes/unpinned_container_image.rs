//! K8S003: a container image with no tag, or `:latest`.

use crate::checks::kubernetes::{describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::ImageRef;
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S003";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, _, container| {
        let Some(entry) = yaml.get(container.node, "image") else {
            return;
        };
        let Some(image) = yaml
            .str(entry.value)
            .map(str::trim)
            .filter(|i| !i.is_empty())
        else {
            return;
        };
        if let Some(problem) = ImageRef::parse(image).floating_problem() {
            let message = format!(
                "image `{image}` of {} {problem}",
                describe(resource, container)
            );
            hits.push(Hit::new(RULE, manifests.site(entry), message));
        }
    });
}
