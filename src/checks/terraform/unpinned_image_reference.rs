//! TFM005: a container image with no tag or `:latest`, where Terraform deploys containers:
//! `kubernetes_*` workloads (`container` and `init_container` blocks at any depth),
//! `docker_container` and `docker_image`, Cloud Run services and jobs (`containers` blocks), and
//! ECS task definitions, whose `container_definitions` are read as JSON (also through
//! `jsonencode(...)`).

use std::ops::Range;

use hcl_edit::structure::Block;

use crate::checks::terraform::{View, address, cause};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, Resolved, label};
use crate::model::image::ImageRef;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM005";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.blocks("resource") {
        let kind = label(&block, 0).unwrap_or("");
        let view = View::new(module, file, &block.body);
        let mut images: Vec<(String, Range<usize>, Vec<String>)> = Vec::new();
        if kind.starts_with("kubernetes_") {
            collect(&view, &["container", "init_container"], &mut images);
        } else if kind.starts_with("google_cloud_run") {
            collect(&view, &["containers"], &mut images);
        } else if kind == "docker_container" || kind == "docker_image" {
            let key = if kind == "docker_image" {
                "name"
            } else {
                "image"
            };
            if let (Some(image), Some(span)) = (view.string(key), view.span(key)) {
                images.push((image, span, view.variables(key)));
            }
        } else if kind == "aws_ecs_task_definition" {
            images.extend(ecs_images(module, &view));
        }
        for (image, span, variables) in images {
            report(&block, &image, span, &variables, file, hits);
        }
    }
}

fn report(
    block: &Block,
    image: &str,
    span: Range<usize>,
    variables: &[String],
    file: At,
    hits: &mut Vec<(At, Hit)>,
) {
    let image = image.trim();
    if image.is_empty() {
        return;
    }
    if let Some(problem) = ImageRef::parse(image).floating_problem() {
        let message = format!(
            "image `{image}` of {} {problem}{}",
            address(block),
            cause(variables)
        );
        hits.push((file, Hit::new(RULE, span, message)));
    }
}

/// `image` attributes of the named blocks, at any depth (`dynamic` blocks expanded).
fn collect(view: &View<'_>, names: &[&str], images: &mut Vec<(String, Range<usize>, Vec<String>)>) {
    let mut children: Vec<&str> = view
        .body
        .blocks()
        .map(|block| match block.ident.as_str() {
            "dynamic" => label(block, 0).unwrap_or("dynamic"),
            ident => ident,
        })
        .collect();
    children.sort_unstable();
    children.dedup();
    for name in children {
        for inner in view.nested(name) {
            if names.contains(&name)
                && let (Some(image), Some(span)) = (inner.string("image"), inner.span("image"))
            {
                images.push((image, span, inner.variables("image")));
            }
            collect(&inner, names, images);
        }
    }
}

/// Images of an ECS task definition's `container_definitions` JSON, pointing at each image's text
/// inside the attribute when it is written there.
fn ecs_images(module: &Module, view: &View<'_>) -> Vec<(String, Range<usize>, Vec<String>)> {
    let (Some(Resolved::Known(hcl::Value::String(json))), Some(span)) = (
        view.get("container_definitions"),
        view.span("container_definitions"),
    ) else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Array(definitions)) =
        serde_json::from_str::<serde_json::Value>(&json)
    else {
        return Vec::new();
    };
    let source = module.text(view.file);
    let raw = source.get(span.clone()).unwrap_or("");
    let variables = view.variables("container_definitions");
    definitions
        .iter()
        .filter_map(|definition| definition.get("image")?.as_str())
        .map(|image| {
            let site = raw.find(image).map_or(span.clone(), |at| {
                span.start + at..span.start + at + image.len()
            });
            (image.to_owned(), site, variables.clone())
        })
        .collect()
}
