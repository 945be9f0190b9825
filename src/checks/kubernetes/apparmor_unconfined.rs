//! K8S028: a pod or container that runs without AppArmor: `appArmorProfile.type: Unconfined`,
//! or the older annotation `container.apparmor.security.beta.kubernetes.io/NAME` with any value
//! but `runtime/default` or `localhost/…`.

use crate::checks::kubernetes::settings_at_each_level;
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S028";

const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        let path = &["appArmorProfile", "type"];
        for (who, entry) in settings_at_each_level(manifests, resource, pod, path) {
            if yaml.str(entry.value).map(str::trim) == Some("Unconfined") {
                hits.push(Hit::new(
                    RULE,
                    manifests.site(entry),
                    format!("{who} runs without AppArmor (`Unconfined`)"),
                ));
            }
        }
        for (key, entry) in resource.pod_annotations(yaml) {
            let Some(container) = key.strip_prefix(ANNOTATION) else {
                continue;
            };
            let value = yaml.str(entry.value).unwrap_or_default().trim();
            if value == "runtime/default" || value.starts_with("localhost/") {
                continue;
            }
            hits.push(Hit::new(
                RULE,
                manifests.site(entry),
                format!(
                    "{} runs container `{container}` with the AppArmor profile `{value}`",
                    resource.label()
                ),
            ));
        }
    }
}
