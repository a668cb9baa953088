//! Pipelines: a source feeding the profiler, the generator feeding a sink. This is where I/O
//! meets the core.

pub mod compare;
pub mod generate;
mod in_order;
pub mod interrupt;
pub mod manifest;
pub mod profile;

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` through a temporary file in the same directory and renames it
/// into place, so an interrupted run never leaves a file that looks complete.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temp = crate::sink::temp_path(path);
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
