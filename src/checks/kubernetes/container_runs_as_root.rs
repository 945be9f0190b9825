//! K8S001: a container that may run as root.
//!
//! The effective security context (the container's fields over the pod's) must either set
//! `runAsNonRoot: true` or a non-zero `runAsUser`; `runAsUser: 0` is root whatever else is set.
//! Without either, the image's `USER` decides, which the manifest cannot vouch for, unless the
//! image is one of the well-known ones that run as another user by themselves
//! ([`ImageRef::runs_as_non_root`]).

use crate::checks::kubernetes::{
    container_setting, describe, each_container, effective_setting, pod_setting,
};
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::ImageRef;
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S001";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, pod, container| {
        let explicit_root = [
            container_setting(manifests, container, &["runAsUser"]),
            pod_setting(manifests, pod, &["runAsUser"]),
        ]
        .into_iter()
        .flatten()
        .find(|entry| yaml.as_int(entry.value) == Some(0));
        if let Some(entry) = explicit_root {
            hits.push(Hit::new(
                RULE,
                manifests.site(entry),
                format!(
                    "{} runs as root (`runAsUser: 0`)",
                    describe(resource, container)
                ),
            ));
            return;
        }
        let user = effective_setting(manifests, pod, container, &["runAsUser"])
            .and_then(|e| yaml.as_int(e.value));
        let non_root = effective_setting(manifests, pod, container, &["runAsNonRoot"]);
        let image_user = yaml
            .get(container.node, "image")
            .and_then(|entry| yaml.str(entry.value))
            .is_some_and(|image| ImageRef::parse(image.trim()).runs_as_non_root());
        if user.is_some_and(|uid| uid > 0)
            || non_root.is_some_and(|e| yaml.as_bool(e.value) == Some(true))
            || (non_root.is_none() && image_user)
        {
            return;
        }
        let (site, detail) = match non_root {
            Some(entry) => (
                manifests.site(entry),
                "`runAsNonRoot` is not true and no non-zero `runAsUser` is set",
            ),
            None => (
                manifests.container_site(container),
                "neither `runAsNonRoot: true` nor a non-zero `runAsUser` is set",
            ),
        };
        hits.push(Hit::new(
            RULE,
            site,
            format!(
                "{} may run as root: {detail}",
                describe(resource, container)
            ),
        ));
    });
}
