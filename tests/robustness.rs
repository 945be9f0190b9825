//! Hostile and broken input: nothing may panic or blow up, and bad files become diagnostics.
//!
//! Sizes here are chosen so that any quadratic behaviour would take minutes rather than the
//! fraction of a second the linear code needs; no test asserts a time.

mod common;

use std::fmt::Write as _;
use std::fs;

use palisade::checks::{self, CHECKS};
use palisade::discover;

#[test]
fn every_prefix_of_every_fixture_is_handled() {
    let mut inputs = 0;
    let mut pending = vec![common::root().join("fixtures")];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(fs::read_dir(&path).unwrap().flatten().map(|e| e.path()));
            continue;
        }
        let kind = discover::classify(&path);
        let text = fs::read_to_string(&path).unwrap();
        for (end, _) in text.char_indices() {
            let prefix = &text[..end];
            // Errors are fine; panics are not (the test harness would report them).
            let _ = checks::run(kind, prefix, CHECKS);
            let _ = checks::run_secrets(&path, prefix, CHECKS);
            // The same text with Windows line endings and a stray escape at the end.
            let _ = checks::run(kind, &format!("{}\\", prefix.replace('\n', "\r\n")), CHECKS);
            inputs += 2;
        }
    }
    assert!(inputs > 40_000, "{inputs}");
}

fn scan_text(name: &str, text: &str) -> palisade::ScanReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, text).unwrap();
    let mut options = palisade::ScanOptions {
        paths: vec![path],
        ..palisade::ScanOptions::default()
    };
    options.max_file_size = 64 * 1024 * 1024;
    palisade::scan(&options).unwrap()
}

#[test]
fn a_long_chain_of_stages_is_linear() {
    let stages = 30_000;
    let mut text = String::from("ARG TAG=3.20\nFROM alpine:${TAG} AS s0\nWORKDIR /srv\n");
    for i in 1..stages {
        let _ = writeln!(
            text,
            "FROM s{} AS s{i}\nENV LEVEL_{i}=$LEVEL_{}\nWORKDIR sub\nEXPOSE 22\nCOPY --from=s{} /a /b",
            i - 1,
            i - 1,
            i - 1
        );
    }
    text.push_str("USER root\n");
    let report = scan_text("Dockerfile", &text);
    let count = |rule: &str| report.findings.iter().filter(|f| f.rule_id == rule).count();
    // Every stage reaches the final image, so each EXPOSE 22 counts; WORKDIR is anchored by the
    // first stage; the last USER is root.
    assert_eq!(count("DKR003"), stages - 1);
    assert_eq!(count("DKR016"), 0);
    assert_eq!(count("DKR001"), 1);
    assert_eq!(count("DKR002"), 0);
}

#[test]
fn many_secrets_on_many_lines_are_masked() {
    let mut text = String::from("FROM alpine:3.20\n");
    // Values that differ from line to line without runs of zeros (which a filled-in stand-in has).
    let value = |i: usize| format!("{:08x}", (i as u32 + 1).wrapping_mul(2_654_435_761));
    for i in 0..20_000 {
        let v = value(i);
        let _ = writeln!(
            text,
            "ENV SERVICE_{i}_TOKEN=t0k3n{v}xQ SERVICE_{i}_PASSWORD=pw{v}Zy"
        );
    }
    let report = scan_text("Dockerfile", &text);
    let secrets: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "DKR004")
        .collect();
    assert_eq!(secrets.len(), 40_000);
    for finding in &secrets {
        let i = finding.start.line - 2;
        let snippet = &finding.snippet.text;
        assert!(snippet.starts_with("ENV SERVICE_"), "{snippet}");
        assert!(
            !snippet.contains(&format!("t0k3n{}xQ", value(i))),
            "{snippet}"
        );
        assert!(!snippet.contains(&format!("pw{}Zy", value(i))), "{snippet}");
    }
}

#[test]
fn deeply_nested_substitutions_are_unknown_not_a_stack_overflow() {
    let depth = 100_000;
    let text = format!(
        "FROM alpine:{}latest{}\n",
        "${A:-".repeat(depth),
        "}".repeat(depth)
    );
    let report = scan_text("Dockerfile", &text);
    assert!(
        report.findings.iter().all(|f| f.rule_id != "DKR002"),
        "an unknown tag is not judged"
    );
}

