//! K8S005: a `Secret` committed with real values.
//!
//! `data` values are base64 and decoded before they are judged; `stringData` values are plain.
//! Empty values, placeholders, template expressions and certificates (which are public) pass, and
//! so do entries whose key names what the credential is for (`username`, `host`, `apiAddress`)
//! and files of several lines (a configuration), unless they hold a provider's token or a
//! private key.

use base64::Engine as _;

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;
use crate::secrets;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S005";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in manifests.resources.iter().filter(|r| r.kind == "Secret") {
        for (field, encoded) in [("data", true), ("stringData", false)] {
            let Some(values) = yaml.get(resource.root, field) else {
                continue;
            };
            for (key, entry) in yaml.keys(values.value) {
                let Some(raw) = yaml.str(entry.value) else {
                    continue;
                };
                let decoded = if encoded {
                    decode(raw)
                } else {
                    Some(raw.to_owned())
                };
                let Some(value) = decoded else {
                    continue;
                };
                if secrets::is_non_credential_key(&key) && secrets::find_token(&value).is_none() {
                    continue;
                }
                if !is_real_secret(&value) {
                    continue;
                }
                hits.push(
                    Hit::new(
                        RULE,
                        manifests.site(entry),
                        format!(
                            "{} commits the value of `{key}` (`{}`)",
                            resource.label(),
                            secrets::mask(raw.trim())
                        ),
                    )
                    .with_secret(yaml.span(entry.value)),
                );
            }
        }
    }
}

/// Base64 (standard, padding optional, whitespace ignored) decoded to text; binary content is
/// kept as a marker that it is real data.
fn decode(raw: &str) -> Option<String> {
    let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("{{") || compact.contains("${") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&compact))
        .ok()?;
    Some(String::from_utf8(bytes).unwrap_or_else(|_| "binary secret data".to_owned()))
}

fn is_real_secret(value: &str) -> bool {
    if value.contains("PRIVATE KEY-----") {
        return true;
    }
    if value.contains("-----BEGIN CERTIFICATE") {
        return false;
    }
    // A file of several lines (a configuration, a script) is no credential itself: it commits
    // one when a provider's token is in it.
    if value
        .trim()
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count()
        > 1
    {
        return secrets::find_token(value).is_some();
    }
    secrets::find_token(value).is_some()
        || secrets::judge(value, secrets::Pairing::Declared) == secrets::Verdict::Secret
}
