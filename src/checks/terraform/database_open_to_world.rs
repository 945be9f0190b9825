//! TFM002: a database port open to the whole internet by a firewall or security group rule.

use crate::checks::terraform::{Ports, cause, open_ingress};
use crate::checks::{Check, Hit};
use crate::formats::terraform::Module;

pub const CHECK: Check = Check::terraform(RULE, check);
const RULE: &str = "TFM002";

fn check(module: &Module, hits: &mut Vec<(usize, Hit)>) {
    for open in open_ingress(module) {
        let reach = match open.ports {
            Ports::All => "every port, databases included".to_owned(),
            ports => match ports.database() {
                Some((port, database)) => format!("{database} port {port} ({})", ports.describe()),
                None => continue,
            },
        };
        let message = format!(
            "{} lets anyone on the internet reach {reach}{}",
            open.resource,
            cause(&open.variables)
        );
        hits.push((open.file, Hit::new(RULE, open.site, message)));
    }
}
