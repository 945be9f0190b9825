//! GitLab CI lowered into the model: each job's `image` and `services` are containers (a
//! `docker:dind` service needs a privileged runner, which is what makes it work), and its
//! variables, the pipeline's and its templates' included, are where secrets are looked for.
//! A value written once in a template or `default:` is reported once, where it is written.

use crate::formats::gitlab_ci::{Job, Pipeline};
use crate::formats::yaml::NodeId;
use crate::model::{Container, Deployment, Label, Secret};
use crate::secrets;

pub fn lower<'a>(pipeline: &'a Pipeline<'_>) -> Deployment<'a> {
    let yaml = pipeline.yaml;
    let mut deployment = Deployment::default();
    let mut seen: Vec<NodeId> = Vec::new();
    for job in &pipeline.jobs {
        let of_job = format!("job `{}`", job.name);
        variables(pipeline, job, &of_job, &mut seen, &mut deployment.secrets);
        let mut containers = Vec::new();
        if let Some(image) = job.get("image") {
            let node = yaml
                .get(image.value, "name")
                .map_or(image.value, |n| n.value);
            if !seen.contains(&node) {
                seen.push(node);
                containers.extend(container(pipeline, node, Label::Owned(of_job.clone())));
            }
        }
        if let Some(services) = job.get("services") {
            for &service in yaml.items(services.value) {
                let node = yaml.get(service, "name").map_or(service, |n| n.value);
                if seen.contains(&node) {
                    continue;
                }
                seen.push(node);
                // Named by its alias, else by its image's name without registry or tag.
                let alias = yaml.get(service, "alias").and_then(|a| yaml.str(a.value));
                let image = yaml.str(node).unwrap_or_default();
                let short = image.rsplit('/').next().unwrap_or(image);
                let name = alias.unwrap_or_else(|| short.split([':', '@']).next().unwrap_or(short));
                let label = Label::Owned(format!("service `{name}` of {of_job}"));
                containers.extend(container(pipeline, node, label));
            }
        }
        deployment
            .workloads
            .extend(super::pipeline_workload(of_job, containers));
    }
    deployment
}

fn container<'a>(pipeline: &Pipeline<'_>, node: NodeId, label: Label<'a>) -> Option<Container<'a>> {
    let yaml = pipeline.yaml;
    let image = yaml.str(node)?.trim();
    let span = yaml.span(node);
    // Docker-in-Docker runs only on a privileged runner.
    let name = image.rsplit('/').next().unwrap_or(image);
    let dind = name.starts_with("docker:") && name.contains("dind");
    // A CI variable (`$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA`) is decided when the pipeline runs.
    let chosen_at_run_time = image.contains('$');
    Some(super::pipeline_container(
        label,
        image,
        span.clone(),
        chosen_at_run_time,
        dind.then_some(span),
    ))
}

/// The secrets among a job's variables (`NAME: value` or `NAME: {value: …}`); a variable
/// another one names (`$TOKEN`) is not a literal.
fn variables(
    pipeline: &Pipeline<'_>,
    job: &Job,
    owner: &str,
    seen: &mut Vec<NodeId>,
    out: &mut Vec<Secret>,
) {
    let yaml = pipeline.yaml;
    let global: Vec<NodeId> = yaml
        .get(pipeline.root, "variables")
        .map(|v| {
            yaml.keys(v.value)
                .into_iter()
                .map(|(_, e)| e.value)
                .collect()
        })
        .unwrap_or_default();
    for (name, entry) in &job.variables {
        // A variable an included file gives is judged in that file.
        let Some(entry) = entry else {
            continue;
        };
        let owner = if global.contains(&entry.value) {
            "the pipeline"
        } else {
            owner
        };
        let node = yaml
            .get(entry.value, "value")
            .map_or(entry.value, |v| v.value);
        if seen.contains(&node) {
            continue;
        }
        seen.push(node);
        let Some(value) = yaml.str(node) else {
            continue;
        };
        if value.starts_with('$') {
            continue;
        }
        let Some(secret) = secrets::assigned_secret(name, value) else {
            continue;
        };
        let span = yaml.span_of_part(node, secret.range);
        out.push(Secret {
            place: format!("variable `{name}` of {owner}"),
            description: secret.description,
            site: yaml.site(*entry),
            span,
        });
    }
}
