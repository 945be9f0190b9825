//! Secrets in Rust sources, confirmed with `syn`.
//!
//! The byte scan reads every file at hundreds of megabytes a second; `syn` parses a few
//! megabytes a second. So the byte scan finds the candidates everywhere, and only Rust files
//! with one are looked at again, in two steps:
//!
//! 1. A structural pass over the bytes (comments, string literals, braces and `;`, no tokens)
//!    drops what sits in a comment or a doc comment: prose, not a binding.
//! 2. For a candidate in a string literal, the statement around it, not the file, is parsed
//!    with `syn` (widening to the enclosing statement while the text does not parse alone), to
//!    check that the literal is really bound to a secret-like name: a `const` or `static`, a
//!    `let`, a struct field, an assignment, or the only argument of a function or method named
//!    like a secret (`.password("…")`, `Password::new("…")`), through the usual wrappers
//!    (`"…".to_string()`, `String::from("…")`, `Some("…")`, `&"…"`).
//!
//! Secrets inside `#[cfg(test)]` modules and `#[test]` functions are marked as test code, from
//! the attributes in front of each enclosing block.
//!
//! Macros are opaque to `syn` (`json!({"password": "…"})` is a token stream, not an expression),
//! so inside them a binding is read from the tokens: a name followed by `:`, `=` or `=>`.
//! A candidate inside a longer literal (a JSON document or a command line in a string) keeps the
//! byte scan's judgement, and so does one whose statement does not parse even as the whole file:
//! text the compiler would reject proves nothing either way. Provider formats are never dropped,
//! not even in comments: a live key in a comment is as leaked as one in code.

use std::collections::HashMap;
use std::ops::Range;
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::visit::{self, Visit};
use syn::{Attribute, Block, Expr, Lit, Member, Pat};

use super::is_secret_name;
use super::scan::{Secret, Source};

/// The candidates of a Rust file that survive a look at its syntax, marked when in test code.
pub fn confirm(text: &str, secrets: Vec<Secret>) -> Vec<Secret> {
    let mut offsets: Vec<usize> = secrets.iter().map(|secret| secret.range.start).collect();
    offsets.sort_unstable();
    let structure = Structure::of(text, &offsets);
    let mut parsed = HashMap::new();
    secrets
        .into_iter()
        .filter_map(|mut secret| {
            let group = structure.group_of(&offsets, secret.range.start);
            secret.in_test_code = structure.in_test_code(text, group);
            if matches!(secret.source, Source::Detector(_)) {
                return Some(secret);
            }
            // Outside every string literal is a comment.
            let literal = structure.string_at(&secret.range)?;
            if literal != secret.range {
                return Some(secret);
            }
            match structure.binding(text, group, literal.start - 1, &mut parsed) {
                Binding::Unparsed => Some(secret),
                Binding::None => None,
                Binding::Name(name) => {
                    let confirmed = is_secret_name(&name);
                    secret.name = Some(name);
                    confirmed.then_some(secret)
                }
            }
        })
        .collect()
}

/// What a string literal is bound to.
enum Binding {
    Name(String),
    None,
    /// No enclosing statement parses: nothing can be said.
    Unparsed,
}

/// A block: `{ … }`, or the whole file.
#[derive(Debug)]
struct Group {
    /// Between the braces.
    body: Range<usize>,
    parent: Option<usize>,
    /// `;` directly in this block (not inside parentheses or brackets).
    semicolons: Vec<usize>,
    /// Where the blocks directly inside this one close.
    closes: Vec<usize>,
}

/// Where a Rust file's comments, string literals and blocks are, found without tokenizing.
#[derive(Debug)]
struct Structure {
    groups: Vec<Group>,
    /// The text between the quotes of every string literal, in order.
    strings: Vec<Range<usize>>,
    /// The innermost block of each offset asked about, in the order of the offsets.
    groups_of: Vec<usize>,
}

