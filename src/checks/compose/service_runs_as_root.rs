//! CMP001: a service that runs as root: set to (`user: root`, `"0"`, `"0:…"`, `root:…`), or, with
//! no `user:` of its own, built (`build:`) from a Dockerfile whose image runs as root. The second
//! is reported at the service and points at the Dockerfile's line (a related location), where
//! DKR001 reports it too.

use crate::checks::{Check, Hit};
use crate::formats::compose::ComposeFile;
use crate::formats::dockerfile::{BuiltUser, is_root_user};

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP001";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    for (service, built) in compose.services.iter().zip(&compose.built) {
        if let Some((entry, user)) = compose.setting(service, "user") {
            if is_root_user(&user) {
                hits.push(Hit::new(
                    RULE,
                    compose.site(entry),
                    format!("service `{}` runs as root (`user: {user}`)", service.name),
                ));
            }
            continue;
        }
        // An explicit `user:` that cannot be resolved (a variable without default) is not
        // ours to guess; without one, the image's own user applies.
        if compose.yaml.get(service.node, "user").is_some() {
            continue;
        }
        let Some(built) = built else {
            continue;
        };
        if let BuiltUser::Root { at, cause } = &built.user {
            let mut hit = Hit::new(
                RULE,
                compose.service_site(service),
                format!(
                    "service `{}` runs as root: it sets no `user:` and its image, built from `{}`, runs as root ({cause}, line {})",
                    service.name, built.dockerfile, at.line
                ),
            );
            hit.related.push(at.clone());
            hits.push(hit);
        }
    }
}
