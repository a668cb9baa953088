//! Reading format 1: its tree is rearranged into format 2's before it is read.
//!
//! Format 1 kept a table's schema and its column statistics in two parallel lists, wrote logical
//! types as YAML tags (`logical: !text {max_chars: 160}`) and kept foreign-key statistics apart
//! from the keys. The values themselves are the same in both formats, so the conversion only
//! moves them.

use serde_norway::{Mapping, Value};

use super::ProfileError;

/// Format 1's document turned into format 2's.
pub fn upgrade(mut doc: Value) -> Result<Value, ProfileError> {
    let Some(tables) = doc.get_mut("tables").and_then(Value::as_sequence_mut) else {
        return Ok(doc);
    };
    for (i, table) in tables.iter_mut().enumerate() {
        *table = upgrade_table(std::mem::take(table)).map_err(|message| ProfileError::Invalid {
            path: format!("tables[{i}]"),
            message,
        })?;
    }
    doc["format_version"] = Value::from(super::FORMAT_VERSION);
    Ok(doc)
}

fn upgrade_table(table: Value) -> Result<Value, String> {
    let Value::Mapping(mut old) = table else {
        return Err("a table must be a mapping".into());
    };
    let Some(Value::Mapping(mut schema)) = old.remove("schema") else {
        return Err("format 1 tables hold a `schema` mapping".into());
    };
    let mut stats = take_list(&mut old, "column_stats");
    let mut fk_stats = take_list(&mut old, "foreign_key_stats");
    let mut new = Mapping::new();
    move_entry(&mut schema, &mut new, "name");
    if let Some(rows) = old.remove("row_count") {
        new.insert("rows".into(), rows);
    }
    move_entry(&mut old, &mut new, "sampled_rows");
    for key in [
        "primary_key",
        "primary_key_inferred",
        "unique",
        "checks",
        "partitioning",
    ] {
        move_entry(&mut schema, &mut new, key);
    }
    let columns = take_list(&mut schema, "columns")
        .into_iter()
        .map(|c| upgrade_column(c, &mut stats))
        .collect::<Result<Vec<_>, _>>()?;
    new.insert("columns".into(), Value::Sequence(columns));
    let fks: Vec<Value> = take_list(&mut schema, "foreign_keys")
        .into_iter()
        .map(|fk| merge_fk_stats(fk, &mut fk_stats))
        .collect();
    if !fks.is_empty() {
        new.insert("foreign_keys".into(), Value::Sequence(fks));
    }
    // The relations and anything unknown keep their place; an unknown key is reported when the
    // result is read.
    for (key, value) in old.into_iter().chain(schema) {
        new.insert(key, value);
    }
    Ok(Value::Mapping(new))
}

fn upgrade_column(column: Value, stats: &mut Vec<Value>) -> Result<Value, String> {
    let Value::Mapping(mut old) = column else {
        return Err("a column must be a mapping".into());
    };
    let name = old.get("name").cloned().unwrap_or(Value::Null);
    let mut new = Mapping::new();
    move_entry(&mut old, &mut new, "name");
    if let Some(sql) = old.remove("type") {
        new.insert("sql".into(), sql);
    }
    if let Some(logical) = old.remove("logical") {
        new.insert("type".into(), logical_type(logical));
    }
    for (key, value) in old {
        new.insert(key, value);
    }
    let position = stats.iter().position(|s| s.get("column") == Some(&name));
    if let Some(Value::Mapping(mut s)) = position.map(|i| stats.remove(i)) {
        s.remove("column");
        new.insert("stats".into(), Value::Mapping(s));
    }
    Ok(Value::Mapping(new))
}

/// `int32` → `{kind: int32}`; `!text {max_chars: 160}` → `{kind: text, max_chars: 160}`.
fn logical_type(value: Value) -> Value {
    let (kind, fields) = match value {
        Value::String(kind) => (kind, Mapping::new()),
        Value::Tagged(tagged) => {
            let kind = tagged.tag.to_string().trim_start_matches('!').to_string();
            match tagged.value {
                Value::Mapping(fields) => (kind, fields),
                _ => (kind, Mapping::new()),
            }
        }
        other => return other,
    };
    let mut new = Mapping::new();
    new.insert("kind".into(), Value::String(kind));
    for (key, value) in fields {
        let value = if key.as_str() == Some("element") {
            logical_type(value)
        } else {
            value
        };
        new.insert(key, value);
    }
    Value::Mapping(new)
}

fn merge_fk_stats(fk: Value, stats: &mut Vec<Value>) -> Value {
    let Value::Mapping(mut fk) = fk else {
        return fk;
    };
    let columns = fk.get("columns").cloned();
    if let Some(i) = stats
        .iter()
        .position(|s| s.get("columns") == columns.as_ref())
    {
        if let Value::Mapping(mut s) = stats.remove(i) {
            s.remove("columns");
            fk.extend(s);
        }
    }
    Value::Mapping(fk)
}

fn take_list(map: &mut Mapping, key: &str) -> Vec<Value> {
    match map.remove(key) {
        Some(Value::Sequence(items)) => items,
        _ => Vec::new(),
    }
}

fn move_entry(from: &mut Mapping, to: &mut Mapping, key: &str) {
    if let Some(value) = from.remove(key) {
        to.insert(key.into(), value);
    }
}
