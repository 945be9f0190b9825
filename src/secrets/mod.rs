//! What a secret looks like, shared by every format's "hardcoded secret" rules.
//!
//! Three questions, answered in one place so every format agrees: does a *name* suggest a secret
//! (`DB_PASSWORD` yes, `PASSWORD_FILE` no), is a *value* a real literal rather than a placeholder
//! or a reference (`${PASSWORD}`, `changeme`, `<your-token>`), and does a value match a *known token
//! format* whatever its name (an AWS access key id, a GitHub token, a private key). And one rule
//! for all output: a secret is only ever shown [`mask`]ed.

/// Words that make a variable name secret-like, compared against the name split on `_`, `-`, `.`
/// and camel case, and against adjacent word pairs joined (`API_KEY` → `apikey`).
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "credential",
    "credentials",
    "creds",
    "authkey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "sessionkey",
    "clientsecret",
    "connectionstring",
    "dsn",
];

/// A last word that makes the name describe the secret rather than hold it (`SECRET_NAME`,
/// `TOKEN_URL`, `PASSWORD_FILE`, `SECRET_KEY_CMD`, `secretFieldSelector`,
/// `pipelineSecretTemplate`), or hold something public (`ACCESS_KEY_ID` is matched by format).
const NON_SECRET_SUFFIXES: &[&str] = &[
    "file",
    "cmd",
    "command",
    "selector",
    "template",
    "class",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "name",
    "id",
    "type",
    "length",
    "len",
    "header",
    "stream",
    "expiry",
    "expires",
    "ttl",
    "timeout",
    "enabled",
    "enable",
    "required",
    "policy",
    "kind",
    "mode",
    "algorithm",
    "encryption",
    "hashing",
    "scheme",
    "method",
    "cipher",
    "spec",
    "used",
    "marker",
    "begin",
    "end",
    "eof",
    "alg",
    "user",
    "username",
    "version",
    "count",
    "size",
    "env",
    "prefix",
    "ref",
    "arn",
    "location",
    "hint",
    "rotation",
    "min",
    "max",
    "regex",
    "pattern",
    "format",
    "permission",
    "permissions",
    "scope",
    "scopes",
    "action",
    "actions",
    "role",
    "roles",
    "rule",
    "rules",
    "names",
    "ids",
    "arns",
    "paths",
    "types",
    "host",
    "hostname",
    "address",
    "addr",
    "port",
    "server",
    "email",
    "schedule",
    "interval",
    "days",
    "window",
];

/// Last words of keys that name what a credential is for rather than hold it: in a Kubernetes
/// `Secret`, `username`, `apiAddress` or `accountName` sit beside the password and are not one.
const NON_CREDENTIAL_WORDS: &[&str] = &[
    "user",
    "username",
    "login",
    "email",
    "mail",
    "host",
    "hostname",
    "address",
    "addr",
    "port",
    "server",
    "url",
    "uri",
    "endpoint",
    "database",
    "dbname",
    "db",
    "name",
    "accountname",
    "account",
    "region",
    "namespace",
    "domain",
    "tenant",
    "org",
    "organization",
    "project",
    "cluster",
    "bucket",
    "queue",
    "topic",
    "schema",
    "scheme",
    "protocol",
    "id",
    "type",
    "path",
];

/// Whether a key of a secret store (a Kubernetes `Secret`'s entry) names something beside the
/// credential rather than the credential: `username`, `db_host`, `apiAddress`.
pub fn is_non_credential_key(name: &str) -> bool {
    let name = assigned_part(name);
    if is_secret_name(name) {
        return false;
    }
    // What qualifies the key comes after it: `username_in`, `user2`, `host_old`.
    let mut words = split_words(name);
    while words.len() > 1
        && words.last().is_some_and(|last| {
            QUALIFIERS.contains(&last.as_str()) || last.bytes().all(|b| b.is_ascii_digit())
        })
    {
        words.pop();
    }
    words.last().is_some_and(|last| {
        NON_CREDENTIAL_WORDS.contains(&last.as_str())
            // Words run together: `azurestorageaccountname`, `adminusername`.
            || NON_CREDENTIAL_WORDS
                .iter()
                .any(|word| word.len() >= 4 && last.len() > word.len() && last.ends_with(word))
    })
}

