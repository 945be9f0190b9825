//! Go's `text/template` language, parsed into a tree whose every node keeps its byte span in the
//! template file, so that rendered output can be traced back to the line that wrote it.
//!
//! The grammar is Go's: text and `{{ actions }}` with `{{-`/`-}}` trimming and `/* comments */`;
//! pipelines of commands joined by `|`, with `$variable :=` declarations and `=` assignments;
//! fields (`.a.b`), variables (`$x.a`), function calls, literals and parenthesised pipelines;
//! `if`/`else if`/`else`, `range` (with `$i, $v :=`, `else`, `break`, `continue`), `with`
//! (`else with`), `define`, `template` and `block`.

use std::ops::Range;

/// A parsed template file: its top-level nodes and the templates it defines.
#[derive(Debug, Default)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    pub defines: Vec<(String, Vec<Node>)>,
}

#[derive(Debug, Clone)]
pub enum Node {
    /// Text written as is: a byte range of the template.
    Text(Range<usize>),
    /// `{{ pipeline }}`: its value is written, unless it declares or assigns variables.
    Action(Pipeline),
    If {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    With {
        branches: Vec<(Pipeline, Vec<Node>)>,
        otherwise: Vec<Node>,
    },
    Range {
        pipeline: Pipeline,
        body: Vec<Node>,
        otherwise: Vec<Node>,
    },
    Template {
        name: String,
        argument: Option<Pipeline>,
        span: Range<usize>,
    },
    Break,
    Continue,
}

/// A pipeline, with the span of the whole action it sits in.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub declare: Vec<String>,
    /// `=` rather than `:=`.
    pub assign: bool,
    pub commands: Vec<Vec<Arg>>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum Arg {
    /// `.` or `.a.b`: fields of dot.
    Field(Vec<String>),
    /// `$x.a.b` (`$` alone is the template's argument).
    Variable(String, Vec<String>),
    /// A function name.
    Function(String),
    /// `(pipeline).a.b`.
    Group(Box<Pipeline>, Vec<String>),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
}

/// Why a template could not be parsed, at a byte offset.
#[derive(Debug, Clone)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

fn error<T>(offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        offset,
        message: message.into(),
    })
}

/// Nesting of control structures and parentheses beyond this is refused.
const MAX_NESTING: usize = 200;

/// A lexed piece of the template: text or an action's inner source.
enum Piece {
    Text(Range<usize>),
    /// The action's content (markers and trimming removed) and the span of the whole action.
    Action(Range<usize>, Range<usize>),
}

/// Splits a template into text and actions, applying `{{-` and `-}}` trimming.
fn pieces(text: &str) -> Result<Vec<Piece>, ParseError> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut at = 0;
    let mut trim_next = false;
    while at <= bytes.len() {
        let open = memchr::memmem::find(&bytes[at..], b"{{").map(|i| at + i);
        let text_end = open.unwrap_or(bytes.len());
        let mut start = at;
        let mut end = text_end;
        if trim_next {
            while start < end && bytes[start].is_ascii_whitespace() {
                start += 1;
            }
        }
        let Some(open) = open else {
            if start < end {
                pieces.push(Piece::Text(start..end));
            }
            break;
        };
        let left_trim = bytes.get(open + 2) == Some(&b'-')
            && bytes.get(open + 3).is_some_and(u8::is_ascii_whitespace);
        if left_trim {
            while end > start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
        }
        if start < end {
            pieces.push(Piece::Text(start..end));
        }
        let inner_start = if left_trim { open + 3 } else { open + 2 };
        let close = find_close(bytes, inner_start).ok_or_else(|| ParseError {
            offset: open,
            message: "unclosed action".to_owned(),
        })?;
        let right_trim = close >= inner_start + 2
            && bytes[close - 1] == b'-'
            && bytes[close - 2].is_ascii_whitespace();
        let inner_end = if right_trim { close - 1 } else { close };
        pieces.push(Piece::Action(
            inner_start..inner_end.max(inner_start),
            open..close + 2,
        ));
        trim_next = right_trim;
        at = close + 2;
    }
    Ok(pieces)
}

