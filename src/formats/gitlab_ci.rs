//! GitLab CI: `.gitlab-ci.yml` and the files it includes, read from the YAML tree with every
//! position kept. A pipeline is known by what it holds: jobs (top-level mappings that are not
//! GitLab's own keywords) with a `script`, a `trigger` or an `extends`, a `stages` list, or a
//! `default:` section.
//!
//! A job is read as GitLab runs it: `default:` first, then the jobs it `extends` (hidden
//! templates, `.name`; deepest first, mappings merged key by key, last wins), then its own keys;
//! YAML anchors and merge keys are the parser's. Each value keeps the place it was written, in
//! the template if that is where it comes from.
//!
//! Local `include:` files are merged as GitLab merges them: under the including file, which
//! wins key by key. What an included file gives a job (a template, `default:`, a job of the
//! same name) is judged in that file, where it is written; here it only decides which of this
//! file's values the job uses, so that a `default:` image every job replaces is not reported.

use std::ops::Range;

use crate::formats::yaml::{Entry, NodeId, Yaml};

/// Top-level keys that are GitLab's settings, not jobs.
const KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "pages:deploy",
    "spec",
];

/// Keys a job setting runs with, that a `default:` section or a template may give it.
const JOB_SETTINGS: &[&str] = &[
    "script",
    "before_script",
    "after_script",
    "image",
    "services",
    "variables",
    "extends",
];

/// How many files one pipeline may include, nested includes counted (GitLab's own limit is
/// 150).
pub const MAX_INCLUDED: usize = 150;

/// A pipeline.
pub struct Pipeline<'y> {
    pub yaml: &'y Yaml,
    pub text: &'y str,
    pub root: NodeId,
    pub jobs: Vec<Job>,
}

/// A job as it runs: each key with the entry that gives it (the job's own, or a template's, or
/// `default:`'s), or `None` when an included file gives it.
pub struct Job {
    pub name: String,
    /// Where to point for the job: its key.
    pub site: Range<usize>,
    pub keys: Vec<(String, Option<Entry>)>,
    /// Variables, merged the same way: the pipeline's, the templates', the job's.
    pub variables: Vec<(String, Option<Entry>)>,
}

impl Job {
    /// The entry of this file that gives the job `key`; `None` when the job has no such key or
    /// an included file gives it.
    pub fn get(&self, key: &str) -> Option<Entry> {
        self.keys
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .and_then(|(_, entry)| *entry)
    }
}

/// A node of the pipeline's file (0) or of one of the files it includes (1…).
type Place = (usize, NodeId);

/// The local files an `include:` names (`include: path`, `- path`, `- local: path`), as paths
/// from the repository root. Other projects, remote URLs, GitLab's templates, components,
/// patterns (`*.yml`) and paths built from variables are not read.
pub fn local_includes(yaml: &Yaml) -> Vec<String> {
    let Some(&root) = yaml.documents.first() else {
        return Vec::new();
    };
    let Some(include) = yaml.get(root, "include") else {
        return Vec::new();
    };
    let items = match yaml.items(include.value) {
        [] => vec![include.value],
        items => items.to_vec(),
    };
    items
        .into_iter()
        .filter_map(|item| match yaml.str(item) {
            Some(path) if !path.contains("://") => Some(path),
            Some(_) => None,
            None => yaml.get(item, "local").and_then(|l| yaml.str(l.value)),
        })
        .map(|path| path.trim().trim_start_matches('/'))
        .filter(|path| !path.is_empty() && !path.contains(['*', '$']))
        .map(str::to_owned)
        .collect()
}

