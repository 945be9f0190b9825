//! CMP012: the service shares the host's process, IPC or network namespace.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP012";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        for (key, namespace) in [
            ("pid", "process"),
            ("ipc", "IPC"),
            ("network_mode", "network"),
        ] {
            if let Some((entry, mode)) = compose.setting(service, key)
                && mode.trim() == "host"
            {
                hits.push(Hit::new(
                    RULE,
                    compose.site(entry),
                    format!(
                        "service `{}` shares the host's {namespace} namespace",
                        service.name
                    ),
                ));
            }
        }
    }
}
