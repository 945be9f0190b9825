//! K8S004: a secret written as a literal `env[].value`.
//!
//! Values from `valueFrom` (Secrets, ConfigMaps, fields) are what env should use for secrets; a
//! literal under a secret-like name, or a value in a known token format, is reported.

use crate::checks::kubernetes::{describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;
use crate::secrets;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S004";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, _, container| {
        let Some(env) = yaml.get(container.node, "env") else {
            return;
        };
        for &item in yaml.items(env.value) {
            let (Some(name), Some(value)) = (
                yaml.get(item, "name").and_then(|e| yaml.str(e.value)),
                yaml.get(item, "value"),
            ) else {
                continue;
            };
            let Some(text) = yaml.str(value.value) else {
                continue;
            };
            let span = yaml.span(value.value);
            let message = if let Some((format, range)) = secrets::find_token(text) {
                format!(
                    "env `{name}` of {} holds a {format} (`{}`)",
                    describe(resource, container),
                    secrets::mask(&text[range])
                )
            } else if secrets::is_secret_name(name) && secrets::is_literal_secret_value(text) {
                format!(
                    "env `{name}` of {} is set to a hardcoded secret (`{}`)",
                    describe(resource, container),
                    secrets::mask(text)
                )
            } else {
                continue;
            };
            hits.push(Hit::new(RULE, manifests.site(value), message).with_secret(span));
        }
    });
}
