//! Palisade: a policy and security scanner for infrastructure as code.
//!
//! The flow is `discover` → parse (`formats`) → lower into what gets deployed (`lower`,
//! `model`) → `checks` → `engine` (filter, sort, fingerprint) → `report`; `ARCHITECTURE.md`
//! tells it whole. The library returns values and writes only to the writers it is given; the
//! binary (`main.rs`) parses arguments and maps the outcome to an exit code.

pub mod baseline;
pub mod bounded;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod compliance;
pub mod config;
pub mod discover;
pub mod engine;
pub mod finding;
pub mod formats;
pub mod git;
pub mod helm;
pub mod kustomize;
pub mod links;
pub mod lower;
pub mod materialize;
pub mod memory;
pub mod model;
pub mod paths;
pub mod policy;
pub mod printable;
pub mod report;
pub mod secrets;
pub mod source;
pub mod suppress;
#[cfg(test)]
mod testing;
pub mod words;

pub use catalog::{Catalog, Rule, Severity};
pub use engine::{ScanOptions, ScanReport, scan};
pub use finding::{Diagnostic, Finding};
