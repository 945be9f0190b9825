//! Kubernetes lowered: every pod template (of a Pod, a workload controller, a CronJob, a
//! PodTemplate or an operator's resource) is a workload whose containers have their effective
//! security context (the container's fields over the pod's); Services that reach outside the
//! cluster and ports on nodes or in pods are exposures; literal `env` values hold secrets or
//! not. Shared here as well: walking containers and reading security contexts, which the
//! Kubernetes-only rules do too.

use crate::formats::dockerfile::{BuiltUser, ImageFacts};
use crate::formats::kubernetes::{
    Container as PodContainer, ContainerGroup, Manifests, Pod, Resource,
};
use crate::formats::yaml::Entry;
use crate::model::image::ImageRef;
use crate::model::{
    Audience, Container, Deployment, Exposure, Fact, Health, Label, Namespace, Ports, Reach,
    Secret, Setting, User, Workload,
};
use crate::secrets;

/// The images the repository builds and tags at deploy time (Skaffold, Tilt), which manifests
/// name bare, each with what its Dockerfile says when it can be read.
pub type BuiltImages = [(String, Option<ImageFacts>)];

/// What the manifests of a file deploy.
pub fn lower<'a>(manifests: &'a Manifests<'_>, built: &BuiltImages) -> Deployment<'a> {
    let yaml = manifests.yaml;
    let mut deployment = Deployment::default();
    for exposed in exposed_service_ports(manifests) {
        deployment.exposures.push(Exposure {
            subject: exposed.service,
            verb: "exposes",
            reach: Reach::Ports {
                open: Ports::Range(exposed.port, exposed.port),
                denied: Vec::new(),
            },
            how: format!(" {}", exposed.how).into(),
            audience: Audience::Public,
            span: exposed.site,
            file: 0,
        });
    }
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        let host_namespaces = [
            ("hostNetwork", Namespace::Network),
            ("hostPID", Namespace::Process),
            ("hostIPC", Namespace::Ipc),
        ]
        .into_iter()
        .filter_map(|(field, namespace)| {
            let entry = yaml.get(pod.spec, field)?;
            (yaml.as_bool(entry.value) == Some(true))
                .then(|| Fact::new(namespace, manifests.site(entry)))
        })
        .collect();
        let mut containers = Vec::new();
        for container in &pod.containers {
            let label = label(resource, container);
            container_ports(manifests, pod, container, &label, &mut deployment.exposures);
            environment(manifests, container, &label, &mut deployment.secrets);
            containers.push(lower_container(manifests, pod, container, label, built));
        }
        deployment.workloads.push(Workload {
            label: Label::Resource {
                kind: &resource.kind,
                name: &resource.name,
            },
            host_namespaces,
            host: "node",
            containers,
        });
    }
    deployment
}

/// The names (without tag) of the images the file's containers run.
pub fn image_names<'m>(manifests: &'m Manifests<'_>) -> Vec<&'m str> {
    let yaml = manifests.yaml;
    manifests
        .resources
        .iter()
        .filter_map(|resource| resource.pod.as_ref())
        .flat_map(|pod| &pod.containers)
        .filter_map(|container| {
            let image = yaml.get(container.node, "image")?;
            Some(ImageRef::parse(yaml.str(image.value)?.trim()).name)
        })
        .collect()
}

