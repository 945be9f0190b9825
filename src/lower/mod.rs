//! Each format lowered into the model of what gets deployed ([`crate::model`]): the format's
//! own words read once, with spans, into workloads, containers, exposures and secrets, so that a
//! policy is written once for every format. A format's specific reading that more than one rule
//! needs lives here too (Terraform's [`terraform::View`]).

pub mod compose;
pub mod dockerfile;
pub mod github_actions;
pub mod gitlab_ci;
pub mod kubernetes;
pub mod terraform;
