//! Patches as documents to judge: what a kustomization's inline patches and JSON 6902 operations
//! set, written out as a partial manifest, with a map from every piece of it back to where the
//! patch wrote it.
//!
//! A strategic merge patch written inline (`patches[].patch: |`) is a manifest already: its text
//! is taken out of the block scalar, line by line, each line remembering its place. A list of
//! JSON 6902 operations (inline, or a patch file) says values by path
//! (`/spec/template/spec/containers/0/securityContext/privileged`): each `add` and `replace` is
//! laid into a resource of the target's kind (or the kind its paths imply), containers named by
//! position (`#0`), so the Kubernetes rules judge the value the operation sets and the finding
//! points at the operation's `value`.

use std::ops::Range;

use crate::formats::yaml::{NodeId, NodeKind, Yaml};

/// A partial manifest made of a patch, and where its pieces come from in the file checked.
#[derive(Debug, Default)]
pub struct PatchDocument {
    pub text: String,
    /// Output ranges (in order) and the source range each was copied or made from; a piece
    /// copied verbatim has ranges of the same length.
    pub map: Vec<(Range<usize>, Range<usize>)>,
}

impl PatchDocument {
    /// The source range behind `range` of the document's text.
    pub fn locate(&self, range: Range<usize>) -> Option<Range<usize>> {
        let index = self
            .map
            .partition_point(|(output, _)| output.end <= range.start);
        let (output, source) = self.map.get(index)?;
        if output.start > range.start {
            return None;
        }
        if output.len() == source.len() {
            let start = source.start + (range.start - output.start);
            let end = (source.start + (range.end.max(range.start) - output.start)).min(source.end);
            Some(start..end.max(start))
        } else {
            Some(source.clone())
        }
    }
}

/// Whether a file may hold patches or generated Secrets (a kustomization with patches or a
/// `secretGenerator`, or a file of JSON 6902 operations): most YAML is neither, and is not
/// looked at further.
pub fn may_hold_patches(text: &str) -> bool {
    text.contains("patches")
        || text.contains("patchesStrategicMerge")
        || text.contains("secretGenerator")
        || may_hold_operations(text)
}

/// Patches of a file (`text`, parsed as `yaml`): the inline patches of a kustomization, or the
/// operations of a JSON 6902 patch file. Empty for anything else.
pub fn patch_documents(text: &str, yaml: &Yaml) -> Vec<PatchDocument> {
    let Some(&root) = yaml.documents.first() else {
        return Vec::new();
    };
    if is_operations(yaml, root) {
        let identity = |range: Range<usize>| range;
        return operations_document(yaml, root, None, &identity)
            .into_iter()
            .collect();
    }
    if !yaml.is_mapping(root) {
        return Vec::new();
    }
    let mut documents = Vec::new();
    let mut inline = Vec::new();
    if let Some(entry) = yaml.get(root, "patchesStrategicMerge") {
        inline.extend(yaml.items(entry.value).iter().map(|&item| (item, None)));
    }
    for key in ["patches", "patchesJson6902"] {
        let Some(entry) = yaml.get(root, key) else {
            continue;
        };
        for &item in yaml.items(entry.value) {
            let Some(patch) = yaml.get(item, "patch") else {
                continue;
            };
            let target = yaml.get(item, "target").and_then(|target| {
                let field = |key| yaml.get(target.value, key).and_then(|e| yaml.str(e.value));
                Some((
                    field("kind")?.to_owned(),
                    field("name").unwrap_or("patched").to_owned(),
                ))
            });
            inline.push((patch.value, target));
        }
    }
    for (node, target) in inline {
        let Some(content) = yaml.str(node) else {
            continue;
        };
        // A path, not a patch.
        if !content.contains('\n') && !content.contains(": ") {
            continue;
        }
        let lines = line_map(text, yaml.span(node), content);
        let Ok(patch) = Yaml::parse(content) else {
            continue;
        };
        let Some(&patch_root) = patch.documents.first() else {
            continue;
        };
        let to_source = |range: Range<usize>| map_through(&lines, range);
        if is_operations(&patch, patch_root) {
            documents.extend(operations_document(
                &patch,
                patch_root,
                target.as_ref(),
                &to_source,
            ));
        } else if patch.is_mapping(patch_root) && content.contains("kind") {
            documents.push(PatchDocument {
                text: content.to_owned(),
                map: lines,
            });
        }
    }
    documents
}

/// A file a `secretGenerator` reads whole into a Secret (`files: [password.txt]`,
/// `files: [key=path]`): its key in the Secret, its path relative to the kustomization, and the
/// entry that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub generator: String,
    pub key: String,
    pub path: String,
    pub entry: Range<usize>,
}

