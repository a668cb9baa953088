//! The comparison pipeline: read the real side's keys, observe every table of both sides in
//! one pass each (tables in parallel), and hand the observations to `compare::data`.

use std::collections::BTreeMap;
use std::time::Instant;

use arrow::array::Array;
use arrow::compute::cast;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::compare::observe::{ObservedTable, Side, TableObserver};
use crate::compare::{self, Report};
use crate::profile::relations::family;
use crate::profile::Profile;
use crate::run::profile::{profile_source, ProfileOptions};
use crate::schema::Table;
use crate::source::{Sampling, Source, SourceError};

#[derive(Debug, Clone, Default)]
pub struct CompareOptions<'a> {
    /// Keys and foreign keys to use instead of the real side's own (declared or inferred).
    pub keys_from: Option<&'a Profile>,
    /// Draw a progress bar (when stderr is a terminal).
    pub progress: bool,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    #[error("reading {side} {name}")]
    Source {
        side: &'static str,
        name: String,
        #[source]
        source: SourceError,
    },
    #[error("{real} and {synthetic} have no table in common")]
    NothingInCommon { real: String, synthetic: String },
}

/// Compares a synthetic source with the real one it imitates.
pub fn compare_sources(
    real: &dyn Source,
    synthetic: &dyn Source,
    options: &CompareOptions,
) -> Result<Report, CompareError> {
    let started = Instant::now();
    let real_error = |source| CompareError::Source {
        side: "the real side",
        name: real.describe(),
        source,
    };
    let synthetic_error = |source| CompareError::Source {
        side: "the synthetic side",
        name: synthetic.describe(),
        source,
    };
    let real_tables = real_schema(real, options).map_err(real_error)?;
    let synthetic_tables: Vec<Retyped> = synthetic
        .schema()
        .map_err(synthetic_error)?
        .tables
        .into_iter()
        .map(|t| retype(synthetic, with_keys_of(t, &real_tables), &real_tables))
        .collect::<Result<_, _>>()
        .map_err(synthetic_error)?;
    if !synthetic_tables
        .iter()
        .any(|s| real_tables.iter().any(|r| r.name == s.table.name))
    {
        return Err(CompareError::NothingInCommon {
            real: real.describe(),
            synthetic: synthetic.describe(),
        });
    }
    let referenced = referenced_keys(&real_tables);
    let real_tables: Vec<Retyped> = real_tables
        .into_iter()
        .map(|table| Retyped {
            casts: vec![None; table.columns.len()],
            table,
        })
        .collect();
    let total: u64 = [(real, &real_tables), (synthetic, &synthetic_tables)]
        .iter()
        .flat_map(|(source, tables)| {
            tables
                .iter()
                .map(|t| source.row_count(&t.table).unwrap_or(0))
        })
        .sum();
    let bar = progress_bar(options.progress, total);
    let (real_observed, synthetic_observed) = rayon::join(
        || observe_side(real, &real_tables, Side::Real, &referenced, &bar),
        || {
            observe_side(
                synthetic,
                &synthetic_tables,
                Side::Synthetic,
                &referenced,
                &bar,
            )
        },
    );
    bar.finish_and_clear();
    let lookups: Vec<String> = (options.keys_from.iter())
        .flat_map(|p| &p.tables)
        .filter(|t| t.lookup)
        .map(|t| t.schema.name.clone())
        .collect();
    let mut report = compare::data::compare(
        &real_observed.map_err(real_error)?,
        &synthetic_observed.map_err(synthetic_error)?,
        real.describe(),
        synthetic.describe(),
        &lookups,
    );
    if let Some(profile) = options.keys_from {
        drop_lookup_copies(&mut report, profile);
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// A lookup column keeps its real values on purpose (see [`crate::profile::choose_lookups`]),
/// so its copies of rare values are no finding: their figures are dropped when the profile
/// says which columns are lookups.
fn drop_lookup_copies(report: &mut Report, profile: &Profile) {
    for t in &mut report.tables {
        let Some(p) = profile.table(&t.name) else {
            continue;
        };
        for c in &mut t.columns {
            let lookup = p
                .stats(&c.name)
                .is_some_and(|s| matches!(s.model, Some(crate::profile::TextModel::Lookup { .. })));
            if lookup {
                c.figures.retain(|f| !f.name.starts_with("rare_"));
            }
        }
    }
}

/// The real side's tables with their keys: from `--profile`, declared, or inferred from the
/// data as `profile` infers them (which reads the real side once more).
fn real_schema(real: &dyn Source, options: &CompareOptions) -> Result<Vec<Table>, SourceError> {
    let tables = real.schema()?.tables;
    if let Some(profile) = options.keys_from {
        let keyed = profile.schema().tables;
        return Ok(tables
            .into_iter()
            .map(|t| with_keys_of(t, &keyed))
            .collect());
    }
    if !real.infers_keys() {
        return Ok(tables);
    }
    let inferred = profile_source(
        real,
        &ProfileOptions {
            min_count: 1,
            lookup_values: false,
            ..Default::default()
        },
    )?;
    let keyed = inferred.schema().tables;
    Ok(tables
        .into_iter()
        .map(|t| with_keys_of(t, &keyed))
        .collect())
}

/// `table` with the keys of the table of the same name in `keyed`, keeping only keys whose
/// columns it has.
fn with_keys_of(table: Table, keyed: &[Table]) -> Table {
    let Some(k) = keyed.iter().find(|k| k.name == table.name) else {
        return table;
    };
    let has = |cols: &[String]| cols.iter().all(|c| table.column(c).is_some());
    let primary_key = if has(&k.primary_key) {
        k.primary_key.clone()
    } else {
        Vec::new()
    };
    let unique = k.unique.iter().filter(|u| has(u)).cloned().collect();
    let foreign_keys = k
        .foreign_keys
        .iter()
        .filter(|fk| has(&fk.columns))
        .cloned()
        .collect();
    Table {
        primary_key,
        unique,
        foreign_keys,
        ..table
    }
}

/// Per table, the column sets that foreign keys reference.
fn referenced_keys(tables: &[Table]) -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out: BTreeMap<String, Vec<Vec<String>>> = BTreeMap::new();
    for fk in tables.iter().flat_map(|t| &t.foreign_keys) {
        let sets = out.entry(fk.references.table.clone()).or_default();
        if !sets.contains(&fk.references.columns) {
            sets.push(fk.references.columns.clone());
        }
    }
    out
}

/// What the synthetic side reads a table as: its own columns, retyped where the real side
/// types a column differently and every synthetic value converts (a CSV side infers `5467` as
/// a number where the real column is text).
struct Retyped {
    table: Table,
    /// Per column, the Arrow type its scanned arrays are cast to.
    casts: Vec<Option<DataType>>,
}

/// Types whose values convert into each other without loss of meaning: the orderable
/// families (dates and timestamps together), booleans, and everything read as text.
fn type_class(t: &DataType) -> u8 {
    match family(t) {
        Some(0) => 0,
        Some(1 | 2) => 1,
        Some(_) => 2,
        None if t == &DataType::Boolean => 3,
        None => 4,
    }
}

fn retype(source: &dyn Source, table: Table, real: &[Table]) -> Result<Retyped, SourceError> {
    let mut casts = vec![None; table.columns.len()];
    let Some(real) = real.iter().find(|r| r.name == table.name) else {
        return Ok(Retyped { table, casts });
    };
    let candidates: Vec<(usize, DataType)> = table
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let wanted = real.column(&c.name)?.logical.arrow_type();
            (type_class(&wanted) != type_class(&c.logical.arrow_type())).then_some((i, wanted))
        })
        .collect();
    if candidates.is_empty() {
        return Ok(Retyped { table, casts });
    }
    let indices: Vec<usize> = candidates.iter().map(|(i, _)| *i).collect();
    let mut converts = vec![true; candidates.len()];
    source.scan(&table, &indices, Sampling::All, &mut |batch| {
        for (k, (_, wanted)) in candidates.iter().enumerate() {
            let array = batch.column(k);
            converts[k] &= cast(array, wanted).is_ok_and(|c| c.null_count() == array.null_count());
        }
        Ok(())
    })?;
    let mut table = table;
    for ((i, wanted), ok) in candidates.into_iter().zip(converts) {
        if ok {
            let name = &table.columns[i].name;
            table.columns[i].logical = real.column(name).expect("found above").logical.clone();
            casts[i] = Some(wanted);
        }
    }
    Ok(Retyped { table, casts })
}

