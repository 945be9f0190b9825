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
            let Some(secret) = secrets::assigned_secret(name, text) else {
                continue;
            };
            let message = format!(
                "env `{name}` of {} {}",
                describe(resource, container),
                secret.description
            );
            let span = match yaml.content_span(value.value) {
                Some(content) => {
                    content.start + secret.range.start..content.start + secret.range.end
                }
                None => yaml.span(value.value),
            };
            hits.push(Hit::new(RULE, manifests.site(value), message).with_secret(span));
        }
    });
}
