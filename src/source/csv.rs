//! A directory of CSV files, one table per file (`<table>.csv` or `<table>.csv.gz`).
//!
//! Opening the source reads every file once to infer column types with a lattice in which NULL
//! is the identity (see [`Inferred::join`]), and to count rows; scanning reads it again and
//! decodes into typed batches. Both passes stream: memory does not depend on file size.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use super::csv_records::{Record, Records};
use super::decode::ColumnDecoder;
use super::{keep_row, Sampling, Source, SourceError, BATCH_BYTES, BATCH_ROWS};
use crate::profile::looks_like_uuid;
use crate::schema::{Column, LogicalType, Schema, Table};

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub delimiter: u8,
    /// An unquoted field equal to this is NULL. Default: the empty string.
    pub null_string: String,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            null_string: String::new(),
        }
    }
}

pub struct CsvSource {
    dir: PathBuf,
    options: CsvOptions,
    schema: Schema,
    files: HashMap<String, PathBuf>,
    rows: HashMap<String, u64>,
}

impl CsvSource {
    /// Lists the directory's CSV files and infers each table's columns.
    pub fn open(dir: &Path, options: CsvOptions) -> Result<Self, SourceError> {
        if matches!(options.delimiter, b'"' | b'\r' | b'\n') || !options.delimiter.is_ascii() {
            return Err(SourceError::Csv {
                path: dir.to_path_buf(),
                line: 0,
                message: format!(
                    "the delimiter {:?} can't separate fields (it is a quote, a line break or not ASCII)",
                    options.delimiter as char
                ),
            });
        }
        let files = Self::files_in(dir)?;
        if files.is_empty() {
            return Err(SourceError::EmptyDirectory {
                path: dir.to_path_buf(),
            });
        }
        if let Some(pair) = files.windows(2).find(|w| w[0].0 == w[1].0) {
            let file = |i: usize| {
                pair[i]
                    .1
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
            };
            return Err(SourceError::DuplicateTable {
                path: dir.to_path_buf(),
                table: pair[0].0.clone(),
                first: file(0),
                second: file(1),
            });
        }
        let inferred: Vec<(Table, u64)> = files
            .par_iter()
            .map(|(name, path)| infer_table(name, path, &options))
            .collect::<Result<_, _>>()?;
        let rows = inferred.iter().map(|(t, n)| (t.name.clone(), *n)).collect();
        let schema = Schema {
            tables: inferred.into_iter().map(|(t, _)| t).collect(),
        };
        Ok(CsvSource {
            dir: dir.to_path_buf(),
            options,
            schema,
            files: files.into_iter().collect(),
            rows,
        })
    }

    /// The directory's CSV files (`<table>.csv` or `<table>.csv.gz`) by table name, sorted.
    pub fn files_in(dir: &Path) -> Result<Vec<(String, PathBuf)>, SourceError> {
        let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
            .map_err(|e| SourceError::io(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter_map(|path| table_name(&path).map(|name| (name, path)))
            .collect();
        files.sort();
        Ok(files)
    }

    fn path(&self, table: &str) -> Result<&Path, SourceError> {
        self.files
            .get(table)
            .map(PathBuf::as_path)
            .ok_or_else(|| SourceError::UnknownTable {
                source_name: self.describe(),
                table: table.to_string(),
            })
    }
}

impl Source for CsvSource {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn fingerprint(&self) -> Option<crate::fingerprint::Fingerprint> {
        crate::fingerprint::Fingerprint::of_directory(&self.dir).ok()
    }

    fn kind(&self) -> &'static str {
        "csv"
    }

    fn schema(&self) -> Result<Schema, SourceError> {
        Ok(self.schema.clone())
    }

    fn row_count(&self, table: &Table) -> Result<u64, SourceError> {
        Ok(self.rows.get(&table.name).copied().unwrap_or(0))
    }

    fn scan(
        &self,
        table: &Table,
        columns: &[usize],
        sampling: Sampling,
        sink: &mut dyn FnMut(RecordBatch) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let path = self.path(&table.name)?;
        let arrow_schema = super::projected_schema(table, columns);
        let mut decoders: Vec<ColumnDecoder> = columns
            .iter()
            .map(|&i| ColumnDecoder::new(&table.columns[i].logical))
            .collect();
        let (mut pending, mut pending_bytes) = (0, 0);
        let flush = |decoders: &mut Vec<ColumnDecoder>| {
            let arrays = decoders.iter_mut().map(ColumnDecoder::finish).collect();
            RecordBatch::try_new(arrow_schema.clone(), arrays).map_err(|e| SourceError::Arrow {
                context: format!("{}: building a batch", path.display()),
                source: e,
            })
        };
        for_each_record(
            path,
            &self.options,
            table.columns.len(),
            |position, record| {
                if let Sampling::Fraction(f) = sampling {
                    if !keep_row(position, f) {
                        return Ok(());
                    }
                }
                for (decoder, &i) in decoders.iter_mut().zip(columns) {
                    decoder
                        .push(field_value(record, i, &self.options))
                        .map_err(|e| SourceError::Csv {
                            path: path.to_path_buf(),
                            line: record.line,
                            message: format!("column {}: {e}", table.columns[i].name),
                        })?;
                }
                pending += 1;
                pending_bytes += record.byte_len();
                if pending == BATCH_ROWS || pending_bytes >= BATCH_BYTES {
                    (pending, pending_bytes) = (0, 0);
                    sink(flush(&mut decoders)?)?;
                }
                Ok(())
            },
        )?;
        if pending > 0 {
            sink(flush(&mut decoders)?)?;
        }
        Ok(())
    }
}

/// `orders.csv` or `orders.csv.gz` → `orders`.
fn table_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".csv.gz")
        .or_else(|| name.strip_suffix(".csv"))?;
    (!stem.is_empty() && path.is_file()).then(|| stem.to_string())
}

