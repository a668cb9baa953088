//! The profile file, format 2: portable YAML, one entry per column, validated on load, with the
//! user's `overrides:` applied and carried over.
//!
//! Reading goes: YAML tree → (format 1 rearranged into format 2) → overrides merged →
//! [`doc::ProfileDoc`] → [`Profile`] → relations turned off → validated. Writing goes the other
//! way through [`emit`], which quotes what a YAML 1.1 reader would misread.

mod doc;
mod emit;
mod overrides;
mod pieces;
mod v1;
mod validate;

use std::collections::BTreeMap;

use serde_norway::Value;

pub use overrides::{derived_name, foreign_key_name, group_name, part_name, rule_name, total_name};

use super::{Profile, ProfileError};

/// The format this understudy writes.
pub const FORMAT_VERSION: u32 = 2;

/// Serializes a profile as format 2 YAML.
pub fn to_yaml(profile: &Profile) -> String {
    let doc = doc::ProfileDoc::from(profile);
    let value =
        serde_norway::to_value(&doc).expect("a profile is plain data and always serializes");
    emit::document(&value)
}

/// The `overrides:` section of a profile's text, verbatim (comments included), if it has one.
pub fn overrides_section(text: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with("overrides:"));
    let first = lines.next()?;
    let rest = lines.take_while(|l| l.is_empty() || l.starts_with([' ', '#', '-']));
    let mut section: String = std::iter::once(first)
        .chain(rest)
        .flat_map(|l| [l, "\n"])
        .collect();
    while section.ends_with("\n\n") {
        section.pop();
    }
    Some(section)
}

/// The user's decisions on personal data in an `overrides:` section's text, by table and
/// column: `stats: {pii: null}` clears detection (`None`), `stats: {pii: "why"}` sets it.
/// Profiling applies them before its privacy guard runs, so a cleared column keeps its
/// literals and a set one keeps none. A section that does not parse yields no decisions (the
/// carried-over section is reported by `profile` anyway).
pub fn pii_decisions(section: &str) -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    let mut decisions: BTreeMap<String, BTreeMap<String, Option<String>>> = BTreeMap::new();
    let Ok(tree) = serde_norway::from_str::<Value>(section) else {
        return decisions;
    };
    let Some(tables) = tree.get("overrides").and_then(Value::as_mapping) else {
        return decisions;
    };
    for (table, entry) in tables {
        let (Some(table), Some(columns)) = (
            table.as_str(),
            entry.get("columns").and_then(Value::as_mapping),
        ) else {
            continue;
        };
        for (column, fields) in columns {
            let pii = fields.get("stats").and_then(|s| s.get("pii"));
            if let (Some(column), Some(pii)) = (column.as_str(), pii) {
                decisions
                    .entry(table.to_string())
                    .or_default()
                    .insert(column.to_string(), pii.as_str().map(String::from));
            }
        }
    }
    decisions
}

/// Parses a profile of any supported format, applies its overrides and validates it. The
/// returned profile's `format_version` is the version the text was written in.
pub fn from_yaml(text: &str) -> Result<Profile, ProfileError> {
    if let Some(profile) = read_plain(text) {
        return Ok(profile);
    }
    let mut tree: Value = serde_norway::from_str(text).map_err(|e| ProfileError::Invalid {
        path: e.location().map_or("the file".to_string(), |l| {
            format!("line {}, column {}", l.line(), l.column())
        }),
        message: format!("not valid YAML: {e}"),
    })?;
    let version = version_of(&tree)?;
    if version == 1 {
        tree = v1::upgrade(tree)?;
    }
    let overrides = match tree.get("overrides") {
        Some(value) => overrides::Overrides::parse(value)?,
        None => overrides::Overrides::default(),
    };
    overrides.merge_into(&mut tree)?;
    let doc: doc::ProfileDoc =
        serde_path_to_error::deserialize(tree).map_err(|e| ProfileError::Invalid {
            path: match e.path().to_string().as_str() {
                "." => "the top level".to_string(),
                p => p.to_string(),
            },
            message: e.into_inner().to_string(),
        })?;
    let mut profile = doc.into_profile(version);
    overrides.turn_off(&mut profile)?;
    validate::validate(&profile)?;
    Ok(profile)
}

/// A current profile without overrides, read straight into its types and in pieces (see
/// [`pieces`]): a wide table's file would take many times its size as a generic YAML tree, or
/// as one document's parse events. `None` when the file needs the tree (another version, an
/// `overrides:` section) or has any fault, which the tree path then names with its field path.
fn read_plain(text: &str) -> Option<Profile> {
    let current = format!("format_version: {FORMAT_VERSION}");
    let plain = text.lines().next() == Some(current.as_str())
        && !text.lines().any(|line| line.starts_with("overrides:"));
    if !plain {
        return None;
    }
    let profile = pieces::read(text)?.into_profile(FORMAT_VERSION);
    validate::validate(&profile).ok()?;
    Some(profile)
}

/// The file's `format_version`, refusing anything that is not a profile this version reads.
fn version_of(tree: &Value) -> Result<u32, ProfileError> {
    let Value::Mapping(top) = tree else {
        return Err(ProfileError::Invalid {
            path: "the top level".into(),
            message: "this is not a profile: a profile is a YAML mapping that starts with \
                      format_version"
                .into(),
        });
    };
    let Some(found) = top.get("format_version") else {
        return Err(ProfileError::Invalid {
            path: "format_version".into(),
            message: "missing: this is not an understudy profile".into(),
        });
    };
    match found.as_u64() {
        Some(v @ 1..=2) => Ok(v as u32),
        Some(v) => Err(ProfileError::WrongVersion { found: v }),
        None => Err(ProfileError::Invalid {
            path: "format_version".into(),
            message: format!("{found:?} is not a version number"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_path_reads_what_the_tree_path_reads() {
        let text = include_str!("../../../profiles/chinook.yaml");
        let plain = read_plain(text).expect("a current profile without overrides");
        // An (empty) overrides section sends the same file through the tree.
        let tree = from_yaml(&format!("{text}overrides: {{}}\n")).unwrap();
        assert_eq!(plain.tables, tree.tables);
        assert!(read_plain(&text.replace("null_rate: 0.0", "null_rate: 1.7")).is_none());
    }
}
