//! The outline of an HCL file: where each top-level item (a block or an attribute) starts and
//! ends, and the header that names it, found in one pass over the bytes without building a tree.
//!
//! Why: `hcl-edit`'s tree of a file costs about thirty times the file's size, and a rule only
//! ever looks at one top-level block at a time. A Terraform module therefore keeps its files as
//! text and this outline, and parses one item at a time (see [`super::terraform`]), so that what
//! a file costs beyond its text is bounded by its largest block, not by its length.
//!
//! The scan knows just enough of HCL's lexical structure to never mistake a newline or a
//! bracket inside something else for the end of an item: quoted templates with their escapes
//! (`\"`, `$${`, `%%{`) and interpolations (`${ … }`, `%{ … }`, which may hold strings and
//! objects of their own), heredocs (`<<EOT`, `<<-EOT`), comments (`#`, `//`, `/* … */`) and
//! nested brackets. An item ends at the first newline outside all of these. Nesting is kept on
//! an explicit stack, so no input can exhaust the call stack, and every byte is looked at a
//! bounded number of times. Text that is not valid HCL still gets an outline; parsing the item
//! then says what is wrong and where.

use std::ops::Range;

/// One top-level item of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// From its first byte to its last (a block's closing brace, an attribute's value), in the
    /// file's text.
    pub span: Range<usize>,
    pub header: Header,
}

/// What an item's first tokens say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    /// `resource "aws_db_instance" "main" {`: the identifier and the labels, unquoted.
    Block { ident: String, labels: Vec<String> },
    /// `name = …`.
    Attribute { key: String },
    /// Neither: the item does not parse.
    Unknown,
}

/// What the bytes being scanned are inside of.
enum Frame {
    /// A bracket (`{`, `[`, `(`) or an interpolation or directive (`${`, `%{`), closed by the next
    /// closing bracket at its level.
    Nested,
    /// The literal part of a quoted template.
    Quoted,
    /// A heredoc's lines, up to the line that holds only its marker.
    Heredoc { marker: Range<usize> },
}

/// The top-level items of an HCL file, in order.
pub fn outline(text: &str) -> Vec<Item> {
    let bytes = text.as_bytes();
    let mut items = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    // The item being read: where it started and where its last significant byte ends.
    let mut current: Option<(usize, usize)> = None;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let inside = !stack.is_empty();
        match stack.last() {
            Some(Frame::Quoted) if !matches!(byte, b'\\' | b'"' | b'$' | b'%' | b'\n') => {
                at = skip_plain(bytes, at, |b| {
                    matches!(b, b'\\' | b'"' | b'$' | b'%' | b'\n')
                });
            }
            Some(Frame::Quoted) => {
                at = match (byte, bytes.get(at + 1), bytes.get(at + 2)) {
                    (b'\\', _, _) => at + 2,
                    (b'"', _, _) => {
                        stack.pop();
                        at + 1
                    }
                    (b'$', Some(b'$'), Some(b'{')) | (b'%', Some(b'%'), Some(b'{')) => at + 3,
                    (b'$' | b'%', Some(b'{'), _) => {
                        stack.push(Frame::Nested);
                        at + 2
                    }
                    // A quoted template cannot span lines: the string is unterminated, and the
                    // newline is read where the string began.
                    (b'\n', _, _) => {
                        stack.pop();
                        at
                    }
                    _ => at + 1,
                };
            }
            Some(Frame::Heredoc { marker }) => {
                let end = line_end(bytes, at);
                let closes = text[at..end].trim() == &text[marker.clone()];
                if closes {
                    stack.pop();
                    at = end;
                } else {
                    at = (end + 1).min(bytes.len());
                }
            }
            // Inside brackets only what opens or closes something matters, newlines included.
            Some(Frame::Nested) if !OPENS_OR_CLOSES[usize::from(byte)] => {
                at = skip_plain(bytes, at, |b| OPENS_OR_CLOSES[usize::from(b)]);
            }
            None | Some(Frame::Nested) if matches!(byte, b' ' | b'\t' | b'\r') => {
                at = skip_plain(bytes, at, |b| !matches!(b, b' ' | b'\t' | b'\r'));
            }
            // Identifiers, numbers, operators: nothing that opens or closes anything.
            None | Some(Frame::Nested) if is_plain(byte) => {
                let start = at;
                at = skip_plain(bytes, at, |b| !is_plain(b));
                let (first, _) = current.unwrap_or((start, at));
                current = Some((first, at));
            }
            None | Some(Frame::Nested) => {
                let next = bytes.get(at + 1).copied();
                let start = at;
                at = match (byte, next) {
                    (b'\n', _) if stack.is_empty() => {
                        if let Some((first, last)) = current.take() {
                            items.push(item(text, first..last));
                        }
                        at + 1
                    }
                    (b' ' | b'\t' | b'\r' | b'\n', _) => at + 1,
                    (b'#', _) | (b'/', Some(b'/')) => {
                        // A comment is not part of an item, and its newline ends the item.
                        line_end(bytes, at)
                    }
                    (b'/', Some(b'*')) => text[at + 2..]
                        .find("*/")
                        .map_or(bytes.len(), |end| at + 2 + end + 2),
                    _ => {
                        let after = significant(text, at, &mut stack);
                        let (first, _) = current.unwrap_or((start, after));
                        current = Some((first, after));
                        after
                    }
                };
            }
        }
        // Whatever is read inside a string, heredoc or bracket belongs to the item.
        if inside && let Some((first, _)) = current {
            current = Some((first, at));
        }
    }
    if let Some((first, last)) = current {
        // Unterminated at the end of the file: the item runs to it, and parsing says why.
        let last = if stack.is_empty() { last } else { bytes.len() };
        items.push(item(text, first..last));
    }
    items
}

