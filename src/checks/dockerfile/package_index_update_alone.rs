//! DKR018: a `RUN` that updates the package index and installs nothing (`RUN apt-get update`
//! on its own line). The build cache keeps that layer, so a later `RUN apt-get install` in
//! another layer installs from an index as old as the cache: outdated, unpatched packages, or a
//! failed build once the mirror drops them. The update belongs in the `RUN` that installs.

use crate::checks::dockerfile::shell::{self, Command};
use crate::checks::{Check, Hit};
use crate::formats::dockerfile::{Dockerfile, Instruction};

pub const CHECK: Check = Check::dockerfile(RULE, check);
const RULE: &str = "DKR018";

/// Package managers, with the subcommands that only refresh the index and those that install.
const MANAGERS: &[(&[&str], &[&str], &[&str])] = &[
    (
        &["apt-get", "apt"],
        &["update"],
        &[
            "install",
            "upgrade",
            "dist-upgrade",
            "full-upgrade",
            "build-dep",
            "reinstall",
        ],
    ),
    (&["apk"], &["update"], &["add", "upgrade", "fix"]),
    (
        &["yum", "dnf", "microdnf", "tdnf"],
        &["makecache"],
        &[
            "install",
            "update",
            "upgrade",
            "groupinstall",
            "reinstall",
            "distro-sync",
        ],
    ),
    (
        &["zypper"],
        &["refresh", "ref"],
        &["install", "in", "update", "up", "dist-upgrade", "dup"],
    ),
];

/// Commands that neither install nor run anything that might (an unknown script could).
const INERT: &[&str] = &["rm", "echo", "true", ":", "set", "export"];

fn check(dockerfile: &Dockerfile<'_>, hits: &mut Vec<Hit>) {
    for (index, instruction) in dockerfile.instructions.iter().enumerate() {
        if !matches!(instruction, Instruction::Run(_)) {
            continue;
        }
        let scripts = dockerfile.run_scripts(index);
        let commands: Vec<(usize, Command<'_>)> = scripts
            .iter()
            .enumerate()
            .flat_map(|(at, script)| {
                shell::commands(&script.text)
                    .into_iter()
                    .map(move |command| (at, command))
            })
            .collect();
        let mut updates = Vec::new();
        let mut alone = true;
        for (at, command) in &commands {
            let program = command.program_words().first().map(|&(_, word)| word);
            let Some(program) = program else {
                continue;
            };
            match MANAGERS
                .iter()
                .find(|(names, _, _)| names.contains(&program))
            {
                Some((names, refresh, install)) => {
                    if install.iter().any(|sub| command.runs(names, sub)) {
                        alone = false;
                    } else if refresh.iter().any(|sub| command.runs(names, sub)) {
                        updates.push((*at, command));
                    }
                }
                None if INERT.contains(&program) => {}
                None => alone = false,
            }
        }
        if !alone {
            continue;
        }
        for (at, command) in updates {
            hits.push(Hit::new(
                RULE,
                scripts[at].file_span(command.span()),
                "the package index is updated in a RUN that installs nothing: the cached layer leaves later installs with a stale index; update and install in one RUN".to_owned(),
            ));
        }
    }
}