/// The bindings of a parsed statement, by the position of each string literal's opening quote;
/// `None` when it does not parse.
type Parsed = HashMap<Range<usize>, Option<HashMap<usize, String>>>;

impl Structure {
    /// The structure of a file, and the innermost block of each of the (sorted) `offsets`.
    fn of(text: &str, offsets: &[usize]) -> Structure {
        let bytes = text.as_bytes();
        let start = code_start(text);
        let mut groups = vec![Group {
            body: start..bytes.len(),
            parent: None,
            semicolons: Vec::new(),
            closes: Vec::new(),
        }];
        let mut strings = Vec::new();
        // Open delimiters, with the block each was opened in.
        let mut open: Vec<u8> = Vec::new();
        let mut current = 0;
        let mut groups_of = Vec::with_capacity(offsets.len());
        let mut i = start;
        while i < bytes.len() {
            // Strings and comments hold no block: an offset inside one was passed in the same
            // block as the next byte looked at.
            while groups_of.len() < offsets.len() && offsets[groups_of.len()] < i {
                groups_of.push(current);
            }
            let byte = bytes[i];
            let next = bytes.get(i + 1).copied();
            match byte {
                b'/' if next == Some(b'/') => {
                    i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                    continue;
                }
                b'/' if next == Some(b'*') => {
                    i = block_comment_end(bytes, i);
                    continue;
                }
                b'"' => {
                    let end = string_end(bytes, i + 1);
                    strings.push(i + 1..end);
                    i = end + 1;
                    continue;
                }
                b'r' | b'b' | b'c' if i == 0 || !is_ident_byte(bytes[i - 1]) => {
                    if let Some((content, end)) = prefixed_string(bytes, i) {
                        strings.push(content);
                        i = end;
                        continue;
                    }
                }
                b'\'' => {
                    i = char_literal_end(text, i);
                    continue;
                }
                b'{' => {
                    groups.push(Group {
                        body: i + 1..bytes.len(),
                        parent: Some(current),
                        semicolons: Vec::new(),
                        closes: Vec::new(),
                    });
                    current = groups.len() - 1;
                    open.push(byte);
                }
                b'(' | b'[' => open.push(byte),
                b'}' => {
                    // An unmatched `)` or `]` inside is forgiven; an unmatched `}` is ignored.
                    if let Some(at) = open.iter().rposition(|&b| b == b'{') {
                        open.truncate(at);
                        groups[current].body.end = i;
                        if let Some(parent) = groups[current].parent {
                            current = parent;
                            groups[current].closes.push(i);
                        }
                    }
                }
                b')' | b']' if open.last() == Some(&(if byte == b')' { b'(' } else { b'[' })) => {
                    open.pop();
                }
                b';' if matches!(open.last(), None | Some(b'{')) => {
                    groups[current].semicolons.push(i)
                }
                _ => {}
            }
            i += 1;
        }
        groups_of.resize(offsets.len(), current);
        Structure {
            groups,
            strings,
            groups_of,
        }
    }

    /// The innermost block of one of the offsets given to [`Structure::of`].
    fn group_of(&self, offsets: &[usize], offset: usize) -> usize {
        self.groups_of[offsets.partition_point(|&o| o < offset)]
    }

    /// The content of the string literal that holds `range`, if any.
    fn string_at(&self, range: &Range<usize>) -> Option<Range<usize>> {
        let after = self
            .strings
            .partition_point(|string| string.start <= range.start);
        let string = &self.strings[after.checked_sub(1)?];
        (string.end >= range.end).then(|| string.clone())
    }

