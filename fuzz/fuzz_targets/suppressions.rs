//! Any text, read for `palisade:ignore` directives in every comment syntax; every directive's
//! span must lie within the text.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use palisade::suppress;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["Dockerfile", "README.md"] {
        for directive in suppress::directives_in(Path::new(name), &text) {
            assert!(directive.span.end <= text.len());
            assert!(text.is_char_boundary(directive.span.start));
            assert!(text.is_char_boundary(directive.span.end));
        }
    }
});
