//! GitHub Actions lowered into the model: a job's `container` and its `services` are
//! containers (their images pulled as written, `--privileged` in their `options`), and the
//! values a pipeline is configured with (`env` of the workflow, a job, a step, a container or a
//! service, and a step's `with:` inputs) are where secrets are looked for, with the same
//! judgement as compose's environment or a pod's `env`.

use std::ops::Range;

use crate::formats::github_actions::Workflow;
use crate::formats::yaml::{NodeId, Yaml};
use crate::model::{Container, Deployment, Label, Secret};
use crate::secrets;

pub fn lower<'a>(workflow: &'a Workflow<'_>) -> Deployment<'a> {
    let yaml = workflow.yaml;
    let mut deployment = Deployment::default();
    environment(
        yaml,
        workflow.root,
        "env",
        "the workflow",
        &mut deployment.secrets,
    );
    for job in &workflow.jobs {
        let of_job = format!("job `{}`", job.id);
        environment(yaml, job.node, "env", &of_job, &mut deployment.secrets);
        let mut containers = Vec::new();
        if let Some(container) = yaml.get(job.node, "container") {
            let label = Label::Owned(format!("the container of {of_job}"));
            containers.extend(container_of(
                workflow,
                container.value,
                label,
                &mut deployment,
            ));
        }
        if let Some(services) = yaml.get(job.node, "services") {
            for (name, service) in yaml.keys(services.value) {
                let label = Label::Owned(format!("service `{name}` of {of_job}"));
                containers.extend(container_of(
                    workflow,
                    service.value,
                    label,
                    &mut deployment,
                ));
            }
        }
        for (index, step) in job.steps.iter().enumerate() {
            let of_step = match yaml.get(step.node, "name").and_then(|n| yaml.str(n.value)) {
                Some(name) => format!("step `{name}` of {of_job}"),
                None => format!("step {} of {of_job}", index + 1),
            };
            environment(yaml, step.node, "env", &of_step, &mut deployment.secrets);
            environment(yaml, step.node, "with", &of_step, &mut deployment.secrets);
        }
        deployment
            .workloads
            .extend(super::pipeline_workload(of_job, containers));
    }
    deployment
}

/// A job's container or a service: an image (`container: node:22` or `image:`), its options
/// and its environment.
fn container_of<'a>(
    workflow: &Workflow<'_>,
    node: NodeId,
    label: Label<'a>,
    deployment: &mut Deployment<'a>,
) -> Option<Container<'a>> {
    let yaml = workflow.yaml;
    let (image, site) = match yaml.str(node) {
        Some(image) => (image, yaml.span(node)),
        None => {
            let entry = yaml.get(node, "image")?;
            (yaml.str(entry.value)?, yaml.span(entry.value))
        }
    };
    let image = image.trim();
    environment(
        yaml,
        node,
        "env",
        &label.to_string(),
        &mut deployment.secrets,
    );
    let options = yaml
        .get(node, "options")
        .and_then(|o| Some((yaml.str(o.value)?, yaml.span(o.value))));
    let privileged =
        options.and_then(|(text, span)| option_span(workflow, text, span, "--privileged"));
    // An image chosen by an expression is decided when the workflow runs.
    let chosen_at_run_time = image.contains("${{");
    Some(super::pipeline_container(
        label,
        image,
        site,
        chosen_at_run_time,
        privileged,
    ))
}

/// Where `option` is written in an `options:` value (`--privileged --network host`).
fn option_span(
    workflow: &Workflow<'_>,
    text: &str,
    span: Range<usize>,
    option: &str,
) -> Option<Range<usize>> {
    text.split_whitespace().any(|word| word == option).then(|| {
        let source = workflow.text.get(span.clone()).unwrap_or_default();
        source.find(option).map_or(span.clone(), |at| {
            span.start + at..span.start + at + option.len()
        })
    })
}

/// The secrets among the values of the mapping `field` of `node` (`env:`, `with:`): literals
/// only, never a value an expression gives (`${{ secrets.TOKEN }}` is the right way).
fn environment(yaml: &Yaml, node: NodeId, field: &str, owner: &str, out: &mut Vec<Secret>) {
    let Some(values) = yaml.get(node, field) else {
        return;
    };
    let what = if field == "with" {
        "input"
    } else {
        "environment"
    };
    for (name, entry) in yaml.keys(values.value) {
        let Some(value) = yaml.str(entry.value) else {
            continue;
        };
        // Lines of `KEY=value` (`build-args`, BuildKit `secrets`): each value under its key.
        let pairs: Vec<(&str, &str)> = value
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map_while(|line| {
                let (key, assigned) = line.trim().split_once('=')?;
                let named = key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
                (named && !key.is_empty()).then_some((key, assigned))
            })
            .collect();
        let lines = value.lines().filter(|line| !line.trim().is_empty()).count();
        let judged: Vec<(Option<&str>, &str)> = if !pairs.is_empty() && pairs.len() == lines {
            pairs
                .into_iter()
                .map(|(key, assigned)| (Some(key), assigned))
                .collect()
        } else {
            vec![(None, value)]
        };
        for (key, assigned) in judged {
            if assigned.contains("${{") {
                continue;
            }
            let Some(secret) = secrets::assigned_secret(key.unwrap_or(&name), assigned) else {
                continue;
            };
            let start = value.find(assigned).unwrap_or(0);
            let range = start + secret.range.start..start + secret.range.end;
            let span = yaml.span_of_part(entry.value, range);
            let place = match key {
                Some(key) => format!("{what} `{name}` (`{key}`)"),
                None => format!("{what} `{name}`"),
            };
            out.push(Secret {
                place: format!("{place} of {owner}"),
                description: secret.description,
                site: yaml.site(entry),
                span,
            });
        }
    }
}
