//! YAML documents as a tree whose every node keeps its byte span.
//!
//! `saphyr-parser` produces events; this module builds a small arena tree from them without
//! recursion. Aliases stay references to the anchored node and are never expanded, so an alias
//! "billion laughs" costs nothing to load. Before a document is handed to checks, the size it
//! *would* have if expanded is computed (one pass over the tree); a document over the budget is
//! refused, so no walk over it can explode either. Merge keys (`<<: *base`) are resolved on lookup.
//!
//! Scalars keep their raw text and style: Kubernetes reads YAML 1.1 (`privileged: yes` is true),
//! which a YAML 1.2 loader would call a string, so typing is the caller's choice ([`Yaml::as_bool`],
//! [`Yaml::as_int`]).

use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Index of a node in [`Yaml::nodes`].
pub type NodeId = usize;

/// Nesting deeper than this is refused (real manifests nest a few dozen levels at most).
pub const MAX_DEPTH: usize = 256;
/// A document whose aliases would expand to more nodes than this is refused.
pub const MAX_EXPANDED_NODES: u64 = 1_000_000;
/// How many merge keys and aliases one lookup follows before giving up.
const MAX_LOOKUP_STEPS: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar; `plain` tells whether YAML's implicit typing applies (it does not to quoted or
    /// block scalars).
    Scalar {
        /// The value's place in [`Yaml::scalars`]: a stream holds a scalar per few bytes, and one
        /// allocation each (with its spare capacity and the fragments it leaves) doubled the
        /// memory of scalar-heavy files.
        at: u32,
        len: u32,
        plain: bool,
    },
    Sequence(Box<[NodeId]>),
    /// Key and value pairs in document order; duplicate keys are kept (the last one wins).
    Mapping(Box<[(NodeId, NodeId)]>),
    /// A reference to an anchored node.
    Alias(NodeId),
}

/// A node and where it is. A stream has a node per few bytes, so nodes are kept small: 32
/// bytes, with offsets as `u32` (files over 4 GiB are never parsed) and collections boxed to
/// their exact length once complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    start: u32,
    end: u32,
}

impl Node {
    pub fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A value found by [`Yaml::get`]: the value (aliases resolved), the key it was found under, and,
/// when the lookup left the mapping it started from, the place there that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
    /// Where the entry came in from elsewhere: the `<<: *base` key it was merged through, or (for
    /// a path) the outermost key whose value is an alias.
    pub merged_from: Option<NodeId>,
    /// The value was written as an alias (`key: *anchor`).
    pub aliased: bool,
}

/// A YAML stream: all its documents in one arena.
#[derive(Debug, Default)]
pub struct Yaml {
    pub nodes: Vec<Node>,
    /// The text of every scalar, one after the other.
    scalars: String,
    /// Root node of each document.
    pub documents: Vec<NodeId>,
    /// Local tags (`!Ref`, `!Sub`: CloudFormation's short-form functions) by node, in node
    /// order; few files have any.
    tags: Vec<(NodeId, Box<str>)>,
}

/// `text` with the line break before every line that only closes flow collections (`]`, `}`,
/// `],`) turned into a space: the same length, the same offsets.
fn join_closing_brackets(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let closing = line.trim();
        let only_brackets =
            !closing.is_empty() && closing.bytes().all(|b| matches!(b, b']' | b'}' | b','));
        if only_brackets && line_start > 0 {
            // The previous line's break (and a carriage return before it).
            bytes[line_start - 1] = b' ';
            if line_start >= 2 && bytes[line_start - 2] == b'\r' {
                bytes[line_start - 2] = b' ';
            }
        }
        line_start += line.len();
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_owned())
}

/// Why a stream could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
}

impl Yaml {
    /// Loads every document of `text`.
    ///
    /// A flow collection closed on a line of its own at its key's indentation (`args: [` …
    /// `]`) is refused by the YAML 1.2 parser but read by Kubernetes, Helm and PyYAML alike;
    /// such a file is read again with each such closing line joined to the line before it (a
    /// line break becomes a space, so every offset still points into `text`).
    pub fn parse(text: &str) -> Result<Yaml, YamlError> {
        Yaml::parse_exact(text).or_else(|error| {
            if !error.message.contains("indentation") {
                return Err(error);
            }
            let joined = join_closing_brackets(text);
            if joined == text {
                return Err(error);
            }
            Yaml::parse_exact(&joined).map_err(|_| error)
        })
    }

