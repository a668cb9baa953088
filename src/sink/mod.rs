//! Where generated batches go. One [`Sink`] per target kind; each file is one sink. A sink
//! either finishes completely or leaves the target as it was: files are written under temporary
//! names and renamed by [`Sink::finish`], and PostgreSQL loads run in one transaction.

pub mod csv;
pub mod parquet;
pub mod postgres;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use sha2::{Digest, Sha256};

use crate::manifest::{self, Manifest, OutputFile};
use crate::schema::Table;

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("{0}")]
    Postgres(String),
    /// The target's schema does not match the profile; nothing was written.
    #[error("{0}")]
    Mismatch(String),
    /// A signal stopped the run before the sink finished; nothing was written.
    #[error(
        "stopped by {} before the end; nothing was written",
        crate::run::interrupt::signal_name(*signal)
    )]
    Interrupted { signal: i32 },
}

impl SinkError {
    /// The exit code a shell expects after a signal (128 + its number).
    pub fn signal_exit_code(&self) -> Option<u8> {
        match self {
            SinkError::Interrupted { signal } => u8::try_from(128 + signal).ok(),
            _ => None,
        }
    }
}

/// A batch on its way to a sink, with the sink's own encoding of it when the sink has an
/// [`Sink::encoder`] (run on the worker threads, in parallel, so the writer only writes). When
/// `bytes` is set, `batch` keeps only the row count (no columns), so a window of chunks holds
/// each chunk once.
pub struct Encoded {
    pub batch: RecordBatch,
    pub bytes: Option<Vec<u8>>,
}

/// A sink's encoding of a batch, run on the worker threads; it may decline a batch (`None`),
/// which [`Sink::write_table`] then encodes as it writes.
pub type Encoder = fn(&RecordBatch) -> Option<Vec<u8>>;

/// A destination for generated tables, fed one table at a time in load order.
pub trait Sink {
    /// An encoding of a batch that the pipeline may run on its worker threads.
    fn encoder(&self) -> Option<Encoder> {
        None
    }

    /// Writes all of one table's batches, in order; `schema` is the batches' (the table's
    /// columns that are generated, in the batches' order).
    fn write_table(
        &mut self,
        table: &Table,
        schema: &SchemaRef,
        batches: &mut dyn Iterator<Item = Encoded>,
    ) -> Result<Written, SinkError>;

    /// Writes the run's manifest and makes everything visible at once: renames files (the
    /// manifest last), commits the transaction.
    fn finish(self: Box<Self>, manifest: &Manifest) -> Result<(), SinkError>;
}

/// What [`Sink::write_table`] sent for one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// Bytes sent to the target.
    pub bytes: u64,
    /// The table's file, for a directory target.
    pub file: Option<OutputFile>,
}

/// A staged file being written: buffered, and hashed on the way so its checksum costs no
/// second read.
pub type StagedWriter = BufWriter<Digesting>;

/// Bytes written between two requests to the kernel to start writing them to disk.
const WRITEBACK_BYTES: u64 = 64 << 20;

/// A file writer that hashes (SHA-256) and counts the bytes passing through it, and has the
/// kernel write every [`WRITEBACK_BYTES`] to disk as it goes, so the sync that ends the file
/// (a gigabyte of CSV took half a second) finds little left to write.
pub struct Digesting {
    inner: File,
    hasher: Sha256,
    bytes: u64,
    /// Bytes already handed to the kernel's writeback.
    written_back: u64,
}

