//! CMP001: a service set to run as root (`user: root`, `"0"`, `"0:…"`, `root:…`).

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP001";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for service in &compose.services {
        if let Some((entry, user)) = compose.setting(service, "user") {
            let name = user.split(':').next().unwrap_or("").trim();
            let root = name == "root" || (!name.is_empty() && name.bytes().all(|b| b == b'0'));
            if root {
                hits.push(Hit::new(
                    RULE,
                    compose.site(entry),
                    format!("service `{}` runs as root (`user: {user}`)", service.name),
                ));
            }
        }
    }
}
