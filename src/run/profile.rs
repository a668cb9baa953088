//! Profiling a source: statistics for every table, then keys, then fan-out.
//!
//! Pass 1 reads every table (tables in parallel; within a table, groups of batches in parallel,
//! merged in batch order so the result never depends on the thread count). Pass 2 reads only
//! key columns: it confirms inferred keys (uniqueness, containment) and counts children per
//! parent for every foreign key. Pass 3 reads the owning foreign keys and the columns that
//! kept literals, and drops literals that fewer than `k` entities carry.

use std::collections::BTreeMap;

use arrow::array::ArrayRef;
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;

use crate::profile::column::render_values;
use crate::profile::entities::{self, LiteralEntities, ParentMap};
use crate::profile::key_inference::{self, TableFacts};
use crate::profile::keys::{self, FanOutAccumulator, KeySet, ValueSet};
use crate::profile::ranks;
use crate::profile::relations::{Entities, RelationsAccumulator};
use crate::profile::shifts;
use crate::profile::{
    choose_lookups, CategoryGroup, ColumnStats, ForeignKeyStats, Guard, Inherited, LookupRows,
    PrivacySettings, Profile, SourceInfo, TableAccumulator, TableProfile, TextModel, Total,
    FORMAT_VERSION,
};
use crate::profile::{clusters, inherit, totals};
use crate::schema::{ForeignKey, LogicalType, Table};
use crate::source::{Sampling, Source, SourceError};

#[derive(Debug, Clone)]
pub struct ProfileOptions {
    pub min_count: u64,
    /// Profile a uniform sample of about this many rows per table.
    pub sample: Option<u64>,
    /// The user's decisions on personal data, by table and column (see
    /// [`crate::profile::file::pii_decisions`]).
    pub pii: BTreeMap<String, BTreeMap<String, Option<String>>>,
    /// Differential-privacy noise on counts, histograms and frequencies, and its seed.
    pub noise: Option<crate::profile::noise::Noise>,
    /// Keep the real values of lookup tables (see [`crate::profile::choose_lookups`]).
    pub lookup_values: bool,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            min_count: 5,
            sample: None,
            pii: BTreeMap::new(),
            noise: None,
            lookup_values: true,
        }
    }
}

/// Batches observed in parallel before they are merged into the table's accumulator.
const BATCH_GROUP: usize = 4;
/// A group is observed as soon as its batches hold this many bytes, so a group of wide or
/// long-valued batches (each a few rows) does not wait for three more.
const GROUP_BYTES: usize = 32 << 20;

/// What pass 1 learned about one table.
struct TablePass {
    row_count: u64,
    sampled_rows: Option<u64>,
    stats: Vec<ColumnStats>,
    /// The text values of a small table's rows, for lookup tables.
    lookup: LookupRows,
    /// Finished once the keys are known (inferred keys are no value columns).
    relations: RelationsAccumulator,
}

