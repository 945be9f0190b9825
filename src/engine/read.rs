//! Reading: a file's bytes from disk or from memory (the git index, standard input), within the
//! size limit, decoded to text; and the files a file refers to (a compose service's Dockerfile,
//! a build configuration), read the same way and only inside the repository.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::{Candidate, FileKind};
use crate::finding::DiagnosticKind;
use crate::formats::compose::DockerfileRef;
use crate::links;
use crate::memory::{Content, MemoryFiles};

use super::{BuiltImages, Context};

/// Bytes inspected for NUL to decide that a file is binary (what git and ripgrep do).
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Where the files of a scan are read from.
#[derive(Clone, Copy)]
pub(super) enum Files<'s> {
    Disk,
    Memory(&'s MemoryFiles),
}

impl Files<'_> {
    /// A file as text, refusing files over the size limit, binary files and invalid UTF-8.
    pub(super) fn read_text(
        self,
        candidate: &Candidate,
        max_file_size: u64,
    ) -> Result<String, (DiagnosticKind, String)> {
        let bytes = match self {
            Files::Disk => read_bytes(candidate, max_file_size)?,
            Files::Memory(held) => match held.contents.get(&candidate.path) {
                Some(Content::Bytes(bytes)) if bytes.len() as u64 <= max_file_size => bytes.clone(),
                Some(Content::Bytes(bytes)) => {
                    return Err(too_large(bytes.len() as u64, max_file_size));
                }
                Some(Content::TooLarge(size)) => return Err(too_large(*size, max_file_size)),
                None => {
                    return Err((
                        DiagnosticKind::IoError,
                        "could not be read: not in the index".to_owned(),
                    ));
                }
            },
        };
        decode_text(bytes)
    }

    /// The files of a directory that belong to its unit (the `.tf` files of a module).
    pub(super) fn unit_files(self, directory: &Path, member: fn(&str) -> bool) -> Vec<PathBuf> {
        match self {
            Files::Memory(held) => held.unit_files(directory, member),
            Files::Disk => {
                let listing = if directory.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    directory
                };
                let Ok(entries) = fs::read_dir(listing) else {
                    return Vec::new();
                };
                entries
                    .flatten()
                    .filter(|entry| {
                        member(&entry.file_name().to_string_lossy())
                            && entry.file_type().is_ok_and(|t| t.is_file())
                    })
                    .map(|entry| directory.join(entry.file_name()))
                    .collect()
            }
        }
    }
}

/// The files a candidate refers to (a compose service's Dockerfile), read as scanned files are:
/// from disk or from the staged index, regular files only (never through a symbolic link or from
/// a device), within `--max-file-size`, and only inside the candidate's repository (or, outside
/// any, below the candidate's own directory).
pub(super) struct Neighbours<'c> {
    pub(super) candidate: &'c Candidate,
    pub(super) context: &'c Context<'c>,
    /// Network policies that the repository's files do not hold but that are deployed with
    /// the file checked: those a Helm chart renders.
    pub(super) rendered_policies: Option<super::NetworkPolicies>,
}

impl Neighbours<'_> {
    /// The candidate's repository root on disk and its path in the repository.
    fn place(&self) -> Option<(PathBuf, String)> {
        place(self.candidate)
    }

    /// The file at `target` (normalised, relative to the repository root), when it is a regular
    /// file that can be read.
    pub(super) fn read_in_repository(&self, root: &Path, target: &str) -> Option<String> {
        let path = if root.as_os_str().is_empty() {
            PathBuf::from(target)
        } else {
            root.join(target)
        };
        if matches!(self.context.files, Files::Disk) && !regular_file_within(root, &path) {
            return None;
        }
        let neighbour = Candidate {
            path,
            repo_path: target.to_owned(),
            kind: FileKind::Text,
        };
        self.context
            .files
            .read_text(&neighbour, self.context.max_file_size)
            .ok()
    }
}

