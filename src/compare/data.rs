//! Comparing two observed sources: every table of the real side against the synthetic table of
//! the same name, column by column, pair by pair, key by key.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};

use super::association::{association, measure_name, Role, Values, NULL_PHI};
use super::cells::Cell;
use super::column::{self, kind_of, Kind, RareCopies, SampleFigures, Side, RARE_BELOW};
use super::distance::ks_histograms;
use super::observe::{words_of, ObservedTable, SampleRow};
use super::report::{
    Chart, ChartKind, ForeignKeyReport, OrderRuleReport, PairReport, Presence, Report, TableReport,
};
use crate::profile::locale::in_public_lists;
use crate::profile::relations::pearson;
use crate::profile::sample::Sampled;
use crate::profile::{looks_like, shape_into, ColumnStats, FanOut, Semantic};
use crate::schema::ForeignKey;

/// Columns per table taken into pair figures; parent and child columns per foreign key.
const PAIR_COLUMNS: usize = 30;
const JOIN_COLUMNS: usize = 12;
/// Fewest NULLs a column needs in the real sample for its NULLs to be paired with others'.
const PAIRED_NULLS: usize = 5;
/// The least |phi| on either side for a pair of NULL indicators to be reported.
const NULL_LINK: f64 = 0.1;
/// A shape is a column's dominant shape when this share of values has it.
const DOMINANT_SHAPE: f64 = 0.3;

pub fn compare(
    real: &[ObservedTable],
    synthetic: &[ObservedTable],
    real_name: String,
    synthetic_name: String,
    lookups: &[String],
) -> Report {
    let mut tables: Vec<TableReport> = real
        .iter()
        .map(
            |r| match synthetic.iter().find(|s| s.table.name == r.table.name) {
                Some(s) => compare_table(r, s, real, synthetic, lookups),
                None => missing_table(r),
            },
        )
        .collect();
    for s in synthetic {
        if !real.iter().any(|r| r.table.name == s.table.name) {
            tables.push(TableReport {
                presence: Presence::OnlyInSynthetic,
                rows_synthetic: s.rows,
                ..empty_table(&s.table.name)
            });
        }
    }
    Report::new("data", real_name, synthetic_name, tables)
}

pub(super) fn empty_table(name: &str) -> TableReport {
    TableReport {
        name: name.into(),
        presence: Presence::Both,
        rows_real: 0,
        rows_synthetic: 0,
        pk_violations: 0,
        unique_violations: 0,
        fk_orphans: 0,
        exact_copy_rate: None,
        columns: Vec::new(),
        pairs: Vec::new(),
        order_rules: Vec::new(),
        foreign_keys: Vec::new(),
        changes: Vec::new(),
    }
}

fn missing_table(r: &ObservedTable) -> TableReport {
    TableReport {
        presence: Presence::MissingInSynthetic,
        rows_real: r.rows,
        columns: r
            .table
            .columns
            .iter()
            .zip(&r.stats)
            .map(|(c, s)| {
                column::missing(&Side {
                    column: c,
                    stats: s,
                    rows: r.rows,
                })
            })
            .collect(),
        ..empty_table(&r.table.name)
    }
}

fn side<'a>(t: &'a ObservedTable, i: usize) -> Side<'a> {
    Side {
        column: &t.table.columns[i],
        stats: &t.stats[i],
        rows: t.rows,
    }
}