/// The `}}` that closes an action starting at `from`, past strings and comments.
fn find_close(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    if bytes.get(i) == Some(&b'\n') {
                        return None;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = memchr::memmem::find(&bytes[i + 2..], b"*/")?;
                i += end + 3;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Dot,
    /// A field name, and whether it is written against what comes before it (`$x.a`, `.a.b`).
    Field(String, bool),
    Variable(String),
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Open,
    Close,
    Pipe,
    Declare,
    Assign,
    Comma,
}

/// The tokens of an action's content, with their offsets.
fn tokens(text: &str, range: Range<usize>) -> Result<Vec<(Token, usize)>, ParseError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    let end = range.end;
    while i < end {
        let c = bytes[i];
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let close =
                    memchr::memmem::find(&bytes[i + 2..end], b"*/").ok_or_else(|| ParseError {
                        offset: i,
                        message: "unclosed comment".to_owned(),
                    })?;
                i += close + 4;
            }
            b'(' => {
                out.push((Token::Open, start));
                i += 1;
            }
            b')' => {
                out.push((Token::Close, start));
                i += 1;
            }
            b'|' => {
                out.push((Token::Pipe, start));
                i += 1;
            }
            b',' => {
                out.push((Token::Comma, start));
                i += 1;
            }
            b':' if bytes.get(i + 1) == Some(&b'=') => {
                out.push((Token::Declare, start));
                i += 2;
            }
            b'=' => {
                out.push((Token::Assign, start));
                i += 1;
            }
            b'"' => {
                i += 1;
                let mut value = String::new();
                loop {
                    match bytes.get(i) {
                        None | Some(b'\n') => return error(start, "unterminated string"),
                        Some(b'"') => break,
                        Some(b'\\') => {
                            let (c, used) =
                                escape(&text[i + 1..end.max(i + 1)]).ok_or_else(|| ParseError {
                                    offset: i,
                                    message: "bad escape in string".to_owned(),
                                })?;
                            value.push(c);
                            i += 1 + used;
                        }
                        Some(_) => {
                            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
                            value.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                i += 1;
                out.push((Token::Str(value), start));
            }
            b'`' => {
                let close = memchr::memchr(b'`', &bytes[i + 1..end]).ok_or_else(|| ParseError {
                    offset: i,
                    message: "unterminated raw string".to_owned(),
                })?;
                out.push((Token::Str(text[i + 1..i + 1 + close].to_owned()), start));
                i += close + 2;
            }
            b'\'' => {
                let rest = &text[i + 1..end];
                let (c, used) = if let Some(tail) = rest.strip_prefix('\\') {
                    let (c, used) = escape(tail).ok_or_else(|| ParseError {
                        offset: i,
                        message: "bad character literal".to_owned(),
                    })?;
                    (c, used + 1)
                } else {
                    let c = rest.chars().next().ok_or_else(|| ParseError {
                        offset: i,
                        message: "bad character literal".to_owned(),
                    })?;
                    (c, c.len_utf8())
                };
                if bytes.get(i + 1 + used) != Some(&b'\'') {
                    return error(i, "bad character literal");
                }
                out.push((Token::Int(c as i64), start));
                i += used + 2;
            }
            b'.' if bytes.get(i + 1).is_some_and(|b| is_ident_start(*b)) => {
                i += 1;
                let name_start = i;
                while i < end && is_ident(bytes[i]) {
                    i += 1;
                }
                let attached = start > range.start
                    && (is_ident(bytes[start - 1]) || matches!(bytes[start - 1], b')' | b'$'));
                out.push((
                    Token::Field(text[name_start..i].to_owned(), attached),
                    start,
                ));
            }
            b'.' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                out.push((Token::Dot, start));
                i += 1;
            }
            b'$' => {
                i += 1;
                while i < end && is_ident(bytes[i]) {
                    i += 1;
                }
                out.push((Token::Variable(text[start..i].to_owned()), start));
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                i += 1;
                while i < end
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'.' | b'_')
                        || (matches!(bytes[i], b'-' | b'+')
                            && matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P')))
                {
                    i += 1;
                }
                let literal = text[start..i].replace('_', "");
                out.push((
                    number(&literal).ok_or_else(|| ParseError {
                        offset: start,
                        message: format!("bad number `{literal}`"),
                    })?,
                    start,
                ));
            }
            c if is_ident_start(c) => {
                while i < end && is_ident(bytes[i]) {
                    i += 1;
                }
                out.push((Token::Ident(text[start..i].to_owned()), start));
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                return error(i, format!("unexpected `{ch}` in action"));
            }
        }
    }
    Ok(out)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn number(literal: &str) -> Option<Token> {
    let (negative, digits) = match literal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, literal.strip_prefix('+').unwrap_or(literal)),
    };
    let lower = digits.to_ascii_lowercase();
    // Hexadecimal floating point, `0x1p60`.
    if let Some(hex) = lower.strip_prefix("0x")
        && let Some((mantissa, exponent)) = hex.split_once('p')
    {
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut value =
            i64::from_str_radix(if whole.is_empty() { "0" } else { whole }, 16).ok()? as f64;
        for (i, digit) in fraction.chars().enumerate() {
            value += f64::from(digit.to_digit(16)?) / 16f64.powi(i as i32 + 1);
        }
        let value = value * 2f64.powi(exponent.parse::<i32>().ok()?);
        let value = if negative { -value } else { value };
        return Some(if value.fract() == 0.0 && value.abs() < 9.2e18 {
            Token::Int(value as i64)
        } else {
            Token::Float(value)
        });
    }
    let int = if let Some(hex) = lower.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = lower.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if let Some(binary) = lower.strip_prefix("0b") {
        i64::from_str_radix(binary, 2).ok()
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|b| b.is_ascii_digit())
    {
        i64::from_str_radix(&lower[1..], 8).ok()
    } else {
        lower.parse::<i64>().ok()
    };
    if let Some(int) = int {
        return Some(Token::Int(if negative { -int } else { int }));
    }
    let float: f64 = lower.parse().ok()?;
    Some(Token::Float(if negative { -float } else { float }))
}

