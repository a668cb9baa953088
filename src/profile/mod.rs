//! Profiling: statistics that describe a snapshot without holding it.
//!
//! Every statistic is an accumulator that observes Arrow arrays and merges with another of its
//! kind ([`TableAccumulator`] → [`column`] → [`sketch`]); the [`privacy`] guard decides which
//! literal values may leave; [`keys`] infers keys and measures fan-out; [`model`] is the profile
//! file. This module does no I/O: the caller scans a source and feeds batches in.

pub mod column;
pub mod keys;
pub mod model;
pub mod privacy;
pub mod relations;
pub mod sample;
pub mod sketch;
mod table;
mod text;

pub use model::*;
pub use privacy::Guard;
pub use table::TableAccumulator;
pub use text::{looks_like, looks_like_uuid, shape_into};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    #[error("at {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("format_version is {found}, but this understudy reads version {FORMAT_VERSION}")]
    WrongVersion { found: u64 },
    #[error("table {table}: {message}")]
    Inconsistent { table: String, message: String },
}

/// Serializes a profile as YAML.
pub fn to_yaml(profile: &Profile) -> String {
    serde_norway::to_string(profile).expect("a profile is plain data and always serializes")
}

/// Parses a profile, naming the field path of any error, and checks that it hangs together.
pub fn from_yaml(text: &str) -> Result<Profile, ProfileError> {
    // Check the version first, so an old file gets that message rather than a field error.
    if let Ok(serde_norway::Value::Mapping(top)) =
        serde_norway::from_str::<serde_norway::Value>(text)
    {
        if let Some(found) = top.get("format_version").and_then(|v| v.as_u64()) {
            if found != FORMAT_VERSION as u64 {
                return Err(ProfileError::WrongVersion { found });
            }
        }
    }
    let deserializer = serde_norway::Deserializer::from_str(text);
    let profile: Profile =
        serde_path_to_error::deserialize(deserializer).map_err(|e| ProfileError::Invalid {
            path: match e.path().to_string().as_str() {
                "." => "the top level".to_string(),
                p => p.to_string(),
            },
            message: e.into_inner().to_string(),
        })?;
    validate(&profile)?;
    Ok(profile)
}

/// Every key and foreign key names columns and tables that exist.
fn validate(profile: &Profile) -> Result<(), ProfileError> {
    let schema = profile.schema();
    for table in &schema.tables {
        let fail = |message: String| ProfileError::Inconsistent {
            table: table.name.clone(),
            message,
        };
        let known = |cols: &[String]| cols.iter().find(|c| table.column(c).is_none()).cloned();
        if let Some(c) = known(&table.primary_key) {
            return Err(fail(format!("primary key names unknown column {c:?}")));
        }
        for key in &table.unique {
            if let Some(c) = known(key) {
                return Err(fail(format!("unique key names unknown column {c:?}")));
            }
        }
        for fk in &table.foreign_keys {
            if let Some(c) = known(&fk.columns) {
                return Err(fail(format!("foreign key names unknown column {c:?}")));
            }
            let Some(parent) = schema.table(&fk.references.table) else {
                return Err(fail(format!(
                    "foreign key references unknown table {:?}",
                    fk.references.table
                )));
            };
            if fk.columns.len() != fk.references.columns.len() {
                return Err(fail(format!(
                    "foreign key {:?} and its reference differ in length",
                    fk.columns
                )));
            }
            if let Some(c) = fk
                .references
                .columns
                .iter()
                .find(|c| parent.column(c).is_none())
            {
                return Err(fail(format!(
                    "foreign key references unknown column {}.{c}",
                    parent.name
                )));
            }
        }
    }
    Ok(())
}
