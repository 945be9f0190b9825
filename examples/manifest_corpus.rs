//! Writes a deterministic corpus of Kubernetes manifests and compose files for benchmarks:
//!
//! ```sh
//! cargo run --release --example manifest_corpus -- <DIR> <MANIFESTS> <COMPOSE_FILES>
//! ```
//!
//! Manifests are multi-document files (a Deployment, StatefulSet or CronJob, some wrapped in a
//! `kind: List`, with a Service and a ConfigMap), hardened by default; compose files have three to
//! six services. Core-policy violations are planted at known rates, and their expected counts are
//! printed as JSON, so a benchmark also checks that it found exactly what was planted.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, process};

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/rng.rs"]
mod rng;

use rng::Rng;

type Planted = BTreeMap<&'static str, usize>;

const IMAGES: &[&str] = &[
    "ghcr.io/shop/api:2.14.0",
    "nginxinc/nginx-unprivileged:1.27.3",
    "registry.internal:5000/team/worker:2024.11",
    "example/report:1.4.0",
];

fn plant(planted: &mut Planted, rule: &'static str, count: usize) {
    *planted.entry(rule).or_default() += count;
}

fn container(
    rng: &mut Rng,
    name: &str,
    indent: &str,
    planted: &mut Planted,
    pod_non_root: bool,
) -> String {
    let mut text = String::new();
    let image = if rng.one_in(12) {
        plant(planted, "K8S003", 1);
        if rng.one_in(2) {
            "nginx:latest"
        } else {
            "busybox"
        }
    } else {
        rng.pick(IMAGES)
    };
    // The unprivileged nginx image runs as its own user: no security context needed.
    if !pod_non_root && !image.contains("-unprivileged") {
        plant(planted, "K8S001", 1);
    }
    let _ = writeln!(text, "{indent}- name: {name}\n{indent}  image: {image}");
    let _ = writeln!(text, "{indent}  ports:\n{indent}    - containerPort: 8080");
    if rng.one_in(40) {
        let _ = writeln!(text, "{indent}    - containerPort: 22");
        plant(planted, "K8S007", 1);
    }
    let _ = writeln!(
        text,
        "{indent}  env:\n{indent}    - name: LOG_LEVEL\n{indent}      value: info"
    );
    let _ = writeln!(
        text,
        "{indent}    - name: DATABASE_URL\n{indent}      valueFrom:\n{indent}        secretKeyRef: {{name: db, key: url}}"
    );
    if rng.one_in(20) {
        let _ = writeln!(
            text,
            "{indent}    - name: API_TOKEN\n{indent}      value: \"t0k-{:012x}\"",
            rng.next() & 0xffff_ffff_ffff
        );
        plant(planted, "K8S004", 1);
    }
    let privileged = rng.one_in(50);
    if privileged {
        plant(planted, "K8S002", 1);
    }
    let _ = writeln!(
        text,
        "{indent}  securityContext:\n{indent}    allowPrivilegeEscalation: false\n{indent}    readOnlyRootFilesystem: true\n{indent}    privileged: {privileged}\n{indent}    capabilities: {{drop: [ALL]}}"
    );
    let _ = writeln!(
        text,
        "{indent}  resources:\n{indent}    requests: {{cpu: 100m, memory: 128Mi}}\n{indent}    limits: {{memory: 256Mi}}"
    );
    let _ = writeln!(
        text,
        "{indent}  readinessProbe: {{httpGet: {{path: /ready, port: 8080}}}}\n{indent}  livenessProbe: {{httpGet: {{path: /live, port: 8080}}}}"
    );
    text
}

fn pod_spec(rng: &mut Rng, name: &str, indent: &str, planted: &mut Planted) -> String {
    let non_root = !rng.one_in(10);
    let mut text = String::new();
    let _ = writeln!(text, "{indent}automountServiceAccountToken: false");
    if non_root {
        let _ = writeln!(
            text,
            "{indent}securityContext:\n{indent}  runAsNonRoot: true\n{indent}  runAsUser: 10001\n{indent}  seccompProfile: {{type: RuntimeDefault}}"
        );
    } else {
        let _ = writeln!(
            text,
            "{indent}securityContext:\n{indent}  seccompProfile: {{type: RuntimeDefault}}"
        );
    }
    if rng.one_in(3) {
        let _ = writeln!(text, "{indent}initContainers:");
        text.push_str(&container(rng, "init", indent, planted, non_root));
    }
    let _ = writeln!(text, "{indent}containers:");
    text.push_str(&container(rng, name, indent, planted, non_root));
    text
}

