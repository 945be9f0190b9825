//! K8S013: a capability that amounts to root on the node (or close to it) is added.

use crate::checks::kubernetes::{container_setting, describe, each_container};
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S013";

/// Capabilities that break container isolation or give control of the node or its network.
pub const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_RAW",
    "SETFCAP",
    "SYSLOG",
];

/// `cap_sys_admin` and `SYS_ADMIN` alike.
pub fn is_dangerous(capability: &str) -> bool {
    let name = capability.trim().to_ascii_uppercase();
    let name = name.strip_prefix("CAP_").unwrap_or(&name);
    DANGEROUS.contains(&name)
}

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    each_container(manifests, |resource, _, container| {
        let Some(add) = container_setting(manifests, container, &["capabilities", "add"]) else {
            return;
        };
        for &capability in yaml.items(add.value) {
            if let Some(name) = yaml.str(capability).filter(|c| is_dangerous(c)) {
                hits.push(Hit::new(
                    RULE,
                    yaml.span(capability),
                    format!(
                        "{} adds the capability `{name}`",
                        describe(resource, container)
                    ),
                ));
            }
        }
    });
}
