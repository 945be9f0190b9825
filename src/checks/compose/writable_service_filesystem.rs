//! CMP013: the service's root filesystem is writable (`read_only` is not true).

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP013";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        match compose.yaml.get(service.node, "read_only") {
            Some(entry) if compose.yaml.as_bool(entry.value) == Some(true) => {}
            Some(entry) => hits.push(Hit::new(
                RULE,
                compose.site(entry),
                format!("service `{}` has a writable root filesystem", service.name),
            )),
            None => hits.push(Hit::new(
                RULE,
                compose.service_site(service),
                format!("service `{}` does not set `read_only: true`", service.name),
            )),
        }
    }
}
