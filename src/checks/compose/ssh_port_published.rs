//! CMP006: the container's SSH port (22) published, on any interface but loopback.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;
use crate::ports::SSH;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP006";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        for port in compose.published_ports(service) {
            let (low, high) = port.container;
            if port.is_public() && port.protocol == "tcp" && (low..=high).contains(&SSH) {
                hits.push(Hit::new(
                    RULE,
                    port.site.clone(),
                    format!(
                        "service `{}` publishes SSH (container port 22)",
                        service.name
                    ),
                ));
            }
        }
    }
}
