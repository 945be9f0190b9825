//! A file as the checks see it: its text and a line index.
//!
//! Checks work with byte spans only; lines and columns are computed here, once per reported
//! position, from a table of line starts built once per file. Columns count Unicode scalar values
//! (1-based), which is what SARIF's `unicodeCodePoints` column kind and most editors expect.

use std::ops::Range;
use std::path::PathBuf;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The position of a byte offset in `text`, for a lookup or two in a text with no
/// [`SourceFile`] (a template, a values file of a render): no line table is built and the text
/// is not copied. Offsets past the end, or inside a UTF-8 sequence, are clamped.
pub fn position_in(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text.as_bytes()[..offset];
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
    Position {
        line: memchr::memchr_iter(b'\n', before).count() + 1,
        column: text[line_start..offset].chars().count() + 1,
    }
}

/// A file's text and where each of its lines starts.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is shown to the user (relative to the working directory when possible).
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr_newlines(text.as_bytes()));
        Self {
            path,
            text,
            line_starts,
        }
    }

    /// Position of a byte offset. Offsets past the end, or inside a UTF-8 sequence, are clamped.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line_index = self.line_index(offset);
        let line_start = self.line_starts[line_index];
        Position {
            line: line_index + 1,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }

    /// Byte offset of a position (the inverse of [`SourceFile::position`]); a column past the end
    /// of its line is clamped to the line's end.
    pub fn offset(&self, position: Position) -> usize {
        let range = self.line_range(position.line);
        let line = &self.text[range.clone()];
        range.start
            + line
                .char_indices()
                .nth(position.column.saturating_sub(1))
                .map_or(line.len(), |(at, _)| at)
    }

    /// The text of the 1-based line `line`, without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let range = self.line_range(line);
        &self.text[range]
    }

    /// Byte range of the 1-based line `line`, without its line terminator.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let index = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let start = self.line_starts[index];
        let mut end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index - 1,
        }
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(PathBuf::from("f"), text.to_owned())
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let f = file("ab\nçé x\n");
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(3), Position { line: 2, column: 1 });
        // "çé " is 5 bytes but 3 characters.
        assert_eq!(f.position(8), Position { line: 2, column: 4 });
        assert_eq!(f.position(1000), Position { line: 3, column: 1 });
    }

    #[test]
    fn line_text_strips_crlf() {
        let f = file("FROM a\r\nUSER b\r\n");
        assert_eq!(f.line_text(1), "FROM a");
        assert_eq!(f.line_text(2), "USER b");
        assert_eq!(f.line_text(3), "");
        assert_eq!(f.line_text(99), "");
    }

    #[test]
    fn offsets_inside_a_character_are_clamped() {
        let f = file("é");
        assert_eq!(f.position(1), Position { line: 1, column: 1 });
    }
}
