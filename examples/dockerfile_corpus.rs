//! Writes a deterministic corpus of realistic Dockerfiles for benchmarks:
//!
//! ```sh
//! cargo run --release --example dockerfile_corpus -- <DIR> <COUNT>
//! ```
//!
//! Each file is assembled from varied parts (one to three stages, apt and npm steps, ARG-driven
//! tags, ENV blocks, comments and continuations). Core-policy violations are planted at known
//! rates, and their expected counts are printed as JSON on standard output, so a benchmark can
//! check that what it timed also found exactly what was planted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::{env, process};

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/rng.rs"]
mod rng;

use rng::Rng;

const PINNED: &[&str] = &[
    "node:22.11-bookworm-slim",
    "python:3.12.7-slim",
    "golang:1.23.4",
    "debian:12.8-slim",
    "alpine:3.20",
    "ubuntu:24.04",
    "eclipse-temurin:21.0.5_11-jre",
    "nginx:1.27.3",
    "registry.internal:5000/platform/base:2024.11",
    "ruby:3.3.6-slim",
];
const PACKAGES: &[&str] = &[
    "curl",
    "ca-certificates",
    "git",
    "jq",
    "tini",
    "openssl",
    "libpq5",
    "tzdata",
];

fn dockerfile(rng: &mut Rng, planted: &mut BTreeMap<&'static str, usize>) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# syntax=docker/dockerfile:1\n# Service image, generated for benchmarks."
    );
    let stages = 1 + rng.below(3);
    let floating = rng.below(10) == 0;
    if floating {
        text.push_str("ARG BASE_TAG=latest\n");
    }
    for stage in 0..stages {
        let last = stage + 1 == stages;
        let image = rng.pick(PINNED);
        if last && floating {
            let name = image.split(':').next().unwrap_or(image);
            let _ = writeln!(text, "FROM {name}:${{BASE_TAG}}");
            *planted.entry("DKR002").or_default() += 1;
        } else if last {
            let _ = writeln!(text, "FROM {image}");
        } else {
            let _ = writeln!(text, "FROM {image} AS stage{stage}");
        }
        let _ = writeln!(text, "WORKDIR /srv/app{stage}");
        let mut packages = Vec::new();
        for _ in 0..1 + rng.below(4) {
            packages.push(rng.pick(PACKAGES));
        }
        let _ = writeln!(
            text,
            "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends {} \\\n    && rm -rf /var/lib/apt/lists/*",
            packages.join(" ")
        );
        let _ = writeln!(
            text,
            "ENV APP_ENV=production \\\n    LOG_LEVEL=info \\\n    PORT=80{stage}0"
        );
        if last && rng.below(20) == 0 {
            let _ = writeln!(text, "ENV SERVICE_API_KEY=k{:016x}", rng.next());
            *planted.entry("DKR004").or_default() += 1;
        }
        if stage > 0 {
            let _ = writeln!(
                text,
                "COPY --from=stage{} /srv/app{} /srv/lib",
                stage - 1,
                stage - 1
            );
        }
        let _ = writeln!(text, "COPY --chown=10001:10001 . .");
        for step in 0..rng.below(6) {
            let _ = writeln!(text, "RUN echo \"step {step}\" && test -d /srv/app{stage}");
        }
        if last {
            if rng.below(25) == 0 {
                text.push_str("EXPOSE 8080 22\n");
                *planted.entry("DKR003").or_default() += 1;
            } else {
                text.push_str("EXPOSE 8080\n");
            }
            text.push_str("HEALTHCHECK --interval=30s CMD [\"/srv/healthcheck\"]\n");
            match rng.below(10) {
                0 => {
                    text.push_str("USER root\n");
                    *planted.entry("DKR001").or_default() += 1;
                }
                1 => {
                    *planted.entry("DKR001").or_default() += 1;
                }
                _ => text.push_str("USER 10001:10001\n"),
            }
            text.push_str("CMD [\"/srv/app/start\"]\n");
        }
    }
    text
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let (Some(dir), Some(Ok(count))) = (args.first(), args.get(1).map(|n| n.parse::<usize>()))
    else {
        eprintln!("usage: dockerfile_corpus <DIR> <COUNT>");
        process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let mut rng = Rng(0x5EED);
    let mut planted: BTreeMap<&'static str, usize> = ["DKR001", "DKR002", "DKR003", "DKR004"]
        .into_iter()
        .map(|r| (r, 0))
        .collect();
    let mut bytes = 0;
    for index in 0..count {
        let service = dir
            .join(format!("team{:02}", index % 50))
            .join(format!("service{index:05}"));
        let text = dockerfile(&mut rng, &mut planted);
        bytes += text.len();
        corpus::write(&service.join("Dockerfile"), &text);
    }
    corpus::print_summary(count, bytes, &planted);
}
