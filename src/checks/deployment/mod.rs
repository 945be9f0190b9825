//! The policies that every format shares, each written once against the model of what gets
//! deployed ([`crate::model`]) and registered under the rule id of each format it applies to
//! (`CMP002` for compose, `K8S002` for Kubernetes, …), so that ids, suppressions and baselines
//! stay as users know them while the judgement is one.

// The policy modules: every file of this directory that defines a `Check` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_deployment.rs"));
