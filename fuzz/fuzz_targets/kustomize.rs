//! Any bytes as the files of an overlay: split at NUL bytes into a kustomization, a base
//! kustomization, a manifest and a patch, then built and written out with the place of every
//! value, as the scan does: errors are fine, panics, hangs and unbounded memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0).map(String::from_utf8_lossy);
    let overlay = parts.next().unwrap_or_default().into_owned();
    let base = parts.next().unwrap_or_default().into_owned();
    let manifest = parts.next().unwrap_or_default().into_owned();
    let patch = parts.next().unwrap_or_default().into_owned();
    let read = |path: &str| -> Option<String> {
        match path {
            "kustomization.yaml" => Some(overlay.clone()),
            "base/kustomization.yaml" => Some(base.clone()),
            "base/deployment.yaml" | "deployment.yaml" => Some(manifest.clone()),
            "patch.yaml" => Some(patch.clone()),
            _ => None,
        }
    };
    let build = palisade::kustomize::build(&read);
    let written = palisade::kustomize::written(&build);
    for start in (0..written.text.len()).step_by(97) {
        let _ = written.locate(&build, start..(start + 13).min(written.text.len()));
    }
});
