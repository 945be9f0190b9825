//! Parsers that turn a file's text into a document model whose nodes keep their byte spans.

pub mod budget;
pub mod cloudformation;
pub mod compose;
pub mod dockerfile;
pub mod github_actions;
pub mod gitlab_ci;
pub mod hcl_outline;
pub mod kubernetes;
pub mod kustomize;
pub mod kustomize_patches;
pub mod network_policies;
pub mod terraform;
pub mod terraform_json;
pub mod yaml;
