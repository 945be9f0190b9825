//! Image references and users: whether an image is pinned, and who its containers run as, judged
//! the same way wherever an image is named (a `FROM`, a compose service, a pod, a task definition).

/// An image reference split into its parts. `registry:5000/team/app:1.2@sha256:…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'s> {
    /// Registry, path and name, without tag or digest.
    pub name: &'s str,
    pub tag: Option<&'s str>,
    pub digest: Option<&'s str>,
}

impl<'s> ImageRef<'s> {
    pub fn parse(reference: &'s str) -> ImageRef<'s> {
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (reference, None),
        };
        // A tag is after the last `:` only if no `/` follows it; otherwise that `:` separates a
        // registry host from its port.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        match rest[last_slash..].rfind(':') {
            Some(colon) => ImageRef {
                name: &rest[..last_slash + colon],
                tag: Some(&rest[last_slash + colon + 1..]),
                digest,
            },
            None => ImageRef {
                name: rest,
                tag: None,
                digest,
            },
        }
    }

    /// Neither pinned to a digest nor to a tag other than `latest`.
    /// Whether the image is one of the well-known ones whose own `USER` is not root (or that
    /// have no root at all): `:nonroot` and `-rootless` variants, Chainguard images, the
    /// unprivileged nginx, the Kubernetes `pause` container, Windows images.
    pub fn runs_as_non_root(&self) -> bool {
        let tag = self.tag.unwrap_or("");
        let last = self.name.rsplit('/').next().unwrap_or(self.name);
        ["nonroot", "rootless"]
            .iter()
            .any(|marker| tag.contains(marker) || self.name.contains(marker))
            || self.name.starts_with("cgr.dev/chainguard/")
            || last == "nginx-unprivileged"
            || last == "pause"
            || ["windows", "nanoserver", "servercore"]
                .iter()
                .any(|marker| self.name.contains(marker))
    }

    /// A stand-in for an image to be chosen (`<YOUR-IMAGE>`, `<image_url>`), or a template that
    /// will produce one (`{{ .Values.image }}`, `$(IMAGE)`): not a reference that can be pulled.
    /// Capitals in a repository path are one too (`CONTAINER_IMAGE`, `REGION-docker.pkg.dev/
    /// PROJECT_ID/app`): image paths are lowercase, so a reference with them cannot be pulled
    /// as written and is replaced before deploying.
    pub fn is_placeholder(reference: &str) -> bool {
        if reference.contains(['<', '>', '{', '}', '$']) {
            return true;
        }
        let name = ImageRef::parse(reference).name;
        let mut components = name.split('/').peekable();
        // A first component with a dot or a port, or `localhost`, is a registry host, whose
        // case does not matter.
        if name.contains('/')
            && components
                .peek()
                .is_some_and(|first| first.contains(['.', ':']) || *first == "localhost")
        {
            components.next();
        }
        components.any(|component| component.bytes().any(|b| b.is_ascii_uppercase()))
    }

    pub fn is_floating(&self) -> bool {
        self.digest.is_none() && matches!(self.tag, None | Some("latest"))
    }

    /// What is wrong with a floating reference, to end a sentence about it; `None` when pinned.
    pub fn floating_problem(&self) -> Option<&'static str> {
        match (self.is_floating(), self.tag) {
            (false, _) => None,
            (true, None) => Some("has no tag, so it pulls whatever `latest` is at the time"),
            (true, Some(_)) => Some("uses the floating `latest` tag"),
        }
    }
}

/// `root`, `0`, `root:staff`, `0:0` (the user part decides).
pub fn is_root_user(user: &str) -> bool {
    let name = user.trim().split(':').next().unwrap_or("").trim();
    name == "root"
        || (!name.is_empty()
            && name.bytes().all(|b| b.is_ascii_digit())
            && name.trim_start_matches('0').is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        let r = ImageRef::parse("registry:5000/team/app");
        assert_eq!(
            (r.name, r.tag, r.digest),
            ("registry:5000/team/app", None, None)
        );
        let r = ImageRef::parse("registry:5000/team/app:1.2");
        assert_eq!((r.name, r.tag), ("registry:5000/team/app", Some("1.2")));
        let r = ImageRef::parse("node@sha256:abcd");
        assert_eq!(
            (r.name, r.tag, r.digest),
            ("node", None, Some("sha256:abcd"))
        );
        assert!(!r.is_floating());
        assert!(ImageRef::parse("node:latest").is_floating());
        assert!(ImageRef::parse("node").is_floating());
        assert!(!ImageRef::parse("node:latest@sha256:abcd").is_floating());
        for placeholder in [
            "CONTAINER_IMAGE",
            "REGION-docker.pkg.dev/PROJECT_ID/app:latest",
            "<your-image>",
            "${IMAGE}",
        ] {
            assert!(ImageRef::is_placeholder(placeholder), "{placeholder}");
        }
        for image in [
            "nginx",
            "Registry.Example.com/team/app",
            "localhost:5000/app",
        ] {
            assert!(!ImageRef::is_placeholder(image), "{image}");
        }
    }

    #[test]
    fn root_users() {
        for user in ["root", "0", "00", "root:root", "0:1000", " root "] {
            assert!(is_root_user(user), "{user}");
        }
        for user in ["node", "1000", "1000:0", "rooty", "10", ""] {
            assert!(!is_root_user(user), "{user}");
        }
    }
}