#[test]
fn one_huge_line_is_handled() {
    let text = format!(
        "FROM alpine:3.20\nRUN {}\n",
        "curl -s https://example.com/x | sh && ".repeat(200_000)
    );
    let report = scan_text("Dockerfile", &text);
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.rule_id == "DKR011")
            .count(),
        200_000
    );
}

#[test]
fn garbage_is_a_diagnostic() {
    let mut noise = String::new();
    let mut state: u32 = 7;
    for _ in 0..200_000 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let alphabet = b" \n\\\"'$={}[]#<>-AZaz09";
        noise.push(char::from(
            alphabet[(state >> 16) as usize % alphabet.len()],
        ));
    }
    for text in [
        noise.clone(),
        format!("FROM alpine\n{noise}"),
        "\n\n\n".to_owned(),
        "# escape=`\n".to_owned(),
    ] {
        let report = scan_text("Dockerfile", &text);
        assert_eq!(report.files_scanned, 1, "{:?}", report.diagnostics);
    }
}

#[test]
fn long_lines_are_shown_as_a_window_around_the_finding() {
    let padding = "x".repeat(5_000);
    let text = format!(
        "FROM alpine:3.20\nLABEL note=\"{padding}\" owner=ops\nENV A=1 B=2 {padding}=3 API_KEY=k3Jd8sLq0Zp4Wm7Xn2Bv C=\"{padding}\"\n"
    );
    let report = scan_text("Dockerfile", &text);
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule_id == "DKR004")
        .expect("the secret is found");
    assert!(finding.snippet.column > 1 && finding.snippet.column < finding.start.column);
    assert!(finding.snippet.text.chars().count() <= 200);
    assert!(
        finding.snippet.text.contains("API_KEY=k3Jd"),
        "{}",
        finding.snippet.text
    );
    assert!(!finding.snippet.text.contains("k3Jd8sLq0Zp4Wm7Xn2Bv"));
}

#[test]
fn hostile_yaml_becomes_a_diagnostic() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    let deep = format!("apiVersion: v1\nkind: Pod\nspec: {}\n", "- ".repeat(50_000));
    let flow = format!(
        "apiVersion: v1\nkind: Pod\nspec: {}x{}\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  blob: \"{}\"\n",
        "x".repeat(20_000_000)
    );
    let template = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n  {{- if .Values.x }}\n".to_owned();
    // Valid YAML by accident (nested flow mappings), but a template all the same.
    let parses = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx}]\n".to_owned();
    let broken = "apiVersion: v1\nkind: Pod\nspec: [unclosed\n".to_owned();
    for (name, text, kind) in [
        ("bomb.yaml", bomb, "parse-error"),
        ("deep.yaml", deep, "parse-error"),
        ("flow.yaml", flow, "parse-error"),
        ("template.yaml", template, "skipped"),
        ("parses.yaml", parses, "skipped"),
        ("broken.yaml", broken, "parse-error"),
    ] {
        let report = scan_text(name, &text);
        assert!(report.findings.is_empty(), "{name}: no findings on garbage");
        assert_eq!(
            report.diagnostics.len(),
            1,
            "{name}: {:?}",
            report.diagnostics
        );
        assert_eq!(
            report.diagnostics[0].kind.as_str(),
            kind,
            "{name}: {:?}",
            report.diagnostics
        );
    }
    // A huge scalar in a valid document is just data.
    let report = scan_text("huge.yaml", &huge);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
}

