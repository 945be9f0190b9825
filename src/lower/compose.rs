//! Compose lowered: a service is a workload of one container; its published ports are
//! exposures; its `environment` holds secrets or not. A service that builds its image
//! (`build:`) takes the user and healthcheck of the Dockerfile it builds, unless it sets its own.

use std::ops::Range;

use crate::formats::compose::{ComposeFile, Service, interpolate};
use crate::formats::dockerfile::BuiltUser;
use crate::model::image::is_root_user;
use crate::model::{
    Audience, Container, Deployment, Exposure, Fact, Health, Label, Namespace, Ports, Reach,
    Secret, Setting, User, Workload, ports,
};
use crate::secrets;

/// What a compose file deploys.
pub fn lower<'a>(compose: &'a ComposeFile<'_>) -> Deployment<'a> {
    let mut deployment = Deployment::default();
    for (index, service) in compose.services.iter().enumerate() {
        let label = Label::Service(&service.name);
        exposures(compose, service, &mut deployment.exposures);
        environment(compose, service, &label, &mut deployment.secrets);
        let container = Container {
            label: label.clone(),
            site: compose.service_site(service),
            long_running: true,
            image: compose
                .setting(service, "image")
                .map(|(entry, image)| Fact::new(image.trim().to_owned(), compose.site(entry)))
                .filter(|image| !image.value.is_empty()),
            // `build:` beside `image:` names what compose builds and tags locally.
            image_built_here: compose.yaml.get(service.node, "build").is_some(),
            user: user(compose, index, service),
            privileged: compose
                .yaml
                .get(service.node, "privileged")
                .filter(|entry| compose.yaml.as_bool(entry.value) == Some(true))
                .map(|entry| compose.site(entry)),
            capabilities_added: compose
                .yaml
                .get(service.node, "cap_add")
                .map(|added| {
                    compose
                        .yaml
                        .items(added.value)
                        .iter()
                        .filter_map(|&c| {
                            let name = compose.yaml.str(c)?;
                            Some(Fact::new(name.to_owned(), compose.yaml.span(c)))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            read_only_root: match compose.yaml.get(service.node, "read_only") {
                Some(entry) => Setting::Set(Fact::new(
                    compose.yaml.as_bool(entry.value) == Some(true),
                    compose.site(entry),
                )),
                None => Setting::Unset {
                    how: "read_only: true",
                },
            },
            health: health(compose, index, service),
        };
        let host_namespaces = [
            ("pid", Namespace::Process),
            ("ipc", Namespace::Ipc),
            ("network_mode", Namespace::Network),
        ]
        .into_iter()
        .filter_map(|(key, namespace)| {
            let (entry, mode) = compose.setting(service, key)?;
            (mode.trim() == "host").then(|| Fact::new(namespace, compose.site(entry)))
        })
        .collect();
        deployment.workloads.push(Workload {
            label,
            host_namespaces,
            host: "host",
            containers: vec![container],
        });
    }
    deployment
}

/// `user:` when set (an unresolvable one is not ours to guess); without it, the user of the
/// image the service builds, when it builds one.
fn user(compose: &ComposeFile<'_>, index: usize, service: &Service) -> User {
    if let Some((entry, user)) = compose.setting(service, "user") {
        return if is_root_user(&user) {
            User::Root {
                span: compose.site(entry),
                because: format!(" (`user: {user}`)"),
                related: Vec::new(),
            }
        } else {
            User::NonRoot
        };
    }
    if compose.yaml.get(service.node, "user").is_some() {
        return User::Unknown;
    }
    let Some(built) = compose.built.get(index).and_then(Option::as_ref) else {
        return User::Unknown;
    };
    match &built.user {
        BuiltUser::Root { at, cause } => User::Root {
            span: compose.service_site(service),
            because: format!(
                ": it sets no `user:` and its image, built from `{}`, runs as root ({cause}, line {})",
                built.dockerfile, at.line
            ),
            related: vec![at.clone()],
        },
        BuiltUser::NonRoot(_) => User::NonRoot,
        BuiltUser::Unknown => User::Unknown,
    }
}

/// A `healthcheck` of its own (`disable: true` is a decision), or one declared by the
/// Dockerfile it builds.
fn health(compose: &ComposeFile<'_>, index: usize, service: &Service) -> Health {
    let built_has_one = compose
        .built
        .get(index)
        .and_then(Option::as_ref)
        .is_some_and(|built| built.healthcheck);
    if compose.yaml.get(service.node, "healthcheck").is_some() || built_has_one {
        Health::Declared
    } else {
        Health::Missing("healthcheck".into())
    }
}

/// Published TCP ports (bound to a loopback address they are not public), and a database image
/// on the host's network, whose port is then open on every interface.
fn exposures<'a>(compose: &ComposeFile<'_>, service: &'a Service, out: &mut Vec<Exposure<'a>>) {
    for port in compose.published_ports(service) {
        if port.protocol != "tcp" {
            continue;
        }
        let how = match port
            .host_ip
            .as_deref()
            .map(|ip| ip.trim_matches(['[', ']']))
        {
            None | Some("0.0.0.0" | "::") => " on every interface".to_owned(),
            Some(ip) => format!(" on `{ip}`"),
        };
        out.push(Exposure {
            subject: Label::Service(&service.name),
            verb: "publishes",
            reach: Reach::Ports {
                open: Ports::Range(port.container.0, port.container.1),
                denied: Vec::new(),
            },
            how: how.into(),
            audience: if port.is_public() {
                Audience::Public
            } else {
                Audience::Local
            },
            span: port.site.clone(),
            file: 0,
        });
    }
    if let Some((_, image)) = compose.setting(service, "image")
        && let Some(database) = ports::database_image(&image)
        && let Some((entry, mode)) = compose.setting(service, "network_mode")
        && mode == "host"
    {
        out.push(Exposure {
            subject: Label::Owned(format!("{database} service `{}`", service.name)),
            verb: "",
            reach: Reach::Store {
                sentence: "uses the host's network, so its port is open on every interface"
                    .to_owned(),
            },
            how: "".into(),
            audience: Audience::Public,
            span: compose.site(entry),
            file: 0,
        });
    }
}

/// Secrets among the service's `environment` (map or list form). `${VAR}` references pass (the
/// value comes from the shell or `.env`); a default (`${DB_PASSWORD:-hunter2}`) is a value like
/// any other. Each variable is judged as it is met: an environment can hold a variable per line
/// of a large file, and nothing is gained by collecting them first.
fn environment(
    compose: &ComposeFile<'_>,
    service: &Service,
    label: &Label<'_>,
    out: &mut Vec<Secret>,
) {
    let yaml = compose.yaml;
    let Some(environment) = yaml.get(service.node, "environment") else {
        return;
    };
    let mut judge = |name: &str,
                     raw: &str,
                     site: Range<usize>,
                     raw_span: Option<Range<usize>>,
                     fallback: Range<usize>| {
        // The value `docker compose up` uses when no variable is set.
        let Some(value) = interpolate(raw) else {
            return;
        };
        let Some(secret) = secrets::assigned_secret(name, &value) else {
            return;
        };
        // Mask exactly the value (the default of `${VAR:-value}`), not the text around it.
        let span = raw_span.map_or(fallback, |raw_span| {
            secrets::locate(raw, raw_span, &value, secret.range)
        });
        out.push(Secret {
            place: format!("environment `{name}` of {label}"),
            description: secret.description,
            site,
            span,
        });
    };
    for (name, entry) in yaml.keys(environment.value) {
        if let Some(value) = yaml.str(entry.value) {
            judge(
                &name,
                value,
                compose.site(entry),
                yaml.content_span(entry.value),
                yaml.span(entry.value),
            );
        }
    }
    for &item in yaml.items(environment.value) {
        let Some((name, assigned)) = yaml.str(item).and_then(|text| text.split_once('=')) else {
            continue;
        };
        let item_id = yaml.resolve(item);
        let raw_span = yaml
            .content_span(item_id)
            .map(|content| content.start + name.len() + 1..content.end);
        let span = yaml.span(item_id);
        judge(name.trim(), assigned, span.clone(), raw_span, span);
    }
}
