//! K8S022: a RoleBinding or ClusterRoleBinding to `cluster-admin`: its subjects may do anything
//! to every object (with a ClusterRoleBinding, in every namespace), read every Secret, and grant
//! that to others. Kubernetes' own bindings (`system:…`) are left out.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S022";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for binding in manifests
        .resources
        .iter()
        .filter(|r| r.kind == "RoleBinding" || r.kind == "ClusterRoleBinding")
    {
        if binding.name.starts_with("system:") {
            continue;
        }
        let Some(role) = yaml.get(binding.root, "roleRef") else {
            continue;
        };
        let Some(name) = yaml.get(role.value, "name") else {
            continue;
        };
        if yaml.str(name.value).map(str::trim) != Some("cluster-admin") {
            continue;
        }
        let scope = if binding.kind == "ClusterRoleBinding" {
            "in every namespace"
        } else {
            "in its namespace"
        };
        hits.push(Hit::new(
            RULE,
            manifests.site(name),
            format!(
                "{} gives its subjects `cluster-admin` {scope}: every action on every object, every Secret",
                binding.label()
            ),
        ));
    }
}
