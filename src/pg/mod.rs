//! PostgreSQL, for both sides: connecting (`conn`), the catalog (`catalog`), the mapping between
//! PostgreSQL's types and understudy's (`types`), and COPY's formats (`copy`). The source reads
//! snapshots and the sink loads targets through this one module, so a query or a type exists
//! once. It may use `postgres` and `schema`; nothing in the core imports it.

pub mod catalog;
pub mod conn;
pub mod copy;
pub mod types;

pub use conn::{config, connect, describe_error, display, is_postgres, quote_ident, redact};
