//! K8S024: a Service of type LoadBalancer with no `loadBalancerSourceRanges` (or one holding
//! `0.0.0.0/0`): the cloud gives it an address on the internet that admits everyone on its
//! ports. Internal load balancers (the clouds' `internal` annotations, as the exposure of
//! database and SSH ports reads them) are left out.

use super::{admits_everyone, internal_load_balancer};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S024";

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for service in manifests.resources.iter().filter(|r| r.kind == "Service") {
        let Some(spec) = yaml.get(service.root, "spec") else {
            continue;
        };
        let Some(kind) = yaml.get(spec.value, "type") else {
            continue;
        };
        if yaml.str(kind.value).map(str::trim) != Some("LoadBalancer") {
            continue;
        }
        if internal_load_balancer(manifests, service) {
            continue;
        }
        match yaml.get(spec.value, "loadBalancerSourceRanges") {
            // A patch leaves the ranges to the Service it patches.
            None if manifests.partial => {}
            None => hits.push(Hit::new(
                RULE,
                manifests.site(kind),
                format!(
                    "{} is a load balancer with no `loadBalancerSourceRanges`: everyone on the internet reaches its ports",
                    service.label()
                ),
            )),
            Some(ranges) => {
                let world = yaml
                    .items(ranges.value)
                    .iter()
                    .find(|&&item| yaml.str(item).is_some_and(admits_everyone));
                if let Some(&item) = world {
                    hits.push(Hit::new(
                        RULE,
                        yaml.span(item),
                        format!(
                            "{} admits everyone on the internet (`loadBalancerSourceRanges` holds `{}`)",
                            service.label(),
                            yaml.str(item).unwrap_or_default().trim()
                        ),
                    ));
                }
            }
        }
    }
}
