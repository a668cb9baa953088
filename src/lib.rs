//! understudy learns the shape of a production database from an anonymized snapshot and
//! generates synthetic data with the same shape.
//!
//! # Layout
//! - [`schema`]: tables, columns, logical types, keys, and the foreign-key graph.
//! - [`profile`]: mergeable statistics, key inference, the privacy guard, the profile file.
//! - [`generate`]: synthetic rows from a profile, chunk by chunk, as Arrow batches.
//! - [`source`]: where snapshots come from (PostgreSQL, CSV, Parquet), as Arrow batches.
//! - [`sink`]: where generated rows go (PostgreSQL, CSV, Parquet).
//! - [`manifest`]: what a `generate` run wrote (checksums, rows, injected edge cases), as data
//!   and JSON.
//! - [`run`]: pipelines that connect a source to the profiler and the generator to a sink, and
//!   the SIGINT/SIGTERM flag that stops them cleanly.
//! - [`fingerprint`]: where a snapshot lives, so `generate` can refuse to write into it.
//! - [`pg`]: PostgreSQL for the source and the sink alike: connecting (naming targets without
//!   their passwords), the catalog, type mapping and COPY encoding.
//! - [`cli`]: the command line.
//! - [`alloc`]: the binary's allocator (mimalloc, with huge blocks left to the system).
//!
//! `schema`, `profile`, `generate`, `manifest`, [`temporal`] and [`hashing`] do no I/O; `source`, `sink`,
//! `run` and `cli` do.
//!
//! # Example
//! Profile three rows held in memory; only statistics come out.
//! ```
//! use std::sync::Arc;
//! use arrow::array::{ArrayRef, StringArray};
//! use arrow::datatypes::{DataType, Field, Schema as ArrowSchema};
//! use arrow::record_batch::RecordBatch;
//! use understudy::profile::{Guard, TableAccumulator};
//! use understudy::schema::{Column, LogicalType, Table};
//!
//! let table = Table {
//!     name: "city".into(),
//!     columns: vec![Column::new("name", LogicalType::Text { max_chars: None }, true)],
//!     ..Default::default()
//! };
//! let names: ArrayRef = Arc::new(StringArray::from(vec![Some("Oslo"), None, Some("Zürich")]));
//! let schema = Arc::new(ArrowSchema::new(vec![Field::new("name", DataType::Utf8, true)]));
//! let batch = RecordBatch::try_new(schema, vec![names]).unwrap();
//!
//! let mut acc = TableAccumulator::new(&table);
//! acc.observe(&batch);
//! let stats = &acc.finish(&table, &Guard::new(5), &Default::default())[0];
//! assert_eq!(stats.null_rate, 0.333333);
//! assert_eq!(stats.text.as_ref().unwrap().max_chars, 6);
//! assert!(stats.frequent.is_empty(), "no value occurs 5 times, so none is kept");
//! ```

pub mod alloc;
pub mod cli;
pub mod compare;
pub mod fingerprint;
#[cfg(test)]
mod fuzz;
pub mod generate;
pub mod hashing;
pub mod manifest;
pub mod pg;
pub mod profile;
pub mod run;
pub mod schema;
pub mod sink;
pub mod source;
pub mod temporal;
