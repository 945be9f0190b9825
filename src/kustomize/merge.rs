//! Patches on resources: strategic merge (maps merged, lists of named things merged by their
//! key, `$patch: delete` and `replace`, `null` deleting a field) and JSON 6902 operations, and
//! the `images` transformer. A value a patch sets keeps the patch's origin.

use std::rc::Rc;

use crate::helm::value::{Map, Value};

use super::ImageChange;

/// The key that names the items of a list field, for the lists Kubernetes merges by key.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "volumeDevices"
        | "resourceClaims"
        | "readinessGates" => "name",
        "ports" => "containerPort",
        "volumeMounts" => "mountPath",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    })
}

fn directive(value: &Value) -> Option<String> {
    value
        .as_map()
        .and_then(|m| m.get("$patch").map(Value::to_text))
}

/// `base` with the strategic merge patch `patch` applied.
pub fn strategic(base: &Value, patch: &Value) -> Value {
    if directive(patch).as_deref() == Some("delete") {
        let merged = base.deep_copy();
        if let Value::Map(map) = &merged {
            map.borrow_mut().insert("$patch", Value::from("delete"));
        }
        return merged;
    }
    merge_map(base, patch, 0)
}

/// Whether a patch deleted the resource.
pub fn is_deleted(resource: &Value) -> bool {
    directive(resource).as_deref() == Some("delete")
}

fn merge_map(base: &Value, patch: &Value, depth: usize) -> Value {
    let (Value::Map(base_map), Value::Map(patch_map)) = (base, patch) else {
        return patch.deep_copy();
    };
    if depth > 64 {
        return base.clone();
    }
    let patch_map = patch_map.borrow();
    if patch_map.get("$patch").map(Value::to_text).as_deref() == Some("replace") {
        let mut replaced = patch_map.clone();
        replaced.entries.remove("$patch");
        return Value::map(replaced);
    }
    let mut merged: Map = base_map.borrow().clone();
    for (key, value) in &patch_map.entries {
        if key.starts_with('$') {
            continue;
        }
        if matches!(value, Value::Nil) {
            merged.entries.remove(key);
            merged.origins.remove(key);
            continue;
        }
        // What the patch reaches into or repeats keeps the base's place: the line that set a
        // value last is the one that changed it.
        let (combined, changed) = match (merged.entries.get(key), value) {
            (Some(existing @ Value::Map(_)), Value::Map(_)) => {
                (merge_map(existing, value, depth + 1), false)
            }
            (Some(Value::List(existing)), Value::List(items)) => match merge_key(key) {
                Some(name) => (merge_list(existing, items, name, depth), false),
                None => (value.deep_copy(), true),
            },
            (Some(existing), _) if same_scalar(existing, value) => (existing.clone(), false),
            _ => (value.deep_copy(), true),
        };
        merged.entries.insert(key.clone(), combined);
        let base_origin = base_map.borrow().origins.get(key).copied();
        match (changed, patch_map.origins.get(key), base_origin) {
            (false, _, Some(origin)) | (_, Some(&origin), _) => {
                merged.origins.insert(key.clone(), origin);
            }
            _ => {
                merged.origins.remove(key);
            }
        }
    }
    Value::map(merged)
}

fn same_scalar(a: &Value, b: &Value) -> bool {
    !matches!(a, Value::Map(_) | Value::List(_))
        && !matches!(b, Value::Map(_) | Value::List(_))
        && a.to_text() == b.to_text()
}

fn merge_list(base: &[Value], patch: &[Value], key: &str, depth: usize) -> Value {
    let key_of = |item: &Value| item.as_map().and_then(|m| m.get(key).map(Value::to_text));
    // The patch's items come first, in its order (merged with the base's item of the same key),
    // then the base's items the patch does not name, as Kustomize writes them.
    let mut rest: Vec<Option<Value>> = base.iter().cloned().map(Some).collect();
    let mut merged = Vec::new();
    for item in patch {
        let Some(wanted) = key_of(item) else {
            merged.push(item.deep_copy());
            continue;
        };
        let found = rest
            .iter()
            .position(|existing| existing.as_ref().and_then(key_of).as_deref() == Some(&wanted));
        let existing = found.and_then(|index| rest[index].take());
        match (existing, directive(item).as_deref()) {
            (_, Some("delete")) => {}
            (Some(existing), _) => merged.push(merge_map(&existing, item, depth + 1)),
            (None, _) => merged.push(item.deep_copy()),
        }
    }
    merged.extend(rest.into_iter().flatten());
    Value::list(merged)
}

