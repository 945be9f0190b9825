//! Writes a deterministic tree of mixed source code with planted secrets, for benchmarks:
//!
//! ```sh
//! cargo run --release --example secrets_corpus -- <DIR> <MEGABYTES>
//! ```
//!
//! Files of ten languages (Python, JavaScript, Go, Java, Rust, YAML, `.env`, JSON, Markdown,
//! shell) are filled with ordinary code in which secret-like words occur the way they do in real
//! code (`check_password(user)`, `token_count += 1`, `# refresh the token`). Into some of them go
//! provider-format credentials (found by `leaked-credential`) and literal passwords assigned in
//! the file's own syntax (found by `hardcoded-password`), and decoys that must not be reported
//! (placeholders, references, UUIDs, documentation keys). Expected counts are printed as JSON,
//! with the secrets' exact values in `<DIR>/../planted-secrets.txt` for recall checks.

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/rng.rs"]
mod rng;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, process};

use rng::Rng;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const WORDS: &[&str] = &[
    "user", "order", "invoice", "account", "session", "cache", "report", "item", "config",
    "request", "handler", "payload", "record", "entry", "client", "server", "batch", "queue",
    "event", "metric", "price", "amount", "customer", "address", "status", "result",
];

fn random(rng: &mut Rng, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize] as char)
        .collect()
}

/// A provider-format credential, as it would be pasted.
fn credential(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => format!("AKIA{}", random(rng, UPPER32, 16)),
        1 => format!("ghp_{}", random(rng, ALNUM, 36)),
        2 => format!(
            "xoxb-{}-{}-{}",
            random(rng, b"0123456789", 12),
            random(rng, b"0123456789", 13),
            random(rng, ALNUM, 24)
        ),
        3 => format!("sk_live_{}", random(rng, ALNUM, 32)),
        4 => format!("SG.{}.{}", random(rng, ALNUM, 22), random(rng, ALNUM, 43)),
        5 => format!("npm_{}", random(rng, ALNUM, 36)),
        6 => format!("AIza{}", random(rng, ALNUM, 35)),
        7 => format!("glpat-{}", random(rng, ALNUM, 20)),
        8 => format!("dop_v1_{}", random(rng, HEX, 64)),
        _ => format!(
            "hf_{}",
            random(
                rng,
                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                34
            )
        ),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    JavaScript,
    Go,
    Java,
    Rust,
    Yaml,
    Env,
    Json,
    Markdown,
    Shell,
}

const LANGS: [(Lang, &str); 10] = [
    (Lang::Python, "py"),
    (Lang::JavaScript, "js"),
    (Lang::Go, "go"),
    (Lang::Java, "java"),
    (Lang::Rust, "rs"),
    (Lang::Yaml, "yaml"),
    (Lang::Env, "env"),
    (Lang::Json, "json"),
    (Lang::Markdown, "md"),
    (Lang::Shell, "sh"),
];

/// An ordinary line of code, sometimes mentioning secrets without holding one.
fn filler(rng: &mut Rng, lang: Lang, n: usize) -> String {
    let a = rng.pick(WORDS);
    let b = rng.pick(WORDS);
    let mention = rng.one_in(12);
    match lang {
        Lang::Python if mention => {
            format!("    if not check_password({a}, {b}_hash):  # refresh the token\n")
        }
        Lang::Python => format!("    {a}_{n} = compute_{b}({a}, limit={n})\n"),
        Lang::JavaScript if mention => {
            format!("  const tokenCount{n} = {a}.tokens.length; // secret rotation\n")
        }
        Lang::JavaScript => format!("  const {a}{n} = await fetch{b}({a}, {{ limit: {n} }});\n"),
        Lang::Go if mention => {
            format!("\tif err := validateToken(ctx, {a}); err != nil {{ return err }}\n")
        }
        Lang::Go => format!("\t{a}{n}, err := s.{b}Store.Get(ctx, {n})\n"),
        Lang::Java if mention => {
            format!("        String passwordHash{n} = encoder.encode({a}.getPassword());\n")
        }
        Lang::Java => format!("        final var {a}{n} = {b}Repository.findById({n}L);\n"),
        Lang::Rust if mention => {
            format!("    let token_ttl_{n} = Duration::from_secs({n}); // api_key rotation\n")
        }
        Lang::Rust => format!("    let {a}_{n} = {b}.lookup({n}).await?;\n"),
        Lang::Yaml if mention => format!("  {a}_secret_ref_{n}: {b}-credentials\n"),
        Lang::Yaml => format!("  {a}_{n}: {b}-{n}\n"),
        Lang::Env if mention => {
            format!("{}_PASSWORD_FILE_{n}=/run/secrets/{a}\n", a.to_uppercase())
        }
        Lang::Env => format!("{}_{}_{n}={b}\n", a.to_uppercase(), b.to_uppercase()),
        Lang::Json if mention => {
            format!("    \"{a}TokenUrl{n}\": \"https://auth.example.com/{b}\",\n")
        }
        Lang::Json => format!("    \"{a}{n}\": \"{b}-{n}\",\n"),
        Lang::Markdown if mention => {
            format!("Set the `{a}` password in the vault before deploying {b} {n}.\n")
        }
        Lang::Markdown => format!("The {a} service sends each {b} to the queue ({n} per batch).\n"),
        Lang::Shell if mention => format!("read -r -s -p \"{a} password: \" PASSWORD_{n}\n"),
        Lang::Shell => format!("{a}_{n}=$(curl -s \"$API/{b}/{n}\")\n"),
    }
}

