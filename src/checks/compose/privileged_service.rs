//! CMP002: `privileged: true`: root on the host, with every device and capability.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP002";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        if let Some(entry) = compose.yaml.get(service.node, "privileged")
            && compose.yaml.as_bool(entry.value) == Some(true)
        {
            hits.push(Hit::new(
                RULE,
                compose.site(entry),
                format!("service `{}` runs privileged", service.name),
            ));
        }
    }
}