    /// A block and the blocks around it, innermost first.
    fn enclosing(&self, group: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(group), |&group| self.groups[group].parent)
    }

    /// The statements of a block around an offset: from the last `;` (or, when `after_blocks`,
    /// the last closing brace) before it, through the next `;`.
    fn statement(&self, group: usize, at: usize, after_blocks: bool) -> Range<usize> {
        let group = &self.groups[group];
        let before = |marks: &[usize]| {
            let index = marks.partition_point(|&mark| mark < at);
            index.checked_sub(1).map(|index| marks[index] + 1)
        };
        let mut start = before(&group.semicolons).unwrap_or(group.body.start);
        if after_blocks {
            start = start.max(before(&group.closes).unwrap_or(start));
        }
        let index = group.semicolons.partition_point(|&mark| mark < at);
        let end = group
            .semicolons
            .get(index)
            .map_or(group.body.end, |&semicolon| semicolon + 1);
        start..end
    }

    /// Whether a block is, or is inside, one introduced by a test attribute.
    fn in_test_code(&self, text: &str, group: usize) -> bool {
        self.enclosing(group).any(|group| {
            let Some(parent) = self.groups[group].parent else {
                return false;
            };
            let open = self.groups[group].body.start - 1;
            let head = &text[self.statement(parent, open, true).start..open];
            head.contains("test") && head_has_test_attribute(head)
        })
    }

    /// The name the string literal whose opening quote is at `quote` is bound to, from the
    /// smallest statement around it that parses.
    fn binding(&self, text: &str, group: usize, quote: usize, parsed: &mut Parsed) -> Binding {
        let mut at = quote;
        for group in self.enclosing(group) {
            for after_blocks in [true, false] {
                let statement = self.statement(group, at, after_blocks);
                let bindings = parsed
                    .entry(statement.clone())
                    .or_insert_with(|| parse_bindings(text, statement));
                if let Some(bindings) = bindings {
                    return bindings
                        .get(&quote)
                        .map_or(Binding::None, |name| Binding::Name(name.clone()));
                }
            }
            // Not parseable alone: try the statement holding this block.
            at = self.groups[group].body.start.saturating_sub(1);
        }
        Binding::Unparsed
    }
}

/// The bindings of the string literals of a piece of code, or `None` if it does not parse as
/// statements.
fn parse_bindings(text: &str, statement: Range<usize>) -> Option<HashMap<usize, String>> {
    // Spans live in a thread-local table that would otherwise grow with every parse.
    proc_macro2::extra::invalidate_current_thread_spans();
    let tokens = TokenStream::from_str(&text[statement.clone()]).ok()?;
    let statements = Block::parse_within.parse2(tokens.clone()).ok()?;
    let mut syntax = Syntax {
        base: statement.start,
        bindings: HashMap::new(),
    };
    for statement in &statements {
        syntax.visit_stmt(statement);
    }
    let mut names = HashMap::new();
    token_bindings(tokens, statement.start, None, &mut names);
    // The syntax tree knows better, where it sees the literal at all (not inside a macro).
    names.extend(syntax.bindings);
    Some(names)
}

/// Whether the text in front of a block (`#[cfg(test)] mod tests`) carries a test attribute.
fn head_has_test_attribute(head: &str) -> bool {
    let Ok(tokens) = TokenStream::from_str(head) else {
        return false;
    };
    let attributes = |input: ParseStream<'_>| {
        let mut found = Vec::new();
        while !input.is_empty() {
            if input.peek(syn::Token![#]) {
                found.extend(input.call(Attribute::parse_outer)?);
            } else {
                input.parse::<TokenTree>()?;
            }
        }
        Ok(found)
    };
    attributes
        .parse2(tokens)
        .is_ok_and(|found| found.iter().any(is_test_attribute))
}

/// Where the code starts: after a byte order mark and a `#!` interpreter line (not `#![attr]`).
fn code_start(text: &str) -> usize {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[base..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        return base + rest.find('\n').unwrap_or(rest.len());
    }
    base
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80
}

/// Past a block comment starting at `start` (`/*`); they nest.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The closing quote of a string whose content starts at `start`, escapes skipped.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while let Some(n) = memchr::memchr2(b'"', b'\\', &bytes[i.min(bytes.len())..]) {
        if bytes[i + n] == b'"' {
            return i + n;
        }
        i += n + 2;
    }
    bytes.len()
}

