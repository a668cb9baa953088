//! Sources: where a snapshot's schema and rows come from.
//!
//! A [`Source`] describes its tables and pushes each table's rows as Arrow record batches to a
//! callback, a bounded batch at a time, so no table is ever held in memory whole. One file per
//! kind of source; the rest of the program sees only the trait.

pub mod csv;
pub(crate) mod csv_records;
pub mod ddl;
pub(crate) mod decode;
mod nested;
pub mod parquet;
pub mod postgres;

use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;

use crate::schema::{Schema, Table};

pub use decode::DecodeError;

/// Rows per record batch that sources aim for.
pub const BATCH_ROWS: usize = 8192;

/// Bytes of values per record batch that the CSV source stops at before [`BATCH_ROWS`], so a
/// batch of wide rows or long values stays small (a 200 MB value makes a batch of its own).
pub const BATCH_BYTES: usize = 16 << 20;

/// How much of a table to read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Sampling {
    All,
    /// Keep each row with this probability, chosen by a hash of its position (CSV, Parquet) or
    /// `TABLESAMPLE BERNOULLI ... REPEATABLE` (Postgres), so the same input gives the same sample.
    Fraction(f64),
}

pub trait Source: Sync {
    /// A human-readable name of the input, for messages (never contains a password).
    fn describe(&self) -> String;

    /// `postgres`, `csv` or `parquet`.
    fn kind(&self) -> &'static str;

    /// The tables with their columns and declared keys.
    fn schema(&self) -> Result<Schema, SourceError>;

    /// The number of rows in a table, for sampling and for the profile's row count.
    fn row_count(&self, table: &Table) -> Result<u64, SourceError>;

    /// Pushes the rows of `columns` (indices into `table.columns`) to `sink`, in batches whose
    /// schema follows [`crate::schema::LogicalType::arrow_type`].
    fn scan(
        &self,
        table: &Table,
        columns: &[usize],
        sampling: Sampling,
        sink: &mut dyn FnMut(RecordBatch) -> Result<(), SourceError>,
    ) -> Result<(), SourceError>;

    /// What the source skipped or could not model, for the user (e.g. a DDL statement it
    /// could not parse, with its line).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }

    /// Where the snapshot lives, for the profile to record; `None` when it cannot be told.
    fn fingerprint(&self) -> Option<crate::fingerprint::Fingerprint>;

    /// Whether keys come from the data rather than from declarations.
    fn infers_keys(&self) -> bool {
        self.kind() != "postgres"
    }
}

/// The file format of a directory source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Parquet,
}

/// Opens the source named on the command line: a `postgres://` URL, a `.sql` DDL file, or a
/// directory of CSV or Parquet files (whichever it holds, or `format` when given).
pub fn open(
    spec: &str,
    options: &csv::CsvOptions,
    schemas: &[String],
    format: Option<FileFormat>,
) -> Result<Box<dyn Source>, SourceError> {
    if crate::pg::is_postgres(spec) {
        return Ok(Box::new(postgres::PostgresSource::connect(spec, schemas)?));
    }
    if ddl::DdlSource::is_ddl(spec) {
        return Ok(Box::new(ddl::DdlSource::open(Path::new(spec))?));
    }
    let dir = PathBuf::from(spec);
    if !dir.is_dir() {
        return Err(SourceError::NotADirectory { path: dir });
    }
    match directory_format(&dir, format)? {
        FileFormat::Parquet => Ok(Box::new(parquet::ParquetSource::open(&dir)?)),
        FileFormat::Csv => Ok(Box::new(csv::CsvSource::open(&dir, options.clone())?)),
    }
}

