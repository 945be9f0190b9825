//! Kustomize overlays, built in-process: no `kustomize` or `kubectl` binary, no network.
//!
//! A kustomization's `resources` (files, directories, other kustomizations), `components`,
//! generators (`configMapGenerator`, `secretGenerator`), patches (strategic merge and JSON 6902,
//! from files or inline, with targets; `patchesStrategicMerge`, `patchesJson6902`), `images`,
//! `replicas`, `namePrefix`/`nameSuffix`, `namespace`, `commonLabels`/`labels` and
//! `commonAnnotations` are applied in Kustomize's order. Values keep where they were written
//! (their source file and offset), so the base or patch line that
//! set a value last is known. Remote resources are left out and said.

mod merge;
mod replace;

use std::collections::BTreeMap;
use std::rc::Rc;

use sha2::Digest as _;

use crate::formats::yaml::Yaml;
use crate::helm::value::{self, Map, Origin, Value};
use crate::paths::join_relative as join;

/// File names Kustomize reads as a directory's kustomization.
pub use crate::formats::kustomize::FILE_NAMES;

/// Kustomizations nest at most this deep (a base of a base of …).
const MAX_DEPTH: usize = 32;
/// Resources one build makes at most.
const MAX_RESOURCES: usize = 10_000;

/// Reads the files of a build, relative to the directory of the top kustomization (`/`-separated,
/// `..` allowed where the repository has room): their text, when they are regular files inside
/// the repository. `None` for anything else.
pub type Read<'r> = &'r dyn Fn(&str) -> Option<String>;

/// A built overlay.
#[derive(Default)]
pub struct Build {
    /// The resources, in Kustomize's output order.
    pub resources: Vec<Value>,
    /// Every file read, by the index origins refer to: path relative to the top kustomization's
    /// directory, and text.
    pub sources: Vec<(String, Rc<str>)>,
    /// What kept the build from being whole (a remote resource, a missing file).
    pub problems: Vec<String>,
    /// Sources holding a patch that changed no resource: what they set is not in the build.
    pub unmatched: Vec<u32>,
    /// Generator entries that read a file whole into a value (`files: [password.txt]`): the
    /// entry's origin, and the file's source.
    pub read_whole: Vec<(Origin, u32)>,
}

/// Builds the kustomization in the directory `directory` (relative path, `""` for the top).
pub fn build(read: Read<'_>) -> Build {
    let mut builder = Builder {
        read,
        build: Build::default(),
        stack: Vec::new(),
        generated: Vec::new(),
        source_index: std::collections::HashMap::new(),
        vars: Vec::new(),
        renamed: Vec::new(),
    };
    let resources = builder.kustomization("", 0).unwrap_or_default();
    let values = replace::var_values(&resources, &builder.vars, &builder.renamed);
    for problem in &values.1 {
        builder.build.problems.push(problem.clone());
    }
    replace::substitute_vars(&resources, &values.0);
    builder.build.resources = sorted(resources);
    builder.build
}

struct Builder<'r> {
    read: Read<'r>,
    build: Build,
    /// Kustomizations being built, to refuse a cycle.
    stack: Vec<String>,
    /// Generated ConfigMaps and Secrets: kind, name as written, name with its hash.
    generated: Vec<(String, String, String)>,
    /// Each source's index, by path.
    source_index: std::collections::HashMap<String, u32>,
    /// The `vars` of every kustomization of the build, resolved once it is whole.
    vars: Vec<Map>,
    /// Every rename by `namePrefix`/`nameSuffix`: kind, old name, new name.
    renamed: Vec<(String, String, String)>,
}

