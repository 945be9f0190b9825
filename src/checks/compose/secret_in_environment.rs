//! CMP004: a secret written into a service's `environment` (map or list form).
//!
//! `${VAR}` references pass (the value comes from the shell or `.env`); a default
//! (`${DB_PASSWORD:-hunter2}`) is a value like any other. `*_FILE` variables pointing at mounted
//! secrets pass by their name.

use crate::checks::{Check, Hit};
use crate::formats::compose::{ComposeFile, interpolate};
use crate::formats::yaml::NodeKind;
use crate::secrets;

pub const CHECK: Check = Check::compose(RULE, check);
const RULE: &str = "CMP004";

fn check(compose: &ComposeFile<'_>, hits: &mut Vec<Hit>) {
    let yaml = compose.yaml;
    for service in &compose.services {
        let Some(environment) = yaml.get(service.node, "environment") else {
            continue;
        };
        // (name, value, site of the entry, span of the value)
        let mut variables = Vec::new();
        for (name, entry) in yaml.keys(environment.value) {
            if let Some(value) = yaml.str(entry.value) {
                variables.push((
                    name,
                    value.to_owned(),
                    compose.site(entry),
                    yaml.span(entry.value),
                ));
            }
        }
        for &item in yaml.items(environment.value) {
            let NodeKind::Scalar { value, plain } = &yaml.node(item).kind else {
                continue;
            };
            let Some((name, assigned)) = value.split_once('=') else {
                continue;
            };
            let span = yaml.span(item);
            let quote = usize::from(!plain);
            let start = span.start + quote + name.len() + 1;
            let value_span =
                start.min(span.end)..span.end.saturating_sub(quote).max(start.min(span.end));
            variables.push((
                name.trim().to_owned(),
                assigned.to_owned(),
                span,
                value_span,
            ));
        }
        for (name, raw, site, value_span) in variables {
            let Some(value) = interpolate(&raw) else {
                continue;
            };
            let message = if let Some((format, range)) = secrets::find_token(&value) {
                format!(
                    "environment `{name}` of service `{}` holds a {format} (`{}`)",
                    service.name,
                    secrets::mask(&value[range])
                )
            } else if secrets::is_secret_name(&name) && secrets::is_literal_secret_value(&value) {
                format!(
                    "environment `{name}` of service `{}` is set to a hardcoded secret (`{}`)",
                    service.name,
                    secrets::mask(&value)
                )
            } else {
                continue;
            };
            // Mask exactly the value (the default of `${VAR:-value}`), not the text around it.
            let secret = match raw.find(value.as_str()) {
                Some(offset) if !value.is_empty() && value_span.len() >= raw.len() => {
                    let start = value_span.start + (value_span.len() - raw.len()) / 2 + offset;
                    start..start + value.len()
                }
                _ => value_span,
            };
            hits.push(Hit::new(RULE, site, message).with_secret(secret));
        }
    }
}
