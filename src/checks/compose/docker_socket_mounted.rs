//! CMP007: the Docker (or containerd, Podman) socket mounted into a service: whoever controls the
//! service controls the host's container engine, which is root on the host.

use crate::checks::{Check, Hit};
use crate::formats::compose::{ComposeFile, interpolate};

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP007";

const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "podman.sock", "crio.sock"];

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    let yaml = compose.yaml;
    for service in &compose.services {
        let Some(volumes) = yaml.get(service.node, "volumes") else {
            continue;
        };
        for &volume in yaml.items(volumes.value) {
            let source = if yaml.is_mapping(volume) {
                yaml.get(volume, "source")
                    .and_then(|e| yaml.str(e.value))
                    .map(str::to_owned)
            } else {
                yaml.str(volume)
                    .and_then(interpolate)
                    .map(|v| v.split(':').next().unwrap_or("").to_owned())
            };
            if let Some(source) =
                source.filter(|s| SOCKETS.iter().any(|socket| s.ends_with(socket)))
            {
                hits.push(Hit::new(
                    RULE,
                    yaml.span(volume),
                    format!(
                        "service `{}` mounts the container engine socket `{source}`",
                        service.name
                    ),
                ));
            }
        }
    }
}
