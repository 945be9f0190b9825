//! no-root: a container that runs as root, or may. Each format's lowering decides who a
//! container runs as (a Dockerfile's final `USER`, a compose `user:` or the Dockerfile it
//! builds, a pod's effective security context); what no source can show is not reported.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::{Deployment, User};

pub const DOCKERFILE: Check = Check::deployment("DKR001", Target::Dockerfile, check);
pub const COMPOSE: Check = Check::deployment("CMP001", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S001", Target::Kubernetes, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN004", Target::CloudFormation, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for container in deployment.workloads.iter().flat_map(|w| &w.containers) {
        match &container.user {
            User::Root {
                span,
                because,
                related,
            } => {
                let mut hit = Hit::new(
                    rule,
                    span.clone(),
                    format!("{} runs as root{because}", container.label),
                );
                hit.related.clone_from(related);
                hits.push(hit);
            }
            User::MaybeRoot { span, because } => hits.push(Hit::new(
                rule,
                span.clone(),
                format!("{} may run as root: {because}", container.label),
            )),
            User::NonRoot | User::Unknown => {}
        }
    }
}
