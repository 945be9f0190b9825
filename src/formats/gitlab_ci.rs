//! GitLab CI: `.gitlab-ci.yml` and the files it includes, read from the YAML tree with every
//! position kept. A pipeline is known by what it holds: jobs (top-level mappings that are not
//! GitLab's own keywords) with a `script`, a `trigger` or an `extends`, or a `stages` list.
//!
//! A job is read as GitLab runs it: `default:` first, then the jobs it `extends` (hidden
//! templates, `.name`, included; deepest first, mappings merged key by key, last wins), then its
//! own keys; YAML anchors and merge keys are the parser's. Each value keeps the place it was
//! written, in the template if that is where it comes from.

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

/// A pipeline.
pub struct Pipeline<'y> {
    pub yaml: &'y Yaml,
    pub text: &'y str,
    pub root: NodeId,
    pub jobs: Vec<Job>,
}

/// A job as it runs: each key with the entry that gives it (the job's own, or a template's, or
/// `default:`'s).
pub struct Job {
    pub name: String,
    /// Where to point for the job: its key.
    pub site: Range<usize>,
    pub keys: Vec<(String, Entry)>,
    /// Variables, merged the same way: the pipeline's, the templates', the job's.
    pub variables: Vec<(String, Entry)>,
}

impl Job {
    pub fn get(&self, key: &str) -> Option<Entry> {
        self.keys
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, entry)| *entry)
    }
}

impl<'y> Pipeline<'y> {
    /// The pipeline in `yaml` (of `text`); `None` for any other YAML.
    pub fn new(yaml: &'y Yaml, text: &'y str) -> Option<Pipeline<'y>> {
        let root = *yaml.documents.first()?;
        if !yaml.is_mapping(root) {
            return None;
        }
        let top = yaml.keys(root);
        let is_job = |name: &str, entry: &Entry| {
            !KEYWORDS.contains(&name)
                && yaml.is_mapping(entry.value)
                && ["script", "trigger", "extends", "run"]
                    .iter()
                    .any(|key| yaml.get(entry.value, key).is_some())
        };
        // A hidden job (`.name`) is a template: what it sets reaches the jobs that extend it.
        let is_template = |name: &str, entry: &Entry| {
            name.starts_with('.')
                && yaml.is_mapping(entry.value)
                && [
                    "script",
                    "before_script",
                    "image",
                    "services",
                    "variables",
                    "extends",
                ]
                .iter()
                .any(|key| yaml.get(entry.value, key).is_some())
        };
        let has_stages = top
            .iter()
            .any(|(name, entry)| name == "stages" && !yaml.items(entry.value).is_empty());
        let has_jobs = top
            .iter()
            .any(|(name, entry)| is_job(name, entry) || is_template(name, entry));
        // Compose files and manifests have no jobs; a CI file without `stages` has some.
        if !has_jobs && !has_stages {
            return None;
        }
        if top
            .iter()
            .any(|(name, _)| name == "apiVersion" || name == "jobs")
        {
            return None;
        }
        let templates: Vec<(String, Entry)> = top
            .iter()
            .filter(|(name, entry)| {
                yaml.is_mapping(entry.value) && !KEYWORDS.contains(&name.as_str())
            })
            .cloned()
            .collect();
        let default = yaml.get(root, "default");
        let global_variables: Vec<(String, Entry)> = yaml
            .get(root, "variables")
            .map(|v| yaml.keys(v.value))
            .unwrap_or_default();
        // A job as GitLab runs it, with the templates it extends (itself first).
        let read_job = |name: &String, entry: &Entry| -> (Job, Vec<NodeId>) {
            // Templates, deepest first: what a job extends, and what that extends.
            let mut chain: Vec<NodeId> = vec![entry.value];
            let mut at = 0;
            while at < chain.len() && chain.len() < 32 {
                let node = chain[at];
                at += 1;
                let Some(extends) = yaml.get(node, "extends") else {
                    continue;
                };
                let names: Vec<&str> = match yaml.str(extends.value) {
                    Some(one) => vec![one],
                    None => yaml
                        .items(extends.value)
                        .iter()
                        .filter_map(|&item| yaml.str(item))
                        .collect(),
                };
                for wanted in names.into_iter().rev() {
                    if let Some((_, template)) = templates.iter().find(|(n, _)| n == wanted)
                        && !chain.contains(&template.value)
                    {
                        chain.push(template.value);
                    }
                }
            }
            let mut keys = Vec::new();
            let mut variables = global_variables.clone();
            if let Some(default) = default {
                keys.extend(yaml.keys(default.value));
            }
            for &node in chain.iter().rev() {
                for (key, value) in yaml.keys(node) {
                    if key == "variables" {
                        variables.extend(yaml.keys(value.value));
                    } else {
                        keys.push((key, value));
                    }
                }
            }
            // Pipeline-wide `image` and `services` (the old form of `default:`).
            for key in ["image", "services"] {
                if !keys.iter().any(|(k, _)| k == key)
                    && let Some(entry) = yaml.get(root, key)
                {
                    keys.push((key.to_owned(), entry));
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
        let mut extended: Vec<NodeId> = Vec::new();
        for (name, entry) in top
            .iter()
            .filter(|(n, e)| !n.starts_with('.') && is_job(n, e))
        {
            let (job, chain) = read_job(name, entry);
            extended.extend(chain.into_iter().skip(1));
            jobs.push(job);
        }
        // The templates no job of this file extends (a file of templates that others include):
        // each judged as a job, where it is written.
        for (name, entry) in top.iter().filter(|(n, e)| is_template(n, e)) {
            if !extended.contains(&entry.value) {
                jobs.push(read_job(name, entry).0);
            }
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
        let pipeline = Pipeline::new(&yaml, text).unwrap();
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
        assert!(Pipeline::new(&yaml, compose).is_none());
    }
}
