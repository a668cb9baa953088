//! Checks that a loaded profile makes sense, so a hand edit that breaks it is refused with the
//! field's path and the rule, rather than generating nonsense: rates lie in [0, 1], shares sum
//! to 1, quantiles are ordered, lengths fit the type, and every name resolves.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use super::ProfileError;
use crate::profile::{
    CategoryShift, ColumnStats, Correlations, Inherited, NumericStats, Precision, Profile, Share,
    TableProfile, TemporalStats, TextModel, TextStats, Total,
};
use crate::schema::{Column, LogicalType, Schema, Table};

/// How far a list of shares may sum from 1 (they are rounded to six decimals each).
const SUM_TOLERANCE: f64 = 0.01;

pub fn validate(profile: &Profile) -> Result<(), ProfileError> {
    let schema = profile.schema();
    for table in &profile.tables {
        let at = Path(format!("tables[{}]", table.schema.name));
        keys(&at, &table.schema, &schema)?;
        across_foreign_keys(&at, &table.schema, table, &schema)?;
        // One map per table: a search per column would make a wide table's check quadratic.
        let columns: FxHashMap<&str, &Column> = table
            .schema
            .columns
            .iter()
            .rev() // the first of two columns of one name wins, as `Table::column` finds it
            .map(|c| (c.name.as_str(), c))
            .collect();
        for stats in &table.column_stats {
            let Some(column) = columns.get(stats.column.as_str()) else {
                return Err(at.fail(
                    "columns",
                    format!("statistics for unknown column {:?}", stats.column),
                ));
            };
            let at = Path(format!("{}.columns[{}].stats", at.0, stats.column));
            column_stats(&at, stats, &column.logical)?;
            lookup_values(&at, stats, column, &table.schema)?;
        }
        for (i, fk) in table.schema.foreign_keys.iter().enumerate() {
            if let Some(e) = &fk.evidence {
                let at = at.join(&format!("foreign_keys[{i}].evidence"));
                rate(&at, "containment", e.containment)?;
                rate(&at, "orphan_share", e.orphan_share)?;
                rate(&at, "name_score", e.name_score)?;
                rate(&at, "specificity", e.specificity)?;
            }
        }
        for (i, fk) in table.foreign_key_stats.iter().enumerate() {
            let at = at.join(&format!("foreign_keys[{i}]"));
            rate(&at, "null_rate", fk.null_rate)?;
            rate(
                &at,
                "children_per_parent.zero_share",
                fk.children_per_parent.zero_share,
            )?;
            if !fk.differs_from.is_empty() {
                same_parent(&at, &table.schema, &fk.columns, &fk.differs_from)?;
            }
        }
        relations(&at, table)?;
    }
    Ok(())
}

/// A field path, so every error names where it is.
struct Path(String);

impl Path {
    fn join(&self, field: &str) -> Path {
        Path(format!("{}.{field}", self.0))
    }

    fn fail(&self, field: &str, message: String) -> ProfileError {
        ProfileError::Invalid {
            path: format!("{}.{field}", self.0),
            message,
        }
    }
}

fn keys(at: &Path, table: &Table, schema: &Schema) -> Result<(), ProfileError> {
    let unknown = |cols: &[String]| cols.iter().find(|c| table.column(c).is_none()).cloned();
    if let Some(c) = unknown(&table.primary_key) {
        return Err(at.fail("primary_key", format!("names unknown column {c:?}")));
    }
    for (i, key) in table.unique.iter().enumerate() {
        if let Some(c) = unknown(key) {
            return Err(at.fail(
                &format!("unique[{i}]"),
                format!("names unknown column {c:?}"),
            ));
        }
    }
    for (i, fk) in table.foreign_keys.iter().enumerate() {
        let field = format!("foreign_keys[{i}]");
        if let Some(c) = unknown(&fk.columns) {
            return Err(at.fail(&field, format!("names unknown column {c:?}")));
        }
        let Some(parent) = schema.table(&fk.references.table) else {
            return Err(at.fail(
                &field,
                format!("references unknown table {:?}", fk.references.table),
            ));
        };
        if fk.columns.len() != fk.references.columns.len() {
            return Err(at.fail(
                &field,
                format!("{:?} and its reference differ in length", fk.columns),
            ));
        }
        if let Some(c) = fk
            .references
            .columns
            .iter()
            .find(|c| parent.column(c).is_none())
        {
            return Err(at.fail(
                &field,
                format!("references unknown column {}.{c}", parent.name),
            ));
        }
    }
    Ok(())
}

