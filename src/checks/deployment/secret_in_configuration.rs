//! no-hardcoded-secrets: a secret written into what a container is configured with (compose
//! `environment`, a pod's `env`, a Dockerfile's `ENV` and `ARG`), as the one judgement of
//! `secrets` finds it. The value is masked in the message and in every snippet of the file.

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::Deployment;

pub const DOCKERFILE: Check = Check::deployment("DKR004", Target::Dockerfile, check);
pub const COMPOSE: Check = Check::deployment("CMP004", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S004", Target::Kubernetes, check);
pub const GITHUB_ACTIONS: Check = Check::deployment("GHA012", Target::GithubActions, check);
pub const GITLAB_CI: Check = Check::deployment("GLC012", Target::GitlabCi, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN003", Target::CloudFormation, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for secret in &deployment.secrets {
        hits.push(
            Hit::new(
                rule,
                secret.site.clone(),
                format!("{} {}", secret.place, secret.description),
            )
            .with_secret(secret.span.clone()),
        );
    }
}
