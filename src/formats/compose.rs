//! Compose files: which YAML documents are compose projects, their services, variable
//! interpolation and published ports.
//!
//! A document is a compose project when its top level has a `services` mapping. In files named
//! like compose files (`compose*.y(a)ml`, `docker-compose*.y(a)ml`) that is enough; in other YAML
//! at least one service must have an `image` or a `build`, and the document must have only the
//! top-level keys of the compose specification, so that CI configurations (which have `jobs`,
//! `on`, `stages` …) and application settings are never taken for compose files. Extension fields (`x-*`) with anchors and merge keys work through
//! [`Yaml::get`].

use std::ops::Range;

use crate::formats::dockerfile::ImageFacts;
use crate::formats::yaml::{Entry, NodeId, Yaml};
use crate::model::ports::parse_range;

/// The top-level keys of the compose specification (besides `x-*` extensions).
const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models",
];

/// The compose projects of a YAML stream.
pub struct ComposeFile<'y> {
    pub yaml: &'y Yaml,
    pub services: Vec<Service>,
    /// For each service, what the Dockerfile it builds says, when it builds one that can be read
    /// (see [`crate::links::link`]).
    pub built: Vec<Option<ImageFacts>>,
}

/// One entry of `services`.
pub struct Service {
    pub name: String,
    /// The service's name key, where findings about something missing point.
    pub key: NodeId,
    pub node: NodeId,
}

/// How a compose service builds its image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRef {
    /// The Dockerfile, relative to the compose file's directory (`api/Dockerfile`), or its text
    /// when written inline (`dockerfile_inline`).
    pub dockerfile: DockerfileRef,
    /// `build.target`: the stage whose image is built, instead of the last one.
    pub target: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerfileRef {
    /// Relative to the directory of the file that names it.
    Path(String),
    /// Relative to the repository root.
    FromRoot(String),
    Inline(String),
}

/// A published port: which container port, and where it is reachable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPort {
    /// Container ports (`target`), a range when written as one.
    pub container: (u16, u16),
    /// The host address it is bound to; `None` means every interface.
    pub host_ip: Option<String>,
    pub protocol: String,
    pub site: Range<usize>,
}

impl PublishedPort {
    /// Reachable from other machines: bound to every interface or to a non-loopback address.
    pub fn is_public(&self) -> bool {
        !matches!(
            self.host_ip
                .as_deref()
                .map(|ip| ip.trim_matches(|c| c == '[' || c == ']')),
            Some("127.0.0.1" | "::1" | "localhost")
        )
    }
}

