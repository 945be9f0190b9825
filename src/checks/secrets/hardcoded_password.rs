//! SEC002: a literal assigned to a secret-like name, in the syntax of the file's language.

use crate::checks::secrets::SecretFile;
use crate::checks::{Check, Hit};
use crate::secrets::mask;
use crate::secrets::scan::Source;

pub const CHECK: Check = Check::secrets(RULE, check);
const RULE: &str = "SEC002";
/// The detector id of secrets found by their name rather than their format.
pub const ASSIGNMENT_DETECTOR: &str = "secret-assignment";

fn check(file: &SecretFile<'_>, hits: &mut Vec<Hit>) {
    for secret in file.secrets() {
        let (Source::Assignment, Some(name)) = (secret.source, &secret.name) else {
            continue;
        };
        let masked = mask(&file.text[secret.range.clone()]);
        let message = format!("`{name}` is assigned a hardcoded secret (`{masked}`)");
        let mut hit =
            Hit::new(RULE, secret.site.clone(), message).with_secret(secret.range.clone());
        hit.detector = Some(ASSIGNMENT_DETECTOR);
        hit.in_test_code = secret.in_test_code;
        hits.push(hit);
    }
}
