//! DKR012: `apt-get install` without `--no-install-recommends`.
//!
//! Recommended packages are not needed to run the software, but they enlarge the image and its
//! attack surface. Only stages that reach the final image count.

use crate::checks::dockerfile::shell;
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::Dockerfile;

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR012";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for stage in dockerfile.stages.iter().filter(|s| s.reaches_final_image) {
        for index in stage.body.clone() {
            for script in dockerfile.run_scripts(index) {
                for command in shell::commands(&script.text) {
                    if command.runs(&["apt-get", "apt"], "install")
                        && !command.has_word(disables_recommends)
                    {
                        hits.push(Hit::new(
                            RULE,
                            script.file_span(command.span()),
                            "apt installs recommended packages too; add `--no-install-recommends`",
                        ));
                    }
                }
            }
        }
    }
}

fn disables_recommends(word: &str) -> bool {
    let word = word.trim_matches(|c| c == '"' || c == '\'');
    word == "--no-install-recommends"
        || word
            .strip_prefix("APT::Install-Recommends=")
            .is_some_and(|value| matches!(value, "false" | "0" | "no"))
}
