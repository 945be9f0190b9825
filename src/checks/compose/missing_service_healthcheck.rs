//! CMP014: a service without a `healthcheck`.
//!
//! `healthcheck: {disable: true}` is an explicit decision and passes, and so does a service built
//! (`build:`) from a Dockerfile that declares a `HEALTHCHECK`. An image pulled from a registry
//! may define one of its own, which the repository cannot show: hence info severity.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP014";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for (service, built) in compose.services.iter().zip(&compose.built) {
        let image_has_one = built.as_ref().is_some_and(|built| built.healthcheck);
        if compose.yaml.get(service.node, "healthcheck").is_none() && !image_has_one {
            hits.push(Hit::new(
                RULE,
                compose.service_site(service),
                format!("service `{}` has no healthcheck", service.name),
            ));
        }
    }
}
