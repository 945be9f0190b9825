//! `replacements`: a value copied from a field of one resource into fields of others, the way
//! overlays set an image, a port or a name once and reuse it. Field paths are Kustomize's:
//! keys separated by dots (`spec.template.spec.containers`), a key with dots in brackets
//! (`metadata.labels.[app.kubernetes.io/name]`), list items by position (`args.3`), by a field's
//! value (`[name=web]`) or all of them (`*`). A copied value keeps the origin of the field it was
//! copied from: that line is what set it.
//!
//! `vars`, the older way: `$(NAME)` in a container's `command`, `args` or `env` values (and an
//! Ingress's hosts) becomes the field (`metadata.name` by default) of the object a var names,
//! once the build is whole.

use crate::helm::value::{Map, Origin, Value};

use super::{Target, text_at};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
    Match(String, String),
    All,
}

fn steps(path: &str) -> Vec<Step> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            '.' if depth == 0 => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|part| !part.is_empty())
        .map(|part| {
            if let Some(inner) = part.strip_prefix('[').and_then(|p| p.strip_suffix(']')) {
                match inner.split_once('=') {
                    Some((field, value)) => Step::Match(field.to_owned(), value.to_owned()),
                    None => Step::Key(inner.to_owned()),
                }
            } else if part == "*" {
                Step::All
            } else if let Ok(index) = part.parse() {
                Step::Index(index)
            } else {
                Step::Key(part)
            }
        })
        .collect()
}

/// The value at `path` of `node`, with the origin of the map entry that holds it.
fn get(node: &Value, path: &[Step]) -> Option<(Value, Option<Origin>)> {
    let mut current = node.clone();
    let mut origin = None;
    for step in path {
        let next = match (step, &current) {
            (Step::Key(key), Value::Map(map)) => {
                let map = map.borrow();
                origin = map.origins.get(key).copied();
                map.get(key).cloned()
            }
            (Step::Index(index), Value::List(items)) => items.get(*index).cloned(),
            (Step::Match(field, wanted), Value::List(items)) => items
                .iter()
                .find(|item| text_at(item, &[field]) == *wanted)
                .cloned(),
            _ => None,
        };
        current = next?;
    }
    Some((current, origin))
}

/// Sets `new` at `path` of `node` (every match of `*`); maps missing on the way are made only
/// with `create`. How many places were set.
fn set(node: &Value, path: &[Step], new: &Value, origin: Option<Origin>, create: bool) -> usize {
    let Some((step, rest)) = path.split_first() else {
        return 0;
    };
    match (step, node) {
        (Step::Key(key), Value::Map(map)) => {
            if rest.is_empty() {
                let mut map = map.borrow_mut();
                if !create && map.get(key).is_none() {
                    return 0;
                }
                map.insert(key.clone(), new.clone());
                if let Some(origin) = origin {
                    map.origins.insert(key.clone(), origin);
                }
                return 1;
            }
            let child = map.borrow().get(key).cloned();
            let child = match child {
                Some(child) => child,
                None if create => {
                    let made = Value::map(Map::default());
                    map.borrow_mut().insert(key.clone(), made.clone());
                    made
                }
                None => return 0,
            };
            set(&child, rest, new, origin, create)
        }
        (Step::Index(index), Value::List(items)) => items
            .get(*index)
            .map_or(0, |item| set(item, rest, new, origin, create)),
        (Step::Match(field, wanted), Value::List(items)) => items
            .iter()
            .filter(|item| text_at(item, &[field]) == *wanted)
            .map(|item| set(item, rest, new, origin, create))
            .sum(),
        (Step::All, Value::List(items)) => items
            .iter()
            .map(|item| set(item, rest, new, origin, create))
            .sum(),
        _ => 0,
    }
}

/// Sets a list item: the list is rebuilt and put back into the map that holds it.
fn set_item(node: &Value, path: &[Step], new: &Value) -> usize {
    let [parents @ .., Step::Key(key), Step::Index(index)] = path else {
        return 0;
    };
    let Some((parent, _)) = get(node, parents) else {
        return 0;
    };
    let Value::Map(map) = &parent else {
        return 0;
    };
    let Some(Value::List(items)) = map.borrow().get(key).cloned() else {
        return 0;
    };
    if *index >= items.len() {
        return 0;
    }
    let mut items = items.to_vec();
    items[*index] = new.clone();
    map.borrow_mut()
        .entries
        .insert(key.clone(), Value::list(items));
    1
}