/// One escape after a backslash: the character and the bytes it used.
fn escape(rest: &str) -> Option<(char, usize)> {
    let first = rest.chars().next()?;
    let simple = match first {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        '\\' => Some('\\'),
        '"' => Some('"'),
        '\'' => Some('\''),
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, 1));
    }
    let width = match first {
        'x' => 2,
        'u' => 4,
        'U' => 8,
        '0'..='7' => {
            let digits = rest.get(..3)?;
            let code = u32::from_str_radix(digits, 8).ok()?;
            return Some((char::from_u32(code)?, 3));
        }
        _ => return None,
    };
    let digits = rest.get(1..1 + width)?;
    let code = u32::from_str_radix(digits, 16).ok()?;
    Some((char::from_u32(code)?, 1 + width))
}

/// Parses a template file.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let pieces = pieces(text)?;
    let mut parser = Parser {
        text,
        pieces,
        at: 0,
        defines: Vec::new(),
        depth: 0,
        pending_else: None,
    };
    let (nodes, end) = parser.list(false)?;
    if let Some((keyword, offset)) = end {
        return error(offset, format!("unexpected {{{{{keyword}}}}}"));
    }
    Ok(Parsed {
        nodes,
        defines: parser.defines,
    })
}

struct Parser<'t> {
    text: &'t str,
    pieces: Vec<Piece>,
    at: usize,
    defines: Vec<(String, Vec<Node>)>,
    depth: usize,
    /// After an `{{else …}}`: the range of what follows `else`, and the action's span.
    pending_else: Option<(Range<usize>, Range<usize>)>,
}

/// What ended a list of nodes: `end`, `else` (with what follows it), or the end of the file.
type Ending = Option<(String, usize)>;