/// `lookups` names the tables whose rows keep their real keys (lookup tables): references to
/// them are compared by value, since a key names the same row on both sides.
fn compare_table(
    r: &ObservedTable,
    s: &ObservedTable,
    real_tables: &[ObservedTable],
    synthetic_tables: &[ObservedTable],
    lookups: &[String],
) -> TableReport {
    let mut columns = Vec::new();
    for (i, c) in r.table.columns.iter().enumerate() {
        columns.push(match s.table.column_index(&c.name) {
            Some(j) if r.table.in_any_key(&c.name) => column::compare_key(
                &side(r, i),
                &side(s, j),
                column::names_a_lookup_row(&r.table, &c.name, lookups),
            ),
            Some(j) => column::compare(&side(r, i), &side(s, j), &sample_figures(r, i, s, j)),
            None => column::missing(&side(r, i)),
        });
    }
    for (j, c) in s.table.columns.iter().enumerate() {
        if r.table.column_index(&c.name).is_none() {
            columns.push(column::extra(&side(s, j)));
        }
    }
    let violations = |t: &ObservedTable, key: &[String]| {
        t.key_violations
            .iter()
            .find(|(cols, _)| cols == key)
            .map_or(0, |(_, n)| *n)
    };
    let unique_violations = r.table.unique.iter().map(|k| violations(s, k)).sum();
    let foreign_keys: Vec<ForeignKeyReport> = r
        .foreign_keys
        .iter()
        .filter_map(|(fk, ..)| compare_foreign_key(fk, r, s, real_tables, synthetic_tables))
        .collect();
    TableReport {
        rows_real: r.rows,
        rows_synthetic: s.rows,
        pk_violations: violations(s, &r.table.primary_key),
        unique_violations,
        fk_orphans: foreign_keys.iter().map(|f| f.fk_orphans).sum(),
        exact_copy_rate: exact_copies(r, s),
        columns,
        pairs: [pairs(r, s), null_pairs(r, s)].concat(),
        order_rules: order_rules(r, s),
        foreign_keys,
        ..empty_table(&r.table.name)
    }
}

/// The sampled cells of column `i`.
fn column_cells(sample: &Sampled<SampleRow>, i: usize) -> impl Iterator<Item = &Cell> {
    sample.values().filter_map(move |row| row.cells.get(i))
}

/// Figures read from the row samples: dominant shape, vocabulary, verbatim copies.
fn sample_figures(r: &ObservedTable, i: usize, s: &ObservedTable, j: usize) -> SampleFigures {
    if kind_of(&side(r, i)) != Kind::Text && kind_of(&side(r, i)) != Kind::Category {
        return SampleFigures::default();
    }
    let texts = |t: &ObservedTable, k: usize| -> Vec<String> {
        column_cells(&t.sample, k)
            .filter_map(|c| c.text().map(str::to_string))
            .collect()
    };
    let (real_texts, synthetic_texts) = (texts(r, i), texts(s, j));
    let shape = dominant_shape(&r.stats[i]).map(|rule| {
        let share = |values: &[String]| share_of(values, |v| rule.matches(v));
        (rule.name(), share(&real_texts), share(&synthetic_texts))
    });
    let vocabulary = r.vocabularies[i].as_ref().and_then(|vocabulary| {
        let real = coverage(&real_texts, vocabulary)?;
        Some((real, coverage(&synthetic_texts, vocabulary).unwrap_or(0.0)))
    });
    let verbatim = r.values[i].as_ref().map(|set| {
        let (checked, found) = set.matches(
            column_cells(&s.sample, j)
                .filter(|c| c.text().is_some())
                .map(Cell::hash),
        );
        if checked == 0 {
            0.0
        } else {
            found as f64 / checked as f64
        }
    });
    SampleFigures {
        shape,
        vocabulary,
        verbatim,
        rare: rare_copies(&side(r, i), &synthetic_texts),
    }
}

/// How many sampled synthetic values equal a real value that fewer than [`RARE_BELOW`] real
/// rows hold, by whether a public list holds it. Needs the real column's every value (up to
/// the observer's category limit), so that "rare" is known, not guessed.
fn rare_copies(real: &Side, synthetic: &[String]) -> Option<RareCopies> {
    let stats = real.stats;
    let listed = stats.frequent.len() as u64;
    if synthetic.is_empty() || listed == 0 || listed < stats.distinct {
        return None;
    }
    let present = real.rows as f64 * (1.0 - stats.null_rate);
    let rare: FxHashSet<&str> = stats
        .frequent
        .iter()
        .filter(|f| (f.share * present).round() < RARE_BELOW)
        .map(|f| f.value.as_str())
        .collect();
    let mut counts = RareCopies::default();
    for v in synthetic.iter().filter(|v| rare.contains(v.as_str())) {
        if in_public_lists(v) {
            counts.public_list += 1.0;
        } else {
            counts.other += 1.0;
        }
    }
    let n = synthetic.len() as f64;
    Some(RareCopies {
        public_list: counts.public_list / n,
        other: counts.other / n,
    })
}