/// Applies a list of JSON 6902 operations to a resource, in place.
pub fn json6902(resource: &mut Value, operations: &Value) -> Result<(), String> {
    let Value::List(operations) = operations else {
        return Ok(());
    };
    for operation in operations.iter() {
        let Some(op) = operation.as_map().map(|m| m.clone()) else {
            continue;
        };
        let name = op.get("op").map(Value::to_text).unwrap_or_default();
        let path = pointer(&op.get("path").map(Value::to_text).unwrap_or_default());
        let value = op.get("value").cloned().unwrap_or_default();
        let origin = op.origins.get("value").copied();
        let result = match name.as_str() {
            "add" => change(resource, &path, Change::Add(value, origin), 0),
            "replace" => change(resource, &path, Change::Replace(value, origin), 0),
            "remove" => change(resource, &path, Change::Remove, 0),
            "copy" | "move" => {
                let from = pointer(&op.get("from").map(Value::to_text).unwrap_or_default());
                let Some(found) = get(resource, &from) else {
                    return Err(format!("JSON patch: `{}` not found", from.join("/")));
                };
                if name == "move" {
                    change(resource, &from, Change::Remove, 0)?;
                }
                change(resource, &path, Change::Add(found.deep_copy(), None), 0)
            }
            _ => Ok(resource.clone()),
        };
        *resource = result?;
    }
    Ok(())
}

fn pointer(path: &str) -> Vec<String> {
    path.split('/')
        .skip(1)
        .map(|part| part.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn get(value: &Value, path: &[String]) -> Option<Value> {
    let mut current = value.clone();
    for part in path {
        let next = match &current {
            Value::Map(map) => map.borrow().get(part).cloned(),
            Value::List(items) => part
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i).cloned()),
            _ => None,
        }?;
        current = next;
    }
    Some(current)
}

enum Change {
    Add(Value, Option<crate::helm::value::Origin>),
    Replace(Value, Option<crate::helm::value::Origin>),
    Remove,
}

/// The value with one operation applied at `path`.
fn change(node: &Value, path: &[String], how: Change, depth: usize) -> Result<Value, String> {
    let Some((first, rest)) = path.split_first() else {
        return match how {
            Change::Add(value, _) | Change::Replace(value, _) => Ok(value),
            Change::Remove => Ok(Value::Nil),
        };
    };
    if depth > 64 {
        return Err("JSON patch: path too deep".to_owned());
    }
    match node {
        Value::Map(map) => {
            let mut copy = map.borrow().clone();
            if rest.is_empty() {
                match how {
                    Change::Add(value, origin) | Change::Replace(value, origin) => {
                        copy.entries.insert(first.clone(), value);
                        match origin {
                            Some(origin) => {
                                copy.origins.insert(first.clone(), origin);
                            }
                            None => {
                                copy.origins.remove(first);
                            }
                        }
                    }
                    Change::Remove => {
                        copy.entries.remove(first);
                        copy.origins.remove(first);
                    }
                }
                return Ok(Value::map(copy));
            }
            let child = copy
                .entries
                .get(first)
                .cloned()
                .ok_or_else(|| format!("JSON patch: `{first}` not found"))?;
            let changed = change(&child, rest, how, depth + 1)?;
            copy.entries.insert(first.clone(), changed);
            Ok(Value::map(copy))
        }
        Value::List(items) => {
            let mut copy: Vec<Value> = items.to_vec();
            let index = if first == "-" {
                copy.len()
            } else {
                first
                    .parse::<usize>()
                    .map_err(|_| format!("JSON patch: `{first}` is not a list index"))?
            };
            if rest.is_empty() {
                match how {
                    Change::Add(value, _) if index <= copy.len() => copy.insert(index, value),
                    Change::Replace(value, _) if index < copy.len() => copy[index] = value,
                    Change::Remove if index < copy.len() => {
                        copy.remove(index);
                    }
                    _ => return Err(format!("JSON patch: index {index} out of range")),
                }
                return Ok(Value::List(Rc::new(copy)));
            }
            let child = copy
                .get(index)
                .cloned()
                .ok_or_else(|| format!("JSON patch: index {index} out of range"))?;
            copy[index] = change(&child, rest, how, depth + 1)?;
            Ok(Value::List(Rc::new(copy)))
        }
        _ => Err(format!("JSON patch: `{first}` not found")),
    }
}

/// The `images` transformer on one resource: every container whose image has the name gets the
/// new name, tag or digest.
pub fn images(resource: &Value, change: &ImageChange) {
    let mut pending = vec![resource.clone()];
    let mut steps = 0;
    while let Some(node) = pending.pop() {
        steps += 1;
        if steps > 100_000 {
            return;
        }
        match &node {
            Value::Map(map) => {
                let image = map
                    .borrow()
                    .get("image")
                    .and_then(|i| i.as_str().map(str::to_owned));
                let is_container = map.borrow().get("name").is_some();
                if let (Some(image), true) = (image, is_container)
                    && let Some(new) = changed_image(&image, change)
                {
                    let mut map = map.borrow_mut();
                    map.insert("image", Value::from(new));
                    if let Some(origin) = change.origin {
                        map.origins.insert("image".to_owned(), origin);
                    }
                }
                pending.extend(map.borrow().entries.values().cloned());
            }
            Value::List(items) => pending.extend(items.iter().cloned()),
            _ => {}
        }
    }
}