/// A string with a prefix at `start` (`b"…"`, `c"…"`, `r#"…"#`, `br"…"`): its content and where
/// it ends; `None` for an identifier or a byte literal.
fn prefixed_string(bytes: &[u8], start: usize) -> Option<(Range<usize>, usize)> {
    let mut i = start;
    if matches!(bytes[i], b'b' | b'c') {
        i += 1;
    }
    if bytes.get(i) == Some(&b'r') {
        i += 1;
        let hashes = bytes[i..].iter().take_while(|&&b| b == b'#').count();
        i += hashes;
        if bytes.get(i) != Some(&b'"') {
            return None;
        }
        let content = i + 1;
        let mut closing = vec![b'"'];
        closing.extend(std::iter::repeat_n(b'#', hashes));
        let end =
            memchr::memmem::find(&bytes[content..], &closing).map_or(bytes.len(), |n| content + n);
        return Some((content..end, (end + closing.len()).min(bytes.len())));
    }
    if i == start || bytes.get(i) != Some(&b'"') {
        return None;
    }
    let end = string_end(bytes, i + 1);
    Some((i + 1..end, end + 1))
}

/// Past a character literal (`'x'`, `'\''`, `'é'`) at `start`, or past the quote of a lifetime.
fn char_literal_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(start + 1) == Some(&b'\\') {
        let search = &bytes[(start + 3).min(bytes.len())..(start + 13).min(bytes.len())];
        return memchr::memchr(b'\'', search).map_or(start + 1, |n| start + 4 + n);
    }
    let width = text[start + 1..].chars().next().map_or(0, char::len_utf8);
    if width > 0 && bytes.get(start + 1 + width) == Some(&b'\'') {
        start + 2 + width
    } else {
        start + 1
    }
}

/// The names that tokens bind string literals to, by the position of their opening quote:
/// `name: "…"`, `name = "…"`, `"name" => "…"`, and `name("…")`.
fn token_bindings(
    stream: TokenStream,
    base: usize,
    group_name: Option<String>,
    names: &mut HashMap<usize, String>,
) {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => {
                let name = match (group.delimiter(), index.checked_sub(1).map(|i| &tokens[i])) {
                    (Delimiter::Parenthesis, Some(TokenTree::Ident(ident))) => {
                        Some(ident.to_string())
                    }
                    _ => None,
                };
                token_bindings(group.stream(), base, name, names);
            }
            TokenTree::Literal(literal) => {
                let name = name_before(&tokens, index)
                    .or_else(|| (index == 0).then(|| group_name.clone()).flatten());
                if let (Some(name), Some(quote)) = (name, opening_quote(literal)) {
                    names.insert(base + quote, name);
                }
            }
            TokenTree::Ident(_) | TokenTree::Punct(_) => {}
        }
    }
}

/// Where a string literal's opening quote is, relative to the parsed text.
fn opening_quote(literal: &proc_macro2::Literal) -> Option<usize> {
    let content = string_content(&literal.to_string())?;
    Some(literal.span().byte_range().start + content.start - 1)
}

/// The text between the quotes of a string literal's token (`"…"`, `r#"…"#`, `b"…"`, `c"…"`);
/// `None` for other literals.
fn string_content(token: &str) -> Option<Range<usize>> {
    let open = token.find('"')?;
    let prefix = &token[..open];
    if !prefix.chars().all(|c| matches!(c, 'r' | 'b' | 'c' | '#')) {
        return None;
    }
    let close = token.rfind('"')?;
    (close > open).then(|| open + 1..close)
}

