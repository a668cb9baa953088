//! The user's `overrides:` section: hand-written pins and corrections that survive re-profiling.
//!
//! `profile` never writes this section and carries it over when it rewrites a profile, so the
//! team's decisions outlive the quarterly refresh. It is keyed by table name:
//!
//! ```yaml
//! overrides:
//!   invoice:
//!     rows: 5000                      # the row count to generate
//!     columns:                        # merged onto the column's entry, field by field
//!       status: {stats: {frequent: [{value: paid, share: 0.9}, {value: open, share: 0.1}]}}
//!     foreign_keys:                   # merged onto the key with the same columns, or added
//!       - {columns: [customer_id], references: {table: customer, columns: [id]}}
//!     off:                            # detected relations turned off, spelled as below
//!       - invoice_date <= due_date    # an order rule (`<` when strict)
//!       - total = net + tax           # a derived column
//!       - dep = clock(sched + delay)  # a clock time (`HHMM`) plus minutes
//!       - year = year(ordered_at)     # a part of another column
//!       - date(year, month, day)      # integer columns that make a calendar date
//!       - total = sum(line.price * qty) # a total of the child rows (`n = count(line)`)
//!       - group(city, country)        # a category group
//!       - nulls(died_on, death_place) # columns NULL on related rows
//!       - customer_id -> customer     # a foreign key
//!       - billing_city = customer.city  # an inherited column
//!       - paid_at >= invoice.issued_at  # an order against the parent row (`>` when strict)
//!       - price ~ product.list_price    # a number drawn as a multiple of the parent's
//!       - correlations                # the table's correlations
//! ```
//!
//! Merges happen on the document before it is read, so an override is validated like the rest
//! and a bad one is named by its path. An override for a table or column that no longer exists is
//! an error; an `off` entry for a relation that profiling no longer finds is not, as long as its
//! columns exist.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_norway::Value;

use super::ProfileError;
use crate::profile::{
    CalendarDate, CategoryGroup, Derived, Follows, Inherited, NullFollow, NullGroup, OrderRule,
    ParentOrder, Part, PartOf, Profile, TableProfile, Total,
};
use crate::schema::ForeignKey;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableOverride {
    #[serde(default)]
    rows: Option<u64>,
    #[serde(default)]
    columns: BTreeMap<String, Value>,
    #[serde(default)]
    foreign_keys: Vec<Value>,
    #[serde(default)]
    off: Vec<String>,
}

/// A parsed `overrides:` section.
#[derive(Debug, Default)]
pub struct Overrides {
    tables: BTreeMap<String, TableOverride>,
}

impl Overrides {
    pub fn parse(value: &Value) -> Result<Overrides, ProfileError> {
        if value.is_null() {
            return Ok(Overrides::default());
        }
        let tables =
            serde_path_to_error::deserialize(value.clone()).map_err(|e| ProfileError::Invalid {
                path: format!("overrides.{}", e.path()),
                message: e.into_inner().to_string(),
            })?;
        Ok(Overrides { tables })
    }

    /// Merges row counts, column fields and foreign keys onto the document's tables.
    pub fn merge_into(&self, doc: &mut Value) -> Result<(), ProfileError> {
        for (name, o) in &self.tables {
            let table = find_by_name(doc.get_mut("tables"), name).ok_or_else(|| {
                invalid(format!("overrides.{name}"), "the profile has no such table")
            })?;
            if let Some(rows) = o.rows {
                table["rows"] = Value::from(rows);
            }
            for (column, fields) in &o.columns {
                let target = find_by_name(table.get_mut("columns"), column).ok_or_else(|| {
                    invalid(
                        format!("overrides.{name}.columns.{column}"),
                        "the table has no such column",
                    )
                })?;
                merge(target, fields.clone());
            }
            for (i, fk) in o.foreign_keys.iter().enumerate() {
                merge_foreign_key(table, fk.clone())
                    .map_err(|m| invalid(format!("overrides.{name}.foreign_keys[{i}]"), m))?;
            }
        }
        Ok(())
    }

