//! K8S023: an Ingress with no `tls`: its hosts are served over plain HTTP, so credentials and
//! session cookies cross the network readable and alterable. An Ingress whose controller
//! terminates TLS with a certificate named in an annotation (an AWS load balancer's
//! `certificate-arn`, Google's pre-shared or managed certificates) is left out, and so is a
//! patch, which leaves `tls` to the Ingress it patches.

use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S023";

/// Annotations that give the controller a certificate outside `spec.tls`.
const CERTIFICATE_ANNOTATIONS: &[&str] = &[
    "alb.ingress.kubernetes.io/certificate-arn",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "networking.gke.io/managed-certificates",
    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
];

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    if manifests.partial {
        return;
    }
    let yaml = manifests.yaml;
    for ingress in manifests.resources.iter().filter(|r| r.kind == "Ingress") {
        let Some(spec) = yaml.get(ingress.root, "spec") else {
            continue;
        };
        let tls = yaml
            .get(spec.value, "tls")
            .is_some_and(|tls| !yaml.items(tls.value).is_empty());
        let annotated = yaml
            .get(ingress.root, "metadata")
            .and_then(|m| yaml.get(m.value, "annotations"))
            .is_some_and(|annotations| {
                yaml.keys(annotations.value)
                    .iter()
                    .any(|(key, _)| CERTIFICATE_ANNOTATIONS.contains(&key.as_str()))
            });
        if tls || annotated {
            continue;
        }
        hits.push(Hit::new(
            RULE,
            manifests.resource_site(ingress),
            format!(
                "{} has no `tls`: its hosts are served over plain HTTP",
                ingress.label()
            ),
        ));
    }
}
