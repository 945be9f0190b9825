//! Which pods the network policies of a repository select, read once per scan and judged for
//! every workload, like a linker: a pod that no policy selects accepts traffic from every pod
//! of the cluster (and sends it anywhere).
//!
//! Kubernetes `NetworkPolicy` selects pods of its namespace by `podSelector` (`{}`: every pod);
//! Cilium's `CiliumNetworkPolicy` by `endpointSelector`. Policies that select by an expression
//! language or cluster-wide (Calico's `NetworkPolicy` and `GlobalNetworkPolicy`,
//! `CiliumClusterwideNetworkPolicy`, `AdminNetworkPolicy`) are taken to cover every pod they
//! may reach: the judgement stays on the side of no false alarm.
//!
//! Namespaces are compared only when both sides name one: a manifest without a namespace is
//! applied into one chosen at deploy time (`kubectl -n`, an overlay's `namespace:`).

use crate::formats::kubernetes::Manifests;
use crate::formats::yaml::{NodeId, Yaml};

/// What one policy selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `None`: no namespace written, or cluster-wide.
    pub namespace: Option<String>,
    pub selector: Selector,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every pod it may reach (`podSelector: {}`, an expression it does not read).
    Every,
    /// Pods whose labels match every requirement.
    Labels(Vec<Requirement>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

impl Requirement {
    fn holds(&self, labels: &[(String, String)]) -> bool {
        let value = |key: &str| labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        match self {
            Requirement::Equals(key, wanted) => value(key) == Some(wanted),
            Requirement::In(key, values) => value(key).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(key, values) => value(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(key) => value(key).is_some(),
            Requirement::DoesNotExist(key) => value(key).is_none(),
        }
    }
}

/// Kinds whose selectors are cluster-wide or written in a language not read here.
const COVERING_ALL: &[&str] = &[
    "GlobalNetworkPolicy",
    "CiliumClusterwideNetworkPolicy",
    "AdminNetworkPolicy",
    "BaselineAdminNetworkPolicy",
];

/// The policies of one YAML stream.
pub fn policies(yaml: &Yaml) -> Vec<Policy> {
    let manifests = Manifests::new(yaml);
    let mut found = Vec::new();
    for resource in &manifests.resources {
        let api_version = yaml
            .get(resource.root, "apiVersion")
            .and_then(|a| yaml.str(a.value))
            .unwrap_or_default();
        let spec = yaml.get(resource.root, "spec").map(|s| s.value);
        let selector = match resource.kind.as_str() {
            kind if COVERING_ALL.contains(&kind) => {
                found.push(Policy {
                    namespace: None,
                    selector: Selector::Every,
                });
                continue;
            }
            "NetworkPolicy"
                if api_version.starts_with("crd.projectcalico.org")
                    || api_version.starts_with("projectcalico.org") =>
            {
                Selector::Every
            }
            "NetworkPolicy" => match spec.and_then(|s| yaml.get(s, "podSelector")) {
                Some(selector) => label_selector(yaml, selector.value),
                None => continue,
            },
            "CiliumNetworkPolicy" => match spec.and_then(|s| yaml.get(s, "endpointSelector")) {
                Some(selector) => label_selector(yaml, selector.value),
                None => Selector::Every,
            },
            _ => continue,
        };
        found.push(Policy {
            namespace: resource.namespace(yaml).map(str::to_owned),
            selector,
        });
    }
    found
}

/// A Kubernetes label selector (`matchLabels`, `matchExpressions`).
fn label_selector(yaml: &Yaml, node: NodeId) -> Selector {
    let mut requirements = Vec::new();
    if let Some(labels) = yaml.get(node, "matchLabels") {
        for (key, entry) in yaml.keys(labels.value) {
            let Some(value) = yaml.str(entry.value) else {
                return Selector::Every;
            };
            requirements.push(Requirement::Equals(key, value.to_owned()));
        }
    }
    if let Some(expressions) = yaml.get(node, "matchExpressions") {
        for &expression in yaml.items(expressions.value) {
            let text = |key: &str| {
                yaml.get(expression, key)
                    .and_then(|e| yaml.str(e.value))
                    .map(str::to_owned)
            };
            let (Some(key), Some(operator)) = (text("key"), text("operator")) else {
                return Selector::Every;
            };
            let values: Vec<String> = yaml
                .get(expression, "values")
                .map(|v| {
                    yaml.items(v.value)
                        .iter()
                        .filter_map(|&i| yaml.str(i).map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            requirements.push(match operator.as_str() {
                "In" => Requirement::In(key, values),
                "NotIn" => Requirement::NotIn(key, values),
                "Exists" => Requirement::Exists(key),
                "DoesNotExist" => Requirement::DoesNotExist(key),
                _ => return Selector::Every,
            });
        }
    }
    if requirements.is_empty() {
        Selector::Every
    } else {
        Selector::Labels(requirements)
    }
}

/// Whether some policy selects pods of `namespace` with `labels`.
pub fn selected(policies: &[Policy], namespace: Option<&str>, labels: &[(String, String)]) -> bool {
    policies.iter().any(|policy| {
        let same_namespace = match (policy.namespace.as_deref(), namespace) {
            (Some(theirs), Some(ours)) => theirs == ours,
            _ => true,
        };
        same_namespace
            && match &policy.selector {
                Selector::Every => true,
                Selector::Labels(requirements) => requirements.iter().all(|r| r.holds(labels)),
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn selectors_select_as_kubernetes_does() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  podSelector:\n    matchLabels: {app: web}\n    matchExpressions:\n      - {key: tier, operator: In, values: [front, edge]}\n      - {key: canary, operator: DoesNotExist}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: billing}\nspec:\n  podSelector: {}\n";
        let found = policies(&Yaml::parse(text).unwrap());
        assert_eq!(found.len(), 2);
        let web = labels(&[("app", "web"), ("tier", "front")]);
        assert!(selected(&found, Some("shop"), &web));
        assert!(!selected(
            &found,
            Some("shop"),
            &labels(&[("app", "web"), ("tier", "back")])
        ));
        assert!(!selected(
            &found,
            Some("shop"),
            &labels(&[("app", "web"), ("tier", "front"), ("canary", "1")])
        ));
        // Every pod of billing; no namespace written: may be any.
        assert!(selected(&found, Some("billing"), &labels(&[("app", "x")])));
        assert!(selected(&found, None, &labels(&[("app", "x")])));
        assert!(!selected(&found, Some("other"), &labels(&[("app", "x")])));
        // Cluster-wide policies cover everything.
        let global = "apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: {name: default-deny}\nspec:\n  selector: all()\n";
        let found = policies(&Yaml::parse(global).unwrap());
        assert!(selected(&found, Some("any"), &[]));
    }
}
