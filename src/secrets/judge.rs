//! The one judgement of a value assigned to a secret-like name: a secret, a stand-in for one, or
//! something else that such names also hold. Every rule that reads `name = value` asks here (the
//! generic assignment scan, environment variables of Dockerfiles, compose files and Kubernetes
//! manifests, Terraform attributes, the entries of a Kubernetes `Secret`), so a value gets the
//! same verdict wherever it is written.
//!
//! Placeholders are told by their shape, never by a word a real password may contain:
//! `MyProdSecret2024!` is a secret although it says "Secret", while `YOUR_KEY_VAL`,
//! `REPLACE_ME_TOKEN`, `password123`, `<your-key>`, `%DB_PASS%` and `sk_live_xxxxxxxx` are not.
//! A stand-in is made of nothing but stand-in words (`your`, `key`, `token`, `here`, `example`,
//! digits), or is filled with `x`, `*` or zeros, or says `EXAMPLE` as providers' documentation
//! keys do (`AKIAIOSFODNN7EXAMPLE`), or is a reference or template for a value kept elsewhere.
//!
//! Values that are not secrets whatever their name: `host:port`, URLs without credentials,
//! e-mail addresses, IP addresses, schedules and durations (`rate(7 days)`, `cron(…)`, `30m`),
//! dates, UUIDs and digests.
//!
//! How sure the name–value pairing is decides the rest ([`Pairing`]): a key of a configuration
//! format or an environment variable is an assignment for certain; a name followed by `=` in
//! code or prose may be a comparison, a lookup, a message or an identifier, so there the value
//! must also look random (not a word, a sentence, a constant or a call).

use super::detectors::entropy;
use super::split_words;

/// What a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Secret,
    /// A stand-in for a secret that is not there.
    Placeholder,
    /// Something else: a reference, an address, a schedule, too short, a word.
    NotSecret,
}

/// Where the name–value pair comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// The format says it is an assignment: an environment variable, an attribute, a key.
    Declared,
    /// Read from free text by an expression: a quoted literal, or an unquoted (`bare`) value in
    /// configuration text.
    Guessed { bare: bool },
}

/// Words a stand-in is made of: a value of nothing but these (and numbers) names, describes or
/// stands for a secret rather than being one (`YOUR_KEY_VAL`, `api-token-here`, `mypassword1`,
/// `example_123`). A real password may hold some of them (`MyProdSecret2024!`); it also holds
/// something else.
const STAND_IN_WORDS: &[&str] = &[
    "the",
    "my",
    "your",
    "our",
    "here",
    "this",
    "me",
    "put",
    "add",
    "set",
    "enter",
    "insert",
    "replace",
    "change",
    "with",
    "to",
    "of",
    "for",
    "new",
    "value",
    "val",
    "string",
    "str",
    "text",
    "key",
    "keys",
    "api",
    "access",
    "private",
    "client",
    "auth",
    "app",
    "service",
    "db",
    "database",
    "password",
    "passwd",
    "pass",
    "pwd",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "credential",
    "credentials",
    "creds",
    "default",
    "some",
    "test",
    "dev",
    "local",
    "sample",
    "example",
    "examples",
    "dummy",
    "fake",
    "mock",
    "placeholder",
    "redacted",
    "hidden",
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "true",
    "false",
    "todo",
    "tbd",
    "fixme",
    "foo",
    "bar",
    "baz",
    "foobar",
    "qux",
    "changeme",
    "changeit",
    "replaceme",
    "user",
    "username",
    "real",
    "actual",
    "own",
    "goes",
    "go",
    "generated",
    "random",
    "strong",
    "secure",
    "super",
    "very",
    "long",
    "lorem",
    "ipsum",
    "xyz",
    "abc",
];

