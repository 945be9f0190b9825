//! `replacements`: a value copied from a field of one resource into fields of others, the way
//! overlays set an image, a port or a name once and reuse it. Field paths are Kustomize's:
//! keys separated by dots (`spec.template.spec.containers`), a key with dots in brackets
//! (`metadata.labels.[app.kubernetes.io/name]`), list items by position (`args.3`), by a field's
//! value (`[name=web]`) or all of them (`*`). A copied value keeps the origin of the field it was
//! copied from: that line is what set it.

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
