//! Just enough shell to find commands in `RUN` scripts: split on `&&`, `||`, `;`, `|`, `&` and
//! newlines, then into words. Quoting is not interpreted; the rules that use this look for
//! command names and flags, which quoting does not change in practice.

use std::ops::Range;

/// One simple command of a script.
pub struct Command<'a> {
    /// Words with their byte offsets in the script.
    pub words: Vec<(usize, &'a str)>,
}

impl<'a> Command<'a> {
    /// The words after leading `VAR=value` assignments and a leading `sudo`/`env` wrapper.
    pub fn program_words(&self) -> &[(usize, &'a str)] {
        let mut start = 0;
        while let Some(&(_, word)) = self.words.get(start) {
            if is_assignment(word)
                || word == "sudo"
                || word == "env"
                || word.starts_with('-') && start > 0
            {
                start += 1;
            } else {
                break;
            }
        }
        &self.words[start..]
    }

    /// Whether the command runs `program` (e.g. `apt-get`) with `subcommand` (e.g. `install`).
    pub fn runs(&self, programs: &[&str], subcommand: &str) -> bool {
        let words = self.program_words();
        words.first().is_some_and(|&(_, w)| programs.contains(&w))
            && words
                .iter()
                .skip(1)
                .find(|(_, w)| !w.starts_with('-'))
                .is_some_and(|&(_, w)| w == subcommand)
    }

    pub fn has_word(&self, predicate: impl Fn(&str) -> bool) -> bool {
        self.words.iter().any(|&(_, w)| predicate(w))
    }

    /// Span (in the script) from the first word to the end of the last.
    pub fn span(&self) -> Range<usize> {
        match (self.words.first(), self.words.last()) {
            (Some(&(start, _)), Some(&(end, last))) => start..end + last.len(),
            _ => 0..0,
        }
    }
}

/// `NAME=value` before a command sets a variable for it.
pub fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// The simple commands of `script`.
pub fn commands(script: &str) -> Vec<Command<'_>> {
    let bytes = script.as_bytes();
    let mut commands = Vec::new();
    let mut words = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut index = 0;
    while index <= bytes.len() {
        let byte = bytes.get(index).copied();
        let separator = matches!(byte, None | Some(b'\n' | b';' | b'|' | b'&' | b'(' | b')'));
        let space = separator || byte.is_some_and(|b| b.is_ascii_whitespace());
        if space {
            if let Some(start) = word_start.take() {
                words.push((start, &script[start..index]));
            }
            if separator && !words.is_empty() {
                commands.push(Command {
                    words: std::mem::take(&mut words),
                });
            }
        } else if word_start.is_none() {
            word_start = Some(index);
        }
        index += 1;
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands_and_finds_programs() {
        let script = "DEBIAN_FRONTEND=noninteractive apt-get -y install curl && sudo apt-get update; ls | wc";
        let commands = commands(script);
        assert_eq!(commands.len(), 4);
        assert!(commands[0].runs(&["apt-get"], "install"));
        assert!(commands[1].runs(&["apt-get"], "update"));
        assert!(!commands[2].runs(&["apt-get"], "install"));
        let span = commands[0].span();
        assert!(script[span].starts_with("DEBIAN_FRONTEND"));
    }
}
