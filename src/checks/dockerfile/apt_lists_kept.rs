//! DKR013: `apt-get update` whose package lists stay in the image.
//!
//! The lists (tens of MB) are only useful at build time, and deleting them in a later `RUN`
//! does not shrink the earlier layer, so they must go in the same `RUN` (`rm`, `find … -delete`
//! or `apt-get distclean`). A cache mount on
//! `/var/lib/apt` keeps them out of the layer too. Only stages that reach the final image count.

use crate::checks::dockerfile::shell;
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR013";
const LISTS: &str = "/var/lib/apt/lists";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for stage in dockerfile.stages.iter().filter(|s| s.reaches_final_image) {
        for index in stage.body.clone() {
            let Instruction::Run(run) = &dockerfile.instructions[index] else {
                continue;
            };
            let cached = run.options.iter().any(|flag| {
                flag.name.value == "mount"
                    && flag.value.as_ref().is_some_and(|v| {
                        v.value.contains("type=cache") && v.value.contains("/var/lib/apt")
                    })
            });
            let scripts = dockerfile.run_scripts(index);
            if cached || scripts.iter().any(|script| removes_lists(&script.text)) {
                continue;
            }
            for script in scripts {
                for command in shell::commands(&script.text) {
                    if command.runs(&["apt-get", "apt"], "update") {
                        hits.push(Hit::new(
                            RULE,
                            script.file_span(command.span()),
                            format!("apt package lists are left in the layer; remove `{LISTS}/*` in the same RUN"),
                        ));
                    }
                }
            }
        }
    }
}

/// `rm -rf /var/lib/apt/lists/*`, `find /var/lib/apt/lists -type f -delete`, or apt 3's
/// `apt-get distclean`, which removes the lists itself.
fn removes_lists(script: &str) -> bool {
    shell::commands(script).iter().any(|command| {
        let program = command.program_words().first().map(|&(_, w)| w);
        let deletes_lists = matches!(program, Some("rm" | "find" | "unlink"))
            && command.has_word(|w| w.contains(LISTS));
        deletes_lists || command.runs(&["apt-get", "apt"], "distclean")
    })
}