fn observe_side(
    source: &dyn Source,
    tables: &[Retyped],
    side: Side,
    referenced: &BTreeMap<String, Vec<Vec<String>>>,
    bar: &ProgressBar,
) -> Result<Vec<ObservedTable>, SourceError> {
    tables
        .par_iter()
        .map(|Retyped { table, casts }| {
            let keys = referenced.get(&table.name).map_or(&[][..], Vec::as_slice);
            let mut observer = TableObserver::new(table, side, keys);
            let all: Vec<usize> = (0..table.columns.len()).collect();
            let schema = crate::source::projected_schema(table, &all);
            source.scan(table, &all, Sampling::All, &mut |batch| {
                bar.inc(batch.num_rows() as u64);
                if casts.iter().all(Option::is_none) {
                    observer.observe(&batch);
                    return Ok(());
                }
                let retyped = batch
                    .columns()
                    .iter()
                    .zip(casts)
                    .map(|(a, to)| match to {
                        Some(t) => cast(a, t),
                        None => Ok(a.clone()),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .and_then(|arrays| RecordBatch::try_new(schema.clone(), arrays))
                    .map_err(|e| SourceError::Arrow {
                        context: format!("{}: retyping the synthetic side", table.name),
                        source: e,
                    })?;
                observer.observe(&retyped);
                Ok(())
            })?;
            Ok(observer.finish())
        })
        .collect()
}

fn progress_bar(show: bool, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(total),
        if show {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    bar.set_style(
        ProgressStyle::with_template(
            "comparing {bar:30} {human_pos}/{human_len} rows  {elapsed} (eta {eta})",
        )
        .expect("the template is valid"),
    );
    bar
}

/// Drift between two profiles.
pub fn compare_profiles(a: &Profile, b: &Profile, a_name: String, b_name: String) -> Report {
    let started = Instant::now();
    let mut report = compare::drift::compare(a, b, a_name, b_name);
    report.seconds = started.elapsed().as_secs_f64();
    report
}
