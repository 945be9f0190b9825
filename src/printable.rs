//! Text from the input as every output shows it: safe for a terminal, a CI log and any report.

/// Text from input made safe for a terminal or a CI log, the way `ls -b` shows file names:
/// control characters (C0, DEL, C1) become escapes (`\n`, `\t`, `\x1b`), and so do the
/// Unicode characters that reorder or break lines (bidirectional overrides and isolates, line
/// and paragraph separators), which could make a line show something else than it holds. A
/// finding can then never clear the screen, set a terminal's title, or print a second line (in a
/// CI log, a forged `::error` command). Everything else is kept as it is.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_printable(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

/// Appends `c` to `out`, escaped if it must be; returns how many characters that took.
pub(crate) fn push_printable(out: &mut String, c: char) -> usize {
    use std::fmt::Write;
    if !needs_escape(c) {
        out.push(c);
        return 1;
    }
    let before = out.len();
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if (c as u32) < 0x100 => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:04x}}}", c as u32),
    };
    // Escapes are ASCII: bytes are characters.
    out.len() - before
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}' | '\u{061c}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("plain é ✓"), "plain é ✓");
        assert_eq!(
            printable("a\u{1b}]0;PWNED\u{7}\u{1b}[2J.py"),
            "a\\x1b]0;PWNED\\x07\\x1b[2J.py"
        );
        assert_eq!(printable("x\n::error file=a::b"), "x\\n::error file=a::b");
        assert_eq!(printable("\r\t\u{7f}\u{85}"), "\\r\\t\\x7f\\x85");
        assert_eq!(printable("abc\u{202e}cba"), "abc\\u{202e}cba");
    }

    /// Whatever the input, the output holds no control or reordering character.
    #[test]
    fn nothing_unprintable_survives() {
        let mut random = crate::testing::Random::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..2_000 {
            let text: String = (0..32)
                .filter_map(|_| {
                    // Mostly the interesting low ranges, some of everything.
                    let code = match random.below(4) {
                        0 => random.below(0x100),
                        1 => 0x2000 + random.below(0x100),
                        _ => random.below(0x11_0000),
                    };
                    char::from_u32(code as u32)
                })
                .collect();
            let shown = printable(&text);
            assert!(!shown.chars().any(needs_escape), "{text:?} -> {shown:?}");
            assert!(!shown.contains('\n'));
        }
    }
}
