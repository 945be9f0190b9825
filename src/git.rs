//! Scanning what git is about to record: the staged files (`--staged`) or the files that differ
//! from a ref (`--changed-since REF`).
//!
//! Staged content is what a commit will hold, and it may differ from the working tree (a file
//! partly staged with `git add -p`). So staged files are read from git's objects and written into
//! a private temporary tree, with the other Terraform files of their directories, whose variables
//! and locals the Terraform rules need; only the staged files are reported on. That tree carries
//! a `.git` marker, so repository-relative paths (SARIF, fingerprints, baselines) are those of
//! the real repository, and findings are shown at their real paths. Changed files are read where
//! they are, in the working tree.
//!
//! Git runs as a child process: it is on every machine that has a repository to scan, and it
//! knows the index format, worktrees and sparse checkouts better than any reimplementation.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::discover::{FileKind, classify};
use crate::engine::ScanReport;

/// Which files of a repository a scan is limited to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// The staged content of files added, copied, modified or renamed in the index.
    Staged,
    /// Files of the working tree that differ from a ref, and untracked files.
    Since(String),
}

/// The files to scan, and how to show their paths.
#[derive(Debug)]
pub struct Selection {
    /// The files to hand to the scan.
    pub paths: Vec<PathBuf>,
    /// Where the staged content was written, removed when the selection is dropped.
    snapshot: Option<PathBuf>,
    /// The repository's root, for showing paths of the snapshot at their real place.
    root: PathBuf,
}

impl Drop for Selection {
    fn drop(&mut self) {
        if let Some(snapshot) = &self.snapshot {
            let _ = fs::remove_dir_all(snapshot);
        }
    }
}

fn git(root: Option<&Path>, args: &[&str], input: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut command = Command::new("git");
    if let Some(root) = root {
        command.current_dir(root);
    }
    command
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(input)
            .map_err(|e| format!("cannot talk to git: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git {}: {}", args.join(" "), message.trim()));
    }
    Ok(output.stdout)
}

/// NUL-separated paths.
fn paths(output: &[u8]) -> Vec<String> {
    output
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn is_terraform(path: &str) -> bool {
    matches!(
        classify(Path::new(path)),
        FileKind::Terraform | FileKind::TerraformJson
    )
}

/// The files of the repository around `cwd` that `changes` selects, limited to those under
/// `within` (paths as given on the command line).
pub fn select(changes: &Changes, within: &[PathBuf]) -> Result<Selection, String> {
    let top = git(None, &["rev-parse", "--show-toplevel"], None)
        .map_err(|_| "--staged and --changed-since need a git repository".to_owned())?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches('\n'));
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let scopes: Vec<String> = within
        .iter()
        .map(|path| {
            let absolute = cwd.join(path);
            let absolute = absolute.canonicalize().unwrap_or(absolute);
            absolute
                .strip_prefix(root.canonicalize().unwrap_or(root.clone()))
                .map(|relative| relative.to_string_lossy().replace('\\', "/"))
                .map_err(|_| format!("{} is outside the repository", path.display()))
        })
        .collect::<Result<_, _>>()?;
    let in_scope = |path: &str| {
        scopes.iter().any(|scope| {
            scope.is_empty() || path == scope || path.starts_with(&format!("{scope}/"))
        })
    };
    let Changes::Since(reference) = changes else {
        return staged(root, &in_scope);
    };
    let mut selected = paths(&git(
        Some(&root),
        &[
            "diff",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--no-renames",
            reference,
            "--",
        ],
        None,
    )?);
    selected.extend(paths(&git(
        Some(&root),
        &["ls-files", "-z", "--others", "--exclude-standard"],
        None,
    )?));
    selected.retain(|path| in_scope(path));
    selected.sort();
    selected.dedup();
    // Shown relative to the current directory, like the paths a user would type.
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let shown = |path: &String| {
        let real = root.join(path);
        real.strip_prefix(&cwd)
            .map_or(real.clone(), Path::to_path_buf)
    };
    Ok(Selection {
        paths: selected.iter().map(shown).collect(),
        snapshot: None,
        root,
    })
}

/// A regular file's blob in git: its object id and its path.
struct Blob {
    id: String,
    path: String,
}