/// One container with its effective settings. In a patch judged on its own, what it leaves
/// unset is set by the resource it patches: not missing there.
fn lower_container<'a>(
    manifests: &Manifests<'_>,
    pod: &Pod,
    container: &PodContainer,
    label: Label<'a>,
    built: &BuiltImages,
) -> Container<'a> {
    let yaml = manifests.yaml;
    let image = yaml
        .get(container.node, "image")
        .and_then(|entry| {
            let image = yaml.str(entry.value)?.trim();
            Some(Fact::new(image.to_owned(), manifests.site(entry)))
        })
        .filter(|image| !image.value.is_empty());
    let built_here = image.as_ref().and_then(|image| {
        let reference = ImageRef::parse(&image.value);
        built
            .iter()
            .find(|(built, _)| ImageRef::parse(built).name == reference.name)
    });
    let image_built_here =
        built_here.is_some() || image.as_ref().is_some_and(|i| i.value.starts_with("ko://"));
    let facts = built_here.and_then(|(_, facts)| facts.as_ref());
    let absent_probes: Vec<&str> = ["readinessProbe", "livenessProbe"]
        .into_iter()
        .filter(|probe| yaml.get(container.node, probe).is_none())
        .collect();
    let missing_probes: Vec<&str> = absent_probes
        .iter()
        .copied()
        .filter(|_| !manifests.partial)
        .collect();
    let mut user = user(manifests, pod, container, image.as_ref(), facts);
    // A patch that sets `runAsNonRoot` to something else than true is judged for it.
    if let User::MaybeRoot { .. } = user
        && manifests.partial
        && effective_setting(manifests, pod, container, &["runAsNonRoot"]).is_none()
    {
        user = User::Unknown;
    }
    Container {
        site: manifests.container_site(container),
        long_running: is_long_running(pod, container),
        user,
        image,
        image_built_here,
        privileged: container_setting(manifests, container, &["privileged"])
            .filter(|entry| yaml.as_bool(entry.value) == Some(true))
            .map(|entry| manifests.site(entry)),
        capabilities_added: container_setting(manifests, container, &["capabilities", "add"])
            .map(|add| {
                yaml.items(add.value)
                    .iter()
                    .filter_map(|&c| Some(Fact::new(yaml.str(c)?.to_owned(), yaml.span(c))))
                    .collect()
            })
            .unwrap_or_default(),
        read_only_root: match container_setting(manifests, container, &["readOnlyRootFilesystem"]) {
            Some(entry) => Setting::Set(Fact::new(
                yaml.as_bool(entry.value) == Some(true),
                manifests.site(entry),
            )),
            None if manifests.partial => Setting::NotSaid,
            None => Setting::Unset {
                how: "readOnlyRootFilesystem: true",
            },
        },
        health: match (missing_probes.is_empty(), absent_probes.is_empty()) {
            (true, true) => Health::Declared,
            // In a patch, left to the resource it patches.
            (true, false) if manifests.partial => Health::Unknown,
            // Added by every overlay.
            (true, false) => Health::Declared,
            (false, _) => Health::Missing(missing_probes.join(" and no ").into()),
        },
        label,
    }
}

/// `runAsUser: 0` at either level is root whatever else is set. Otherwise the effective
/// `runAsNonRoot: true` or a non-zero `runAsUser` is not root; without either, the image's
/// `USER` decides: known when the repository builds the image from a Dockerfile it holds, or when
/// the image is one of the well-known ones that run as another user by themselves
/// ([`ImageRef::runs_as_non_root`]); otherwise the manifest cannot vouch for it.
fn user(
    manifests: &Manifests<'_>,
    pod: &Pod,
    container: &PodContainer,
    image: Option<&Fact<String>>,
    built: Option<&ImageFacts>,
) -> User {
    let yaml = manifests.yaml;
    let explicit_root = [
        container_setting(manifests, container, &["runAsUser"]),
        pod_setting(manifests, pod, &["runAsUser"]),
    ]
    .into_iter()
    .flatten()
    .find(|entry| yaml.as_int(entry.value) == Some(0));
    if let Some(entry) = explicit_root {
        return User::Root {
            span: manifests.site(entry),
            because: " (`runAsUser: 0`)".to_owned(),
            related: Vec::new(),
        };
    }
    let uid = effective_setting(manifests, pod, container, &["runAsUser"])
        .and_then(|e| yaml.as_int(e.value));
    let non_root = effective_setting(manifests, pod, container, &["runAsNonRoot"]);
    let image_user = image.is_some_and(|image| ImageRef::parse(&image.value).runs_as_non_root());
    if uid.is_some_and(|uid| uid > 0)
        || non_root.is_some_and(|e| yaml.as_bool(e.value) == Some(true))
        || (non_root.is_none() && image_user)
    {
        return User::NonRoot;
    }
    if let Some(built) = built {
        match &built.user {
            BuiltUser::NonRoot(_) => return User::NonRoot,
            BuiltUser::Root { at, cause } => {
                return User::Root {
                    span: manifests.container_site(container),
                    because: format!(
                        ": no `runAsNonRoot: true` or non-zero `runAsUser` overrides its image, built from `{}`, which runs as root ({cause}, line {})",
                        built.dockerfile, at.line
                    ),
                    related: vec![at.clone()],
                };
            }
            BuiltUser::Unknown => {}
        }
    }
    match non_root {
        Some(entry) => User::MaybeRoot {
            span: manifests.site(entry),
            because: "`runAsNonRoot` is not true and no non-zero `runAsUser` is set".to_owned(),
        },
        None => User::MaybeRoot {
            span: manifests.container_site(container),
            because: "neither `runAsNonRoot: true` nor a non-zero `runAsUser` is set".to_owned(),
        },
    }
}

