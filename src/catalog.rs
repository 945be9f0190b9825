//! The rule catalog: what each rule is, as data.
//!
//! Rules are YAML files under `rules/`, embedded at build time (see `build.rs`), so the catalog
//! can be read, reviewed and diffed like documentation, and every binary carries exactly the
//! catalog it was tested with. How a rule is *checked* lives in `checks/`; the two are tied by the
//! rule id, and a test keeps them one-to-one.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::discover::Target;
pub use crate::finding::Severity;

pub(crate) mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));
}

/// The policy a rule enforces; goes into SARIF tags so code scanning can filter by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    NoRoot,
    NoLatest,
    NoHardcodedSecrets,
    NoPublicDb,
    NoPublicSsh,
    Hardening,
    SupplyChain,
    Reliability,
    /// How palisade itself is used: suppressions that are wrong or stale.
    Hygiene,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::NoRoot => "no-root",
            Policy::NoLatest => "no-latest",
            Policy::NoHardcodedSecrets => "no-hardcoded-secrets",
            Policy::NoPublicDb => "no-public-db",
            Policy::NoPublicSsh => "no-public-ssh",
            Policy::Hardening => "hardening",
            Policy::SupplyChain => "supply-chain",
            Policy::Reliability => "reliability",
            Policy::Hygiene => "hygiene",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How often a rule's findings are real problems (SARIF `precision`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    VeryHigh,
    #[default]
    High,
    Medium,
    Low,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::VeryHigh => "very-high",
            Precision::High => "high",
            Precision::Medium => "medium",
            Precision::Low => "low",
        }
    }
}

/// A bad and a good snippet; a test proves the bad one fires and the good one does not.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub bad: String,
    pub good: String,
}

/// One rule of the catalog, as written in `rules/<format>/<ID>.yaml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    /// Kebab case, names the bad pattern.
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub policy: Policy,
    pub targets: Vec<Target>,
    #[serde(default)]
    pub precision: Precision,
    #[serde(default)]
    pub cwe: Vec<String>,
    pub description: String,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Every rule of the embedded catalog has them (a test holds it to that); users' own rules
    /// may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub examples: Option<Examples>,
    /// For a user's own rule: the policy file that defines it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Rule {
    /// The remediation's first line, for one-line displays.
    pub fn remediation_summary(&self) -> &str {
        self.remediation.lines().next().unwrap_or("").trim()
    }
}

/// All rules, sorted by id.
#[derive(Debug, Clone)]
pub struct Catalog {
    rules: Vec<Rule>,
}

/// A catalog file that does not describe a rule; only possible in a broken build, which the
/// catalog tests catch before release.
#[derive(Debug)]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for CatalogError {}

impl Catalog {
    /// The catalog embedded in this binary.
    pub fn builtin() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        // Read from the JSON form of the files (see build.rs): a tenth of the start-up time.
        let json = |text: &str| serde_json::from_str::<Rule>(text).map_err(|e| e.to_string());
        CATALOG.get_or_init(|| match Catalog::read(embedded::RULE_FILES_JSON, json) {
            Ok(catalog) => catalog,
            // The embedded files are fixed at build time and checked by the test suite.
            Err(error) => panic!("embedded rule catalog is invalid: {error}"),
        })
    }

    /// Parses catalog files given as (name, YAML text).
    pub fn parse(files: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        Catalog::read(files, |text| {
            serde_saphyr::from_str::<Rule>(text).map_err(|e| e.to_string())
        })
    }

    fn read(
        files: &[(&str, &str)],
        parse: impl Fn(&str) -> Result<Rule, String>,
    ) -> Result<Catalog, CatalogError> {
        let mut rules = files
            .iter()
            .map(|(file, text)| {
                parse(text).map_err(|message| CatalogError {
                    file: (*file).to_owned(),
                    message,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { rules })
    }

    /// The embedded catalog files, for tests that check the files themselves.
    pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
        embedded::RULE_FILES
    }

    /// This catalog and users' own rules, which must not reuse an id or a name.
    pub fn with(&self, extra: Vec<Rule>) -> Result<Catalog, String> {
        let mut rules = self.rules.clone();
        for rule in extra {
            let taken = rules.iter().find(|known| {
                [&known.id, &known.name].iter().any(|word| {
                    word.eq_ignore_ascii_case(&rule.id) || word.eq_ignore_ascii_case(&rule.name)
                })
            });
            if let Some(known) = taken {
                let by = known.source.as_deref().unwrap_or("a built-in rule");
                return Err(format!(
                    "{}: rule `{}` ({}) takes an id or name that {by} already has (`{}`, {})",
                    rule.source.as_deref().unwrap_or("policy"),
                    rule.id,
                    rule.name,
                    known.id,
                    known.name
                ));
            }
            rules.push(rule);
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { rules })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by id (`DKR001`) or name (`last-user-root`), case-insensitively.
    pub fn find(&self, id_or_name: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| {
            rule.id.eq_ignore_ascii_case(id_or_name) || rule.name.eq_ignore_ascii_case(id_or_name)
        })
    }

    /// The rules a user means by a name: a rule's id or name, or a policy's name (`no-root`,
    /// `hardening`: every rule of that policy). `None` when it names nothing.
    pub fn select(&self, name: &str) -> Option<Vec<&Rule>> {
        if let Some(rule) = self.find(name) {
            return Some(vec![rule]);
        }
        let rules: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|rule| rule.policy.as_str().eq_ignore_ascii_case(name))
            .collect();
        (!rules.is_empty()).then_some(rules)
    }

    /// Rule ids for names given by a user (see [`Catalog::select`]), in order, each once.
    pub fn resolve(&self, names: &[String]) -> Result<Vec<String>, String> {
        let mut ids: Vec<String> = Vec::new();
        for name in names {
            let rules = self
                .select(name)
                .ok_or_else(|| format!("unknown rule or policy `{name}` (see `palisade rules`)"))?;
            for rule in rules {
                if !ids.contains(&rule.id) {
                    ids.push(rule.id.clone());
                }
            }
        }
        Ok(ids)
    }

    /// A rule by exact id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.rules[index])
    }

    /// Position of a rule in [`Catalog::rules`], used as SARIF `ruleIndex`.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
    }
}
