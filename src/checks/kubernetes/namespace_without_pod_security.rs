//! K8S020: a namespace where Pod Security Admission enforces nothing.
//!
//! Only `pod-security.kubernetes.io/enforce` rejects pods (`audit` and `warn` report); its
//! `privileged` level allows everything. The system namespaces, whose components need
//! privileges, are left out.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S020";

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
const SYSTEM: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for namespace in manifests.resources.iter().filter(|r| r.kind == "Namespace") {
        if SYSTEM.contains(&namespace.name.as_str()) {
            continue;
        }
        let enforce = yaml
            .get(namespace.root, "metadata")
            .and_then(|metadata| yaml.get(metadata.value, "labels"))
            .and_then(|labels| yaml.get(labels.value, ENFORCE));
        match enforce {
            // A patch leaves labels it does not set to the namespace it patches.
            None if manifests.partial => {}
            None => hits.push(Hit::new(
                RULE,
                manifests.resource_site(namespace),
                format!(
                    "{} has no `{ENFORCE}` label: Pod Security Admission admits any pod in it",
                    namespace.label()
                ),
            )),
            Some(entry) => {
                let level = yaml.str(entry.value).unwrap_or("").trim();
                if level.eq_ignore_ascii_case("privileged") {
                    hits.push(Hit::new(
                        RULE,
                        manifests.site(entry),
                        format!(
                            "{} enforces the `privileged` Pod Security level, which admits any pod",
                            namespace.label()
                        ),
                    ));
                }
            }
        }
    }
}