fn share_of(values: &[String], test: impl Fn(&str) -> bool) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| test(v)).count() as f64 / values.len() as f64
}

/// The shape most real values of a text column follow.
enum ShapeRule {
    Semantic(Semantic),
    Template(String),
}

impl ShapeRule {
    fn name(&self) -> String {
        match self {
            ShapeRule::Semantic(s) => format!("{s:?}").to_lowercase(),
            ShapeRule::Template(t) => t.clone(),
        }
    }

    fn matches(&self, v: &str) -> bool {
        match self {
            ShapeRule::Semantic(s) => looks_like(v) == Some(*s),
            ShapeRule::Template(t) => {
                let mut shape = String::new();
                shape_into(v, &mut shape);
                &shape == t
            }
        }
    }
}

fn dominant_shape(stats: &ColumnStats) -> Option<ShapeRule> {
    if let Some(s @ (Semantic::Email | Semantic::Url | Semantic::Uuid | Semantic::Phone)) =
        stats.semantic
    {
        return Some(ShapeRule::Semantic(s));
    }
    let top = stats.text.as_ref()?.shapes.first()?;
    (top.share >= DOMINANT_SHAPE).then(|| ShapeRule::Template(top.value.clone()))
}

/// Share of the words of `values` that the vocabulary holds (`None` without words).
fn coverage(values: &[String], vocabulary: &FxHashSet<String>) -> Option<f64> {
    let (mut words, mut known) = (0u64, 0u64);
    for v in values {
        for w in words_of(v) {
            words += 1;
            known += vocabulary.contains(&w.to_lowercase()) as u64;
        }
    }
    (words > 0).then(|| known as f64 / words as f64)
}

/// Share of sampled synthetic rows whose non-key values equal a real row's.
fn exact_copies(r: &ObservedTable, s: &ObservedTable) -> Option<f64> {
    let copies = r.copies.as_ref()?;
    let (checked, found) = copies.matches(s.sample.values().map(|row| row.copy_hash));
    (checked > 0).then(|| found as f64 / checked as f64)
}

/// How a column takes part in pair figures, if it does: not a key, sampled, and present on the
/// synthetic side with a comparable kind.
fn role(t: &ObservedTable, i: usize) -> Option<Role> {
    if t.table.in_any_key(&t.table.columns[i].name)
        || i >= t.sample.entries.first().map_or(0, |e| e.2.cells.len())
    {
        return None;
    }
    match kind_of(&side(t, i)) {
        Kind::Number | Kind::Date | Kind::Time | Kind::Timestamp => Some(Role::Ordered),
        Kind::Boolean | Kind::Category => Some(Role::Category),
        Kind::Text => None,
    }
}

/// A column's sampled values in the form its role needs.
enum Owned {
    Ordered(Vec<Option<f64>>),
    Category(Vec<Option<u64>>),
}

impl Owned {
    fn of<'a>(role: Role, cells: impl Iterator<Item = &'a Cell>) -> Owned {
        match role {
            Role::Ordered => Owned::Ordered(cells.map(Cell::number).collect()),
            Role::Category => Owned::Category(
                cells
                    .map(|c| (!matches!(c, Cell::Null)).then(|| c.hash()))
                    .collect(),
            ),
        }
    }

    fn values(&self) -> Values<'_> {
        match self {
            Owned::Ordered(v) => Values::Ordered(v),
            Owned::Category(v) => Values::Category(v),
        }
    }
}

