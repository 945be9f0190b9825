//! CMP010: `cap_add` of a capability that breaks container isolation.

use crate::capabilities;
use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP010";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    let yaml = compose.yaml;
    for service in &compose.services {
        let Some(added) = yaml.get(service.node, "cap_add") else {
            continue;
        };
        for &capability in yaml.items(added.value) {
            if let Some(name) = yaml
                .str(capability)
                .filter(|c| capabilities::is_dangerous(c))
            {
                hits.push(Hit::new(
                    RULE,
                    yaml.span(capability),
                    format!("service `{}` adds the capability `{name}`", service.name),
                ));
            }
        }
    }
}
