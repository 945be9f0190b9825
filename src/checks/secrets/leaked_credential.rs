//! SEC001: a credential of a known provider format, anywhere in any file.

use crate::checks::secrets::SecretFile;
use crate::checks::{Check, Hit};
use crate::secrets::mask;
use crate::secrets::scan::Source;

pub const CHECK: Check = Check::secrets(RULE, check);
const RULE: &str = "SEC001";

fn check(file: &SecretFile<'_>, hits: &mut Vec<Hit>) {
    for secret in file.secrets() {
        let Source::Detector(detector) = secret.source else {
            continue;
        };
        let masked = mask(&file.text[secret.range.clone()]);
        let message = format!(
            "Committed {} (`{masked}`), found by detector `{}`",
            detector.title, detector.id
        );
        let mut hit =
            Hit::new(RULE, secret.site.clone(), message).with_secret(secret.range.clone());
        hit.severity = Some(detector.severity);
        hit.detector = Some(detector.id.as_str());
        hit.in_test_code = secret.in_test_code;
        hits.push(hit);
    }
}