/// Association of every pair of eligible columns, real beside synthetic.
fn pairs(r: &ObservedTable, s: &ObservedTable) -> Vec<PairReport> {
    let eligible: Vec<(usize, usize, Role)> = (0..r.table.columns.len())
        .filter_map(|i| {
            let role = role(r, i)?;
            let j = s.table.column_index(&r.table.columns[i].name)?;
            (j < s.sample.entries.first().map_or(0, |e| e.2.cells.len())).then_some((i, j, role))
        })
        .take(PAIR_COLUMNS)
        .collect();
    let real: Vec<Owned> = eligible
        .iter()
        .map(|&(i, _, role)| Owned::of(role, column_cells(&r.sample, i)))
        .collect();
    let synthetic: Vec<Owned> = eligible
        .iter()
        .map(|&(_, j, role)| Owned::of(role, column_cells(&s.sample, j)))
        .collect();
    let mut out = Vec::new();
    for a in 0..eligible.len() {
        for b in a + 1..eligible.len() {
            let name = |k: usize| r.table.columns[eligible[k].0].name.clone();
            if let Some(pair) = pair_report(
                name(a),
                name(b),
                (eligible[a].2, eligible[b].2),
                (&real[a], &real[b]),
                (&synthetic[a], &synthetic[b]),
            ) {
                out.push(pair);
            }
        }
    }
    out
}

/// For each pair of columns that both hold NULLs in the real sample, how the rows where they
/// are NULL go together (the correlation of the two NULL indicators, `null_phi`: 1 when they
/// are NULL on the same rows, negative when they avoid each other), real beside synthetic.
/// Pairs whose NULLs are unrelated on both sides (|phi| below [`NULL_LINK`]) are left out, so
/// that the many unrelated pairs of a wide table do not drown the few that matter.
fn null_pairs(r: &ObservedTable, s: &ObservedTable) -> Vec<PairReport> {
    let sampled = |t: &ObservedTable| t.sample.entries.first().map_or(0, |e| e.2.cells.len());
    let indicators = |t: &ObservedTable, i: usize| -> Vec<f64> {
        column_cells(&t.sample, i)
            .map(|c| if matches!(c, Cell::Null) { 1.0 } else { 0.0 })
            .collect()
    };
    let eligible: Vec<(&str, Vec<f64>, Vec<f64>)> = r
        .table
        .columns
        .iter()
        .enumerate()
        .filter(|(i, c)| *i < sampled(r) && !r.table.is_key_column(&c.name))
        .filter_map(|(i, c)| {
            let j = s.table.column_index(&c.name).filter(|&j| j < sampled(s))?;
            let real = indicators(r, i);
            let nulls = real.iter().filter(|&&x| x == 1.0).count();
            (nulls >= PAIRED_NULLS && nulls < real.len())
                .then(|| (c.name.as_str(), real, indicators(s, j)))
        })
        .take(PAIR_COLUMNS)
        .collect();
    let mut out = Vec::new();
    for (a, (left, real_a, synthetic_a)) in eligible.iter().enumerate() {
        for (right, real_b, synthetic_b) in &eligible[a + 1..] {
            let (x, y) = (pearson(real_a, real_b), pearson(synthetic_a, synthetic_b));
            if x.abs().max(y.abs()) >= NULL_LINK {
                out.push(PairReport {
                    left: left.to_string(),
                    right: right.to_string(),
                    measure: NULL_PHI.into(),
                    real: x,
                    synthetic: y,
                    difference: (x - y).abs(),
                });
            }
        }
    }
    out
}

fn pair_report(
    left: String,
    right: String,
    roles: (Role, Role),
    real: (&Owned, &Owned),
    synthetic: (&Owned, &Owned),
) -> Option<PairReport> {
    let x = association(real.0.values(), real.1.values())?;
    let y = association(synthetic.0.values(), synthetic.1.values()).unwrap_or(0.0);
    Some(PairReport {
        left,
        right,
        measure: measure_name(roles.0, roles.1).into(),
        real: x,
        synthetic: y,
        difference: (x - y).abs(),
    })
}

