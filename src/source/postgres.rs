//! A PostgreSQL database: the schema from the catalog, rows from `COPY ... TO STDOUT`.
//!
//! Rows stream in COPY's text format (tab-separated, `\N` for NULL, backslash escapes), which
//! is unambiguous about NULL versus the empty string, and are decoded with the same text
//! decoder as CSV. Each scan opens its own connection so tables can be read in parallel.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};

use arrow::record_batch::RecordBatch;
use postgres::{Client, Config};

use super::decode::ColumnDecoder;
use super::{Sampling, Source, SourceError, BATCH_ROWS};
use crate::fingerprint::Fingerprint;
use crate::pg::{self, catalog, quote_ident};
use crate::schema::{Schema, Table};

pub struct PostgresSource {
    config: Config,
    target: String,
    fingerprint: Option<Fingerprint>,
    schema: Schema,
    /// Table name → quoted `schema.table` for queries.
    qualified: HashMap<String, String>,
}

impl PostgresSource {
    /// Connects and reads the catalog of the given schemas (default `public`).
    pub fn connect(spec: &str, schemas: &[String]) -> Result<Self, SourceError> {
        let config = pg::config(spec).map_err(|message| SourceError::Postgres {
            target: pg::redact(spec),
            message,
        })?;
        let target = pg::display(&config);
        let fail = |message: String| SourceError::Postgres {
            target: target.clone(),
            message,
        };
        let mut client = pg::connect(&config).map_err(&fail)?;
        let schemas = if schemas.is_empty() {
            vec!["public".to_string()]
        } else {
            schemas.to_vec()
        };
        let (schema, qualified) =
            catalog::read(&mut client, &schemas).map_err(|e| fail(pg::describe_error(&e)))?;
        if schema.tables.is_empty() {
            let elsewhere = catalog::schemas_with_tables(&mut client)
                .map_err(|e| fail(pg::describe_error(&e)))?;
            if !elsewhere.is_empty() {
                return Err(SourceError::NoTablesInSchemas {
                    target,
                    schemas,
                    elsewhere,
                });
            }
        }
        Ok(PostgresSource {
            fingerprint: Fingerprint::of_postgres(&mut client),
            config,
            target,
            schema,
            qualified,
        })
    }

    fn client(&self) -> Result<Client, SourceError> {
        pg::connect(&self.config).map_err(|message| self.error(message))
    }

    fn error(&self, message: String) -> SourceError {
        SourceError::Postgres {
            target: self.target.clone(),
            message,
        }
    }

    fn qualified(&self, table: &Table) -> String {
        self.qualified
            .get(&table.name)
            .cloned()
            .unwrap_or_else(|| quote_ident(&table.name))
    }
}

impl Source for PostgresSource {
    fn describe(&self) -> String {
        self.target.clone()
    }

    fn fingerprint(&self) -> Option<Fingerprint> {
        self.fingerprint.clone()
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn schema(&self) -> Result<Schema, SourceError> {
        Ok(self.schema.clone())
    }

    fn row_count(&self, table: &Table) -> Result<u64, SourceError> {
        let row = self
            .client()?
            .query_one(
                &format!("SELECT count(*) FROM {}", self.qualified(table)),
                &[],
            )
            .map_err(|e| {
                self.error(format!(
                    "counting rows of {}: {}",
                    table.name,
                    pg::describe_error(&e)
                ))
            })?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn scan(
        &self,
        table: &Table,
        columns: &[usize],
        sampling: Sampling,
        sink: &mut dyn FnMut(RecordBatch) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let select = if columns.is_empty() {
            "NULL".to_string()
        } else {
            columns
                .iter()
                .map(|&i| pg::types::select_expr(&table.columns[i]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sample = match sampling {
            Sampling::All => String::new(),
            Sampling::Fraction(f) => format!(
                " TABLESAMPLE BERNOULLI ({}) REPEATABLE (0)",
                (f * 100.0).min(100.0)
            ),
        };
        let query = format!(
            "COPY (SELECT {select} FROM {}{sample}) TO STDOUT",
            self.qualified(table)
        );
        let mut client = self.client()?;
        let copy = client.copy_out(&query).map_err(|e| {
            self.error(format!(
                "reading {}: {}",
                table.name,
                pg::describe_error(&e)
            ))
        })?;
        let arrow_schema = super::projected_schema(table, columns);
        let mut decoders: Vec<ColumnDecoder> = columns
            .iter()
            .map(|&i| ColumnDecoder::new(&table.columns[i].logical))
            .collect();
        let mut reader = BufReader::with_capacity(1 << 16, copy);
        let mut line = Vec::new();
        let mut field = String::new();
        let mut pending = 0;
        let flush = |decoders: &mut Vec<ColumnDecoder>| {
            RecordBatch::try_new(
                arrow_schema.clone(),
                decoders.iter_mut().map(ColumnDecoder::finish).collect(),
            )
            .map_err(|e| SourceError::Arrow {
                context: format!("{}: building a batch", table.name),
                source: e,
            })
        };
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| self.error(format!("reading {}: {e}", table.name)))?;
            if n == 0 {
                break;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            let text = std::str::from_utf8(&line)
                .map_err(|_| self.error(format!("{}: COPY sent invalid UTF-8", table.name)))?;
            for (k, raw) in text.split('\t').enumerate().take(decoders.len()) {
                let value = if raw == "\\N" {
                    None
                } else {
                    pg::copy::unescape_text(raw, &mut field);
                    Some(field.as_str())
                };
                decoders[k]
                    .push(value)
                    .map_err(|source| SourceError::Decode {
                        table: table.name.clone(),
                        column: table.columns[columns[k]].name.clone(),
                        source,
                    })?;
            }
            pending += 1;
            if pending == BATCH_ROWS {
                pending = 0;
                sink(flush(&mut decoders)?)?;
            }
        }
        if pending > 0 {
            sink(flush(&mut decoders)?)?;
        }
        Ok(())
    }
}
