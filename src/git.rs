//! Scanning what git is about to record: the staged files (`--staged`) or the files that differ
//! from a ref (`--changed-since REF`).
//!
//! Staged content is what a commit will hold, and it may differ from the working tree (a file
//! partly staged with `git add -p`). So staged files are read from the index: `git
//! checkout-index` writes them into a private temporary tree, with the other Terraform files of
//! their directories, whose variables and locals the Terraform rules need; only the staged files
//! are reported on. That tree carries a `.git` marker, so repository-relative paths (SARIF,
//! fingerprints, baselines) are those of the real repository, and findings are shown at their
//! real paths. Changed files are read where they are, in the working tree.
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
    let mut selected: Vec<String> = match changes {
        Changes::Staged => paths(&git(
            Some(&root),
            &[
                "diff",
                "--cached",
                "--name-only",
                "-z",
                "--diff-filter=ACMR",
                "--no-renames",
            ],
            None,
        )?),
        Changes::Since(reference) => {
            let mut changed = paths(&git(
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
            changed.extend(paths(&git(
                Some(&root),
                &["ls-files", "-z", "--others", "--exclude-standard"],
                None,
            )?));
            changed
        }
    };
    selected.retain(|path| in_scope(path));
    selected.sort();
    selected.dedup();

    let Changes::Staged = changes else {
        // Shown relative to the current directory, like the paths a user would type.
        let cwd = cwd.canonicalize().unwrap_or(cwd);
        let shown = |path: &String| {
            let real = root.join(path);
            real.strip_prefix(&cwd)
                .map_or(real.clone(), Path::to_path_buf)
        };
        return Ok(Selection {
            paths: selected.iter().map(shown).collect(),
            snapshot: None,
            root,
        });
    };
    let snapshot = std::env::temp_dir().join(format!(
        "palisade-staged-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    fs::create_dir_all(snapshot.join(".git"))
        .map_err(|e| format!("cannot create {}: {e}", snapshot.display()))?;
    let mut selection = Selection {
        paths: selected.iter().map(|p| snapshot.join(p)).collect(),
        snapshot: Some(snapshot.clone()),
        root: root.clone(),
    };
    // Terraform rules read a module's other files for values: take them from the index too.
    let mut to_write = selected.clone();
    let mut directories: Vec<&str> = selected
        .iter()
        .filter(|p| is_terraform(p))
        .map(|p| p.rsplit_once('/').map_or("", |(directory, _)| directory))
        .collect();
    directories.dedup();
    for directory in directories {
        // `glob` pathspecs: `*` stays within the directory.
        let base = if directory.is_empty() {
            String::new()
        } else {
            format!("{directory}/")
        };
        let mut args = vec!["ls-files".to_owned(), "-z".to_owned(), "--".to_owned()];
        args.extend(
            ["*.tf", "*.tf.json", "*.tfvars", "*.tfvars.json"]
                .iter()
                .map(|pattern| format!(":(glob){base}{pattern}")),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        to_write.extend(paths(&git(Some(&root), &args, None)?));
    }
    to_write.sort();
    to_write.dedup();
    if !to_write.is_empty() {
        let mut input = Vec::new();
        for path in &to_write {
            input.extend_from_slice(path.as_bytes());
            input.push(0);
        }
        let prefix = format!("{}/", snapshot.display());
        git(
            Some(&root),
            &[
                "checkout-index",
                "--force",
                "-z",
                "--stdin",
                &format!("--prefix={prefix}"),
            ],
            Some(&input),
        )?;
    }
    // A staged deletion of a file that is still in the index cannot happen; a path that git did
    // not write (a submodule) is simply not scanned.
    selection
        .paths
        .retain(|path| path.symlink_metadata().is_ok());
    Ok(selection)
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
