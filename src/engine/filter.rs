//! Filtering and materialising: what the user decided about a file's hits, in one place (the
//! secret allowlist, severity overrides, secrets lowered in tests and documentation, inline
//! suppressions and their problems, path ignores from the configuration), and the hits turned
//! into findings with every secret of the file masked.

use crate::catalog::Policy;
use crate::checks::{self, Hit};
use crate::discover::Candidate;
use crate::finding::{Finding, Suppression, SuppressionKind};
use crate::materialize::{SecretRanges, findings_from_hits};
use crate::secrets::scan::{is_documentation_path, is_test_path};
use crate::source::SourceFile;
use crate::suppress;

use super::Context;
use super::read::repository_path;

impl Context<'_> {
    /// Findings of a file's hits: filtered, materialised, suppressed.
    pub(super) fn findings(
        &self,
        candidate: &Candidate,
        source: &SourceFile,
        hits: Vec<Hit>,
    ) -> Vec<Finding> {
        let hits = self.decide(candidate, source, hits);
        let secrets = self.secret_ranges(candidate, source, &hits);
        let mut findings = findings_from_hits(candidate, source, hits, self.catalog, &secrets);
        self.suppress(candidate, source, &secrets, &mut findings);
        secrets.mask_messages(&source.text, &mut findings);
        findings
    }

    /// What the configuration decides about hits before they become findings: secrets the
    /// allowlist accepts are dropped, severities overridden, and secrets in test and example
    /// paths, documentation and test code lowered a severity.
    fn decide(&self, candidate: &Candidate, source: &SourceFile, mut hits: Vec<Hit>) -> Vec<Hit> {
        let allowlist = &self.options.secret_allowlist;
        if !allowlist.is_empty() {
            hits.retain(|hit| {
                let value = hit
                    .secret
                    .as_ref()
                    .and_then(|s| source.text.as_bytes().get(s.clone()));
                !value.is_some_and(|value| allowlist.iter().any(|allowed| allowed.is_match(value)))
            });
        }
        for hit in &mut hits {
            if let Some(&severity) = self.options.rules.severity.get(hit.rule_id) {
                hit.severity = Some(severity);
            }
        }
        if self.lower_test_secrets {
            let test_path = is_test_path(repository_path(candidate));
            let documentation = is_documentation_path(repository_path(candidate));
            for hit in &mut hits {
                let Some(rule) = self.catalog.get(hit.rule_id) else {
                    continue;
                };
                // Every rule about hardcoded secrets, the formats' own (`TFM004`, `DKR004`) too.
                if rule.policy != Policy::NoHardcodedSecrets {
                    continue;
                }
                let place = if test_path {
                    " (in a test or example path)"
                } else if documentation {
                    " (in documentation)"
                } else if hit.in_test_code {
                    " (in test code)"
                } else {
                    continue;
                };
                hit.severity = Some(hit.severity.unwrap_or(rule.severity).lowered());
                hit.message.push_str(place);
            }
        }
        hits
    }

    /// Every kind of suppression, in one place: inline comments (`suppress`), whose own
    /// problems (no reason, an unknown rule, expired) become `PAL001` findings, and path ignores
    /// from the configuration. Suppressed findings stay, marked with their reason.
    fn suppress(
        &self,
        candidate: &Candidate,
        source: &SourceFile,
        secrets: &SecretRanges,
        findings: &mut Vec<Finding>,
    ) {
        let ran = |rule: &str| self.enabled.contains(rule);
        let problems = suppress::apply(
            &candidate.path,
            &source.text,
            findings,
            self.catalog,
            &ran,
            self.today,
        );
        if ran(suppress::RULE) && !problems.is_empty() {
            findings.extend(findings_from_hits(
                candidate,
                source,
                problems,
                self.catalog,
                secrets,
            ));
        }
        let repo_path = repository_path(candidate)
            .to_string_lossy()
            .replace('\\', "/");
        for finding in findings.iter_mut().filter(|f| f.suppression.is_none()) {
            if let Some(ignore) = self
                .options
                .path_ignores
                .iter()
                .find(|ignore| ignore.covers(&finding.rule_id, &repo_path, self.today))
            {
                finding.suppression = Some(Suppression {
                    kind: SuppressionKind::External,
                    reason: ignore.reason.clone(),
                });
            }
        }
    }

    /// Every range of a file that a secret detector or a format's rule judged a secret. When the
    /// secret rules are not part of the scan, the detectors still run on a file that has
    /// something to report (a finding, or a suppression comment that may be one), so that what
    /// its findings show is masked all the same.
    fn secret_ranges(
        &self,
        candidate: &Candidate,
        source: &SourceFile,
        hits: &[Hit],
    ) -> SecretRanges {
        let mut ranges: Vec<_> = hits.iter().filter_map(|hit| hit.secret.clone()).collect();
        let may_report = || {
            !hits.is_empty()
                || memchr::memmem::find(source.text.as_bytes(), suppress::MARKER.as_bytes())
                    .is_some()
        };
        if !self.secrets && may_report() {
            let allowlist = &self.options.secret_allowlist;
            ranges.extend(
                checks::run_secrets(repository_path(candidate), &source.text, checks::CHECKS)
                    .into_iter()
                    .filter_map(|hit| hit.secret.or(Some(hit.span)))
                    .filter(|range| {
                        let value = source
                            .text
                            .as_bytes()
                            .get(range.clone())
                            .unwrap_or_default();
                        !allowlist.iter().any(|allowed| allowed.is_match(value))
                    }),
            );
        }
        SecretRanges::new(&source.text, ranges)
    }
}