impl Parser<'_> {
    /// Nodes up to an `{{end}}` or `{{else …}}` (returned, with the action's offset) or the end
    /// of the template.
    fn list(&mut self, inside: bool) -> Result<(Vec<Node>, Ending), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return error(0, "control structures nest too deep");
        }
        let mut nodes = Vec::new();
        while self.at < self.pieces.len() {
            let piece = &self.pieces[self.at];
            self.at += 1;
            let (inner, span) = match piece {
                Piece::Text(range) => {
                    nodes.push(Node::Text(range.clone()));
                    continue;
                }
                Piece::Action(inner, span) => (inner.clone(), span.clone()),
            };
            let tokens = tokens(self.text, inner.clone())?;
            let Some((first, _)) = tokens.first() else {
                // A comment alone.
                continue;
            };
            let keyword = match first {
                Token::Ident(word) => word.as_str(),
                _ => "",
            };
            match keyword {
                "end" => {
                    if !inside {
                        return error(span.start, "unexpected {{end}}");
                    }
                    self.depth -= 1;
                    return Ok((nodes, Some(("end".to_owned(), span.start))));
                }
                "else" => {
                    if !inside {
                        return error(span.start, "unexpected {{else}}");
                    }
                    self.depth -= 1;
                    // The rest of the action (`if …`, `with …`) is kept for the caller.
                    let rest = tokens.get(1).map_or(inner.end, |t| t.1)..inner.end;
                    self.pending_else = Some((rest, span.clone()));
                    return Ok((nodes, Some(("else".to_owned(), span.start))));
                }
                "if" | "with" => {
                    let pipeline = self.pipeline(&tokens[1..], span.clone())?;
                    nodes.push(self.conditional(keyword, pipeline, span)?);
                }
                "range" => {
                    let pipeline = self.pipeline(&tokens[1..], span.clone())?;
                    let (body, ending) = self.list(true)?;
                    let otherwise = match ending {
                        Some((word, _)) if word == "else" => {
                            self.pending_else = None;
                            let (otherwise, ending) = self.list(true)?;
                            self.expect_end(ending, span.start)?;
                            otherwise
                        }
                        other => {
                            self.expect_end(other, span.start)?;
                            Vec::new()
                        }
                    };
                    nodes.push(Node::Range {
                        pipeline,
                        body,
                        otherwise,
                    });
                }
                "define" | "block" => {
                    let Some((Token::Str(name), _)) = tokens.get(1) else {
                        return error(span.start, format!("{keyword} needs a quoted name"));
                    };
                    let name = name.clone();
                    let argument = if keyword == "block" {
                        Some(self.pipeline(&tokens[2..], span.clone())?)
                    } else {
                        None
                    };
                    let (body, ending) = self.list(true)?;
                    self.expect_end(ending, span.start)?;
                    self.defines.push((name.clone(), body));
                    if keyword == "block" {
                        nodes.push(Node::Template {
                            name,
                            argument,
                            span,
                        });
                    }
                }
                "template" => {
                    let Some((Token::Str(name), _)) = tokens.get(1) else {
                        return error(span.start, "template needs a quoted name");
                    };
                    let argument = if tokens.len() > 2 {
                        Some(self.pipeline(&tokens[2..], span.clone())?)
                    } else {
                        None
                    };
                    nodes.push(Node::Template {
                        name: name.clone(),
                        argument,
                        span,
                    });
                }
                "break" => nodes.push(Node::Break),
                "continue" => nodes.push(Node::Continue),
                _ => nodes.push(Node::Action(self.pipeline(&tokens, span)?)),
            }
        }
        self.depth -= 1;
        Ok((nodes, None))
    }

    fn expect_end(&self, ending: Ending, start: usize) -> Result<(), ParseError> {
        match ending {
            Some((word, _)) if word == "end" => Ok(()),
            Some((word, offset)) => error(offset, format!("unexpected {{{{{word}}}}}")),
            None => error(start, "missing {{end}}"),
        }
    }

    /// An `if` or `with` and its `else if`/`else with`/`else` branches.
    fn conditional(
        &mut self,
        keyword: &str,
        first: Pipeline,
        span: Range<usize>,
    ) -> Result<Node, ParseError> {
        let mut branches = Vec::new();
        let mut condition = first;
        let otherwise;
        loop {
            let (body, ending) = self.list(true)?;
            branches.push((condition, body));
            match ending {
                Some((word, _)) if word == "else" => {
                    let (rest, else_span) = self.pending_else.take().unwrap_or_default();
                    let rest_tokens = tokens(self.text, rest)?;
                    match rest_tokens.first() {
                        Some((Token::Ident(word), _)) if word == keyword => {
                            condition = self.pipeline(&rest_tokens[1..], else_span)?;
                        }
                        None => {
                            let (body, ending) = self.list(true)?;
                            self.expect_end(ending, span.start)?;
                            otherwise = body;
                            break;
                        }
                        Some((_, offset)) => {
                            return error(
                                *offset,
                                format!("unexpected word after else in {keyword}"),
                            );
                        }
                    }
                }
                other => {
                    self.expect_end(other, span.start)?;
                    otherwise = Vec::new();
                    break;
                }
            }
        }
        Ok(match keyword {
            "if" => Node::If {
                branches,
                otherwise,
            },
            _ => Node::With {
                branches,
                otherwise,
            },
        })
    }

    /// A pipeline from tokens.
    fn pipeline(
        &self,
        tokens: &[(Token, usize)],
        span: Range<usize>,
    ) -> Result<Pipeline, ParseError> {
        let mut at = 0;
        let pipeline = pipeline_at(tokens, &mut at, span.clone(), 0)?;
        if at < tokens.len() {
            return error(tokens[at].1, "unexpected token in action");
        }
        if pipeline.commands.is_empty() {
            return error(span.start, "missing value");
        }
        Ok(pipeline)
    }
}