/// Each `a <= b` (or `a < b`) that held in every real row, and how often synthetic rows break it.
fn order_rules(r: &ObservedTable, s: &ObservedTable) -> Vec<OrderRuleReport> {
    let mut rules = Vec::new();
    for p in &r.order.pairs {
        let Some((low, high, strict)) = p.rule() else {
            continue;
        };
        let (low, high) = (&r.table.columns[low].name, &r.table.columns[high].name);
        // A clock time (`HHMM`) and a count are in different units: an order between them
        // is chance, and the profile learns none (see `profile::relations`).
        let numeric = |name: &String| {
            (r.stats.iter().find(|st| &st.column == name)).and_then(|st| st.numeric.as_ref())
        };
        if numeric(low).is_some_and(|n| n.clock) != numeric(high).is_some_and(|n| n.clock) {
            continue;
        }
        // Ranges that do not meet (`month < year`) keep the order whatever is generated:
        // counting it would only pad the rules kept.
        if let (Some(l), Some(h)) = (numeric(low), numeric(high)) {
            if l.max < h.min {
                continue;
            }
        }
        let Some(broken) = broken_share(s, low, high, strict) else {
            continue;
        };
        rules.push(OrderRuleReport {
            left: low.clone(),
            operator: if strict { "<" } else { "<=" }.into(),
            right: high.clone(),
            rows_real: p.rows,
            broken_synthetic: broken,
        });
    }
    rules
}

/// Share of synthetic rows breaking `low <= high` (or `<`).
fn broken_share(s: &ObservedTable, low: &str, high: &str, strict: bool) -> Option<f64> {
    let (i, j) = (s.table.column_index(low)?, s.table.column_index(high)?);
    let p = s.order.pair(i, j).filter(|p| p.rows > 0)?;
    Some(p.broken(i, strict) as f64 / p.rows as f64)
}

fn observed<'a>(tables: &'a [ObservedTable], name: &str) -> Option<&'a ObservedTable> {
    tables.iter().find(|t| t.table.name == name)
}

fn compare_foreign_key(
    fk: &ForeignKey,
    r: &ObservedTable,
    s: &ObservedTable,
    real_tables: &[ObservedTable],
    synthetic_tables: &[ObservedTable],
) -> Option<ForeignKeyReport> {
    let parent_real = observed(real_tables, &fk.references.table)?;
    let parent_synthetic = observed(synthetic_tables, &fk.references.table);
    let fan_out = |t: &ObservedTable, parent: &ObservedTable| {
        let (_, acc, _) = t
            .foreign_keys
            .iter()
            .find(|(k, ..)| k.columns == fk.columns)?;
        let (_, keys, _) = parent
            .referenced
            .iter()
            .find(|(cols, ..)| cols == &fk.references.columns)?;
        Some((acc.finish(parent.rows), acc.orphans(keys)))
    };
    let (real_fan_out, _) = fan_out(r, parent_real)?;
    let (synthetic_fan_out, orphans) = parent_synthetic
        .and_then(|p| fan_out(s, p))
        .unwrap_or_else(|| (FanOut::default(), s.rows));
    let mut report = fan_out_report(fk, &real_fan_out, &synthetic_fan_out);
    report.fk_orphans = orphans;
    report.orphan_share_synthetic = (orphans as f64 / s.rows.max(1) as f64).min(1.0);
    if let Some(ps) = parent_synthetic {
        let (real, synthetic) = ((parent_real, r), (ps, s));
        let rows = (joined(parent_real, r, fk), joined(ps, s, fk));
        report.pairs = join_pairs(real, synthetic, &rows);
        report.pairs.extend(copy_pairs(fk, real, synthetic, &rows));
    }
    Some(report)
}

/// Children per parent on both sides: KS distance, childless shares, and a chart.
pub(super) fn fan_out_report(fk: &ForeignKey, x: &FanOut, y: &FanOut) -> ForeignKeyReport {
    let histogram = |f: &FanOut| -> BTreeMap<u64, f64> {
        f.histogram.iter().map(|(&k, &v)| (k, v as f64)).collect()
    };
    let (hx, hy) = (histogram(x), histogram(y));
    let keys: BTreeSet<u64> = hx.keys().chain(hy.keys()).copied().collect();
    let shares = |h: &BTreeMap<u64, f64>| {
        let total = h.values().sum::<f64>().max(1e-12);
        keys.iter()
            .map(|k| h.get(k).copied().unwrap_or(0.0) / total)
            .collect()
    };
    ForeignKeyReport {
        columns: fk.columns.clone(),
        parent: fk.references.table.clone(),
        parent_columns: fk.references.columns.clone(),
        fk_orphans: 0,
        orphan_share_synthetic: 0.0,
        children_ks: ks_histograms(&hx, &hy),
        childless_real: x.zero_share,
        childless_synthetic: y.zero_share,
        children_mean_real: x.mean,
        children_mean_synthetic: y.mean,
        children_max_real: x.max,
        children_max_synthetic: y.max,
        pairs: Vec::new(),
        chart: Some(Chart {
            title: format!("children per {} row", fk.references.table),
            kind: ChartKind::Bars,
            labels: keys.iter().map(|k| k.to_string()).collect(),
            real: shares(&hx),
            synthetic: shares(&hy),
        }),
    }
}

