//! A directory of Parquet files, one table per file (`<table>.parquet`). Types come from the
//! Parquet schema; a `pg_type` field metadata entry (as written by understudy and by common
//! exporters) refines them to the original SQL type, e.g. `character varying(40)`.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{ArrayRef, BooleanArray};
use arrow::compute::{cast, filter_record_batch};
use arrow::datatypes::Field;
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::{keep_row, nested, Sampling, Source, SourceError, BATCH_ROWS};
use crate::pg::types::PG_TYPE_KEY;
use crate::schema::{Column, LogicalType, Schema, Table};

pub struct ParquetSource {
    dir: PathBuf,
    schema: Schema,
    files: HashMap<String, PathBuf>,
    rows: HashMap<String, u64>,
}

impl ParquetSource {
    pub fn files_in(dir: &Path) -> Result<Vec<(String, PathBuf)>, SourceError> {
        let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
            .map_err(|e| SourceError::io(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .filter_map(|path| {
                let stem = path
                    .file_name()?
                    .to_str()?
                    .strip_suffix(".parquet")?
                    .to_string();
                Some((stem, path))
            })
            .collect();
        files.sort();
        Ok(files)
    }

    pub fn open(dir: &Path) -> Result<Self, SourceError> {
        let files = Self::files_in(dir)?;
        if files.is_empty() {
            return Err(SourceError::EmptyDirectory {
                path: dir.to_path_buf(),
            });
        }
        let mut tables = Vec::new();
        let mut rows = HashMap::new();
        for (name, path) in &files {
            let builder = reader_builder(path)?;
            rows.insert(
                name.clone(),
                builder.metadata().file_metadata().num_rows().max(0) as u64,
            );
            let columns = builder
                .schema()
                .fields()
                .iter()
                .map(|f| column_from_field(f))
                .collect();
            tables.push(Table {
                name: name.clone(),
                columns,
                ..Default::default()
            });
        }
        Ok(ParquetSource {
            dir: dir.to_path_buf(),
            schema: Schema { tables },
            files: files.into_iter().collect(),
            rows,
        })
    }
}

fn reader_builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, SourceError> {
    let file = File::open(path).map_err(|e| SourceError::io(path, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| SourceError::Parquet {
        path: path.to_path_buf(),
        source: e,
    })
}

/// A column as the pipeline carries it: nested values as text (see [`nested`]), durations and
/// intervals as PostgreSQL's interval text, the rest cast.
fn convert(array: &ArrayRef, to: &arrow::datatypes::DataType) -> Result<ArrayRef, ArrowError> {
    if nested::is_nested(array.data_type()) {
        nested::to_text(array.as_ref())
    } else if let Some(text) = interval_text(array)? {
        Ok(text)
    } else {
        cast(array, to)
    }
}

/// Arrow durations and intervals as interval text (`1 mons 2 days 03:00:00`), which Arrow's
/// cast writes in ISO 8601 instead; `None` for other types.
fn interval_text(array: &ArrayRef) -> Result<Option<ArrayRef>, ArrowError> {
    use arrow::array::{Array, AsArray, StringArray};
    use arrow::datatypes::{
        DataType, DurationMicrosecondType, IntervalDayTimeType, IntervalMonthDayNanoType,
        IntervalUnit, IntervalYearMonthType, TimeUnit,
    };
    let n = array.len();
    let parts: Vec<Option<(i32, i32, i64)>> = match array.data_type() {
        DataType::Duration(_) => {
            let micros = cast(array, &DataType::Duration(TimeUnit::Microsecond))?;
            let micros = micros.as_primitive::<DurationMicrosecondType>();
            (0..n)
                .map(|i| micros.is_valid(i).then(|| (0, 0, micros.value(i))))
                .collect()
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            let months = array.as_primitive::<IntervalYearMonthType>();
            (0..n)
                .map(|i| months.is_valid(i).then(|| (months.value(i), 0, 0)))
                .collect()
        }
        DataType::Interval(IntervalUnit::DayTime) => {
            let v = array.as_primitive::<IntervalDayTimeType>();
            (0..n)
                .map(|i| {
                    let x = v.value(i);
                    v.is_valid(i)
                        .then(|| (0, x.days, x.milliseconds as i64 * 1000))
                })
                .collect()
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>();
            (0..n)
                .map(|i| {
                    let x = v.value(i);
                    v.is_valid(i)
                        .then_some((x.months, x.days, x.nanoseconds / 1000))
                })
                .collect()
        }
        _ => return Ok(None),
    };
    let text: StringArray = parts
        .into_iter()
        .map(|p| {
            p.map(|(months, days, micros)| {
                let mut out = format!("{months} mons ");
                let day = crate::temporal::MICROS_PER_DAY;
                crate::temporal::write_interval(days as i64 * day + micros, &mut out);
                out
            })
        })
        .collect();
    Ok(Some(std::sync::Arc::new(text)))
}

fn column_from_field(field: &Field) -> Column {
    let from_arrow = LogicalType::from_arrow(field.data_type());
    let sql = field.metadata().get(PG_TYPE_KEY);
    let logical = sql
        .and_then(|t| LogicalType::from_sql(t))
        .filter(|l| l.arrow_type() == from_arrow.arrow_type())
        .unwrap_or(from_arrow);
    Column {
        source_type: sql.cloned().unwrap_or_else(|| logical.sql_type()),
        ..Column::new(field.name().clone(), logical, field.is_nullable())
    }
}

impl Source for ParquetSource {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn fingerprint(&self) -> Option<crate::fingerprint::Fingerprint> {
        crate::fingerprint::Fingerprint::of_directory(&self.dir).ok()
    }

    fn kind(&self) -> &'static str {
        "parquet"
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
        let path = self
            .files
            .get(&table.name)
            .ok_or_else(|| SourceError::UnknownTable {
                source_name: self.describe(),
                table: table.name.clone(),
            })?;
        let parquet_error = |e| SourceError::Parquet {
            path: path.clone(),
            source: e,
        };
        let builder = reader_builder(path)?;
        // A projection yields each column once, in file order; callers may ask for any order,
        // and for a column twice (a foreign key that is also a value column).
        let mut unique = columns.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let read_at: Vec<usize> = columns
            .iter()
            .map(|c| {
                unique
                    .binary_search(c)
                    .expect("every column is in the projection")
            })
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), unique.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(parquet_error)?;
        let target = super::projected_schema(table, columns);
        let mut position = 0u64;
        for batch in reader {
            let batch = batch.map_err(|e| SourceError::Parquet {
                path: path.clone(),
                source: e.into(),
            })?;
            let arrays = read_at
                .iter()
                .map(|&at| batch.column(at))
                .zip(target.fields())
                .map(|(array, field)| {
                    convert(array, field.data_type()).map_err(|e| SourceError::Arrow {
                        context: format!(
                            "{}: column {}: reading {} as {}",
                            path.display(),
                            field.name(),
                            array.data_type(),
                            field.data_type()
                        ),
                        source: e,
                    })
                })
                .collect::<Result<Vec<ArrayRef>, _>>()?;
            let arrays =
                RecordBatch::try_new(target.clone(), arrays).map_err(|e| SourceError::Arrow {
                    context: format!("{}: converting a batch", path.display()),
                    source: e,
                })?;
            let rows = arrays.num_rows() as u64;
            let batch = match sampling {
                Sampling::All => arrays,
                Sampling::Fraction(f) => {
                    let keep: BooleanArray = (position..position + rows)
                        .map(|p| Some(keep_row(p, f)))
                        .collect();
                    filter_record_batch(&arrays, &keep).map_err(|e| SourceError::Arrow {
                        context: format!("{}: sampling", path.display()),
                        source: e,
                    })?
                }
            };
            position += rows;
            sink(batch)?;
        }
        Ok(())
    }
}
