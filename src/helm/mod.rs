//! Helm charts, rendered in-process: no `helm` binary, no network, nothing of the machine.
//!
//! The template language is our own interpreter of Go's `text/template` (`parse`, `exec`) with
//! Helm's and Sprig's functions (`funcs`), rather than a general-purpose crate: a finding in a
//! rendered manifest must point back at the template line that wrote it and the values-file line
//! that supplied the value, so every piece of output carries where it came from
//! ([`exec::Segment`]), which no template crate records. Charts are loaded and rendered by
//! `chart`; [`locate`] maps a range of rendered output back to its source.

pub mod chart;
pub mod exec;
pub mod funcs;
pub mod parse;
pub mod value;

use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use chart::ChartFile;
use exec::{Output, Touched};

/// Values for Helm charts, laid over each chart's `values.yaml` in the order given: the
/// configuration's for every chart, its entries for one chart directory, then the command
/// line's.
#[derive(Clone, Debug, Default)]
pub struct HelmOptions {
    pub entries: Vec<ValuesFor>,
}

/// Values files and `key=value` assignments (as `helm --set` takes them) for one chart
/// directory, or for every chart.
#[derive(Clone, Debug, Default)]
pub struct ValuesFor {
    pub chart: Option<PathBuf>,
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
}

impl HelmOptions {
    /// Relative paths made relative to `directory` (a configuration file's).
    pub fn resolve_against(&mut self, directory: &Path) {
        let join = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = directory.join(&*path);
            }
        };
        for entry in &mut self.entries {
            entry.chart.iter_mut().for_each(join);
            entry.values.iter_mut().for_each(join);
        }
    }

    /// These options, then `more` (the command line after the configuration).
    pub fn then(mut self, more: HelmOptions) -> HelmOptions {
        self.entries.extend(more.entries);
        self
    }

    /// The values files and assignments for the chart at `root`, in order.
    pub fn for_chart(&self, root: &Path) -> (Vec<PathBuf>, Vec<String>) {
        let (mut values, mut set) = (Vec::new(), Vec::new());
        let canonical = fs::canonicalize(root).ok();
        for entry in &self.entries {
            let applies = entry.chart.as_ref().is_none_or(|chart| {
                chart == root || (canonical.is_some() && fs::canonicalize(chart).ok() == canonical)
            });
            if applies {
                values.extend(entry.values.iter().cloned());
                set.extend(entry.set.iter().cloned());
            }
        }
        (values, set)
    }
}

/// Most files a chart directory is read for (templates, values, files, subcharts).
const MAX_CHART_FILES: usize = 5_000;
/// Most bytes a chart directory is read for.
const MAX_CHART_BYTES: u64 = 128 * 1024 * 1024;

/// The files of the chart directory `root` on disk: regular files only (never through a
/// symbolic link), each within `max_file_size`, hidden directories (`.git`) left out. What a
/// render needs is read first (`Chart.yaml`, values, `templates/`, `charts/`); the chart's other
/// files only when a template reads files (`.Files`), so that a chart at the top of a large
/// repository does not read the repository.
pub fn files_on_disk(root: &Path, max_file_size: u64) -> Vec<ChartFile> {
    // The current directory may be named by the empty path.
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let mut listed = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((directory, prefix)) = pending.pop() {
        let Ok(entries) = fs::read_dir(&directory) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let relative = format!("{prefix}{name}");
            if kind.is_dir() && !name.starts_with('.') {
                pending.push((entry.path(), format!("{relative}/")));
            } else if kind.is_file() {
                let size = entry.metadata().map_or(u64::MAX, |m| m.len());
                if size <= max_file_size {
                    listed.push((relative, entry.path(), size));
                }
                if listed.len() > 100 * MAX_CHART_FILES {
                    break;
                }
            }
        }
    }
    let needed = |path: &str| {
        path.starts_with("templates/")
            || path.starts_with("charts/")
            || matches!(path, "Chart.yaml" | "values.yaml" | "requirements.yaml")
    };
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut read = |files: &mut Vec<ChartFile>, relative: &str, path: &Path, size: u64| {
        if total + size > MAX_CHART_BYTES || files.len() >= MAX_CHART_FILES {
            return;
        }
        if let Ok(bytes) = fs::read(path) {
            total += size;
            files.push(ChartFile {
                path: relative.to_owned(),
                bytes,
            });
        }
    };
    for (relative, path, size) in listed.iter().filter(|(r, _, _)| needed(r)) {
        read(&mut files, relative, path, *size);
    }
    let reads_files = files.iter().any(|file| {
        file.path.starts_with("templates/")
            && memchr::memmem::find(&file.bytes, b".Files").is_some()
    });
    if reads_files {
        for (relative, path, size) in listed.iter().filter(|(r, _, _)| !needed(r)) {
            read(&mut files, relative, path, *size);
        }
    }
    files
}

