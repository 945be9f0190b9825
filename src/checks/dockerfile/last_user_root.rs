//! DKR001: the final image runs as root.
//!
//! Only the final stage decides, but it inherits `USER` from the stages it is built on
//! (`FROM build`), so the stage's lineage is searched, nearest stage first, last `USER` first.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, ImageRef, Instruction};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR001";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    let Some(last) = dockerfile.final_stage() else {
        return;
    };
    for stage in dockerfile.lineage(last) {
        let last_user =
            stage
                .body
                .clone()
                .rev()
                .find_map(|index| match &dockerfile.instructions[index] {
                    Instruction::User(user) => Some((index, user)),
                    _ => None,
                });
        let Some((index, user)) = last_user else {
            continue;
        };
        // A user from a build argument without a default is not ours to guess.
        if let Some(value) = dockerfile.expand_in_stage(&user.arguments.value, stage, index)
            && is_root(&value)
        {
            let inherited = if stage.index == last.index {
                String::new()
            } else {
                format!(
                    ", inherited by the final stage from stage `{}`",
                    stage.name.as_deref().unwrap_or("?")
                )
            };
            hits.push(Hit::new(
                RULE,
                dockerfile.instruction_span(&dockerfile.instructions[index]),
                format!(
                    "the final image runs as root (`USER {}`{inherited})",
                    value.trim()
                ),
            ));
        }
        return;
    }

    // No USER anywhere: the image runs as whatever its base image says, which is root unless
    // the base image is one of the well-known non-root variants.
    let Some(root_stage) = dockerfile.lineage(last).last() else {
        return;
    };
    let base = dockerfile.resolved_image(root_stage).unwrap_or_default();
    let name = ImageRef::parse(&base);
    let base_sets_user = ["nonroot", "rootless"]
        .iter()
        .any(|marker| base.contains(marker))
        || ["windows", "nanoserver", "servercore"]
            .iter()
            .any(|marker| name.name.contains(marker));
    if base_sets_user {
        return;
    }
    let Some(from) = dockerfile.from_instruction(last) else {
        return;
    };
    hits.push(Hit::new(
        RULE,
        dockerfile.instruction_span(&dockerfile.instructions[last.from]),
        format!(
            "the final stage never sets USER, so containers from `{}` run as root",
            from.image.value
        ),
    ));
}

/// `root`, `0`, `root:staff`, `0:0` (the user part decides).
fn is_root(user: &str) -> bool {
    let name = user.trim().split(':').next().unwrap_or("").trim();
    name == "root"
        || (!name.is_empty()
            && name.bytes().all(|b| b.is_ascii_digit())
            && name.trim_start_matches('0').is_empty())
}

#[cfg(test)]
mod tests {
    use super::is_root;

    #[test]
    fn root_users() {
        for user in ["root", "0", "00", "root:root", "0:1000", " root "] {
            assert!(is_root(user), "{user}");
        }
        for user in ["node", "1000", "1000:0", "rooty", "10", ""] {
            assert!(!is_root(user), "{user}");
        }
    }
}
