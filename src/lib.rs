//! understudy learns the shape of a production database from an anonymized snapshot and
//! generates synthetic data with the same shape.
//!
//! # Layout
//! - [`schema`]: tables, columns, logical types, keys, and the foreign-key graph.
//! - [`profile`]: mergeable statistics, key inference, the privacy guard, the profile file.
//! - [`source`]: where snapshots come from (PostgreSQL, CSV, Parquet), as Arrow batches.
//! - [`run`]: pipelines that connect a source to the profiler.
//! - [`cli`]: the command line.
//!
//! `schema`, `profile`, [`temporal`] and [`hashing`] do no I/O; `source`, `run` and `cli` do.

pub mod cli;
pub mod hashing;
pub mod pgconn;
pub mod profile;
pub mod run;
pub mod schema;
pub mod source;
pub mod temporal;