/// Words after a key that qualify it rather than say what it holds.
const QUALIFIERS: &[&str] = &[
    "in",
    "out",
    "old",
    "new",
    "prev",
    "next",
    "primary",
    "secondary",
];

/// In a dotted path (`spring.datasource.password`, `Token.Comment`) the last part is what is
/// assigned.
fn assigned_part(name: &str) -> &str {
    name.rsplit('.')
        .find(|part| !part.is_empty())
        .unwrap_or(name)
}

/// Whether a variable or key name suggests it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let words = split_words(assigned_part(name));
    let Some(last) = words.last() else {
        return false;
    };
    if NON_SECRET_SUFFIXES.contains(&last.as_str()) {
        return false;
    }
    // A public key or a public token is meant to be shared; a placeholder or an example
    // says what it is (`tokenPlaceholderConfigValue`, `example_password`).
    const NOT_HELD: &[&str] = &[
        "public",
        "placeholder",
        "example",
        "sample",
        "dummy",
        "fake",
        "mock",
        "masked",
        "redacted",
    ];
    if words.iter().any(|word| NOT_HELD.contains(&word.as_str())) {
        return false;
    }
    // `pass` is a secret at the end of a name (`SMTP_PASS`); before another word it is mostly
    // the verb (`PassThrough`, `PASS_RATE`).
    let single = words.iter().enumerate().any(|(at, word)| {
        SECRET_WORDS.contains(&word.as_str()) && (word != "pass" || at + 1 == words.len())
    });
    let joined = words
        .windows(2)
        .any(|pair| SECRET_WORDS.contains(&format!("{}{}", pair[0], pair[1]).as_str()));
    // Words run together, the secret one last: `dbpassword`, `ADMINPASSWORD`, `vaulttoken`.
    let run_together = words.last().is_some_and(|last| {
        RUN_TOGETHER_ENDINGS
            .iter()
            .any(|ending| last.len() > ending.len() + 1 && last.ends_with(ending))
    });
    single || joined || run_together
}

/// Secret words that end a name written as one word (`rootpassword`, `challenge47secret`).
/// Short ones (`pass`, `pwd`) are left out: too many words end with them (`bypass`).
const RUN_TOGETHER_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
];

pub(crate) use crate::words::split as split_words;

pub mod detectors;
mod judge;
mod rust;
pub mod scan;

pub use judge::{Pairing, Verdict, is_stand_in_token, judge};

/// The first known token format found in `text` (the detector's title), with the byte range of
/// the secret in it.
pub fn find_token(text: &str) -> Option<(&'static str, std::ops::Range<usize>)> {
    scan::Scanner::builtin()
        .tokens(text)
        .into_iter()
        .find_map(|secret| match secret.source {
            scan::Source::Detector(detector) => Some((detector.title.as_str(), secret.range)),
            scan::Source::Assignment => None,
        })
}

/// Byte ranges that can be asked, in logarithmic time, whether any of them overlaps a range: a
/// file with tens of thousands of secrets must not cost their square.
pub struct Overlaps {
    /// Starts, sorted, and for each the largest end among the ranges starting there or before.
    starts: Vec<usize>,
    max_ends: Vec<usize>,
}

impl Overlaps {
    pub fn new(ranges: impl IntoIterator<Item = std::ops::Range<usize>>) -> Self {
        let mut ranges: Vec<std::ops::Range<usize>> = ranges.into_iter().collect();
        ranges.sort_by_key(|range| range.start);
        let mut max_end = 0;
        let max_ends = ranges
            .iter()
            .map(|range| {
                max_end = max_end.max(range.end);
                max_end
            })
            .collect();
        Self {
            starts: ranges.iter().map(|range| range.start).collect(),
            max_ends,
        }
    }