impl<'y> ComposeFile<'y> {
    /// The services of every compose document in `yaml`; `named_as_compose` relaxes detection
    /// for files named like compose files.
    pub fn new(yaml: &'y Yaml, named_as_compose: bool) -> ComposeFile<'y> {
        let mut services = Vec::new();
        for &document in &yaml.documents {
            if !yaml.is_mapping(document) || yaml.get(document, "apiVersion").is_some() {
                continue;
            }
            // A CI configuration may have `services` too, but never only compose's keys.
            let only_compose_keys = yaml
                .keys(document)
                .iter()
                .all(|(key, _)| TOP_LEVEL_KEYS.contains(&key.as_str()) || key.starts_with("x-"));
            if !named_as_compose && !only_compose_keys {
                continue;
            }
            let Some(entry) = yaml
                .get(document, "services")
                .filter(|e| yaml.is_mapping(e.value))
            else {
                continue;
            };
            let found: Vec<Service> = yaml
                .keys(entry.value)
                .into_iter()
                .filter(|(_, service)| yaml.is_mapping(service.value))
                .map(|(name, service)| Service {
                    name,
                    key: service.key,
                    node: service.value,
                })
                .collect();
            let looks_like_compose = found.iter().any(|s| {
                yaml.get(s.node, "image").is_some() || yaml.get(s.node, "build").is_some()
            });
            if named_as_compose || looks_like_compose {
                services.extend(found);
            }
        }
        let built = vec![None; services.len()];
        ComposeFile {
            yaml,
            services,
            built,
        }
    }

    /// How a service builds its image: `build: ./api`, or `build: {context, dockerfile,
    /// dockerfile_inline, target}`. A remote context (a Git URL) is not in the repository.
    pub fn build(&self, service: &Service) -> Option<BuildRef> {
        let yaml = self.yaml;
        let entry = yaml.get(service.node, "build")?;
        let field = |key| {
            yaml.get(entry.value, key)
                .and_then(|e| yaml.str(e.value))
                .and_then(interpolate)
        };
        let (context, dockerfile, inline, target) = if yaml.is_mapping(entry.value) {
            (
                field("context").unwrap_or_else(|| ".".to_owned()),
                field("dockerfile"),
                field("dockerfile_inline"),
                field("target"),
            )
        } else {
            (interpolate(yaml.str(entry.value)?)?, None, None, None)
        };
        if let Some(text) = inline {
            return Some(BuildRef {
                dockerfile: DockerfileRef::Inline(text),
                target,
            });
        }
        let remote = context.contains("://") || context.starts_with("git@");
        if remote || context.starts_with('/') {
            return None;
        }
        let dockerfile = dockerfile.unwrap_or_else(|| "Dockerfile".to_owned());
        // An absolute `dockerfile` is outside the repository's tree as written here.
        if dockerfile.starts_with('/') {
            return None;
        }
        Some(BuildRef {
            dockerfile: DockerfileRef::Path(format!("{context}/{dockerfile}")),
            target,
        })
    }

    /// The span to point at for an entry (see [`Yaml::site`]).
    pub fn site(&self, entry: Entry) -> Range<usize> {
        self.yaml.site(entry)
    }

    /// The service's name key, for findings about something missing.
    pub fn service_site(&self, service: &Service) -> Range<usize> {
        self.yaml.span(service.key)
    }

    /// A scalar setting of a service with compose variables interpolated; `None` when missing or
    /// when it depends on a variable without a default.
    pub fn setting(&self, service: &Service, key: &str) -> Option<(Entry, String)> {
        let entry = self.yaml.get(service.node, key)?;
        let value = interpolate(self.yaml.str(entry.value)?)?;
        Some((entry, value))
    }

    /// Every published port of a service, in the short (`"8080:80"`) and long (`target:`) syntax.
    pub fn published_ports(&self, service: &Service) -> Vec<PublishedPort> {
        let yaml = self.yaml;
        let Some(ports) = yaml.get(service.node, "ports") else {
            return Vec::new();
        };
        let mut published = Vec::new();
        for &item in yaml.items(ports.value) {
            let site = yaml.span(item);
            if yaml.is_mapping(item) {
                let field = |key| {
                    yaml.get(item, key)
                        .and_then(|e| yaml.str(e.value))
                        .and_then(interpolate)
                };
                let Some(target) = field("target").and_then(|t| parse_range(&t)) else {
                    continue;
                };
                published.push(PublishedPort {
                    container: target,
                    host_ip: field("host_ip").filter(|ip| !ip.is_empty()),
                    protocol: field("protocol").unwrap_or_else(|| "tcp".to_owned()),
                    site,
                });
            } else if let Some(text) = yaml.str(item).and_then(interpolate)
                && let Some(port) = parse_short_port(&text, site)
            {
                published.push(port);
            }
        }
        published
    }
}

/// `[IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]`, IPv6 addresses in brackets.
fn parse_short_port(text: &str, site: Range<usize>) -> Option<PublishedPort> {
    let (spec, protocol) = text.trim().rsplit_once('/').unwrap_or((text.trim(), "tcp"));
    let (host_ip, rest) = if let Some(after) = spec.strip_prefix('[') {
        let (ip, rest) = after.split_once(']')?;
        (Some(ip.to_owned()), rest.trim_start_matches(':'))
    } else {
        let parts: Vec<&str> = spec.split(':').collect();
        match parts.len() {
            1 | 2 => (None, spec),
            3 => (
                Some(parts[0].to_owned()).filter(|ip| !ip.is_empty()),
                &spec[parts[0].len() + 1..],
            ),
            _ => return None,
        }
    };
    let container = rest.rsplit(':').next()?;
    Some(PublishedPort {
        container: parse_range(container)?,
        host_ip,
        protocol: protocol.to_ascii_lowercase(),
        site,
    })
}

/// Compose interpolation as it will be at `docker compose up` when the variables are not set:
/// `${VAR:-default}` and `${VAR-default}` give their default, `$$` is a dollar sign. A variable
/// without a default (`$VAR`, `${VAR}`, `${VAR:?error}`) makes the value unknown: `None`.
pub fn interpolate(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(escaped) = after.strip_prefix('$') {
            out.push('$');
            rest = escaped;
        } else if let Some(braced) = after.strip_prefix('{') {
            let close = braced.find('}')?;
            let inner = &braced[..close];
            let name_len = inner
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(inner.len());
            let modifier = &inner[name_len..];
            let default = modifier
                .strip_prefix(":-")
                .or_else(|| modifier.strip_prefix('-'))?;
            out.push_str(default);
            rest = &braced[close + 1..];
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return None;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation() {
        assert_eq!(
            interpolate("${IMAGE:-app:latest}").as_deref(),
            Some("app:latest")
        );
        assert_eq!(
            interpolate("registry/${NAME-api}:${TAG:-1.0}").as_deref(),
            Some("registry/api:1.0")
        );
        assert_eq!(interpolate("$$HOME").as_deref(), Some("$HOME"));
        assert_eq!(interpolate("${TAG}"), None);
        assert_eq!(interpolate("$TAG"), None);
        assert_eq!(interpolate("${TAG:?set TAG}"), None);
        assert_eq!(interpolate("plain").as_deref(), Some("plain"));
    }

    #[test]
    fn short_port_syntax() {
        let port = |text: &str| {
            parse_short_port(text, 0..0).map(|p| {
                (
                    p.container,
                    p.host_ip.clone(),
                    p.protocol.clone(),
                    p.is_public(),
                )
            })
        };
        assert_eq!(port("5432"), Some(((5432, 5432), None, "tcp".into(), true)));
        assert_eq!(
            port("15432:5432"),
            Some(((5432, 5432), None, "tcp".into(), true))
        );
        assert_eq!(
            port("127.0.0.1:5432:5432"),
            Some(((5432, 5432), Some("127.0.0.1".into()), "tcp".into(), false))
        );
        assert_eq!(
            port("[::1]:5432:5432"),
            Some(((5432, 5432), Some("::1".into()), "tcp".into(), false))
        );
        assert_eq!(
            port("0.0.0.0:2222:22/tcp"),
            Some(((22, 22), Some("0.0.0.0".into()), "tcp".into(), true))
        );
        assert_eq!(
            port("5000-5010:5000-5010/udp"),
            Some(((5000, 5010), None, "udp".into(), true))
        );
        assert_eq!(port(":8080:80"), Some(((80, 80), None, "tcp".into(), true)));
        assert_eq!(port("nonsense"), None);
    }
}