    fn parse_exact(text: &str) -> Result<Yaml, YamlError> {
        if text.len() > u32::MAX as usize {
            return Err(YamlError {
                message: "larger than 4 GiB".to_owned(),
                position: None,
            });
        }
        // Room for every node at once, so the arena never doubles while full: a node per line
        // and per flow separator, twice over, is more than real files have, and capacity never
        // written to costs address space, not memory.
        let estimate = text
            .bytes()
            .filter(|b| matches!(b, b'\n' | b',' | b'[' | b'{'))
            .count();
        let mut builder = Builder {
            yaml: Yaml {
                nodes: Vec::with_capacity(2 * estimate + 16),
                // Scalars hardly ever hold more text than the stream (escapes mostly shorten it).
                scalars: String::with_capacity(text.len()),
                documents: Vec::new(),
                tags: Vec::new(),
            },
            stack: Vec::new(),
            anchors: Vec::new(),
            aliases: 0,
            offsets: ByteOffsets::new(text),
        };
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|error| YamlError {
                message: error.info().to_owned(),
                position: Some((error.marker().line(), error.marker().col() + 1)),
            })?;
            builder.event(event, span)?;
        }
        let yaml = builder.yaml;
        if builder.aliases > 0 {
            yaml.check_expansion()?;
        }
        Ok(yaml)
    }

    /// Refuses alias cycles and alias bombs: documents whose aliases would expand to more than
    /// [`MAX_EXPANDED_NODES`] nodes.
    fn check_expansion(&self) -> Result<(), YamlError> {
        // Sizes do not depend on the document a node is reached from: one memo serves them all.
        let mut size: Vec<Option<u64>> = vec![None; self.nodes.len()];
        let mut open = vec![false; self.nodes.len()];
        for &document in &self.documents {
            let Some(expanded) = self.expanded_size(document, &mut size, &mut open) else {
                return Err(YamlError {
                    message: "an alias refers to a node that contains it (a cycle)".to_owned(),
                    position: None,
                });
            };
            if expanded > MAX_EXPANDED_NODES {
                return Err(YamlError {
                    message: format!(
                        "aliases would expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)"
                    ),
                    position: None,
                });
            }
        }
        Ok(())
    }

    /// The node, with aliases followed.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        for _ in 0..MAX_LOOKUP_STEPS {
            match self.nodes[id].kind {
                NodeKind::Alias(target) => id = target,
                _ => return id,
            }
        }
        id
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[self.resolve(id)]
    }

    pub fn span(&self, id: NodeId) -> Range<usize> {
        self.nodes[id].span()
    }

    /// The scalar text of a node (aliases followed), if it is a scalar.
    /// A node's local tag, without its `!` (`Ref` for `!Ref x`).
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        self.tags
            .binary_search_by_key(&id, |(node, _)| *node)
            .ok()
            .map(|at| &*self.tags[at].1)
    }

    pub fn str(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            NodeKind::Scalar { at, len, .. } => self.scalars.get(*at as usize..(at + len) as usize),
            _ => None,
        }
    }

    /// Where a scalar's value sits in the source, when it is there verbatim: a plain scalar, or a
    /// quoted one without escapes. `None` for block scalars and escaped strings.
    pub fn content_span(&self, id: NodeId) -> Option<Range<usize>> {
        let node = &self.nodes[id];
        let NodeKind::Scalar { len, plain, .. } = &node.kind else {
            return None;
        };
        let len = *len as usize;
        let span = node.span();
        match (plain, span.len()) {
            (true, span_len) if span_len == len => Some(span),
            (false, span_len) if span_len == len + 2 => Some(span.start + 1..span.end - 1),
            _ => None,
        }
    }

    /// Where bytes `range` of a scalar's value are in the source: exactly when the value is
    /// there verbatim ([`content_span`](Yaml::content_span)), else the whole node.
    pub fn span_of_part(&self, id: NodeId, range: Range<usize>) -> Range<usize> {
        match self.content_span(id) {
            Some(content) if !content.is_empty() && range.end <= content.len() => {
                content.start + range.start..content.start + range.end
            }
            Some(content) => content,
            None => self.span(id),
        }
    }

    /// A scalar read with YAML 1.1 booleans (`true`, `yes`, `on`, `y`, … in any usual case) when
    /// plain; quoted scalars are strings.
    pub fn as_bool(&self, id: NodeId) -> Option<bool> {
        if !matches!(self.node(id).kind, NodeKind::Scalar { plain: true, .. }) {
            return None;
        }
        match self.str(id)? {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
            | "N" => Some(false),
            _ => None,
        }
    }

    /// A plain scalar read as an integer (decimal, `0x`, `0o`), or a quoted one that is digits
    /// only (Compose and Kubernetes both accept `"22"` where a port goes).
    pub fn as_int(&self, id: NodeId) -> Option<i64> {
        let text = self.str(id)?.trim();
        let (digits, radix) = if let Some(hex) = text.strip_prefix("0x") {
            (hex, 16)
        } else if let Some(octal) = text.strip_prefix("0o") {
            (octal, 8)
        } else {
            (text.strip_prefix('+').unwrap_or(text), 10)
        };
        i64::from_str_radix(&digits.replace('_', ""), radix).ok()
    }

    /// Elements of a sequence (aliases followed); empty for anything else.
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(id).kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    /// Key/value pairs of a mapping as written (merge keys not expanded); empty for anything else.
    pub fn pairs(&self, id: NodeId) -> &[(NodeId, NodeId)] {
        match &self.node(id).kind {
            NodeKind::Mapping(pairs) => pairs,
            _ => &[],
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Mapping(_))
    }

    /// The value under `key` in a mapping: the last explicit entry, else the first merged one
    /// (`<<: *base` or `<<: [*a, *b]`, earlier sources winning, as YAML's merge key says).
    pub fn get(&self, map: NodeId, key: &str) -> Option<Entry> {
        let mut steps = 0;
        self.get_within(map, key, None, &mut steps)
    }

    /// `get` along a path of keys. When the path leaves the starting mapping through a merge key
    /// or an alias, the outermost such place is kept in `merged_from`: that is where a reader of
    /// the starting mapping sees the value come in.
    pub fn get_path(&self, map: NodeId, path: &[&str]) -> Option<Entry> {
        let (first, rest) = path.split_first()?;
        let mut entry = self.get(map, first)?;
        let mut via = entry.merged_from;
        for key in rest {
            if via.is_none() && entry.aliased {
                via = Some(entry.key);
            }
            entry = self.get(entry.value, key)?;
            via = via.or(entry.merged_from);
        }
        entry.merged_from = via;
        Some(entry)
    }

    fn get_within(
        &self,
        map: NodeId,
        key: &str,
        merged_from: Option<NodeId>,
        steps: &mut usize,
    ) -> Option<Entry> {
        *steps += 1;
        if *steps > MAX_LOOKUP_STEPS {
            return None;
        }
        let pairs = self.pairs(map);
        if let Some(&(k, v)) = pairs.iter().rev().find(|&&(k, _)| self.str(k) == Some(key)) {
            return Some(Entry {
                key: k,
                value: self.resolve(v),
                merged_from,
                aliased: matches!(self.nodes[v].kind, NodeKind::Alias(_)),
            });
        }
        for &(k, v) in pairs {
            if self.str(k) != Some("<<")
                || !matches!(&self.nodes[k].kind, NodeKind::Scalar { plain: true, .. })
            {
                continue;
            }
            let sources: Vec<NodeId> = match &self.node(v).kind {
                NodeKind::Sequence(items) => items.to_vec(),
                _ => vec![v],
            };
            for source in sources {
                let via = merged_from.or(Some(k));
                if let Some(entry) = self.get_within(self.resolve(source), key, via, steps) {
                    return Some(entry);
                }
            }
        }
        None
    }

    /// Keys of a mapping including merged ones, each once (explicit keys first).
    pub fn keys(&self, map: NodeId) -> Vec<(String, Entry)> {
        let mut seen = std::collections::HashSet::new();
        let mut keys = Vec::new();
        let mut pending = vec![(self.resolve(map), None)];
        let mut steps = 0;
        while let Some((current, via)) = pending.pop() {
            steps += 1;
            if steps > MAX_LOOKUP_STEPS {
                break;
            }
            let mut merges = Vec::new();
            for &(k, v) in self.pairs(current).iter().rev() {
                match self.str(k) {
                    Some("<<") => merges.push((k, v)),
                    Some(name) if seen.insert(name.to_owned()) => keys.push((
                        name.to_owned(),
                        Entry {
                            key: k,
                            value: self.resolve(v),
                            merged_from: via,
                            aliased: matches!(self.nodes[v].kind, NodeKind::Alias(_)),
                        },
                    )),
                    _ => {}
                }
            }
            // Earlier merge sources win: push them last so they are read first.
            for (k, v) in merges.into_iter().rev() {
                let sources: Vec<NodeId> = match &self.node(v).kind {
                    NodeKind::Sequence(items) => items.to_vec(),
                    _ => vec![v],
                };
                for source in sources.into_iter().rev() {
                    pending.push((self.resolve(source), via.or(Some(k))));
                }
            }
        }
        keys.sort_by_key(|(_, entry)| self.nodes[entry.key].start);
        keys
    }

    /// The span to report for a found entry: the key and its value, or only the key when the
    /// value came through an alias (it is defined earlier, elsewhere), or the merge key (`<<`)
    /// that brought the entry from another mapping.
    pub fn site(&self, entry: Entry) -> Range<usize> {
        if let Some(merge) = entry.merged_from {
            return self.span(merge);
        }
        let key = self.span(entry.key);
        let value = self.span(entry.value);
        if value.start >= key.end {
            key.start..value.end
        } else {
            key
        }
    }

    /// How many nodes a document would have with its aliases expanded, saturating; `None` when
    /// an alias points into its own ancestry, which would expand forever.
    fn expanded_size(
        &self,
        root: NodeId,
        size: &mut [Option<u64>],
        open: &mut [bool],
    ) -> Option<u64> {
        // Collections come before their children in the arena but aliases point backwards, so no
        // single order over ids works: a post-order walk with memoisation, iterative to keep deep
        // documents off the call stack. The nodes opened and not yet closed are the walk's path:
        // meeting one of them again is a cycle.
        let mut stack = vec![(root, false)];
        while let Some((id, children_done)) = stack.pop() {
            if size[id].is_some() {
                continue;
            }
            let children: Vec<NodeId> = match &self.nodes[id].kind {
                NodeKind::Scalar { .. } => Vec::new(),
                NodeKind::Sequence(items) => items.to_vec(),
                NodeKind::Mapping(pairs) => pairs.iter().flat_map(|&(k, v)| [k, v]).collect(),
                NodeKind::Alias(target) => vec![*target],
            };
            if children_done || children.is_empty() {
                let total = children
                    .iter()
                    .map(|&c| size[c].unwrap_or(0))
                    .fold(1u64, |acc, s| acc.saturating_add(s));
                size[id] = Some(total.min(MAX_EXPANDED_NODES + 1));
                open[id] = false;
            } else {
                open[id] = true;
                stack.push((id, true));
                for child in children.into_iter().filter(|&c| size[c].is_none()) {
                    if open[child] {
                        return None;
                    }
                    stack.push((child, false));
                }
            }
        }
        size[root]
    }
}

