//! Filling the run manifest as a run goes: the profile's hash before, the injected cells of
//! each chunk as it is made (on the worker threads, beside the chunk), rows and files after.
//! Positions come from the plan (`Generator::injections`); values and keys are read from the
//! chunk as the CSV sink writes them, so the manifest shows exactly what landed in the output.

use std::collections::BTreeMap;
use std::path::Path;

use arrow::record_batch::RecordBatch;

use crate::generate::{Injection, TablePlan};
use crate::manifest::{sha256_hex, InjectedCell, ProfileHash};
use crate::sink::csv::cell_text;

/// The hash of the profile or DDL file a run starts from.
pub fn profile_hash(path: &Path) -> std::io::Result<ProfileHash> {
    Ok(ProfileHash {
        file: path.display().to_string(),
        sha256: sha256_hex(&std::fs::read(path)?),
    })
}

/// The manifest entries of one chunk's injected cells; `first_row` is the chunk's first row.
pub fn injected_cells(
    plan: &TablePlan,
    batch: &RecordBatch,
    first_row: u64,
    injections: &[Injection],
) -> Vec<InjectedCell> {
    let key: Vec<usize> = plan
        .table
        .primary_key
        .iter()
        .filter_map(|name| plan.schema.index_of(name).ok())
        .collect();
    let text = |column: usize, row: u64| {
        cell_text(batch.column(column), (row - first_row) as usize).unwrap_or_default()
    };
    injections
        .iter()
        .map(|cell| InjectedCell {
            table: plan.table.name.clone(),
            row: cell.row,
            column: plan.schema.field(cell.column).name().clone(),
            kind: cell.kind.name().to_string(),
            value: text(cell.column, cell.row),
            key: key
                .iter()
                .map(|&c| (plan.schema.field(c).name().clone(), text(c, cell.row)))
                .collect::<BTreeMap<_, _>>(),
        })
        .collect()
}
