//! Compliance frameworks: the controls of public benchmarks (Pod Security Standards, CIS) and
//! the built-in rules that check each, where their meaning matches. A control no rule checks
//! says so, and is never counted as passed; a control a rule checks only in part says that too.
//!
//! The frameworks are data (`compliance/*.yaml`), embedded in the binary; the test suite holds
//! them to the catalog (every rule they name exists, every control is listed once).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The framework files, embedded.
const FILES: &[(&str, &str)] = &[
    (
        "compliance/pss-baseline.yaml",
        include_str!("../compliance/pss-baseline.yaml"),
    ),
    (
        "compliance/pss-restricted.yaml",
        include_str!("../compliance/pss-restricted.yaml"),
    ),
    (
        "compliance/cis-docker-4.yaml",
        include_str!("../compliance/cis-docker-4.yaml"),
    ),
    (
        "compliance/cis-kubernetes-5.yaml",
        include_str!("../compliance/cis-kubernetes-5.yaml"),
    ),
    (
        "compliance/nsa-cisa-kubernetes.yaml",
        include_str!("../compliance/nsa-cisa-kubernetes.yaml"),
    ),
    (
        "compliance/cis-aws-network.yaml",
        include_str!("../compliance/cis-aws-network.yaml"),
    ),
];

/// One framework: a benchmark's controls, as far as rules check them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Framework {
    /// What `--compliance` and `palisade compliance` take: `pss-restricted`.
    pub id: String,
    pub title: String,
    /// The version of the benchmark the controls are from.
    pub version: String,
    pub url: String,
    pub controls: Vec<Control>,
}

/// One control of a framework.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// The framework's own id (`4.1`, `host-namespaces`).
    pub id: String,
    pub title: String,
    /// Rule ids that check it; empty when no rule does.
    pub rules: Vec<String>,
    #[serde(default)]
    pub coverage: Coverage,
}

/// How much of a control its rules check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    /// The rules check what the control asks.
    #[default]
    Full,
    /// The rules check part of it (a control about every host port, rules about SSH and
    /// database ports).
    Partial,
}

impl Control {
    /// "checked", "partly checked" or "not checked".
    pub fn checked(&self) -> &'static str {
        match (self.rules.is_empty(), self.coverage) {
            (true, _) => "not checked",
            (false, Coverage::Partial) => "partly checked",
            (false, Coverage::Full) => "checked",
        }
    }
}

impl Framework {
    /// The framework with users' rules added to the controls they declare: `checks` holds
    /// (rule id, `framework/control`). A control that no built-in rule checked counts as partly
    /// checked by them: palisade cannot vouch for how much of it they cover.
    pub fn with_rules<'r>(
        &self,
        checks: impl IntoIterator<Item = (&'r str, &'r str)>,
    ) -> Framework {
        let mut framework = self.clone();
        for (rule, control) in checks {
            let Some((framework_id, control_id)) = control.split_once('/') else {
                continue;
            };
            if !framework_id.eq_ignore_ascii_case(&framework.id) {
                continue;
            }
            if let Some(control) = framework.controls.iter_mut().find(|c| c.id == control_id) {
                if control.rules.is_empty() {
                    control.coverage = Coverage::Partial;
                }
                if !control.rules.iter().any(|known| known == rule) {
                    control.rules.push(rule.to_owned());
                }
            }
        }
        framework
    }
}

/// Every built-in framework, in a fixed order.
pub fn frameworks() -> &'static [Framework] {
    static FRAMEWORKS: OnceLock<Vec<Framework>> = OnceLock::new();
    FRAMEWORKS.get_or_init(|| {
        FILES
            .iter()
            .map(
                |(name, text)| match serde_saphyr::from_str::<Framework>(text) {
                    Ok(framework) => framework,
                    // The embedded files are fixed at build time and checked by the test suite.
                    Err(error) => {
                        panic!("embedded compliance framework {name} is invalid: {error}")
                    }
                },
            )
            .collect()
    })
}

/// What a scan says of one control.
#[derive(Debug, Clone, Serialize)]
pub struct ControlResult {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub coverage: Coverage,
    pub rules: Vec<String>,
    /// Findings of its rules (not suppressed, not baselined).
    pub findings: usize,
}

/// A control's verdict in one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A rule that checks it reported something.
    Failed,
    /// Every rule that checks it ran and reported nothing (a partly checked control passes
    /// only the part its rules check, which the coverage says).
    Passed,
    /// No rule checks it, or the scan's selection turned its rules off: never a pass.
    NotChecked,
}

/// A framework's controls, judged by one scan.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub framework: String,
    pub title: String,
    pub version: String,
    pub controls: Vec<ControlResult>,
}

impl Evaluation {
    /// "CIS Docker Benchmark, … (v1.6.0): 2 failed, 5 passed, 5 not checked".
    pub fn headline(&self) -> String {
        let count = |status| self.controls.iter().filter(|c| c.status == status).count();
        format!(
            "{} ({}): {} failed, {} passed, {} not checked",
            self.title,
            self.version,
            count(Status::Failed),
            count(Status::Passed),
            count(Status::NotChecked)
        )
    }
}

/// Judges `framework`'s controls by the findings of a scan: `found(rule)` counts a rule's
/// findings, `ran(rule)` says whether the scan ran it.
pub fn evaluate(
    framework: &Framework,
    found: impl Fn(&str) -> usize,
    ran: impl Fn(&str) -> bool,
) -> Evaluation {
    let controls = framework
        .controls
        .iter()
        .map(|control| {
            let findings: usize = control.rules.iter().map(|rule| found(rule)).sum();
            let status = if findings > 0 {
                Status::Failed
            } else if control.rules.is_empty() || !control.rules.iter().all(|rule| ran(rule)) {
                Status::NotChecked
            } else {
                Status::Passed
            };
            ControlResult {
                id: control.id.clone(),
                title: control.title.clone(),
                status,
                coverage: control.coverage,
                rules: control.rules.clone(),
                findings,
            }
        })
        .collect();
    Evaluation {
        framework: framework.id.clone(),
        title: framework.title.clone(),
        version: framework.version.clone(),
        controls,
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Failed => "failed",
            Status::Passed => "passed",
            Status::NotChecked => "not checked",
        }
    }
}

/// The framework called `id`.
pub fn framework(id: &str) -> Option<&'static Framework> {
    frameworks()
        .iter()
        .find(|framework| framework.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn every_rule_exists_and_every_control_is_listed_once() {
        let catalog = Catalog::builtin();
        assert!(frameworks().len() >= 3);
        let mut ids = Vec::new();
        for framework in frameworks() {
            assert!(!ids.contains(&&framework.id), "{} twice", framework.id);
            ids.push(&framework.id);
            let mut controls = Vec::new();
            for control in &framework.controls {
                assert!(
                    !controls.contains(&&control.id),
                    "{}: control {} twice",
                    framework.id,
                    control.id
                );
                controls.push(&control.id);
                for rule in &control.rules {
                    assert!(
                        catalog.get(rule).is_some(),
                        "{} {}: no rule {rule}",
                        framework.id,
                        control.id
                    );
                }
                assert!(
                    !(control.rules.is_empty() && control.coverage == Coverage::Partial),
                    "{} {}: partly checked by no rule",
                    framework.id,
                    control.id
                );
            }
        }
        assert!(framework("PSS-Restricted").is_some() && framework("nist").is_none());
    }
}