pub fn profile_source(
    source: &dyn Source,
    options: &ProfileOptions,
) -> Result<Profile, SourceError> {
    let guard = Guard::new(options.min_count);
    let mut tables = source.schema()?.tables;
    let passes: Vec<TablePass> = tables
        .par_iter()
        .map(|t| profile_table(source, t, options, &guard))
        .collect::<Result<_, _>>()?;
    if source.infers_keys() {
        infer_keys(source, &mut tables, &passes)?;
    }
    let fan_outs: Vec<Vec<ForeignKeyStats>> = tables
        .par_iter()
        .map(|t| measure_foreign_keys(source, t, &tables, &passes))
        .collect::<Result<_, _>>()?;
    let across: Vec<inherit::Across> = tables
        .par_iter()
        .map(|t| across_foreign_keys(source, t, &tables, &passes, &guard))
        .collect::<Result<_, _>>()?;
    let totals: Vec<Vec<Total>> = (0..tables.len())
        .into_par_iter()
        .map(|p| totals_of_children(source, p, &tables, &passes))
        .collect::<Result<_, _>>()?;
    let mut lookups = Vec::with_capacity(passes.len());
    let mut profile = Profile {
        format_version: FORMAT_VERSION,
        created_by: format!("understudy {}", env!("CARGO_PKG_VERSION")),
        source: SourceInfo {
            kind: source.kind().to_string(),
            sample_rows: options.sample,
            fingerprint: source.fingerprint().map(|f| f.to_string()),
        },
        overrides: None,
        privacy: PrivacySettings::guarded(guard.min_count),
        tables: tables
            .into_iter()
            .zip(passes)
            .zip(fan_outs)
            .zip(across)
            .zip(totals)
            .map(
                |((((schema, mut pass), foreign_key_stats), across), totals)| {
                    lookups.push(std::mem::take(&mut pass.lookup));
                    let learned = Learned {
                        foreign_key_stats,
                        across,
                        totals,
                    };
                    table_profile(schema, pass, learned, &guard)
                },
            )
            .collect(),
    };
    // Lookups first: a lookup row is no entity to count (see `entities::owner_chain`).
    if options.lookup_values {
        choose_lookups(&mut profile.tables, lookups, &options.pii);
    }
    count_entities(source, &mut profile.tables, guard.min_count)?;
    if let Some(noise) = &options.noise {
        noise.apply(&mut profile);
    }
    // Last, once the guard and the noise have settled which values stay.
    for table in &mut profile.tables {
        ranks::keep_frequent(&mut table.correlations, &table.column_stats);
        shifts::keep_listed(&mut table.correlations, &table.column_stats);
    }
    Ok(profile)
}

/// What the passes after the first learned about one table.
struct Learned {
    foreign_key_stats: Vec<ForeignKeyStats>,
    across: inherit::Across,
    totals: Vec<Total>,
}

/// One table's profile from its first pass and what later passes learned.
fn table_profile(
    schema: Table,
    mut pass: TablePass,
    learned: Learned,
    guard: &Guard,
) -> TableProfile {
    let Learned {
        foreign_key_stats,
        across,
        totals,
    } = learned;
    let inherit::Across {
        copies: inherited,
        orders: parent_orders,
        follows,
        parent_correlations,
    } = across;
    let entities = Entities {
        stats: &pass.stats,
        rows: pass.sampled_rows.unwrap_or(pass.row_count),
        rows_per_entity: foreign_key_stats
            .iter()
            .map(|f| f.children_per_parent.mean)
            .fold(1.0, f64::max),
    };
    let mut relations = pass.relations.finish(&schema, &entities, guard);
    let mut foreign_key_stats = foreign_key_stats;
    for (key, other) in std::mem::take(&mut relations.distinct_parents) {
        if let Some(stats) = foreign_key_stats.iter_mut().find(|s| s.columns == key) {
            stats.differs_from = other;
        }
    }
    let decided_elsewhere =
        |c: &str| nulls_decided_elsewhere(&schema, &relations.groups, &inherited, c);
    let nulls = relations.nulls.finish(&schema, decided_elsewhere);
    let null_follows = relations.nulls.follows(&schema, &nulls, decided_elsewhere);
    if let Some(correlations) = &mut relations.correlations {
        clusters::attach_parents(&mut correlations.clustered, &parent_correlations);
    }
    for (i, rule) in relations.name_emails {
        if let Some(TextModel::Format { from_names, .. }) = &mut pass.stats[i].model {
            *from_names = Some(rule);
        }
    }
    TableProfile {
        schema,
        row_count: pass.row_count,
        sampled_rows: pass.sampled_rows,
        column_stats: pass.stats,
        foreign_key_stats,
        correlations: relations.correlations,
        rules: relations.rules,
        groups: relations.groups,
        nulls,
        null_follows,
        derived: relations.derived,
        parts: relations.parts,
        dates: relations.dates,
        totals,
        inherited,
        parent_orders,
        follows,
        lookup: false,
        stats_index: Default::default(),
    }
}