/// A container's ports: a `hostPort` is open on the node; a `containerPort` is open on the
/// node too under `hostNetwork: true`, and otherwise only in the pod.
fn container_ports<'a>(
    manifests: &Manifests<'_>,
    pod: &Pod,
    container: &PodContainer,
    label: &Label<'a>,
    out: &mut Vec<Exposure<'a>>,
) {
    let yaml = manifests.yaml;
    let host_network = yaml
        .get(pod.spec, "hostNetwork")
        .is_some_and(|e| yaml.as_bool(e.value) == Some(true));
    let Some(list) = yaml.get(container.node, "ports") else {
        return;
    };
    let port_of = |entry: &Entry| {
        yaml.as_int(entry.value)
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
    };
    for &item in yaml.items(list.value) {
        let host = yaml
            .get(item, "hostPort")
            .and_then(|entry| Some((port_of(&entry)?, entry)));
        let inside = yaml
            .get(item, "containerPort")
            .and_then(|entry| Some((port_of(&entry)?, entry)));
        let mut push = |port: u16, entry: Entry, how: &'static str, audience| {
            out.push(Exposure {
                subject: label.clone(),
                verb: if audience == Audience::Public {
                    "publishes"
                } else {
                    "opens"
                },
                reach: Reach::Ports {
                    open: Ports::Range(port, port),
                    denied: Vec::new(),
                },
                how: how.into(),
                audience,
                span: manifests.site(entry),
                file: 0,
            });
        };
        if let Some((port, entry)) = host {
            push(port, entry, " as a host port", Audience::Public);
        }
        // The same port on the node and in the pod is one exposure, the node's.
        if let Some((port, entry)) = inside
            && host.is_none_or(|(host, _)| host != port)
        {
            if host_network {
                push(
                    port,
                    entry,
                    " on the node's network (`hostNetwork: true`)",
                    Audience::Public,
                );
            } else {
                push(port, entry, " in the pod", Audience::Internal);
            }
        }
    }
}

/// Secrets written as literal `env[].value`s; values from `valueFrom` (Secrets, ConfigMaps,
/// fields) are what env should use for secrets.
fn environment(
    manifests: &Manifests<'_>,
    container: &PodContainer,
    label: &Label<'_>,
    out: &mut Vec<Secret>,
) {
    let yaml = manifests.yaml;
    let Some(env) = yaml.get(container.node, "env") else {
        return;
    };
    for &item in yaml.items(env.value) {
        let (Some(name), Some(value)) = (
            yaml.get(item, "name").and_then(|e| yaml.str(e.value)),
            yaml.get(item, "value"),
        ) else {
            continue;
        };
        let Some(text) = yaml.str(value.value) else {
            continue;
        };
        let Some(secret) = secrets::assigned_secret(name, text) else {
            continue;
        };
        let span = match yaml.content_span(value.value) {
            Some(content) => content.start + secret.range.start..content.start + secret.range.end,
            None => yaml.span(value.value),
        };
        out.push(Secret {
            place: format!("env `{name}` of {label}"),
            description: secret.description,
            site: manifests.site(value),
            span,
        });
    }
}