/// Copies from and orders against the parent row: their columns, foreign key and parent
/// column exist, and their figures are in range.
fn across_foreign_keys(
    at: &Path,
    table: &Table,
    profile: &TableProfile,
    schema: &Schema,
) -> Result<(), ProfileError> {
    let copies = profile.inherited.iter().enumerate().map(|(i, c)| {
        (
            format!("inherited[{i}]"),
            &c.column,
            &c.foreign_key,
            &c.parent_column,
        )
    });
    let orders = profile.parent_orders.iter().enumerate().map(|(i, o)| {
        (
            format!("parent_orders[{i}]"),
            &o.column,
            &o.foreign_key,
            &o.parent_column,
        )
    });
    let follows = profile.follows.iter().enumerate().map(|(i, f)| {
        (
            format!("follows[{i}]"),
            &f.column,
            &f.foreign_key,
            &f.parent_column,
        )
    });
    for (field, column, foreign_key, parent_column) in copies.chain(orders).chain(follows) {
        if table.column(column).is_none() {
            return Err(at.fail(&field, format!("names unknown column {column:?}")));
        }
        let Some(fk) = table
            .foreign_keys
            .iter()
            .find(|fk| fk.columns == *foreign_key)
        else {
            return Err(at.fail(
                &field,
                format!("{foreign_key:?} is no foreign key of the table"),
            ));
        };
        let parent = schema.table(&fk.references.table);
        if parent.and_then(|p| p.column(parent_column)).is_none() {
            return Err(at.fail(
                &field,
                format!(
                    "references unknown column {}.{parent_column}",
                    fk.references.table
                ),
            ));
        }
    }
    let clustered = profile.correlations.iter().flat_map(|c| c.clustered.iter());
    for (i, cluster) in clustered.enumerate() {
        let Some(link) = &cluster.parent else {
            continue;
        };
        let field = format!("correlations.clustered[{i}].parent");
        let parent = table
            .foreign_keys
            .iter()
            .find(|fk| fk.columns == cluster.foreign_key)
            .and_then(|fk| schema.table(&fk.references.table));
        let numeric = parent
            .and_then(|p| p.column(&link.column))
            .is_some_and(|c| c.logical.is_numeric());
        if !numeric {
            return Err(at.fail(
                &field,
                format!(
                    "{:?} is no number column of the parent that {:?} references",
                    link.column, cluster.foreign_key
                ),
            ));
        }
        if !(-1.0..=1.0).contains(&link.correlation) {
            return Err(at.fail(
                &format!("{field}.correlation"),
                format!(
                    "{} is no correlation (they lie in [-1, 1])",
                    link.correlation
                ),
            ));
        }
    }
    for (i, copy) in profile.inherited.iter().enumerate() {
        let at = at.join(&format!("inherited[{i}]"));
        rate(&at, "holds", copy.holds)?;
        copied_key(&at, table, copy, schema)?;
    }
    for (i, order) in profile.parent_orders.iter().enumerate() {
        ordered(&at.join(&format!("parent_orders[{i}]")), "gap", &order.gap)?;
    }
    for (i, follow) in profile.follows.iter().enumerate() {
        ordered(&at.join(&format!("follows[{i}]")), "ratio", &follow.ratio)?;
    }
    for (i, total) in profile.totals.iter().enumerate() {
        totals(&at.join(&format!("totals[{i}]")), table, total, schema)?;
    }
    Ok(())
}

