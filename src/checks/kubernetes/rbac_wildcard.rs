//! K8S021: an RBAC role that grants every verb or every resource (`"*"`): whoever it is bound to
//! can do whatever the role's scope allows, including what the author never meant (reading
//! Secrets, creating pods that mount the node, binding themselves more roles). Kubernetes' own
//! roles (`system:…`) and aggregated roles, whose rules the control plane fills in, are left out.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S021";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for role in manifests
        .resources
        .iter()
        .filter(|r| r.kind == "Role" || r.kind == "ClusterRole")
    {
        if role.name.starts_with("system:") || yaml.get(role.root, "aggregationRule").is_some() {
            continue;
        }
        let Some(rules) = yaml.get(role.root, "rules") else {
            continue;
        };
        for &rule in yaml.items(rules.value) {
            for field in ["verbs", "resources"] {
                let Some(entry) = yaml.get(rule, field) else {
                    continue;
                };
                let wildcard = yaml
                    .items(entry.value)
                    .iter()
                    .find(|&&item| yaml.str(item).is_some_and(|v| v.trim() == "*"));
                if let Some(&item) = wildcard {
                    let what = if field == "verbs" {
                        "every verb"
                    } else {
                        "every resource"
                    };
                    hits.push(Hit::new(
                        RULE,
                        yaml.span(item),
                        format!("{} grants {what} (`{field}: [\"*\"]`)", role.label()),
                    ));
                }
            }
        }
    }
}
