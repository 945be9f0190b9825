//! DKR004: a secret written into `ENV` or `ARG`.
//!
//! Both end up in the image: `ENV` in its configuration, `ARG` values in its build history, and
//! both in the repository. A value is reported when it matches a known token format whatever its
//! name, or when its name is secret-like and it is a real literal (not `$VAR`, not a placeholder,
//! not a `*_FILE` path to a mounted secret). The value is masked in the message and in every
//! snippet of the file.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction};
use crate::secrets;

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR004";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        let keyword = match instruction {
            Instruction::Env(_) => "ENV",
            Instruction::Arg(_) => "ARG",
            _ => continue,
        };
        for pair in dockerfile.key_values(index) {
            let Some(value) = &pair.value else {
                continue;
            };
            let Some(secret) = secrets::assigned_secret(&pair.key, value) else {
                continue;
            };
            let raw = &dockerfile.text[pair.value_span.clone()];
            let span = secrets::locate(raw, pair.value_span.clone(), value, secret.range);
            let message = format!("{keyword} `{}` {}", pair.key, secret.description);
            hits.push(Hit::new(RULE, span.clone(), message).with_secret(span));
        }
    }
}