/// A copied foreign-key column copies a key of the parent row that references the same table
/// and columns as its own (a payment's customer is its rental's customer): anything else would
/// point the reference at rows of another table.
fn copied_key(
    at: &Path,
    table: &Table,
    copy: &Inherited,
    schema: &Schema,
) -> Result<(), ProfileError> {
    let own = table
        .foreign_keys
        .iter()
        .find(|fk| fk.columns == [copy.column.clone()]);
    let Some(own) = own else {
        return Ok(());
    };
    let parent = table
        .foreign_keys
        .iter()
        .find(|fk| fk.columns == copy.foreign_key)
        .and_then(|fk| schema.table(&fk.references.table));
    let same_target = parent.is_some_and(|p| {
        p.foreign_keys
            .iter()
            .any(|fk| fk.columns == [copy.parent_column.clone()] && fk.references == own.references)
    });
    if same_target {
        return Ok(());
    }
    Err(at.fail(
        "parent_column",
        format!(
            "foreign key column {:?} (to {}) can only copy a parent column that references {} too; {:?} does not",
            copy.column, own.references.table, own.references.table, copy.parent_column
        ),
    ))
}

/// A total names a number column here, a child table whose foreign key references this table,
/// and number columns of that child.
fn totals(at: &Path, table: &Table, total: &Total, schema: &Schema) -> Result<(), ProfileError> {
    if table.column(&total.column).is_none() {
        return Err(at.fail("column", format!("names unknown column {:?}", total.column)));
    }
    let Some(child) = schema.table(&total.children) else {
        return Err(at.fail(
            "children",
            format!("names unknown table {:?}", total.children),
        ));
    };
    let references = child
        .foreign_keys
        .iter()
        .any(|fk| fk.columns == total.foreign_key && fk.references.table == table.name);
    if !references {
        return Err(at.fail(
            "foreign_key",
            format!(
                "{:?} is no foreign key of {} that references {}",
                total.foreign_key, child.name, table.name
            ),
        ));
    }
    match total.sum.iter().find(|c| child.column(c).is_none()) {
        Some(c) => Err(at.fail("sum", format!("names unknown column {}.{c}", child.name))),
        None => rate(at, "holds", total.holds),
    }
}

fn column_stats(at: &Path, s: &ColumnStats, logical: &LogicalType) -> Result<(), ProfileError> {
    rate(at, "null_rate", s.null_rate)?;
    shares(at, "frequent", &s.frequent)?;
    if let Some(n) = &s.numeric {
        numeric(&at.join("numeric"), n)?;
    }
    if let Some(t) = &s.text {
        text(&at.join("text"), t, logical)?;
    }
    if let Some(t) = &s.temporal {
        temporal(&at.join("temporal"), t, logical)?;
    }
    if let Some(b) = &s.boolean {
        rate(at, "boolean.true_rate", b.true_rate)?;
    }
    if let Some(TextModel::Words(w)) = &s.model {
        let at = at.join("model");
        rate(&at, "unknown_rate", w.unknown_rate)?;
        rate(&at, "unknown_capitalized", w.unknown_capitalized)?;
        if let Some(r) = w.first_capitalized {
            rate(&at, "first_capitalized", r)?;
        }
    }
    Ok(())
}

