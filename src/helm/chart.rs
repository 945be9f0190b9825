//! Charts: `Chart.yaml`, values, templates and subcharts (directories under `charts/` and `.tgz`
//! archives), loaded from the files of a chart directory and rendered as `helm template` would,
//! with every piece of output traced back to its template and, for values, to the values file.
//!
//! Values are Helm's: the chart's `values.yaml`, then the user's values files and `--helm-set`
//! assignments in order; a subchart sees the parent's entry under its name (or alias) over its
//! own defaults, and `global` from the parent. A dependency whose `condition` or `tags` are false
//! is not rendered; one that is not vendored under `charts/` is named in the render's problems.
//! Nothing is fetched and nothing outside the chart's files is read.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::rc::Rc;

use super::exec::{Exec, ExecError, Output, Templates};
use super::value::{self, Map, Value};
use crate::formats::yaml::Yaml;

/// Kubernetes version templates see (`.Capabilities.KubeVersion`).
const KUBE_VERSION: (u32, u32) = (1, 31);
/// Archived subcharts are read up to this many bytes, decompressed.
const MAX_ARCHIVE_BYTES: u64 = 64 * 1024 * 1024;
/// Subcharts nest at most this deep.
const MAX_SUBCHART_DEPTH: usize = 8;

/// The API groups a cluster serves by default, for `.Capabilities.APIVersions.Has`. Custom
/// resources (`monitoring.coreos.com/v1`) are absent, as with `helm template`.
const API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// A file of a chart directory, by its path relative to the chart (`templates/x.yaml`).
pub struct ChartFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What the user gives a render: values files and assignments, in order of precedence.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Values files: the name to show, and the text.
    pub values: Vec<(String, String)>,
    /// `key=value` assignments (`--helm-set`), applied last.
    pub set: Vec<String>,
}

/// Where a rendered piece or a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Relative to the chart directory (`templates/deployment.yaml`, `charts/db/values.yaml`),
    /// or the user's values file as named.
    pub path: String,
    /// Inside this archive of the chart (`charts/db-1.2.3.tgz`), when it is.
    pub archive: Option<String>,
    /// A file of the chart (else a values file of the user's).
    pub in_chart: bool,
    pub text: Rc<str>,
}

/// A template's rendered output.
pub struct Rendered {
    /// Index in [`Render::templates`].
    pub template: usize,
    pub output: Output,
}

/// A template that could not be rendered.
pub struct Failure {
    pub template: usize,
    /// Where the render stopped: which source and byte offset in it.
    pub source: usize,
    pub offset: usize,
    pub message: String,
    /// The chart refused the values (`required`, `fail`): set them with `--helm-set` or a values
    /// file.
    pub refused: bool,
}

/// A chart's render.
#[derive(Default)]
pub struct Render {
    /// Template files, by the index segments refer to.
    pub templates: Vec<Source>,
    /// Values files, by the index origins refer to.
    pub values: Vec<Source>,
    pub rendered: Vec<Rendered>,
    pub failures: Vec<Failure>,
    /// What kept the chart from being rendered whole (a dependency not vendored, an unreadable
    /// archive): said once per chart.
    pub problems: Vec<String>,
    /// `type: library`: nothing of its own to render.
    pub library: bool,
}

/// A loaded chart.
struct Chart {
    /// `.Chart`: `Chart.yaml` with Helm's field names.
    metadata: Value,
    name: String,
    library: bool,
    /// Its `values.yaml`, with origins.
    values: Value,
    /// Templates: path relative to the chart, text.
    templates: Vec<(String, Rc<str>)>,
    /// `.Files`: the chart's other files.
    files: Rc<Vec<(String, Rc<str>)>>,
    dependencies: Vec<Dependency>,
    subcharts: Vec<Chart>,
    /// Prefix of its paths relative to the top chart (`charts/db/`), and its archive.
    prefix: String,
    archive: Option<String>,
}

struct Dependency {
    name: String,
    repository: String,
    alias: Option<String>,
    condition: Option<String>,
    tags: Vec<String>,
}

/// Finds a dependency that is not vendored under `charts/`: given its name and `repository`, the
/// chart's files and its directory relative to the chart being rendered (`../common`).
pub type Resolve<'r> = &'r dyn Fn(&str, &str) -> Option<(String, Vec<ChartFile>)>;

