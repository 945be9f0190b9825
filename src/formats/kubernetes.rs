//! Kubernetes manifests: which YAML documents are resources, and where their pods and
//! containers are.
//!
//! A document is a resource when it is a mapping with `apiVersion` and `kind`; `kind: List` (and
//! `*List` kinds) contribute their `items`. The pod spec is found by kind (`spec` of a Pod,
//! `spec.template.spec` of Deployments, StatefulSets, DaemonSets, ReplicaSets,
//! ReplicationControllers and Jobs, `spec.jobTemplate.spec.template.spec` of CronJobs, `template.spec`
//! of PodTemplates) and, for kinds this list does not know (Argo Rollouts, operators' CRDs), from
//! any `spec.template.spec` that has containers.

use std::ops::Range;

use crate::formats::yaml::{Entry, NodeId, Yaml};

/// The resources of a YAML stream.
pub struct Manifests<'y> {
    pub yaml: &'y Yaml,
    pub resources: Vec<Resource>,
    /// The file is a patch that a kustomization applies to resources defined elsewhere: what
    /// it leaves out is not missing, and only what it sets is judged.
    pub partial: bool,
    /// The network policies of the repository, when the scan read them all.
    pub network_policies: Option<std::sync::Arc<[crate::formats::network_policies::Policy]>>,
}

/// One Kubernetes object.
pub struct Resource {
    pub root: NodeId,
    pub kind: String,
    pub name: String,
    pub pod: Option<Pod>,
}

/// A pod spec and its containers.
pub struct Pod {
    pub spec: NodeId,
    pub containers: Vec<Container>,
    /// Batch pods (Jobs, CronJobs) run to completion: probes do not apply.
    pub batch: bool,
}

/// One entry of `containers`, `initContainers` or `ephemeralContainers`.
pub struct Container {
    pub node: NodeId,
    pub name: String,
    pub group: ContainerGroup,
    /// Its position in its group's list (JSON patches name containers so).
    pub index: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerGroup {
    Containers,
    InitContainers,
    EphemeralContainers,
}

impl<'y> Manifests<'y> {
    /// The resources in `yaml`; documents that are not Kubernetes objects are left out.
    pub fn new(yaml: &'y Yaml) -> Manifests<'y> {
        let mut resources = Vec::new();
        for &document in &yaml.documents {
            collect(yaml, document, &mut resources, 0);
        }
        Manifests {
            yaml,
            resources,
            partial: false,
            network_policies: None,
        }
    }

    /// Where to point for a value found with [`Yaml::get`]: the key and its value, or the merge
    /// key that brought it from elsewhere.
    pub fn site(&self, entry: Entry) -> Range<usize> {
        self.yaml.site(entry)
    }

    /// Where to point for a container: its `name` entry, or the start of the entry.
    pub fn container_site(&self, container: &Container) -> Range<usize> {
        match self.yaml.get(container.node, "name") {
            Some(entry) => self.site(entry),
            None => {
                let span = self.yaml.span(container.node);
                span.start..span.start
            }
        }
    }

    /// Where to point for a resource: its `kind` entry.
    pub fn resource_site(&self, resource: &Resource) -> Range<usize> {
        match self.yaml.get(resource.root, "kind") {
            Some(entry) => self.site(entry),
            None => self.yaml.span(resource.root),
        }
    }
}

fn collect(yaml: &Yaml, node: NodeId, resources: &mut Vec<Resource>, depth: usize) {
    if !yaml.is_mapping(node) || depth > 2 {
        return;
    }
    let (Some(kind), Some(_)) = (
        yaml.get(node, "kind").and_then(|e| yaml.str(e.value)),
        yaml.get(node, "apiVersion").and_then(|e| yaml.str(e.value)),
    ) else {
        return;
    };
    if kind.ends_with("List") {
        if let Some(items) = yaml.get(node, "items") {
            for &item in yaml.items(items.value) {
                collect(yaml, yaml.resolve(item), resources, depth + 1);
            }
        }
        return;
    }
    let name = yaml
        .get_path(node, &["metadata", "name"])
        .and_then(|e| yaml.str(e.value))
        .unwrap_or("")
        .to_owned();
    let pod = pod_spec(yaml, node, kind).map(|(spec, batch)| Pod {
        spec,
        containers: containers(yaml, spec),
        batch,
    });
    resources.push(Resource {
        root: node,
        kind: kind.to_owned(),
        name,
        pod,
    });
}

/// A kind's pod template (a Pod is its own), which holds the pods' `metadata` and `spec`.
fn pod_template(yaml: &Yaml, root: NodeId, kind: &str) -> Option<NodeId> {
    let path: &[&str] = match kind {
        "Pod" => return Some(root),
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "PodTemplate" => &["template"],
        _ => &["spec", "template"],
    };
    Some(yaml.get_path(root, path)?.value)
}

fn pod_spec(yaml: &Yaml, root: NodeId, kind: &str) -> Option<(NodeId, bool)> {
    let spec = yaml.get(pod_template(yaml, root, kind)?, "spec")?.value;
    let known = matches!(
        kind,
        "Pod"
            | "CronJob"
            | "PodTemplate"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
    );
    // Other kinds count when their template really is a pod spec.
    if !yaml.is_mapping(spec) || (!known && yaml.get(spec, "containers").is_none()) {
        return None;
    }
    Some((spec, matches!(kind, "Job" | "CronJob")))
}

fn containers(yaml: &Yaml, spec: NodeId) -> Vec<Container> {
    let groups = [
        ("containers", ContainerGroup::Containers),
        ("initContainers", ContainerGroup::InitContainers),
        ("ephemeralContainers", ContainerGroup::EphemeralContainers),
    ];
    let mut containers = Vec::new();
    for (key, group) in groups {
        let Some(list) = yaml.get(spec, key) else {
            continue;
        };
        for (index, &item) in yaml.items(list.value).iter().enumerate() {
            let node = yaml.resolve(item);
            if !yaml.is_mapping(node) {
                continue;
            }
            let name = yaml
                .get(node, "name")
                .and_then(|e| yaml.str(e.value))
                .unwrap_or("?")
                .to_owned();
            containers.push(Container {
                node,
                name,
                group,
                index,
            });
        }
    }
    containers
}

impl Resource {
    /// Its `metadata.namespace`, when it names one.
    pub fn namespace<'y>(&self, yaml: &'y Yaml) -> Option<&'y str> {
        yaml.get_path(self.root, &["metadata", "namespace"])
            .and_then(|n| yaml.str(n.value))
            .map(str::trim)
            .filter(|n| !n.is_empty())
    }

