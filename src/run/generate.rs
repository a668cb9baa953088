//! Generating into a sink: chunks made in parallel, written in order.
//!
//! For each table (in load order) the pool's threads make chunks (see [`super::in_order`]),
//! each claiming the next as soon as it has finished one, and the writer takes them in chunk
//! order. At most [`chunks_in_flight`] chunks are made and not yet taken: four per thread,
//! fewer when their estimated bytes would pass [`IN_FLIGHT_BYTES`] (at least one), and the
//! writer holds one more. A chunk's rows are chosen by width too (see
//! [`crate::generate::CHUNK_BYTES`]), so memory is bounded by bytes,
//! not by the row count or the row's width. A batch a sink has encoded on the workers is kept
//! only as its bytes. Output order is chunk order, so bytes never depend on the thread count.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::datatypes::Schema as ArrowSchema;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::in_order::in_order;
use super::manifest::injected_cells;
use crate::generate::{Generator, TablePlan};
use crate::manifest::{Manifest, TableRows};
use crate::sink::{Encoded, Sink, SinkError};

/// Which part of the chunks this run writes: shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// A contiguous run of chunks, so shard outputs concatenate in order into a whole run.
    pub fn chunks(&self, total: u64) -> Range<u64> {
        let at = |k: u64| ((total as u128 * k as u128) / self.count as u128) as u64;
        at(self.index)..at(self.index + 1)
    }

    pub fn is_first(&self) -> bool {
        self.index == 0
    }
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub threads: usize,
    pub shard: Shard,
    /// Draw a progress bar per table (when stderr is a terminal).
    pub progress: bool,
    /// The manifest's fields known before the run (version, seed, profile hash, target, edge
    /// cases asked for); the run fills in the rest and hands it to the sink.
    pub manifest: Manifest,
}

/// What was written for one table.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub table: String,
    pub rows: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// Generates every table into `sink` and finishes it with the run's manifest, which it returns
/// beside the per-table reports.
pub fn generate_into(
    generator: &Generator,
    mut sink: Box<dyn Sink>,
    options: &RunOptions,
) -> Result<(Vec<TableReport>, Manifest), SinkError> {
    let run_started = Instant::now();
    let mut files = Vec::new();
    let mut injected = Vec::new();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .expect("a thread pool of a few threads can be built");
    let bars = MultiProgress::with_draw_target(if options.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let mut reports = Vec::new();
    let stop = || match super::interrupt::requested() {
        Some(signal) => Err(SinkError::Interrupted { signal }),
        None => Ok(()),
    };
    for &t in &generator.load_order().tables {
        stop()?;
        let plan = &generator.tables()[t];
        let chunks = options.shard.chunks(generator.chunk_count(t));
        let expected = rows_in(generator, t, chunks.clone());
        let bar = bars.add(ProgressBar::new(expected));
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>20} {bar:30} {human_pos}/{human_len} rows  {elapsed} (eta {eta})",
            )
            .expect("the template is valid"),
        );
        bar.set_prefix(plan.table.name.clone());
        let started = Instant::now();
        let encoder = sink.encoder();
        let mut rows = 0;
        let injected = &mut injected;
        let make = |c| {
            let batch = generator.batch(t, c);
            let cells = injected_cells(
                plan,
                &batch,
                plan.chunk(c).start,
                &generator.injections(t, c),
            );
            let bytes = encoder.and_then(|encode| encode(&batch));
            let batch = match bytes {
                Some(_) => rows_only(&batch),
                None => batch,
            };
            (Encoded { batch, bytes }, cells)
        };
        let bound = chunks_in_flight(plan, options.threads);
        let written = in_order(&pool, chunks, bound, make, |made| {
            // A signal ends the table early; the check after it keeps the sink from finishing.
            let mut batches = made
                .take_while(|_| super::interrupt::requested().is_none())
                .map(|(e, cells)| {
                    rows += e.batch.num_rows() as u64;
                    bar.inc(e.batch.num_rows() as u64);
                    injected.extend(cells);
                    e
                });
            sink.write_table(&plan.table, &plan.schema, &mut batches)
        })?;
        stop()?;
        bar.finish();
        files.extend(written.file);
        reports.push(TableReport {
            table: plan.table.name.clone(),
            rows,
            bytes: written.bytes,
            elapsed: started.elapsed(),
        });
    }
    let manifest = Manifest {
        tables: reports
            .iter()
            .map(|r| TableRows {
                name: r.table.clone(),
                rows: r.rows,
            })
            .collect(),
        files,
        injected,
        elapsed_seconds: (run_started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        ..options.manifest.clone()
    };
    sink.finish(&manifest)?;
    Ok((reports, manifest))
}

/// The most bytes of chunks (by their estimated size) made ahead of the writer, when more than
/// one is.
pub const IN_FLIGHT_BYTES: u64 = 256 << 20;

/// Chunks of `plan`'s table that may be made, or being made, and not yet taken by the writer:
/// four per thread, fewer when their estimated bytes would pass [`IN_FLIGHT_BYTES`], at least
/// one. The writer holds one more, the chunk it is writing.
pub fn chunks_in_flight(plan: &TablePlan, threads: usize) -> usize {
    chunks_within(plan.chunk_rows.saturating_mul(plan.row_bytes), threads)
}

fn chunks_within(chunk_bytes: u64, threads: usize) -> usize {
    let most = threads.max(1) as u64 * 4;
    (IN_FLIGHT_BYTES / chunk_bytes.max(1)).clamp(1, most) as usize
}

/// A batch with the row count of `batch` and no columns, to stand for a batch whose sink has
/// its encoding already, so a chunk waiting for the writer holds the bytes alone.
fn rows_only(batch: &RecordBatch) -> RecordBatch {
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(Arc::new(ArrowSchema::empty()), Vec::new(), &options)
        .expect("a batch without columns takes any row count")
}

fn rows_in(generator: &Generator, table: usize, chunks: Range<u64>) -> u64 {
    let plan = &generator.tables()[table];
    plan.chunk(chunks.end).start - plan.chunk(chunks.start).start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_in_flight_are_bounded_in_bytes() {
        // Ordinary chunks (65,536 rows of 150 bytes): four per thread.
        assert_eq!(chunks_within(65_536 * 150, 2), 8);
        assert_eq!(chunks_within(65_536 * 150, 4), 16);
        // Many threads: as many as fit the bytes in flight.
        assert_eq!(
            chunks_within(65_536 * 150, 8) as u64,
            IN_FLIGHT_BYTES / (65_536 * 150)
        );
        // Chunks at the chunk budget: as many as fit the bytes in flight.
        let full = crate::generate::CHUNK_BYTES;
        assert_eq!(chunks_within(full, 64) as u64, IN_FLIGHT_BYTES / full);
        // A chunk larger than half of that (one 200 MB value): alone, so two exist with the
        // one being written, as they did when chunks went by windows.
        assert_eq!(chunks_within(200 << 20, 8), 1);
        for threads in [1, 2, 16] {
            for bytes in [1, 1 << 20, 9 << 20, 40 << 20, 1 << 30] {
                let n = chunks_within(bytes, threads) as u64;
                assert!(n == 1 || n * bytes <= IN_FLIGHT_BYTES, "{bytes} × {n}");
            }
        }
    }

    #[test]
    fn shards_tile_the_chunks_in_order() {
        for total in [0, 1, 7, 100] {
            let mut next = 0;
            for index in 0..3 {
                let range = Shard { index, count: 3 }.chunks(total);
                assert_eq!(range.start, next);
                next = range.end;
            }
            assert_eq!(next, total);
        }
    }
}