impl Builder<'_> {
    fn source(&mut self, path: &str, text: &str) -> u32 {
        if let Some(&index) = self.source_index.get(path) {
            return index;
        }
        let index = self.build.sources.len() as u32;
        self.build.sources.push((path.to_owned(), Rc::from(text)));
        self.source_index.insert(path.to_owned(), index);
        index
    }

    /// A file of the build, read and kept as a source; one that cannot be read is a problem of
    /// the build.
    fn read_source(&mut self, path: &str) -> Option<(String, u32)> {
        match (self.read)(path) {
            Some(text) => {
                let source = self.source(path, &text);
                Some((text, source))
            }
            None => {
                self.build.problems.push(format!("{path}: cannot be read"));
                None
            }
        }
    }

    /// The resources a file holds, every document with its origins.
    fn file(&mut self, path: &str) -> Vec<Value> {
        let Some((text, source)) = self.read_source(path) else {
            return Vec::new();
        };
        let Ok(yaml) = Yaml::parse(&text) else {
            self.build.problems.push(format!("{path}: not valid YAML"));
            return Vec::new();
        };
        let mut resources = Vec::new();
        for &root in &yaml.documents {
            let document = value::from_yaml_core(&yaml, root, Some(source));
            // A `List` holds its resources in `items`.
            let items = match document.as_map().and_then(|m| m.get("items").cloned()) {
                Some(Value::List(items)) if kind(&document) == "List" => items.to_vec(),
                _ => vec![document],
            };
            resources.extend(items.into_iter().filter(|r| !kind(r).is_empty()));
        }
        resources
    }

    /// Builds the kustomization of `directory`.
    fn kustomization(&mut self, directory: &str, depth: usize) -> Option<Vec<Value>> {
        if depth > MAX_DEPTH || self.stack.iter().any(|d| d == directory) {
            self.build
                .problems
                .push(format!("{directory}: kustomizations include each other"));
            return None;
        }
        let (path, text) = FILE_NAMES.iter().find_map(|name| {
            let path = join(directory, name);
            (self.read)(&path).map(|text| (path, text))
        })?;
        let source = self.source(&path, &text);
        let yaml = Yaml::parse(&text).ok()?;
        let root = *yaml.documents.first()?;
        let k = value::from_yaml_core(&yaml, root, Some(source));
        let k = k.as_map()?.clone();
        self.stack.push(directory.to_owned());
        let strings = |key: &str| -> Vec<String> {
            match k.get(key) {
                Some(Value::List(items)) => items.iter().map(Value::to_text).collect(),
                _ => Vec::new(),
            }
        };
        let mut resources = Vec::new();
        for entry in strings("resources").into_iter().chain(strings("bases")) {
            if entry.contains("://")
                || entry.starts_with("git@")
                || entry.starts_with("github.com/")
            {
                self.build
                    .problems
                    .push(format!("{path}: remote resource `{entry}` is not fetched"));
                continue;
            }
            let target = join(directory, &entry);
            if FILE_NAMES
                .iter()
                .any(|name| (self.read)(&join(&target, name)).is_some())
            {
                resources.extend(self.kustomization(&target, depth + 1).unwrap_or_default());
            } else {
                resources.extend(self.file(&target));
            }
        }
        resources.extend(self.generators(directory, &k));
        let plugins = self.plugin_generators(directory, &k);
        resources.extend(self.generators(directory, &plugins));
        // References to generated objects name them with their hash.
        for resource in &resources {
            merge::rename_references(resource, &self.generated);
        }
        // Components: their resources join, then their transformations apply to all.
        for component in strings("components") {
            let target = join(directory, &component);
            self.component(&target, depth + 1, &mut resources);
        }
        self.transform(directory, &k, &mut resources);
        if let Some(Value::List(vars)) = k.get("vars") {
            self.vars
                .extend(vars.iter().filter_map(|v| v.as_map().map(|m| m.clone())));
        }
        self.stack.pop();
        resources.truncate(MAX_RESOURCES);
        Some(resources)
    }

    fn component(&mut self, directory: &str, depth: usize, resources: &mut Vec<Value>) {
        let Some((path, text)) = FILE_NAMES.iter().find_map(|name| {
            let path = join(directory, name);
            (self.read)(&path).map(|text| (path, text))
        }) else {
            self.build
                .problems
                .push(format!("{directory}: component without a kustomization"));
            return;
        };
        if depth > MAX_DEPTH {
            return;
        }
        let source = self.source(&path, &text);
        let Some(k) = Yaml::parse(&text)
            .ok()
            .and_then(|yaml| {
                yaml.documents
                    .first()
                    .map(|&r| value::from_yaml_core(&yaml, r, Some(source)))
            })
            .and_then(|k| k.as_map().map(|m| m.clone()))
        else {
            return;
        };
        if let Some(Value::List(items)) = k.get("resources") {
            for item in items.iter() {
                let target = join(directory, &item.to_text());
                resources.extend(self.file(&target));
            }
        }
        resources.extend(self.generators(directory, &k));
        let plugins = self.plugin_generators(directory, &k);
        resources.extend(self.generators(directory, &plugins));
        self.transform(directory, &k, resources);
    }

    /// ConfigMaps and Secrets a kustomization generates.
    fn generators(&mut self, directory: &str, k: &Map) -> Vec<Value> {
        let mut made = Vec::new();
        let hash_by_default = !k
            .get("generatorOptions")
            .and_then(|o| {
                o.as_map()
                    .and_then(|m| m.get("disableNameSuffixHash").cloned())
            })
            .is_some_and(|v| v.truthy());
        for (key, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            let Some(Value::List(generators)) = k.get(key) else {
                continue;
            };
            for generator in generators.iter() {
                let Some(g) = generator.as_map().map(|m| m.clone()) else {
                    continue;
                };
                let name = g.get("name").map(Value::to_text).unwrap_or_default();
                let mut data = Map::default();
                // Each value's origin: the line that gives it (a literal, an env file's line)
                // or the entry that names the file it is read from.
                let mut origins = BTreeMap::new();
                if let Some(Value::List(literals)) = g.get("literals") {
                    let mut cursor = 0;
                    for literal in literals.iter() {
                        let text = literal.to_text();
                        if let Some((key, value)) = text.split_once('=') {
                            data.entries
                                .insert(key.to_owned(), Value::from(value.trim_matches('"')));
                            // At the value, after the key and `=`.
                            if let Some(mut origin) =
                                self.item_origin(g.origins.get("literals"), &text, &mut cursor)
                            {
                                origin.offset += key.len() as u32 + 1;
                                origins.insert(key.to_owned(), origin);
                            }
                        }
                    }
                }
                for (field, env) in [("files", false), ("envs", true), ("env", true)] {
                    let mut cursor = 0;
                    let entries: Vec<String> = match g.get(field) {
                        Some(Value::List(items)) => items.iter().map(Value::to_text).collect(),
                        Some(Value::Str(one)) => vec![one.to_string()],
                        _ => Vec::new(),
                    };
                    for entry in entries {
                        let (key, file) = match entry.split_once('=') {
                            Some((key, file)) if !env => (key.to_owned(), file.to_owned()),
                            _ => (
                                entry.rsplit('/').next().unwrap_or(&entry).to_owned(),
                                entry.clone(),
                            ),
                        };
                        let path = join(directory, &file);
                        let Some((text, source)) = self.read_source(&path) else {
                            continue;
                        };
                        if env {
                            let mut at = 0;
                            for line in text.split_inclusive('\n') {
                                let start = at;
                                at += line.len();
                                let line = line.trim();
                                if line.is_empty() || line.starts_with('#') {
                                    continue;
                                }
                                if let Some((key, value)) = line.split_once('=') {
                                    data.entries
                                        .insert(key.trim().to_owned(), Value::from(value));
                                    let indent =
                                        text[start..].len() - text[start..].trim_start().len();
                                    let key_at = (start + indent) as u32;
                                    origins.insert(
                                        key.trim().to_owned(),
                                        Origin {
                                            source,
                                            offset: key_at + key.len() as u32 + 1,
                                            key: key_at,
                                        },
                                    );
                                }
                            }
                        } else {
                            if let Some(origin) =
                                self.item_origin(g.origins.get(field), &entry, &mut cursor)
                            {
                                origins.insert(key.clone(), origin);
                                self.build.read_whole.push((origin, source));
                            }
                            data.entries.insert(key, Value::from(text.as_str()));
                        }
                    }
                }
                let hash = g
                    .get("options")
                    .and_then(|o| {
                        o.as_map()
                            .and_then(|m| m.get("disableNameSuffixHash").cloned())
                    })
                    .map_or(hash_by_default, |v| !v.truthy());
                let secret_type = g
                    .get("type")
                    .map(Value::to_text)
                    .unwrap_or_else(|| "Opaque".to_owned());
                let encoded = if kind == "Secret" {
                    let mut encoded = Map::default();
                    for (key, value) in &data.entries {
                        use base64::Engine as _;
                        let text =
                            base64::engine::general_purpose::STANDARD.encode(value.to_text());
                        encoded
                            .entries
                            .insert(key.clone(), Value::from(wrapped(&text)));
                    }
                    encoded
                } else {
                    data
                };
                let mut encoded = encoded;
                encoded.origins = origins;
                let full_name = if hash {
                    format!("{name}-{}", generated_hash(kind, &secret_type, &encoded))
                } else {
                    name.clone()
                };
                if full_name != name {
                    self.generated
                        .push((kind.to_owned(), name.clone(), full_name.clone()));
                }
                let mut metadata = Map::default();
                metadata.insert("name", Value::from(full_name));
                if let Some(&origin) = g.origins.get("name") {
                    metadata.origins.insert("name".to_owned(), origin);
                }
                let mut resource = Map::default();
                resource.insert("apiVersion", Value::from("v1"));
                resource.insert("kind", Value::from(kind));
                resource.insert("metadata", Value::map(metadata));
                if kind == "Secret" {
                    resource.insert("type", Value::from(secret_type.as_str()));
                }
                resource.insert("data", Value::map(encoded));
                // What the generator makes is said by its entry.
                if let Some(&origin) = g.origins.get("name") {
                    for key in ["apiVersion", "kind", "metadata", "type", "data"] {
                        resource.origins.insert(key.to_owned(), origin);
                    }
                }
                made.push(Value::map(resource));
            }
        }
        made
    }

    /// The transformations of a kustomization, in Kustomize's order.
    fn transform(&mut self, directory: &str, k: &Map, resources: &mut Vec<Value>) {
        for field in [
            "helmCharts",
            "helmChartInflationGenerator",
            "configurations",
        ] {
            if k.get(field).is_some_and(Value::truthy) {
                let place = if directory.is_empty() { "." } else { directory };
                self.build
                    .problems
                    .push(format!("{place}: `{field}` is not applied"));
            }
        }
        let mut smp: Vec<(Value, Option<Target>)> = Vec::new();
        let mut json: Vec<(Value, Option<Target>)> = Vec::new();
        if let Some(Value::List(items)) = k.get("patchesStrategicMerge") {
            for item in items.iter() {
                let text = item.to_text();
                for patch in self.patch_values(directory, &text) {
                    if matches!(patch, Value::Map(_)) {
                        smp.push((patch, None));
                    }
                }
            }
        }
        for key in ["patches", "patchesJson6902"] {
            let Some(Value::List(items)) = k.get(key) else {
                continue;
            };
            for item in items.iter() {
                let Some(entry) = item.as_map().map(|m| m.clone()) else {
                    continue;
                };
                let target = entry.get("target").and_then(Target::read);
                let text = match (entry.get("path"), entry.get("patch")) {
                    (Some(path), _) => {
                        let path = join(directory, &path.to_text());
                        match self.read_source(&path) {
                            Some((text, source)) => (text, Some(source), 0),
                            None => continue,
                        }
                    }
                    (None, Some(patch)) => {
                        self.inline(&patch.to_text(), entry.origins.get("patch"))
                    }
                    (None, None) => continue,
                };
                let origin = text.1;
                let Ok(yaml) = Yaml::parse(&text.0) else {
                    continue;
                };
                for &root in &yaml.documents {
                    let patch = value::from_yaml_core(&yaml, root, origin);
                    shift_origins(&patch, text.2, 0);
                    if matches!(patch, Value::List(_)) {
                        json.push((patch, target.clone()));
                    } else if key == "patches" && matches!(patch, Value::Map(_)) {
                        smp.push((patch, target.clone()));
                    }
                }
            }
        }
        for (patch, target) in &smp {
            let mut matched = false;
            for resource in resources.iter_mut() {
                let selected = match target {
                    Some(target) => target.selects(resource),
                    None => same_object(resource, patch),
                };
                if selected {
                    *resource = merge::strategic(resource, patch);
                    matched = true;
                }
            }
            if !matched {
                self.unmatched(directory, patch, target.is_some());
            }
        }
        resources.retain(|resource| !merge::is_deleted(resource));
        for (patch, target) in &json {
            let mut matched = false;
            for resource in resources.iter_mut() {
                if target.as_ref().is_some_and(|t| t.selects(resource)) {
                    matched = true;
                    if let Err(problem) = merge::json6902(resource, patch) {
                        self.build.problems.push(problem);
                    }
                }
            }
            if !matched {
                self.unmatched(directory, patch, target.is_some());
            }
        }
        if let Some(Value::List(items)) = k.get("replicas") {
            for item in items.iter() {
                let Some(entry) = item.as_map().map(|m| m.clone()) else {
                    continue;
                };
                let wanted = entry.get("name").map(Value::to_text).unwrap_or_default();
                let Some(count) = entry.get("count").cloned() else {
                    continue;
                };
                let origin = entry.origins.get("count").copied();
                for resource in resources.iter_mut() {
                    let scalable = matches!(
                        kind(resource).as_str(),
                        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
                    ) || has_path(resource, &["spec", "replicas"]);
                    if name(resource) == wanted && scalable {
                        set_path(resource, &["spec", "replicas"], count.clone(), origin);
                    }
                }
            }
        }
        if let Some(namespace) = k
            .get("namespace")
            .map(Value::to_text)
            .filter(|n| !n.is_empty())
        {
            let origin = k.origins.get("namespace").copied();
            for resource in resources.iter_mut() {
                if !CLUSTER_SCOPED.contains(&kind(resource).as_str()) {
                    set_path(
                        resource,
                        &["metadata", "namespace"],
                        Value::from(namespace.as_str()),
                        origin,
                    );
                }
                // Service accounts a binding names live in the namespace too.
                if matches!(
                    kind(resource).as_str(),
                    "RoleBinding" | "ClusterRoleBinding"
                ) && let Some(Value::List(subjects)) =
                    resource.as_map().and_then(|m| m.get("subjects").cloned())
                {
                    for subject in subjects.iter() {
                        if let Value::Map(map) = subject
                            && map.borrow().get("kind").map(Value::to_text).as_deref()
                                == Some("ServiceAccount")
                        {
                            let mut map = map.borrow_mut();
                            map.insert("namespace", Value::from(namespace.as_str()));
                            if let Some(origin) = origin {
                                map.origins.insert("namespace".to_owned(), origin);
                            }
                        }
                    }
                }
            }
        }
        let prefix = k.get("namePrefix").map(Value::to_text).unwrap_or_default();
        let suffix = k.get("nameSuffix").map(Value::to_text).unwrap_or_default();
        if !prefix.is_empty() || !suffix.is_empty() {
            let mut renamed = Vec::new();
            for resource in resources.iter_mut() {
                if kind(resource) == "Namespace" || kind(resource) == "CustomResourceDefinition" {
                    continue;
                }
                let old = name(resource);
                let new = format!("{prefix}{old}{suffix}");
                let origin = k
                    .origins
                    .get(if prefix.is_empty() {
                        "nameSuffix"
                    } else {
                        "namePrefix"
                    })
                    .copied();
                set_path(
                    resource,
                    &["metadata", "name"],
                    Value::from(new.as_str()),
                    origin,
                );
                renamed.push((kind(resource), old, new));
            }
            for resource in resources.iter() {
                merge::rename_references(resource, &renamed);
            }
            self.renamed.extend(renamed);
        }
        let mut labels: Vec<(String, String, bool, bool, Option<Origin>)> = Vec::new();
        if let Some(Value::Map(map)) = k.get("commonLabels") {
            let map = map.borrow();
            for (key, value) in &map.entries {
                let origin = map.origins.get(key).copied();
                labels.push((key.clone(), value.to_text(), true, true, origin));
            }
        }
        if let Some(Value::List(items)) = k.get("labels") {
            for item in items.iter() {
                let Some(entry) = item.as_map().map(|m| m.clone()) else {
                    continue;
                };
                let selectors = entry.get("includeSelectors").is_some_and(Value::truthy);
                let templates =
                    selectors || entry.get("includeTemplates").is_some_and(Value::truthy);
                if let Some(Value::Map(pairs)) = entry.get("pairs") {
                    let pairs = pairs.borrow();
                    for (key, value) in &pairs.entries {
                        let origin = pairs.origins.get(key).copied();
                        labels.push((key.clone(), value.to_text(), selectors, templates, origin));
                    }
                }
            }
        }
        for (key, value, selectors, templates, origin) in &labels {
            for resource in resources.iter_mut() {
                set_path(
                    resource,
                    &["metadata", "labels", key],
                    Value::from(value.as_str()),
                    *origin,
                );
                if *templates && has_path(resource, &["spec", "template"]) {
                    set_path(
                        resource,
                        &["spec", "template", "metadata", "labels", key],
                        Value::from(value.as_str()),
                        *origin,
                    );
                }
                if *selectors {
                    if kind(resource) == "Service" {
                        set_path(
                            resource,
                            &["spec", "selector", key],
                            Value::from(value.as_str()),
                            *origin,
                        );
                    } else if has_path(resource, &["spec", "template"]) {
                        set_path(
                            resource,
                            &["spec", "selector", "matchLabels", key],
                            Value::from(value.as_str()),
                            *origin,
                        );
                        // Spread constraints select the workload's own pods.
                        let constraints = resource
                            .as_map()
                            .and_then(|m| m.get("spec").cloned())
                            .and_then(|s| s.as_map().and_then(|m| m.get("template").cloned()))
                            .and_then(|t| t.as_map().and_then(|m| m.get("spec").cloned()))
                            .and_then(|s| {
                                s.as_map()
                                    .and_then(|m| m.get("topologySpreadConstraints").cloned())
                            });
                        if let Some(Value::List(constraints)) = constraints {
                            for constraint in constraints.iter() {
                                let mut constraint = constraint.clone();
                                if has_path(&constraint, &["labelSelector"]) {
                                    set_path(
                                        &mut constraint,
                                        &["labelSelector", "matchLabels", key],
                                        Value::from(value.as_str()),
                                        *origin,
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(Value::Map(map)) = k.get("commonAnnotations") {
            let map = map.borrow();
            let annotations: Vec<(String, String, Option<Origin>)> = map
                .entries
                .iter()
                .map(|(key, value)| (key.clone(), value.to_text(), map.origins.get(key).copied()))
                .collect();
            for resource in resources.iter_mut() {
                for (key, value, origin) in &annotations {
                    set_path(
                        resource,
                        &["metadata", "annotations", key],
                        Value::from(value.as_str()),
                        *origin,
                    );
                    if has_path(resource, &["spec", "template"]) {
                        set_path(
                            resource,
                            &["spec", "template", "metadata", "annotations", key],
                            Value::from(value.as_str()),
                            *origin,
                        );
                    }
                }
            }
        }
        if let Some(Value::List(items)) = k.get("images") {
            for item in items.iter() {
                let Some(entry) = item.as_map().map(|m| m.clone()) else {
                    continue;
                };
                let image = ImageChange {
                    name: entry.get("name").map(Value::to_text).unwrap_or_default(),
                    new_name: entry
                        .get("newName")
                        .map(Value::to_text)
                        .filter(|s| !s.is_empty()),
                    new_tag: entry
                        .get("newTag")
                        .map(Value::to_text)
                        .filter(|s| !s.is_empty()),
                    digest: entry
                        .get("digest")
                        .map(Value::to_text)
                        .filter(|s| !s.is_empty()),
                    // The field that decides the image's version, else its name.
                    origin: ["digest", "newTag", "newName"]
                        .iter()
                        .find_map(|field| entry.origins.get(*field).copied()),
                };
                for resource in resources.iter_mut() {
                    merge::images(resource, &image);
                }
            }
        }
        self.replacements(directory, k, resources);
        for config in self.plugins(directory, k, "transformers") {
            match transformer_fields(&config) {
                Some(fields) => self.transform(directory, &fields, resources),
                None => self.plugin_not_applied(directory, "transformers", &config),
            }
        }
    }

    /// The configurations of the plugins a kustomization lists under `field` (`transformers`,
    /// `generators`): files of one or more documents, or configurations written inline.
    fn plugins(&mut self, directory: &str, k: &Map, field: &str) -> Vec<Map> {
        let Some(Value::List(items)) = k.get(field) else {
            return Vec::new();
        };
        let mut configs = Vec::new();
        for item in items.iter() {
            let documents = match item {
                Value::Map(_) => vec![item.clone()],
                other => self.patch_values(directory, &other.to_text()),
            };
            configs.extend(
                documents
                    .iter()
                    .filter_map(|d| d.as_map().map(|m| m.clone())),
            );
        }
        configs
    }

    fn plugin_not_applied(&mut self, directory: &str, field: &str, config: &Map) {
        let place = if directory.is_empty() { "." } else { directory };
        let kind = config.get("kind").map(Value::to_text).unwrap_or_default();
        self.build
            .problems
            .push(format!("{place}: `{field}` plugin {kind} is not applied"));
    }

    /// The built-in generator plugins (`ConfigMapGenerator`, `SecretGenerator`) a kustomization
    /// lists under `generators`, as the kustomization fields they stand for.
    fn plugin_generators(&mut self, directory: &str, k: &Map) -> Map {
        let mut fields = Map::default();
        let mut generated: [(&str, Vec<Value>); 2] = [
            ("configMapGenerator", Vec::new()),
            ("secretGenerator", Vec::new()),
        ];
        for config in self.plugins(directory, k, "generators") {
            let kind = config.get("kind").map(Value::to_text).unwrap_or_default();
            let slot = match kind.as_str() {
                "ConfigMapGenerator" => 0,
                "SecretGenerator" => 1,
                _ => {
                    self.plugin_not_applied(directory, "generators", &config);
                    continue;
                }
            };
            // The plugin's own name is the generated object's.
            let mut entry = config.clone();
            if let Some(metadata) = config
                .get("metadata")
                .and_then(|m| m.as_map().map(|m| m.clone()))
                && let Some(name) = metadata.get("name")
            {
                entry.insert("name", name.clone());
                if let Some(&origin) = metadata.origins.get("name") {
                    entry.origins.insert("name".to_owned(), origin);
                }
            }
            generated[slot].1.push(Value::map(entry));
        }
        for (field, entries) in generated {
            if !entries.is_empty() {
                fields.insert(field, Value::list(entries));
            }
        }
        fields
    }

    /// `replacements`: written in the kustomization, or in files (`path:`) of one or a list.
    fn replacements(&mut self, directory: &str, k: &Map, resources: &mut [Value]) {
        let Some(Value::List(items)) = k.get("replacements") else {
            return;
        };
        let mut replacements = Vec::new();
        for item in items.iter() {
            let path = item
                .as_map()
                .and_then(|entry| entry.get("path").map(Value::to_text));
            match path {
                Some(path) => {
                    for document in self.patch_values(directory, &path) {
                        match document {
                            Value::List(list) => replacements.extend(list.iter().cloned()),
                            other => replacements.push(other),
                        }
                    }
                }
                None => replacements.push(item.clone()),
            }
        }
        let place = if directory.is_empty() { "." } else { directory };
        for replacement in replacements {
            let Some(replacement) = replacement.as_map().map(|m| m.clone()) else {
                continue;
            };
            let mut problems = Vec::new();
            if let Err(problem) = replace::apply(resources, &replacement, &mut problems) {
                problems.push(problem);
            }
            self.build
                .problems
                .extend(problems.into_iter().map(|p| format!("{place}: {p}")));
        }
    }

    /// A patch that changes no resource of the build (its target is in a remote base, or
    /// misnamed): its source is judged on its own. Kustomize refuses a patch without a target
    /// that matches nothing (a problem of the build); one whose target selects nothing is
    /// simply not applied.
    fn unmatched(&mut self, directory: &str, patch: &Value, targeted: bool) {
        let first = match patch {
            Value::List(items) => items.first(),
            other => Some(other),
        };
        let source = first
            .and_then(Value::as_map)
            .and_then(|map| map.origins.values().next().map(|origin| origin.source));
        if let Some(source) = source {
            self.build.unmatched.push(source);
        }
        if targeted {
            return;
        }
        let place = if directory.is_empty() { "." } else { directory };
        let problem = match source {
            Some(source) => format!(
                "{place}: a patch in {} matches no resource",
                self.build.sources[source as usize].0
            ),
            None => format!("{place}: a patch matches no resource"),
        };
        self.build.problems.push(problem);
    }

    /// The origin of an item of a list whose origin is `list` (items have none of their own):
    /// where its text is next written after `cursor` (the end of the item before), within the
    /// list's start and a bounded distance; else the list's.
    fn item_origin(&self, list: Option<&Origin>, item: &str, cursor: &mut u32) -> Option<Origin> {
        const WINDOW: usize = 4096;
        let list = *list?;
        let text = &self.build.sources.get(list.source as usize)?.1;
        let from = list.offset.max(*cursor) as usize;
        let window = text
            .get(from..)
            .map(|rest| {
                let mut end = (item.len() + WINDOW).min(rest.len());
                while !rest.is_char_boundary(end) {
                    end -= 1;
                }
                &rest[..end]
            })
            .unwrap_or_default();
        let offset = match window.find(item) {
            Some(i) => {
                *cursor = (from + i + item.len()) as u32;
                (from + i) as u32
            }
            None => list.offset,
        };
        Some(Origin {
            source: list.source,
            offset,
            key: offset,
        })
    }

    /// An inline patch, to parse: where it is a literal block of the kustomization (`patch: |`),
    /// the block's lines as written, with the kustomization as their source and the offset of
    /// the block in it, so that the patch's values have their places in the kustomization; else
    /// the patch's text alone, with no places.
    fn inline(&self, patch: &str, origin: Option<&Origin>) -> (String, Option<u32>, u32) {
        let alone = (patch.to_owned(), None, 0);
        let Some(origin) = origin else {
            return alone;
        };
        let Some((_, text)) = self.build.sources.get(origin.source as usize) else {
            return alone;
        };
        let text: &str = text;
        // The key's line: `patch: |`, `patch: |-` (an indentation indicator is left alone).
        let key = origin.key as usize;
        let Some(line) = text.get(key..).and_then(|rest| rest.split('\n').next()) else {
            return alone;
        };
        let header_end = key + line.len() + 1;
        let indicator = line
            .split_once(':')
            .map(|(_, after)| after.trim())
            .unwrap_or_default();
        if !matches!(indicator, "|" | "|-" | "|+") || header_end > text.len() {
            return alone;
        }
        // The block: the lines indented at least as deep as its first one, blank lines within.
        let mut indent = None;
        let mut end = header_end;
        for line in text[header_end..].split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            if content.trim().is_empty() {
                end += line.len();
                continue;
            }
            let depth = content.len() - content.trim_start_matches(' ').len();
            let wanted = *indent.get_or_insert(depth);
            if depth < wanted || wanted == 0 {
                break;
            }
            end += line.len();
        }
        // The block's lines as they are written, indentation kept: YAML whose offsets are the
        // file's, less where the block starts.
        (
            text[header_end..end].to_owned(),
            Some(origin.source),
            header_end as u32,
        )
    }

    /// A `patchesStrategicMerge` entry: a file's documents, or inline YAML.
    fn patch_values(&mut self, directory: &str, entry: &str) -> Vec<Value> {
        let inline = entry.contains('\n') || entry.contains(": ");
        let (text, source) = if inline {
            (entry.to_owned(), None)
        } else {
            let path = join(directory, entry.trim());
            match self.read_source(&path) {
                Some((text, source)) => (text, Some(source)),
                None => return Vec::new(),
            }
        };
        let Ok(yaml) = Yaml::parse(&text) else {
            return Vec::new();
        };
        yaml.documents
            .iter()
            .map(|&root| value::from_yaml_core(&yaml, root, source))
            .collect()
    }
}

/// The kustomization fields a built-in transformer plugin's configuration stands for
/// (`LabelTransformer` is `labels`, `ImageTagTransformer` is `images`, …), with the places
/// its values are written; `None` for a plugin that is not built in.
fn transformer_fields(config: &Map) -> Option<Map> {
    let mut fields = Map::default();
    let take = |from: &Map, key: &str, to: &str, fields: &mut Map| {
        if let Some(value) = from.get(key) {
            fields.insert(to, value.clone());
            if let Some(&origin) = from.origins.get(key) {
                fields.origins.insert(to.to_owned(), origin);
            }
        }
    };
    let one = |value: Option<&Value>| value.map(|v| Value::list(vec![v.clone()]));
    let kind = config.get("kind").map(Value::to_text).unwrap_or_default();
    match kind.as_str() {
        "LabelTransformer" => {
            let specs: Vec<String> = match config.get("fieldSpecs") {
                Some(Value::List(specs)) => {
                    specs.iter().map(|spec| text_at(spec, &["path"])).collect()
                }
                _ => Vec::new(),
            };
            let mut entry = Map::default();
            take(config, "labels", "pairs", &mut entry);
            let selectors = specs.iter().any(|path| path.contains("selector"));
            let templates = specs
                .iter()
                .any(|path| path.contains("template/metadata/labels"));
            entry.insert("includeSelectors", Value::Bool(selectors));
            entry.insert("includeTemplates", Value::Bool(templates));
            fields.insert("labels", Value::list(vec![Value::map(entry)]));
        }
        "AnnotationsTransformer" => take(config, "annotations", "commonAnnotations", &mut fields),
        "NamespaceTransformer" => {
            let metadata = config.get("metadata")?.as_map()?.clone();
            take(&metadata, "namespace", "namespace", &mut fields);
        }
        "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
            take(config, "prefix", "namePrefix", &mut fields);
            take(config, "suffix", "nameSuffix", &mut fields);
        }
        "ImageTagTransformer" => fields.insert("images", one(config.get("imageTag"))?),
        "ReplicaCountTransformer" => fields.insert("replicas", one(config.get("replica"))?),
        "PatchTransformer" => {
            let mut entry = Map::default();
            take(config, "patch", "patch", &mut entry);
            take(config, "path", "path", &mut entry);
            take(config, "target", "target", &mut entry);
            fields.insert("patches", Value::list(vec![Value::map(entry)]));
        }
        "PatchStrategicMergeTransformer" => {
            let mut patches = Vec::new();
            if let Some(Value::List(paths)) = config.get("paths") {
                patches.extend(paths.iter().cloned());
            }
            if let Some(inline) = config.get("patches") {
                patches.push(inline.clone());
            }
            fields.insert("patchesStrategicMerge", Value::list(patches));
        }
        "PatchJson6902Transformer" => {
            let mut entry = Map::default();
            take(config, "target", "target", &mut entry);
            take(config, "path", "path", &mut entry);
            take(config, "jsonOp", "patch", &mut entry);
            fields.insert("patches", Value::list(vec![Value::map(entry)]));
        }
        "ReplacementTransformer" => take(config, "replacements", "replacements", &mut fields),
        _ => return None,
    }
    Some(fields)
}

/// An entry of `images`.
pub struct ImageChange {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
    /// Where the entry says it.
    pub origin: Option<Origin>,
}

/// Kinds that live outside namespaces.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "IngressClass",
    "RuntimeClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
];

/// A patch's `target`.
#[derive(Clone, Debug, Default)]
struct Target {
    kind: Option<regex::Regex>,
    name: Option<regex::Regex>,
    namespace: Option<String>,
    group: Option<String>,
    version: Option<String>,
    labels: Vec<(String, String)>,
}

impl Target {
    fn read(value: &Value) -> Option<Target> {
        let map = value.as_map()?.clone();
        let text = |key: &str| map.get(key).map(Value::to_text).filter(|s| !s.is_empty());
        let anchored = |pattern: String| regex::Regex::new(&format!("^(?:{pattern})$")).ok();
        let labels = text("labelSelector")
            .map(|selector| {
                selector
                    .split(',')
                    .filter_map(|pair| pair.split_once('='))
                    .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Some(Target {
            kind: text("kind").and_then(anchored),
            name: text("name").and_then(anchored),
            namespace: text("namespace"),
            group: text("group"),
            version: text("version"),
            labels,
        })
    }

    fn selects(&self, resource: &Value) -> bool {
        let api = text_at(resource, &["apiVersion"]);
        let (group, version) = api.rsplit_once('/').unwrap_or(("", &api));
        self.kind
            .as_ref()
            .is_none_or(|k| k.is_match(&kind(resource)))
            && self
                .name
                .as_ref()
                .is_none_or(|n| n.is_match(&name(resource)))
            && self
                .namespace
                .as_ref()
                .is_none_or(|n| *n == text_at(resource, &["metadata", "namespace"]))
            && self.group.as_ref().is_none_or(|g| g == group)
            && self.version.as_ref().is_none_or(|v| v == version)
            && self
                .labels
                .iter()
                .all(|(k, v)| text_at(resource, &["metadata", "labels", k]) == *v)
    }
}

fn text_at(resource: &Value, path: &[&str]) -> String {
    let mut current = resource.clone();
    for key in path {
        let next = current.as_map().and_then(|m| m.get(key).cloned());
        match next {
            Some(next) => current = next,
            None => return String::new(),
        }
    }
    current.to_text()
}

pub fn kind(resource: &Value) -> String {
    text_at(resource, &["kind"])
}

pub fn name(resource: &Value) -> String {
    text_at(resource, &["metadata", "name"])
}

fn same_object(resource: &Value, patch: &Value) -> bool {
    kind(resource) == kind(patch) && name(resource) == name(patch)
}

fn has_path(resource: &Value, path: &[&str]) -> bool {
    let mut current = resource.clone();
    for key in path {
        let next = current.as_map().and_then(|m| m.get(key).cloned());
        match next {
            Some(next @ Value::Map(_)) => current = next,
            Some(_) => return true,
            None => return false,
        }
    }
    true
}

/// Sets a value at a path of maps, making the maps that are missing; its origin is the
/// kustomization entry that says it, when known.
fn set_path(resource: &mut Value, path: &[&str], new: Value, origin: Option<Origin>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = resource.clone();
    for key in parents {
        let Value::Map(map) = &current else {
            return;
        };
        let next = map.borrow().get(key).cloned();
        let next = match next {
            Some(next @ Value::Map(_)) => next,
            _ => {
                let made = Value::map(Map::default());
                map.borrow_mut().insert(*key, made.clone());
                made
            }
        };
        current = next;
    }
    if let Value::Map(map) = &current {
        let mut map = map.borrow_mut();
        map.insert(*last, new);
        if let Some(origin) = origin {
            map.origins.insert((*last).to_owned(), origin);
        }
    }
}

/// Moves the origins of a value parsed from a piece of its source `by` bytes on, to where the
/// piece starts.
fn shift_origins(value: &Value, by: u32, depth: usize) {
    if by == 0 || depth > 128 {
        return;
    }
    match value {
        Value::Map(map) => {
            let mut map = map.borrow_mut();
            for origin in map.origins.values_mut() {
                origin.offset += by;
                origin.key += by;
            }
            for entry in map.entries.values() {
                shift_origins(entry, by, depth + 1);
            }
        }
        Value::List(items) => {
            for item in items.iter() {
                shift_origins(item, by, depth + 1);
            }
        }
        _ => {}
    }
}

/// Base64 as Kustomize writes a Secret's values: lines of 70 characters once longer than one.
fn wrapped(text: &str) -> String {
    if text.len() <= 70 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 70 + 1);
    for chunk in text.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// The name suffix of a generated ConfigMap or Secret, as Kustomize makes it: ten characters of
/// the SHA-256 of a JSON object of its kind, data and (a Secret's) type, in Kustomize's
/// alphabet. Kustomize's object has a `name` too, but looks it up by a path it does not find:
/// always empty. JSON as Go writes it: keys sorted, `<`, `>` and `&` escaped.
fn generated_hash(kind: &str, secret_type: &str, data: &Map) -> String {
    let mut object = serde_json::Map::new();
    object.insert("kind".to_owned(), serde_json::Value::from(kind));
    object.insert("name".to_owned(), serde_json::Value::from(""));
    if kind == "Secret" {
        object.insert("type".to_owned(), serde_json::Value::from(secret_type));
    }
    let data = if data.entries.is_empty() {
        serde_json::Value::from("")
    } else {
        serde_json::Value::Object(
            data.entries
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::from(v.to_text())))
                .collect(),
        )
    };
    object.insert("data".to_owned(), data);
    let text = serde_json::to_string(&serde_json::Value::Object(object))
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest[..5]
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 15])
        .map(|nibble| match nibble {
            0 => 'g',
            1 => 'h',
            3 => 'k',
            10 => 'm',
            14 => 't',
            n => char::from_digit(u32::from(n), 16).unwrap_or('0'),
        })
        .collect()
}

/// Resources in Kustomize's order: by kind (namespaces and cluster policy first, webhooks
/// last), then as they came.
fn sorted(mut resources: Vec<Value>) -> Vec<Value> {
    const FIRST: &[&str] = &[
        "Namespace",
        "ResourceQuota",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceAccount",
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ConfigMap",
        "Secret",
        "Endpoints",
        "Service",
        "LimitRange",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "CronJob",
        "PodDisruptionBudget",
    ];
    const LAST: &[&str] = &[
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];
    let rank = |resource: &Value| {
        let kind = kind(resource);
        match FIRST.iter().position(|k| *k == kind) {
            Some(i) => i,
            None => match LAST.iter().position(|k| *k == kind) {
                Some(i) => FIRST.len() + 1 + i,
                None => FIRST.len(),
            },
        }
    };
    resources.sort_by_key(|r| rank(r));
    resources
}

/// A built overlay written out as YAML documents, with where each piece came from.
pub struct Written {
    pub text: String,
    /// In output order: see [`value::Mark`].
    pub marks: Vec<value::Mark>,
    /// Where each document starts in `text`.
    pub documents: Vec<usize>,
}

/// The build as YAML documents (what `palisade render` prints, and what the rules judge).
pub fn written(build: &Build) -> Written {
    let mut out = Written {
        text: String::new(),
        marks: Vec::new(),
        documents: Vec::new(),
    };
    for resource in &build.resources {
        out.text.push_str("---\n");
        out.documents.push(out.text.len());
        let (text, marks) = value::to_yaml_marked(resource);
        let base = out.text.len();
        out.marks.extend(marks.into_iter().map(|mark| value::Mark {
            at: base + mark.at,
            ..mark
        }));
        out.text.push_str(&text);
        out.text.push('\n');
    }
    out
}

impl Written {
    /// The place in a source of the build behind `range` of the text: the source's index and
    /// a range in it. From the last mark at or before the range's start within its document;
    /// the text between the mark and the range must read the same in the source for the
    /// range to keep its distance from the mark, else the place is the mark's.
    pub fn locate(
        &self,
        build: &Build,
        range: std::ops::Range<usize>,
    ) -> Option<(u32, std::ops::Range<usize>)> {
        let document = self
            .documents
            .partition_point(|&start| start <= range.start);
        let document_start = *self.documents.get(document.checked_sub(1)?)?;
        let index = self.marks.partition_point(|mark| mark.at <= range.start);
        let mark = self.marks.get(index.checked_sub(1)?)?;
        if mark.at < document_start {
            return None;
        }
        let source = build.sources.get(mark.origin.source as usize)?.1.as_ref();
        let at = if mark.on_key {
            mark.origin.key
        } else {
            mark.origin.offset
        } as usize;
        let before = self.text.get(mark.at..range.start)?;
        let start = if source.get(at..at + before.len()) == Some(before) {
            at + before.len()
        } else {
            at
        };
        let wanted = self.text.get(range.clone()).unwrap_or_default();
        let end = if start == at + before.len()
            && source.get(start..start + wanted.len()) == Some(wanted)
        {
            start + wanted.len()
        } else {
            start
        };
        Some((mark.origin.source, start..end))
    }
}

/// A built overlay as YAML documents, for `palisade render`.
pub fn to_yaml(build: &Build) -> String {
    written(build).text
}
