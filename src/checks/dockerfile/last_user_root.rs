//! DKR001: the final image runs as root.
//!
//! Only the final stage decides, but it inherits `USER` from the stages it is built on
//! (`FROM build`); see [`Dockerfile::runs_as`].

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, RootCause, RunsAs};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR001";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    let Some(last) = dockerfile.final_stage() else {
        return;
    };
    let RunsAs::Root { instruction, cause } = dockerfile.runs_as(last) else {
        return;
    };
    let message = match &cause {
        RootCause::User {
            value,
            inherited_from,
        } => {
            let inherited = inherited_from
                .as_ref()
                .map(|stage| format!(", inherited by the final stage from stage `{stage}`"))
                .unwrap_or_default();
            format!("the final image runs as root (`USER {value}`{inherited})")
        }
        RootCause::NeverSet { image } => {
            format!("the final stage never sets USER, so containers from `{image}` run as root")
        }
    };
    hits.push(Hit::new(
        RULE,
        dockerfile.instruction_span(&dockerfile.instructions[instruction]),
        message,
    ));
}

#[cfg(test)]
mod tests {
    use crate::formats::dockerfile::is_root_user;

    #[test]
    fn root_users() {
        for user in ["root", "0", "00", "root:root", "0:1000", " root "] {
            assert!(is_root_user(user), "{user}");
        }
        for user in ["node", "1000", "1000:0", "rooty", "10", ""] {
            assert!(!is_root_user(user), "{user}");
        }
    }
}