/// Builds the arena from parser events.
struct Builder<'t> {
    yaml: Yaml,
    /// Open collections, outermost first.
    stack: Vec<Open>,
    /// Anchor ids (as numbered by the parser) to nodes.
    anchors: Vec<(usize, NodeId)>,
    /// Aliases met: without any, nothing can expand.
    aliases: usize,
    offsets: ByteOffsets<'t>,
}

/// A collection being built: its node, and its children so far (for a mapping, keys and values
/// in turn), boxed into the node when it closes.
struct Open {
    id: NodeId,
    children: Vec<NodeId>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        let start = self.offsets.byte(span.start.index());
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let end = self.offsets.byte(span.end.index());
                let plain = style == ScalarStyle::Plain;
                let at = self.yaml.scalars.len() as u32;
                // A block scalar that ends the stream keeps a final line break only if the
                // stream has one.
                let text = self.offsets.text;
                let value = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded
                        if !text.ends_with('\n')
                            && text[end.min(text.len())..].trim().is_empty() =>
                    {
                        value
                            .strip_suffix('\n')
                            .map_or(value.clone(), |v| v.to_owned().into())
                    }
                    _ => value,
                };
                self.yaml.scalars.push_str(&value);
                let id = self.add(
                    NodeKind::Scalar {
                        at,
                        len: value.len() as u32,
                        plain,
                    },
                    start..end,
                );
                self.anchor(anchor, id);
                self.tag(tag.as_deref(), id);
                self.attach(id);
            }
            Event::Alias(anchor) => {
                let target = self
                    .anchors
                    .iter()
                    .rev()
                    .find(|(a, _)| *a == anchor)
                    .map(|&(_, node)| node)
                    .ok_or_else(|| YamlError {
                        message: "alias to an unknown anchor".to_owned(),
                        position: Some((span.start.line(), span.start.col() + 1)),
                    })?;
                let end = self.offsets.byte(span.end.index());
                let id = self.add(NodeKind::Alias(target), start..end);
                self.aliases += 1;
                self.attach(id);
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("nesting deeper than {MAX_DEPTH} levels"),
                        position: Some((span.start.line(), span.start.col() + 1)),
                    });
                }
                let kind = match event {
                    Event::SequenceStart(..) => NodeKind::Sequence(Box::default()),
                    _ => NodeKind::Mapping(Box::default()),
                };
                let id = self.add(kind, start..start);
                self.anchor(anchor, id);
                self.tag(tag.as_deref(), id);
                self.attach(id);
                self.stack.push(Open {
                    id,
                    children: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.offsets.byte(span.end.index());
                if let Some(open) = self.stack.pop() {
                    self.close(open, end);
                }
            }
            Event::DocumentStart(_) => {
                self.stack.clear();
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// Completes a collection: its children boxed into it, its span reaching its last child.
    fn close(&mut self, open: Open, end: usize) {
        let last_end = open
            .children
            .last()
            .map_or(0, |&last| self.yaml.nodes[last].end);
        let node = &mut self.yaml.nodes[open.id];
        node.end = (end as u32).max(node.start).max(last_end);
        match &mut node.kind {
            NodeKind::Sequence(items) => *items = open.children.into_boxed_slice(),
            NodeKind::Mapping(pairs) => {
                // A key without a value (a broken stream) stands for both.
                *pairs = open
                    .children
                    .chunks(2)
                    .map(|pair| (pair[0], *pair.last().unwrap_or(&pair[0])))
                    .collect();
            }
            _ => {}
        }
    }

    fn add(&mut self, kind: NodeKind, span: Range<usize>) -> NodeId {
        // Offsets fit: the parse budget refuses files anywhere near 4 GiB.
        self.yaml.nodes.push(Node {
            kind,
            start: span.start as u32,
            end: span.end as u32,
        });
        self.yaml.nodes.len() - 1
    }

    /// Keeps a local tag (`!Ref`), without its `!`; the core schema's (`!!str`) are the
    /// parser's business.
    fn tag(&mut self, tag: Option<&saphyr_parser::Tag>, id: NodeId) {
        if let Some(tag) = tag.filter(|t| t.handle == "!" && !t.suffix.is_empty()) {
            self.yaml.tags.push((id, tag.suffix.as_str().into()));
        }
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.push((anchor, id));
        }
    }

    /// Adds a finished or opened node to the collection being built, or makes it a document root.
    fn attach(&mut self, id: NodeId) {
        match self.stack.last_mut() {
            Some(open) => open.children.push(id),
            None => self.yaml.documents.push(id),
        }
    }
}

