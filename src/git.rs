//! Scanning what git is about to record: the staged files (`--staged`) or the files that differ
//! from a ref (`--changed-since REF`).
//!
//! Staged content is what a commit will hold, and it may differ from the working tree (a file
//! partly staged with `git add -p`). So staged files are read from git's objects, with the other
//! Terraform files of their directories (whose variables and locals the Terraform rules need),
//! and scanned in memory: staged content never touches the disk, where another user could read
//! it or a killed scan could leave it. Only the staged files are reported on, at their real paths.
//! Changed files are read where they are, in the working tree.
//!
//! Git runs as a child process: it is on every machine that has a repository to scan, and it
//! knows the index format, worktrees and sparse checkouts better than any reimplementation. The
//! repository under scan is untrusted, and git reads its configuration, so every git command
//! runs with the configuration that could start a program overridden ([`Git`]): no fsmonitor,
//! no hooks, no filter or diff drivers, no external diff or textconv, no transport. User input
//! never reaches git as an option: a ref is refused if it starts with `-`, passed after
//! `--end-of-options`, and resolved to a commit id before any other command sees it. What git
//! prints is read up to a limit.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::discover::{Candidate, FileKind, classify};
use crate::memory::{Content, MemoryFiles};

/// Most bytes read from a git command that lists paths.
const MAX_LISTING_BYTES: u64 = 256 * 1024 * 1024;
/// Most bytes of a git command's error output kept for the message.
const MAX_ERROR_BYTES: u64 = 64 * 1024;

/// Which files of a repository a scan is limited to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// The staged content of files added, copied, modified or renamed in the index.
    Staged,
    /// Files of the working tree that differ from a ref, and untracked files.
    Since(String),
}

/// The files to scan.
#[derive(Debug)]
pub enum Selection {
    /// Files of the working tree, as paths to hand to the scan.
    Paths(Vec<PathBuf>),
    /// Contents held in memory: staged content (or standard input).
    Memory(MemoryFiles),
}

/// Configuration that makes git run a program, overridden for every command: a scanned
/// repository's `.git/config` is as untrusted as the rest of it.
const SAFE_CONFIG: &[(&str, &str)] = &[
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.pager", "cat"),
    ("diff.external", ""),
    ("credential.helper", ""),
    ("protocol.allow", "never"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
];

/// Variables of driver sections that name a program: cleared for every driver the
/// configuration defines.
const DRIVER_PROGRAMS: &[(&str, &[(&str, &str)])] = &[
    (
        "filter",
        &[
            ("clean", ""),
            ("smudge", ""),
            ("process", ""),
            ("required", "false"),
        ],
    ),
    ("diff", &[("textconv", ""), ("command", "")]),
    ("merge", &[("driver", "")]),
];

/// Runs git in a repository with [`SAFE_CONFIG`] and every configured driver disarmed.
struct Git {
    root: Option<PathBuf>,
    config: Vec<(String, String)>,
}

impl Git {
    /// Git in the current directory, before the repository is known.
    fn discover() -> Git {
        Git {
            root: None,
            config: safe_config(),
        }
    }

    /// Git in the repository at `root`, with its drivers disarmed.
    fn at(root: PathBuf) -> Result<Git, String> {
        let mut git = Git {
            root: Some(root),
            config: safe_config(),
        };
        let pattern = format!(
            "^({})\\.",
            DRIVER_PROGRAMS
                .iter()
                .map(|(section, _)| *section)
                .collect::<Vec<_>>()
                .join("|")
        );
        // Reading configuration runs nothing; exit code 1 means no such variable.
        let listing = git
            .run(
                &["config", "-z", "--get-regexp", &pattern],
                None,
                MAX_LISTING_BYTES,
            )
            .or_else(|error| {
                if error.ends_with("(exit status: 1)") {
                    Ok(Vec::new())
                } else {
                    Err(error)
                }
            })?;
        git.config.extend(disarmed_drivers(&listing));
        Ok(git)
    }

    /// Runs git with `args`, feeding `input`, and returns what it printed (at most `limit`
    /// bytes, else an error).
    fn run(&self, args: &[&str], input: Option<&[u8]>, limit: u64) -> Result<Vec<u8>, String> {
        let mut command = Command::new("git");
        if let Some(root) = &self.root {
            command.current_dir(root);
        }
        // Passed through the environment, which takes a key and a value apart, rather than as
        // `-c key=value`, which a driver name holding `=` would break.
        command.env("GIT_CONFIG_COUNT", self.config.len().to_string());
        for (index, (key, value)) in self.config.iter().enumerate() {
            command.env(format!("GIT_CONFIG_KEY_{index}"), key);
            command.env(format!("GIT_CONFIG_VALUE_{index}"), value);
        }
        command
            // No index refresh written back, so no hook that watches the index.
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_NO_REPLACE_OBJECTS", "1")
            .env_remove("GIT_EXTERNAL_DIFF")
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
        let writer = match (input, child.stdin.take()) {
            (Some(input), Some(mut stdin)) => {
                let input = input.to_vec();
                Some(std::thread::spawn(move || stdin.write_all(&input)))
            }
            _ => None,
        };
        let errors = child.stderr.take().map(|stderr| {
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                let mut stderr = stderr;
                let _ = (&mut stderr).take(MAX_ERROR_BYTES).read_to_end(&mut kept);
                // The rest is drained, so that git never blocks on a full pipe.
                let _ = std::io::copy(&mut stderr, &mut std::io::sink());
                kept
            })
        });
        let mut output = Vec::new();
        let read = child
            .stdout
            .take()
            .map(|stdout| stdout.take(limit + 1).read_to_end(&mut output));
        let too_long = output.len() as u64 > limit;
        if too_long {
            let _ = child.kill();
        }
        let status = child.wait().map_err(|e| format!("cannot run git: {e}"))?;
        if let Some(writer) = writer {
            let _ = writer.join();
        }
        let errors = errors
            .and_then(|thread| thread.join().ok())
            .unwrap_or_default();
        if too_long {
            return Err(format!(
                "git {}: printed more than {limit} bytes",
                args.first().unwrap_or(&"")
            ));
        }
        if let Some(Err(error)) = read {
            return Err(format!("cannot read from git: {error}"));
        }
        if !status.success() {
            let message = String::from_utf8_lossy(&errors);
            return Err(format!(
                "git {}: {} ({status})",
                args.first().unwrap_or(&""),
                message.trim()
            ));
        }
        Ok(output)
    }
}