/// Calls `visit` for every container of every pod in the file.
pub fn each_container<'m>(
    manifests: &'m Manifests<'_>,
    mut visit: impl FnMut(&'m Resource, &'m Pod, &'m PodContainer),
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
pub fn is_long_running(pod: &Pod, container: &PodContainer) -> bool {
    container.group == ContainerGroup::Containers && !pod.batch
}

/// A field of the container's `securityContext`.
pub fn container_setting(
    manifests: &Manifests<'_>,
    container: &PodContainer,
    path: &[&str],
) -> Option<Entry> {
    let full: Vec<&str> = std::iter::once("securityContext")
        .chain(path.iter().copied())
        .collect();
    manifests.yaml.get_path(container.node, &full)
}

/// A field of the pod's `securityContext`.
pub fn pod_setting(manifests: &Manifests<'_>, pod: &Pod, path: &[&str]) -> Option<Entry> {
    let full: Vec<&str> = std::iter::once("securityContext")
        .chain(path.iter().copied())
        .collect();
    manifests.yaml.get_path(pod.spec, &full)
}

/// A field of `securityContext` wherever it is written, on the pod and on each of its
/// containers, with who writes it ("Deployment/web", "container `app` of Deployment/web"): for
/// settings that are judged where they are written, not by their effective value.
pub fn settings_at_each_level(
    manifests: &Manifests<'_>,
    resource: &Resource,
    pod: &Pod,
    path: &[&str],
) -> Vec<(String, Entry)> {
    let at_pod = pod_setting(manifests, pod, path).map(|entry| (resource.label(), entry));
    let at_containers = pod.containers.iter().filter_map(|container| {
        container_setting(manifests, container, path)
            .map(|entry| (describe(resource, container), entry))
    });
    at_pod.into_iter().chain(at_containers).collect()
}

/// The effective value of a field that both levels have: the container's wins.
pub fn effective_setting(
    manifests: &Manifests<'_>,
    pod: &Pod,
    container: &PodContainer,
    path: &[&str],
) -> Option<Entry> {
    container_setting(manifests, container, path).or_else(|| pod_setting(manifests, pod, path))
}

/// "container `app` of Deployment/web", written out when a message needs it.
fn label<'a>(resource: &'a Resource, container: &'a PodContainer) -> Label<'a> {
    Label::Container {
        group: group_name(container.group),
        name: &container.name,
        kind: &resource.kind,
        resource: &resource.name,
    }
}

fn group_name(group: ContainerGroup) -> &'static str {
    match group {
        ContainerGroup::Containers => "container",
        ContainerGroup::InitContainers => "init container",
        ContainerGroup::EphemeralContainers => "ephemeral container",
    }
}

/// "container `app` of Deployment/web".
pub fn describe(resource: &Resource, container: &PodContainer) -> String {
    label(resource, container).to_string()
}

/// A port of a `Service` that is reachable from outside the cluster.
struct ExposedPort<'a> {
    /// `Service/db`.
    pub service: Label<'a>,
    pub port: u16,
    pub site: std::ops::Range<usize>,
    /// How it is exposed, as the end of a sentence.
    pub how: &'static str,
}

/// Ports of `LoadBalancer` Services (unless `loadBalancerSourceRanges` lists only private
/// ranges) and of `NodePort` Services, by `port` and by numeric `targetPort`.
fn exposed_service_ports<'a>(manifests: &'a Manifests<'_>) -> Vec<ExposedPort<'a>> {
    let yaml = manifests.yaml;
    let mut exposed = Vec::new();
    for service in manifests.resources.iter().filter(|r| r.kind == "Service") {
        let Some(spec) = yaml.get(service.root, "spec") else {
            continue;
        };
        let how = match yaml.get(spec.value, "type").and_then(|e| yaml.str(e.value)) {
            Some("LoadBalancer")
                if !restricted_sources(manifests, spec.value)
                    && !internal_load_balancer(manifests, service) =>
            {
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
                        service: Label::Resource {
                            kind: &service.kind,
                            name: &service.name,
                        },
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

/// Annotations that make a cloud provider give a `LoadBalancer` Service an address inside the
/// network only, with the value that does.
const INTERNAL_LOAD_BALANCER: &[(&str, &str)] = &[
    ("networking.gke.io/load-balancer-type", "internal"),
    ("cloud.google.com/load-balancer-type", "internal"),
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        "true",
    ),
    (
        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type",
        "intranet",
    ),
    (
        "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        "private",
    ),
];

/// A `LoadBalancer` Service its provider keeps inside the network (an internal load balancer).
pub(crate) fn internal_load_balancer(manifests: &Manifests<'_>, service: &Resource) -> bool {
    let yaml = manifests.yaml;
    let Some(annotations) = yaml.get_path(service.root, &["metadata", "annotations"]) else {
        return false;
    };
    INTERNAL_LOAD_BALANCER.iter().any(|(key, internal)| {
        yaml.get(annotations.value, key)
            .and_then(|entry| yaml.str(entry.value))
            .is_some_and(|value| value.trim().eq_ignore_ascii_case(internal))
    })
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
    !ranges.is_empty() && !ranges.iter().any(|r| admits_everyone(r))
}

/// A `loadBalancerSourceRanges` entry that admits every address (`*` too, which some clouds
/// take for it).
pub(crate) fn admits_everyone(range: &str) -> bool {
    crate::model::ports::is_everyone(range) || range.trim() == "*"
}