/// Converts the parser's character indices to byte offsets, in one forward pass in the usual
/// case (events come in order) and restarting from the start of the text otherwise.
struct ByteOffsets<'t> {
    text: &'t str,
    /// In ASCII text characters are bytes, and no conversion is needed.
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'t> ByteOffsets<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        if char_index < self.chars {
            self.chars = 0;
            self.bytes = 0;
        }
        for c in self.text[self.bytes..].chars() {
            if self.chars == char_index {
                break;
            }
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_collections_closed_at_their_key_are_read_as_kubernetes_reads_them() {
        let text = "containers:\n  - name: c\n    args: [\n      \"--port=80\",\n    ]\n    env: {\r\n      A: b\r\n    }\n    image: nginx\n";
        let yaml = Yaml::parse(text).unwrap();
        let root = yaml.documents[0];
        let container = yaml.items(yaml.get(root, "containers").unwrap().value)[0];
        let args = yaml.get(container, "args").unwrap().value;
        assert_eq!(yaml.str(yaml.items(args)[0]), Some("--port=80"));
        let image = yaml.get(container, "image").unwrap().value;
        // Offsets still point into the text as written.
        assert_eq!(&text[yaml.span(image)], "nginx");
        // Other errors stay errors.
        assert!(Yaml::parse("a: [\n  b\nc: d\n").is_err());
    }

    fn value<'y>(yaml: &'y Yaml, doc: usize, path: &[&str]) -> Option<&'y str> {
        yaml.get_path(yaml.documents[doc], path)
            .and_then(|e| yaml.str(e.value))
    }

    #[test]
    fn spans_and_documents() {
        let text = "a: 1\n---\nb:\n  c: héllo\n  d: [x, 'y']\n";
        let yaml = Yaml::parse(text).unwrap();
        assert_eq!(yaml.documents.len(), 2);
        assert_eq!(value(&yaml, 1, &["b", "c"]), Some("héllo"));
        let entry = yaml.get_path(yaml.documents[1], &["b", "c"]).unwrap();
        assert_eq!(&text[yaml.span(entry.key)], "c");
        assert_eq!(&text[yaml.span(entry.value)], "héllo");
        let d = yaml.get_path(yaml.documents[1], &["b", "d"]).unwrap();
        let items = yaml.items(d.value);
        assert_eq!(&text[yaml.span(items[1])], "'y'");
    }

    #[test]
    fn aliases_and_merge_keys() {
        let text = "base: &base\n  user: root\n  port: 22\nother: &other\n  port: 80\n  extra: x\n\
                    svc:\n  <<: [*base, *other]\n  port: 8080\nref: *base\n";
        let yaml = Yaml::parse(text).unwrap();
        let doc = yaml.documents[0];
        let svc = yaml.get(doc, "svc").unwrap().value;
        let user = yaml.get(svc, "user").unwrap();
        assert_eq!(yaml.str(user.value), Some("root"));
        assert_eq!(&text[yaml.span(user.merged_from.unwrap())], "<<");
        assert_eq!(yaml.str(yaml.get(svc, "port").unwrap().value), Some("8080"));
        assert_eq!(yaml.str(yaml.get(svc, "extra").unwrap().value), Some("x"));
        assert_eq!(value(&yaml, 0, &["ref", "user"]), Some("root"));
        let keys: Vec<String> = yaml.keys(svc).into_iter().map(|(k, _)| k).collect();
        // In document order of the keys that win.
        assert_eq!(keys, ["user", "extra", "port"]);
    }

    #[test]
    fn yaml_1_1_scalars() {
        let yaml =
            Yaml::parse("a: yes\nb: 'yes'\nc: Off\nd: 0\ne: \"22\"\nf: 0x10\ng: 1.5\n").unwrap();
        let doc = yaml.documents[0];
        let get = |k| yaml.get(doc, k).unwrap().value;
        assert_eq!(yaml.as_bool(get("a")), Some(true));
        assert_eq!(yaml.as_bool(get("b")), None);
        assert_eq!(yaml.as_bool(get("c")), Some(false));
        assert_eq!(yaml.as_int(get("d")), Some(0));
        assert_eq!(yaml.as_int(get("e")), Some(22));
        assert_eq!(yaml.as_int(get("f")), Some(16));
        assert_eq!(yaml.as_int(get("g")), None);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let error = Yaml::parse(&text).unwrap_err();
        assert!(error.message.contains("alias bomb"), "{error:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        // Flow collections: the parser's own recursion limit.
        let flow = format!("{}x{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Yaml::parse(&flow).is_err());
        // Block collections: ours.
        let block = format!("{}x\n", "- ".repeat(10_000));
        let error = Yaml::parse(&block).unwrap_err();
        assert!(error.message.contains("nesting deeper"), "{error:?}");
    }

    #[test]
    fn templates_are_not_yaml() {
        assert!(Yaml::parse("spec:\n  replicas: {{ .Values.replicas }}\n  x: [\n").is_err());
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let yaml = Yaml::parse("a: 1\na: 2\n").unwrap();
        assert_eq!(value(&yaml, 0, &["a"]), Some("2"));
    }
}
