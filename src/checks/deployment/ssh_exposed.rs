//! no-public-ssh: SSH (port 22) open: declared by an image (`EXPOSE`), published by a compose
//! service on a non-loopback address, opened in a pod, on a node or by a Service, or let in from
//! the internet by a network rule (a range that includes 22, or all ports).

use crate::checks::{Check, Hit, Settings};
use crate::discover::Target;
use crate::model::ports::SSH;
use crate::model::{Audience, Deployment, Ports, Reach};

pub const DOCKERFILE: Check = Check::deployment("DKR003", Target::Dockerfile, check);
pub const COMPOSE: Check = Check::deployment("CMP006", Target::Compose, check);
pub const KUBERNETES: Check = Check::deployment("K8S007", Target::Kubernetes, check);
pub const TERRAFORM: Check = Check::deployment("TFM001", Target::Terraform, check);
pub const CLOUDFORMATION: Check = Check::deployment("CFN001", Target::CloudFormation, check);

fn check(deployment: &Deployment<'_>, _: &Settings, rule: &'static str, hits: &mut Vec<Hit>) {
    for exposure in &deployment.exposures {
        if exposure.audience == Audience::Local || !exposure.opens(SSH) {
            continue;
        }
        let Reach::Ports { open, .. } = &exposure.reach else {
            continue;
        };
        let what = match open {
            Ports::Range(SSH, SSH) => "SSH (port 22)".to_owned(),
            Ports::All => "SSH (port 22; every port is open)".to_owned(),
            range => format!("SSH (port 22, in {})", range.describe()),
        };
        let message = format!(
            "{} {} {what}{}",
            exposure.subject, exposure.verb, exposure.how
        );
        hits.push(Hit::new(rule, exposure.span.clone(), message).in_file(exposure.file));
    }
}
