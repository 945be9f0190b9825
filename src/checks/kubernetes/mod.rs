//! Kubernetes checks, one module per rule, named after the rule. Shared here: walking containers
//! and reading the effective security context (container settings over pod settings).

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_kubernetes.rs"));

use crate::formats::kubernetes::{Container, ContainerGroup, Manifests, Pod, Resource};
use crate::formats::yaml::Entry;

/// Calls `visit` for every container of every pod in the file.
pub(crate) fn each_container<'m>(
    manifests: &'m Manifests<'_>,
    mut visit: impl FnMut(&'m Resource, &'m Pod, &'m Container),
) {
    for resource in &manifests.resources {
        if let Some(pod) = &resource.pod {
            for container in &pod.containers {
                visit(resource, pod, container);
            }
        }
    }
}

/// Long-running containers: not init containers, which run to completion, nor ephemeral debug
/// containers.
pub(crate) fn is_long_running(pod: &Pod, container: &Container) -> bool {
    container.group == ContainerGroup::Containers && !pod.batch
}

/// A field of the container's `securityContext`.
pub(crate) fn container_setting(
    manifests: &Manifests<'_>,
    container: &Container,
    path: &[&str],
) -> Option<Entry> {
    let full: Vec<&str> = std::iter::once("securityContext")
        .chain(path.iter().copied())
        .collect();
    manifests.yaml.get_path(container.node, &full)
}

/// A field of the pod's `securityContext`.
pub(crate) fn pod_setting(manifests: &Manifests<'_>, pod: &Pod, path: &[&str]) -> Option<Entry> {
    let full: Vec<&str> = std::iter::once("securityContext")
        .chain(path.iter().copied())
        .collect();
    manifests.yaml.get_path(pod.spec, &full)
}

/// The effective value of a field that both levels have: the container's wins.
pub(crate) fn effective_setting(
    manifests: &Manifests<'_>,
    pod: &Pod,
    container: &Container,
    path: &[&str],
) -> Option<Entry> {
    container_setting(manifests, container, path).or_else(|| pod_setting(manifests, pod, path))
}

/// `containers[app] of Deployment/web`.
pub(crate) fn describe(resource: &Resource, container: &Container) -> String {
    let group = match container.group {
        ContainerGroup::Containers => "container",
        ContainerGroup::InitContainers => "init container",
        ContainerGroup::EphemeralContainers => "ephemeral container",
    };
    format!("{group} `{}` of {}", container.name, resource.label())
}

/// A port of a `Service` that is reachable from outside the cluster.
pub(crate) struct ExposedPort {
    /// `Service/db`.
    pub service: String,
    pub port: u16,
    pub site: std::ops::Range<usize>,
    /// How it is exposed, as the end of a sentence.
    pub how: &'static str,
}

/// Ports of `LoadBalancer` Services (unless `loadBalancerSourceRanges` lists only private
/// ranges) and of `NodePort` Services, by `port` and by numeric `targetPort`.
pub(crate) fn exposed_service_ports(manifests: &Manifests<'_>) -> Vec<ExposedPort> {
    let yaml = manifests.yaml;
    let mut exposed = Vec::new();
    for service in manifests.resources.iter().filter(|r| r.kind == "Service") {
        let Some(spec) = yaml.get(service.root, "spec") else {
            continue;
        };
        let how = match yaml.get(spec.value, "type").and_then(|e| yaml.str(e.value)) {
            Some("LoadBalancer") if !restricted_sources(manifests, spec.value) => {
                "through a LoadBalancer open to any address"
            }
            Some("NodePort") => "on every node (`type: NodePort`)",
            _ => continue,
        };
        let Some(ports) = yaml.get(spec.value, "ports") else {
            continue;
        };
        for &item in yaml.items(ports.value) {
            let mut seen = Vec::new();
            for field in ["port", "targetPort"] {
                let Some(entry) = yaml.get(item, field) else {
                    continue;
                };
                let Some(port) = yaml.as_int(entry.value).and_then(|p| u16::try_from(p).ok())
                else {
                    continue;
                };
                if !seen.contains(&port) {
                    seen.push(port);
                    exposed.push(ExposedPort {
                        service: service.label(),
                        port,
                        site: manifests.site(entry),
                        how,
                    });
                }
            }
        }
    }
    exposed
}

/// `loadBalancerSourceRanges` present, non-empty, and without a range open to everyone.
fn restricted_sources(manifests: &Manifests<'_>, spec: crate::formats::yaml::NodeId) -> bool {
    let yaml = manifests.yaml;
    let Some(ranges) = yaml.get(spec, "loadBalancerSourceRanges") else {
        return false;
    };
    let ranges: Vec<&str> = yaml
        .items(ranges.value)
        .iter()
        .filter_map(|&r| yaml.str(r))
        .collect();
    !ranges.is_empty()
        && !ranges
            .iter()
            .any(|r| matches!(r.trim(), "0.0.0.0/0" | "::/0" | "*"))
}
