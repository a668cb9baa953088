//! Profiling a source: statistics for every table, then keys, then fan-out.
//!
//! Pass 1 reads every table (tables in parallel; within a table, groups of batches in parallel,
//! merged in batch order so the result never depends on the thread count). Pass 2 reads only
//! key columns: it confirms inferred keys (uniqueness, containment) and counts children per
//! parent for every foreign key.

use std::collections::HashMap;

use arrow::array::ArrayRef;
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;

use crate::profile::inherit;
use crate::profile::keys::{self, FanOutAccumulator, KeySet};
use crate::profile::relations::{Entities, RelationsAccumulator};
use crate::profile::{
    choose_lookups, ColumnStats, ForeignKeyStats, Guard, Inherited, LookupRows, PrivacySettings,
    Profile, SourceInfo, TableAccumulator, TableProfile, FORMAT_VERSION,
};
use crate::schema::{ForeignKey, LogicalType, Table};
use crate::source::{Sampling, Source, SourceError};

#[derive(Debug, Clone)]
pub struct ProfileOptions {
    pub min_count: u64,
    /// Profile a uniform sample of about this many rows per table.
    pub sample: Option<u64>,
    /// Keep the real values of lookup tables (see [`crate::profile::choose_lookups`]).
    pub lookup_values: bool,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions {
            min_count: 5,
            sample: None,
            lookup_values: true,
        }
    }
}

/// Batches observed in parallel before they are merged into the table's accumulator.
const BATCH_GROUP: usize = 4;

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
    let inherited: Vec<Vec<Inherited>> = tables
        .par_iter()
        .map(|t| find_inherited(source, t, &tables, &passes))
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
        privacy: PrivacySettings {
            min_count: guard.min_count,
        },
        tables: tables
            .into_iter()
            .zip(passes)
            .zip(fan_outs)
            .zip(inherited)
            .map(|(((schema, mut pass), foreign_key_stats), inherited)| {
                lookups.push(std::mem::take(&mut pass.lookup));
                let entities = Entities {
                    stats: &pass.stats,
                    rows: pass.sampled_rows.unwrap_or(pass.row_count),
                    rows_per_entity: foreign_key_stats
                        .iter()
                        .map(|f| f.children_per_parent.mean)
                        .fold(1.0, f64::max),
                };
                let relations = pass.relations.finish(&schema, &entities, &guard);
                TableProfile {
                    schema,
                    row_count: pass.row_count,
                    sampled_rows: pass.sampled_rows,
                    column_stats: pass.stats,
                    foreign_key_stats,
                    correlations: relations.correlations,
                    rules: relations.rules,
                    groups: relations.groups,
                    derived: relations.derived,
                    inherited,
                    lookup: false,
                }
            })
            .collect(),
    };
    if options.lookup_values {
        choose_lookups(&mut profile.tables, lookups);
    }
    Ok(profile)
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
    let mut rows_read = 0u64;
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
        group.push((rows_read, batch));
        rows_read += rows;
        if group.len() == BATCH_GROUP {
            merge(observe_group(&group));
            group.clear();
        }
        Ok(())
    })?;
    merge(observe_group(&group));
    Ok(TablePass {
        row_count,
        sampled_rows: (sampling != Sampling::All).then(|| accumulator.rows()),
        stats: accumulator.finish(table, guard),
        lookup: accumulator.lookup,
        relations,
    })
}

