//! Where generated batches go. One [`Sink`] per target kind; each file is one sink. A sink
//! either finishes completely or leaves the target as it was: files are written under temporary
//! names and renamed by [`Sink::finish`], and PostgreSQL loads run in one transaction.

pub mod csv;
pub mod parquet;
mod pg_binary;
pub mod postgres;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;

use crate::generate::TablePlan;

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
}

/// A batch on its way to a sink, with the sink's own encoding of it when the sink has an
/// [`Sink::encoder`] (run on the worker threads, in parallel, so the writer only writes).
pub struct Encoded {
    pub batch: RecordBatch,
    pub bytes: Option<Vec<u8>>,
}

/// A destination for generated tables, fed one table at a time in load order.
pub trait Sink {
    /// An encoding of a batch that the pipeline may run on its worker threads.
    fn encoder(&self) -> Option<fn(&RecordBatch) -> Vec<u8>> {
        None
    }

    /// Writes all of one table's batches, in order; returns the bytes it sent to the target.
    fn write_table(
        &mut self,
        table: &TablePlan,
        batches: &mut dyn Iterator<Item = Encoded>,
    ) -> Result<u64, SinkError>;

    /// Makes everything visible at once: renames files, commits the transaction.
    fn finish(self: Box<Self>) -> Result<(), SinkError>;
}

/// A file written under a temporary name in its final directory, renamed into place by
/// [`StagedFiles::publish`]. Files not published are removed when dropped.
#[derive(Debug, Default)]
pub struct StagedFiles {
    staged: Vec<(PathBuf, PathBuf)>,
}

impl StagedFiles {
    /// Creates the temporary file for `path`.
    pub fn create(&mut self, path: &Path) -> Result<BufWriter<File>, SinkError> {
        let temp = temp_path(path);
        let file = File::create(&temp).map_err(|source| SinkError::Io {
            path: temp.clone(),
            source,
        })?;
        self.staged.push((temp, path.to_path_buf()));
        Ok(BufWriter::with_capacity(1 << 20, file))
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