/// Whether something other than a null group decides where `column` is NULL: a category
/// group's combinations, a copy of the parent row's value, or a foreign key whose NULLs take no
/// part in a group (one of several columns, or a self-reference whose first row is a root).
fn nulls_decided_elsewhere(
    table: &Table,
    groups: &[CategoryGroup],
    inherited: &[Inherited],
    column: &str,
) -> bool {
    groups.iter().any(|g| g.columns.iter().any(|c| c == column))
        || inherited.iter().any(|i| i.column == column)
        || table.foreign_keys.iter().any(|fk| {
            fk.columns.iter().any(|c| c == column)
                && (fk.columns.len() > 1 || fk.references.table == table.name)
        })
}

/// The privacy guard's second look, once keys are known: drops every literal (frequent value,
/// group combination) that fewer than `min_count` distinct entities carry, following each
/// table's owning foreign keys to the entity behind its rows (see [`entities`]).
fn count_entities(
    source: &dyn Source,
    profiles: &mut [TableProfile],
    min_count: u64,
) -> Result<(), SourceError> {
    let tables: Vec<Table> = profiles.iter().map(|p| p.schema.clone()).collect();
    let fk_stats: Vec<Vec<ForeignKeyStats>> = profiles
        .iter()
        .map(|p| p.foreign_key_stats.clone())
        .collect();
    let lookups: Vec<bool> = profiles.iter().map(|p| p.lookup).collect();
    let checked: Vec<Option<LiteralEntities>> = (0..profiles.len())
        .into_par_iter()
        .map(|i| {
            let chain = entities::owner_chain(&tables, &fk_stats, &lookups, i, min_count);
            let p = &profiles[i];
            let mut literals =
                LiteralEntities::new(&p.schema, &p.column_stats, &p.groups, min_count);
            if chain.is_empty() || literals.is_empty() {
                return Ok(None);
            }
            let maps = chain
                .windows(2)
                .map(|pair| parent_map(source, &tables, pair[0], pair[1]))
                .collect::<Result<Vec<_>, _>>()?;
            let table = &tables[i];
            let owner = &entities::step_key(&tables, chain[0]).columns;
            let values = literals.columns();
            let names: Vec<String> = owner
                .iter()
                .cloned()
                .chain(values.iter().map(|&c| table.columns[c].name.clone()))
                .collect();
            let mut scanned = 0u64;
            scan_columns(source, table, &names, &mut |arrays| {
                let (keys, rest) = arrays.split_at(owner.len());
                let rows = entities::resolve(keys::key_hashes(keys), &maps, scanned);
                scanned += rows.len() as u64;
                let rendered: Vec<Vec<Option<String>>> = values
                    .iter()
                    .zip(rest)
                    .map(|(&c, array)| render_values(&table.columns[c], array))
                    .collect();
                literals.observe(&rows, &rendered);
            })?;
            Ok(Some(literals))
        })
        .collect::<Result<_, SourceError>>()?;
    for (p, literals) in profiles.iter_mut().zip(checked) {
        if let Some(literals) = literals {
            literals.filter(&mut p.column_stats, &mut p.groups);
        }
    }
    Ok(())
}

/// The map from `step`'s table's key (as `below` references it) to its owner's key.
fn parent_map(
    source: &dyn Source,
    tables: &[Table],
    below: entities::Step,
    step: entities::Step,
) -> Result<ParentMap, SourceError> {
    let key = &entities::step_key(tables, below).references.columns;
    let owner = &entities::step_key(tables, step).columns;
    let names: Vec<String> = key.iter().chain(owner).cloned().collect();
    let mut map = ParentMap::default();
    scan_columns(source, &tables[step.table], &names, &mut |arrays| {
        let (k, o) = arrays.split_at(key.len());
        map.observe(k, o)
    })?;
    Ok(map)
}

/// Columns whose type understudy does not model, for a warning.
pub fn opaque_columns(profile: &Profile) -> Vec<String> {
    profile
        .tables
        .iter()
        .flat_map(|t| {
            t.schema
                .columns
                .iter()
                .filter(|c| matches!(c.logical, LogicalType::Opaque))
                .map(move |c| {
                    format!(
                        "{}.{} has type {} which understudy does not model; it is kept as text",
                        t.schema.name, c.name, c.source_type
                    )
                })
        })
        .collect()
}

