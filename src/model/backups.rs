//! Which storage holds backups or logs, by what its authors called it: the data a ransomware
//! attack deletes or encrypts first, and that must therefore be immutable (S3 Object Lock with
//! a default retention). One judgement, for every format that declares buckets.

/// Words that, as a whole word of a bucket's name (`acme-db-backups`, `AuditLogs`,
/// `cloudtrail_archive`), say it holds backups or logs. `blog` and `catalog` are not `log`.
const WORDS: &[&str] = &[
    "backup",
    "backups",
    "log",
    "logs",
    "logging",
    "audit",
    "audits",
    "archive",
    "archives",
    "snapshot",
    "snapshots",
    "cloudtrail",
    "trail",
    "trails",
];

/// Whether any of `names` (a resource's name, its bucket name) says it holds backups or logs.
pub fn holds_backups_or_logs<'n>(names: impl IntoIterator<Item = &'n str>) -> bool {
    names.into_iter().any(|name| {
        crate::words::split(name)
            .iter()
            .any(|word| WORDS.contains(&word.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_backups_and_logs() {
        for name in [
            "acme-db-backups",
            "AuditLogs",
            "cloudtrail_archive",
            "LoggingBucket",
        ] {
            assert!(holds_backups_or_logs([name]), "{name}");
        }
        for name in [
            "blog-assets",
            "catalog",
            "frontend",
            "Uploads",
            "dialog-data",
        ] {
            assert!(!holds_backups_or_logs([name]), "{name}");
        }
    }
}