fn manifest(rng: &mut Rng, index: usize, planted: &mut Planted) -> String {
    let name = format!("svc{index:05}");
    let mut workload = String::new();
    match index % 10 {
        0 => {
            let _ = writeln!(
                workload,
                "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"0 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure"
            );
            workload.push_str(&pod_spec(rng, &name, "          ", planted));
        }
        1 | 2 => {
            let _ = writeln!(
                workload,
                "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\nspec:\n  serviceName: {name}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:"
            );
            workload.push_str(&pod_spec(rng, &name, "      ", planted));
        }
        _ => {
            let _ = writeln!(
                workload,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels: {{team: team{:02}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:",
                index % 50
            );
            workload.push_str(&pod_spec(rng, &name, "      ", planted));
        }
    }
    let mut text = String::from("# Generated service manifest.\n");
    if index.is_multiple_of(15) {
        text.push_str("apiVersion: v1\nkind: List\nitems:\n");
        for line in workload.lines() {
            let prefix = if line.starts_with("apiVersion") {
                "  - "
            } else {
                "    "
            };
            let _ = writeln!(text, "{prefix}{line}");
        }
    } else {
        text.push_str(&workload);
    }
    let exposed_db = rng.one_in(30);
    let (service_type, port) = if exposed_db {
        plant(planted, "K8S006", 1);
        ("LoadBalancer", 5432)
    } else {
        ("ClusterIP", 80)
    };
    let _ = writeln!(
        text,
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  type: {service_type}\n  selector: {{app: {name}}}\n  ports:\n    - port: {port}\n      targetPort: 8080"
    );
    let _ = writeln!(
        text,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}-config}}\ndata:\n  LOG_FORMAT: json\n  FEATURE_FLAGS: \"a,b,c\""
    );
    text
}

fn compose(rng: &mut Rng, planted: &mut Planted) -> String {
    let mut text = String::from(
        "x-common: &common\n  restart: unless-stopped\n  read_only: true\n  healthcheck:\n    test: [\"CMD\", \"/healthcheck\"]\n\nservices:\n",
    );
    let services = 3 + (rng.next() % 4) as usize;
    for index in 0..services {
        let _ = writeln!(text, "  service{index}:\n    <<: *common");
        let image = if rng.one_in(10) {
            plant(planted, "CMP003", 1);
            "example/app:latest"
        } else {
            rng.pick(IMAGES)
        };
        let user = if rng.one_in(25) {
            plant(planted, "CMP001", 1);
            "root"
        } else {
            "\"10001:10001\""
        };
        let _ = writeln!(text, "    image: {image}\n    user: {user}");
        let _ = writeln!(
            text,
            "    environment:\n      LOG_LEVEL: info\n      DB_PASSWORD: ${{DB_PASSWORD}}"
        );
        if rng.one_in(15) {
            let _ = writeln!(
                text,
                "      API_SECRET: s3c-{:010x}",
                rng.next() & 0xff_ffff_ffff
            );
            plant(planted, "CMP004", 1);
        }
        let _ = writeln!(
            text,
            "    ports:\n      - \"127.0.0.1:{}:8080\"",
            9000 + index
        );
        if rng.one_in(20) {
            let _ = writeln!(text, "      - \"5432:5432\"");
            plant(planted, "CMP005", 1);
        }
        if rng.one_in(40) {
            let _ = writeln!(text, "      - \"2222:22\"");
            plant(planted, "CMP006", 1);
        }
    }
    text
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let parse = |i: usize| args.get(i).and_then(|n| n.parse::<usize>().ok());
    let (Some(dir), Some(manifests), Some(composes)) = (args.first(), parse(1), parse(2)) else {
        eprintln!("usage: manifest_corpus <DIR> <MANIFESTS> <COMPOSE_FILES>");
        process::exit(2);
    };
    let dir = Path::new(dir);
    let mut rng = Rng(0xC0FFEE);
    let rules = [
        "K8S001", "K8S002", "K8S003", "K8S004", "K8S006", "K8S007", "CMP001", "CMP003", "CMP004",
        "CMP005", "CMP006",
    ];
    let mut planted: Planted = rules.into_iter().map(|rule| (rule, 0)).collect();
    let mut bytes = 0;
    for index in 0..manifests {
        let text = manifest(&mut rng, index, &mut planted);
        bytes += text.len();
        corpus::write(
            &dir.join(format!("k8s/team{:02}/svc{index:05}.yaml", index % 50)),
            &text,
        );
    }
    for index in 0..composes {
        let text = compose(&mut rng, &mut planted);
        bytes += text.len();
        corpus::write(
            &dir.join(format!("compose/stack{index:04}/docker-compose.yml")),
            &text,
        );
    }
    corpus::print_summary(manifests + composes, bytes, &planted);
}
