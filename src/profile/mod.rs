//! Profiling: statistics that describe a snapshot without holding it.
//!
//! Every statistic is an accumulator that observes Arrow arrays and merges with another of its
//! kind ([`TableAccumulator`] → [`column`] → [`sketch`]); the [`privacy`] guard decides which
//! literal values may leave; [`keys`] measures key sets and fan-out and [`key_inference`] infers keys from them; [`model`] is what a profile
//! holds and [`file`] how it is written. This module does no I/O: the caller scans a source and feeds batches in.

pub mod address;
mod array;
pub mod audit;
pub mod clusters;
pub mod column;
pub mod email_names;
pub mod entities;
pub mod file;
pub mod inherit;
pub mod key_inference;
mod key_names;
mod keyed;
pub mod keys;
pub mod locale;
mod lookup;
pub mod model;
pub mod noise;
pub mod nulls;
pub mod parts;
pub mod pii;
pub mod precision;
pub mod privacy;
mod range;
pub mod ranks;
pub mod relations;
pub mod sample;
pub mod shifts;
pub mod sketch;
mod table;
mod text;
pub mod textmodel;
pub mod totals;
pub mod words;

pub use file::{from_yaml, to_yaml, FORMAT_VERSION};
pub use locale::Locale;
pub use lookup::{choose_lookups, LookupRows, LOOKUP_MAX_ROWS};
pub use model::*;
pub use privacy::Guard;
pub use table::TableAccumulator;
pub use text::{
    accent_letter, format_for, is_accented_latin, looks_like, looks_like_uuid,
    model_without_values, shape_into, special_kinds, value_scripts, SPECIALS,
};
pub use textmodel::{Format, Frame, Generator, LocaleShare, Pair, TextModel, WordList, WordModel};
pub use words::word_spans;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    #[error("at {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("format_version is {found}, but this understudy reads versions 1 to {FORMAT_VERSION}")]
    WrongVersion { found: u64 },
    #[error("table {table}: {message}")]
    Inconsistent { table: String, message: String },
}