/// Renders the chart made of `files` with the user's `overrides`; `resolve` finds dependencies
/// that are not vendored.
pub fn render(files: Vec<ChartFile>, overrides: &Overrides, resolve: Resolve<'_>) -> Render {
    let mut render = Render::default();
    let loader = Loader { resolve };
    let Some(chart) = loader.load(files, String::new(), None, 0, &mut render) else {
        return render;
    };
    render.library = chart.library;
    // The chart's defaults, then the user's files and assignments.
    let mut values = chart.values.clone();
    for (name, text) in &overrides.values {
        let source = render.values.len() as u32;
        render.values.push(Source {
            path: name.clone(),
            archive: None,
            in_chart: false,
            text: Rc::from(text.as_str()),
        });
        match Yaml::parse(text) {
            Ok(yaml) => {
                if let Some(&root) = yaml.documents.first() {
                    values = value::coalesce(&values, &value::from_yaml(&yaml, root, Some(source)));
                }
            }
            Err(error) => render.problems.push(format!(
                "values file {name} is not valid YAML: {}",
                error.message
            )),
        }
    }
    for assignment in &overrides.set {
        match parse_set(assignment) {
            Some(set) => values = value::coalesce(&values, &set),
            None => render
                .problems
                .push(format!("--helm-set `{assignment}` is not key=value")),
        }
    }
    let values = with_subchart_values(&chart, values, 0);
    let mut templates = Templates::default();
    let mut jobs = Vec::new();
    add_chart(
        &chart,
        &chart.name,
        values,
        &mut templates,
        &mut jobs,
        &mut render,
    );
    for (index, data) in jobs {
        match Exec::render(&templates, index, data) {
            Ok(output) => render.rendered.push(Rendered {
                template: index as usize,
                output,
            }),
            Err(error) => render.failures.push(failure(index, error)),
        }
    }
    render
}

fn failure(template: u32, error: ExecError) -> Failure {
    Failure {
        template: template as usize,
        source: error.file as usize,
        offset: error.offset,
        message: error.message,
        refused: error.refused,
    }
}

