//! A directory of `<table>.parquet` files with typed columns (dates, timestamps, decimals,
//! booleans), each column carrying its PostgreSQL type name in the `pg_type` field metadata so
//! a profile of the output reads the same types back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{close, prepare_dir, Encoded, Sink, SinkError, StagedFiles, Written};
use crate::generate::TablePlan;
use crate::manifest::Manifest;
use crate::source::parquet::PG_TYPE_KEY;

pub struct ParquetSink {
    dir: PathBuf,
    staged: StagedFiles,
}

impl ParquetSink {
    pub fn new(dir: &Path) -> Result<ParquetSink, SinkError> {
        prepare_dir(dir)?;
        Ok(ParquetSink {
            dir: dir.to_path_buf(),
            staged: StagedFiles::default(),
        })
    }
}

fn parquet_error(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> SinkError + '_ {
    move |e| SinkError::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The plan's schema with each field's PostgreSQL type in its metadata.
fn annotated_schema(table: &TablePlan) -> SchemaRef {
    let fields: Vec<Field> = table
        .schema
        .fields()
        .iter()
        .zip(&table.output)
        .map(|(field, &c)| {
            let pg_type = table.table.columns[c].source_type.clone();
            field
                .as_ref()
                .clone()
                .with_metadata(HashMap::from([(PG_TYPE_KEY.to_string(), pg_type)]))
        })
        .collect();
    Arc::new(Schema::new(fields))
}

impl Sink for ParquetSink {
    fn write_table(
        &mut self,
        table: &TablePlan,
        batches: &mut dyn Iterator<Item = Encoded>,
    ) -> Result<Written, SinkError> {
        let path = self.dir.join(format!("{}.parquet", table.table.name));
        let out = self.staged.create(&path)?;
        let schema = annotated_schema(table);
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::default()))
            .build();
        let mut writer = ArrowWriter::try_new(out, schema.clone(), Some(properties))
            .map_err(parquet_error(&path))?;
        for Encoded { batch, .. } in batches {
            let batch = batch
                .with_schema(schema.clone())
                .expect("the schemas differ only in metadata");
            writer.write(&batch).map_err(parquet_error(&path))?;
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
