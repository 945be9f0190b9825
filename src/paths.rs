//! Repository paths: relative, `/`-separated, resolved by their names (`.` and `..`), never by
//! the file system, so that a path read from a file (a kustomization's `../base`, a compose
//! file's Dockerfile) is judged against where the scan may read before anything is opened.

/// `a/./b/../c` → `a/c`; `None` when it climbs above its start.
pub fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `path` taken from `directory` (both relative, `/`-separated), resolved by name:
/// `a/b` and `../c` give `a/c`; the `..` that climb above `directory`'s start are kept
/// (`../common`), for the caller to judge against where it may read.
pub fn join_relative(directory: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in directory.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|last| *last != "..") => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// `path` taken from `directory`, resolved by name; `None` when it climbs above the root the
/// two are relative to.
pub fn join_within(directory: &str, path: &str) -> Option<String> {
    normalize(&format!("{directory}/{path}"))
}

/// `directory` and every directory above it, up to the root (`""`): `a/b`, `a`, `""`.
pub fn directories_up(directory: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(directory), |directory| {
        (!directory.is_empty()).then(|| directory.rsplit_once('/').map_or("", |(up, _)| up))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_climb_above_their_start() {
        assert_eq!(normalize("./a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../outside"), None);
        assert_eq!(normalize("a/../../b"), None);
    }

    #[test]
    fn directories_up_to_the_root() {
        assert_eq!(directories_up("a/b").collect::<Vec<_>>(), ["a/b", "a", ""]);
        assert_eq!(directories_up("").collect::<Vec<_>>(), [""]);
    }
}