/// A child row beside its parent row: (parent cells, child cells).
type JoinedRow<'a> = (&'a [Cell], &'a [Cell]);

/// The joined rows of the real side and of the synthetic side.
type JoinedSides<'a> = (Vec<JoinedRow<'a>>, Vec<JoinedRow<'a>>);

/// Parent rows and child rows joined through the key, on the key values both samples kept.
fn joined<'a>(
    parent: &'a ObservedTable,
    child: &'a ObservedTable,
    fk: &ForeignKey,
) -> Vec<JoinedRow<'a>> {
    let Some((_, _, parents)) = parent
        .referenced
        .iter()
        .find(|(cols, ..)| cols == &fk.references.columns)
    else {
        return Vec::new();
    };
    let Some((_, _, children)) = child
        .foreign_keys
        .iter()
        .find(|(k, ..)| k.columns == fk.columns)
    else {
        return Vec::new();
    };
    let level = parents.level.max(children.level);
    let mut out = Vec::new();
    for (hash, _, cells) in &children.entries {
        if hash.trailing_zeros() < level {
            continue;
        }
        let at = parents.entries.partition_point(|e| e.0 < *hash);
        if let Some((h, _, parent_cells)) = parents.entries.get(at) {
            if h == hash {
                out.push((parent_cells.as_slice(), cells.as_slice()));
            }
        }
    }
    out
}

/// Joined rows a copy figure needs on the real side before it counts.
const MIN_COPY_ROWS: usize = 20;

/// Child columns that repeat a column of their parent row: an invoice's billing country is its
/// customer's, a payment's customer is its rental's (keys count here; the joined key itself
/// does not). For each parent and child column of one type that agree in at least half of
/// the real joined rows, and far more often than chance would have them agree, the share that
/// agree among rows where either holds a value, real beside synthetic, measure `copied`.
fn copy_pairs(
    fk: &ForeignKey,
    real: (&ObservedTable, &ObservedTable),
    synthetic: (&ObservedTable, &ObservedTable),
    (real_rows, synthetic_rows): &JoinedSides,
) -> Vec<PairReport> {
    if real_rows.len() < MIN_COPY_ROWS {
        return Vec::new();
    }
    let sampled = |rows: &[JoinedRow], parent: bool| {
        rows.first()
            .map_or(0, |(p, c)| if parent { p.len() } else { c.len() })
    };
    let (parent, child) = (&real.0.table, &real.1.table);
    let mut out = Vec::new();
    for (pi, pc) in parent
        .columns
        .iter()
        .enumerate()
        .take(sampled(real_rows, true))
    {
        for (ci, cc) in child
            .columns
            .iter()
            .enumerate()
            .take(sampled(real_rows, false))
        {
            // Cells compare by value whatever the width (varchar(40) against varchar(60)).
            let same_kind = pc.logical.arrow_type() == cc.logical.arrow_type();
            if !same_kind || fk.columns.contains(&cc.name) {
                continue;
            }
            let Some(x) = agreement(real_rows, pi, ci).filter(|&x| x >= 0.5) else {
                continue;
            };
            // Agreement far above chance (Cohen's kappa at least ½): a quantity of 1 beside a
            // media type that is mostly 1, or two ids in {1, 2}, agree by chance alone.
            let chance = chance_agreement(real_rows, pi, ci);
            if chance >= 1.0 || (x - chance) / (1.0 - chance) < 0.5 {
                continue;
            }
            let at = |t: &ObservedTable, name: &str| t.table.column_index(name);
            // A copy the synthetic side no longer holds at all counts as broken.
            let y = match (at(synthetic.0, &pc.name), at(synthetic.1, &cc.name)) {
                (Some(pj), Some(cj)) => agreement(synthetic_rows, pj, cj).unwrap_or(0.0),
                _ => 0.0,
            };
            out.push(PairReport {
                left: format!("{}.{}", parent.name, pc.name),
                right: format!("{}.{}", child.name, cc.name),
                measure: "copied".into(),
                real: x,
                synthetic: y,
                difference: (x - y).abs(),
            });
        }
    }
    out
}