/// The subcharts a chart renders with its values: each enabled dependency that was found (by
/// its name or alias), and subcharts under `charts/` that `Chart.yaml` does not list, as Helm
/// renders those too. A dependency that is enabled but was not found is said once.
fn subcharts_of<'c>(chart: &'c Chart, values: &Value) -> (Vec<(String, &'c Chart)>, Vec<String>) {
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for dependency in &chart.dependencies {
        if !enabled(dependency, values) {
            continue;
        }
        let key = dependency.alias.as_deref().unwrap_or(&dependency.name);
        match chart.subcharts.iter().find(|s| s.name == dependency.name) {
            Some(subchart) => found.push((key.to_owned(), subchart)),
            None => missing.push(format!(
                "dependency `{}` is not vendored under {}charts/ (run `helm dependency build`): its templates are not checked",
                dependency.name, chart.prefix
            )),
        }
    }
    for subchart in &chart.subcharts {
        if !chart.dependencies.iter().any(|d| d.name == subchart.name) {
            found.push((subchart.name.clone(), subchart));
        }
    }
    (found, missing)
}

/// A chart's values with each subchart's defaults laid under its key, as Helm coalesces them:
/// the parent's entry wins over the subchart's `values.yaml`, `global` is shared down, and the
/// parent's templates see the result (`.Values.postgresql.image`).
fn with_subchart_values(chart: &Chart, values: Value, depth: usize) -> Value {
    let Value::Map(_) = &values else {
        return values;
    };
    if depth > MAX_SUBCHART_DEPTH {
        return values;
    }
    let global = values
        .as_map()
        .and_then(|m| m.get("global").cloned())
        .unwrap_or_else(|| Value::map(Map::default()));
    let (keyed, _) = subcharts_of(chart, &values);
    let result = values.deep_copy();
    for (key, subchart) in keyed {
        let own = result
            .as_map()
            .and_then(|m| m.get(&key).cloned())
            .unwrap_or_default();
        let sub_values = value::coalesce(&subchart.values, &own);
        let sub_global = sub_values
            .as_map()
            .and_then(|m| m.get("global").cloned())
            .unwrap_or_default();
        let sub_values = match sub_values {
            Value::Map(map) => {
                map.borrow_mut()
                    .insert("global", value::coalesce(&sub_global, &global));
                Value::Map(map)
            }
            _ => {
                let mut map = Map::default();
                map.insert("global", global.clone());
                Value::map(map)
            }
        };
        let complete = with_subchart_values(subchart, sub_values, depth + 1);
        if let Value::Map(map) = &result {
            let origin = map.borrow().origins.get(&key).copied();
            let mut map = map.borrow_mut();
            map.entries.insert(key.clone(), complete);
            if let Some(origin) = origin {
                map.origins.insert(key, origin);
            }
        }
    }
    result
}

/// Adds a chart's templates (its subcharts' first, so that the parent's named templates win)
/// and queues the templates to render with the data they see. `values` are complete
/// ([`with_subchart_values`]).
fn add_chart(
    chart: &Chart,
    chart_name: &str,
    values: Value,
    templates: &mut Templates,
    jobs: &mut Vec<(u32, Value)>,
    render: &mut Render,
) {
    let (subcharts, missing) = subcharts_of(chart, &values);
    render.problems.extend(missing);
    for (key, subchart) in subcharts {
        let sub_values = values
            .as_map()
            .and_then(|m| m.get(&key).cloned())
            .unwrap_or_default();
        add_chart(subchart, &key, sub_values, templates, jobs, render);
    }
    let data = template_data(chart, chart_name, values);
    for (path, text) in &chart.templates {
        let name = format!("{chart_name}/{path}");
        let index = templates.add(name.clone(), text.clone());
        render.templates.push(Source {
            path: format!("{}{}", chart.prefix, path),
            archive: chart.archive.clone(),
            in_chart: true,
            text: text.clone(),
        });
        debug_assert_eq!(render.templates.len(), templates.files.len());
        let base = path.rsplit('/').next().unwrap_or(path);
        let renders =
            !chart.library && !base.starts_with('_') && !base.eq_ignore_ascii_case("NOTES.txt");
        if !renders && let Err(error) = &templates.files[index as usize].parsed {
            // A helper that cannot be parsed: its named templates are missing everywhere.
            render.failures.push(Failure {
                template: index as usize,
                source: index as usize,
                offset: error.offset,
                message: format!("template: {}", error.message),
                refused: false,
            });
        }
        if renders {
            // Each template sees its own `.Template`.
            let mut top = data.as_map().map(|map| map.clone()).unwrap_or_default();
            let mut template = Map::default();
            template.insert("Name", Value::from(name.as_str()));
            template.insert("BasePath", Value::from(format!("{chart_name}/templates")));
            top.insert("Template", Value::map(template));
            jobs.push((index, Value::map(top)));
        }
    }
}

/// Whether a dependency is rendered: its `condition` (the first path that is set decides),
/// else its `tags` (any true), else yes.
fn enabled(dependency: &Dependency, values: &Value) -> bool {
    if let Some(condition) = &dependency.condition {
        for path in condition.split(',').map(str::trim) {
            if let Some(Value::Bool(on)) = lookup_path(values, path) {
                return on;
            }
        }
    }
    if !dependency.tags.is_empty() {
        let tags = lookup_path(values, "tags");
        let states: Vec<bool> = dependency
            .tags
            .iter()
            .filter_map(
                |tag| match tags.as_ref().and_then(|t| lookup_path(t, tag)) {
                    Some(Value::Bool(on)) => Some(on),
                    _ => None,
                },
            )
            .collect();
        if !states.is_empty() {
            return states.contains(&true);
        }
    }
    true
}

fn lookup_path(values: &Value, path: &str) -> Option<Value> {
    let mut current = values.clone();
    for key in path.split('.') {
        let next = current.as_map()?.get(key).cloned()?;
        current = next;
    }
    Some(current)
}

/// What a chart's templates see as dot; `name` is the chart's name, or the alias its parent
/// gives it.
fn template_data(chart: &Chart, name: &str, values: Value) -> Value {
    let mut release = Map::default();
    release.insert("Name", Value::from("release-name"));
    release.insert("Namespace", Value::from("default"));
    release.insert("Service", Value::from("Helm"));
    release.insert("IsInstall", Value::Bool(true));
    release.insert("IsUpgrade", Value::Bool(false));
    release.insert("Revision", Value::Int(1));
    let mut kube = Map::default();
    let version = format!("v{}.{}.0", KUBE_VERSION.0, KUBE_VERSION.1);
    kube.insert("Version", Value::from(version.as_str()));
    kube.insert("GitVersion", Value::from(version.as_str()));
    kube.insert("Major", Value::from(KUBE_VERSION.0.to_string()));
    kube.insert("Minor", Value::from(KUBE_VERSION.1.to_string()));
    let mut helm = Map::default();
    helm.insert("Version", Value::from("v3.16.0"));
    let mut capabilities = Map::default();
    capabilities.insert("KubeVersion", Value::map(kube));
    capabilities.insert("HelmVersion", Value::map(helm));
    capabilities.insert(
        "APIVersions",
        Value::ApiVersions(Rc::new(
            API_VERSIONS.iter().map(|s| (*s).to_owned()).collect(),
        )),
    );
    let mut data = Map::default();
    data.insert("Values", values);
    data.insert("Release", Value::map(release));
    let metadata = if name == chart.name {
        chart.metadata.clone()
    } else {
        let renamed = chart.metadata.deep_copy();
        if let Value::Map(map) = &renamed {
            map.borrow_mut().insert("Name", Value::from(name));
        }
        renamed
    };
    data.insert("Chart", metadata);
    data.insert("Capabilities", Value::map(capabilities));
    data.insert("Files", Value::Files(chart.files.clone()));
    data.insert("Subcharts", Value::map(Map::default()));
    Value::map(data)
}

/// Loads a chart from its files (paths relative to it).
/// Loads charts, finding dependencies that are not vendored with `resolve`.
struct Loader<'r> {
    resolve: Resolve<'r>,
}