fn profile_table(
    source: &dyn Source,
    table: &Table,
    options: &ProfileOptions,
    guard: &Guard,
) -> Result<TablePass, SourceError> {
    let row_count = source.row_count(table)?;
    let sampling = match options.sample {
        Some(n) if n < row_count => Sampling::Fraction(n as f64 / row_count as f64),
        _ => Sampling::All,
    };
    let all: Vec<usize> = (0..table.columns.len()).collect();
    let mut accumulator = TableAccumulator::new(table);
    let expected = match sampling {
        Sampling::Fraction(f) => (row_count as f64 * f) as u64,
        Sampling::All => row_count,
    };
    let mut relations = RelationsAccumulator::new(table, expected);
    // Batches with the position of their first row among the rows read.
    let mut group: Vec<(u64, RecordBatch)> = Vec::with_capacity(BATCH_GROUP);
    let (mut rows_read, mut group_bytes) = (0u64, 0);
    let observe_group = |group: &[(u64, RecordBatch)]| {
        group
            .par_iter()
            .map(|(first_row, batch)| {
                let mut part = (
                    TableAccumulator::new(table),
                    RelationsAccumulator::new(table, expected),
                );
                part.0.observe(batch);
                part.1.observe(batch, *first_row);
                part
            })
            .collect::<Vec<_>>()
    };
    let mut merge = |parts: Vec<(TableAccumulator, RelationsAccumulator)>| {
        for (stats, rel) in parts {
            accumulator.merge(stats);
            relations.merge(rel);
        }
    };
    source.scan(table, &all, sampling, &mut |batch| {
        let rows = batch.num_rows() as u64;
        group_bytes += batch.get_array_memory_size();
        group.push((rows_read, batch));
        rows_read += rows;
        if group.len() == BATCH_GROUP || group_bytes >= GROUP_BYTES {
            merge(observe_group(&group));
            group.clear();
            group_bytes = 0;
        }
        Ok(())
    })?;
    merge(observe_group(&group));
    Ok(TablePass {
        row_count,
        sampled_rows: (sampling != Sampling::All).then(|| accumulator.rows()),
        stats: accumulator.finish(
            table,
            guard,
            options.pii.get(&table.name).unwrap_or(&BTreeMap::new()),
        ),
        lookup: accumulator.lookup,
        relations,
    })
}

/// Infers primary and foreign keys (see [`key_inference`]): one scan per table collects the
/// values of its key-typed columns, pairs are confirmed unique by a scan of their own.
fn infer_keys(
    source: &dyn Source,
    tables: &mut [Table],
    passes: &[TablePass],
) -> Result<(), SourceError> {
    let values: Vec<Vec<(usize, ValueSet)>> = tables
        .par_iter()
        .map(|t| column_values(source, t))
        .collect::<Result<_, _>>()?;
    let snapshot = tables.to_vec();
    let facts: Vec<TableFacts> = snapshot
        .iter()
        .zip(passes)
        .zip(&values)
        .map(|((table, pass), values)| TableFacts {
            table,
            stats: &pass.stats,
            rows: pass.row_count,
            values: values.iter().map(|(c, v)| (*c, v)).collect(),
        })
        .collect();
    let mut scan_error = None;
    let mut is_unique_pair =
        |t: usize, pair: &[String; 2]| match key_set(source, &snapshot[t], pair) {
            Ok(set) => set.is_unique(),
            Err(e) => {
                scan_error.get_or_insert(e);
                false
            }
        };
    let inferred = key_inference::infer(&facts, &mut is_unique_pair);
    if let Some(e) = scan_error {
        return Err(e);
    }
    for ((table, pass), keys) in tables.iter_mut().zip(passes).zip(inferred) {
        if table.primary_key.is_empty() {
            table.primary_key_inferred = !keys.primary_key.is_empty();
            table.primary_key = keys.primary_key;
            table.primary_key_evidence = keys.evidence;
        }
        table.foreign_keys.extend(keys.foreign_keys);
        // Without declarations, nullability is what the data shows.
        for (column, stats) in table.columns.iter_mut().zip(&pass.stats) {
            let in_key = table.primary_key.contains(&column.name);
            column.nullable = !in_key && (pass.row_count == 0 || stats.null_rate > 0.0);
        }
    }
    Ok(())
}