fn open_reader(path: &Path) -> Result<Box<dyn BufRead>, SourceError> {
    let file = File::open(path).map_err(|e| SourceError::io(path, e))?;
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    })
}

/// Reads the header, then calls `f(row position, record)` for every data row, checking that each
/// row has as many fields as the header.
fn for_each_record(
    path: &Path,
    options: &CsvOptions,
    expected_fields: usize,
    mut f: impl FnMut(u64, &Record) -> Result<(), SourceError>,
) -> Result<Vec<String>, SourceError> {
    let csv_error = |line, message| SourceError::Csv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut records = Records::new(open_reader(path)?, options.delimiter);
    let mut record = Record::default();
    if !records
        .read(&mut record)
        .map_err(|e| csv_error(e.line, e.message))?
    {
        return Err(csv_error(1, "empty file: a header row is required".into()));
    }
    let header: Vec<String> = (0..record.len())
        .map(|i| record.field(i).0.trim().to_string())
        .collect();
    let expected = if expected_fields == 0 {
        header.len()
    } else {
        expected_fields
    };
    let mut position = 0u64;
    while records
        .read(&mut record)
        .map_err(|e| csv_error(e.line, e.message))?
    {
        if record.len() != expected {
            return Err(csv_error(
                record.line,
                format!(
                    "ragged row: {} fields where the header has {expected}",
                    record.len()
                ),
            ));
        }
        f(position, &record)?;
        position += 1;
    }
    Ok(header)
}

fn field_value<'r>(record: &'r Record, i: usize, options: &CsvOptions) -> Option<&'r str> {
    let (text, quoted) = record.field(i);
    (quoted || text != options.null_string).then_some(text)
}

fn infer_table(name: &str, path: &Path, options: &CsvOptions) -> Result<(Table, u64), SourceError> {
    let mut inferred: Vec<Inferred> = Vec::new();
    let mut rows = 0u64;
    let header = for_each_record(path, options, 0, |_, record| {
        if inferred.is_empty() {
            inferred = vec![Inferred::Null; record.len()];
        }
        for (i, slot) in inferred.iter_mut().enumerate() {
            if let Some(v) = field_value(record, i, options) {
                *slot = slot.join(Inferred::classify(v));
            }
        }
        rows += 1;
        Ok(())
    })?;
    inferred.resize(header.len(), Inferred::Null);
    let mut seen = std::collections::HashSet::new();
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() || !seen.insert(h.as_str()) {
            return Err(SourceError::Csv {
                path: path.to_path_buf(),
                line: 1,
                message: format!("column {} of the header is empty or repeated: {h:?}", i + 1),
            });
        }
    }
    let columns = header
        .iter()
        .zip(&inferred)
        .map(|(h, t)| {
            let logical = t.logical_type();
            Column {
                source_type: logical.sql_type(),
                ..Column::new(h.clone(), logical, true)
            }
        })
        .collect();
    Ok((
        Table {
            name: name.to_string(),
            columns,
            ..Default::default()
        },
        rows,
    ))
}

/// The type lattice for inference. `Null` is the identity of [`Inferred::join`]; incompatible
/// types meet at `Text`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Inferred {
    Null,
    Bool,
    Int { min: i64, max: i64 },
    Decimal { scale: u8 },
    Float,
    Date,
    Timestamp,
    TimestampTz,
    Time,
    Uuid,
    Text,
}

