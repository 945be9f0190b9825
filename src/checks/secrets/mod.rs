//! Secret checks: every file read as text, one scan shared by the rules (a provider format, a
//! literal assigned to a secret-like name).

// The rule modules: every file of this directory that defines a `CHECK` (see `build.rs`).
include!(concat!(env!("OUT_DIR"), "/checks_secrets.rs"));

use std::path::Path;
use std::sync::OnceLock;

use crate::secrets::scan::{FileClass, Scanner, Secret};

/// A file as the secret checks see it: its text, its path in the repository, and the secrets in
/// it, found once for all the rules that ask.
pub struct SecretFile<'t> {
    pub path: &'t Path,
    pub text: &'t str,
    secrets: OnceLock<Vec<Secret>>,
}

impl<'t> SecretFile<'t> {
    pub fn new(path: &'t Path, text: &'t str) -> Self {
        Self {
            path,
            text,
            secrets: OnceLock::new(),
        }
    }

    pub fn secrets(&self) -> &[Secret] {
        self.secrets
            .get_or_init(|| Scanner::builtin().scan(self.text, FileClass::of(self.path)))
    }
}