fn pipeline_at(
    tokens: &[(Token, usize)],
    at: &mut usize,
    span: Range<usize>,
    depth: usize,
) -> Result<Pipeline, ParseError> {
    if depth > MAX_NESTING {
        return error(span.start, "parentheses nest too deep");
    }
    let mut declare = Vec::new();
    let mut assign = false;
    // `$x :=`, `$x =`, `$i, $v :=`.
    let mut look = *at;
    let mut names = Vec::new();
    while let Some((Token::Variable(name), _)) = tokens.get(look) {
        names.push(name.clone());
        look += 1;
        match tokens.get(look) {
            Some((Token::Comma, _)) => look += 1,
            Some((Token::Declare, _)) => {
                declare = names.clone();
                *at = look + 1;
                break;
            }
            Some((Token::Assign, _)) => {
                declare = names.clone();
                assign = true;
                *at = look + 1;
                break;
            }
            _ => break,
        }
    }
    let mut commands = Vec::new();
    loop {
        let mut command = Vec::new();
        while let Some((token, offset)) = tokens.get(*at) {
            match token {
                Token::Pipe | Token::Close => break,
                _ => {}
            }
            *at += 1;
            let arg = match token {
                Token::Dot => Arg::Field(Vec::new()),
                Token::Field(name, _) => {
                    let mut path = vec![name.clone()];
                    fields(tokens, at, &mut path);
                    Arg::Field(path)
                }
                Token::Variable(name) => {
                    let mut path = Vec::new();
                    fields(tokens, at, &mut path);
                    Arg::Variable(name.clone(), path)
                }
                Token::Ident(word) => match word.as_str() {
                    "true" => Arg::Bool(true),
                    "false" => Arg::Bool(false),
                    "nil" => Arg::Nil,
                    _ => Arg::Function(word.clone()),
                },
                Token::Str(s) => Arg::Str(s.clone()),
                Token::Int(i) => Arg::Int(*i),
                Token::Float(f) => Arg::Float(*f),
                Token::Open => {
                    let inner = pipeline_at(tokens, at, span.clone(), depth + 1)?;
                    if !matches!(tokens.get(*at), Some((Token::Close, _))) {
                        return error(*offset, "unclosed parenthesis");
                    }
                    *at += 1;
                    let mut path = Vec::new();
                    fields(tokens, at, &mut path);
                    Arg::Group(Box::new(inner), path)
                }
                Token::Comma | Token::Declare | Token::Assign => {
                    return error(*offset, "unexpected token in command");
                }
                Token::Pipe | Token::Close => unreachable!(),
            };
            command.push(arg);
        }
        if command.is_empty() {
            if commands.is_empty() && !matches!(tokens.get(*at), Some((Token::Pipe, _))) {
                break;
            }
            return error(
                tokens.get(*at).map_or(span.start, |t| t.1),
                "missing command in pipeline",
            );
        }
        commands.push(command);
        match tokens.get(*at) {
            Some((Token::Pipe, _)) => *at += 1,
            _ => break,
        }
    }
    Ok(Pipeline {
        declare,
        assign,
        commands,
        span,
    })
}

/// Field names chained right after an operand (`$x.a.b`, `(…).a`).
fn fields(tokens: &[(Token, usize)], at: &mut usize, path: &mut Vec<String>) {
    while let Some((Token::Field(name, true), _)) = tokens.get(*at) {
        path.push(name.clone());
        *at += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_nests() {
        let parsed = parse("a  {{- if .x }} b {{ else if .y -}}  c{{ else }}d{{ end }}").unwrap();
        assert_eq!(parsed.nodes.len(), 2);
        let Node::If {
            branches,
            otherwise,
        } = &parsed.nodes[1]
        else {
            panic!("{:?}", parsed.nodes);
        };
        assert_eq!(branches.len(), 2);
        assert_eq!(otherwise.len(), 1);
        let Node::Text(range) = &branches[1].1[0] else {
            panic!()
        };
        assert_eq!(range.len(), 1);
    }

    #[test]
    fn pipelines_declarations_and_groups() {
        let parsed = parse(
            r#"{{ $a, $b := (include "x" .).y | quote }}{{ define "x" }}{{ $.Values.a }}{{ end }}"#,
        )
        .unwrap();
        let Node::Action(pipeline) = &parsed.nodes[0] else {
            panic!()
        };
        assert_eq!(pipeline.declare, vec!["$a", "$b"]);
        assert_eq!(pipeline.commands.len(), 2);
        assert!(matches!(&pipeline.commands[0][0], Arg::Group(_, path) if path == &["y"]));
        assert_eq!(parsed.defines.len(), 1);
    }

    #[test]
    fn errors_have_offsets() {
        assert_eq!(parse("ok\n{{ if .x }}").unwrap_err().offset, 3);
        assert!(parse("{{ \"unterminated }}").is_err());
        assert!(parse("{{ end }}").is_err());
        assert!(
            parse("{{/* a comment */}}{{- /* trimmed */ -}}")
                .unwrap()
                .nodes
                .is_empty()
        );
    }
}