/// The format to read a directory in: the one asked for, else the only one it holds. A
/// directory holding both is refused rather than read half, naming the tables each format has.
fn directory_format(dir: &Path, wanted: Option<FileFormat>) -> Result<FileFormat, SourceError> {
    if let Some(format) = wanted {
        return Ok(format);
    }
    let names = |files: Vec<(String, PathBuf)>| -> Vec<String> {
        files.into_iter().map(|(name, _)| name).collect()
    };
    let parquet = names(parquet::ParquetSource::files_in(dir)?);
    let csv = names(csv::CsvSource::files_in(dir)?);
    match (csv.is_empty(), parquet.is_empty()) {
        (_, true) => Ok(FileFormat::Csv),
        (true, false) => Ok(FileFormat::Parquet),
        (false, false) => Err(SourceError::MixedFormats {
            path: dir.to_path_buf(),
            both: csv
                .iter()
                .filter(|t| parquet.contains(t))
                .cloned()
                .collect(),
            csv,
            parquet,
        }),
    }
}

/// How a directory's formats clash, for [`SourceError::MixedFormats`].
fn mixed_tables(both: &[String], csv: &[String], parquet: &[String]) -> String {
    if both.is_empty() {
        format!("CSV: {}; Parquet: {}", csv.join(", "), parquet.join(", "))
    } else {
        format!("in both formats: {}", both.join(", "))
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    #[error("{path}: not a directory, a .sql file or a postgres:// URL")]
    NotADirectory { path: PathBuf },
    #[error("{path}: no .csv, .csv.gz or .parquet files in this directory")]
    EmptyDirectory { path: PathBuf },
    #[error("{path}: holds both CSV and Parquet files ({}); pick one with --format csv or --format parquet", mixed_tables(both, csv, parquet))]
    MixedFormats {
        path: PathBuf,
        /// Tables present in both formats.
        both: Vec<String>,
        csv: Vec<String>,
        parquet: Vec<String>,
    },
    #[error(
        "{path}: table {table} is there twice ({first} and {second}); keep one file per table"
    )]
    DuplicateTable {
        path: PathBuf,
        table: String,
        first: String,
        second: String,
    },
    #[error("{source_name}: no table {table}")]
    UnknownTable { source_name: String, table: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: not a readable Parquet file")]
    Parquet {
        path: PathBuf,
        #[source]
        source: ::parquet::errors::ParquetError,
    },
    #[error("{target}: {message}")]
    Postgres { target: String, message: String },
    #[error(
        "{target}: no tables in schema {}; tables are in {}: pass {}",
        schemas.join(", "),
        elsewhere.iter().map(|(s, n)| format!("{s} ({n})")).collect::<Vec<_>>().join(", "),
        elsewhere.iter().map(|(s, _)| format!("--schema {s}")).collect::<Vec<_>>().join(" ")
    )]
    NoTablesInSchemas {
        target: String,
        schemas: Vec<String>,
        /// Schemas that hold tables, with their table counts.
        elsewhere: Vec<(String, u64)>,
    },
    #[error("{table}.{column}: {source}")]
    Decode {
        table: String,
        column: String,
        #[source]
        source: DecodeError,
    },
    #[error("{context}")]
    Arrow {
        context: String,
        #[source]
        source: arrow::error::ArrowError,
    },
    /// A consumer of scanned batches failed; the message is the consumer's.
    #[error("{0}")]
    Consumer(String),
}

impl SourceError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        SourceError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The Arrow schema of a scan of `columns` (indices into `table.columns`).
pub(crate) fn projected_schema(table: &Table, columns: &[usize]) -> arrow::datatypes::SchemaRef {
    let fields: Vec<arrow::datatypes::Field> = columns
        .iter()
        .map(|&i| {
            arrow::datatypes::Field::new(
                &table.columns[i].name,
                table.columns[i].logical.arrow_type(),
                true,
            )
        })
        .collect();
    std::sync::Arc::new(arrow::datatypes::Schema::new(fields))
}

/// Deterministic Bernoulli sampling by row position: the same row is kept on every run.
pub(crate) fn keep_row(position: u64, fraction: f64) -> bool {
    let h = crate::hashing::mix64(position ^ 0x5bd1_e995_9e37_79b9);
    crate::hashing::unit_interval(h) <= fraction
}