    pub fn any(&self, range: &std::ops::Range<usize>) -> bool {
        let before = self.starts.partition_point(|&start| start < range.end);
        before > 0 && self.max_ends[before - 1] > range.start
    }
}

/// A secret found in a value assigned to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignedSecret {
    /// Ends a sentence about the name: "holds a GitHub token (`ghp_…`)".
    pub description: String,
    /// Where the secret is in the value.
    pub range: std::ops::Range<usize>,
}

/// Judges a value assigned to a name (an environment variable, a build argument): a known token
/// format anywhere in it, whatever the name; or the whole value, when the name is secret-like and
/// the value a real literal of one line. The description quotes the secret only masked.
pub fn assigned_secret(name: &str, value: &str) -> Option<AssignedSecret> {
    if let Some((format, range)) = find_token(value) {
        let masked = mask(&value[range.clone()]);
        return Some(AssignedSecret {
            description: holds(format, &masked),
            range,
        });
    }
    // A value of several lines is a configuration (a JSON list of registries, a BuildKit
    // secret mapping, a certificate bundle), no credential itself: only a token or a key in it
    // is one, which the detectors found above.
    if value.trim().contains('\n') {
        return None;
    }
    let secret = is_secret_name(name) && judge(value, Pairing::Declared) == Verdict::Secret;
    secret.then(|| AssignedSecret {
        description: format!("is set to a hardcoded secret (`{}`)", mask(value)),
        range: 0..value.len(),
    })
}