/// A `lookup` model's values fit the column (integers in its range, text within its length),
/// are present where the column is NOT NULL or a key, and distinct on a key column (they
/// become its keys).
fn lookup_values(
    at: &Path,
    s: &ColumnStats,
    column: &Column,
    table: &Table,
) -> Result<(), ProfileError> {
    let Some(TextModel::Lookup { values }) = &s.model else {
        return Ok(());
    };
    let at = at.join("model");
    let mut seen = FxHashSet::default();
    for (i, value) in values.iter().enumerate() {
        let fail = |rule: &str| Err(at.fail(&format!("values[{i}]"), rule.to_string()));
        match value {
            Some(v) if !fits(&column.logical, v) => {
                return fail(&format!("{v:?} does not fit the column's type"));
            }
            None if table.is_key_column(&column.name) || !column.nullable => {
                return fail("a key or NOT NULL column's lookup values must not be NULL");
            }
            Some(v) if table.is_key_column(&column.name) && !seen.insert(v) => {
                return fail(&format!("{v:?} repeats, but the column is a key"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `value` can be stored in a column of type `logical` (integers in range, text
/// within its length; other types are not checked here).
fn fits(logical: &LogicalType, value: &str) -> bool {
    let chars = || value.chars().count() as u64;
    match logical {
        LogicalType::Int16 => value.parse::<i16>().is_ok(),
        LogicalType::Int32 => value.parse::<i32>().is_ok(),
        LogicalType::Int64 => value.parse::<i64>().is_ok(),
        LogicalType::Text {
            max_chars: Some(max),
        } => chars() <= u64::from(*max),
        LogicalType::Char { chars: max } => chars() <= u64::from(*max),
        LogicalType::Bool => matches!(value, "true" | "false"),
        LogicalType::Float32 | LogicalType::Float64 => value.parse::<f64>().is_ok(),
        LogicalType::Decimal { precision, scale } => {
            fits_decimal(value, precision.map(u32::from), scale.map(|s| s as i32))
        }
        _ => true,
    }
}

/// Whether `value` is a decimal number with at most `scale` decimals and `precision` digits.
fn fits_decimal(value: &str, precision: Option<u32>, scale: Option<i32>) -> bool {
    if value.parse::<f64>().is_err() {
        return false;
    }
    let digits = value.trim_start_matches(['-', '+']);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if !whole
        .chars()
        .chain(fraction.chars())
        .all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let scale = scale.unwrap_or(fraction.len() as i32).max(0);
    let whole_digits = whole.trim_start_matches('0').len() as i32;
    fraction.len() as i32 <= scale && precision.is_none_or(|p| whole_digits <= p as i32 - scale)
}

fn numeric(at: &Path, n: &NumericStats) -> Result<(), ProfileError> {
    if n.min.is_nan() || n.max.is_nan() || n.min > n.max {
        return Err(at.fail(
            "min",
            format!("min {} must not exceed max {}", n.min, n.max),
        ));
    }
    if n.step == Some(0) {
        return Err(at.fail("step", "must be a whole number above 0".to_string()));
    }
    ordered(at, "quantiles", &n.quantiles)?;
    precision(at, &n.precision)
}

/// Places within what an f64 writes exactly, each once, their shares summing to 1, and each
/// place's digit shares nine (for 1 to 9) summing to 1.
fn precision(at: &Path, mix: &[Precision]) -> Result<(), ProfileError> {
    if mix.is_empty() {
        return Ok(());
    }
    let mut seen = FxHashSet::default();
    for (i, p) in mix.iter().enumerate() {
        let field = format!("precision[{i}]");
        if !(-6..=15).contains(&p.place) {
            return Err(at.fail(
                &format!("{field}.place"),
                format!("{} is not a place from -6 (millionths) to 15", p.place),
            ));
        }
        if !seen.insert(p.place) {
            return Err(at.fail(
                &format!("{field}.place"),
                format!("place {} is listed twice", p.place),
            ));
        }
        rate(at, &format!("{field}.share"), p.share)?;
        sums_to_one(at, &format!("{field}.digits"), &p.digits, 9)?;
    }
    sum_is_one(at, "precision", mix.iter().map(|p| p.share).sum())
}

fn text(at: &Path, t: &TextStats, logical: &LogicalType) -> Result<(), ProfileError> {
    if t.min_chars > t.max_chars {
        return Err(at.fail(
            "min_chars",
            format!(
                "min_chars {} exceeds max_chars {}",
                t.min_chars, t.max_chars
            ),
        ));
    }
    let limit = match logical {
        LogicalType::Text { max_chars } => *max_chars,
        LogicalType::Char { chars } => Some(*chars),
        _ => None,
    };
    if let Some(limit) = limit.filter(|l| t.max_chars > *l) {
        return Err(at.fail(
            "max_chars",
            format!("{} is longer than the type allows ({limit})", t.max_chars),
        ));
    }
    for (field, rate_value) in [
        ("empty_rate", t.empty_rate),
        ("non_ascii_rate", t.non_ascii_rate),
        ("edge_space_rate", t.edge_space_rate),
    ] {
        rate(at, field, rate_value)?;
    }
    histogram(at, "chars", &t.chars)?;
    histogram(at, "bytes", &t.bytes)?;
    histogram(at, "scripts", &t.scripts)?;
    if let Some(r) = t.accented_rate {
        rate(at, "accented_rate", r)?;
    }
    for (letter, &share) in &t.accents {
        if crate::profile::accent_letter(letter).is_none() {
            return Err(at.fail(
                "accents",
                format!("{letter:?} is not one accented Latin letter (like \"é\")"),
            ));
        }
        rate(at, &format!("accents.{letter}"), share)?;
    }
    shares(at, "shapes", &t.shapes)
}

fn temporal(at: &Path, t: &TemporalStats, logical: &LogicalType) -> Result<(), ProfileError> {
    let mut points = Vec::with_capacity(t.quantiles.len() + 2);
    for (field, text) in [("min", &t.min), ("max", &t.max)]
        .into_iter()
        .chain(t.quantiles.iter().map(|q| ("quantiles", q)))
    {
        let Some(point) = logical.parse_temporal(text) else {
            return Err(at.fail(
                field,
                format!("{text:?} is not a valid value of the column's type"),
            ));
        };
        points.push(point);
    }
    if points[0] > points[1] {
        return Err(at.fail("min", format!("min {} is after max {}", t.min, t.max)));
    }
    ordered(at, "quantiles", &points[2..])?;
    for (field, value) in [
        ("midnight_rate", t.midnight_rate),
        ("month_end_rate", t.month_end_rate),
        ("feb29_rate", t.feb29_rate),
        ("jan1_rate", t.jan1_rate),
        ("month_start_rate", t.month_start_rate),
    ] {
        rate(at, field, value)?;
    }
    sums_to_one(at, "weekdays", &t.weekdays, 7)?;
    sums_to_one(at, "hours", &t.hours, 24)
}

fn relations(at: &Path, table: &TableProfile) -> Result<(), ProfileError> {
    let known = |field: &str, name: &str| match table.schema.column(name) {
        Some(_) => Ok(()),
        None => Err(at.fail(field, format!("names unknown column {name:?}"))),
    };
    for (i, r) in table.rules.iter().enumerate() {
        let field = format!("rules[{i}]");
        known(&field, &r.low)?;
        known(&field, &r.high)?;
        ordered(&at.join(&field), "gap", &r.gap)?;
    }
    for (i, d) in table.derived.iter().enumerate() {
        let field = format!("derived[{i}]");
        let same = d.op == "=";
        if !["+", "-", "="].contains(&d.op.as_str()) || (same && d.clock) {
            return Err(at.fail(
                &field,
                format!("op is {:?}; it must be +, - or = (= without clock)", d.op),
            ));
        }
        for name in [&d.column, &d.left]
            .into_iter()
            .chain((!same).then_some(&d.right))
        {
            known(&field, name)?;
        }
        rate(&at.join(&field), "holds", d.holds)?;
    }
    for (i, p) in table.parts.iter().enumerate() {
        let field = format!("parts[{i}]");
        known(&field, &p.column)?;
        known(&field, &p.of)?;
        rate(&at.join(&field), "holds", p.holds)?;
    }
    let mut dated: Vec<&String> = Vec::new();
    for (i, d) in table.dates.iter().enumerate() {
        let field = format!("dates[{i}]");
        let columns = [&d.month, &d.day]
            .into_iter()
            .chain(Some(&d.year).filter(|y| !y.is_empty()));
        for name in columns {
            if dated.contains(&name) {
                return Err(at.fail(
                    &field,
                    format!("names {name:?} twice (a column serves one date)"),
                ));
            }
            dated.push(name);
        }
        for name in [&d.month, &d.day]
            .into_iter()
            .chain(Some(&d.year).filter(|y| !y.is_empty()))
        {
            known(&field, name)?;
            if !table
                .schema
                .column(name)
                .is_some_and(|c| c.logical.is_integer())
            {
                return Err(at.fail(
                    &field,
                    format!("names {name:?}, which is not an integer column"),
                ));
            }
        }
    }
    for (i, g) in table.groups.iter().enumerate() {
        let field = format!("groups[{i}]");
        for name in &g.columns {
            known(&field, name)?;
        }
        let at = at.join(&field);
        let mut total = 0.0;
        for (j, c) in g.combinations.iter().enumerate() {
            let field = format!("combinations[{j}]");
            one_per_column(&at, &field, "values", c.values.len(), g.columns.len())?;
            rate(&at.join(&field), "share", c.share)?;
            total += c.share;
        }
        at_most_one(&at, "combinations", total)?;
        if let Some(address) = &g.address {
            validate_address(&at.join("address"), address, &g.columns)?;
        }
    }
    let mut grouped = std::collections::BTreeSet::new();
    for (i, g) in table.nulls.iter().enumerate() {
        let field = format!("nulls[{i}]");
        for name in &g.columns {
            known(&field, name)?;
            if !grouped.insert(name) {
                return Err(at.fail(
                    &field,
                    format!("names {name:?} again; a column belongs to one null group, once"),
                ));
            }
        }
        one_per_column(at, &field, "starts", g.starts.len(), g.columns.len())?;
        if let Some(s) = g.starts.iter().find(|s| !(0.0..1.0).contains(*s)) {
            return Err(at.join(&field).fail(
                "starts",
                format!("{s} is no start (starts are shares of the rows, in [0, 1))"),
            ));
        }
    }
    for (i, f) in table.null_follows.iter().enumerate() {
        let field = format!("null_follows[{i}]");
        known(&field, &f.column)?;
        known(&field, &f.follows)?;
        let at = at.join(&field);
        let leads_a_follower = table.null_follows.iter().any(|g| g.follows == f.column);
        if f.column == f.follows || leads_a_follower || !grouped.insert(&f.column) {
            return Err(at.fail(
                "column",
                format!(
                    "{:?} follows itself, another column, or a null group already, or is \
                     followed itself",
                    f.column
                ),
            ));
        }
        rate(&at, "when_null", f.when_null)?;
        rate(&at, "when_present", f.when_present)?;
    }
    if let Some(c) = &table.correlations {
        let field = "correlations";
        for name in &c.columns {
            known(field, name)?;
        }
        let n = c.columns.len();
        let matrices = std::iter::once(("spearman", &c.spearman))
            .chain(c.normal.as_ref().map(|m| ("normal", m)));
        for (name, matrix) in matrices {
            if matrix.len() != n || matrix.iter().any(|row| row.len() != n) {
                return Err(at.fail(field, format!("{name} must be a {n} × {n} matrix")));
            }
            if let Some(x) = matrix.iter().flatten().find(|x| !(-1.0..=1.0).contains(*x)) {
                return Err(at.fail(
                    field,
                    format!("{name}: {x} is no correlation (they lie in [-1, 1])"),
                ));
            }
        }
        for (i, k) in c.clustered.iter().enumerate() {
            let field = format!("correlations.clustered[{i}]");
            among_columns(at, &field, c, "clusters", &k.column)?;
            rate(at, &format!("{field}.share"), k.share)?;
            if !table
                .schema
                .foreign_keys
                .iter()
                .any(|fk| fk.columns == k.foreign_key)
            {
                return Err(at.fail(
                    &field,
                    format!("{:?} is not one of the table's foreign keys", k.foreign_key),
                ));
            }
        }
        for (i, shift) in c.shifts.iter().enumerate() {
            let field = format!("correlations.shifts[{i}]");
            validate_shift(at, &field, c, table, shift)?;
            if c.shifts[..i].iter().any(|s| s.column == shift.column) {
                let twice = format!("shifts {:?} again (a column takes one shift)", shift.column);
                return Err(at.fail(&field, twice));
            }
        }
        for (i, r) in c.ranked.iter().enumerate() {
            let field = format!("correlations.ranked[{i}]");
            among_columns(at, &field, c, "ranks", &r.column)?;
            let frequent = table
                .stats(&r.column)
                .map(|s| &s.frequent[..])
                .unwrap_or_default();
            for (j, value) in r.order.iter().enumerate() {
                let listed = value
                    .as_ref()
                    .is_none_or(|v| frequent.iter().any(|f| &f.value == v));
                if !listed || r.order[..j].contains(value) {
                    return Err(at.fail(
                        &format!("{field}.order[{j}]"),
                        format!(
                            "{value:?} must be one of the column's frequent values (or null, \
                             once), each listed once"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// An address group: one part per column, countries' shares summing to at most one, one
/// entry per part in each country, and NULL patterns of the group's own columns.
fn validate_address(
    at: &Path,
    address: &crate::profile::address::Address,
    names: &[String],
) -> Result<(), ProfileError> {
    let columns = names.len();
    if address.parts.len() != columns {
        return Err(at.fail(
            "parts",
            format!("names {} parts for {columns} columns", address.parts.len()),
        ));
    }
    let mut total = 0.0;
    for (i, c) in address.countries.iter().enumerate() {
        let field = format!("countries[{i}]");
        let at = at.join(&field);
        rate(&at, "share", c.share)?;
        total += c.share;
        if c.parts.len() != columns {
            return Err(at.fail(
                "parts",
                format!("holds {} parts for {columns} columns", c.parts.len()),
            ));
        }
        for (j, p) in c.parts.iter().enumerate() {
            let at = at.join(&format!("parts[{j}]"));
            rate(&at, "null_rate", p.null_rate)?;
            shares(&at, "values", &p.values)?;
            shares(&at, "shapes", &p.shapes)?;
        }
        let mut patterns = 0.0;
        for (j, n) in c.nulls.iter().enumerate() {
            let at = at.join(&format!("nulls[{j}]"));
            rate(&at, "share", n.share)?;
            patterns += n.share;
            if n.columns.is_empty() {
                return Err(at.fail("columns", "names no column".to_string()));
            }
            for (k, name) in n.columns.iter().enumerate() {
                if !names.contains(name) {
                    return Err(at.fail(
                        "columns",
                        format!("names {name:?}, which is not a column of the group"),
                    ));
                }
                if n.columns[..k].contains(name) {
                    return Err(at.fail("columns", format!("names {name:?} twice")));
                }
            }
        }
        at_most_one(&at, "nulls", patterns)?;
    }
    at_most_one(at, "countries", total)
}

/// A shift moves one of the correlations' columns by a text column of the table, once per
/// listed value, to a finite mean and a spread of at least 0.
fn validate_shift(
    at: &Path,
    field: &str,
    correlations: &Correlations,
    table: &TableProfile,
    shift: &CategoryShift,
) -> Result<(), ProfileError> {
    among_columns(at, field, correlations, "shifts", &shift.column)?;
    let category = table.schema.column(&shift.category);
    if !category.is_some_and(|c| c.logical.is_textual()) {
        return Err(at.fail(
            &format!("{field}.category"),
            format!("{:?} is not a text column of the table", shift.category),
        ));
    }
    for (j, level) in shift.levels.iter().enumerate() {
        let field = format!("{field}.levels[{j}]");
        if shift.levels[..j].iter().any(|l| l.value == level.value) {
            return Err(at.fail(&field, format!("{:?} is listed twice", level.value)));
        }
        if !(level.mean.is_finite() && level.spread.is_finite() && level.spread >= 0.0) {
            return Err(at.fail(
                &field,
                format!(
                    "mean {} and spread {} must be finite, the spread at least 0",
                    level.mean, level.spread
                ),
            ));
        }
    }
    Ok(())
}

/// An entry of the correlations (`what` it does, such as `ranks`) must name one of their
/// columns.
fn among_columns(
    at: &Path,
    field: &str,
    correlations: &Correlations,
    what: &str,
    column: &str,
) -> Result<(), ProfileError> {
    if correlations.columns.iter().any(|c| c == column) {
        Ok(())
    } else {
        Err(at.fail(
            field,
            format!("{what} {column:?}, which is not among the columns"),
        ))
    }
}

/// `differs_from` of the key on `columns` names another foreign key to the same parent columns.
fn same_parent(
    at: &Path,
    table: &Table,
    columns: &[String],
    other: &[String],
) -> Result<(), ProfileError> {
    let key = |columns: &[String]| table.foreign_keys.iter().find(|fk| fk.columns == columns);
    match (key(columns), key(other)) {
        (Some(a), Some(b)) if a.references == b.references && a.columns != b.columns => Ok(()),
        _ => Err(at.fail(
            "differs_from",
            format!("{other:?} is not another foreign key to the same parent columns"),
        )),
    }
}

/// An entry that holds one `what` per column of its group.
fn one_per_column(
    at: &Path,
    field: &str,
    what: &str,
    found: usize,
    columns: usize,
) -> Result<(), ProfileError> {
    if found == columns {
        Ok(())
    } else {
        Err(at.fail(field, format!("holds {found} {what} for {columns} columns")))
    }
}

fn rate(at: &Path, field: &str, x: f64) -> Result<(), ProfileError> {
    if (0.0..=1.0).contains(&x) {
        Ok(())
    } else {
        Err(at.fail(field, format!("{x} is not a rate (rates lie in [0, 1])")))
    }
}

fn ordered(at: &Path, field: &str, points: &[f64]) -> Result<(), ProfileError> {
    match points
        .windows(2)
        .position(|w| w[0].partial_cmp(&w[1]).is_none_or(|o| o.is_gt()))
    {
        None => Ok(()),
        Some(i) => Err(at.fail(
            field,
            format!(
                "must be in ascending order, but point {} is above point {}",
                i,
                i + 1
            ),
        )),
    }
}

/// Each share a rate, summing to at most 1 (the rest is values not listed).
fn shares(at: &Path, field: &str, list: &[Share]) -> Result<(), ProfileError> {
    for (i, s) in list.iter().enumerate() {
        rate(at, &format!("{field}[{i}].share"), s.share)?;
    }
    at_most_one(at, field, list.iter().map(|s| s.share).sum())
}

fn histogram<K: std::fmt::Display>(
    at: &Path,
    field: &str,
    map: &BTreeMap<K, f64>,
) -> Result<(), ProfileError> {
    for (key, share) in map {
        rate(at, &format!("{field}.{key}"), *share)?;
    }
    // Empty, or all zero when the column holds no characters at all.
    let total: f64 = map.values().sum();
    if total == 0.0 {
        return Ok(());
    }
    sum_is_one(at, field, total)
}

fn sums_to_one(at: &Path, field: &str, list: &[f64], len: usize) -> Result<(), ProfileError> {
    if list.is_empty() {
        return Ok(());
    }
    if list.len() != len {
        return Err(at.fail(
            field,
            format!("holds {} shares; it needs {len}", list.len()),
        ));
    }
    for (i, x) in list.iter().enumerate() {
        rate(at, &format!("{field}[{i}]"), *x)?;
    }
    sum_is_one(at, field, list.iter().sum())
}

fn sum_is_one(at: &Path, field: &str, total: f64) -> Result<(), ProfileError> {
    if (total - 1.0).abs() <= SUM_TOLERANCE {
        Ok(())
    } else {
        Err(at.fail(
            field,
            format!("shares sum to {total:.4}; they must sum to 1"),
        ))
    }
}

fn at_most_one(at: &Path, field: &str, total: f64) -> Result<(), ProfileError> {
    if total <= 1.0 + SUM_TOLERANCE {
        Ok(())
    } else {
        Err(at.fail(
            field,
            format!("shares sum to {total:.4}; they must not exceed 1"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_values_fit_decimal_and_boolean_columns_only_when_well_formed() {
        let decimal = LogicalType::Decimal {
            precision: Some(5),
            scale: Some(2),
        };
        for (value, fits_it) in [
            ("123.45", true),
            ("-0.5", true),
            ("1234.5", false),
            ("1.234", false),
            ("1e3", false),
            ("abc", false),
        ] {
            assert_eq!(fits(&decimal, value), fits_it, "{value}");
        }
        let boolean = LogicalType::Bool;
        assert!(fits(&boolean, "true") && fits(&boolean, "false"));
        assert!(!fits(&boolean, "True") && !fits(&boolean, "1"));
        assert!(fits(&LogicalType::Float64, "1e-7") && !fits(&LogicalType::Float64, "n/a"));
    }
}
