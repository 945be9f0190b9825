//! CMP004: a secret written into a service's `environment` (map or list form).
//!
//! `${VAR}` references pass (the value comes from the shell or `.env`); a default
//! (`${DB_PASSWORD:-hunter2}`) is a value like any other. `*_FILE` variables pointing at mounted
//! secrets pass by their name.

use std::ops::Range;

use crate::checks::{Check, Hit};
use crate::formats::compose::{ComposeFile, interpolate};
use crate::secrets;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP004";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    let yaml = compose.yaml;
    for service in &compose.services {
        let Some(environment) = yaml.get(service.node, "environment") else {
            continue;
        };
        // Each variable is judged as it is met: an environment can hold a variable per line of
        // a large file, and nothing is gained by collecting them first.
        let mut judge = |name: &str,
                         raw: &str,
                         site: Range<usize>,
                         raw_span: Option<Range<usize>>,
                         fallback: Range<usize>| {
            // The value `docker compose up` uses when no variable is set.
            let Some(value) = interpolate(raw) else {
                return;
            };
            let Some(secret) = secrets::assigned_secret(name, &value) else {
                return;
            };
            let message = format!(
                "environment `{name}` of service `{}` {}",
                service.name, secret.description
            );
            // Mask exactly the value (the default of `${VAR:-value}`), not the text around it.
            let span = raw_span.map_or(fallback, |raw_span| {
                secrets::locate(raw, raw_span, &value, secret.range)
            });
            hits.push(Hit::new(RULE, site, message).with_secret(span));
        };
        for (name, entry) in yaml.keys(environment.value) {
            if let Some(value) = yaml.str(entry.value) {
                judge(
                    &name,
                    value,
                    compose.site(entry),
                    yaml.content_span(entry.value),
                    yaml.span(entry.value),
                );
            }
        }
        for &item in yaml.items(environment.value) {
            let Some((name, assigned)) = yaml.str(item).and_then(|text| text.split_once('='))
            else {
                continue;
            };
            let item_id = yaml.resolve(item);
            let raw_span = yaml
                .content_span(item_id)
                .map(|content| content.start + name.len() + 1..content.end);
            let span = yaml.span(item_id);
            judge(name.trim(), assigned, span.clone(), raw_span, span);
        }
    }
}