fn safe_config() -> Vec<(String, String)> {
    SAFE_CONFIG
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

/// Overrides that disarm every driver named in `git config -z --get-regexp` output
/// (`key LF value NUL`, or `key NUL` for a key without a value).
fn disarmed_drivers(listing: &[u8]) -> Vec<(String, String)> {
    let mut names: Vec<(&str, String)> = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let key = entry.split(|&b| b == b'\n').next().unwrap_or_default();
        let key = String::from_utf8_lossy(key);
        for (section, _) in DRIVER_PROGRAMS {
            // `section.<name>.<variable>`: the name may itself hold dots.
            let Some(rest) = key
                .strip_prefix(section)
                .and_then(|rest| rest.strip_prefix('.'))
            else {
                continue;
            };
            if let Some((name, _)) = rest.rsplit_once('.') {
                names.push((section, name.to_owned()));
            }
        }
    }
    names.sort();
    names.dedup();
    let mut overrides = Vec::new();
    for (section, name) in names {
        let variables = DRIVER_PROGRAMS
            .iter()
            .find(|(s, _)| *s == section)
            .map_or(&[][..], |(_, variables)| variables);
        for (variable, value) in variables {
            overrides.push((format!("{section}.{name}.{variable}"), (*value).to_owned()));
        }
    }
    overrides
}

/// NUL-separated paths.
fn paths(output: &[u8]) -> Vec<String> {
    output
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Whether a file is checked together with the other files of its directory (a Terraform
/// module's), which a staged scan must then read from `HEAD` as well.
fn in_unit(path: &str) -> bool {
    crate::checks::format::grouping(classify(Path::new(path))).is_some()
}

/// A ref as the user gave it, checked: never an option, and a commit.
fn commit_of(git: &Git, reference: &str) -> Result<String, String> {
    if reference.starts_with('-') || reference.is_empty() {
        return Err(format!(
            "--changed-since `{reference}` is not a ref (a branch, tag or commit)"
        ));
    }
    let peeled = format!("{reference}^{{commit}}");
    let id = git
        .run(
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &peeled,
            ],
            None,
            MAX_ERROR_BYTES,
        )
        .map_err(|_| {
            format!("--changed-since: `{reference}` is not a commit in this repository")
        })?;
    let id = String::from_utf8_lossy(&id).trim().to_owned();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "--changed-since: `{reference}` is not a commit in this repository"
        ));
    }
    Ok(id)
}

