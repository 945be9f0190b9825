//! TFM001: SSH (port 22) open to the whole internet, by an ingress rule on 22, a range that
//! includes it, or all ports.

use crate::checks::terraform::{cause, open_ingress};
use crate::checks::{Check, Hit};
use crate::formats::terraform::{At, Module};
use crate::ports::SSH;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM001";

fn check(module: &Module, hits: &mut Vec<(At, Hit)>) {
    for open in open_ingress(module) {
        if open.opens(SSH) {
            let message = format!(
                "{} lets anyone on the internet reach SSH ({}){}",
                open.resource,
                open.ports.describe(),
                cause(&open.variables)
            );
            hits.push((open.file, Hit::new(RULE, open.site, message)));
        }
    }
}
