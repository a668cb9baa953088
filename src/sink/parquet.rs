//! A directory of `<table>.parquet` files with typed columns (dates, timestamps, decimals,
//! booleans, and arrays as Parquet lists of their element type), each column carrying its
//! PostgreSQL type name in the `pg_type` field metadata so a profile of the output reads the
//! same types back. JSON (and so a Parquet struct read as JSON) is written as text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, ListArray, StringArray};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{close, prepare_dir, Encoded, Sink, SinkError, StagedFiles, Written};
use crate::manifest::Manifest;
use crate::pg::types::PG_TYPE_KEY;
use crate::schema::{array_literal, LogicalType, Table};

/// A row group ends once its batches' arrays reach this size (or at the writer's 1,048,576
/// rows), since the writer keeps a whole row group's pages in memory: 15 rows of 200 MB text
/// held 3.6 GB.
const ROW_GROUP_BYTES: usize = 128 << 20;

pub struct ParquetSink {
    dir: PathBuf,
    staged: StagedFiles,
    /// [`ROW_GROUP_BYTES`], smaller in tests.
    row_group_bytes: usize,
}

impl ParquetSink {
    pub fn new(dir: &Path) -> Result<ParquetSink, SinkError> {
        prepare_dir(dir)?;
        Ok(ParquetSink {
            dir: dir.to_path_buf(),
            staged: StagedFiles::default(),
            row_group_bytes: ROW_GROUP_BYTES,
        })
    }
}

fn parquet_error(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> SinkError + '_ {
    move |e| SinkError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The batches' schema with each field's PostgreSQL type in its metadata.
fn annotated_schema(table: &Table, schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|field| {
            let Some(column) = table.column(field.name()) else {
                return field.as_ref().clone();
            };
            let field = match list_element(&column.logical) {
                Some(element) => field
                    .as_ref()
                    .clone()
                    .with_data_type(DataType::List(Arc::new(Field::new("item", element, true)))),
                None => field.as_ref().clone(),
            };
            field.with_metadata(HashMap::from([(
                PG_TYPE_KEY.to_string(),
                column.source_type.clone(),
            )]))
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// The Arrow type of an array column's elements, when it is written as a Parquet list.
fn list_element(logical: &LogicalType) -> Option<DataType> {
    match logical {
        LogicalType::Array { element } => Some(element.arrow_type()),
        _ => None,
    }
}

/// Array literals as a list array of the element type (nested arrays flattened).
fn list_array(literals: &ArrayRef, element: &DataType) -> Result<ArrayRef, ArrowError> {
    let mut offsets = vec![0i32];
    let mut valid = Vec::with_capacity(literals.len());
    let mut elements: Vec<Option<String>> = Vec::new();
    let text = literals.as_string::<i32>();
    for value in text.iter() {
        valid.push(value.is_some());
        elements.extend(value.map(array_literal::parse).unwrap_or_default());
        offsets.push(elements.len() as i32);
    }
    let values: ArrayRef = Arc::new(StringArray::from(elements));
    let values = cast(&values, element)?;
    Ok(Arc::new(ListArray::try_new(
        Arc::new(Field::new("item", element.clone(), true)),
        OffsetBuffer::new(offsets.into()),
        values,
        Some(NullBuffer::from(valid)),
    )?))
}

impl Sink for ParquetSink {
    fn write_table(
        &mut self,
        table: &Table,
        schema: &SchemaRef,
        batches: &mut dyn Iterator<Item = Encoded>,
    ) -> Result<Written, SinkError> {
        let path = self.dir.join(format!("{}.parquet", table.name));
        let out = self.staged.create(&path)?;
        let schema = annotated_schema(table, schema);
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(properties))
            .map_err(parquet_error(&path))?;
        let mut in_group = 0;
        for Encoded { batch, .. } in batches {
            let batch = batch
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(array, field)| match field.data_type() {
                    DataType::List(element) if *array.data_type() == DataType::Utf8 => {
                        list_array(array, element.data_type())
                    }
                    _ => Ok(array.clone()),
                })
                .collect::<Result<Vec<_>, _>>()
                .and_then(|columns| RecordBatch::try_new(schema.clone(), columns))
                .map_err(|e| SinkError::Parquet {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            writer.write(&batch).map_err(parquet_error(&path))?;
            // The writer's own estimates leave out values it has encoded into pages.
            in_group += batch.get_array_memory_size();
            if in_group >= self.row_group_bytes {
                writer.flush().map_err(parquet_error(&path))?;
                in_group = 0;
            }
        }
        let out = writer.into_inner().map_err(parquet_error(&path))?;
        let file = close(out, &path)?;
        Ok(Written {
            bytes: file.bytes,
            file: Some(file),
        })
    }

    fn finish(self: Box<Self>, manifest: &Manifest) -> Result<(), SinkError> {
        self.staged.publish_with_manifest(&self.dir, manifest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;
    use arrow::datatypes::Field;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn long_values_come_back_whole_in_row_groups_cut_by_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = ParquetSink::new(dir.path()).unwrap();
        sink.row_group_bytes = 1 << 20;
        let table = Table {
            name: "long".into(),
            ..Table::default()
        };
        let schema: SchemaRef =
            Arc::new(Schema::new(vec![Field::new("body", DataType::Utf8, true)]));
        // 2 MB values, each of its own letters, with quotes, commas and line breaks.
        let values: Vec<String> = (0..3u8)
            .map(|i| format!("{}\"a, b\"\n", char::from(b'a' + i)).repeat(250_000))
            .collect();
        let mut batches = values.iter().map(|v| Encoded {
            batch: RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(StringArray::from(vec![v.as_str()]))],
            )
            .unwrap(),
            bytes: None,
        });
        sink.write_table(&table, &schema, &mut batches).unwrap();
        sink.staged.publish().unwrap();
        let file = std::fs::File::open(dir.path().join("long.parquet")).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 3);
        let read: Vec<String> = reader
            .build()
            .unwrap()
            .flat_map(|b| {
                let b = b.unwrap();
                let text = b.column(0).as_string::<i32>().clone();
                (0..text.len()).map(move |i| text.value(i).to_string())
            })
            .collect();
        assert_eq!(read, values);
    }
}