    /// Removes the relations the user turned off.
    pub fn turn_off(&self, profile: &mut Profile) -> Result<(), ProfileError> {
        for (name, o) in &self.tables {
            let Some(table) = profile.tables.iter_mut().find(|t| t.schema.name == *name) else {
                continue;
            };
            for (i, entry) in o.off.iter().enumerate() {
                let entry = entry.trim();
                if !remove_relation(table, entry) {
                    check_names(table, entry)
                        .map_err(|m| invalid(format!("overrides.{name}.off[{i}]"), m))?;
                }
            }
        }
        Ok(())
    }
}

fn invalid(path: String, message: impl Into<String>) -> ProfileError {
    ProfileError::Invalid {
        path,
        message: message.into(),
    }
}

/// The mapping in a list of mappings whose `name` is `name`.
fn find_by_name<'a>(list: Option<&'a mut Value>, name: &str) -> Option<&'a mut Value> {
    list?
        .as_sequence_mut()?
        .iter_mut()
        .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
}

/// Mappings merge key by key; anything else replaces what was there. A column's `type` is
/// replaced whole: its parameters belong to its kind.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Mapping(target), Value::Mapping(patch)) => {
            for (key, value) in patch {
                match target.get_mut(&key) {
                    Some(existing) if key.as_str() != Some("type") => merge(existing, value),
                    Some(existing) => *existing = value,
                    None => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

fn merge_foreign_key(table: &mut Value, fk: Value) -> Result<(), String> {
    let columns = fk
        .get("columns")
        .cloned()
        .ok_or("a foreign key override names its `columns`")?;
    let Value::Mapping(map) = table else {
        return Err("the table is not a mapping".into());
    };
    let list = map
        .entry("foreign_keys".into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    let Some(list) = list.as_sequence_mut() else {
        return Err("the table's foreign_keys is not a list".into());
    };
    match list.iter_mut().find(|k| k.get("columns") == Some(&columns)) {
        Some(existing) => merge(existing, fk),
        None => list.push(fk),
    }
    Ok(())
}

pub fn rule_name(r: &OrderRule) -> String {
    format!("{} {} {}", r.low, if r.strict { "<" } else { "<=" }, r.high)
}

pub fn derived_name(d: &Derived) -> String {
    if d.op == "=" {
        return format!("{} = {}", d.column, d.left);
    }
    if d.clock {
        return format!("{} = clock({} {} {})", d.column, d.left, d.op, d.right);
    }
    format!("{} = {} {} {}", d.column, d.left, d.op, d.right)
}

pub fn part_name(p: &PartOf) -> String {
    format!("{} = {}({})", p.column, p.part.name(), p.of)
}

/// `date(year, month, day)`, or `date(month, day)` without a year.
pub fn date_name(d: &CalendarDate) -> String {
    let columns: Vec<&str> = [&d.year, &d.month, &d.day]
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(String::as_str)
        .collect();
    format!("date({})", columns.join(", "))
}

pub fn total_name(t: &Total) -> String {
    if t.sum.is_empty() {
        return format!("{} = count({})", t.column, t.children);
    }
    format!("{} = sum({}.{})", t.column, t.children, t.sum.join(" * "))
}

pub fn group_name(g: &CategoryGroup) -> String {
    format!("group({})", g.columns.join(", "))
}

pub fn null_group_name(g: &NullGroup) -> String {
    format!("nulls({})", g.columns.join(", "))
}

/// Named like a null group of the two columns, the follower first.
pub fn null_follow_name(f: &NullFollow) -> String {
    format!("nulls({}, {})", f.column, f.follows)
}

pub fn inherited_name(i: &Inherited, parent_table: &str) -> String {
    format!("{} = {parent_table}.{}", i.column, i.parent_column)
}

pub fn follows_name(f: &Follows, parent_table: &str) -> String {
    format!("{} ~ {parent_table}.{}", f.column, f.parent_column)
}

pub fn parent_order_name(o: &ParentOrder, parent_table: &str) -> String {
    let op = if o.strict { ">" } else { ">=" };
    format!("{} {op} {parent_table}.{}", o.column, o.parent_column)
}

pub fn foreign_key_name(fk: &ForeignKey) -> String {
    format!("{} -> {}", fk.columns.join(", "), fk.references.table)
}

/// Removes the relation `entry` names; false if none matched.
fn remove_relation(table: &mut TableProfile, entry: &str) -> bool {
    if entry == "correlations" {
        return table.correlations.take().is_some();
    }
    let relations = |t: &TableProfile| {
        t.rules.len()
            + t.derived.len()
            + t.parts.len()
            + t.dates.len()
            + t.totals.len()
            + t.groups.len()
            + t.nulls.len()
            + t.null_follows.len()
    };
    let before = relations(table);
    table.rules.retain(|r| rule_name(r) != entry);
    table.derived.retain(|d| derived_name(d) != entry);
    table.parts.retain(|p| part_name(p) != entry);
    table.dates.retain(|d| date_name(d) != entry);
    table.totals.retain(|t| total_name(t) != entry);
    table.groups.retain(|g| group_name(g) != entry);
    table.nulls.retain(|g| null_group_name(g) != entry);
    table.null_follows.retain(|f| null_follow_name(f) != entry);
    let fks = &table.schema.foreign_keys;
    let parent_of = |columns: &[String]| {
        fks.iter()
            .find(|fk| fk.columns == columns)
            .map_or(String::new(), |fk| fk.references.table.clone())
    };
    let was = table.inherited.len() + table.parent_orders.len() + table.follows.len();
    let inherited = std::mem::take(&mut table.inherited);
    table.inherited = inherited
        .into_iter()
        .filter(|i| inherited_name(i, &parent_of(&i.foreign_key)) != entry)
        .collect();
    let orders = std::mem::take(&mut table.parent_orders);
    table.parent_orders = orders
        .into_iter()
        .filter(|o| parent_order_name(o, &parent_of(&o.foreign_key)) != entry)
        .collect();
    let follows = std::mem::take(&mut table.follows);
    table.follows = follows
        .into_iter()
        .filter(|f| follows_name(f, &parent_of(&f.foreign_key)) != entry)
        .collect();
    let after = relations(table);
    let fk = table
        .schema
        .foreign_keys
        .iter()
        .position(|fk| foreign_key_name(fk) == entry);
    if let Some(i) = fk {
        let fk = table.schema.foreign_keys.remove(i);
        table.foreign_key_stats.retain(|s| s.columns != fk.columns);
        // What the table took across that key goes with it.
        table.inherited.retain(|c| c.foreign_key != fk.columns);
        table.parent_orders.retain(|o| o.foreign_key != fk.columns);
        table.follows.retain(|f| f.foreign_key != fk.columns);
    }
    after < before
        || fk.is_some()
        || table.inherited.len() + table.parent_orders.len() + table.follows.len() < was
}

/// An entry that matched nothing is fine if the names in it exist (profiling may simply not
/// have found the relation this time); a misspelt name is an error.
fn check_names(table: &TableProfile, entry: &str) -> Result<(), String> {
    // A foreign key's right side is a table, an inherited column's is `table.column`; only the
    // table's own columns are checked here.
    let columns_part = entry.split(" -> ").next().unwrap_or(entry);
    let columns_part = [" = ", " >= ", " > ", " ~ "]
        .iter()
        .find_map(|op| match columns_part.split_once(op) {
            Some((column, source)) if source.contains('.') || source.starts_with("count(") => {
                Some(column)
            }
            _ => None,
        })
        .unwrap_or(columns_part);
    let operators = [
        "<=", "<", ">=", ">", "=", "+", "-", "~", "group", "nulls", "clock",
    ];
    let parts = Part::ALL.map(Part::name);
    // `date(year, month, day)` names columns only, which may be called like parts.
    let date_columns = entry
        .strip_prefix("date(")
        .and_then(|e| e.strip_suffix(')'));
    let words: Vec<&str> = match date_columns {
        Some(columns) => columns.split(',').map(str::trim).collect(),
        None => columns_part
            .split(|c: char| c.is_whitespace() || ",()".contains(c))
            .filter(|w| !w.is_empty() && !operators.contains(w) && !parts.contains(w))
            .collect(),
    };
    if words.is_empty() {
        return Err(format!("{entry:?} names no relation"));
    }
    match words.iter().find(|w| table.schema.column(w).is_none()) {
        Some(word) => Err(format!(
            "{entry:?} names {word:?}, which is no column of table {}",
            table.schema.name
        )),
        None => Ok(()),
    }
}
