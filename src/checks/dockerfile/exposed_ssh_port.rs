//! DKR003: the image declares SSH (port 22) as a port to publish.
//!
//! `EXPOSE` is inherited, so stages that reach the final image count; builder stages do not.
//! UDP and SCTP ports are not SSH.

use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR003";
const SSH: u32 = 22;

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for stage in dockerfile.stages.iter().filter(|s| s.reaches_final_image) {
        for index in stage.body.clone() {
            let Instruction::Expose(expose) = &dockerfile.instructions[index] else {
                continue;
            };
            for argument in &expose.arguments {
                let Some(expanded) = dockerfile.expand_in_stage(&argument.value, stage, index)
                else {
                    continue;
                };
                for port in expanded.split_whitespace() {
                    if let Some(message) = ssh_message(port) {
                        hits.push(Hit::new(RULE, argument.span.clone(), message));
                    }
                }
            }
        }
    }
}

fn ssh_message(port: &str) -> Option<String> {
    let (range, protocol) = port.split_once('/').unwrap_or((port, "tcp"));
    if !protocol.eq_ignore_ascii_case("tcp") {
        return None;
    }
    let (low, high) = range.split_once('-').unwrap_or((range, range));
    let (low, high) = (
        low.trim().parse::<u32>().ok()?,
        high.trim().parse::<u32>().ok()?,
    );
    if !(low..=high).contains(&SSH) {
        return None;
    }
    Some(if low == high {
        "EXPOSE declares port 22 (SSH) for publishing".to_owned()
    } else {
        format!("EXPOSE declares the port range {low}-{high}, which includes 22 (SSH)")
    })
}

#[cfg(test)]
mod tests {
    use super::ssh_message;

    #[test]
    fn ports_and_ranges() {
        for port in ["22", "22/tcp", "22/TCP", "20-25", "1-65535/tcp"] {
            assert!(ssh_message(port).is_some(), "{port}");
        }
        for port in ["2222", "220", "22/udp", "23-25", "80", "abc", "-22"] {
            assert!(ssh_message(port).is_none(), "{port}");
        }
    }
}
