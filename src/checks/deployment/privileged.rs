//! A privileged container: root on the machine, with every device and capability.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::Deployment;

pub const COMPOSE: Check = Check::deployment("CMP002", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S002", Target::Kubernetes, check);
pub const GITHUB_ACTIONS: Check = Check::deployment("GHA011", Target::GithubActions, check);
pub const GITLAB_CI: Check = Check::deployment("GLC011", Target::GitlabCi, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN005", Target::CloudFormation, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for container in deployment.workloads.iter().flat_map(|w| &w.containers) {
        if let Some(span) = &container.privileged {
            hits.push(Hit::new(
                rule,
                span.clone(),
                format!("{} runs privileged", container.label),
            ));
        }
    }
}