/// A literal password assigned in the language's own syntax.
fn assignment(lang: Lang, value: &str) -> String {
    match lang {
        Lang::Python => format!("    db_password = \"{value}\"\n"),
        Lang::JavaScript => format!("  const apiSecret = '{value}';\n"),
        Lang::Go => format!("\tdbPassword := \"{value}\"\n"),
        Lang::Java => format!("        String adminPassword = \"{value}\";\n"),
        Lang::Rust => format!("    let db_password = \"{value}\";\n"),
        Lang::Yaml => format!("  password: {value}\n"),
        Lang::Env => format!("DB_PASSWORD={value}\n"),
        Lang::Json => format!("    \"clientSecret\": \"{value}\",\n"),
        Lang::Markdown => format!("Connect with `--password={value}` on the command line.\n"),
        Lang::Shell => format!("mysql --user=app --password={value} reports\n"),
    }
}

/// A line that looks like a secret but is not one: must not be reported.
fn decoy(rng: &mut Rng, lang: Lang) -> String {
    if lang == Lang::Rust && rng.one_in(2) {
        // Rust is parsed: a commented-out assignment is prose, whatever its value.
        let value = format!("{}{}!", random(rng, ALNUM, 10), rng.below(90) + 10);
        return format!("    // {}", assignment(lang, &value).trim_start());
    }
    let value = match rng.below(5) {
        0 => "changeme".to_owned(),
        1 => "${DB_PASSWORD}".to_owned(),
        2 => "3fa85f64-5717-4562-b3fc-2c963f66afa6".to_owned(),
        3 => "<your-password>".to_owned(),
        _ => "AKIAIOSFODNN7EXAMPLE".to_owned(),
    };
    assignment(lang, &value)
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let (Some(dir), Some(Ok(megabytes))) = (args.first(), args.get(1).map(|n| n.parse::<usize>()))
    else {
        eprintln!("usage: secrets_corpus <DIR> <MEGABYTES> [MAX_LINES_PER_FILE]");
        process::exit(2);
    };
    // Files have between half of and all these lines (default 1200: about 40 KB).
    let max_lines = match args.get(2).map(|n| n.parse::<u64>()) {
        Some(Ok(lines)) if lines >= 2 => lines,
        None => 1200,
        _ => {
            eprintln!("MAX_LINES_PER_FILE must be a number of at least 2");
            process::exit(2);
        }
    };
    let dir = Path::new(dir);
    let target = megabytes * 1024 * 1024;
    let mut rng = Rng(0x5EC7_E75A);
    let mut planted: BTreeMap<&str, usize> = [("SEC001", 0), ("SEC002", 0)].into_iter().collect();
    let mut values = String::new();
    let (mut files, mut bytes, mut index) = (0usize, 0usize, 0usize);
    while bytes < target {
        let (lang, extension) = LANGS[index % LANGS.len()];
        let mut text = String::with_capacity(70 * 1024);
        if lang == Lang::Rust {
            text.push_str("pub async fn handle(request: Request) -> Result<Response, Error> {\n");
        }
        let lines = (max_lines / 2 + rng.below(max_lines / 2)) as usize;
        for n in 0..lines {
            text.push_str(&filler(&mut rng, lang, n));
            if rng.one_in(3000) {
                let secret = credential(&mut rng);
                let _ = writeln!(values, "SEC001 {secret}");
                text.push_str(&match lang {
                    Lang::Yaml => format!("  registry_token: {secret}\n"),
                    Lang::Env => format!("SERVICE_TOKEN={secret}\n"),
                    Lang::Json => format!("    \"deployKey\": \"{secret}\",\n"),
                    Lang::Markdown | Lang::Shell => format!("export SERVICE_TOKEN={secret}\n"),
                    _ => format!("    // temporary: {secret}\n"),
                });
                *planted.get_mut("SEC001").expect("known rule") += 1;
            }
            if rng.one_in(3000) {
                let value = format!("{}{}!", random(&mut rng, ALNUM, 10), rng.below(90) + 10);
                let _ = writeln!(values, "SEC002 {value}");
                text.push_str(&assignment(lang, &value));
                *planted.get_mut("SEC002").expect("known rule") += 1;
            }
            if rng.one_in(2000) {
                text.push_str(&decoy(&mut rng, lang));
            }
        }
        if lang == Lang::Rust {
            text.push_str("    Ok(Response::default())\n}\n");
        }
        let path = dir
            .join(format!("service{:03}", index % 200))
            .join(format!("src{:02}", (index / 200) % 50))
            .join(format!("module_{index:06}.{extension}"));
        corpus::write(&path, &text);
        files += 1;
        bytes += text.len();
        index += 1;
    }
    corpus::write(&dir.with_file_name("planted-secrets.txt"), &values);
    corpus::print_summary(files, bytes, &planted);
}
