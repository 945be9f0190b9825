//! Memory bounds for parsing: a file is parsed only if the tree its parser would build fits in
//! a budget proportional to its size.
//!
//! The parsers build a tree with a node per value, and a node costs far more than the bytes
//! that wrote it: `hcl-edit` spends about 400 bytes on each `${…}`, list element or attribute,
//! so a 10 MB heredoc full of `${a}` once took over a gigabyte. Before parsing, the tokens that
//! make nodes are counted in one pass over the bytes (a few milliseconds for 10 MB), each
//! weighed with what its parser was measured to spend on it, and a file whose estimate exceeds
//! [`budget`] is not parsed: it is reported as not checked, saying why, and its secrets are
//! still looked for. Real files stay far inside the budget; files written to exhaust memory
//! do not.

use std::fmt;

/// How the reason a file was not parsed begins.
const REFUSAL: &str = "too many values for its size";

/// Every file may use this much, whatever its size.
pub const FLOOR: u64 = 128 * 1024 * 1024;
/// Beyond the floor, a file may use this many times its size.
pub const PER_BYTE: u64 = 10;

/// The parsers, with the bytes each spends per token (measured with heaptrack on inputs made of
/// one token repeated, rounded up), and the bytes that start a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parser {
    /// `hcl-edit`, for `.tf` files and translated `.tf.json`.
    Hcl,
    /// Terraform JSON documents (`.tf.json`), before their translation to HCL.
    Json,
    /// YAML streams, JSON manifests included (they are read as YAML).
    Yaml,
    /// Dockerfiles: one instruction per line at most.
    Dockerfile,
}

impl Parser {
    fn cost_per_token(self) -> u64 {
        match self {
            Parser::Hcl => 450,
            Parser::Json => 460,
            Parser::Yaml => 90,
            Parser::Dockerfile => 380,
        }
    }

    fn is_token(self, byte: u8) -> bool {
        match self {
            Parser::Hcl => matches!(byte, b'=' | b'{' | b'[' | b'(' | b',' | b'.' | b'"' | b'\n'),
            Parser::Json => matches!(byte, b'{' | b'[' | b',' | b':'),
            Parser::Yaml => matches!(byte, b'\n' | b',' | b':' | b'[' | b'{'),
            Parser::Dockerfile => byte == b'\n',
        }
    }
}

/// What a file may use to be parsed.
pub fn budget(size: usize) -> u64 {
    (size as u64).saturating_mul(PER_BYTE).max(FLOOR)
}

/// Why a file was not parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverBudget {
    pub estimate: u64,
    pub budget: u64,
}

impl fmt::Display for OverBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MB: u64 = 1024 * 1024;
        write!(
            f,
            "{REFUSAL} to parse within palisade's memory bound \
             (about {} MB needed, {} MB allowed); secrets are still looked for",
            self.estimate.div_ceil(MB),
            self.budget / MB
        )
    }
}

/// What `parser` is estimated to spend on the tree of `text`.
fn estimate(parser: Parser, text: &str) -> u64 {
    let tokens = text.bytes().filter(|&b| parser.is_token(b)).count() as u64;
    tokens.saturating_mul(parser.cost_per_token())
}

/// Whether `parser` may parse `text`.
pub fn check(parser: Parser, text: &str) -> Result<(), OverBudget> {
    check_within(parser, text, budget(text.len()))
}

/// Whether `parser` may parse `text` in `budget` bytes (a part of a file, within the budget of
/// the whole).
pub fn check_within(parser: Parser, text: &str, budget: u64) -> Result<(), OverBudget> {
    // No text this short can reach the budget.
    if (text.len() as u64).saturating_mul(parser.cost_per_token()) <= budget {
        return Ok(());
    }
    let estimate = estimate(parser, text);
    if estimate <= budget {
        Ok(())
    } else {
        Err(OverBudget { estimate, budget })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_always_parsed() {
        for parser in [Parser::Hcl, Parser::Json, Parser::Yaml, Parser::Dockerfile] {
            assert!(check(parser, &"{[,=\n".repeat(10_000)).is_ok());
        }
    }

    #[test]
    fn dense_large_files_are_refused_and_ordinary_ones_are_not() {
        let heredoc = format!("x = <<EOT\n{}\nEOT\n", "${a}".repeat(2_000_000));
        let refused = check(Parser::Hcl, &heredoc).unwrap_err();
        assert!(refused.estimate > refused.budget);
        assert!(refused.to_string().contains("MB allowed"), "{refused}");
        // Prose-like content of the same size has few tokens.
        let prose = "lorem ipsum dolor sit amet ".repeat(300_000);
        assert!(check(Parser::Hcl, &prose).is_ok());
        let list = format!("[{}1]", "1,".repeat(4_000_000));
        assert!(check(Parser::Json, &list).is_err());
        assert!(check(Parser::Dockerfile, &"RUN a\n".repeat(2_000_000)).is_err());
    }

    /// The estimate never falls below what the counted tokens cost, and small files always pass.
    #[test]
    fn estimates_follow_token_counts() {
        let mut random = crate::testing::Random::new(0x9e37_79b9_7f4a_7c15);
        let alphabet: Vec<char> = "{[,=.\"(\n:a ".chars().collect();
        for round in 0..66 {
            let size = 1 << (round % 22);
            let text = random.string(&alphabet, size);
            for parser in [Parser::Hcl, Parser::Json, Parser::Yaml, Parser::Dockerfile] {
                let tokens = text.bytes().filter(|&b| parser.is_token(b)).count() as u64;
                let fits = tokens * parser.cost_per_token() <= budget(text.len());
                assert_eq!(check(parser, &text).is_ok(), fits, "{parser:?} {size}");
            }
        }
    }
}