/// Infers primary keys (single columns from statistics, pairs by a uniqueness scan) and then
/// foreign keys (by name, confirmed by containment).
fn infer_keys(
    source: &dyn Source,
    tables: &mut [Table],
    passes: &[TablePass],
) -> Result<(), SourceError> {
    let before = tables.to_vec();
    for (table, pass) in tables.iter_mut().zip(passes) {
        if !table.primary_key.is_empty() {
            continue;
        }
        let mut scan_error = None;
        let mut is_unique_pair = |pair: &[String; 2]| match key_set(source, table, pair) {
            Ok(set) => set.is_unique(),
            Err(e) => {
                scan_error.get_or_insert(e);
                false
            }
        };
        table.primary_key = keys::infer_primary_key(
            table,
            &before,
            &pass.stats,
            pass.row_count,
            &mut is_unique_pair,
        );
        if let Some(e) = scan_error {
            return Err(e);
        }
        table.primary_key_inferred = !table.primary_key.is_empty();
        // Without declarations, nullability is what the data shows.
        for (column, stats) in table.columns.iter_mut().zip(&pass.stats) {
            let in_key = table.primary_key.contains(&column.name);
            column.nullable = !in_key && (pass.row_count == 0 || stats.null_rate > 0.0);
        }
    }
    let snapshot = tables.to_vec();
    let candidates: Vec<Vec<ForeignKey>> = snapshot
        .iter()
        .map(|t| keys::foreign_key_candidates(t, &snapshot))
        .collect();
    // Only parents that some candidate references need their keys read.
    let parent_keys: HashMap<String, KeySet> = snapshot
        .par_iter()
        .filter(|t| {
            candidates
                .iter()
                .flatten()
                .any(|fk| fk.references.table == t.name)
        })
        .map(|t| Ok((t.name.clone(), key_set(source, t, &t.primary_key)?)))
        .collect::<Result<_, SourceError>>()?;
    for (table, candidates) in tables.iter_mut().zip(candidates) {
        for candidate in candidates {
            let fan_out = fan_out(source, table, &candidate)?;
            if fan_out.contained_in(&parent_keys[&candidate.references.table]) {
                table.foreign_keys.push(candidate);
            }
        }
    }
    Ok(())
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
            })
        })
        .collect()
}

/// Columns of `table` that copy a column of their parent row, over every foreign key; one
/// parent column per child column (the one that held best).
fn find_inherited(
    source: &dyn Source,
    table: &Table,
    tables: &[Table],
    passes: &[TablePass],
) -> Result<Vec<Inherited>, SourceError> {
    let mut found: Vec<Inherited> = Vec::new();
    for fk in &table.foreign_keys {
        let Some(p) = tables.iter().position(|t| t.name == fk.references.table) else {
            continue;
        };
        let parent = &tables[p];
        let pairs = inherit::candidates(table, parent);
        if pairs.is_empty() || parent.name == table.name {
            continue;
        }
        let child_columns = inherit::distinct(pairs.iter().map(|(c, _)| c));
        let parent_columns = inherit::distinct(pairs.iter().map(|(_, pc)| pc));
        let at = |names: &[String], name: &String| names.iter().position(|n| n == name);
        let index: Vec<(usize, usize)> = pairs
            .iter()
            .filter_map(|(c, pc)| Some((at(&child_columns, c)?, at(&parent_columns, pc)?)))
            .collect();
        let parent_rows = passes[p].sampled_rows.unwrap_or(passes[p].row_count);
        let mut rows = inherit::ParentRows::new(parent_rows);
        let width = fk.columns.len();
        let parent_scan: Vec<String> = fk
            .references
            .columns
            .iter()
            .chain(&parent_columns)
            .cloned()
            .collect();
        scan_columns(source, parent, &parent_scan, &mut |arrays| {
            rows.observe(&arrays[..width], &arrays[width..])
        })?;
        let mut matches = inherit::ChildMatches::new(index);
        let child_scan: Vec<String> = fk.columns.iter().chain(&child_columns).cloned().collect();
        scan_columns(source, table, &child_scan, &mut |arrays| {
            matches.observe(&rows, &arrays[..width], &arrays[width..])
        })?;
        for candidate in matches.finish(fk, &pairs, &passes[p].stats) {
            match found.iter_mut().find(|f| f.column == candidate.column) {
                Some(f) if f.holds >= candidate.holds => {}
                Some(f) => *f = candidate,
                None => found.push(candidate),
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