#[test]
fn yaml_that_is_not_kubernetes_gives_no_findings() {
    let workflow = "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    container: node:latest\n    steps:\n      - run: echo $PASSWORD\n        env: {PASSWORD: hunter2hunter2}\n";
    let settings = "apiVersionHint: 3\nkinds: [a, b]\nsecurityContext:\n  privileged: true\n";
    let helm_values =
        "image:\n  repository: nginx\n  tag: latest\nsecurityContext:\n  runAsUser: 0\n";
    // A CI configuration with `services` that have images is still not a compose file.
    let gitlab = "stages: [test]\nservices:\n  postgres:\n    image: postgres:latest\n    environment:\n      POSTGRES_PASSWORD: Ci-Pw-77xk\ntest:\n  script: [make test]\n";
    let actions =
        "on: [push]\nservices:\n  db:\n    image: mysql\n    ports: [\"3306:3306\"]\njobs: {}\n";
    for (name, text) in [
        (".github/workflows/ci.yml", workflow),
        ("settings.yaml", settings),
        ("values.yaml", helm_values),
        (".gitlab-ci.yml", gitlab),
        ("actions.yml", actions),
    ] {
        let report = scan_text(&name.replace('/', "_"), text);
        // Secrets are looked for in every file: the CI passwords are found (a workflow's by
        // its own rule, `GHA012`), and a workflow is judged as one (`GHA…`), never as
        // Kubernetes or compose.
        let (secrets, others): (Vec<_>, Vec<_>) = report
            .findings
            .iter()
            .filter(|f| !f.rule_id.starts_with("GHA") || f.rule_id == "GHA012")
            .partition(|f| f.rule_id.starts_with("SEC") || f.rule_id == "GHA012");
        assert!(others.is_empty(), "{name}: {others:?}");
        let expected = match name {
            ".github/workflows/ci.yml" => vec!["PASSWORD: hunter2hunter2"],
            ".gitlab-ci.yml" => vec!["Ci-Pw-77xk"],
            _ => Vec::new(),
        };
        let found: Vec<&str> = secrets
            .iter()
            .map(|f| {
                let line = text.lines().nth(f.start.line - 1).unwrap();
                let start = f.start.column - 1;
                &line[start..start + (f.end.column - f.start.column)]
            })
            .collect();
        assert_eq!(found, expected, "{name}");
        assert!(
            report.diagnostics.is_empty(),
            "{name}: {:?}",
            report.diagnostics
        );
    }
}

#[test]
fn hostile_terraform_is_bounded() {
    // Nesting beyond the parser's limit is a parse error, not a stack overflow.
    let deep = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let report = scan_text("main.tf", &deep);
    assert_eq!(report.files_unparsed, 1, "{:?}", report.diagnostics);

    // 5,000 locals chained in reverse order: resolution is bounded, the scan completes, and what
    // cannot be resolved in time stays unknown (no finding from it).
    let mut chain = String::from("locals {\n");
    for i in (1..5_000).rev() {
        chain.push_str(&format!("  l{i} = local.l{}\n", i - 1));
    }
    chain.push_str("  l0 = \"0.0.0.0/0\"\n}\n");
    chain.push_str("resource \"aws_security_group_rule\" \"r\" {\n  type = \"ingress\"\n  from_port = 22\n  to_port = 22\n  protocol = \"tcp\"\n  cidr_blocks = [local.l4999]\n}\n");
    let report = scan_text("main.tf", &chain);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert!(report.findings.iter().all(|f| f.rule_id != "TFM001"));

    // Terraform JSON: nesting beyond the JSON parser's limit is a diagnostic; within HCL's own
    // limit, every level becomes a nested block and the scan completes.
    let deep = format!(r#"{{"a": {}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    let report = scan_text("main.tf.json", &deep);
    assert_eq!(report.files_unparsed, 1, "{:?}", report.diagnostics);
    let levels = 50;
    let blocks = format!(
        "{{\"resource\": {{\"x\": {{\"y\": {}{}{}}}}}}}",
        "{\"b\": ".repeat(levels),
        "{\"password\": [[[\"Deep-Json-Pw-3391\"]]]}",
        "}".repeat(levels)
    );
    let report = scan_text("main.tf.json", &blocks);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_read() {
    let text = "FROM alpine:3.20\r\nHEALTHCHECK NONE\r\nUSER root\r\n";
    for little_endian in [true, false] {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Dockerfile");
        fs::write(&path, &bytes).unwrap();
        let report = palisade::scan(&palisade::ScanOptions {
            paths: vec![path],
            ..palisade::ScanOptions::default()
        })
        .unwrap();
        assert_eq!(common::rule_lines(&report), [("DKR001".to_owned(), 3)]);
    }
    // A byte order mark followed by something else is a diagnostic, not a crash.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    fs::write(&path, [0xFF, 0xFE, 0x00, 0xD8, 0x41]).unwrap();
    let report = palisade::scan(&palisade::ScanOptions {
        paths: vec![path],
        ..palisade::ScanOptions::default()
    })
    .unwrap();
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
}

#[test]
fn a_200_mb_file_is_skipped_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: the test does not write 200 MB, and a scan that read it would take seconds.
    let big = fs::File::create(dir.path().join("dump.sql")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    let report = palisade::scan(&palisade::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..palisade::ScanOptions::default()
    })
    .unwrap();
    assert!(report.findings.iter().any(|f| f.rule_id == "DKR002"));
    let skipped: Vec<&str> = report
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        skipped,
        ["skipped: 209715200 bytes is over the 10485760-byte limit (--max-file-size)"]
    );
}

