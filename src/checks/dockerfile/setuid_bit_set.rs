//! DKR019: a `RUN chmod` that sets the setuid or setgid bit (`u+s`, `g+s`, `+s`, `4755`,
//! `2755`). A setuid-root program in the image is a way from any user of the container back to
//! root, the step `USER` was meant to take away.

use crate::checks::dockerfile::shell;
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR019";

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for stage in dockerfile.stages.iter().filter(|s| s.reaches_final_image) {
        for index in stage.body.clone() {
            if !matches!(dockerfile.instructions[index], Instruction::Run(_)) {
                continue;
            }
            for script in dockerfile.run_scripts(index) {
                for command in shell::commands(&script.text) {
                    let words = command.program_words();
                    if words.first().map(|&(_, w)| w) != Some("chmod") {
                        continue;
                    }
                    let Some(&(at, mode)) = words
                        .iter()
                        .skip(1)
                        .find(|(_, w)| !w.starts_with('-') || is_symbolic(w))
                    else {
                        continue;
                    };
                    if sets_special_bit(mode) {
                        hits.push(Hit::new(
                            RULE,
                            script.file_span(at..at + mode.len()),
                            format!(
                                "`chmod {mode}` sets the setuid or setgid bit: a program that runs as its owner whoever starts it"
                            ),
                        ));
                    }
                }
            }
        }
    }
}

/// A symbolic mode that starts with `-` (`-x`) is a mode, not an option.
fn is_symbolic(word: &str) -> bool {
    word.len() > 1 && word[1..].chars().all(|c| "rwxXstugoa".contains(c))
}

/// `u+s`, `g+s`, `+s`, `a+rs`, `u=rwxs` (clauses separated by commas), or an octal mode whose
/// fourth-from-last digit has the 4 (setuid) or 2 (setgid) bit.
fn sets_special_bit(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| b.is_ascii_digit()) {
        return mode.len() >= 4
            && u32::from_str_radix(mode, 8).is_ok_and(|value| value & 0o6000 != 0);
    }
    mode.split(',').any(|clause| {
        let Some(operator) = clause.find(['+', '=']) else {
            return false;
        };
        let who = &clause[..operator];
        let perms = &clause[operator + 1..];
        // `o+s` sets nothing (the sticky bit is `t`).
        perms.contains('s') && who.chars().all(|c| "ugao".contains(c)) && who != "o"
    })
}

#[cfg(test)]
mod tests {
    use super::sets_special_bit;

    #[test]
    fn special_bits() {
        for mode in [
            "u+s",
            "g+s",
            "+s",
            "a+rs",
            "u=rwxs,go=rx",
            "ug+s",
            "4755",
            "2755",
            "6711",
        ] {
            assert!(sets_special_bit(mode), "{mode}");
        }
        for mode in [
            "755", "0755", "1777", "+t", "o+s", "u+x", "-s", "a-s", "u-s,g+x", "go+rx",
        ] {
            assert!(!sets_special_bit(mode), "{mode}");
        }
    }
}
