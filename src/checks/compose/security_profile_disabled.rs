//! CMP011: `security_opt` turning off seccomp, AppArmor or SELinux confinement, or allowing
//! privilege escalation.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP011";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    let yaml = compose.yaml;
    for service in &compose.services {
        let Some(options) = yaml.get(service.node, "security_opt") else {
            continue;
        };
        for &option in yaml.items(options.value) {
            let Some(text) = yaml.str(option) else {
                continue;
            };
            let normalized = text.trim().to_ascii_lowercase().replacen('=', ":", 1);
            let disabled = matches!(
                normalized.as_str(),
                "seccomp:unconfined"
                    | "apparmor:unconfined"
                    | "label:disable"
                    | "systempaths:unconfined"
                    | "no-new-privileges:false"
            );
            if disabled {
                hits.push(Hit::new(
                    RULE,
                    yaml.span(option),
                    format!("service `{}` sets `{text}`", service.name),
                ));
            }
        }
    }
}