fn changed_image(image: &str, change: &ImageChange) -> Option<String> {
    let (without_digest, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    // A colon after the last slash starts the tag.
    let (name, tag) = match without_digest.rfind(':') {
        Some(at) if !without_digest[at..].contains('/') => {
            (&without_digest[..at], Some(&without_digest[at + 1..]))
        }
        _ => (without_digest, None),
    };
    if name != change.name {
        return None;
    }
    let name = change.new_name.as_deref().unwrap_or(name);
    Some(match (&change.digest, &change.new_tag, tag, digest) {
        (Some(new), _, _, _) => format!("{name}@{new}"),
        (None, Some(new), _, _) => format!("{name}:{new}"),
        (None, None, Some(tag), Some(digest)) => format!("{name}:{tag}@{digest}"),
        (None, None, Some(tag), None) => format!("{name}:{tag}"),
        (None, None, None, Some(digest)) => format!("{name}@{digest}"),
        (None, None, None, None) => name.to_owned(),
    })
}

/// Updates the names by which resources refer to others that were renamed (`kind`, old name,
/// new name): ConfigMaps and Secrets in pod specs (`env`, `envFrom`, volumes, pull secrets),
/// claims, service accounts, and the roles and accounts of bindings.
pub fn rename_references(resource: &Value, renamed: &[(String, String, String)]) {
    if renamed.is_empty() {
        return;
    }
    let new_name = |kind: &str, old: &str| {
        renamed
            .iter()
            .find(|(k, o, _)| k == kind && o == old)
            .map(|(_, _, new)| new.clone())
    };
    // (key holding a name, the key's parent field, the kind it names)
    const REFERENCES: &[(&str, &str, &str)] = &[
        ("name", "configMapKeyRef", "ConfigMap"),
        ("name", "configMapRef", "ConfigMap"),
        ("name", "configMap", "ConfigMap"),
        ("name", "secretKeyRef", "Secret"),
        ("name", "secretRef", "Secret"),
        ("secretName", "secret", "Secret"),
        ("name", "imagePullSecrets", "Secret"),
        (
            "claimName",
            "persistentVolumeClaim",
            "PersistentVolumeClaim",
        ),
    ];
    let mut pending = vec![(String::new(), resource.clone())];
    let mut steps = 0;
    while let Some((field, node)) = pending.pop() {
        steps += 1;
        if steps > 100_000 {
            return;
        }
        match &node {
            Value::Map(map) => {
                let mut changes = Vec::new();
                {
                    let map = map.borrow();
                    for (key, parent, kind) in REFERENCES {
                        if field == *parent
                            && let Some(old) =
                                map.get(key).and_then(|v| v.as_str().map(str::to_owned))
                            && let Some(new) = new_name(kind, &old)
                        {
                            changes.push((*key, new));
                        }
                    }
                    if let Some(old) = map
                        .get("serviceAccountName")
                        .and_then(|v| v.as_str().map(str::to_owned))
                        && let Some(new) = new_name("ServiceAccount", &old)
                    {
                        changes.push(("serviceAccountName", new));
                    }
                    if field == "roleRef"
                        && let (Some(kind), Some(old)) = (
                            map.get("kind").map(Value::to_text),
                            map.get("name").map(Value::to_text),
                        )
                        && let Some(new) = new_name(&kind, &old)
                    {
                        changes.push(("name", new));
                    }
                    if field == "subjects"
                        && map.get("kind").map(Value::to_text).as_deref() == Some("ServiceAccount")
                        && let Some(old) = map.get("name").map(Value::to_text)
                        && let Some(new) = new_name("ServiceAccount", &old)
                    {
                        changes.push(("name", new));
                    }
                }
                for (key, new) in changes {
                    map.borrow_mut().insert(key, Value::from(new));
                }
                for (key, value) in &map.borrow().entries {
                    pending.push((key.clone(), value.clone()));
                }
            }
            // Items of a list are under the list's own field (`imagePullSecrets: [{name}]`).
            Value::List(items) => {
                pending.extend(items.iter().map(|item| (field.clone(), item.clone())))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::yaml::Yaml;
    use crate::helm::value::from_yaml_core;

    fn value(text: &str) -> Value {
        let yaml = Yaml::parse(text).unwrap();
        from_yaml_core(&yaml, yaml.documents[0], None)
    }

    fn names(list: &Value) -> Vec<String> {
        match list {
            Value::List(items) => items
                .iter()
                .map(|i| super::super::text_at(i, &["name"]))
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn a_patch_names_its_items_first_in_its_order() {
        let base = value(
            "containers:\n  - {name: a, image: a}\n  - {name: b, image: b}\n  - {name: c, image: c}\n",
        );
        let patch = value(
            "containers:\n  - {name: c, image: c2}\n  - {name: new, image: n}\n  - {name: a, $patch: delete}\n",
        );
        let merged = strategic(&base, &patch);
        let containers = merged.as_map().unwrap().get("containers").cloned().unwrap();
        assert_eq!(names(&containers), ["c", "new", "b"]);
        let Value::List(items) = &containers else {
            unreachable!()
        };
        assert_eq!(super::super::text_at(&items[0], &["image"]), "c2");
        // `n` is a string to Kustomize, not YAML 1.1's false.
        assert_eq!(super::super::text_at(&items[1], &["image"]), "n");
    }
}
