//! Reading the files palisade is told to read (configuration, baseline) with limits: a regular
//! file, no larger than a cap, so that `--config /dev/zero` or a FIFO is an error rather than a
//! read that never ends.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest configuration file read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Largest baseline read (about 150,000 recorded findings).
pub const MAX_BASELINE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads `path` as UTF-8 text if it is a regular file of at most `limit` bytes; `what` names it
/// in errors.
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot read the {what} {}: {e}", path.display());
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_file() {
        return Err(format!(
            "the {what} {} is not a regular file",
            path.display()
        ));
    }
    let file = File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "the {what} {} is larger than {limit} bytes",
            path.display()
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("the {what} {} is not UTF-8 text", path.display()))
}