/// A candidate's repository root on disk and its path in the repository (its name, outside
/// any repository).
pub(super) fn place(candidate: &Candidate) -> Option<(PathBuf, String)> {
    let repo_path = if candidate.repo_path.is_empty() {
        candidate.path.file_name()?.to_string_lossy().into_owned()
    } else {
        candidate.repo_path.clone()
    };
    let mut root = candidate.path.clone();
    for _ in 0..repo_path.split('/').count() {
        root.pop();
    }
    Some((root, repo_path))
}

impl<'c> Neighbours<'c> {
    /// How the candidate is judged by the overlays that read it, and their hits in it.
    pub(super) fn overlay_hits(&self) -> (links::Overlaid, &'c [crate::checks::Hit]) {
        let context = self.context;
        self.place()
            .and_then(|(root, repo_path)| Some(context.overlays.get(&root)?.of(&repo_path)))
            .unwrap_or((links::Overlaid::No, &[]))
    }
}

impl links::Repository for Neighbours<'_> {
    fn read(&self, relative: &str) -> Option<(String, String)> {
        let (root, repo_path) = self.place()?;
        let directory = repo_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory);
        let target = crate::paths::normalize(&format!("{directory}/{relative}"))?;
        let text = self.read_in_repository(&root, &target)?;
        Some((target, text))
    }

    fn overlaid(&self) -> links::Overlaid {
        self.overlay_hits().0
    }

    fn path(&self) -> Option<String> {
        self.place().map(|(_, path)| path)
    }

    fn exists_from_root(&self, path: &str) -> bool {
        let Some((root, _)) = self.place() else {
            return false;
        };
        let Some(target) = crate::paths::normalize(path) else {
            return false;
        };
        let key = (root, target);
        if let Some(&known) = self
            .context
            .existing
            .lock()
            .expect("not poisoned")
            .get(&key)
        {
            return known;
        }
        // Only whether it is there: on disk a look at the file itself does (nothing is read
        // through a link), from the index a read.
        let exists = match self.context.files {
            Files::Disk => fs::symlink_metadata(key.0.join(&key.1)).is_ok_and(|m| m.is_file()),
            Files::Memory(_) => self.read_in_repository(&key.0, &key.1).is_some(),
        };
        self.context
            .existing
            .lock()
            .expect("not poisoned")
            .insert(key, exists);
        exists
    }

    fn network_policies(&self) -> Option<Arc<[crate::formats::network_policies::Policy]>> {
        let (root, _) = self.place()?;
        let repository = self.context.network_policies.as_ref()?.get(&root)?;
        Some(match &self.rendered_policies {
            Some(rendered) if !rendered.is_empty() => {
                repository.iter().chain(rendered.iter()).cloned().collect()
            }
            _ => repository.clone(),
        })
    }

    fn read_from_root(&self, path: &str) -> Option<(String, String)> {
        let (root, _) = self.place()?;
        let target = crate::paths::normalize(path)?;
        let text = self.read_in_repository(&root, &target)?;
        Some((target, text))
    }

    fn built_images(&self) -> Arc<[links::BuiltImage]> {
        let Some((root, repo_path)) = self.place() else {
            return Arc::from([]);
        };
        // Every directory from the file's up to the repository root, each read once per scan.
        let mut images = Vec::new();
        let directory = repo_path
            .rsplit_once('/')
            .map_or("", |(directory, _)| directory);
        for directory in crate::paths::directories_up(directory) {
            let key = (root.clone(), directory.to_owned());
            let cached = self
                .context
                .built_images
                .lock()
                .ok()
                .and_then(|cache| cache.get(&key).cloned());
            let found = cached.unwrap_or_else(|| {
                let found: BuiltImages = links::BUILD_CONFIGURATIONS
                    .iter()
                    .filter_map(|name| {
                        let target = crate::paths::normalize(&format!("{directory}/{name}"))?;
                        let text = self.read_in_repository(&root, &target)?;
                        Some(links::images_built_by(name, &text))
                    })
                    .flatten()
                    .map(|mut image| {
                        // From the configuration's directory to the repository root.
                        image.build = image.build.take().and_then(|mut build| {
                            if let DockerfileRef::Path(path) = &build.dockerfile {
                                build.dockerfile = DockerfileRef::FromRoot(
                                    crate::paths::normalize(&format!("{directory}/{path}"))?,
                                );
                            }
                            Some(build)
                        });
                        image
                    })
                    .collect();
                if let Ok(mut cache) = self.context.built_images.lock() {
                    cache.insert(key, found.clone());
                }
                found
            });
            images.extend(found.iter().cloned());
        }
        Arc::from(images)
    }
}