/// `options.delimiter` and `options.index`: the part of a string a replacement reads or writes.
fn part(options: Option<&Value>) -> Option<(String, usize)> {
    let options = options?.as_map()?.clone();
    let delimiter = options.get("delimiter").map(Value::to_text)?;
    let index = options
        .get("index")
        .and_then(|i| i.to_text().parse().ok())
        .unwrap_or(0);
    Some((delimiter, index))
}

/// Applies one replacement (`source` and `targets`) to `resources`.
pub(super) fn apply(
    resources: &mut [Value],
    replacement: &Map,
    problems: &mut Vec<String>,
) -> Result<(), String> {
    let source = replacement
        .get("source")
        .and_then(Value::as_map)
        .map(|m| m.clone())
        .ok_or("a replacement without a source")?;
    let select = Target::read(&Value::map(source.clone())).unwrap_or_default();
    let from: Vec<&Value> = resources.iter().filter(|r| select.selects(r)).collect();
    let [resource] = from[..] else {
        return Err(format!(
            "a replacement's source selects {} resources, not one",
            from.len()
        ));
    };
    let field = source
        .get("fieldPath")
        .map(Value::to_text)
        .unwrap_or_else(|| "metadata.name".to_owned());
    let (mut value, origin) =
        get(resource, &steps(&field)).ok_or(format!("a replacement's source has no `{field}`"))?;
    if let Some((delimiter, index)) = part(source.get("options")) {
        let text = value.to_text();
        value = Value::from(
            text.split(delimiter.as_str())
                .nth(index)
                .unwrap_or_default(),
        );
    }
    let Some(Value::List(targets)) = replacement.get("targets") else {
        return Ok(());
    };
    for target in targets.iter() {
        let Some(target) = target.as_map().map(|m| m.clone()) else {
            continue;
        };
        let select = target
            .get("select")
            .and_then(Target::read)
            .unwrap_or_default();
        let rejects: Vec<Target> = match target.get("reject") {
            Some(Value::List(items)) => items.iter().filter_map(Target::read).collect(),
            _ => Vec::new(),
        };
        let options = target.get("options");
        let create = options
            .and_then(|o| o.as_map().and_then(|m| m.get("create").cloned()))
            .is_some_and(|c| c.truthy());
        let Some(Value::List(paths)) = target.get("fieldPaths") else {
            continue;
        };
        for resource in resources.iter() {
            if !select.selects(resource) || rejects.iter().any(|r| r.selects(resource)) {
                continue;
            }
            for path in paths.iter() {
                let path = steps(&path.to_text());
                let new = match part(options) {
                    Some((delimiter, index)) => {
                        let old = get(resource, &path).map(|(v, _)| v.to_text());
                        let mut parts: Vec<String> = old
                            .unwrap_or_default()
                            .split(delimiter.as_str())
                            .map(str::to_owned)
                            .collect();
                        if index < parts.len() {
                            parts[index] = value.to_text();
                        } else {
                            parts.push(value.to_text());
                        }
                        Value::from(parts.join(&delimiter))
                    }
                    None => value.deep_copy(),
                };
                // Written into a string, a number or a boolean becomes its text.
                let new = match (get(resource, &path), &new) {
                    (
                        Some((Value::Str(_), _)),
                        Value::Int(_) | Value::Float(_) | Value::Bool(_),
                    ) => Value::from(new.to_text()),
                    _ => new,
                };
                let done = match path.last() {
                    Some(Step::Index(_)) => set_item(resource, &path, &new),
                    _ => set(resource, &path, &new, origin, create),
                };
                if done == 0 && !create {
                    problems.push(format!(
                        "a replacement's target {} has no `{}`",
                        super::name(resource),
                        path_text(&path)
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The value of every var: its name and text, and the vars that cannot be resolved.
pub(super) fn var_values(
    resources: &[Value],
    vars: &[Map],
    renamed: &[(String, String, String)],
) -> (Vec<(String, String)>, Vec<String>) {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for var in vars {
        let name = var.get("name").map(Value::to_text).unwrap_or_default();
        let object = var.get("objref").cloned().unwrap_or_default();
        let kind = text_at(&object, &["kind"]);
        // Its name after every prefix and suffix the build gave it.
        let mut wanted = text_at(&object, &["name"]);
        for (renamed_kind, old, new) in renamed {
            if *renamed_kind == kind && *old == wanted {
                wanted = new.clone();
            }
        }
        let field = var
            .get("fieldref")
            .map(|f| text_at(f, &["fieldpath"]))
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| "metadata.name".to_owned());
        let found = resources
            .iter()
            .find(|r| super::kind(r) == kind && super::name(r) == wanted)
            .and_then(|r| get(r, &steps(&field)));
        match found {
            Some((value, _)) => values.push((name, value.to_text())),
            None => problems.push(format!("var `{name}` names no {kind} `{wanted}`")),
        }
    }
    (values, problems)
}

/// `$(NAME)` replaced by the var's value in the fields Kustomize substitutes vars in.
pub(super) fn substitute_vars(resources: &[Value], values: &[(String, String)]) {
    if values.is_empty() {
        return;
    }
    let replaced = |text: &str| -> Option<Value> {
        let mut out = text.to_owned();
        for (name, value) in values {
            out = out.replace(&format!("$({name})"), value);
        }
        (out != text).then(|| Value::from(out))
    };
    fn walk(node: &Value, replaced: &dyn Fn(&str) -> Option<Value>, depth: usize) {
        if depth > 64 {
            return;
        }
        match node {
            Value::Map(map) => {
                let keys: Vec<String> = map.borrow().entries.keys().cloned().collect();
                for key in keys {
                    let Some(value) = map.borrow().get(&key).cloned() else {
                        continue;
                    };
                    let new = match (key.as_str(), &value) {
                        ("command" | "args" | "hosts", Value::List(items)) => {
                            let items: Vec<Value> = items
                                .iter()
                                .map(|item| match item {
                                    Value::Str(text) => replaced(text).unwrap_or(item.clone()),
                                    other => other.clone(),
                                })
                                .collect();
                            Some(Value::list(items))
                        }
                        ("env", Value::List(items)) => {
                            for item in items.iter() {
                                if let Value::Map(entry) = item {
                                    let text = entry
                                        .borrow()
                                        .get("value")
                                        .and_then(|v| v.as_str().map(str::to_owned));
                                    if let Some(new) = text.as_deref().and_then(replaced) {
                                        entry.borrow_mut().entries.insert("value".to_owned(), new);
                                    }
                                }
                            }
                            None
                        }
                        ("host", Value::Str(text)) => replaced(text),
                        _ => {
                            walk(&value, replaced, depth + 1);
                            None
                        }
                    };
                    if let Some(new) = new {
                        map.borrow_mut().entries.insert(key, new);
                    }
                }
            }
            Value::List(items) => {
                for item in items.iter() {
                    walk(item, replaced, depth + 1);
                }
            }
            _ => {}
        }
    }
    // Kustomize substitutes in the pod templates of the kinds it knows, and in Ingresses.
    const KINDS: &[&str] = &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "Job",
        "CronJob",
        "Ingress",
    ];
    for resource in resources {
        if KINDS.contains(&super::kind(resource).as_str()) {
            walk(resource, &replaced, 0);
        }
    }
}

fn path_text(path: &[Step]) -> String {
    path.iter()
        .map(|step| match step {
            Step::Key(key) => key.clone(),
            Step::Index(index) => index.to_string(),
            Step::Match(field, value) => format!("[{field}={value}]"),
            Step::All => "*".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_read_as_kustomize_reads_them() {
        assert_eq!(
            steps("spec.template.spec.containers.[name=web].args.3"),
            [
                Step::Key("spec".into()),
                Step::Key("template".into()),
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Match("name".into(), "web".into()),
                Step::Key("args".into()),
                Step::Index(3),
            ]
        );
        assert_eq!(
            steps("metadata.labels.[app.kubernetes.io/name]"),
            [
                Step::Key("metadata".into()),
                Step::Key("labels".into()),
                Step::Key("app.kubernetes.io/name".into()),
            ]
        );
        assert_eq!(steps("spec.ports.*.port")[2], Step::All);
    }
}
