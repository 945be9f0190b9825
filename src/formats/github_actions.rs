//! GitHub Actions: workflows (`.github/workflows/*.yml`) and actions (`action.yml`), read from
//! the YAML tree with every position kept. A workflow is known by what it holds (a top-level
//! `jobs` mapping whose jobs have `runs-on`, `steps` or `uses`), an action by its `runs.using`.
//!
//! `${{ … }}` expressions are not templates to skip but code that GitHub evaluates before a step
//! runs: [`expressions`] finds them in a value and [`contexts`] names the context paths each reads
//! (`github.event.issue.title`, `inputs.name`, `steps.meta.outputs.tags`), so rules can tell an
//! attacker-controlled value expanded into a shell script from a harmless one.

use std::ops::Range;

use crate::formats::yaml::{Entry, NodeId, Yaml};

/// A workflow or an action.
pub struct Workflow<'y> {
    pub yaml: &'y Yaml,
    pub text: &'y str,
    pub root: NodeId,
    /// `action.yml` (a composite action's steps) rather than a workflow.
    pub action: bool,
    /// The events it runs on (`on:`), each with the place it is named.
    pub triggers: Vec<(String, Range<usize>)>,
    /// The top-level `permissions` entry.
    pub permissions: Option<Entry>,
    pub jobs: Vec<Job>,
}

/// One job (or, for an action, its `runs`).
pub struct Job {
    pub id: String,
    pub node: NodeId,
    /// Where to point for the job as a whole: its key.
    pub site: Range<usize>,
    pub permissions: Option<Entry>,
    /// A reusable workflow it calls (`jobs.<id>.uses`).
    pub uses: Option<Scalar>,
    pub steps: Vec<Step>,
}

/// One step.
pub struct Step {
    pub node: NodeId,
    pub uses: Option<Scalar>,
    pub run: Option<Scalar>,
    /// `with:` inputs, by name.
    pub with: Vec<(String, Scalar)>,
}

/// A scalar value and its place.
#[derive(Clone, Debug)]
pub struct Scalar {
    pub text: String,
    pub node: NodeId,
    pub span: Range<usize>,
}

impl<'y> Workflow<'y> {
    /// The workflow or action in `yaml` (of `text`); `None` for any other YAML.
    pub fn new(yaml: &'y Yaml, text: &'y str) -> Option<Workflow<'y>> {
        let root = *yaml.documents.first()?;
        if !yaml.is_mapping(root) {
            return None;
        }
        let scalar = |node: NodeId| {
            yaml.str(node).map(|text| Scalar {
                text: text.to_owned(),
                node,
                span: yaml.span(node),
            })
        };
        let steps_of = |node: NodeId| -> Vec<Step> {
            let Some(steps) = yaml.get(node, "steps") else {
                return Vec::new();
            };
            yaml.items(steps.value)
                .iter()
                .filter(|&&step| yaml.is_mapping(step))
                .map(|&step| Step {
                    node: step,
                    uses: yaml.get(step, "uses").and_then(|e| scalar(e.value)),
                    run: yaml.get(step, "run").and_then(|e| scalar(e.value)),
                    with: yaml
                        .get(step, "with")
                        .map(|with| {
                            yaml.keys(with.value)
                                .into_iter()
                                .filter_map(|(key, entry)| Some((key, scalar(entry.value)?)))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        };
        // An action: `runs: {using: composite, steps: […]}` (or a Docker or JavaScript action).
        if let Some(runs) = yaml.get(root, "runs")
            && yaml.get(runs.value, "using").is_some()
        {
            let site = yaml.span(runs.key);
            return Some(Workflow {
                yaml,
                text,
                root,
                action: true,
                triggers: Vec::new(),
                permissions: None,
                jobs: vec![Job {
                    id: "runs".to_owned(),
                    node: runs.value,
                    site,
                    permissions: None,
                    uses: None,
                    steps: steps_of(runs.value),
                }],
            });
        }
        let jobs_entry = yaml.get(root, "jobs")?;
        let job_entries = yaml.keys(jobs_entry.value);
        let is_workflow = !job_entries.is_empty()
            && job_entries.iter().all(|(_, job)| {
                yaml.is_mapping(job.value)
                    && ["runs-on", "steps", "uses"]
                        .iter()
                        .any(|key| yaml.get(job.value, key).is_some())
            });
        if !is_workflow {
            return None;
        }
        // `on:` as a string, a list of events, or a mapping of events to their settings. YAML
        // 1.1 readers take the key `on` for `true`; the tree keeps it as written.
        let mut triggers = Vec::new();
        if let Some(on) = yaml.get(root, "on").or_else(|| yaml.get(root, "true")) {
            match yaml.str(on.value) {
                Some(event) => triggers.push((event.to_owned(), yaml.span(on.value))),
                None if yaml.is_mapping(on.value) => {
                    for (event, entry) in yaml.keys(on.value) {
                        triggers.push((event, yaml.span(entry.key)));
                    }
                }
                None => {
                    for &item in yaml.items(on.value) {
                        if let Some(event) = yaml.str(item) {
                            triggers.push((event.to_owned(), yaml.span(item)));
                        }
                    }
                }
            }
        }
        let jobs = job_entries
            .into_iter()
            .map(|(id, job)| Job {
                id,
                node: job.value,
                site: yaml.span(job.key),
                permissions: yaml.get(job.value, "permissions"),
                uses: yaml.get(job.value, "uses").and_then(|e| scalar(e.value)),
                steps: steps_of(job.value),
            })
            .collect();
        Some(Workflow {
            yaml,
            text,
            root,
            action: false,
            triggers,
            permissions: yaml.get(root, "permissions"),
            jobs,
        })
    }

    /// Whether it runs on `event`.
    pub fn runs_on(&self, event: &str) -> bool {
        self.triggers.iter().any(|(name, _)| name == event)
    }

    /// Where each of `pieces` (texts of the scalar's value, in order) is written in the file:
    /// found in the scalar's source text, which a block scalar writes with its indentation; a
    /// piece met again is the next occurrence of its text.
    pub fn places(&self, scalar: &Scalar, pieces: &[&str]) -> Vec<Range<usize>> {
        let source = self.text.get(scalar.span.clone()).unwrap_or_default();
        pieces
            .iter()
            .enumerate()
            .map(|(index, piece)| {
                let n = pieces[..index].iter().filter(|p| *p == piece).count();
                source
                    .match_indices(piece)
                    .nth(n)
                    .map(|(at, _)| {
                        let start = scalar.span.start + at;
                        start..start + piece.len()
                    })
                    .unwrap_or_else(|| scalar.span.clone())
            })
            .collect()
    }

    /// The `${{ … }}` expressions of a scalar: where each is written, and its inside.
    pub fn expressions_in<'s>(&self, scalar: &'s Scalar) -> Vec<(Range<usize>, &'s str)> {
        let found = expressions(&scalar.text);
        let written: Vec<&str> = found.iter().map(|(written, _)| *written).collect();
        self.places(scalar, &written)
            .into_iter()
            .zip(found.into_iter().map(|(_, inside)| inside))
            .collect()
    }
}

/// The `${{ … }}` expressions of a value: the whole expression as written, and its inside.
pub fn expressions(text: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            break;
        };
        found.push((&rest[start..start + 3 + end + 2], after[..end].trim()));
        rest = &after[end + 2..];
    }
    found
}

