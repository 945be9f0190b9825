//! CMP015: a compose service without a memory limit (`deploy.resources.limits.memory` or
//! `mem_limit`): a leak or a burst of load in one service takes the host's memory, and the
//! kernel's out-of-memory killer picks a victim among every service on it.
//!
//! A service that neither names an image nor builds one is the part of an override file that
//! adds to a service defined elsewhere, and one that `extends` another takes its limits from
//! it: both are left out.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP015";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    let yaml = compose.yaml;
    for service in &compose.services {
        let node = service.node;
        let defined_here = yaml.get(node, "image").is_some() || yaml.get(node, "build").is_some();
        if !defined_here || yaml.get(node, "extends").is_some() {
            continue;
        }
        let limited = yaml.get(node, "mem_limit").is_some()
            || yaml
                .get(node, "deploy")
                .and_then(|deploy| yaml.get(deploy.value, "resources"))
                .and_then(|resources| yaml.get(resources.value, "limits"))
                .and_then(|limits| yaml.get(limits.value, "memory"))
                .is_some();
        if !limited {
            hits.push(Hit::new(
                RULE,
                yaml.span(service.key),
                format!(
                    "service `{}` has no memory limit (`deploy.resources.limits.memory` or `mem_limit`)",
                    service.name
                ),
            ));
        }
    }
}
