//! A Dockerfile lowered: the image it builds is a workload whose one container has the final
//! stage's user and healthcheck (inherited through `FROM <stage>`); ports its `EXPOSE`s declare,
//! in the stages that reach the final image, are exposures; `ENV` and `ARG` values hold secrets
//! or not (both end up in the image: `ENV` in its configuration, `ARG` in its build history).

use crate::formats::dockerfile::{Dockerfile, Instruction, RootCause, RunsAs};
use crate::model::{
    Audience, Container, Deployment, Exposure, Health, Label, Ports, Reach, Secret, Setting, User,
    Workload,
};
use crate::secrets;

/// What a Dockerfile deploys: the image of its final stage.
pub fn lower(dockerfile: &Dockerfile<'_>) -> Deployment<'static> {
    let mut deployment = Deployment::default();
    exposures(dockerfile, &mut deployment.exposures);
    secrets(dockerfile, &mut deployment.secrets);
    let Some(last) = dockerfile.final_stage() else {
        return deployment;
    };
    let user = match dockerfile.runs_as(last) {
        RunsAs::Root { instruction, cause } => User::Root {
            span: dockerfile.instruction_span(&dockerfile.instructions[instruction]),
            because: match cause {
                RootCause::User {
                    value,
                    inherited_from,
                } => {
                    let inherited = inherited_from
                        .map(|stage| format!(", inherited by the final stage from stage `{stage}`"))
                        .unwrap_or_default();
                    format!(" (`USER {value}`{inherited})")
                }
                RootCause::NeverSet { image } => {
                    format!(": no stage it is built from sets `USER`, and `{image}` starts as root")
                }
            },
            related: Vec::new(),
        },
        RunsAs::User(_) => User::NonRoot,
        RunsAs::Unknown => User::Unknown,
    };
    deployment.workloads.push(Workload {
        label: Label::Fixed("the final image"),
        host_namespaces: Vec::new(),
        host: "host",
        containers: vec![Container {
            label: Label::Fixed("the final image"),
            site: dockerfile.instruction_span(&dockerfile.instructions[last.from]),
            long_running: true,
            image: None,
            image_built_here: true,
            user,
            privileged: None,
            capabilities_added: Vec::new(),
            read_only_root: Setting::NotSaid,
            health: if dockerfile.has_healthcheck(last) {
                Health::Declared
            } else {
                Health::Missing("HEALTHCHECK".into())
            },
        }],
    });
    deployment
}

/// `EXPOSE` is inherited, so stages that reach the final image count; builder stages do not.
/// UDP and SCTP ports are not TCP services.
fn exposures(dockerfile: &Dockerfile<'_>, out: &mut Vec<Exposure<'static>>) {
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
                    if let Some(ports) = tcp_ports(port) {
                        out.push(Exposure {
                            subject: Label::Fixed("the image"),
                            verb: "declares",
                            reach: Reach::Ports {
                                open: ports,
                                denied: Vec::new(),
                            },
                            how: " for publishing (`EXPOSE`)".into(),
                            audience: Audience::Internal,
                            span: argument.span.clone(),
                            file: 0,
                        });
                    }
                }
            }
        }
    }
}

/// `22`, `22/tcp`, `8000-8010`; `None` for other protocols and for what is not a port.
fn tcp_ports(port: &str) -> Option<Ports> {
    let (range, protocol) = port.split_once('/').unwrap_or((port, "tcp"));
    if !protocol.eq_ignore_ascii_case("tcp") {
        return None;
    }
    let (low, high) = crate::model::ports::parse_range(range)?;
    Some(Ports::Range(low, high))
}

/// A value is a secret when it holds a known token format whatever its name, or when its name
/// is secret-like and it is a real literal (not `$VAR`, not a placeholder, not a `*_FILE` path
/// to a mounted secret).
fn secrets(dockerfile: &Dockerfile<'_>, out: &mut Vec<Secret>) {
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        let keyword = match instruction {
            Instruction::Env(_) => "ENV",
            Instruction::Arg(_) => "ARG",
            _ => continue,
        };
        for pair in dockerfile.key_values(index) {
            let Some(value) = &pair.value else {
                continue;
            };
            let Some(secret) = secrets::assigned_secret(&pair.key, value) else {
                continue;
            };
            let raw = &dockerfile.text[pair.value_span.clone()];
            let span = secrets::locate(raw, pair.value_span.clone(), value, secret.range);
            out.push(Secret {
                place: format!("{keyword} `{}`", pair.key),
                description: secret.description,
                site: span.clone(),
                span,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tcp_ports;
    use crate::model::Ports;

    #[test]
    fn exposed_ports() {
        assert_eq!(tcp_ports("22"), Some(Ports::Range(22, 22)));
        assert_eq!(tcp_ports("22/TCP"), Some(Ports::Range(22, 22)));
        assert_eq!(tcp_ports("20-25"), Some(Ports::Range(20, 25)));
        for port in ["22/udp", "abc", "-22", "25-20", "70000"] {
            assert_eq!(tcp_ports(port), None, "{port}");
        }
    }
}