impl Write for Digesting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        if self.bytes - self.written_back >= WRITEBACK_BYTES {
            start_writeback(
                &self.inner,
                self.written_back,
                self.bytes - self.written_back,
            );
            self.written_back = self.bytes;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Asks the kernel to start writing `len` bytes at `offset` of `file` to disk, without waiting
/// for them. Only a hint: its failure is ignored, as the sync that closes the file reports any.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: the descriptor is open for as long as `file` is borrowed, and the call reads or
    // writes no memory of ours.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _offset: u64, _len: u64) {}

/// Flushes and syncs a staged file, and returns its name (that of `path`), size and checksum.
pub fn close(writer: StagedWriter, path: &Path) -> Result<OutputFile, SinkError> {
    let digesting = writer.into_inner().map_err(|e| SinkError::Io {
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    digesting.inner.sync_all().map_err(io_error(path))?;
    Ok(OutputFile {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: digesting.bytes,
        sha256: manifest::hex(&digesting.hasher.finalize()),
    })
}

/// A file written under a temporary name in its final directory, renamed into place by
/// [`StagedFiles::publish`]. Files not published are removed when dropped.
#[derive(Debug, Default)]
pub struct StagedFiles {
    staged: Vec<(PathBuf, PathBuf)>,
}

impl StagedFiles {
    /// Creates the temporary file for `path`.
    pub fn create(&mut self, path: &Path) -> Result<StagedWriter, SinkError> {
        let temp = temp_path(path);
        let file = File::create(&temp).map_err(|source| SinkError::Io {
            path: temp.clone(),
            source,
        })?;
        self.staged.push((temp, path.to_path_buf()));
        let digesting = Digesting {
            inner: file,
            hasher: Sha256::new(),
            bytes: 0,
            written_back: 0,
        };
        Ok(BufWriter::with_capacity(1 << 20, digesting))
    }

    /// Stages `manifest.json` in `dir` after the data files, then publishes them all, so a
    /// manifest never describes files that are not there.
    pub fn publish_with_manifest(
        mut self,
        dir: &Path,
        manifest: &Manifest,
    ) -> Result<(), SinkError> {
        let path = dir.join(manifest::FILE_NAME);
        let mut out = self.create(&path)?;
        out.write_all(manifest.to_json().as_bytes())
            .map_err(io_error(&path))?;
        close(out, &path)?;
        self.publish()
    }

    /// Renames every staged file to its final name.
    pub fn publish(mut self) -> Result<(), SinkError> {
        for (temp, path) in std::mem::take(&mut self.staged) {
            std::fs::rename(&temp, &path).map_err(|source| SinkError::Io { path, source })?;
        }
        Ok(())
    }
}

impl Drop for StagedFiles {
    fn drop(&mut self) {
        for (temp, _) in &self.staged {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// The hidden temporary name a file is written under before it is renamed to `path`:
/// `.<name>.<pid>.tmp` in the same directory, so the rename stays on one filesystem.
pub fn temp_path(path: &Path) -> PathBuf {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}

/// Removes the temporary files that runs killed outright (SIGKILL, a power cut) left in `dir`:
/// hidden `.<name>.<pid>.tmp` files whose process no longer exists. Returns what it removed.
/// Does nothing where `/proc` cannot tell which processes exist.
pub fn remove_stale_temp_files(dir: &Path) -> Result<Vec<PathBuf>, SinkError> {
    if !Path::new("/proc/self").exists() {
        return Ok(Vec::new());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir)(e)),
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let path = entry.path();
            std::fs::remove_file(&path).map_err(io_error(&path))?;
            removed.push(path);
        }
    }
    removed.sort();
    Ok(removed)
}

/// The pid in a temporary file name made by [`temp_path`]: `.<name>.<pid>.tmp`.
fn temp_file_pid(file_name: &str) -> Option<u32> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (name, pid) = inner.rsplit_once('.')?;
    if name.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Creates the output directory for a file sink.
pub fn prepare_dir(dir: &Path) -> Result<(), SinkError> {
    std::fs::create_dir_all(dir).map_err(|source| SinkError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SinkError + '_ {
    move |source| SinkError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_the_pid() {
        let temp = temp_path(Path::new("out/track.csv"));
        let name = temp.file_name().unwrap().to_str().unwrap();
        assert_eq!(temp_file_pid(name), Some(std::process::id()));
        assert_eq!(temp_file_pid(".track.csv.123.tmp"), Some(123));
        for other in [
            "track.csv",
            ".track.csv.tmp",
            ".12.tmp",
            ".a.b1.tmp",
            "x.track.csv.1.tmp",
        ] {
            assert_eq!(temp_file_pid(other), None, "{other}");
        }
    }
}