/// The files a kustomization's `secretGenerator`s read (not `envs`, whose `KEY=value` lines are
/// searched for secrets as any file's are).
pub fn generated_secret_files(yaml: &Yaml) -> Vec<GeneratedFile> {
    let Some(&root) = yaml.documents.first() else {
        return Vec::new();
    };
    let Some(generators) = yaml.get(root, "secretGenerator") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for &generator in yaml.items(generators.value) {
        let name = yaml
            .get(generator, "name")
            .and_then(|e| yaml.str(e.value))
            .unwrap_or("generated")
            .to_owned();
        let Some(files) = yaml.get(generator, "files") else {
            continue;
        };
        for &file in yaml.items(files.value) {
            let Some(entry) = yaml.str(file) else {
                continue;
            };
            let (key, path) = match entry.split_once('=') {
                Some((key, path)) => (key.trim(), path.trim()),
                None => (entry.rsplit('/').next().unwrap_or(entry), entry.trim()),
            };
            if path.contains("://") {
                continue;
            }
            found.push(GeneratedFile {
                generator: name.clone(),
                key: key.to_owned(),
                path: path.to_owned(),
                entry: yaml.span(file),
            });
        }
    }
    found
}

/// Whether a line starts a JSON 6902 operation (`- op: add`, `{"op": "add"`).
fn may_hold_operations(text: &str) -> bool {
    text.lines().any(|line| {
        let start = line
            .trim_start()
            .trim_start_matches(['-', '[', '{', ' '])
            .trim_start();
        start.starts_with("op:") || start.starts_with("\"op\"")
    })
}

/// Where each line of a block scalar's content sits in the file: the content is the file's
/// lines with their indentation taken off.
fn line_map(text: &str, span: Range<usize>, content: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let mut map = Vec::new();
    let mut search = span.start.min(text.len());
    let mut at = 0;
    for line in content.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if !body.is_empty()
            && let Some(found) = text[search..span.end.min(text.len())].find(body)
        {
            let start = search + found;
            map.push((at..at + body.len(), start..start + body.len()));
            search = start + body.len();
        }
        at += line.len();
    }
    map
}

fn map_through(lines: &[(Range<usize>, Range<usize>)], range: Range<usize>) -> Range<usize> {
    let index = lines.partition_point(|(output, _)| output.end <= range.start);
    match lines.get(index) {
        Some((output, source)) if output.start <= range.start => {
            let start = source.start + (range.start - output.start);
            let end = (source.start + (range.end - output.start)).min(source.end);
            start..end.max(start)
        }
        _ => lines.last().map_or(0..0, |(_, source)| source.clone()),
    }
}

/// A sequence of mappings with `op` and `path`.
fn is_operations(yaml: &Yaml, root: NodeId) -> bool {
    let items = yaml.items(root);
    !items.is_empty()
        && items
            .iter()
            .all(|&item| yaml.get(item, "op").is_some() && yaml.get(item, "path").is_some())
}

/// A piece of the resource made of operations.
enum Piece {
    Map(Vec<(String, Range<usize>, Piece)>),
    List(Vec<(String, Piece)>),
    /// A value node of the patch.
    Value(NodeId),
}

/// The resource that `add` and `replace` operations make, or `None` when they set nothing.
fn operations_document(
    yaml: &Yaml,
    root: NodeId,
    target: Option<&(String, String)>,
    to_source: &dyn Fn(Range<usize>) -> Range<usize>,
) -> Option<PatchDocument> {
    let mut tree = Piece::Map(Vec::new());
    let mut first_path: Option<Range<usize>> = None;
    let mut kind_hint = "Deployment";
    for &op in yaml.items(root) {
        let name = yaml
            .get(op, "op")
            .and_then(|e| yaml.str(e.value))
            .unwrap_or("");
        if !matches!(name, "add" | "replace") {
            continue;
        }
        let (Some(path), Some(value)) = (yaml.get(op, "path"), yaml.get(op, "value")) else {
            continue;
        };
        let Some(pointer) = yaml.str(path.value) else {
            continue;
        };
        let path_span = to_source(yaml.span(path.value));
        first_path.get_or_insert(path_span.clone());
        let parts: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|part| part.replace("~1", "/").replace("~0", "~"))
            .collect();
        if parts.first().map(String::as_str) == Some("spec") {
            kind_hint = match parts.get(1).map(String::as_str) {
                Some("jobTemplate") => "CronJob",
                Some("containers" | "initContainers") => "Pod",
                _ => kind_hint,
            };
        }
        insert(&mut tree, &parts, value.value, &path_span, 0);
    }
    let Piece::Map(entries) = &tree else {
        return None;
    };
    if entries.is_empty() {
        return None;
    }
    let (kind, name) = target
        .cloned()
        .unwrap_or_else(|| (kind_hint.to_owned(), "patched".to_owned()));
    let api_version = match kind.as_str() {
        "Pod" | "Service" | "Secret" | "ConfigMap" => "v1",
        "Job" | "CronJob" => "batch/v1",
        _ => "apps/v1",
    };
    let header_source = first_path.unwrap_or(0..0);
    let mut document = PatchDocument::default();
    let push = |document: &mut PatchDocument, text: &str, source: Range<usize>| {
        let start = document.text.len();
        document.text.push_str(text);
        document.map.push((start..document.text.len(), source));
    };
    let header = format!(
        "apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {}\n",
        quoted(&name)
    );
    push(&mut document, &header, header_source.clone());
    write_piece(yaml, &tree, 0, &mut document, to_source, &header_source);
    Some(document)
}

