//! CMP014: a service without a `healthcheck`.
//!
//! `healthcheck: {disable: true}` is an explicit decision and passes. The image may define a
//! `HEALTHCHECK` of its own, which a compose file cannot show: hence info severity.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP014";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        if compose.yaml.get(service.node, "healthcheck").is_none() {
            hits.push(Hit::new(
                RULE,
                compose.service_site(service),
                format!("service `{}` has no healthcheck", service.name),
            ));
        }
    }
}