impl<'y> Pipeline<'y> {
    /// The pipeline in `yaml` (of `text`), with the files it includes, in the order GitLab
    /// merges them ([`local_includes`]); `None` for any other YAML.
    pub fn new(yaml: &'y Yaml, text: &'y str, included: &[Yaml]) -> Option<Pipeline<'y>> {
        let root = *yaml.documents.first()?;
        if !yaml.is_mapping(root) {
            return None;
        }
        let top = yaml.keys(root);
        let defines_job = |yaml: &Yaml, name: &str, entry: &Entry| {
            !KEYWORDS.contains(&name)
                && yaml.is_mapping(entry.value)
                && ["script", "trigger", "extends", "run"]
                    .iter()
                    .any(|key| yaml.get(entry.value, key).is_some())
        };
        // Jobs of included files, that a job of this file of the same name adds to.
        let included_jobs: Vec<String> = included
            .iter()
            .filter_map(|document| Some((document, *document.documents.first()?)))
            .filter(|(document, root)| document.is_mapping(*root))
            .flat_map(|(document, root)| {
                document
                    .keys(root)
                    .into_iter()
                    .filter(|(name, entry)| defines_job(document, name, entry))
                    .map(|(name, _)| name)
            })
            .collect();
        let is_job = |name: &str, entry: &Entry| {
            defines_job(yaml, name, entry)
                || (yaml.is_mapping(entry.value) && included_jobs.iter().any(|job| job == name))
        };
        // A hidden job (`.name`) is a template: what it sets reaches the jobs that extend it.
        let sets_job_settings = |node: NodeId| {
            yaml.is_mapping(node) && JOB_SETTINGS.iter().any(|key| yaml.get(node, key).is_some())
        };
        let is_template =
            |name: &str, entry: &Entry| name.starts_with('.') && sets_job_settings(entry.value);
        let has_stages = top
            .iter()
            .any(|(name, entry)| name == "stages" && !yaml.items(entry.value).is_empty());
        let has_jobs = top
            .iter()
            .any(|(name, entry)| is_job(name, entry) || is_template(name, entry));
        let default = yaml.get(root, "default");
        let has_default = default.is_some_and(|d| sets_job_settings(d.value));
        // Compose files and manifests have no jobs; a CI file without `stages` has some.
        if !has_jobs && !has_stages && !has_default {
            return None;
        }
        if top
            .iter()
            .any(|(name, _)| name == "apiVersion" || name == "jobs")
        {
            return None;
        }
        // Every file's top level, the including file last: a later file wins.
        let documents: Vec<&Yaml> = std::iter::once(yaml).chain(included).collect();
        let merge_order: Vec<usize> = (1..documents.len()).chain([0]).collect();
        let top_of = |file: usize| -> Vec<(String, Entry)> {
            let document = documents[file];
            document
                .documents
                .first()
                .filter(|&&root| document.is_mapping(root))
                .map(|&root| document.keys(root))
                .unwrap_or_default()
        };
        let tops: Vec<Vec<(String, Entry)>> = (0..documents.len()).map(top_of).collect();
        // The definitions of a top-level name, in merge order.
        let definitions = |wanted: &str| -> Vec<Place> {
            merge_order
                .iter()
                .flat_map(|&file| {
                    tops[file]
                        .iter()
                        .filter(move |(name, _)| name == wanted)
                        .map(move |(_, entry)| (file, entry.value))
                })
                .filter(|&(file, node)| documents[file].is_mapping(node))
                .collect()
        };
        let given = |file: usize, entry: Entry| (file == 0).then_some(entry);
        let keys_of = |(file, node): Place| -> Vec<(String, Option<Entry>)> {
            documents[file]
                .keys(node)
                .into_iter()
                .map(|(key, entry)| (key, given(file, entry)))
                .collect()
        };
        let variables_of = |(file, node): Place| -> Vec<(String, Option<Entry>)> {
            documents[file]
                .get(node, "variables")
                .map(|v| keys_of((file, v.value)))
                .unwrap_or_default()
        };
        let roots: Vec<Place> = merge_order
            .iter()
            .filter_map(|&file| documents[file].documents.first().map(|&r| (file, r)))
            .filter(|&(file, node)| documents[file].is_mapping(node))
            .collect();
        let global_variables: Vec<(String, Option<Entry>)> =
            roots.iter().flat_map(|&root| variables_of(root)).collect();
        let defaults: Vec<Place> = definitions("default");
        // A job as GitLab runs it, with the templates it extends (itself first).
        let read_job = |name: &String, entry: &Entry| -> (Job, Vec<Place>) {
            // The job's own definitions (an included job of the same name under this file's),
            // then its templates, deepest last: what a job extends, and what that extends.
            let own: Vec<Place> = definitions(name)
                .into_iter()
                .filter(|&(file, node)| file != 0 || node == entry.value)
                .rev()
                .collect();
            let mut chain: Vec<Place> = own.clone();
            let mut at = 0;
            while at < chain.len() && chain.len() < 32 {
                let (file, node) = chain[at];
                at += 1;
                let document = documents[file];
                let Some(extends) = document.get(node, "extends") else {
                    continue;
                };
                let names: Vec<&str> = match document.str(extends.value) {
                    Some(one) => vec![one],
                    None => document
                        .items(extends.value)
                        .iter()
                        .filter_map(|&item| document.str(item))
                        .collect(),
                };
                for wanted in names.into_iter().rev() {
                    if let Some(&template) = definitions(wanted).last()
                        && !chain.contains(&template)
                    {
                        chain.push(template);
                    }
                }
            }
            let mut keys = Vec::new();
            let mut variables = global_variables.clone();
            for &default in &defaults {
                keys.extend(
                    keys_of(default)
                        .into_iter()
                        .filter(|(key, _)| key != "variables"),
                );
            }
            // Templates deepest first, then the job's own definitions, this file's last.
            let order = chain[own.len()..].iter().rev().chain(own.iter().rev());
            for &place in order {
                for (key, value) in keys_of(place) {
                    if key != "variables" {
                        keys.push((key, value));
                    }
                }
                variables.extend(variables_of(place));
            }
            // Pipeline-wide `image` and `services` (the old form of `default:`).
            for key in ["image", "services"] {
                if !keys.iter().any(|(k, _)| k == key) {
                    for &(file, root) in &roots {
                        if let Some(entry) = documents[file].get(root, key) {
                            keys.push((key.to_owned(), given(file, entry)));
                        }
                    }
                }
            }
            (
                Job {
                    name: name.clone(),
                    site: yaml.span(entry.key),
                    keys,
                    variables,
                },
                chain,
            )
        };
        let mut jobs = Vec::new();
        let mut extended: Vec<Place> = Vec::new();
        for (name, entry) in top
            .iter()
            .filter(|(n, e)| !n.starts_with('.') && is_job(n, e))
        {
            let (job, chain) = read_job(name, entry);
            extended.extend(chain.into_iter().filter(|&place| place != (0, entry.value)));
            jobs.push(job);
        }
        // The templates no job of this file extends (a file of templates that others include):
        // each judged as a job, where it is written.
        for (name, entry) in top.iter().filter(|(n, e)| is_template(n, e)) {
            if !extended.contains(&(0, entry.value)) {
                jobs.push(read_job(name, entry).0);
            }
        }
        // A file of settings alone (`default:`, variables), included by others: its settings
        // judged as the jobs that take them would be.
        if jobs.is_empty()
            && let Some(default) = default.filter(|_| has_default)
        {
            jobs.push(read_job(&"default".to_owned(), &default).0);
        }
        Some(Pipeline {
            yaml,
            text,
            root,
            jobs,
        })
    }

    /// The lines of a job's scripts (`before_script`, `script`, `after_script`): each a list of
    /// lines or one string, as written.
    pub fn scripts(&self, job: &Job) -> Vec<(NodeId, String)> {
        let yaml = self.yaml;
        let mut lines = Vec::new();
        for key in ["before_script", "script", "after_script"] {
            let Some(entry) = job.get(key) else {
                continue;
            };
            match yaml.str(entry.value) {
                Some(one) => lines.push((entry.value, one.to_owned())),
                None => {
                    for &item in yaml.items(entry.value) {
                        if let Some(line) = yaml.str(item) {
                            lines.push((item, line.to_owned()));
                        }
                    }
                }
            }
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_read_as_gitlab_runs_them() {
        let text = "stages: [test]\nvariables:\n  LOG: info\ndefault:\n  image: node:22\n.base:\n  image: ruby:3.3\n  variables:\n    RAILS_ENV: test\ntest:\n  extends: .base\n  script:\n    - make test\nlint:\n  script: make lint\n";
        let yaml = Yaml::parse(text).unwrap();
        let pipeline = Pipeline::new(&yaml, text, &[]).unwrap();
        let names: Vec<&str> = pipeline.jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["test", "lint"]);
        let image = |job: &Job| {
            yaml.str(job.get("image").unwrap().value)
                .unwrap()
                .to_owned()
        };
        assert_eq!(image(&pipeline.jobs[0]), "ruby:3.3");
        assert_eq!(image(&pipeline.jobs[1]), "node:22");
        let variables: Vec<&str> = pipeline.jobs[0]
            .variables
            .iter()
            .map(|(n, _)| n.as_str())
            .collect();
        assert_eq!(variables, ["LOG", "RAILS_ENV"]);
        assert_eq!(pipeline.scripts(&pipeline.jobs[1])[0].1, "make lint");
        // Compose and other YAML are not pipelines.
        let compose = "services:\n  db:\n    image: postgres:17\n";
        let yaml = Yaml::parse(compose).unwrap();
        assert!(Pipeline::new(&yaml, compose, &[]).is_none());
    }

    #[test]
    fn included_files_give_jobs_what_they_set_without_being_judged_here() {
        let included = Yaml::parse(
            "default:\n  image: ruby:latest\n.node:\n  image: node:22\n  variables:\n    NODE_ENV: ci\ntest:\n  services: [postgres:17]\n  script: rake\n",
        )
        .unwrap();
        let text = "include: ci/base.yml\nvariables:\n  LOG: info\nbuild:\n  extends: .node\n  script: make\ntest:\n  variables:\n    DB: test\nlint:\n  script: make lint\n";
        let yaml = Yaml::parse(text).unwrap();
        assert_eq!(local_includes(&yaml), ["ci/base.yml"]);
        let pipeline = Pipeline::new(&yaml, text, std::slice::from_ref(&included)).unwrap();
        let job = |name: &str| pipeline.jobs.iter().find(|j| j.name == name).unwrap();
        // The template's image is the job's, written elsewhere: nothing of this file.
        assert!(
            job("build")
                .keys
                .iter()
                .any(|(k, e)| k == "image" && e.is_none())
        );
        assert!(job("build").get("image").is_none());
        // A job of the same name in the included file gives its services and script.
        assert!(
            job("test")
                .keys
                .iter()
                .any(|(k, e)| k == "services" && e.is_none())
        );
        let names = |job: &Job| {
            job.variables
                .iter()
                .map(|(n, _)| n.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(job("build")), ["LOG", "NODE_ENV"]);
        assert_eq!(names(job("test")), ["LOG", "DB"]);
        // The included default's image, for a job that sets none.
        assert!(job("lint").get("image").is_none());
        // Each form of `include:`; remote files, other projects and patterns are not read.
        let yaml = Yaml::parse(
            "include:\n  - /a.yml\n  - local: b.yml\n  - remote: https://x/c.yml\n  - project: g/p\n    file: d.yml\n  - local: 'ci/*.yml'\n  - https://x/e.yml\n",
        )
        .unwrap();
        assert_eq!(local_includes(&yaml), ["a.yml", "b.yml"]);
        // A file of settings alone is judged as the jobs that take them.
        let text = "default:\n  image: node:latest\n";
        let yaml = Yaml::parse(text).unwrap();
        let pipeline = Pipeline::new(&yaml, text, &[]).unwrap();
        assert_eq!(pipeline.jobs.len(), 1);
        assert!(pipeline.jobs[0].get("image").is_some());
    }
}
