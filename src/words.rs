//! Names split into words, as people write them in every format: `dbPassword`, `DB_PASSWORD`,
//! `db-password`, `AuditLogs`. Secret names and the names of backup buckets are both judged by
//! their words.

/// Splits `dbPassword`, `DB_PASSWORD`, `db-password`, `db.password` into lowercase words.
pub fn split(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_way_of_joining_words() {
        for name in [
            "dbPassword",
            "DB_PASSWORD",
            "db-password",
            "db.password",
            "DbPassword",
        ] {
            assert_eq!(super::split(name), ["db", "password"], "{name}");
        }
    }
}