impl Inferred {
    fn classify(v: &str) -> Inferred {
        // `t` and `f` are how PostgreSQL writes booleans (`\copy ... csv`).
        if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") || v == "t" || v == "f"
        {
            return Inferred::Bool;
        }
        let unsigned = v.strip_prefix('-').unwrap_or(v);
        let bytes = unsigned.as_bytes();
        let leading_zero = bytes.len() > 1 && bytes[0] == b'0' && bytes[1] != b'.';
        if !bytes.is_empty() && bytes[0].is_ascii_digit() && !leading_zero {
            if let Ok(n) = v.parse::<i64>() {
                return Inferred::Int { min: n, max: n };
            }
            if let Some((int, frac)) = unsigned.split_once('.') {
                let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if all_digits(int)
                    && all_digits(frac)
                    && frac.len() <= 12
                    && int.len() + frac.len() <= 18
                {
                    return Inferred::Decimal {
                        scale: frac.len() as u8,
                    };
                }
            }
            // Exponents, and decimals with more digits than a decimal(18, 12) holds
            // (`-73.987654321098765`, a longitude), are floating point, never text.
            let plain_decimal = unsigned.split_once('.').is_some_and(|(i, f)| {
                !f.is_empty() && (i.bytes().chain(f.bytes())).all(|b| b.is_ascii_digit())
            });
            if v.parse::<f64>().is_ok()
                && (plain_decimal || v.bytes().any(|b| b == b'e' || b == b'E'))
            {
                return Inferred::Float;
            }
        }
        if v.len() >= 8 && bytes.first().is_some_and(u8::is_ascii_digit) {
            if v.len() == 10 && crate::temporal::parse_date(v).is_some() {
                return Inferred::Date;
            }
            if v.len() > 10 && crate::temporal::parse_timestamp(v).is_some() {
                let has_offset = v[11..].contains(['+', 'Z']) || v[11..].rfind('-').is_some();
                return if has_offset {
                    Inferred::TimestampTz
                } else {
                    Inferred::Timestamp
                };
            }
            if crate::temporal::parse_time(v).is_some() {
                return Inferred::Time;
            }
        }
        if looks_like_uuid(v) {
            return Inferred::Uuid;
        }
        Inferred::Text
    }

    fn join(self, other: Inferred) -> Inferred {
        use Inferred::*;
        match (self, other) {
            (Null, x) | (x, Null) => x,
            (a, b) if a == b => a,
            (Int { min: a, max: b }, Int { min: c, max: d }) => Int {
                min: a.min(c),
                max: b.max(d),
            },
            (Int { .. }, Decimal { scale }) | (Decimal { scale }, Int { .. }) => Decimal { scale },
            (Decimal { scale: a }, Decimal { scale: b }) => Decimal { scale: a.max(b) },
            (Int { .. } | Decimal { .. } | Float, Int { .. } | Decimal { .. } | Float) => Float,
            (Date, Timestamp) | (Timestamp, Date) => Timestamp,
            (Date | Timestamp | TimestampTz, Date | Timestamp | TimestampTz) => TimestampTz,
            _ => Text,
        }
    }

    fn logical_type(self) -> LogicalType {
        match self {
            Inferred::Null | Inferred::Text => LogicalType::Text { max_chars: None },
            Inferred::Bool => LogicalType::Bool,
            Inferred::Int { min, max } if min >= i32::MIN as i64 && max <= i32::MAX as i64 => {
                LogicalType::Int32
            }
            Inferred::Int { .. } => LogicalType::Int64,
            Inferred::Decimal { scale } => LogicalType::Decimal {
                precision: Some(18),
                scale: Some(scale as i8),
            },
            Inferred::Float => LogicalType::Float64,
            Inferred::Date => LogicalType::Date,
            Inferred::Timestamp => LogicalType::Timestamp,
            Inferred::TimestampTz => LogicalType::TimestampTz,
            Inferred::Time => LogicalType::Time,
            Inferred::Uuid => LogicalType::Uuid,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(values: &[&str]) -> LogicalType {
        values
            .iter()
            .fold(Inferred::Null, |t, v| t.join(Inferred::classify(v)))
            .logical_type()
    }

    #[test]
    fn lattice_widens_numbers_and_falls_back_to_text() {
        assert_eq!(infer(&["1", "2"]), LogicalType::Int32);
        assert_eq!(infer(&["1", "99999999999"]), LogicalType::Int64);
        assert_eq!(
            infer(&["1", "1.98"]),
            LogicalType::Decimal {
                precision: Some(18),
                scale: Some(2)
            }
        );
        assert_eq!(infer(&["1", "1e5"]), LogicalType::Float64);
        // Coordinates with many decimals are numbers, not text.
        assert_eq!(
            infer(&["-73.98765432", "40.712775839201234", "-0.1234567890123"]),
            LogicalType::Float64
        );
        assert_eq!(infer(&["123456789012.1234567"]), LogicalType::Float64);
        assert_eq!(infer(&["1", "x"]), LogicalType::Text { max_chars: None });
        assert_eq!(
            infer(&["0171", "1234"]),
            LogicalType::Text { max_chars: None }
        );
        assert_eq!(infer(&[]), LogicalType::Text { max_chars: None });
    }

    #[test]
    fn lattice_recognises_time_and_identity_types() {
        assert_eq!(
            infer(&["2021-01-01", "2021-01-02 10:00:00"]),
            LogicalType::Timestamp
        );
        assert_eq!(infer(&["2021-01-01 10:00:00+02"]), LogicalType::TimestampTz);
        assert_eq!(infer(&["10:00:00"]), LogicalType::Time);
        assert_eq!(infer(&["true", "FALSE"]), LogicalType::Bool);
        assert_eq!(infer(&["t", "f", "t"]), LogicalType::Bool);
        assert!(matches!(infer(&["t", "f", "m"]), LogicalType::Text { .. }));
        assert_eq!(
            infer(&["6f1c1c8e-8d6b-4a55-9b1e-3f4f1c2a9d00"]),
            LogicalType::Uuid
        );
    }
}