/// Judges `value`, assigned to a secret-like name.
pub fn judge(value: &str, pairing: Pairing) -> Verdict {
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let minimum = match pairing {
        Pairing::Declared => 4,
        Pairing::Guessed { .. } => 6,
    };
    if value.chars().count() < minimum {
        return Verdict::NotSecret;
    }
    if is_reference(value) || is_specification(value) {
        return Verdict::NotSecret;
    }
    // Read from code, a dotted name is an attribute of an object (`creds.token`,
    // `settings.SECRET_KEY`); declared, it is a value like any other (`Passw0rd.Prod`).
    if matches!(pairing, Pairing::Guessed { .. }) && is_attribute(value) {
        return Verdict::NotSecret;
    }
    // Base64 of text is judged as that text: `cGFzc3dvcmQ=` is as much a stand-in as
    // `password`, and an encoded real password is still one. Random bytes (a real key) do not
    // decode to text.
    if let Some(text) = decoded_text(value) {
        return judge(&text, Pairing::Declared);
    }
    if is_stand_in(value) {
        return Verdict::Placeholder;
    }
    // Words in capitals joined by underscores name something (`GOOGLE_API_KEY_VAL`,
    // `API_KEY_FROM_ENV`): another variable, a constant, a stand-in, not a secret's value.
    let constant = value
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && value.split('_').filter(|word| word.len() >= 2).count() >= 2;
    if constant {
        return Verdict::NotSecret;
    }
    if is_other_value(value) {
        return Verdict::NotSecret;
    }
    if let Pairing::Guessed { bare } = pairing
        && !looks_random(value, bare)
    {
        return Verdict::NotSecret;
    }
    Verdict::Secret
}

/// Whether a provider-shaped token (a key matched by its format) is a stand-in: filled with `x`,
/// `*` or zeros where the random part goes (`xoxb-000000000000-…`, `…/T00000000/B00000000/XXXXXXXX`),
/// a documentation key that says `EXAMPLE` (`AKIAIOSFODNN7EXAMPLE`), or a random part typed
/// along the keyboard (`ghp_abcdef1234567890…`, `…/B123456789/1a2b3c4d5e6f…`).
pub fn is_stand_in_token(token: &str) -> bool {
    let upper = token.to_ascii_uppercase();
    // The random part of a token is its last: after a provider's prefix, or a URL's path.
    let random_part = token
        .rsplit(['/', '-', '_', ':', '.'])
        .find(|part| part.len() >= 8)
        .unwrap_or(token);
    upper.contains("EXAMPLE")
        || has_filler_run(token)
        || is_one_character(token)
        || sequential_share(&joined(token)) >= 0.8
        || typed_share(&joined(random_part)) >= 0.8
        || PUBLISHED.iter().any(|published| token.contains(published))
}

/// [`sequential_share`], also of two runs typed in turn (`1a2b3c4d…`: `1234…` and `abcd…`).
fn typed_share(joined: &str) -> f64 {
    let turns = |parity: usize| -> String {
        joined
            .chars()
            .enumerate()
            .filter(|(at, _)| at % 2 == parity)
            .map(|(_, c)| c)
            .collect()
    };
    let interleaved = if joined.len() >= 8 {
        let (even, odd) = (turns(0), turns(1));
        (sequential_share(&even) * even.len() as f64 + sequential_share(&odd) * odd.len() as f64)
            / joined.len() as f64
    } else {
        0.0
    };
    sequential_share(joined).max(interleaved)
}

/// A specification of where a secret is, as `key=value` pairs (`id=npmrc,src=$HOME/.npmrc`,
/// `type=secret,id=aws`): what build tools take to mount a secret, not its value.
fn is_specification(value: &str) -> bool {
    const SINGLE_KEYS: &[&str] = &[
        "id",
        "src",
        "source",
        "env",
        "type",
        "target",
        "dst",
        "destination",
        "name",
        "file",
        "path",
    ];
    let pairs: Vec<Option<(&str, &str)>> = value.split(',').map(|p| p.split_once('=')).collect();
    let well_formed = pairs.iter().all(|pair| {
        pair.is_some_and(|(key, val)| {
            key.len() >= 2
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
                && !val.is_empty()
        })
    });
    well_formed
        && (pairs.len() >= 2
            || pairs
                .first()
                .and_then(|pair| *pair)
                .is_some_and(|(key, _)| SINGLE_KEYS.contains(&key)))
}