/// The staged files under the scope, written from their blobs into a snapshot with the other
/// Terraform files of their modules.
///
/// Every git command that reads the index costs time in proportion to the repository (about
/// 30 ms for 50,000 files), so the index is read once: `git diff --cached --raw` names the staged
/// files *and* their blob ids. A module's other files are unchanged in the index (else they would
/// be in that list), so they are taken from `HEAD`'s trees, and all contents come from one
/// `git cat-file --batch`, which reads objects, not the index.
fn staged(root: PathBuf, in_scope: &dyn Fn(&str) -> bool) -> Result<Selection, String> {
    let raw = git(
        Some(&root),
        &[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
        ],
        None,
    )?;
    // `:old-mode new-mode old-id new-id status NUL path NUL`, one entry per changed path.
    let mut fields = raw.split(|&b| b == 0).filter(|f| !f.is_empty());
    let (mut staged, mut removed) = (Vec::new(), Vec::new());
    while let (Some(meta), Some(path)) = (fields.next(), fields.next()) {
        let meta = String::from_utf8_lossy(meta);
        let path = String::from_utf8_lossy(path).into_owned();
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [_, mode, _, id, status] = parts[..] else {
            continue;
        };
        if status == "D" {
            removed.push(path);
        } else if mode.starts_with("100") && in_scope(&path) {
            // Regular files only: not symbolic links (120000) or submodules (160000).
            staged.push(Blob {
                id: id.to_owned(),
                path,
            });
        }
    }
    let mut blobs: Vec<&Blob> = staged.iter().collect();
    let context = module_context(&root, &staged, &removed)?;
    blobs.extend(&context);

    let snapshot = std::env::temp_dir().join(format!(
        "palisade-staged-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let selection = Selection {
        paths: staged
            .iter()
            .map(|blob| snapshot.join(&blob.path))
            .collect(),
        snapshot: Some(snapshot.clone()),
        root: root.clone(),
    };
    // The marker makes paths in the snapshot relative to its root, as in the repository.
    fs::create_dir_all(snapshot.join(".git"))
        .map_err(|e| format!("cannot create {}: {e}", snapshot.display()))?;
    if blobs.is_empty() {
        return Ok(selection);
    }
    let input: String = blobs.iter().map(|blob| format!("{}\n", blob.id)).collect();
    let contents = git(
        Some(&root),
        &["cat-file", "--batch"],
        Some(input.as_bytes()),
    )?;
    let mut rest = &contents[..];
    for blob in blobs {
        // `id type size LF content LF`
        let header_end = memchr::memchr(b'\n', rest).ok_or("git cat-file: truncated output")?;
        let header = String::from_utf8_lossy(&rest[..header_end]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|size| size.parse().ok())
            .ok_or_else(|| format!("git cat-file: unexpected `{header}`"))?;
        let content = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or("git cat-file: truncated output")?;
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
        let path = snapshot.join(&blob.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        fs::write(&path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(selection)
}

/// The other Terraform files of the modules that staged Terraform files belong to, from `HEAD`
/// (files staged for deletion left out).
fn module_context(root: &Path, staged: &[Blob], removed: &[String]) -> Result<Vec<Blob>, String> {
    let mut directories: Vec<String> = staged
        .iter()
        .filter(|blob| is_terraform(&blob.path))
        .map(|blob| {
            blob.path
                .rsplit_once('/')
                .map_or(String::new(), |(directory, _)| format!("{directory}/"))
        })
        .collect();
    directories.sort();
    directories.dedup();
    if directories.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = vec!["ls-tree", "-z", "--full-tree", "HEAD", "--"];
    // `ls-tree HEAD dir/` lists the directory's own entries; the root is listed as `.`.
    args.extend(
        directories
            .iter()
            .map(|d| if d.is_empty() { "." } else { d.as_str() }),
    );
    let listing = match git(Some(root), &args, None) {
        Ok(listing) => listing,
        // Before the first commit every file of a module is staged, or not there at all.
        Err(_) if git(Some(root), &["rev-parse", "-q", "--verify", "HEAD"], None).is_err() => {
            return Ok(Vec::new());
        }
        Err(error) => return Err(error),
    };
    let mut context = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        // `mode SP type SP id TAB path`
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let parts: Vec<&str> = meta.split(' ').collect();
        let [mode, "blob", id] = parts[..] else {
            continue;
        };
        let known =
            staged.iter().any(|blob| blob.path == path) || removed.iter().any(|r| r == path);
        if mode.starts_with("100") && is_terraform(path) && !known {
            context.push(Blob {
                id: id.to_owned(),
                path: path.to_owned(),
            });
        }
    }
    Ok(context)
}

impl Selection {
    /// Shows findings and diagnostics of the staged snapshot at their place in the repository,
    /// relative to the current directory when it is inside it.
    pub fn relocate(&self, report: &mut ScanReport) {
        let Some(snapshot) = &self.snapshot else {
            return;
        };
        let cwd = std::env::current_dir().unwrap_or_default();
        let shown = |path: &Path| -> PathBuf {
            let Ok(relative) = path.strip_prefix(snapshot) else {
                return path.to_path_buf();
            };
            let real = self.root.join(relative);
            real.strip_prefix(&cwd)
                .map(Path::to_path_buf)
                .unwrap_or(real)
        };
        for finding in report.findings.iter_mut().chain(&mut report.suppressed) {
            finding.path = shown(&finding.path);
        }
        for diagnostic in &mut report.diagnostics {
            diagnostic.path = shown(&diagnostic.path);
        }
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}
