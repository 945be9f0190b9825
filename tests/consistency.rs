//! One fact, one verdict: the same secret, placeholder, image reference and open port, written in a
//! Dockerfile, a compose file, a Kubernetes manifest and Terraform, is judged the same in each.

use std::path::Path;

use palisade::checks::{self, CHECKS};
use palisade::discover::FileKind;

/// The rule ids that fire on `text` read as `kind`.
fn rules(kind: FileKind, text: &str) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = checks::run(kind, text, CHECKS)
        .unwrap_or_else(|e| panic!("{text}\ndoes not parse: {e:?}"))
        .into_iter()
        .map(|hit| hit.rule_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The four places a fact can be written, each with the rule that judges it there.
struct Place {
    kind: FileKind,
    rule: &'static str,
    text: String,
}

fn verdicts(places: &[Place]) -> Vec<(&'static str, bool)> {
    places
        .iter()
        .map(|place| {
            let fired = rules(place.kind, &place.text).contains(&place.rule);
            (place.rule, fired)
        })
        .collect()
}

fn assert_same(fact: &str, places: &[Place], expected: bool) {
    let mut verdicts = verdicts(places);
    // A secret is also looked for in any text file, in its configuration syntax.
    if places.iter().any(|place| place.rule == "DKR004") {
        let env = format!("DB_PASSWORD={fact}\n");
        let hits = checks::run_secrets(Path::new("app/.env"), &env, CHECKS);
        verdicts.push(("SEC002", hits.iter().any(|hit| hit.rule_id == "SEC002")));
    }
    assert!(
        verdicts.iter().all(|(_, fired)| *fired == expected),
        "{fact}: expected {} everywhere, got {verdicts:?}",
        if expected { "a finding" } else { "no finding" }
    );
}

fn secret_places(value: &str) -> Vec<Place> {
    vec![
        Place {
            kind: FileKind::Dockerfile,
            rule: "DKR004",
            text: format!("FROM alpine:3.20\nENV DB_PASSWORD=\"{value}\"\n"),
        },
        Place {
            kind: FileKind::Compose,
            rule: "CMP004",
            text: format!(
                "services:\n  api:\n    image: api:1.0\n    environment:\n      DB_PASSWORD: \"{value}\"\n"
            ),
        },
        Place {
            kind: FileKind::Yaml,
            rule: "K8S004",
            text: format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: api\n      image: api:1.0\n      env:\n        - name: DB_PASSWORD\n          value: \"{value}\"\n"
            ),
        },
        Place {
            kind: FileKind::Terraform,
            rule: "TFM004",
            text: format!(
                "resource \"aws_db_instance\" \"db\" {{\n  db_password = \"{value}\"\n}}\n"
            ),
        },
    ]
}

#[test]
fn secrets_and_stand_ins_get_one_verdict() {
    for value in [
        "MyProdSecret2024!",
        "AdminPassword123!",
        "Zq9mXv4Lp2wT",
        "Pw4-example-Kq8s",
    ] {
        assert_same(value, &secret_places(value), true);
    }
    for value in [
        "changeme",
        "YOUR_KEY_VAL",
        "REPLACE_ME_TOKEN",
        "<your-password>",
        "%DB_PASS%",
        "password123",
        "example_123",
        "xxxxxxxxxxxx",
        "cache:6379",
        "https://vault.internal/v1/db",
        "rate(7 days)",
        "${DB_PASSWORD}",
    ] {
        assert_same(value, &secret_places(value), false);
    }
}

fn image_places(image: &str) -> Vec<Place> {
    vec![
        Place {
            kind: FileKind::Dockerfile,
            rule: "DKR002",
            text: format!("FROM {image}\nUSER app\n"),
        },
        Place {
            kind: FileKind::Compose,
            rule: "CMP003",
            text: format!("services:\n  web:\n    image: {image}\n"),
        },
        Place {
            kind: FileKind::Yaml,
            rule: "K8S003",
            text: format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: {image}\n"
            ),
        },
        Place {
            kind: FileKind::Terraform,
            rule: "TFM005",
            text: format!(
                "resource \"docker_container\" \"web\" {{\n  name  = \"web\"\n  image = \"{image}\"\n}}\n"
            ),
        },
    ]
}

#[test]
fn image_references_get_one_verdict() {
    for image in [
        "nginx",
        "nginx:latest",
        "registry.internal:5000/team/web",
        "ghcr.io/org/web:latest",
    ] {
        assert_same(image, &image_places(image), true);
    }
    let digest = format!("nginx@sha256:{}", "a".repeat(64));
    for image in [
        "nginx:1.27",
        "registry.internal:5000/team/web:2.1.0",
        "ghcr.io/org/web:v3",
        digest.as_str(),
    ] {
        assert_same(image, &image_places(image), false);
    }
}

fn open_port_places(port: u16) -> Vec<Place> {
    let (dockerfile, compose, kubernetes, terraform) = if port == 22 {
        ("DKR003", "CMP006", "K8S007", "TFM001")
    } else {
        // Dockerfiles only say which ports a container listens on, not who can reach them.
        ("", "CMP005", "K8S006", "TFM002")
    };
    let mut places = vec![
        Place {
            kind: FileKind::Compose,
            rule: compose,
            text: format!(
                "services:\n  box:\n    image: box:1.0\n    ports:\n      - \"{port}:{port}\"\n"
            ),
        },
        Place {
            kind: FileKind::Yaml,
            rule: kubernetes,
            text: format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: box\nspec:\n  type: LoadBalancer\n  selector:\n    app: box\n  ports:\n    - port: {port}\n      targetPort: {port}\n"
            ),
        },
        Place {
            kind: FileKind::Terraform,
            rule: terraform,
            text: format!(
                "resource \"aws_security_group\" \"box\" {{\n  ingress {{\n    from_port   = {port}\n    to_port     = {port}\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }}\n}}\n"
            ),
        },
    ];
    if !dockerfile.is_empty() {
        places.push(Place {
            kind: FileKind::Dockerfile,
            rule: dockerfile,
            text: format!("FROM alpine:3.20\nEXPOSE {port}\nUSER app\n"),
        });
    }
    places
}

#[test]
fn ports_open_to_the_world_get_one_verdict() {
    for port in [22, 5432, 3306, 6379, 27017] {
        assert_same(&format!("port {port}"), &open_port_places(port), true);
    }
    // A web port is neither SSH nor a database anywhere.
    let web: Vec<Place> = [
        (FileKind::Compose, "services:\n  web:\n    image: web:1.0\n    ports:\n      - \"443:443\"\n"),
        (FileKind::Terraform, "resource \"aws_security_group\" \"web\" {\n  ingress {\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n"),
    ]
    .into_iter()
    .flat_map(|(kind, text)| {
        ["CMP005", "CMP006", "TFM001", "TFM002"].map(|rule| Place {
            kind,
            rule,
            text: text.to_owned(),
        })
    })
    .collect();
    assert_same("port 443", &web, false);
}