/// Bytes that start a string, heredoc or comment, or open or close a bracket.
const OPENS_OR_CLOSES: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"\"{}[]()<#/";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// A byte that neither starts a string, heredoc or comment, nor opens or closes a bracket, nor
/// ends a line, nor is white space.
fn is_plain(byte: u8) -> bool {
    !matches!(
        byte,
        b'"' | b'{'
            | b'}'
            | b'['
            | b']'
            | b'('
            | b')'
            | b'<'
            | b'#'
            | b'/'
            | b'\n'
            | b' '
            | b'\t'
            | b'\r'
    )
}

/// Where the run of bytes from `at` that `stop` does not stop at ends.
fn skip_plain(bytes: &[u8], at: usize, stop: impl Fn(u8) -> bool) -> usize {
    bytes[at..]
        .iter()
        .position(|&b| stop(b))
        .map_or(bytes.len(), |offset| at + offset)
}

/// Reads one significant token outside strings and heredocs, updating the stack; returns where
/// the token ends.
fn significant(text: &str, at: usize, stack: &mut Vec<Frame>) -> usize {
    let bytes = text.as_bytes();
    match bytes[at] {
        b'"' => {
            stack.push(Frame::Quoted);
            at + 1
        }
        b'{' | b'[' | b'(' => {
            stack.push(Frame::Nested);
            at + 1
        }
        b'}' | b']' | b')' => {
            // A stray closer at the top level is left for the parser to report.
            if matches!(stack.last(), Some(Frame::Nested)) {
                stack.pop();
            }
            at + 1
        }
        b'<' if bytes.get(at + 1) == Some(&b'<') => match heredoc_marker(bytes, at + 2) {
            Some(marker) => {
                let end = line_end(bytes, marker.end);
                stack.push(Frame::Heredoc { marker });
                (end + 1).min(bytes.len())
            }
            None => at + 2,
        },
        // Any other byte stands for itself; a character's first byte says its length.
        first => {
            let length = match first {
                0xF0.. => 4,
                0xE0.. => 3,
                0xC0.. => 2,
                _ => 1,
            };
            (at + length).min(bytes.len())
        }
    }
}

/// The marker of a heredoc whose `<<` ends just before `at`: `-` optionally, an identifier, then
/// nothing but the end of the line.
fn heredoc_marker(bytes: &[u8], at: usize) -> Option<Range<usize>> {
    let start = if bytes.get(at) == Some(&b'-') {
        at + 1
    } else {
        at
    };
    let length = bytes[start.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
        .count();
    let end = start + length;
    let rest_of_line = &bytes[end..line_end(bytes, end)];
    (length > 0 && bytes[start].is_ascii_alphabetic() && rest_of_line.trim_ascii().is_empty())
        .then_some(start..end)
}

/// The index of the newline ending the line that `at` is on, or the end of the text.
fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |offset| at + offset)
}

fn item(text: &str, span: Range<usize>) -> Item {
    Item {
        header: header(&text[span.clone()]),
        span,
    }
}

/// Reads an item's first tokens: an identifier, then `=` (an attribute) or labels up to `{` (a
/// block).
fn header(text: &str) -> Header {
    let identifier_length = |text: &str| {
        text.char_indices()
            .take_while(|&(i, c)| {
                c.is_alphabetic() || c == '_' || (i > 0 && (c.is_alphanumeric() || c == '-'))
            })
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0)
    };
    let length = identifier_length(text);
    if length == 0 {
        return Header::Unknown;
    }
    let ident = text[..length].to_owned();
    let mut rest = &text[length..];
    let mut labels = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.starts_with('=') && !rest.starts_with("==") {
            return if labels.is_empty() {
                Header::Attribute { key: ident }
            } else {
                Header::Unknown
            };
        }
        if rest.starts_with('{') {
            return Header::Block { ident, labels };
        }
        if let Some(quoted) = rest.strip_prefix('"') {
            let Some((label, after)) = quoted_label(quoted) else {
                return Header::Unknown;
            };
            labels.push(label);
            rest = after;
            continue;
        }
        let length = identifier_length(rest);
        if length == 0 {
            return Header::Unknown;
        }
        labels.push(rest[..length].to_owned());
        rest = &rest[length..];
    }
}