/// "holds an AWS access key id (`AKIA…`)", "holds a GitHub token (`ghp_…`)".
pub fn holds(format: &str, masked: &str) -> String {
    let article = if format.starts_with(['A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("holds {article} {format} (`{masked}`)")
}

/// The file span of `range` of `value`, given the span of the text it was read from when that
/// text is the value verbatim (`raw` may add quotes around it); otherwise all of `raw_span`.
pub fn locate(
    raw: &str,
    raw_span: std::ops::Range<usize>,
    value: &str,
    range: std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    match raw.find(value) {
        Some(offset) if !value.is_empty() => {
            raw_span.start + offset + range.start..raw_span.start + offset + range.end
        }
        _ => raw_span,
    }
}

/// Stars shown for the hidden part of every secret, whatever its length.
pub const MASK: &str = "********";

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA********`, `hunter2` → `********`.
///
/// A mask must not make a secret easier to guess than knowing its rule and place: the stars are
/// always the same eight, so the length is never shown, and a value shorter than 20 characters
/// (a password, typically) shows nothing else. Longer ones (provider tokens) keep their first
/// four characters, which name the provider (`ghp_`, `AKIA`, `sk_l`), and from 32 characters on
/// their last four as well, so that a reader can tell which of several keys is meant; at least
/// 16 characters stay hidden either way.
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let (head, tail) = match chars.len() {
        0..20 => (0, 0),
        20..32 => (4, 0),
        _ => (4, 4),
    };
    let shown = |part: &[char]| -> String {
        // A character that cannot be printed as itself is not worth a hint.
        part.iter()
            .map(|&c| if c.is_control() { '*' } else { c })
            .collect()
    };
    let mut masked = shown(&chars[..head]);
    masked.push_str(MASK);
    masked.push_str(&shown(&chars[chars.len() - tail..]));
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "password",
            "dbPassword",
            "API_KEY",
            "apiKey",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "PRIVATE_KEY",
            "client-secret",
            "MYSQL_ROOT_PASSWORD",
            "REGISTRY_CREDENTIALS",
            "SIGNING_KEY",
            "DATABASE_DSN",
            "ROOTPASSWORD",
            "dbpassword",
            "vaulttoken",
            "challenge47secret",
        ] {
            assert!(is_secret_name(name), "{name} should be secret-like");
        }
        for name in [
            "PASSWORD_FILE",
            "TOKEN_URL",
            "SECRET_NAME",
            "API_KEY_ID",
            "PATH",
            "NODE_ENV",
            "KEYBOARD",
            "PASSENGER_COUNT",
            "TOKENIZER",
            "SECRETARY",
            "JWT_EXPIRY",
            "DB_USER",
            "AWS_ACCESS_KEY_ID",
            "PASSWORD_MIN_LENGTH",
            "bypass",
            "compass",
            "nosecrets",
            "csrftokens",
            "TracingParamPassThrough",
            "PASS_RATE",
        ] {
            assert!(!is_secret_name(name), "{name} should not be secret-like");
        }
    }

    #[test]
    fn literal_values() {
        for value in [
            "hunter2hunter2",
            "s3cr3t-Pa55",
            "\"quoted-secret\"",
            "73914062",
        ] {
            assert_eq!(judge(value, Pairing::Declared), Verdict::Secret, "{value}");
        }
        for value in [
            "",
            "abc",
            "$DB_PASSWORD",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "changeme",
            "<your-token>",
            "xxxxxxxx",
            "********",
            "/run/secrets/db",
            "3600",
            "12345678",
            "true",
            "\"\"",
        ] {
            assert_ne!(judge(value, Pairing::Declared), Verdict::Secret, "{value}");
        }
    }

    #[test]
    fn token_formats() {
        let aws = "key AKIAZQ3MPLKR5TQ7ZWJ4 end";
        let (name, range) = find_token(aws).unwrap();
        assert_eq!(name, "AWS access key ID");
        assert_eq!(&aws[range], "AKIAZQ3MPLKR5TQ7ZWJ4");

        let url = "postgres://app:Sup3rS3cret@db:5432/app";
        let (name, range) = find_token(url).unwrap();
        assert_eq!(name, "password in a URL");
        assert_eq!(&url[range], "Sup3rS3cret");

        assert!(find_token("postgres://app:${DB_PASSWORD}@db/app").is_none());
        let (_, range) = find_token("redis://:S3cr3tRedis@cache:6379/0").unwrap();
        assert_eq!(range.len(), "S3cr3tRedis".len());
        assert!(find_token("https://example.com/path").is_none());
        assert!(find_token("AKIA_NOT_A_KEY").is_none());
    }

    #[test]
    fn overlaps_agree_with_a_plain_scan() {
        let ranges = [0..5, 3..4, 10..20, 12..30];
        let overlaps = Overlaps::new(ranges.clone());
        for start in 0..35 {
            for end in start + 1..36 {
                let plain = ranges.iter().any(|r| r.start < end && start < r.end);
                assert_eq!(overlaps.any(&(start..end)), plain, "{start}..{end}");
            }
        }
        assert!(!Overlaps::new([]).any(&(0..10)));
    }

    #[test]
    fn masking_never_shows_the_whole_secret() {
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA********");
        assert_eq!(
            mask("ghp_R8x2Lq7VnT4mZp9KwYc3Hd6Fs1Gj5Ba0Ue7N"),
            "ghp_********Ue7N"
        );
        assert_eq!(mask("hunter2"), "********");
        assert_eq!(mask(""), "********");
        // Short values: nothing shown, and every length looks the same.
        for secret in [
            "a",
            "ab",
            "73914062",
            "ExpiredSupQ8zk27xy",
            "0123456789abcdefghi",
        ] {
            assert_eq!(mask(secret), "********", "{secret}");
        }
        // Long ones: never more than eight characters shown, at least sixteen hidden.
        for length in 20..200 {
            let secret: String = (0..length)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let masked = mask(&secret);
            let shown = masked.chars().filter(|&c| c != '*').count();
            assert!(shown <= 8 && length - shown >= 16, "{length}: {masked}");
            assert_eq!(masked.len(), if length < 32 { 12 } else { 16 });
        }
    }
}
