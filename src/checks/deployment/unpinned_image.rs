//! no-latest: a container image with no tag, or `:latest`, as it will be pulled (a compose
//! variable's default counts). Images the repository builds and tags itself (a compose service's
//! `build:`, Skaffold, Tilt, `ko://`) are replaced by what was built, and pass; so does a
//! placeholder for an image still to be chosen (`<your-image>`), which cannot be pulled at all.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::Deployment;
use crate::model::image::ImageRef;

pub const COMPOSE: Check = Check::deployment("CMP003", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S003", Target::Kubernetes, check);
pub const GITHUB_ACTIONS: Check = Check::deployment("GHA010", Target::GithubActions, check);
pub const GITLAB_CI: Check = Check::deployment("GLC010", Target::GitlabCi, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN006", Target::CloudFormation, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for container in deployment.workloads.iter().flat_map(|w| &w.containers) {
        let Some(image) = &container.image else {
            continue;
        };
        if container.image_built_here || ImageRef::is_placeholder(&image.value) {
            continue;
        }
        if let Some(problem) = ImageRef::parse(&image.value).floating_problem() {
            hits.push(Hit::new(
                rule,
                image.span.clone(),
                format!("image `{}` of {} {problem}", image.value, container.label),
            ));
        }
    }
}