#[test]
fn one_50_mb_line_is_searched_for_secrets_in_bounded_windows() {
    let filler = "lorem ipsum dolor sit amet ".repeat(50 * 1024 * 1024 / 27 / 2);
    let text =
        format!("{filler}export GITHUB_TOKEN=ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa {filler}\n");
    assert!(text.len() > 50_000_000 && text.lines().count() == 1);
    let report = scan_text("notes.txt", &text);
    let found: Vec<(&str, usize)> = report
        .findings
        .iter()
        .map(|f| (f.rule_id.as_str(), f.start.column))
        .collect();
    assert_eq!(found, [("SEC001", filler.chars().count() + 21)]);
    // The snippet is a window around the secret, masked, not the 50 MB line.
    assert!(report.findings[0].snippet.text.len() < 400);
}

#[test]
fn fifos_and_sockets_are_never_waited_for() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.env");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("socket.yaml")).unwrap();
    fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    // Walked, and named on the command line: opening a FIFO would block forever.
    for paths in [
        vec![dir.path().to_path_buf()],
        vec![fifo.clone(), dir.path().join("Dockerfile")],
    ] {
        let output = assert_cmd::Command::cargo_bin("palisade")
            .unwrap()
            .args(["scan", "--format", "json"])
            .args(&paths)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule_id"] == "DKR002")
        );
    }
}

#[test]
fn unreadable_files_and_directories_are_diagnostics() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("locked")).unwrap();
    fs::write(dir.path().join("locked/Dockerfile"), "FROM alpine\n").unwrap();
    fs::write(dir.path().join("secret.env"), "TOKEN=x\n").unwrap();
    fs::write(dir.path().join("Dockerfile"), "FROM alpine\n").unwrap();
    fs::set_permissions(
        dir.path().join("secret.env"),
        fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    fs::set_permissions(dir.path().join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    // Permissions do not stop root: the assertions on diagnostics need an ordinary user.
    let enforced = fs::read(dir.path().join("secret.env")).is_err();
    let report = palisade::scan(&palisade::ScanOptions {
        paths: vec![dir.path().to_path_buf()],
        ..palisade::ScanOptions::default()
    })
    .unwrap();
    fs::set_permissions(dir.path().join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule_id == "DKR002" && f.path.ends_with("Dockerfile"))
    );
    if enforced {
        let kinds: Vec<_> = report.diagnostics.iter().map(|d| d.kind).collect();
        assert_eq!(
            kinds,
            [
                palisade::finding::DiagnosticKind::IoError,
                palisade::finding::DiagnosticKind::IoError
            ],
            "{:?}",
            report.diagnostics
        );
    }
}

#[test]
fn files_that_vanish_during_a_scan_do_not_stop_it() {
    let dir = tempfile::tempdir().unwrap();
    for n in 0..3000 {
        fs::write(
            dir.path().join(format!("{n}.env")),
            format!("DB_PASSWORD=Hk4wPz8Rt2N{n}x\n"),
        )
        .unwrap();
    }
    let root = dir.path().to_path_buf();
    let remover = std::thread::spawn(move || {
        for n in (0..3000).rev() {
            let _ = fs::remove_file(root.join(format!("{n}.env")));
        }
    });
    let output = assert_cmd::Command::cargo_bin("palisade")
        .unwrap()
        .args(["scan", "--format", "json", "--fail-on", "none"])
        .arg(dir.path())
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    remover.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Whatever was read is reported; whatever vanished first is an I/O diagnostic.
    let read = report["summary"]["files_scanned"].as_u64().unwrap();
    let lost = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "io-error")
        .count() as u64;
    assert_eq!(report["findings"].as_array().unwrap().len() as u64, read);
    assert!(read + lost <= 3000);
}

