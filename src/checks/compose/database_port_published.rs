//! CMP005: a database port published on every interface, or a database on the host network.
//!
//! Ports bound to `127.0.0.1` or `::1` are reachable only from the machine itself and pass.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;
use crate::ports;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP005";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        for port in compose.published_ports(service) {
            if !port.is_public() || port.protocol != "tcp" {
                continue;
            }
            if let Some((number, database)) =
                ports::database_in_range(port.container.0, port.container.1)
            {
                hits.push(Hit::new(
                    RULE,
                    port.site.clone(),
                    format!(
                        "service `{}` publishes {database} port {number} on every interface",
                        service.name
                    ),
                ));
            }
        }
        let Some((_, image)) = compose.setting(service, "image") else {
            continue;
        };
        if let Some(database) = ports::database_image(&image)
            && let Some((entry, mode)) = compose.setting(service, "network_mode")
            && mode == "host"
        {
            hits.push(Hit::new(
                RULE,
                compose.site(entry),
                format!("{database} service `{}` uses the host's network, so its port is open on every interface", service.name),
            ));
        }
    }
}