/// Lays a value at a path into the tree; list indexes name list items `#0`, `#1`.
fn insert(
    piece: &mut Piece,
    parts: &[String],
    value: NodeId,
    path_span: &Range<usize>,
    depth: usize,
) {
    let Some((first, rest)) = parts.split_first() else {
        *piece = Piece::Value(value);
        return;
    };
    if depth > 64 {
        return;
    }
    let is_index = first == "-" || first.bytes().all(|b| b.is_ascii_digit());
    if is_index && !matches!(piece, Piece::List(_)) {
        *piece = Piece::List(Vec::new());
    } else if !is_index && !matches!(piece, Piece::Map(_)) {
        *piece = Piece::Map(Vec::new());
    }
    match piece {
        Piece::List(items) => {
            let key = format!("#{first}");
            let index = match items.iter().position(|(k, _)| *k == key) {
                Some(index) => index,
                None => {
                    items.push((key, Piece::Map(Vec::new())));
                    items.len() - 1
                }
            };
            insert(&mut items[index].1, rest, value, path_span, depth + 1);
        }
        Piece::Map(entries) => {
            let index = match entries.iter().position(|(k, _, _)| k == first) {
                Some(index) => index,
                None => {
                    entries.push((first.clone(), path_span.clone(), Piece::Map(Vec::new())));
                    entries.len() - 1
                }
            };
            insert(&mut entries[index].2, rest, value, path_span, depth + 1);
        }
        Piece::Value(_) => {}
    }
}

fn write_piece(
    yaml: &Yaml,
    piece: &Piece,
    indent: usize,
    document: &mut PatchDocument,
    to_source: &dyn Fn(Range<usize>) -> Range<usize>,
    source: &Range<usize>,
) {
    let pad = " ".repeat(indent);
    match piece {
        Piece::Map(entries) => {
            for (key, key_source, inner) in entries {
                // The key an operation sets points at the value it sets.
                let key_source = match inner {
                    Piece::Value(node) => to_source(yaml.span(*node)),
                    _ => key_source.clone(),
                };
                let start = document.text.len();
                document.text.push_str(&format!("{pad}{}:", quoted(key)));
                document
                    .map
                    .push((start..document.text.len(), key_source.clone()));
                write_inline_or_nested(yaml, inner, indent, document, to_source, &key_source);
            }
        }
        Piece::List(items) => {
            for (name, inner) in items {
                let start = document.text.len();
                document
                    .text
                    .push_str(&format!("{pad}- name: {}\n", quoted(name)));
                document
                    .map
                    .push((start..document.text.len(), source.clone()));
                if let Piece::Map(_) = inner {
                    write_piece(yaml, inner, indent + 2, document, to_source, source);
                }
            }
        }
        Piece::Value(node) => write_value(yaml, *node, indent, document, to_source, 0),
    }
}

/// What follows a key (`key:`) or a list item's dash: a scalar on the same line, anything
/// else on the lines below, two columns deeper.
fn write_inline_or_nested(
    yaml: &Yaml,
    inner: &Piece,
    indent: usize,
    document: &mut PatchDocument,
    to_source: &dyn Fn(Range<usize>) -> Range<usize>,
    source: &Range<usize>,
) {
    match inner {
        Piece::Value(node) => write_after_key(yaml, *node, indent, document, to_source, 0),
        Piece::List(_) | Piece::Map(_) => {
            document.text.push('\n');
            write_piece(yaml, inner, indent + 2, document, to_source, source);
        }
    }
}

/// A value node after its key or dash: on the same line when a scalar, else below it.
fn write_after_key(
    yaml: &Yaml,
    node: NodeId,
    indent: usize,
    document: &mut PatchDocument,
    to_source: &dyn Fn(Range<usize>) -> Range<usize>,
    depth: usize,
) {
    document
        .text
        .push(if is_scalar(yaml, node) { ' ' } else { '\n' });
    write_value(yaml, node, indent + 2, document, to_source, depth);
}

fn is_scalar(yaml: &Yaml, node: NodeId) -> bool {
    matches!(yaml.node(yaml.resolve(node)).kind, NodeKind::Scalar { .. })
}