/// The files of the repository around the current directory that `changes` selects, limited
/// to those under `within` (paths as given on the command line). Staged files larger than
/// `max_file_size` are not read.
pub fn select(
    changes: &Changes,
    within: &[PathBuf],
    max_file_size: u64,
) -> Result<Selection, String> {
    let top = Git::discover()
        .run(&["rev-parse", "--show-toplevel"], None, MAX_ERROR_BYTES)
        .map_err(|_| "--staged and --changed-since need a git repository".to_owned())?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches('\n'));
    let git = Git::at(root.clone())?;
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let canonical_root = root.canonicalize().unwrap_or(root.clone());
    let scopes: Vec<String> = within
        .iter()
        .map(|path| {
            let absolute = cwd.join(path);
            let absolute = absolute.canonicalize().unwrap_or(absolute);
            absolute
                .strip_prefix(&canonical_root)
                .map(|relative| relative.to_string_lossy().replace('\\', "/"))
                .map_err(|_| format!("{} is outside the repository", path.display()))
        })
        .collect::<Result<_, _>>()?;
    let in_scope = |path: &str| {
        scopes.iter().any(|scope| {
            scope.is_empty() || path == scope || path.starts_with(&format!("{scope}/"))
        })
    };
    // Shown relative to the current directory, like the paths a user would type.
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let shown = |path: &str| {
        let real = root.join(path);
        real.strip_prefix(&cwd)
            .map_or(real.clone(), Path::to_path_buf)
    };
    let Changes::Since(reference) = changes else {
        return staged(&git, &in_scope, &shown, max_file_size).map(Selection::Memory);
    };
    let commit = commit_of(&git, reference)?;
    let mut selected = paths(&git.run(
        &[
            "diff",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
            "--no-renames",
            "--no-ext-diff",
            "--no-textconv",
            &commit,
            "--",
        ],
        None,
        MAX_LISTING_BYTES,
    )?);
    selected.extend(paths(&git.run(
        &["ls-files", "-z", "--others", "--exclude-standard"],
        None,
        MAX_LISTING_BYTES,
    )?));
    selected.retain(|path| in_scope(path));
    selected.sort();
    selected.dedup();
    Ok(Selection::Paths(
        selected.iter().map(|path| shown(path)).collect(),
    ))
}

/// A regular file's blob in git: its object id and its path.
struct Blob {
    id: String,
    path: String,
}

