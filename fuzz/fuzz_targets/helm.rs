//! Any text as a Helm template (before the first NUL byte) with any text as its values (after
//! it), rendered as a chart: errors are fine, panics, hangs and unbounded memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade::helm::chart::{self, ChartFile, Overrides};

fuzz_target!(|data: &[u8]| {
    let (template, values) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let file = |path: &str, bytes: &[u8]| ChartFile {
        path: path.to_owned(),
        bytes: bytes.to_vec(),
    };
    let files = vec![
        file("Chart.yaml", b"apiVersion: v2\nname: fuzz\nversion: 1.0.0\n"),
        file("values.yaml", values),
        file("templates/_helpers.tpl", template),
        file("templates/t.yaml", template),
    ];
    let _ = chart::render(files, &Overrides::default(), &|_, _| None);
});