/// The name before `: "…"`, `= "…"` or `=> "…"` in a token stream: an identifier or a string.
fn name_before(tokens: &[TokenTree], index: usize) -> Option<String> {
    let before = |back: usize| index.checked_sub(back).map(|i| &tokens[i]);
    let TokenTree::Punct(punct) = before(1)? else {
        return None;
    };
    let back = match punct.as_char() {
        ':' | '=' => 2,
        '>' if matches!(before(2), Some(TokenTree::Punct(p)) if p.as_char() == '=') => 3,
        _ => return None,
    };
    match before(back)? {
        TokenTree::Ident(ident) => Some(ident.to_string()),
        TokenTree::Literal(literal) => {
            let text = literal.to_string();
            let content = string_content(&text)?;
            Some(text[content].to_owned())
        }
        _ => None,
    }
}

/// What a syntax tree says: which name each string literal is bound to, by the position of its
/// opening quote in the file.
struct Syntax {
    /// Where the parsed text starts in the file.
    base: usize,
    bindings: HashMap<usize, String>,
}

impl Syntax {
    /// Binds the literal an expression evaluates to, if it is one, to a name. The first binding
    /// seen wins: the outermost construct names a literal best (`let token = Token::new("…")`).
    fn bind(&mut self, expr: &Expr, name: String) {
        if let Some(quote) = bound_literal(expr) {
            self.bindings.entry(self.base + quote).or_insert(name);
        }
    }
}

/// The opening quote of the string literal an expression is, through wrappers that keep its
/// value.
fn bound_literal(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Lit(literal) => match &literal.lit {
            Lit::Str(s) => opening_quote(&s.token()),
            Lit::ByteStr(s) => opening_quote(&s.token()),
            Lit::CStr(s) => opening_quote(&s.token()),
            _ => None,
        },
        Expr::Reference(inner) => bound_literal(&inner.expr),
        Expr::Paren(inner) => bound_literal(&inner.expr),
        Expr::Group(inner) => bound_literal(&inner.expr),
        Expr::Cast(inner) => bound_literal(&inner.expr),
        // `"…".to_string()`, `.into()`, `.to_owned()`, `.as_bytes()`.
        Expr::MethodCall(call) if call.args.is_empty() => bound_literal(&call.receiver),
        // `String::from("…")`, `Some("…")`, `SecretString::new("…")`.
        Expr::Call(call) if call.args.len() == 1 => bound_literal(&call.args[0]),
        _ => None,
    }
}

/// `#[test]`, `#[tokio::test]`, `#[cfg(test)]`, `#[cfg(all(test, …))]`, not `#[cfg(not(test))]`.
fn is_test_attribute(attr: &Attribute) -> bool {
    let path = attr.path();
    if path.segments.last().is_some_and(|s| s.ident == "test") {
        return true;
    }
    if !path.is_ident("cfg") {
        return false;
    }
    let Ok(list) = attr.meta.require_list() else {
        return false;
    };
    let condition = list.tokens.to_string();
    let words: Vec<&str> = condition
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|word| !word.is_empty())
        .collect();
    words.contains(&"test") && !words.contains(&"not") && !words.contains(&"any")
}

/// The name a place expression assigns to: `password`, `self.password`, `config.db.password`.
fn place_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(field) => match &field.member {
            Member::Named(ident) => Some(ident.to_string()),
            Member::Unnamed(_) => None,
        },
        _ => None,
    }
}

/// The name of a `let` pattern: `password`, `mut password`, `password: &str`.
fn pattern_name(pat: &Pat) -> Option<String> {
    match pat {
        Pat::Ident(ident) => Some(ident.ident.to_string()),
        Pat::Type(typed) => pattern_name(&typed.pat),
        _ => None,
    }
}

/// What a call's arguments are named by: `Password::new(…)` by `Password`, `set_token(…)` by
/// `set_token`.
fn call_name(func: &Expr) -> Option<String> {
    let Expr::Path(path) = func else {
        return None;
    };
    let mut segments = path.path.segments.iter().rev();
    let last = segments.next()?.ident.to_string();
    match last.as_str() {
        "new" | "from" | "parse" | "from_str" | "from_static" => {
            segments.next().map(|s| s.ident.to_string())
        }
        _ => Some(last),
    }
}

