//! K8S027: a pod that sets a sysctl outside the safe set. Most kernel parameters are shared by
//! every pod of the node, or reach past the pod's namespaces; the Pod Security Standards'
//! baseline allows only the ones namespaced to the pod.

use crate::checks::kubernetes::pod_setting;
use crate::checks::{Check, Hit};
use crate::formats::kubernetes::Manifests;

pub const CHECK: Check = Check::kubernetes(RULE, check);
const RULE: &str = "K8S027";

/// The sysctls the baseline Pod Security Standard allows (Kubernetes v1.31).
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

fn check(manifests: &Manifests<'_>, hits: &mut Vec<Hit>) {
    let yaml = manifests.yaml;
    for resource in &manifests.resources {
        let Some(pod) = &resource.pod else {
            continue;
        };
        let Some(sysctls) = pod_setting(manifests, pod, &["sysctls"]) else {
            continue;
        };
        for &sysctl in yaml.items(sysctls.value) {
            let Some(name) = yaml.get(sysctl, "name") else {
                continue;
            };
            let Some(text) = yaml.str(name.value) else {
                continue;
            };
            // Admission compares names as written: `net/ipv4/tcp_syncookies` is refused too.
            if SAFE.contains(&text.trim()) {
                continue;
            }
            hits.push(Hit::new(
                RULE,
                manifests.site(name),
                format!(
                    "{} sets the sysctl `{}`, outside the baseline's safe set",
                    resource.label(),
                    text.trim()
                ),
            ));
        }
    }
}
