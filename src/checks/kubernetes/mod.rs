//! Kubernetes checks that read facts only Kubernetes has (service account tokens, seccomp
//! profiles, resource limits, `Secret` objects), one module per rule, named after the rule. What
//! Kubernetes shares with other formats (containers, exposure) is lowered into the deployment
//! model and judged by the shared policies (`checks/deployment/`).

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_kubernetes.rs"));

pub(crate) use crate::lower::kubernetes::{
    container_setting, describe, each_container, effective_setting,
};
