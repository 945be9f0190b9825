//! Terraform checks of facts only Terraform (among the formats read today) has: buckets, IAM
//! policies, database settings, encryption. Network exposure is lowered into the deployment
//! model (`lower/terraform.rs`) and judged by the shared policies.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_terraform.rs"));

pub(crate) use crate::lower::terraform::{View, address, cause};
