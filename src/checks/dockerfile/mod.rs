//! Dockerfile checks, one module per rule, named after the rule.

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_dockerfile.rs"));

mod shell;