/// Of the joined rows where the parent's column `p` or the child's column `c` holds a value,
/// the share where the two are equal; `None` without such rows (or if `p` or `c` was not
/// sampled).
fn agreement(rows: &[JoinedRow], p: usize, c: usize) -> Option<f64> {
    let (mut compared, mut equal) = (0u64, 0u64);
    for (parent, child) in rows {
        let (a, b) = (parent.get(p)?, child.get(c)?);
        if matches!((a, b), (Cell::Null, Cell::Null)) {
            continue;
        }
        compared += 1;
        equal += u64::from(a.hash() == b.hash());
    }
    (compared > 0).then(|| equal as f64 / compared as f64)
}

/// How often the parent's column `p` and the child's column `c` would agree if each row's
/// child value were paired with a parent value at random: the sum over values of the product
/// of their shares on the two sides, over the rows [`agreement`] counts (not NULL in both).
fn chance_agreement(rows: &[JoinedRow], p: usize, c: usize) -> f64 {
    let counted: Vec<&JoinedRow> = rows
        .iter()
        .filter(|(pc, cc)| !matches!((pc.get(p), cc.get(c)), (Some(Cell::Null), Some(Cell::Null))))
        .collect();
    let shares = |side: &dyn Fn(&JoinedRow) -> Option<u64>| {
        let mut counts: FxHashMap<u64, f64> = FxHashMap::default();
        for row in &counted {
            if let Some(hash) = side(row) {
                *counts.entry(hash).or_default() += 1.0 / counted.len() as f64;
            }
        }
        counts
    };
    let parent = shares(&|(p_cells, _)| Some(p_cells.get(p)?.hash()));
    let child = shares(&|(_, c_cells)| Some(c_cells.get(c)?.hash()));
    parent
        .iter()
        .map(|(hash, share)| share * child.get(hash).copied().unwrap_or(0.0))
        .sum()
}

/// Parent column against child column, on joined rows, real beside synthetic.
fn join_pairs(
    real: (&ObservedTable, &ObservedTable),
    synthetic: (&ObservedTable, &ObservedTable),
    (real_rows, synthetic_rows): &JoinedSides,
) -> Vec<PairReport> {
    let eligible = |t: &ObservedTable, other: &ObservedTable| -> Vec<(usize, usize, Role)> {
        (0..t.table.columns.len())
            .filter_map(|i| {
                let role = role(t, i)?;
                let j = other.table.column_index(&t.table.columns[i].name)?;
                Some((i, j, role))
            })
            .take(JOIN_COLUMNS)
            .collect()
    };
    let parent_columns = eligible(real.0, synthetic.0);
    let child_columns = eligible(real.1, synthetic.1);
    let pick = |rows: &[JoinedRow], parent: bool, k: usize, role: Role| {
        Owned::of(
            role,
            rows.iter()
                .filter_map(|(p, c)| if parent { p.get(k) } else { c.get(k) }),
        )
    };
    let mut out = Vec::new();
    for &(pi, pj, prole) in &parent_columns {
        let (pr, ps) = (
            pick(real_rows, true, pi, prole),
            pick(synthetic_rows, true, pj, prole),
        );
        for &(ci, cj, crole) in &child_columns {
            let (cr, cs) = (
                pick(real_rows, false, ci, crole),
                pick(synthetic_rows, false, cj, crole),
            );
            if let Some(pair) = pair_report(
                format!("{}.{}", real.0.table.name, real.0.table.columns[pi].name),
                format!("{}.{}", real.1.table.name, real.1.table.columns[ci].name),
                (prole, crole),
                (&pr, &cr),
                (&ps, &cs),
            ) {
                out.push(pair);
            }
        }
    }
    out
}
