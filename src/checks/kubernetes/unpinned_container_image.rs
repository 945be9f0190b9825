//! K8S003: a container image with no tag, or `:latest`.
//!
//! Images that the repository builds and tags itself when it deploys are left alone: those its
//! Skaffold or Tilt configuration builds (named bare in manifests, replaced with the digest of
//! what was built), and `ko://` import paths, which ko resolves the same way.

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
        let reference = ImageRef::parse(image);
        let built_here = image.starts_with("ko://")
            || manifests
                .built_images
                .iter()
                .any(|built| ImageRef::parse(built).name == reference.name);
        if built_here {
            return;
        }
        if let Some(problem) = reference.floating_problem() {
            let message = format!(
                "image `{image}` of {} {problem}",
                describe(resource, container)
            );
            hits.push(Hit::new(RULE, manifests.site(entry), message));
        }
    });
}