/// The text a base64 value encodes, when it is printable text.
fn decoded_text(value: &str) -> Option<String> {
    use base64::Engine as _;
    let base64_shaped = value.len() >= 8
        && value.len().is_multiple_of(4)
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
    // Padding says it is base64; without it, a short word or identifier may look the same,
    // while a long random value almost never decodes to printable text by chance.
    if !base64_shaped || !(value.ends_with('=') || value.len() >= 16) {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let printable = !text.is_empty() && text.bytes().all(|b| (0x20..0x7f).contains(&b));
    printable.then_some(text)
}

/// A reference to a value kept elsewhere, or a template that will produce it: `$VAR`, `${VAR}`,
/// `$(cmd)`, `{{ .Values.x }}`, `%(x)s`, `#{x}`, `%DB_PASS%`, `<your-key>`, `@TOKEN@`,
/// `__TOKEN__`, a path, an ARN.
fn is_reference(value: &str) -> bool {
    let bytes = value.as_bytes();
    let dollar = bytes.windows(2).any(|pair| {
        pair[0] == b'$'
            && (pair[1] == b'{'
                || pair[1] == b'('
                || pair[1].is_ascii_alphabetic()
                || pair[1] == b'_')
    });
    if dollar || value.contains("{{") || value.contains("%(") || value.contains("#{") {
        return true;
    }
    let enclosed = |open: &str, close: &str| {
        value.len() > open.len() + close.len()
            && value.starts_with(open)
            && value.ends_with(close)
            && value[open.len()..value.len() - close.len()]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-. ".contains(&b))
    };
    if enclosed("%", "%") || enclosed("@", "@") || enclosed("__", "__") || enclosed("[[", "]]") {
        return true;
    }
    if value.starts_with('<') && value.ends_with('>') {
        return true;
    }
    value.starts_with('/')
        || value.starts_with("./")
        || value.starts_with("~/")
        || value.starts_with("file:")
        || value.starts_with("arn:")
}

/// Words that mark a value as made up when they stand as a word of their own
/// (`mock-canary-token-12345`, `dummy_key_1`): a real secret is not labelled so.
const MADE_UP_WORDS: &[&str] = &[
    "mock",
    "dummy",
    "fake",
    "placeholder",
    "redacted",
    "changeme",
    "replaceme",
    "fixme",
    "todo",
    "tbd",
    "lorem",
    // Metasyntactic names: `foo/bar`, `baz-qux-1`.
    "foo",
    "foobar",
    "baz",
    "qux",
];

/// Short words of a sentence that tells the reader something (`if_you_see_this_please_use_k8s`,
/// `please-set-me-in-the-vault`): an instruction where a value should go.
const INSTRUCTION_WORDS: &[&str] = &[
    "if", "you", "your", "see", "please", "use", "this", "here", "the", "to", "set", "it", "is",
    "not", "do", "dont", "must", "should", "in", "a", "me", "we", "will", "be",
];

/// `creds.token`, `self.config.api_key`: names joined by dots.
fn is_attribute(value: &str) -> bool {
    value.split('.').count() >= 2
        && value.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A stand-in by its shape.
fn is_stand_in(value: &str) -> bool {
    if is_one_character(value) || has_filler_run(value) || value.contains("EXAMPLE") {
        return true;
    }
    let plain_words = split_words(value);
    if plain_words
        .iter()
        .any(|word| MADE_UP_WORDS.contains(&word.as_str()))
    {
        return true;
    }
    // A provider's prefix with a capitalised word where the key goes (`nvapi-NVKEY`,
    // `sk-OPENAI_KEY`).
    if let Some((prefix, rest)) = value.split_once(['-', '_'])
        && (2..=8).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_lowercase())
        && (3..=24).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
    {
        return true;
    }
    let instruction_words = plain_words
        .iter()
        .filter(|word| INSTRUCTION_WORDS.contains(&word.as_str()))
        .count();
    if plain_words.len() >= 4 && instruction_words >= 3 {
        return true;
    }
    let words: Vec<String> = plain_words
        .into_iter()
        .flat_map(|word| segment(&word).unwrap_or_else(|| vec![word]))
        .collect();
    // The value's letters and digits as one word: `PaSsWoRd`, `Secret123!`.
    let joined = joined(value);
    all_stand_in(&words)
        || segment(&joined).is_some_and(|words| all_stand_in(&words))
        || (joined.len() >= 4 && sequential_share(&joined) >= 1.0)
        || PUBLISHED.iter().any(|published| value.contains(published))
}

/// Runs along the alphabet, the digits or a keyboard row, either way (`abcdefg`, `abc123xyz456`,
/// `qwerty1234`, `4321`): what people type when a value is needed and does not matter. The share
/// of `joined` (lowercase letters and digits) that such runs of three or more cover; a random
/// secret has almost none.
fn sequential_share(joined: &str) -> f64 {
    const ROWS: &[&str] = &[
        "abcdefghijklmnopqrstuvwxyz",
        "zyxwvutsrqponmlkjihgfedcba",
        "01234567890",
        "09876543210",
        "qwertyuiop",
        "asdfghjkl",
        "zxcvbnm",
    ];
    let bytes = joined.as_bytes();
    let (mut at, mut covered) = (0, 0);
    while at < bytes.len() {
        let longest = ROWS
            .iter()
            .filter_map(|row| {
                let start = row.find(joined.get(at..at + 1)?)?;
                Some(
                    row.as_bytes()[start..]
                        .iter()
                        .zip(&bytes[at..])
                        .take_while(|(a, b)| a == b)
                        .count(),
                )
            })
            .max()
            .unwrap_or(0);
        if longest >= 3 {
            covered += longest;
            at += longest;
        } else {
            at += 1;
        }
    }
    if bytes.is_empty() {
        0.0
    } else {
        covered as f64 / bytes.len() as f64
    }
}

/// Letters and digits of a value, lowercase.
fn joined(value: &str) -> String {
    value
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Keys that their providers publish for development and documentation, which grant nothing:
/// the storage emulator's account (Azurite), Stripe's documentation keys.
const PUBLISHED: &[&str] = &[
    "devstoreaccount1",
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    "pk_test_TYooMQauvdEDq54NiTphI7jx",
];

/// Words with some letters, all stand-in words or numbers.
fn all_stand_in(words: &[String]) -> bool {
    words.iter().any(|word| !is_number(word))
        && words
            .iter()
            .all(|word| is_number(word) || STAND_IN_WORDS.contains(&word.as_str()))
}

fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

/// A word as stand-in words run together (`yourtokenhere` → `your token here`), or `None`.
/// Numbers at the end stay a word of their own (`password123`).
fn segment(word: &str) -> Option<Vec<String>> {
    let (letters, digits) =
        word.split_at(word.trim_end_matches(|c: char| c.is_ascii_digit()).len());
    if letters.is_empty() || letters.len() > 64 {
        return None;
    }
    // best[i]: the words of letters[..i], when it splits into stand-in words.
    let mut best: Vec<Option<Vec<&str>>> = vec![None; letters.len() + 1];
    best[0] = Some(Vec::new());
    for end in 1..=letters.len() {
        for start in (0..end).rev() {
            let Some(before) = &best[start] else {
                continue;
            };
            let piece = &letters[start..end];
            if STAND_IN_WORDS.contains(&piece) {
                let mut words = before.clone();
                words.push(piece);
                best[end] = Some(words);
                break;
            }
        }
    }
    let mut words: Vec<String> = best[letters.len()]
        .as_ref()?
        .iter()
        .map(|w| (*w).to_owned())
        .collect();
    if !digits.is_empty() {
        words.push(digits.to_owned());
    }
    Some(words)
}

/// One character repeated: `xxxxxxxx`, `********`, `00000000`.
fn is_one_character(value: &str) -> bool {
    let mut chars = value.chars().map(|c| c.to_ascii_lowercase());
    let first = chars.next();
    chars.all(|c| Some(c) == first)
}

/// Filled in rather than random: runs of `x`, `X`, `*`, `•` (four or more) or `0` (six or more)
/// that are long for the value (an eighth of it), or that make up a third of it together
/// (`…/T00000000/B00000000/XXXXXXXX`). A random key of forty characters has no such run; a
/// private key's base64 may have a short one, which is why the length counts.
fn has_filler_run(value: &str) -> bool {
    let length = value.chars().count();
    let (mut longest, mut total) = (0, 0);
    let mut run = 0;
    let mut previous = None;
    let mut close = |c: Option<char>, run: usize| {
        let minimum = match c {
            Some('x' | 'X' | '*' | '•') => 4,
            Some('0') => 6,
            _ => return,
        };
        if run >= minimum {
            longest = longest.max(run);
            total += run;
        }
    };
    for c in value.chars() {
        if Some(c) == previous {
            run += 1;
        } else {
            close(previous, run);
            run = 1;
            previous = Some(c);
        }
    }
    close(previous, run);
    longest > 0 && (longest >= (length / 8).max(4) || total * 3 >= length)
}

/// Values that secret-like names hold and that are not secrets.
fn is_other_value(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    // Short numbers: ports, counts, timeouts.
    if value.len() < 8 && is_number(value) {
        return true;
    }
    if is_host_and_port(value) || is_email(value) || is_ip_address(value) {
        return true;
    }
    // A URL carries a secret only in its user information (`scheme://user:password@host`).
    if let Some((_, rest)) = lower.split_once("://")
        && lower[..lower.find("://").unwrap_or(0)]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
    {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        return !authority.contains('@');
    }
    if is_schedule_or_duration(&lower) {
        return true;
    }
    // A resource path of words and stand-ins (`projects/PROJECT_ID/instances/main`), as cloud
    // APIs name databases and buckets: it says where, not how to get in.
    let segments: Vec<&str> = value.split('/').collect();
    let word = |segment: &&str| {
        let first = segment.bytes().next();
        (first.is_some_and(|b| b.is_ascii_lowercase())
            && segment
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
            || (first.is_some_and(|b| b.is_ascii_uppercase())
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
            || (!segment.is_empty() && segment.len() <= 6 && is_number(segment))
    };
    if segments.len() >= 3 && segments.iter().all(word) {
        return true;
    }
    let bytes = value.as_bytes();
    // Dates and timestamps.
    if bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
    {
        return true;
    }
    let is_hex = |v: &str| v.bytes().all(|b| b.is_ascii_hexdigit());
    // Digests (git SHAs, SHA-256, SHA-512), UUIDs and package integrity hashes.
    if matches!(value.len(), 40 | 64 | 128) && is_hex(value) {
        return true;
    }
    if value.len() == 36
        && value.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && is_hex(&value.replace('-', ""))
    {
        return true;
    }
    ["sha1-", "sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|prefix| value.starts_with(prefix))
}

/// `cache:6379`, `db.internal:5432`, `10.0.0.1:443`.
fn is_host_and_port(value: &str) -> bool {
    let Some((host, port)) = value.rsplit_once(':') else {
        return false;
    };
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b))
        && host.bytes().any(|b| b.is_ascii_alphabetic() || b == b'.')
        && (1..=5).contains(&port.len())
        && is_number(port)
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(':')
        && domain.contains('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-".contains(&b))
}

fn is_ip_address(value: &str) -> bool {
    let address = value.split_once('/').map_or(value, |(address, _)| address);
    address.parse::<std::net::IpAddr>().is_ok()
}

/// `rate(7 days)`, `cron(0 12 * * ? *)`, `@daily`, `30m`, `1h30m`, `PT5M`, `7 days`.
fn is_schedule_or_duration(lower: &str) -> bool {
    const MACROS: &[&str] = &[
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
        "@reboot",
    ];
    if lower.starts_with("rate(")
        || lower.starts_with("cron(")
        || lower.starts_with("@every ")
        || MACROS.contains(&lower)
    {
        return true;
    }
    // ISO 8601 durations.
    if let Some(rest) = lower.strip_prefix('p')
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b"ymwdths.".contains(&b))
        && rest.bytes().any(|b| b.is_ascii_digit())
    {
        return true;
    }
    // Numbers with units, possibly several (`1h30m`, `7 days`).
    const UNITS: &[&str] = &[
        "ms", "s", "m", "h", "d", "w", "y", "sec", "secs", "second", "seconds", "min", "mins",
        "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months",
        "year", "years",
    ];
    let mut rest = lower.trim();
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = rest[digits..].trim_start();
        let unit = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if !UNITS.contains(&&rest[..unit]) {
            return false;
        }
        rest = rest[unit..].trim_start();
        parts += 1;
    }
    parts > 0
}

/// Whether a value read from free text looks random enough to be a secret rather than a word,
/// a sentence, a constant, a flag, an identifier, a relative path or, unquoted, a reference.
fn looks_random(value: &str, bare: bool) -> bool {
    if entropy(value.as_bytes()) < 2.5 {
        return false;
    }
    // Format strings and templates: `{}`, `{0}`, `%s`.
    if value.contains('{') && value.contains('}') || value.contains("%s") || value.contains("%d") {
        return false;
    }
    // A sentence (a prompt, a message), words, a flag, not a secret.
    let words_only = value
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || b" .,:'!?-".contains(&b));
    if value.matches(' ').count() >= 3 || value.contains(' ') && words_only {
        return false;
    }
    if value.trim_start().starts_with('-') || value.starts_with('{') {
        return false;
    }
    // Constants (`RSA_2048`, `ECC_NIST_P521`): enumerations, not secrets.
    let constant = value
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if constant && value.contains('_') {
        return false;
    }
    // Names of things: identifiers (`NextToken`, `sensitive_value`, `mail-credentials`) and
    // relative paths (`org/repo`, `keys/prod.pem`).
    if looks_like_identifier(value) {
        return false;
    }
    let is_segment = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    if value.contains('/') && value.split('/').all(is_segment) {
        return false;
    }
    if bare {
        // References rather than values: `settings.DB_PASSWORD`, `process.env.TOKEN`, `DB_PASS`.
        let is_identifier = |part: &str| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if value.contains('.') && value.split('.').all(is_identifier) {
            return false;
        }
        if value.ends_with('(') || value.contains("()") {
            return false;
        }
    }
    true
}

/// Letters only, in words of three letters or more on average once split at `.`, `_`, `-` and
/// case changes (`NextToken`, `AWSAccessKeyId`, `sensitive_value`). Random letters split into
/// short pieces (`xKqPzRtWmLb`), and secrets rarely go without digits or symbols.
pub(super) fn looks_like_identifier(value: &str) -> bool {
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || b"._-".contains(&b))
    {
        return false;
    }
    let bytes = value.as_bytes();
    let mut words = 0;
    let mut letters = 0;
    let mut in_word = false;
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii_alphabetic() {
            in_word = false;
            continue;
        }
        let previous = i.checked_sub(1).map(|j| bytes[j]);
        let next = bytes.get(i + 1);
        // `aB` starts a word at B; in `AWSAccess`, the word starts at the A before `ccess`.
        let boundary = previous.is_some_and(|p| p.is_ascii_lowercase() && b.is_ascii_uppercase())
            || previous.is_some_and(|p| p.is_ascii_uppercase())
                && b.is_ascii_uppercase()
                && next.is_some_and(|n| n.is_ascii_lowercase());
        if !in_word || boundary {
            words += 1;
        }
        in_word = true;
        letters += 1;
    }
    words > 0 && letters >= 3 * words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_paths_are_not_secrets() {
        for value in [
            "projects/SPANNER_PROJECT/instances/SPANNER_INSTANCE/databases/SPANNER_DATABASE",
            "projects/my-project/secrets/db-password/versions/3",
        ] {
            assert_eq!(
                judge(value, Pairing::Declared),
                Verdict::NotSecret,
                "{value}"
            );
        }
        assert_eq!(
            judge("aB3x/Yk9Qz/Wm2pL7/Rt4v", Pairing::Declared),
            Verdict::Secret
        );
    }

    const DECLARED: Pairing = Pairing::Declared;
    const CODE: Pairing = Pairing::Guessed { bare: false };

    #[test]
    fn stand_ins_by_shape_not_by_words() {
        for value in [
            "YOUR_KEY_VAL",
            "INSERT_API_TOKEN",
            "REPLACE_ME_TOKEN",
            "<your-key>",
            "mypassword",
            "yourtokenhere",
            "password123",
            "example_123",
            "changeme",
            "sk_live_xxxxxxxxxxxx",
            "********",
            "api-token-here",
            "Secret123!",
            "abcdefg",
            "abc123",
            "qwerty1234",
            "abc123xyz456",
            "GOOGLE_API_KEY_VAL",
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=abc",
            "mock-canary-token-12345",
            "foo/system:masters",
            "nvapi-NVKEY",
            "sk-OPENAI_KEY",
            "dummy_key_Zq9x",
            "fake-Hx72kPq",
            "if_you_see_this_please_use_k8s",
            "please-set-me-in-the-vault",
            // Base64 of `password` and of `changeme`.
            "cGFzc3dvcmQ=",
            "Y2hhbmdlbWU=",
        ] {
            let verdict = judge(value, DECLARED);
            assert!(
                verdict != Verdict::Secret,
                "{value} is a stand-in, judged {verdict:?}"
            );
        }
        for value in [
            "MyProdSecret2024!",
            "AdminPassword123!",
            "Tr0ub4dor&3",
            "hunter2x",
            "p4ssw0rd-Zq9",
            "postgres",
            "correct_horse_battery_staple",
            // Base64 of `Tr0ub4dor&3`, and of random bytes.
            "VHIwdWI0ZG9yJjM=",
            "q83vEjRWeJq8/w8gQ1Zn+A==",
        ] {
            assert_eq!(judge(value, DECLARED), Verdict::Secret, "{value}");
        }
    }

    #[test]
    fn attributes_in_code_are_names_but_declared_values_are_values() {
        for value in ["creds.token", "self.config.api_key", "settings.SECRET_KEY"] {
            assert_eq!(judge(value, CODE), Verdict::NotSecret, "{value}");
        }
        assert_eq!(judge("Passw0rd.Prod", DECLARED), Verdict::Secret);
        // Base64 of `Password$123456`, unpadded: judged as the stand-in it encodes.
        assert_ne!(judge("UGFzc3dvcmQkMTIzNDU2", DECLARED), Verdict::Secret);
    }

    #[test]
    fn specifications_of_where_a_secret_is_are_not_secrets() {
        for value in [
            "id=mvnsettings,src=settings.xml",
            "type=secret,id=aws,target=/root/.aws/credentials",
            "id=npmrc",
            "env=NPM_TOKEN",
        ] {
            assert_eq!(judge(value, DECLARED), Verdict::NotSecret, "{value}");
        }
        // A password may hold an `=`, even at its end.
        for value in ["Zq9x=Kp2m", "hunter2x=", "Tr0ub4dor=3"] {
            assert_eq!(judge(value, DECLARED), Verdict::Secret, "{value}");
        }
    }

    #[test]
    fn references_are_not_secrets() {
        for value in [
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "$(cat /run/secrets/db)",
            "{{ .Values.token }}",
            "%DB_PASS%",
            "@TOKEN@",
            "__TOKEN__",
            "/run/secrets/db",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
        ] {
            assert_eq!(judge(value, DECLARED), Verdict::NotSecret, "{value}");
        }
    }

    #[test]
    fn other_values_under_secret_like_names() {
        for value in [
            "cache:6379",
            "db.internal:5432",
            "https://vault.internal/v1/secret",
            "ops@company.io",
            "10.0.0.1",
            "rate(7 days)",
            "cron(0 12 * * ? *)",
            "1h30m",
            "7 days",
            "PT5M",
            "2024-01-31T00:00:00Z",
            "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        ] {
            assert_eq!(judge(value, DECLARED), Verdict::NotSecret, "{value}");
        }
        // Credentials in a URL are a secret.
        assert_eq!(
            judge("postgres://app:Zq9mXv4Lp2@db:5432/app", DECLARED),
            Verdict::Secret
        );
    }

    #[test]
    fn guessed_pairs_also_need_a_random_looking_value() {
        for value in [
            "NextToken",
            "sensitive_value",
            "RSA_2048",
            "org/repo",
            "Please enter it now",
        ] {
            assert_eq!(judge(value, CODE), Verdict::NotSecret, "{value}");
        }
        assert_eq!(judge("Zq9mXv4Lp2", CODE), Verdict::Secret);
        assert_eq!(
            judge("settings.DB_PASSWORD", Pairing::Guessed { bare: true }),
            Verdict::NotSecret
        );
    }

    #[test]
    fn provider_tokens_filled_in_for_documentation() {
        for token in [
            "AKIAIOSFODNN7EXAMPLE",
            "T00000000",
            "XXXXXXXXXXXXXXXXXXXXXXXX",
            "xoxb-000000000000-abc",
            // Random parts typed along the keyboard, straight or two runs in turn.
            "https://hooks.slack.com/services/T123456789/B123456789/abcdefghijklmnopqrstuvwx",
            "https://hooks.slack.com/services/T123456789/B123456789/1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p",
            "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
        ] {
            assert!(is_stand_in_token(token), "{token}");
        }
        assert!(!is_stand_in_token(
            "https://hooks.slack.com/services/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"
        ));
        assert!(!is_stand_in_token("AKIAZ7QK3VNB5TXRHJ2W"));
        assert!(!is_stand_in_token(
            "ghp_Zq9mXv4Lp2wTr7Kd3NbH8sYc1JfG6uQe5AoB"
        ));
    }
}