/// A quoted label's text, up to its closing quote, and what follows it. Labels are literal
/// strings: an interpolation in one is not valid HCL.
fn quoted_label(text: &str) -> Option<(String, &str)> {
    let mut label = String::new();
    let mut chars = text.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((label, &text[i + 1..])),
            '\n' => return None,
            '\\' => match chars.next()?.1 {
                'n' => label.push('\n'),
                't' => label.push('\t'),
                'r' => label.push('\r'),
                other => label.push(other),
            },
            c => label.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        outline(text)
            .into_iter()
            .map(|item| &text[item.span])
            .collect()
    }

    fn block(ident: &str, labels: &[&str]) -> Header {
        Header::Block {
            ident: ident.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    #[test]
    fn blocks_and_attributes_with_their_headers() {
        let text = "# leading comment\nresource \"aws_db_instance\" \"main\" {\n  a = 1\n\n  b {\n    c = \"}\"\n  }\n}\n\nvariable \"x\" { default = 1 }\nname = \"value\" # trailing\nlocals {}\n";
        let items = outline(text);
        assert_eq!(
            texts(text),
            [
                "resource \"aws_db_instance\" \"main\" {\n  a = 1\n\n  b {\n    c = \"}\"\n  }\n}",
                "variable \"x\" { default = 1 }",
                "name = \"value\"",
                "locals {}",
            ]
        );
        assert_eq!(
            items[0].header,
            block("resource", &["aws_db_instance", "main"])
        );
        assert_eq!(items[1].header, block("variable", &["x"]));
        assert_eq!(
            items[2].header,
            Header::Attribute {
                key: "name".to_owned()
            }
        );
        assert_eq!(items[3].header, block("locals", &[]));
    }

    #[test]
    fn nothing_inside_strings_heredocs_or_comments_ends_an_item() {
        let text = concat!(
            "locals {\n",
            "  a = \"${ { x = \"}\\\"\" }.x } $${ %%{ \\\" { [\"\n",
            "  b = <<-EOT\n    }\n    ]\n    \"\n  EOT\n",
            "  c = <<EOT\n${\"}\"}\nEOT\n",
            "  /* } */ d = [ // ]\n  1, # )\n  ]\n",
            "}\n",
            "after {}\n",
        );
        let items = texts(text);
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items[0].starts_with("locals {") && items[0].ends_with("]\n}"));
        assert_eq!(items[1], "after {}");
    }

    #[test]
    fn a_top_level_heredoc_attribute_ends_after_its_marker() {
        let text = "x = <<EOT\nline\n  EOT not yet\nEOT\ny = 2\n";
        assert_eq!(
            texts(text),
            ["x = <<EOT\nline\n  EOT not yet\nEOT", "y = 2"]
        );
    }

    #[test]
    fn unterminated_items_run_to_the_end() {
        let text = "ok = 1\nresource \"a\" \"b\" {\n  c = 1\n";
        let items = outline(text);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].span.end, text.len());
        // An unterminated string ends at its line; the item goes on.
        assert_eq!(texts("a = \"open\nb = 1\n"), ["a = \"open", "b = 1"]);
    }

    #[test]
    fn headers_that_are_neither() {
        assert_eq!(outline("= 1\n")[0].header, Header::Unknown);
        assert_eq!(outline("a \"b\" = 1\n")[0].header, Header::Unknown);
        assert_eq!(
            outline("a \"b\\\"c\" d {}\n")[0].header,
            block("a", &["b\"c", "d"])
        );
    }

    /// Splitting is never worse than parsing whole: on any text made of HCL's special bytes, the
    /// outline terminates, its spans are ordered, inside the text and on character boundaries.
    #[test]
    fn outlines_of_arbitrary_text_are_well_formed() {
        let mut random = crate::testing::Random::new(0x51ed_2701_aa3b_40c9);
        let alphabet: Vec<char> = "{}[]()\"\\$%<-#/*\n =aE".chars().chain(['é']).collect();
        for round in 0..400 {
            let text = random.string(&alphabet, 1 + round % 200);
            let mut previous = 0;
            for item in outline(&text) {
                assert!(item.span.start >= previous, "{text:?}");
                assert!(item.span.start < item.span.end && item.span.end <= text.len());
                assert!(
                    text.is_char_boundary(item.span.start) && text.is_char_boundary(item.span.end)
                );
                previous = item.span.end;
            }
        }
    }
}