impl<'ast> Visit<'ast> for Syntax {
    fn visit_item_const(&mut self, node: &'ast syn::ItemConst) {
        self.bind(&node.expr, node.ident.to_string());
        visit::visit_item_const(self, node);
    }

    fn visit_item_static(&mut self, node: &'ast syn::ItemStatic) {
        self.bind(&node.expr, node.ident.to_string());
        visit::visit_item_static(self, node);
    }

    fn visit_impl_item_const(&mut self, node: &'ast syn::ImplItemConst) {
        self.bind(&node.expr, node.ident.to_string());
        visit::visit_impl_item_const(self, node);
    }

    fn visit_trait_item_const(&mut self, node: &'ast syn::TraitItemConst) {
        if let Some((_, expr)) = &node.default {
            self.bind(expr, node.ident.to_string());
        }
        visit::visit_trait_item_const(self, node);
    }

    fn visit_local(&mut self, node: &'ast syn::Local) {
        if let (Some(init), Some(name)) = (&node.init, pattern_name(&node.pat)) {
            self.bind(&init.expr, name);
        }
        visit::visit_local(self, node);
    }

    fn visit_field_value(&mut self, node: &'ast syn::FieldValue) {
        if let Member::Named(ident) = &node.member {
            self.bind(&node.expr, ident.to_string());
        }
        visit::visit_field_value(self, node);
    }

    fn visit_expr_assign(&mut self, node: &'ast syn::ExprAssign) {
        if let Some(name) = place_name(&node.left) {
            self.bind(&node.right, name);
        }
        visit::visit_expr_assign(self, node);
    }

    fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
        if let [arg] = node.args.iter().collect::<Vec<_>>()[..] {
            self.bind(arg, node.method.to_string());
        }
        visit::visit_expr_method_call(self, node);
    }

    fn visit_expr_call(&mut self, node: &'ast syn::ExprCall) {
        if let (Some(name), [arg]) = (
            call_name(&node.func),
            &node.args.iter().collect::<Vec<_>>()[..],
        ) {
            self.bind(arg, name);
        }
        visit::visit_expr_call(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::scan::{FileClass, Scanner};

    /// The values reported in a Rust file, with their names and whether they are in test code.
    fn found(text: &str) -> Vec<(String, Option<String>, bool)> {
        Scanner::builtin()
            .scan(text, FileClass::Rust)
            .into_iter()
            .map(|s| (text[s.range].to_owned(), s.name, s.in_test_code))
            .collect()
    }

    fn values(text: &str) -> Vec<String> {
        found(text).into_iter().map(|(value, _, _)| value).collect()
    }

    #[test]
    fn bindings_are_confirmed_through_wrappers() {
        let text = r#"
const API_TOKEN: &str = "tK8mN3pQ9rW2";
fn f(c: &mut Config) {
    let db_password: String = "Pq7mWx2LkR9s".to_owned();
    let api_key = String::from("Hq3LmZ8vPw2x");
    c.inner.password = Some("Wm4kQz9XpL3r");
    let s = Settings { secret: "Rn5vXq8LmZ2k".into(), ..Default::default() };
    let b = Builder::new().password("Jt7pLx4QmZ9w").build();
}
"#;
        let found = found(text);
        let names: Vec<_> = found
            .iter()
            .map(|(_, n, _)| n.as_deref().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "API_TOKEN",
                "db_password",
                "api_key",
                "password",
                "secret",
                "password"
            ]
        );
    }

    #[test]
    fn comments_and_doc_comments_are_not_bindings() {
        let text = "//! let password = \"Xk9pLmQ2vR7t\";\n\
                    /// let password = \"Xk9pLmQ2vR7t\";\n\
                    /** token = \"Xk9pLmQ2vR7t\" /* password = \"Xk9pLmQ2vR7t\" */ */\n\
                    // secret = \"Xk9pLmQ2vR7t\"\n\
                    fn f() {}\n";
        assert_eq!(values(text), Vec::<String>::new());
    }

    #[test]
    fn a_literal_not_bound_to_a_secret_name_is_not_reported() {
        let text = r#"
fn f() {
    let token_kind = "Hq3LmZ8vPw2y";
    let pair = ("password", "Zq8nVb3XwL6p");
    check(password, "Mv8tQx3LpZ6n");
}
"#;
        assert_eq!(values(text), Vec::<String>::new());
    }

    #[test]
    fn macros_are_read_as_tokens_and_embedded_text_keeps_the_byte_scan() {
        let text = r##"
fn f() {
    let body = json!({ "client_secret": "Vb6nMq2XzL8k", "n": 1 });
    run("--password=Lz9qWm3XkP7v");
    let document = r#"{"api_key": "Qm3vXz8LpW5k"}"#;
}
"##;
        assert_eq!(
            values(text),
            ["Vb6nMq2XzL8k", "Lz9qWm3XkP7v", "Qm3vXz8LpW5k"]
        );
    }

    #[test]
    fn test_code_is_marked() {
        let text = r#"
const LIVE_PASSWORD: &str = "Pq7mWx2LkR9s";
#[cfg(all(test, feature = "db"))]
mod tests {
    fn helper() { let password = "Tq3mXz8LpW5k"; }
}
#[cfg(not(test))]
mod live { fn f() { let password = "Rn5vXq8LmZ2k"; } }
#[tokio::test]
async fn signs_in() { let token = "Wm4kQz9XpL3r"; }
fn after() { let secret = "Jt7pLx4QmZ9w"; }
"#;
        let marks: Vec<bool> = found(text).into_iter().map(|(_, _, test)| test).collect();
        assert_eq!(marks, [false, true, false, true, false]);
    }

    #[test]
    fn provider_formats_are_kept_even_in_comments() {
        let text = "// old key: AKIAZ5XQ7LMP3KDF2N7Q\n#[test]\nfn t() { let k = \"AKIAZ5XQ7LMP3KDF2N6Q\"; }\n";
        let found = found(text);
        assert_eq!(found.len(), 2);
        assert!(!found[0].2 && found[1].2);
    }

    #[test]
    fn a_file_that_does_not_parse_keeps_the_byte_scan() {
        let text = "fn f( {\n    let password = \"Pq7mWx2LkR9s\";\n// token = \"Hq3LmZ8vPw2x\"\n";
        assert_eq!(values(text), ["Pq7mWx2LkR9s"]);
    }

    #[test]
    fn structure_skips_strings_chars_lifetimes_and_comments() {
        let text = "#!/usr/bin/env run\nfn f<'a>(x: &'a str) { let q = '\"'; let e = '\\''; \
                    let s = \"}\\\"{\"; let r = r#\"\"}\"#; let b = b\"{\"; /* } */ }\nfn g() {}";
        let structure = Structure::of(text, &[]);
        let bodies: Vec<&str> = structure.groups[1..]
            .iter()
            .map(|group| &text[group.body.clone()])
            .collect();
        assert_eq!(bodies.len(), 2);
        assert!(bodies[0].ends_with("/* } */ "), "{bodies:?}");
        assert_eq!(bodies[1], "");
        let strings: Vec<&str> = structure.strings.iter().map(|s| &text[s.clone()]).collect();
        assert_eq!(strings, ["}\\\"{", "\"}", "{"]);
    }

    #[test]
    fn hostile_text_does_not_panic() {
        for text in [
            "\"",
            "r#\"",
            "'",
            "'\\",
            "/*",
            "}}}",
            "{{{",
            "b'",
            "br##\"x\"#",
            "c\"",
            "#!",
            "\u{feff}",
            "fn f() { let password = \"Pq7mWx2LkR9s\"; }}}}",
            "{ password: \"Pq7mWx2LkR9s\" ]) }",
        ] {
            let _ = found(text);
            let _ = Structure::of(text, &[0, text.len()]);
        }
    }
}
