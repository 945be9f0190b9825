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
            let raw = &dockerfile.text[pair.value_span.clone()];
            if let Some((format, range)) = secrets::find_token(raw) {
                let span = pair.value_span.start + range.start..pair.value_span.start + range.end;
                let masked = secrets::mask(&raw[range]);
                hits.push(
                    Hit::new(
                        RULE,
                        span.clone(),
                        format!("{keyword} `{}` holds a {format} (`{masked}`)", pair.key),
                    )
                    .with_secret(span),
                );
            } else if secrets::is_secret_name(&pair.key) && secrets::is_literal_secret_value(value)
            {
                let masked = secrets::mask(value);
                hits.push(
                    Hit::new(
                        RULE,
                        pair.value_span.clone(),
                        format!(
                            "{keyword} `{}` is set to a hardcoded secret (`{masked}`)",
                            pair.key
                        ),
                    )
                    .with_secret(unquoted(raw, pair.value_span.clone())),
                );
            }
        }
    }
}

/// The span of a quoted value without its quotes, so snippets mask exactly what the message does.
fn unquoted(raw: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let quoted = raw.len() >= 2
        && (raw.starts_with('"') && raw.ends_with('"')
            || raw.starts_with('\'') && raw.ends_with('\''));
    if quoted {
        span.start + 1..span.end - 1
    } else {
        span
    }
}