/// Whether `path` (below `root`) is a regular file reached without a symbolic link: neither it
/// nor any directory between `root` and it is a link, so a link in a repository cannot lead a
/// read outside it.
pub(super) fn regular_file_within(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return false;
    };
    let mut at = root.to_path_buf();
    let mut components = relative.components().peekable();
    while let Some(component) = components.next() {
        at.push(component);
        let Ok(metadata) = fs::symlink_metadata(&at) else {
            return false;
        };
        let wanted = if components.peek().is_some() {
            metadata.is_dir()
        } else {
            metadata.is_file()
        };
        if !wanted {
            return false;
        }
    }
    true
}

/// A file's path in its repository (as given, for a file outside any).
pub(super) fn repository_path(candidate: &Candidate) -> &Path {
    if candidate.repo_path.is_empty() {
        candidate.path.as_path()
    } else {
        Path::new(&candidate.repo_path)
    }
}

/// Text in UTF-16 with a byte order mark, decoded; `None` without one.
fn utf16(bytes: &[u8]) -> Option<Result<String, (DiagnosticKind, String)>> {
    let (rest, little_endian) = match bytes {
        [0xFF, 0xFE, rest @ ..] => (rest, true),
        [0xFE, 0xFF, rest @ ..] => (rest, false),
        _ => return None,
    };
    let units = rest.chunks(2).map(|pair| match (pair, little_endian) {
        ([low, high], true) => u16::from_le_bytes([*low, *high]),
        ([high, low], false) => u16::from_be_bytes([*high, *low]),
        // An odd byte at the end: not UTF-16 after all.
        _ => 0xDC00,
    });
    Some(
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| {
                (
                    DiagnosticKind::ParseError,
                    "not checked: starts like UTF-16 but is not valid UTF-16".to_owned(),
                )
            }),
    )
}

pub(super) fn too_large(size: u64, max_file_size: u64) -> (DiagnosticKind, String) {
    (
        DiagnosticKind::Skipped,
        format!("skipped: {size} bytes is over the {max_file_size}-byte limit (--max-file-size)"),
    )
}

/// Reads a file from disk, refusing files over the size limit.
pub(super) fn read_bytes(
    candidate: &Candidate,
    max_file_size: u64,
) -> Result<Vec<u8>, (DiagnosticKind, String)> {
    let io = |error: std::io::Error| {
        (
            DiagnosticKind::IoError,
            format!("could not be read: {error}"),
        )
    };
    let file = fs::File::open(&candidate.path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > max_file_size {
        return Err(too_large(size, max_file_size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // Read one byte past the limit, in case the file grew since its size was taken.
    file.take(max_file_size + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > max_file_size {
        return Err((
            DiagnosticKind::Skipped,
            format!("skipped: over the {max_file_size}-byte limit (--max-file-size)"),
        ));
    }
    Ok(bytes)
}

/// A file's bytes as UTF-8 text, refusing binary files and invalid UTF-8.
pub(super) fn decode_text(bytes: Vec<u8>) -> Result<String, (DiagnosticKind, String)> {
    // Windows tools (PowerShell's `>`, Notepad) write UTF-16 with a byte order mark.
    if let Some(text) = utf16(&bytes) {
        return text;
    }
    if bytes[..bytes.len().min(BINARY_SNIFF_LEN)].contains(&0) {
        return Err((DiagnosticKind::Skipped, "skipped: binary file".to_owned()));
    }
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|error| {
        (
            DiagnosticKind::ParseError,
            format!(
                "not checked: not valid UTF-8 (at byte {})",
                error.utf8_error().valid_up_to()
            ),
        )
    })
}