/// Where a range of rendered output came from: a template's bytes, and the values-file entries
/// the action that wrote it read.
#[derive(Debug, Clone)]
pub struct Located {
    /// The template file, by its index in the render.
    pub template: usize,
    pub span: Range<usize>,
    /// Written by an action (`{{ .Values.image.tag }}`), not copied from the template.
    pub from_action: bool,
    pub values: Rc<[Touched]>,
    /// The outermost `{{ template }}` call it was written in: file and span.
    pub call: Option<(usize, Range<usize>)>,
}

/// Maps `range` of a rendered template back to where it was written: the template text it was
/// copied from, byte for byte, or the action that printed it (its first line).
pub fn locate(output: &Output, range: Range<usize>) -> Option<Located> {
    let index = output
        .segments
        .partition_point(|segment| segment.output.end <= range.start);
    let segment = output.segments.get(index)?;
    if segment.output.start > range.start {
        return None;
    }
    if segment.literal {
        let start = segment.source.start + (range.start - segment.output.start);
        let end = (segment.source.start + (range.end.max(range.start) - segment.output.start))
            .min(segment.source.end);
        return Some(Located {
            template: segment.file as usize,
            span: start..end.max(start),
            from_action: false,
            values: segment.values.clone(),
            call: segment
                .call
                .clone()
                .map(|(file, span)| (file as usize, span)),
        });
    }
    Some(Located {
        template: segment.file as usize,
        span: segment.source.clone(),
        from_action: true,
        values: segment.values.clone(),
        call: segment
            .call
            .clone()
            .map(|(file, span)| (file as usize, span)),
    })
}

/// The values-file entries read by the actions that wrote any part of `range` of the output.
pub fn values_within(output: &Output, range: Range<usize>) -> Vec<Touched> {
    let first = output
        .segments
        .partition_point(|segment| segment.output.end <= range.start);
    output.segments[first..]
        .iter()
        .take_while(|segment| segment.output.start < range.end.max(range.start + 1))
        .take(64)
        .flat_map(|segment| segment.values.iter().cloned())
        .collect()
}

/// Among the values an action read, the entry that wrote `text` (the offending part of a
/// rendered line): a scalar whose text is in it, preferring one whose key is named on `line`
/// too, then the one written last (in `repository:tag`, the tag); maps and lists read whole
/// (`toYaml .Values.securityContext`) are searched inside.
pub fn value_behind(values: &[Touched], text: &str, line: &str) -> Option<value::Origin> {
    let mut best: Option<((u8, usize), value::Origin)> = None;
    let mut pending: Vec<(String, value::Value, value::Origin)> = values
        .iter()
        .map(|t| (t.key.clone(), t.value.clone(), t.origin))
        .collect();
    let mut steps = 0;
    while let Some((key, value, origin)) = pending.pop() {
        steps += 1;
        if steps > 10_000 {
            break;
        }
        match &value {
            value::Value::Map(map) => {
                let map = map.borrow();
                for (inner_key, inner) in &map.entries {
                    if let Some(inner_origin) = map.origins.get(inner_key) {
                        pending.push((inner_key.clone(), inner.clone(), *inner_origin));
                    }
                }
            }
            value::Value::List(items) => {
                for item in items.iter() {
                    pending.push((key.clone(), item.clone(), origin));
                }
            }
            scalar => {
                let written = scalar.to_text();
                let Some(at) = text.rfind(written.as_str()).filter(|_| !written.is_empty()) else {
                    continue;
                };
                let score = (u8::from(line.contains(key.as_str())), at + written.len());
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, origin));
                }
            }
        }
    }
    best.map(|(_, origin)| origin)
}