/// A value node of the patch, written as YAML with each scalar mapped to where it is written.
fn write_value(
    yaml: &Yaml,
    node: NodeId,
    indent: usize,
    document: &mut PatchDocument,
    to_source: &dyn Fn(Range<usize>) -> Range<usize>,
    depth: usize,
) {
    let node = yaml.resolve(node);
    let pad = " ".repeat(indent);
    if depth > 64 {
        document.text.push_str("null\n");
        return;
    }
    match &yaml.node(node).kind {
        NodeKind::Scalar { plain, .. } => {
            let text = yaml.str(node).unwrap_or_default();
            let written = if *plain && !text.contains('\n') && !text.is_empty() {
                text.to_owned()
            } else {
                serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
            };
            let start = document.text.len();
            document.text.push_str(&written);
            let source = yaml
                .content_span(node)
                .filter(|span| span.len() == written.len())
                .unwrap_or_else(|| yaml.span(node));
            document
                .map
                .push((start..document.text.len(), to_source(source)));
            document.text.push('\n');
        }
        NodeKind::Sequence(items) => {
            if items.is_empty() {
                document.text.push_str(&format!("{pad}[]\n"));
            }
            for &item in items.iter() {
                document.text.push_str(&format!("{pad}-"));
                write_after_key(yaml, item, indent, document, to_source, depth + 1);
            }
        }
        NodeKind::Mapping(pairs) => {
            if pairs.is_empty() {
                document.text.push_str(&format!("{pad}{{}}\n"));
            }
            for &(key, value) in pairs.iter() {
                let name = yaml.str(key).unwrap_or_default();
                let start = document.text.len();
                document.text.push_str(&format!("{pad}{}:", quoted(name)));
                document
                    .map
                    .push((start..document.text.len(), to_source(yaml.span(key))));
                write_after_key(yaml, value, indent, document, to_source, depth + 1);
            }
        }
        NodeKind::Alias(_) => document.text.push_str("null\n"),
    }
}

/// A key or name as a YAML scalar.
fn quoted(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if plain && !text.starts_with(['-', '.']) {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch_documents_of(text: &str) -> Vec<PatchDocument> {
        patch_documents(text, &Yaml::parse(text).unwrap())
    }

    #[test]
    fn files_a_secret_generator_reads() {
        let text = "secretGenerator:\n  - name: db\n    files:\n      - password.txt\n      - tls.key=certs/server.key\n    envs: [db.env]\n";
        let files = generated_secret_files(&Yaml::parse(text).unwrap());
        assert_eq!(files.len(), 2);
        assert_eq!(
            (files[0].key.as_str(), files[0].path.as_str()),
            ("password.txt", "password.txt")
        );
        assert_eq!(
            (files[1].key.as_str(), files[1].path.as_str()),
            ("tls.key", "certs/server.key")
        );
        assert_eq!(&text[files[1].entry.clone()], "tls.key=certs/server.key");
    }

    #[test]
    fn inline_patches_keep_their_lines() {
        let text = "resources: [../base]\npatches:\n  - target: {kind: Deployment, name: web}\n    patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n      spec:\n        template:\n          spec:\n            containers:\n              - name: web\n                securityContext:\n                  privileged: true\n";
        let documents = patch_documents_of(text);
        assert_eq!(documents.len(), 1);
        let document = &documents[0];
        let at = document.text.find("privileged: true").unwrap();
        let source = document.locate(at..at + 16).unwrap();
        assert_eq!(&text[source], "privileged: true");
    }

    #[test]
    fn operations_become_a_resource_pointing_at_their_values() {
        let text = "- op: add\n  path: /spec/template/spec/containers/0/securityContext\n  value:\n    privileged: true\n    runAsUser: 0\n- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: nginx:latest\n- op: remove\n  path: /spec/replicas\n";
        let documents = patch_documents_of(text);
        assert_eq!(documents.len(), 1, "{documents:?}");
        let document = &documents[0];
        assert!(
            document
                .text
                .starts_with("apiVersion: apps/v1\nkind: Deployment\n"),
            "{}",
            document.text
        );
        let yaml = Yaml::parse(&document.text).unwrap();
        assert_eq!(yaml.documents.len(), 1, "{}", document.text);
        for wanted in ["true", "0", "nginx:latest"] {
            let at = document.text.find(&format!(" {wanted}\n")).unwrap() + 1;
            let source = document.locate(at..at + wanted.len()).unwrap();
            assert_eq!(&text[source], wanted);
        }
        assert!(
            document.text.contains("- name: \"#0\"\n"),
            "{}",
            document.text
        );
        assert!(patch_documents_of("apiVersion: v1\nkind: Pod\n").is_empty());
    }
}