/// The context paths an expression reads (`github.event.issue.title`,
/// `github.event.pull_request.head.ref`, `inputs.name`), indexes written as `*` and string
/// literals and function names left out.
pub fn contexts(expression: &str) -> Vec<String> {
    let bytes = expression.as_bytes();
    let mut paths = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        if c == b'\'' {
            // A string literal: `''` is a quote inside it.
            at += 1;
            while at < bytes.len() {
                if bytes[at] == b'\'' {
                    if bytes.get(at + 1) == Some(&b'\'') {
                        at += 2;
                        continue;
                    }
                    break;
                }
                at += 1;
            }
            at += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let ident = |at: usize| {
                let mut end = at;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || matches!(bytes[end], b'_' | b'-'))
                {
                    end += 1;
                }
                end
            };
            let end = ident(at);
            let mut segments = vec![&expression[at..end]];
            at = end;
            loop {
                match bytes.get(at) {
                    Some(b'.') if bytes.get(at + 1) == Some(&b'*') => {
                        segments.push("*");
                        at += 2;
                    }
                    Some(b'.')
                        if bytes
                            .get(at + 1)
                            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_') =>
                    {
                        let end = ident(at + 1);
                        segments.push(&expression[at + 1..end]);
                        at = end;
                    }
                    Some(b'[') => {
                        segments.push("*");
                        at = expression[at..]
                            .find(']')
                            .map_or(bytes.len(), |i| at + i + 1);
                    }
                    _ => break,
                }
            }
            let path = segments.join(".");
            let is_call = expression[at..].trim_start().starts_with('(');
            if !is_call && !matches!(path.as_str(), "true" | "false" | "null") {
                paths.push(path);
            }
            continue;
        }
        at += 1;
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_and_the_contexts_they_read() {
        let text =
            "echo \"${{ github.event.issue.title }}\" && echo ${{ format('{0}', inputs.name) }}";
        let found = expressions(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "${{ github.event.issue.title }}");
        assert_eq!(contexts(found[0].1), ["github.event.issue.title"]);
        assert_eq!(contexts(found[1].1), ["inputs.name"]);
        assert_eq!(
            contexts("github.event.commits[0].message || 'x.y' && steps.meta.outputs.tags"),
            ["github.event.commits.*.message", "steps.meta.outputs.tags"]
        );
        assert_eq!(
            contexts("toJSON(github.event.pull_request.*.body) == true"),
            ["github.event.pull_request.*.body"]
        );
    }

    #[test]
    fn workflows_and_actions_by_what_they_hold() {
        let text = "on:\n  pull_request_target:\n    types: [opened]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          echo hi\n";
        let yaml = Yaml::parse(text).unwrap();
        let workflow = Workflow::new(&yaml, text).unwrap();
        assert!(workflow.runs_on("pull_request_target"));
        assert_eq!(workflow.jobs[0].steps.len(), 2);
        assert_eq!(
            workflow.jobs[0].steps[0].uses.as_ref().unwrap().text,
            "actions/checkout@v4"
        );
        let action = "name: x\nruns:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.a }}\n      shell: bash\n";
        let yaml = Yaml::parse(action).unwrap();
        assert!(Workflow::new(&yaml, action).unwrap().action);
        let other = "jobs:\n  a: 1\n";
        let yaml = Yaml::parse(other).unwrap();
        assert!(Workflow::new(&yaml, other).is_none());
    }
}