impl Loader<'_> {
    fn load(
        &self,
        files: Vec<ChartFile>,
        prefix: String,
        archive: Option<String>,
        depth: usize,
        render: &mut Render,
    ) -> Option<Chart> {
        let mut chart_yaml = None;
        let mut requirements = None;
        let mut values_text = None;
        let mut templates = Vec::new();
        let mut others = Vec::new();
        let mut sub_files: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
        let mut archives = Vec::new();
        for file in files {
            let path = file.path.clone();
            if let Some(rest) = path.strip_prefix("charts/") {
                match rest.split_once('/') {
                    Some((name, inner)) => {
                        sub_files
                            .entry(name.to_owned())
                            .or_default()
                            .push(ChartFile {
                                path: inner.to_owned(),
                                bytes: file.bytes,
                            })
                    }
                    None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => {
                        archives.push(file)
                    }
                    None => {}
                }
                continue;
            }
            let text = || String::from_utf8_lossy(&file.bytes).into_owned();
            match path.as_str() {
                "Chart.yaml" => chart_yaml = Some(text()),
                "requirements.yaml" => requirements = Some(text()),
                "values.yaml" => values_text = Some(text()),
                _ if path.starts_with("templates/") => {
                    templates.push((path.clone(), Rc::from(text().as_str())))
                }
                _ => {
                    if std::str::from_utf8(&file.bytes).is_ok() {
                        others.push((path.clone(), Rc::from(text().as_str())));
                    }
                }
            }
        }
        let chart_text = chart_yaml?;
        let chart_value = yaml_value(&chart_text, None);
        let chart_map = chart_value.as_map().map(|m| m.clone()).unwrap_or_default();
        let name = chart_map
            .get("name")
            .map(Value::to_text)
            .unwrap_or_default();
        let library = chart_map
            .get("type")
            .and_then(|t| t.as_str().map(|t| t == "library"))
            .unwrap_or(false);
        let mut metadata = Map::default();
        for (key, value) in &chart_map.entries {
            let field = match key.as_str() {
                "apiVersion" => "APIVersion".to_owned(),
                "kubeVersion" => "KubeVersion".to_owned(),
                "appVersion" => "AppVersion".to_owned(),
                other => {
                    let mut chars = other.chars();
                    chars.next().map_or(String::new(), |first| {
                        first.to_uppercase().chain(chars).collect()
                    })
                }
            };
            metadata.insert(field, value.clone());
        }
        let mut dependency_list = chart_map.get("dependencies").cloned();
        if dependency_list.is_none()
            && let Some(text) = &requirements
        {
            dependency_list = yaml_value(text, None)
                .as_map()
                .and_then(|m| m.get("dependencies").cloned());
        }
        let dependencies = match dependency_list {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|item| {
                    let map = item.as_map()?;
                    let text =
                        |key: &str| map.get(key).map(Value::to_text).filter(|s| !s.is_empty());
                    Some(Dependency {
                        name: text("name")?,
                        repository: text("repository").unwrap_or_default(),
                        alias: text("alias"),
                        condition: text("condition"),
                        tags: match map.get("tags") {
                            Some(Value::List(tags)) => tags.iter().map(Value::to_text).collect(),
                            _ => Vec::new(),
                        },
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        let values_source = render.values.len() as u32;
        let values = match &values_text {
            Some(text) => {
                render.values.push(Source {
                    path: format!("{prefix}values.yaml"),
                    archive: archive.clone(),
                    in_chart: true,
                    text: Rc::from(text.as_str()),
                });
                yaml_value(text, Some(values_source))
            }
            None => Value::map(Map::default()),
        };
        let values = if matches!(values, Value::Map(_)) {
            values
        } else {
            Value::map(Map::default())
        };
        let mut subcharts = Vec::new();
        if depth < MAX_SUBCHART_DEPTH {
            for (directory, files) in sub_files {
                if let Some(sub) = self.load(
                    files,
                    format!("{prefix}charts/{directory}/"),
                    archive.clone(),
                    depth + 1,
                    render,
                ) {
                    subcharts.push(sub);
                }
            }
            for file in archives {
                match unpack(&file.bytes) {
                    Ok(files) => {
                        let archive_name = format!("{prefix}{}", file.path);
                        if let Some(sub) =
                            self.load(files, String::new(), Some(archive_name), depth + 1, render)
                        {
                            subcharts.push(sub);
                        }
                    }
                    Err(error) => render
                        .problems
                        .push(format!("{prefix}{}: {error}", file.path)),
                }
            }
        }
        // Dependencies found elsewhere in the repository (`file://` or a sibling chart directory).
        if depth < MAX_SUBCHART_DEPTH && archive.is_none() {
            for dependency in &dependencies {
                if subcharts.iter().any(|s: &Chart| s.name == dependency.name) {
                    continue;
                }
                let Some((directory, files)) =
                    (self.resolve)(&dependency.name, &dependency.repository)
                else {
                    continue;
                };
                let prefix = format!("{}/", crate::paths::join_relative(&prefix, &directory));
                if let Some(sub) = self.load(files, prefix, None, depth + 1, render)
                    && sub.name == dependency.name
                {
                    subcharts.push(sub);
                }
            }
        }
        templates.sort_by(|a, b| a.0.cmp(&b.0));
        Some(Chart {
            metadata: Value::map(metadata),
            name,
            library,
            values,
            templates,
            files: Rc::new(others),
            dependencies,
            subcharts,
            prefix,
            archive,
        })
    }
}

fn yaml_value(text: &str, source: Option<u32>) -> Value {
    match Yaml::parse(text) {
        Ok(yaml) => yaml
            .documents
            .first()
            .map_or(Value::Nil, |&root| value::from_yaml(&yaml, root, source)),
        Err(_) => Value::Nil,
    }
}

/// The files of a chart archive (`.tgz`), relative to its top directory, read in memory and
/// never written anywhere; bounded in size.
fn unpack(bytes: &[u8]) -> Result<Vec<ChartFile>, String> {
    let decoder = flate2::read::GzDecoder::new(bytes).take(MAX_ARCHIVE_BYTES);
    let mut archive = tar::Archive::new(decoder);
    let mut files = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| format!("not a chart archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("not a chart archive: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| format!("not a chart archive: {e}"))?
            .to_string_lossy()
            .replace('\\', "/");
        // The chart's own top directory is dropped; nothing may climb out of it.
        let Some((_, inner)) = path.split_once('/') else {
            continue;
        };
        if inner.split('/').any(|part| part == ".." || part.is_empty()) {
            continue;
        }
        let mut content = Vec::new();
        entry
            .read_to_end(&mut content)
            .map_err(|e| format!("not a chart archive: {e}"))?;
        files.push(ChartFile {
            path: inner.to_owned(),
            bytes: content,
        });
    }
    Ok(files)
}

/// A `--helm-set` assignment as values: `a.b=c`, `list[0]=x`, several joined by commas; `true`,
/// `false`, `null` and integers are typed, as Helm's `--set` types them.
pub fn parse_set(assignment: &str) -> Option<Value> {
    let mut result = Value::map(Map::default());
    for part in split_unescaped(assignment, ',') {
        let (key, raw) = part.split_once('=')?;
        if key.is_empty() {
            return None;
        }
        let raw = raw.replace("\\,", ",");
        let leaf = match raw.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Nil,
            other => other
                .parse::<i64>()
                .map(Value::Int)
                .unwrap_or_else(|_| Value::from(other)),
        };
        let mut value = leaf;
        for segment in key.rsplit('.') {
            let (name, index) = match segment.split_once('[') {
                Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
                None => (segment, None),
            };
            if let Some(index) = index.filter(|i| *i < 1_000) {
                let mut items = vec![Value::Nil; index + 1];
                items[index] = value;
                value = Value::list(items);
            }
            let mut map = Map::default();
            map.insert(name, value);
            value = Value::map(map);
        }
        result = value::coalesce(&result, &value);
    }
    Some(result)
}

fn split_unescaped(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == separator {
            parts.push(&text[start..i]);
            start = i + 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> ChartFile {
        ChartFile {
            path: path.to_owned(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn renders_with_subcharts_values_and_conditions() {
        let files = vec![
            file(
                "Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: db\n    condition: db.enabled\n  - name: cache\n    condition: cache.enabled\n  - name: missing\n",
            ),
            file(
                "values.yaml",
                "image:\n  tag: \"1.0\"\ndb:\n  enabled: true\n  password: x\ncache:\n  enabled: false\nglobal:\n  region: eu\n",
            ),
            file(
                "templates/_helpers.tpl",
                "{{ define \"web.name\" }}{{ .Chart.Name }}-{{ .Release.Name }}{{ end }}",
            ),
            file(
                "templates/deploy.yaml",
                "name: {{ include \"web.name\" . }}\ntag: {{ .Values.image.tag }}\n",
            ),
            file("charts/db/Chart.yaml", "name: db\nversion: 2.0.0\n"),
            file("charts/db/values.yaml", "password: default\nport: 5432\n"),
            file(
                "charts/db/templates/db.yaml",
                "password: {{ .Values.password }} port: {{ .Values.port }} region: {{ .Values.global.region }}\n",
            ),
            file("charts/cache/Chart.yaml", "name: cache\nversion: 1.0.0\n"),
            file("charts/cache/templates/c.yaml", "cache\n"),
        ];
        let overrides = Overrides {
            values: vec![("prod.yaml".to_owned(), "image:\n  tag: latest\n".to_owned())],
            set: vec!["db.port=6543".to_owned()],
        };
        let render = render(files, &overrides, &|_, _| None);
        let outputs: Vec<(&str, &str)> = render
            .rendered
            .iter()
            .map(|r| {
                (
                    render.templates[r.template].path.as_str(),
                    r.output.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            outputs,
            vec![
                (
                    "charts/db/templates/db.yaml",
                    "password: x port: 6543 region: eu\n"
                ),
                (
                    "templates/deploy.yaml",
                    "name: web-release-name\ntag: latest\n"
                ),
            ]
        );
        assert_eq!(render.problems.len(), 1, "{:?}", render.problems);
        assert!(render.problems[0].contains("`missing`"));
        // The tag's origin is the user's values file.
        let tag = render.rendered[1]
            .output
            .segments
            .iter()
            .find(|s| !s.values.is_empty())
            .unwrap();
        assert_eq!(
            render.values[tag.values[0].origin.source as usize].path,
            "prod.yaml"
        );
    }

    #[test]
    fn set_assignments() {
        let value = parse_set("a.b=1,c=true,d[1]=x,e=a\\,b").unwrap();
        assert_eq!(
            value::to_yaml(&value),
            "a:\n  b: 1\nc: true\nd:\n- null\n- x\ne: a,b"
        );
        assert!(parse_set("novalue").is_none());
    }
}
