//! Files held in memory rather than read from disk: staged content (from git's objects) and
//! standard input. The scan reads them through the same path as files on disk, so everything
//! else (parsing, Terraform modules, reports) does not know the difference; nothing of them is
//! ever written anywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::discover::{Candidate, classify};

/// Files to report on, and the contents of those and of the files around them (a Terraform
/// module's other files).
#[derive(Debug, Default)]
pub struct MemoryFiles {
    /// The files to report on.
    pub candidates: Vec<Candidate>,
    /// Files read for what they say about the candidates (kustomizations), not reported on.
    pub related: Vec<Candidate>,
    /// Contents by path as shown.
    pub contents: BTreeMap<PathBuf, Content>,
}

/// A file's content, or why it was not read.
#[derive(Debug)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Over the size limit: not read.
    TooLarge(u64),
}

impl MemoryFiles {
    /// One file, as named by the user (`--stdin-filename`): its name decides its kind.
    pub fn single(name: &Path, content: Content) -> MemoryFiles {
        let shown = name.to_path_buf();
        let mut files = MemoryFiles {
            related: Vec::new(),
            candidates: vec![Candidate {
                kind: classify(name),
                repo_path: name.to_string_lossy().replace('\\', "/"),
                path: shown.clone(),
            }],
            contents: BTreeMap::new(),
        };
        files.contents.insert(shown, content);
        files
    }

    /// The Terraform files held for the directory `directory` (as shown), chosen as on disk.
    pub fn unit_files(&self, directory: &Path, member: fn(&str) -> bool) -> Vec<PathBuf> {
        self.contents
            .keys()
            .filter(|path| path.parent().unwrap_or(Path::new("")) == directory)
            .filter(|path| {
                path.file_name()
                    .is_some_and(|name| member(&name.to_string_lossy()))
            })
            .cloned()
            .collect()
    }
}