/// The values of every key-typed column of `table`, from one scan.
fn column_values(
    source: &dyn Source,
    table: &Table,
) -> Result<Vec<(usize, ValueSet)>, SourceError> {
    let columns = key_inference::columns_to_read(table);
    let mut sets: Vec<ValueSet> = columns.iter().map(|_| ValueSet::default()).collect();
    if !columns.is_empty() {
        source.scan(table, &columns, Sampling::All, &mut |batch| {
            for (set, array) in sets.iter_mut().zip(batch.columns()) {
                set.observe(array);
            }
            Ok(())
        })?;
    }
    Ok(columns.into_iter().zip(sets).collect())
}

fn measure_foreign_keys(
    source: &dyn Source,
    table: &Table,
    tables: &[Table],
    passes: &[TablePass],
) -> Result<Vec<ForeignKeyStats>, SourceError> {
    table
        .foreign_keys
        .iter()
        .map(|fk| {
            let parent_rows = tables
                .iter()
                .position(|t| t.name == fk.references.table)
                .map_or(0, |i| passes[i].sampled_rows.unwrap_or(passes[i].row_count));
            let acc = fan_out(source, table, fk)?;
            Ok(ForeignKeyStats {
                columns: fk.columns.clone(),
                null_rate: acc.null_rate(),
                children_per_parent: acc.finish(parent_rows),
                differs_from: Vec::new(),
            })
        })
        .collect()
}

/// Columns of `table` that copy a column of their parent row (one parent column per child
/// column, the one that held best), and orders they keep against it, over every foreign key.
fn across_foreign_keys(
    source: &dyn Source,
    table: &Table,
    tables: &[Table],
    passes: &[TablePass],
    guard: &Guard,
) -> Result<inherit::Across, SourceError> {
    let mut all = inherit::Across::default();
    let child_stats = tables
        .iter()
        .position(|t| t.name == table.name)
        .map_or(&[][..], |t| &passes[t].stats[..]);
    for fk in &table.foreign_keys {
        let Some(p) = tables.iter().position(|t| t.name == fk.references.table) else {
            continue;
        };
        let parent = &tables[p];
        let mut pairs = inherit::candidates(table, parent);
        let value_pairs = pairs.len();
        pairs.extend(inherit::key_candidates(table, parent, fk));
        let (joined_children, joined_parents) = clusters::joined_candidates(table, parent);
        if (pairs.is_empty() && joined_children.is_empty()) || parent.name == table.name {
            continue;
        }
        let child_columns = inherit::distinct(pairs.iter().map(|(c, _)| c).chain(&joined_children));
        let parent_columns =
            inherit::distinct(pairs.iter().map(|(_, pc)| pc).chain(&joined_parents));
        let at = |names: &[String], name: &String| names.iter().position(|n| n == name);
        let index: Vec<(usize, usize)> = pairs
            .iter()
            .filter_map(|(c, pc)| Some((at(&child_columns, c)?, at(&parent_columns, pc)?)))
            .collect();
        let indexed = |candidates: Vec<String>, names: &[String]| -> Vec<(String, usize)> {
            candidates
                .into_iter()
                .filter_map(|c| at(names, &c).map(|i| (c, i)))
                .collect()
        };
        let points = clusters::JoinedPoints::new(
            indexed(joined_children, &child_columns),
            indexed(joined_parents, &parent_columns),
        );
        let rows = sample_parent_rows(source, parent, &passes[p], fk, &parent_columns)?;
        let width = fk.columns.len();
        let mut matches = inherit::ChildMatches::new(index, value_pairs, points);
        let child_scan: Vec<String> = fk.columns.iter().chain(&child_columns).cloned().collect();
        scan_columns(source, table, &child_scan, &mut |arrays| {
            matches.observe(&rows, &arrays[..width], &arrays[width..])
        })?;
        let stats = inherit::SideStats {
            child: child_stats,
            parent: &passes[p].stats,
        };
        let across = matches.finish(fk, &pairs, stats, guard);
        all.orders.extend(across.orders);
        all.follows.extend(across.follows);
        all.parent_correlations.extend(across.parent_correlations);
        for candidate in across.copies {
            match all.copies.iter_mut().find(|f| f.column == candidate.column) {
                Some(f) if f.holds >= candidate.holds => {}
                Some(f) => *f = candidate,
                None => all.copies.push(candidate),
            }
        }
    }
    // A column copied across one key needs no other relation to its parents.
    let copied = |c: &String| all.copies.iter().any(|i| i.column == *c);
    all.orders.retain(|o| !copied(&o.column));
    all.follows.retain(|f| !copied(&f.column));
    Ok(all)
}