/// Inputs the fuzzers found, kept as regressions: `fuzz/regressions/<target>/`. Each once
/// crashed or hung a parser; now each is a result or a diagnostic, quickly.
#[test]
fn what_the_fuzzers_found_stays_fixed() {
    let kinds = [
        ("dockerfile", &[discover::FileKind::Dockerfile][..]),
        (
            "yaml",
            &[discover::FileKind::Yaml, discover::FileKind::Compose][..],
        ),
        ("terraform", &[discover::FileKind::Terraform][..]),
        ("terraform_json", &[discover::FileKind::TerraformJson][..]),
    ];
    let mut inputs = 0;
    for (target, kinds) in kinds {
        let dir = common::root().join("fuzz/regressions").join(target);
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let text = String::from_utf8_lossy(&fs::read(entry.path()).unwrap()).into_owned();
            for &kind in kinds {
                let _ = checks::run(kind, &text, CHECKS);
            }
            inputs += 1;
        }
    }
    assert!(inputs >= 2, "{inputs}");
}

#[test]
fn a_merge_key_aliasing_its_own_mapping_is_a_diagnostic() {
    let text = "apiVersion: v1\nkind: List\nitems:\n  - &base\n    kind: Pod\n    spec: &root\n      <<: *root\n";
    let failure = checks::run(discover::FileKind::Yaml, text, CHECKS).unwrap_err();
    assert!(failure.message.contains("cycle"), "{}", failure.message);
}

#[test]
fn a_byte_order_mark_keeps_dockerfile_spans_in_place() {
    let text =
        "\u{feff}FROM alpine:3.20\nRUN echo \u{e9}t\u{e9} && curl -s https://x.example | sh\n";
    let hits = checks::run(discover::FileKind::Dockerfile, text, CHECKS).unwrap();
    let curl = hits
        .iter()
        .find(|h| h.rule_id == "DKR011")
        .expect("curl | sh");
    assert!(
        text[curl.span.clone()].starts_with("curl"),
        "{:?}",
        &text[curl.span.clone()]
    );
}

/// A manifest recognised by what it holds, not by its name, is reported when it does not parse,
/// like any file of its kind: a scan never quietly skips it.
#[test]
fn a_manifest_known_only_by_its_content_is_reported_when_broken() {
    let report = scan_text(
        "exported.key",
        "apiVersion: v1\nkind: Secret\nstringData: [unclosed\n",
    );
    assert_eq!(report.files_unparsed, 1, "{:?}", report.diagnostics);
    assert!(
        report.diagnostics[0].message.contains("yaml"),
        "{:?}",
        report.diagnostics
    );
}

/// Templates built to loop or blow up the resolver: conditions naming each other, functions
/// nested thousands deep, `!Sub` of itself, huge indexes. Each ends, unknown where it must be.
#[test]
fn hostile_cloudformation_templates_end() {
    let nested_if = format!(
        "Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - {{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: {}0.0.0.0/0{}}}\n",
        "!Join ['', [".repeat(200),
        "]]".repeat(200)
    );
    let looping = "Conditions:\n  A: !Condition B\n  B: !And [!Condition A, !Condition A]\nParameters:\n  P:\n    Type: String\n    Default: !Ref P\nResources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      SecurityGroupIngress:\n        - IpProtocol: tcp\n          FromPort: !If [A, 22, 22]\n          ToPort: !Select [99999999999999999999, [22]]\n          CidrIp: !Sub ['${X}', {X: !Sub '${P}'}]\n";
    let json = format!(
        "{{\"Resources\": {{\"G\": {{\"Type\": \"AWS::S3::Bucket\", \"Properties\": {}1{}}}}}}}",
        "{\"Fn::Base64\": ".repeat(100),
        "}".repeat(100)
    );
    for (name, text) in [
        ("nested.yaml", nested_if.as_str()),
        ("looping.yaml", looping),
        ("deep.json", json.as_str()),
    ] {
        let report = scan_text(name, text);
        assert!(
            report.findings.iter().all(|f| f.rule_id != "CFN001"),
            "{name}: {:?}",
            report.findings
        );
    }
}
