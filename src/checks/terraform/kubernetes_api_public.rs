//! TFM014: a managed Kubernetes control plane whose API endpoint anyone on the internet can
//! reach: an EKS cluster with its public endpoint on (the default) and no CIDR limits (or
//! `0.0.0.0/0` among them), the same through the `terraform-aws-modules/eks` module; a GKE
//! cluster with a public endpoint and no `master_authorized_networks_config`; an AKS cluster
//! that is not private and authorises no IP ranges. The API is then one stolen token or one
//! authentication flaw away from the whole cluster.

use crate::checks::terraform::{View, address};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module, block_header_span, label};
use crate::model::ports::is_everyone;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM014";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for (file, block) in module.resources(&["aws_eks_cluster"]) {
        let view = View::new(module, file, &block.body);
        let Some(vpc) = view.nested("vpc_config").into_iter().next() else {
            continue;
        };
        if vpc.bool("endpoint_public_access") == Some(false) {
            continue;
        }
        let hit = match vpc.strings("public_access_cidrs") {
            None if vpc.get("public_access_cidrs").is_none() => Some((
                vpc.span("endpoint_public_access")
                    .unwrap_or_else(|| block_header_span(&block).unwrap_or(0..0)),
                "has a public API endpoint with no `public_access_cidrs`, so every address may reach it",
            )),
            Some(ranges) if ranges.iter().any(|r| is_everyone(r)) => Some((
                vpc.span("public_access_cidrs").unwrap_or(0..0),
                "admits every address to its public API endpoint (`public_access_cidrs` holds `0.0.0.0/0`)",
            )),
            _ => None,
        };
        if let Some((span, what)) = hit {
            hits.push((
                file,
                Hit::new(RULE, span, format!("{} {what}", address(&block))),
            ));
        }
    }
    for (file, block) in module.blocks("module") {
        let view = View::new(module, file, &block.body);
        if !view
            .string("source")
            .is_some_and(|s| s.contains("terraform-aws-modules/eks"))
        {
            continue;
        }
        // The module's inputs were renamed in its version 21.
        let (public, cidrs) = ["cluster_endpoint_public_access", "endpoint_public_access"]
            .iter()
            .zip([
                "cluster_endpoint_public_access_cidrs",
                "endpoint_public_access_cidrs",
            ])
            .find(|(key, _)| view.get(key).is_some())
            .map_or(("", ""), |(public, cidrs)| (*public, cidrs));
        // The module keeps the endpoint private unless told otherwise.
        if public.is_empty() || view.bool(public) != Some(true) {
            continue;
        }
        let world = match view.strings(cidrs) {
            None => view.get(cidrs).is_none(),
            Some(ranges) => ranges.iter().any(|r| is_everyone(r)),
        };
        if world {
            let name = format!("module.{}", label(&block, 0).unwrap_or("?"));
            hits.push((
                file,
                Hit::new(
                    RULE,
                    view.span(cidrs).or_else(|| view.span(public)).unwrap_or(0..0),
                    format!("{name} opens the cluster's API endpoint to every address (`{public} = true` without `{cidrs}` limits)"),
                ),
            ));
        }
    }
    for (file, block) in module.resources(&["google_container_cluster"]) {
        let view = View::new(module, file, &block.body);
        let private_endpoint = view
            .nested("private_cluster_config")
            .iter()
            .any(|p| p.bool("enable_private_endpoint") == Some(true));
        if private_endpoint {
            continue;
        }
        let networks = view.nested("master_authorized_networks_config");
        let hit = match networks.first() {
            None => Some((
                block_header_span(&block).unwrap_or(0..0),
                "has a public API endpoint and no `master_authorized_networks_config`, so every address may reach it".to_owned(),
            )),
            Some(config) => config
                .nested("cidr_blocks")
                .iter()
                .find(|c| c.string("cidr_block").is_some_and(|r| is_everyone(&r)))
                .map(|c| (
                    c.span("cidr_block").unwrap_or(0..0),
                    "authorises every address (`0.0.0.0/0`) to reach its API endpoint".to_owned(),
                )),
        };
        if let Some((span, what)) = hit {
            hits.push((
                file,
                Hit::new(RULE, span, format!("{} {what}", address(&block))),
            ));
        }
    }
    for (file, block) in module.resources(&["azurerm_kubernetes_cluster"]) {
        let view = View::new(module, file, &block.body);
        if view.bool("private_cluster_enabled") == Some(true) {
            continue;
        }
        let profile = view.nested("api_server_access_profile").into_iter().next();
        let written = profile
            .as_ref()
            .filter(|p| p.get("authorized_ip_ranges").is_some())
            .map(|p| (p, "authorized_ip_ranges"))
            .or_else(|| {
                view.get("api_server_authorized_ip_ranges")
                    .map(|_| (&view, "api_server_authorized_ip_ranges"))
            });
        let ranges = match written {
            // Decided by a variable without a value here: not judged.
            Some((holder, key)) => match holder.strings(key) {
                Some(ranges) => Some((ranges, holder.span(key))),
                None => continue,
            },
            None => None,
        };
        let hit = match ranges {
            None => Some((
                block_header_span(&block).unwrap_or(0..0),
                "is not private and authorises no IP ranges for its API server, so every address may reach it",
            )),
            Some((ranges, span)) if ranges.is_empty() || ranges.iter().any(|r| is_everyone(r)) => {
                Some((
                    span.unwrap_or(0..0),
                    "authorises every address to reach its API server",
                ))
            }
            _ => None,
        };
        if let Some((span, what)) = hit {
            hits.push((
                file,
                Hit::new(RULE, span, format!("{} {what}", address(&block))),
            ));
        }
    }
}