/// A hash sample of `parent`'s rows by the key `fk` references, holding `columns`. The parent
/// is scanned whole (not sampled), so its sample is sized by all its rows.
fn sample_parent_rows(
    source: &dyn Source,
    parent: &Table,
    pass: &TablePass,
    fk: &ForeignKey,
    columns: &[String],
) -> Result<inherit::ParentRows, SourceError> {
    let mut rows = inherit::ParentRows::new(pass.row_count);
    let width = fk.columns.len();
    let scan: Vec<String> = fk
        .references
        .columns
        .iter()
        .chain(columns)
        .cloned()
        .collect();
    scan_columns(source, parent, &scan, &mut |arrays| {
        rows.observe(&arrays[..width], &arrays[width..])
    })?;
    Ok(rows)
}

/// Number columns of `parent` that total the rows of a child table (a sum of a child column,
/// of a product of two, or the count), over every foreign key that references it.
fn totals_of_children(
    source: &dyn Source,
    p: usize,
    tables: &[Table],
    passes: &[TablePass],
) -> Result<Vec<Total>, SourceError> {
    let parent = &tables[p];
    let parent_columns = totals::number_columns(parent);
    let mut found: Vec<Total> = Vec::new();
    if parent_columns.is_empty() {
        return Ok(found);
    }
    for child in tables.iter().filter(|t| t.name != parent.name) {
        let mut child_columns = totals::number_columns(child);
        child_columns.truncate(totals::CHILD_COLUMNS);
        let keys = child.foreign_keys.iter();
        for fk in keys.filter(|fk| fk.references.table == parent.name) {
            let width = fk.columns.len();
            let rows = sample_parent_rows(source, parent, &passes[p], fk, &parent_columns)?;
            let mut sums = totals::ChildSums::new(child_columns.len());
            let child_scan: Vec<String> =
                fk.columns.iter().chain(&child_columns).cloned().collect();
            scan_columns(source, child, &child_scan, &mut |arrays| {
                sums.observe(&rows, &arrays[..width], &arrays[width..])
            })?;
            for total in sums.finish(&rows, &parent_columns, child, fk, &child_columns) {
                if !found.iter().any(|t| t.column == total.column) {
                    found.push(total);
                }
            }
        }
    }
    Ok(found)
}

fn fan_out(
    source: &dyn Source,
    table: &Table,
    fk: &ForeignKey,
) -> Result<FanOutAccumulator, SourceError> {
    let mut acc = FanOutAccumulator::default();
    scan_columns(source, table, &fk.columns, &mut |arrays| {
        acc.observe(arrays)
    })?;
    Ok(acc)
}

fn key_set(source: &dyn Source, table: &Table, columns: &[String]) -> Result<KeySet, SourceError> {
    let mut set = KeySet::default();
    scan_columns(source, table, columns, &mut |arrays| set.observe(arrays))?;
    Ok(set)
}

/// Scans the named columns of `table`, handing each batch's arrays to `f`.
fn scan_columns(
    source: &dyn Source,
    table: &Table,
    columns: &[String],
    f: &mut dyn FnMut(&[ArrayRef]),
) -> Result<(), SourceError> {
    let indices: Vec<usize> = columns
        .iter()
        .map(|c| {
            table
                .column_index(c)
                .ok_or_else(|| SourceError::Consumer(format!("{}: no column {c}", table.name)))
        })
        .collect::<Result<_, _>>()?;
    source.scan(table, &indices, Sampling::All, &mut |batch| {
        f(batch.columns());
        Ok(())
    })
}