    /// The labels of its pods: its pod template's (a Pod's own).
    pub fn pod_labels(&self, yaml: &Yaml) -> Vec<(String, String)> {
        pod_template(yaml, self.root, &self.kind)
            .and_then(|template| yaml.get_path(template, &["metadata", "labels"]))
            .map(|labels| {
                yaml.keys(labels.value)
                    .into_iter()
                    .filter_map(|(key, entry)| Some((key, yaml.str(entry.value)?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The annotations of its pods: its pod template's (a Pod's own), each key with its entry.
    pub fn pod_annotations(&self, yaml: &Yaml) -> Vec<(String, Entry)> {
        pod_template(yaml, self.root, &self.kind)
            .and_then(|template| yaml.get_path(template, &["metadata", "annotations"]))
            .map(|annotations| yaml.keys(annotations.value))
            .unwrap_or_default()
    }

    /// `Deployment/web`.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.kind.clone()
        } else {
            format!("{}/{}", self.kind, self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pods_in_every_workload_kind() {
        let text = "\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          initContainers: [{name: init, image: busybox:1.36}]
          containers: [{name: app, image: nginx:1.27}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: job, image: alpine:3.20}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: ClusterIP}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: canary}
spec:
  template:
    spec:
      ephemeralContainers: [{name: debug, image: busybox:1.36}]
      containers: [{name: app, image: app:1.0}]
---
ci:
  stages: [build]
";
        let yaml = Yaml::parse(text).unwrap();
        let manifests = Manifests::new(&yaml);
        let summary: Vec<(String, Vec<String>)> = manifests
            .resources
            .iter()
            .map(|r| {
                let containers = r.pod.as_ref().map_or(Vec::new(), |p| {
                    p.containers.iter().map(|c| c.name.clone()).collect()
                });
                (r.label(), containers)
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "Deployment/web".to_owned(),
                    vec!["app".to_owned(), "init".to_owned()]
                ),
                ("CronJob/nightly".to_owned(), vec!["job".to_owned()]),
                ("Service/web".to_owned(), vec![]),
                (
                    "Rollout/canary".to_owned(),
                    vec!["app".to_owned(), "debug".to_owned()]
                ),
            ]
        );
        assert!(manifests.resources[1].pod.as_ref().unwrap().batch);
    }
}