/// The staged files under the scope, read from their blobs with the other Terraform files of
/// their modules.
///
/// Every git command that reads the index costs time in proportion to the repository (about
/// 30 ms for 50,000 files), so the index is read once: `git diff --cached --raw` names the staged
/// files *and* their blob ids. A module's other files are unchanged in the index (else they would
/// be in that list), so they are taken from `HEAD`'s trees, and all contents come from git's
/// object store (`cat-file`), which reads objects, not the index or the working tree.
fn staged(
    git: &Git,
    in_scope: &dyn Fn(&str) -> bool,
    shown: &dyn Fn(&str) -> PathBuf,
    max_file_size: u64,
) -> Result<MemoryFiles, String> {
    let raw = git.run(
        &[
            "diff",
            "--cached",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            "--no-ext-diff",
            "--no-textconv",
        ],
        None,
        MAX_LISTING_BYTES,
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
        } else if mode.starts_with("100") && in_scope(&path) && is_object_id(id) {
            // Regular files only: not symbolic links (120000) or submodules (160000).
            staged.push(Blob {
                id: id.to_owned(),
                path,
            });
        }
    }
    let context = module_context(git, &staged, &removed)?;
    let kustomizations = kustomization_context(git, &staged, &removed)?;
    let (chart_files, chart_templates) = chart_context(git, &staged, &removed)?;
    let candidate = |blob: &Blob| Candidate {
        path: shown(&blob.path),
        repo_path: blob.path.clone(),
        kind: classify(Path::new(&blob.path)),
    };
    let mut files = MemoryFiles {
        related: kustomizations.iter().map(candidate).collect(),
        candidates: staged
            .iter()
            .chain(&chart_templates)
            .map(candidate)
            .collect(),
        contents: BTreeMap::new(),
    };
    let blobs: Vec<&Blob> = staged
        .iter()
        .chain(&context)
        .chain(&kustomizations)
        .chain(&chart_files)
        .collect();
    for (blob, content) in blobs.iter().zip(read_blobs(git, &blobs, max_file_size)?) {
        files.contents.insert(shown(&blob.path), content);
    }
    // The other files of the overlays a staged file is part of: each is built as it will be
    // committed, and its files are reported on, since a staged patch shows in its base.
    let text_of = |path: &str| match files.contents.get(&shown(path)) {
        Some(Content::Bytes(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    let kustomization_paths: Vec<&str> = staged
        .iter()
        .chain(&kustomizations)
        .map(|blob| blob.path.as_str())
        .filter(|path| {
            let name = path.rsplit('/').next().unwrap_or(path);
            crate::formats::kustomize::FILE_NAMES.contains(&name)
        })
        .collect();
    let changed: Vec<&str> = staged
        .iter()
        .map(|blob| blob.path.as_str())
        .chain(removed.iter().map(String::as_str))
        .collect();
    let wanted = overlay_files(&kustomization_paths, &text_of, &changed);
    let loaded = |path: &str| files.contents.contains_key(&shown(path));
    let pathspecs: Vec<String> = wanted
        .iter()
        .filter(|path| !loaded(path) && !removed.contains(path))
        .map(|path| format!(":(literal){path}"))
        .collect();
    let mut overlay_blobs = Vec::new();
    for chunk in pathspecs.chunks(1_000) {
        overlay_blobs.extend(index_files(git, chunk)?);
    }
    let refs: Vec<&Blob> = overlay_blobs.iter().collect();
    for (blob, content) in refs.iter().zip(read_blobs(git, &refs, max_file_size)?) {
        files.contents.insert(shown(&blob.path), content);
    }
    files.candidates.extend(
        overlay_blobs
            .iter()
            .chain(&kustomizations)
            .filter(|blob| wanted.contains(&blob.path) && in_scope(&blob.path))
            .map(candidate),
    );
    files.candidates.sort();
    files.candidates.dedup();
    Ok(files)
}

fn is_object_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The contents of `blobs`, in order: their sizes first (`cat-file --batch-check`), then the
/// contents of those within `max_file_size` (`cat-file --batch`), so that git's output is bounded
/// by what the scan will read.
fn read_blobs(git: &Git, blobs: &[&Blob], max_file_size: u64) -> Result<Vec<Content>, String> {
    if blobs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: String = blobs.iter().map(|blob| format!("{}\n", blob.id)).collect();
    let checked = git.run(
        &["cat-file", "--batch-check=%(objectsize)"],
        Some(ids.as_bytes()),
        MAX_LISTING_BYTES,
    )?;
    let sizes: Vec<u64> = String::from_utf8_lossy(&checked)
        .lines()
        .map(|line| line.trim().parse().unwrap_or(u64::MAX))
        .collect();
    if sizes.len() != blobs.len() {
        return Err("git cat-file: unexpected output".to_owned());
    }
    let wanted: Vec<usize> = (0..blobs.len())
        .filter(|&i| sizes[i] <= max_file_size)
        .collect();
    let mut contents: Vec<Content> = sizes.iter().map(|&size| Content::TooLarge(size)).collect();
    if wanted.is_empty() {
        return Ok(contents);
    }
    let input: String = wanted
        .iter()
        .map(|&i| format!("{}\n", blobs[i].id))
        .collect();
    // Each object comes as `id type size LF content LF`.
    let limit = wanted.iter().map(|&i| sizes[i] + 128).sum();
    let output = git.run(
        &["cat-file", "--batch=%(objectsize)"],
        Some(input.as_bytes()),
        limit,
    )?;
    let mut rest = &output[..];
    for &index in &wanted {
        let header_end = memchr::memchr(b'\n', rest).ok_or("git cat-file: truncated output")?;
        let size: usize = std::str::from_utf8(&rest[..header_end])
            .ok()
            .and_then(|size| size.trim().parse().ok())
            .ok_or("git cat-file: unexpected output")?;
        let content = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or("git cat-file: truncated output")?;
        contents[index] = Content::Bytes(content.to_vec());
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
    }
    Ok(contents)
}

/// The kustomizations of the repository as staged, when a staged file may be a manifest they
/// deploy or patch: they say which files are patches and which images are pinned. Read from the
/// index (`ls-files`), which is what will be committed; staged ones are candidates already.
fn kustomization_context(
    git: &Git,
    staged: &[Blob],
    removed: &[String],
) -> Result<Vec<Blob>, String> {
    let may_be_manifest = staged.iter().any(|blob| {
        matches!(
            classify(Path::new(&blob.path)),
            FileKind::Yaml | FileKind::Json | FileKind::Text
        )
    });
    if !may_be_manifest {
        return Ok(Vec::new());
    }
    let patterns: Vec<String> = crate::formats::kustomize::FILE_NAMES
        .iter()
        .map(|name| format!(":(glob)**/{name}"))
        .collect();
    let known = |path: &str| {
        staged.iter().any(|blob| blob.path == path) || removed.iter().any(|r| r == path)
    };
    Ok(index_files(git, &patterns)?
        .into_iter()
        .filter(|blob| !known(&blob.path))
        .collect())
}

/// Every file that the overlays holding one of the `changed` paths read (kustomizations,
/// manifests, patches, generator inputs), found from the kustomizations at
/// `kustomization_paths` (texts by `text_of`).
fn overlay_files(
    kustomization_paths: &[&str],
    text_of: &dyn Fn(&str) -> Option<String>,
    changed: &[&str],
) -> std::collections::BTreeSet<String> {
    use crate::formats::kustomize::{Kustomization, overlays};
    let kustomizations: Vec<(String, Kustomization)> = kustomization_paths
        .iter()
        .filter_map(|&path| Some((path.to_owned(), Kustomization::parse(&text_of(path)?)?)))
        .collect();
    overlays(&kustomizations)
        .iter()
        .filter(|overlay| overlay.files().any(|file| changed.contains(&file.as_str())))
        .flat_map(|overlay| overlay.files().cloned().collect::<Vec<_>>())
        .collect()
}

/// The regular files of the index that match `pathspecs`.
fn index_files(git: &Git, pathspecs: &[String]) -> Result<Vec<Blob>, String> {
    let mut args = vec!["ls-files", "-s", "-z", "--"];
    args.extend(pathspecs.iter().map(String::as_str));
    let listing = git.run(&args, None, MAX_LISTING_BYTES)?;
    let mut found = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        // `mode SP id SP stage TAB path`
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let parts: Vec<&str> = meta.split(' ').collect();
        let [mode, id, _] = parts[..] else {
            continue;
        };
        if mode.starts_with("100") && is_object_id(id) {
            found.push(Blob {
                id: id.to_owned(),
                path: path.to_owned(),
            });
        }
    }
    Ok(found)
}

/// The Helm charts staged files belong to: every file of each chart from the index (a chart is
/// rendered from what will be committed), and the chart's templates to report on when what
/// changed is not a template itself (its values, `Chart.yaml`, a subchart), since that change
/// shows in the rendered templates.
fn chart_context(
    git: &Git,
    staged: &[Blob],
    removed: &[String],
) -> Result<(Vec<Blob>, Vec<Blob>), String> {
    let may_be_chart = staged
        .iter()
        .map(|blob| blob.path.as_str())
        .chain(removed.iter().map(String::as_str))
        .any(|path| {
            path.split('/')
                .any(|part| part == "templates" || part == "charts")
                || path.ends_with("Chart.yaml")
                || path
                    .rsplit('/')
                    .next()
                    .is_some_and(|name| name.starts_with("values"))
        });
    if !may_be_chart {
        return Ok((Vec::new(), Vec::new()));
    }
    let charts: Vec<String> = index_files(git, &[":(glob)**/Chart.yaml".to_owned()])?
        .into_iter()
        .map(|blob| {
            blob.path
                .strip_suffix("Chart.yaml")
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    // The top chart of a path: the outermost chart directory above it.
    let top_chart = |path: &str| -> Option<&String> {
        charts
            .iter()
            .filter(|root| path.starts_with(root.as_str()))
            .min_by_key(|root| root.len())
    };
    let mut roots: Vec<(&String, bool)> = Vec::new();
    for path in staged
        .iter()
        .map(|blob| blob.path.as_str())
        .chain(removed.iter().map(String::as_str))
    {
        let Some(root) = top_chart(path) else {
            continue;
        };
        let template = path[root.len()..].starts_with("templates/");
        match roots.iter_mut().find(|(r, _)| *r == root) {
            Some(entry) => entry.1 |= !template,
            None => roots.push((root, !template)),
        }
    }
    let (mut context, mut templates) = (Vec::new(), Vec::new());
    for (root, whole) in roots {
        // What a render reads: not the rest of the directory (a chart may sit at the top of a
        // large repository).
        let pathspecs: Vec<String> = ["templates/**", "charts/**"]
            .iter()
            .map(|tail| format!(":(glob){root}{tail}"))
            .chain(
                ["Chart.yaml", "values.yaml", "requirements.yaml"]
                    .iter()
                    .map(|name| format!(":(literal){root}{name}")),
            )
            .collect();
        for blob in index_files(git, &pathspecs)? {
            if removed.contains(&blob.path) {
                continue;
            }
            let staged_here = staged.iter().any(|s| s.path == blob.path);
            if whole && !staged_here && blob.path[root.len()..].starts_with("templates/") {
                templates.push(Blob {
                    id: blob.id.clone(),
                    path: blob.path.clone(),
                });
            }
            if !staged_here {
                context.push(blob);
            }
        }
    }
    Ok((context, templates))
}

/// The other files of the units (Terraform modules) that staged files belong to, from `HEAD`
/// (files staged for deletion left out).
fn module_context(git: &Git, staged: &[Blob], removed: &[String]) -> Result<Vec<Blob>, String> {
    let mut directories: Vec<String> = staged
        .iter()
        .filter(|blob| in_unit(&blob.path))
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
    let listing = match git.run(&args, None, MAX_LISTING_BYTES) {
        Ok(listing) => listing,
        // Before the first commit every file of a module is staged, or not there at all.
        Err(_)
            if git
                .run(
                    &["rev-parse", "-q", "--verify", "HEAD"],
                    None,
                    MAX_ERROR_BYTES,
                )
                .is_err() =>
        {
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
        if mode.starts_with("100") && in_unit(path) && !known && is_object_id(id) {
            context.push(Blob {
                id: id.to_owned(),
                path: path.to_owned(),
            });
        }
    }
    Ok(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_configured_driver_is_disarmed() {
        let listing =
            b"filter.lfs.clean\ngit-lfs clean -- %f\0filter.lfs.process\ngit-lfs filter-process\0\
            filter.a.b=c.smudge\n./evil.sh\0diff.pdf.textconv\npdftotext\0merge.ours.driver\ntrue\0\
            filter.novalue.clean\0";
        let overrides = disarmed_drivers(listing);
        let has = |key: &str, value: &str| overrides.iter().any(|(k, v)| k == key && v == value);
        assert!(has("filter.lfs.clean", ""));
        assert!(has("filter.lfs.process", ""));
        assert!(has("filter.lfs.required", "false"));
        assert!(has("filter.a.b=c.smudge", ""));
        assert!(has("filter.a.b=c.clean", ""));
        assert!(has("diff.pdf.textconv", ""));
        assert!(has("diff.pdf.command", ""));
        assert!(has("merge.ours.driver", ""));
        assert!(has("filter.novalue.clean", ""));
        // Each driver once.
        assert_eq!(overrides.len(), 4 * 3 + 2 + 1);
    }

    #[test]
    fn refs_that_look_like_options_are_refused_before_git_sees_them() {
        let git = Git::discover();
        for reference in ["--output=victim.txt", "-p", ""] {
            let error = commit_of(&git, reference).unwrap_err();
            assert!(error.contains("is not a ref"), "{error}");
        }
    }

    /// Whatever git prints, the listing is read without panicking, and every override is a
    /// driver variable of a known section.
    #[test]
    fn any_config_listing_gives_driver_overrides_only() {
        let mut random = crate::testing::Random::new(0x2545_f491_4f6c_dd1d);
        let pieces: [&[u8]; 9] = [
            b"filter.", b"diff.", b"merge.", b"x", b".clean", b"\n", b"\0", b"=", b"\xff",
        ];
        for _ in 0..5_000 {
            let mut listing = Vec::new();
            for _ in 0..random.below(24) {
                listing.extend_from_slice(random.pick(&pieces));
            }
            for (key, _) in disarmed_drivers(&listing) {
                let section = key.split('.').next().unwrap_or_default();
                assert!(DRIVER_PROGRAMS.iter().any(|(s, _)| *s == section), "{key}");
                let variable = key.rsplit('.').next().unwrap_or_default();
                assert!(
                    DRIVER_PROGRAMS
                        .iter()
                        .any(|(_, vars)| vars.iter().any(|(v, _)| *v == variable)),
                    "{key}"
                );
            }
        }
    }
}
