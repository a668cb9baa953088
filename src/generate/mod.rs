//! Synthetic rows from a profile: pure functions of (seed, profile, table, column, row index).
//!
//! [`Generator::new`] turns a profile and a size request into a plan, checking before anything
//! is written that every key can hold its rows. [`Generator::batch`] then makes any chunk of any
//! table on its own: values from an RNG seeded by (seed, table, column, chunk), keys as
//! bijections of the row index, foreign keys by computing a parent row index and that parent's
//! key. No chunk depends on another, so chunks run in parallel and shard across machines, and
//! the output is the same for any thread count. This module does no I/O.

mod accents;
mod address;
mod alphabet;
mod arrays;
pub(crate) mod checks;
mod columns;
mod composite;
mod copula;
pub mod defaults;
mod edge;
mod email_names;
mod fanout;
mod formats;
mod keys;
mod pattern;
mod permute;
mod plan;
mod precision;
mod shifts;
mod text;
mod text_buffer;
mod tsvector;
mod values;
mod width;
mod words;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::hashing::{combine, mix64, unit_interval};
use crate::profile::model::{Part, Profile};
use crate::profile::precision::round_to_unit;
use crate::profile::relations::clock_plus;
use crate::schema::{LoadOrder, LogicalType, Table};
use address::AddressPlan;
use checks::Cmp;
use copula::{gap_rank_inside, interpolate, Anchor, ClusterGroup, Copula};
use edge::EdgePlan;
pub use edge::{EdgeCases, EdgeKind};
use email_names::NameEmailPlan;
use fanout::FanOutLayout;
use keys::{IndexKey, Key};
use pattern::RowPattern;
use permute::Permutation;
use shifts::ShiftPlan;
use values::{Buffer, Choice, ColumnGen};

pub use width::{CHUNK_BYTES, MAX_CHUNK_ROWS};

/// Salt that sets row-keyed randomness apart from chunk-keyed randomness.
const ROW_KEYED: u64 = 0x726f_775f_6b65_7964;
/// Salt for randomness keyed by a parent row, shared by all of its children.
const PARENT_KEYED: u64 = 0x7061_7265_6e74_6b64;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub seed: u64,
    /// Multiplies every table's learned row count.
    pub scale: f64,
    /// Row counts pinned by table name; these win over `scale`.
    pub rows: BTreeMap<String, u64>,
    /// Rows the target already holds, by table name (`--append`): new keys continue after them.
    pub existing: BTreeMap<String, Existing>,
    /// Stress values to inject (`--edge-cases`).
    pub edge_cases: Option<EdgeCases>,
}

/// What a target table already holds, so appended rows don't repeat its keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Existing {
    pub rows: u64,
    /// The largest value of each integer key column.
    pub max_keys: BTreeMap<String, i64>,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            seed: 0,
            scale: 1.0,
            rows: BTreeMap::new(),
            existing: BTreeMap::new(),
            edge_cases: None,
        }
    }
}

/// A cell that holds an edge case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injection {
    /// The row's index in its table.
    pub row: u64,
    /// The column's index in the table plan's `schema`.
    pub column: usize,
    pub kind: EdgeKind,
}

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("--rows names table {0:?}, which the profile does not have")]
    UnknownTable(String),
    #[error("table {table}: {message}")]
    Infeasible { table: String, message: String },
    #[error("--scale must be a finite number ≥ 0, not {0}")]
    BadScale(f64),
    #[error("--edge-cases must be a share between 0 and 1, not {0}")]
    BadEdgeRate(f64),
}

/// A ready-to-run plan for every table of a profile.
#[derive(Debug)]
pub struct Generator {
    seed: u64,
    tables: Vec<TablePlan>,
    order: LoadOrder,
    warnings: Vec<String>,
}

/// Key of a row without a parent, in place of its parent row, where values cluster by parent.
const NO_PARENT: u64 = 0x6e6f_2070_6172_656e;

/// One table's plan.
#[derive(Debug)]
pub struct TablePlan {
    pub table: Table,
    pub rows: u64,
    /// Rows per chunk, from the row's estimated width (see [`width`]): the unit of parallel
    /// work and of seeding.
    pub chunk_rows: u64,
    /// The estimated bytes of one generated row.
    pub row_bytes: u64,
    /// The Arrow schema of the generated batches: every column except stored generated ones.
    pub schema: SchemaRef,
    /// For each column of `schema`, its index in `table.columns`.
    pub output: Vec<usize>,
    salt: u64,
    /// Parallel to `table.columns`.
    columns: Vec<ColumnPlan>,
    foreign_keys: Vec<ForeignKeyPlan>,
    /// Index into `foreign_keys` of the main foreign key, whose layout orders the rows.
    main: Option<usize>,
    /// Column-vs-column checks and learned orders, as indices into `output`, in the order
    /// they are enforced (a column after the columns it must stay above).
    relations: Vec<(usize, Cmp, usize, f64)>,
    /// Value columns drawn jointly, so their correlations survive.
    copula: Option<Copula>,
    /// Copula columns whose values cluster by parent row, one group per foreign key.
    clusters: Vec<ClusterGroup>,
    /// Columns made as another column plus a learned gap, in dependency order.
    anchors: Vec<Anchor>,
    /// Numbers whose draw moves to where their row's category puts them.
    shifts: Vec<ShiftPlan>,
    /// Categorical columns whose values are drawn together, as learned combinations.
    groups: Vec<GroupPlan>,
    /// Number columns computed from two others.
    derived: Vec<DerivedPlan>,
    /// Columns computed as a part of another (`year = year(ordered_at)`), after the orders.
    parts: Vec<PartPlan>,
    /// Integer columns that make a calendar date: days past their month's end move to it.
    dates: Vec<DatePlan>,
    /// Orders enforced again after the parts, as `relations` are, moving no part or source.
    after_parts: Vec<(usize, Cmp, usize, f64)>,
    /// Value columns NULL where another column's NULLs say, after the values are made.
    null_follows: Vec<NullFollowPlan>,
    /// Number columns that total this row's children, last of all (see [`TotalPlan`]).
    totals: Vec<TotalPlan>,
    /// Value columns that take edge cases, as indices into `output`, in order.
    edges: Vec<(usize, EdgePlan)>,
    /// Whether a child copies values of this table: its rows are then made one at a time from
    /// randomness keyed by the row (see [`Generator::one_row`]).
    row_keyed: bool,
    /// Orders value columns keep against a column of the parent row.
    parent_orders: Vec<ParentOrderPlan>,
    /// Number columns drawn as a multiple of a number of the parent row.
    follows: Vec<FollowPlan>,
    /// Email columns built from the row's names in a learned share of rows.
    name_emails: Vec<NameEmailPlan>,
}

/// A number column of a parent row computed from its child rows: the sum over them of the
/// product of the child columns `sum`, or their count when `sum` is empty. The children are
/// found through the inverse of the child's fan-out layout, and made with
/// [`Generator::one_row`], so the child table is row-keyed.
#[derive(Debug)]
struct TotalPlan {
    /// Position in the parent's generated batch.
    column: usize,
    child: usize,
    /// Index of the foreign key in the child's plan.
    fk: usize,
    /// Positions in the child's generated batch.
    sum: Vec<usize>,
}

/// `column = part(of)`, as positions in the generated batch.
#[derive(Debug)]
struct PartPlan {
    column: usize,
    part: Part,
    of: usize,
    /// What the source's values are on its line ([`crate::profile::relations::family`]).
    family: u8,
}

impl PartPlan {
    /// Sets each present value of the column to the part of its row's source value.
    fn apply(&self, buffers: &mut [Buffer]) {
        let sources = buffers[self.of].numbers();
        let out = &mut buffers[self.column];
        for (i, source) in sources.into_iter().enumerate() {
            let part = source.and_then(|s| self.part.of(self.family, s));
            if let (Some(part), true) = (part, out.is_present(i)) {
                out.set_number(i, part);
            }
        }
    }
}

/// `(year, month, day)` integer columns that make a calendar date (see
/// [`crate::profile::model::CalendarDate`]), as positions in the generated batch. Without a
/// year, 29 February is a valid day.
#[derive(Debug)]
struct DatePlan {
    year: Option<usize>,
    month: usize,
    day: usize,
}

impl DatePlan {
    /// Moves each day past the end of its row's month to the month's last day.
    fn apply(&self, buffers: &mut [Buffer]) {
        let years = self.year.map(|y| buffers[y].numbers());
        let months = buffers[self.month].numbers();
        let days = &mut buffers[self.day];
        for (i, month) in months.into_iter().enumerate() {
            // Without a year (none, or NULL in this row), a leap year: 29 February stays.
            let year = years.as_ref().and_then(|y| y[i]).unwrap_or(2000.0);
            let (Some(month), true) = (month, days.is_present(i)) else {
                continue;
            };
            let Some(last) = crate::temporal::days_in_month(year as i32, month as u32) else {
                continue;
            };
            if days.number_at(i).is_some_and(|d| d > last as f64) {
                days.set_number(i, last as f64);
            }
        }
    }
}

/// A value column NULL on a learned share of the rows where `leader` came out NULL, and on
/// another share of the rest (see [`crate::profile::model::NullFollow`]): its own values are
/// made without NULLs, and this stage takes them out. Which rows are hit is a pure function
/// of the row index, as for any NULL pattern.
#[derive(Debug)]
struct NullFollowPlan {
    /// Positions in the generated batch.
    column: usize,
    leader: usize,
    when_null: RowPattern,
    when_present: RowPattern,
}

impl NullFollowPlan {
    /// Sets the column's cells NULL in the rows `start..` of `buffers` that the leader's NULLs
    /// pick; `data_type` is the column's.
    fn apply(&self, buffers: &mut [Buffer], start: u64, data_type: &DataType) {
        let leader = &buffers[self.leader];
        let null: Vec<bool> = (0..leader.rows())
            .map(|r| {
                let i = start + r as u64;
                match leader.is_null(r) {
                    true => self.when_null.hits(i),
                    false => self.when_present.hits(i),
                }
            })
            .collect();
        if !null.contains(&true) {
            return;
        }
        let values = &buffers[self.column];
        let mut out = Buffer::for_type(data_type, null.len());
        for (r, &null) in null.iter().enumerate() {
            match null {
                true => out.push_null(),
                false => out.push_from(values, r),
            }
        }
        buffers[self.column] = out;
    }
}

/// `column = parent_column × ratio` of the parent row a foreign key picks.
#[derive(Debug)]
struct FollowPlan {
    /// Position in the generated batch.
    column: usize,
    fk: usize,
    /// Index in the parent's columns.
    parent_column: usize,
    /// Quantiles of the learned ratio.
    ratio: Vec<f64>,
    step: f64,
    limits: (f64, f64),
    salt: u64,
}

/// `column >= parent_column + gap` of the parent row a foreign key picks, a learned order.
#[derive(Debug)]
struct ParentOrderPlan {
    /// Position in the generated batch.
    column: usize,
    /// Every value becomes the parent's plus a drawn gap (the gap is tight), rather than only
    /// those that break the order.
    anchored: bool,
    fk: usize,
    /// Index in the parent's columns.
    parent_column: usize,
    min_gap: f64,
    /// Quantiles of the learned gap.
    gap: Vec<f64>,
    step: f64,
    limits: (f64, f64),
    /// The column's learned range, which a moved value stays inside where a learned gap allows.
    learned: (f64, f64),
    salt: u64,
}

/// Text columns drawn as one combination of values per row (a city with its country); rows
/// beyond the learned combinations' share are drawn column by column.
#[derive(Debug)]
struct GroupPlan {
    /// Indices into the table's columns.
    columns: Vec<usize>,
    /// The column (an index into the table's columns) whose copula uniform walks the
    /// combinations, which are then in the order of its rank; without one, each row draws
    /// its own uniform.
    lead: Option<usize>,
    combinations: Choice<Vec<Option<String>>>,
    /// For an address: rows beyond the combinations draw one country's address.
    address: Option<AddressPlan>,
    /// Per column, what rows beyond the combinations draw instead of the column's own
    /// generator, so its shares hold over all rows (see [`ColumnGen::beyond_combinations`]).
    beyond: Vec<Option<ColumnGen>>,
    salt: u64,
}

/// A group's draw for one row: its columns' values, or `None` for "column by column".
type GroupDraw<'g> = Option<Cow<'g, [Option<String>]>>;

impl GroupPlan {
    /// The combination drawn for row `row` at the lead's uniform `lead` (if the group has a
    /// lead), or `None` for "column by column".
    fn draw(&self, seed: u64, row: u64, lead: Option<f64>) -> GroupDraw<'_> {
        let u = lead.unwrap_or_else(|| unit_interval(mix64(combine([seed, self.salt, row]))));
        match (self.combinations.at(u), &self.address) {
            (Some(values), _) => Some(Cow::Borrowed(values)),
            (None, Some(address)) => Some(Cow::Owned(address.draw(seed, self.salt, row))),
            (None, None) => None,
        }
    }
}

/// The parent row each foreign key picks for each row of one run of rows, computed on first
/// use: the foreign key column, the columns copied from the parent, clustered columns and the
/// rules against the parent row all ask for the same picks, and a pick is a few permutation
/// rounds and a search.
struct ParentPicks<'g> {
    generator: &'g Generator,
    table: usize,
    rows: Range<u64>,
    /// Per foreign key, the parent row of each row.
    chosen: Vec<OnceCell<Vec<Option<u64>>>>,
    /// Per foreign key, the parent cells the table reads (by the parent's output position),
    /// one per row: a parent row is computed once for all the columns that copy from it.
    cells: Vec<OnceCell<Vec<(usize, Buffer)>>>,
}

impl<'g> ParentPicks<'g> {
    fn new(generator: &'g Generator, table: usize, rows: Range<u64>) -> ParentPicks<'g> {
        let keys = generator.tables[table].foreign_keys.len();
        ParentPicks {
            generator,
            table,
            rows,
            chosen: (0..keys).map(|_| OnceCell::new()).collect(),
            cells: (0..keys).map(|_| OnceCell::new()).collect(),
        }
    }

    /// Per row, the parent row foreign key `fk` picks, or `None` for a NULL reference.
    fn picks(&self, fk: usize) -> &[Option<u64>] {
        self.chosen[fk].get_or_init(|| {
            self.rows
                .clone()
                .map(|i| self.generator.parent_row(self.table, fk, i))
                .collect()
        })
    }

    /// Per row, the cell of `parent_column` (an index in the parent's columns) in the parent
    /// row foreign key `fk` picks (NULL for a NULL reference).
    fn cells(&self, fk: usize, parent_column: usize) -> &Buffer {
        let generator = self.generator;
        let parent = &generator.tables[generator.tables[self.table].foreign_keys[fk].parent];
        let at = parent.output_position(parent_column);
        let columns =
            self.cells[fk].get_or_init(|| generator.parent_cells(self.table, fk, self.picks(fk)));
        &columns
            .iter()
            .find(|(position, _)| *position == at)
            .expect("parent_cells gathers every parent column the plan reads (parent_reads)")
            .1
    }
}

#[derive(Debug)]
enum ColumnPlan {
    /// Left to the database (a stored generated column).
    Skip,
    /// A unique value per row.
    Key(IndexKey),
    /// Unique among the rows that share a parent under the table's main foreign key.
    Rank(IndexKey),
    /// The parent's key column, at the parent row the foreign key picks.
    Foreign {
        fk: usize,
        parent_column: usize,
    },
    /// A copy of a parent's value column, at the parent row the foreign key picks.
    Inherited {
        fk: usize,
        parent_column: usize,
        /// For a copy that held in only part of the real rows: the share of parents whose
        /// children copy, and the column's own values for the others' children.
        partly: Option<(f64, ColumnGen)>,
    },
    Values(ColumnGen),
}

#[derive(Debug)]
struct ForeignKeyPlan {
    parent: usize,
    nulls: RowPattern,
    salt: u64,
    mode: ParentPick,
    /// Another foreign key (its index) to the same parent rows whose pick this one moves off
    /// (see [`Generator::parent_row`]).
    differs_from: Option<usize>,
    /// Another foreign key whose parent row this one takes its reference from.
    through: Option<Through>,
}

/// A foreign key that references what the parent row of another key references: a payment's
/// customer is its rental's customer, a task's tenant its project's tenant. The row picks the
/// other key's parent row and takes that row's reference by `key`, computed as keys are.
#[derive(Debug)]
struct Through {
    /// The other foreign key of this table (its index).
    via: usize,
    /// The foreign key of `via`'s parent table whose reference is taken.
    key: usize,
    /// Share of `via`'s parent rows whose children take the reference; the others draw their
    /// own, as copies that held for most parents do.
    share: f64,
}

/// The second foreign key of a composite key, picked at its learned popularity (the layout of
/// its own children per parent, at a permuted slot as [`ParentPick::Weighted`] does), yet
/// distinct among the siblings of one main parent: a pick a sibling before it already took moves
/// on to the next parent row. Each row replays its earlier siblings' picks, so the cost per
/// row grows with its rank (a few microseconds at rank 100); runs longer than
/// [`Popular::MAX_SIBLINGS`] are not replayed.
#[derive(Debug)]
struct Popular {
    layout: FanOutLayout,
    spread: Permutation,
}

impl Popular {
    /// Long enough for a category's films (16 categories over 1,000 films, runs of up to 74),
    /// where a film picked past this would often get no category or two.
    const MAX_SIBLINGS: u64 = 128;

    /// The parent row for the sibling of rank `rank` in a run starting at child row `first`.
    fn pick(&self, first: u64, rank: u64, parents: u64) -> u64 {
        // The parents taken so far, sorted, so a pick is checked by binary search.
        let mut taken = [0u64; Self::MAX_SIBLINGS as usize];
        let mut parent = 0;
        for r in 0..=rank as usize {
            parent = self.layout.locate(self.spread.apply(first + r as u64)).0;
            let at = loop {
                match taken[..r].binary_search(&parent) {
                    Ok(_) => parent = (parent + 1) % parents,
                    Err(at) => break at,
                }
            };
            taken.copy_within(at..r, at + 1);
            taken[at] = parent;
        }
        parent
    }
}

/// How a foreign key picks the parent row of child row `i`.
#[derive(Debug)]
enum ParentPick {
    /// The table's main foreign key: children of a parent are consecutive rows, and their count
    /// follows the learned children-per-parent distribution.
    Main(FanOutLayout),
    /// The child slot of a layout that a permutation of the row index gives: each parent gets
    /// exactly its learned share of children, in no particular order of rows.
    Weighted(FanOutLayout, Permutation),
    /// A distinct parent per row (the foreign key is also a unique key).
    Distinct(Permutation),
    /// Distinct among siblings under the main foreign key, which makes a composite key like
    /// (order, product) unique. A parent with few siblings picks each at its learned popularity
    /// (see [`Popular`]); a long run of siblings takes (offset of that parent + rank) modulo
    /// this parent's rows.
    BesideMain {
        parents: u64,
        popular: Option<Popular>,
    },
    /// An earlier row of the same table, so references form a forest; row 0 is a root (NULL).
    Earlier,
    /// As `Earlier`, for a NOT NULL self-reference: row 0 references itself.
    EarlierOrSelf,
    /// The parent row each row referenced in the snapshot, by position (NULL for none): a
    /// lookup table's reference to another lookup table (a city's country).
    Listed(Vec<Option<u64>>),
    /// The parent table is empty: always NULL.
    Never,
}

impl Generator {
    pub fn new(profile: &Profile, request: &Request) -> Result<Generator, GenerateError> {
        plan::build(profile, request)
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn tables(&self) -> &[TablePlan] {
        &self.tables
    }

    /// Table indices with every parent before its children.
    pub fn load_order(&self) -> &LoadOrder {
        &self.order
    }

    /// Checks that could not be modeled and columns of unknown type, for the user to see.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn chunk_count(&self, table: usize) -> u64 {
        let plan = &self.tables[table];
        plan.rows.div_ceil(plan.chunk_rows)
    }

    /// Chunk `chunk` of table `table`, as one record batch of up to its plan's `chunk_rows`.
    pub fn batch(&self, table: usize, chunk: u64) -> RecordBatch {
        let plan = &self.tables[table];
        let rows = plan.chunk(chunk);
        let mut buffers = if plan.row_keyed {
            self.row_by_row(table, rows.clone())
        } else {
            self.buffers(table, rows.clone(), chunk)
        };
        // Edge cases last, so no later stage moves an injected value.
        for (at, edge) in &plan.edges {
            edge.apply(rows.clone(), &mut buffers[*at]);
        }
        let arrays = buffers
            .into_iter()
            .zip(plan.schema.fields())
            .map(|(b, f)| b.finish(f.data_type()))
            .collect();
        // A table of no columns (`CREATE TABLE t ()`) still has its rows.
        let rows_here =
            RecordBatchOptions::new().with_row_count(Some((rows.end - rows.start) as usize));
        RecordBatch::try_new_with_options(plan.schema.clone(), arrays, &rows_here)
            .expect("buffers are built for the schema's own types")
    }

    /// The values of rows `rows` of `table`, one buffer per output column, with randomness keyed
    /// by `key` (a chunk number, or a single row's own key).
    fn buffers(&self, table: usize, rows: Range<u64>, key: u64) -> Vec<Buffer> {
        let plan = &self.tables[table];
        let parents = ParentPicks::new(self, table, rows.clone());
        let start = rows.start;
        let mut uniforms = self.joint_uniforms(table, &parents, key);
        let drawn: Vec<Vec<_>> = plan
            .groups
            .iter()
            .map(|g| {
                let lead = self.lead_uniforms(table, g, uniforms.as_deref());
                let lead = |r: usize| lead.map(|u| u[r]);
                (rows.clone().enumerate())
                    .map(|(r, i)| g.draw(self.seed, i, lead(r)))
                    .collect()
            })
            .collect();
        let mut buffers: Vec<Buffer> = (0..plan.output.len())
            .map(|at| {
                let c = plan.output[at];
                let grouped = plan.groups.iter().enumerate().find_map(|(g, group)| {
                    let k = group.columns.iter().position(|&j| j == c)?;
                    Some((&drawn[g][..], k, group.beyond[k].as_ref()))
                });
                self.column_cells(table, at, key, &parents, uniforms.as_deref(), grouped)
            })
            .collect();
        for shift in &plan.shifts {
            let u = self.shifted_uniforms(shift, key, &buffers, &mut uniforms);
            buffers[shift.at] = self.cells_at(table, shift.at, key, rows.clone(), &u);
        }
        for rule in &plan.name_emails {
            rule.apply(&mut buffers, self.seed, start);
        }
        for follow in &plan.follows {
            self.follow_parent(follow, &parents, &mut buffers[follow.column]);
        }
        for order in &plan.parent_orders {
            self.keep_above_parent(order, &parents, &mut buffers[order.column]);
        }
        // The parent cells are read; totals below make child rows, which hold their own.
        drop(parents);
        for anchor in &plan.anchors {
            anchor.apply(&mut buffers, self.seed, key, uniforms.as_deref());
        }
        for derived in &plan.derived {
            derived.apply(&mut buffers);
        }
        for &(left, op, right, unit) in &plan.relations {
            enforce(&mut buffers, (left, plan.values_at(left)), op, right, unit);
        }
        for part in &plan.parts {
            part.apply(&mut buffers);
        }
        for &(left, op, right, unit) in &plan.after_parts {
            enforce(&mut buffers, (left, plan.values_at(left)), op, right, unit);
        }
        for date in &plan.dates {
            date.apply(&mut buffers);
        }
        for follow in &plan.null_follows {
            let data_type = plan.schema.field(follow.column).data_type();
            follow.apply(&mut buffers, start, data_type);
        }
        for total in &plan.totals {
            self.total_children(total, start, &mut buffers[total.column]);
        }
        buffers
    }

    /// The copula's uniforms for the rows of `parents` (one vector per copula column), each
    /// clustered column's parent part mixed in; `None` without a copula.
    fn joint_uniforms(
        &self,
        table: usize,
        parents: &ParentPicks,
        key: u64,
    ) -> Option<Vec<Vec<f64>>> {
        let plan = &self.tables[table];
        let rows = parents.rows.clone();
        let mut uniforms = plan.copula.as_ref()?.uniforms(self.seed, key, rows.clone());
        let mut shared = Vec::new();
        for group in &plan.clusters {
            let scores = self.parent_scores(table, group, parents);
            // Siblings often follow each other: their parent's normals are drawn once.
            let mut last = None;
            for ((r, i), pick) in rows.clone().enumerate().zip(parents.picks(group.fk)) {
                let parent = pick.unwrap_or_else(|| combine([NO_PARENT, i]));
                if last != Some(parent) {
                    group.parent_normals(self.seed, parent, &mut shared);
                    if !scores.is_empty() {
                        group.follow_parent(|member| scores[member][r], &mut shared);
                    }
                    last = Some(parent);
                }
                group.mix(&shared, &mut uniforms, r);
            }
        }
        Some(uniforms)
    }

    /// The uniforms of `shift`'s number moved to its rows' categories in `buffers`: its copula
    /// uniforms, moved in place so that later stages read the same draw (borrowed, not
    /// copied), or its own.
    fn shifted_uniforms<'u>(
        &self,
        shift: &ShiftPlan,
        key: u64,
        buffers: &[Buffer],
        uniforms: &'u mut Option<Vec<Vec<f64>>>,
    ) -> Cow<'u, [f64]> {
        let categories = &buffers[shift.category];
        if let (Some(k), Some(uniforms)) = (shift.member, uniforms.as_mut()) {
            shift.apply(categories, &mut uniforms[k]);
            return Cow::Borrowed(&uniforms[k]);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(combine([self.seed, shift.salt, key]));
        let rows = buffers[shift.at].rows();
        let mut own: Vec<f64> = (0..rows).map(|_| rng.random()).collect();
        shift.apply(categories, &mut own);
        Cow::Owned(own)
    }

    /// The copula uniforms of `group`'s lead column, row by row, if it has one.
    fn lead_uniforms<'u>(
        &self,
        table: usize,
        group: &GroupPlan,
        uniforms: Option<&'u [Vec<f64>]>,
    ) -> Option<&'u [f64]> {
        let copula = self.tables[table].copula.as_ref()?;
        let k = copula.columns.iter().position(|&c| Some(c) == group.lead)?;
        Some(&uniforms?[k])
    }

    /// Per member of `group` (empty when none follows a parent column), the normal score of
    /// its parent column's value in each row's parent row (`None` without one).
    fn parent_scores(
        &self,
        table: usize,
        group: &ClusterGroup,
        parents: &ParentPicks,
    ) -> Vec<Vec<Option<f64>>> {
        if group.parents.iter().all(Option::is_none) {
            return Vec::new();
        }
        let parent = &self.tables[self.tables[table].foreign_keys[group.fk].parent];
        let rows = (parents.rows.end - parents.rows.start) as usize;
        group
            .parents
            .iter()
            .map(|link| match link {
                Some((column, _)) => {
                    let ColumnPlan::Values(gen) = &parent.columns[*column] else {
                        return vec![None; rows];
                    };
                    let values = parents.cells(group.fk, *column).numbers();
                    values.into_iter().map(|v| gen.normal_score(v?)).collect()
                }
                None => vec![None; rows],
            })
            .collect()
    }

    /// The cells of output column `at` for the rows of `parents`, before the stages that work
    /// across columns: drawn at the copula's `uniforms`, from the group draws `grouped` (the
    /// draws, the column's place in them, and what rows beyond the combinations draw it with
    /// if not its own generator), or on their own.
    fn column_cells(
        &self,
        table: usize,
        at: usize,
        key: u64,
        parents: &ParentPicks,
        uniforms: Option<&[Vec<f64>]>,
        grouped: Option<(&[GroupDraw<'_>], usize, Option<&ColumnGen>)>,
    ) -> Buffer {
        let plan = &self.tables[table];
        let c = plan.output[at];
        let rows = parents.rows.clone();
        let mut buffer = Buffer::for_type(
            plan.schema.field(at).data_type(),
            (rows.end - rows.start) as usize,
        );
        let joint = plan.copula.as_ref().and_then(|copula| {
            let k = copula.columns.iter().position(|&j| j == c)?;
            Some(&uniforms.expect("made with the copula")[k][..])
        });
        let seed = combine([self.seed, plan.salt, c as u64, key]);
        // A group's lead is in the copula too: its uniform chose the group's combination.
        match (joint, grouped, &plan.columns[c]) {
            (_, Some((drawn, k, beyond)), ColumnPlan::Values(gen)) => {
                let rng = &mut ChaCha8Rng::seed_from_u64(seed);
                for (i, combination) in rows.zip(drawn) {
                    match combination.as_ref().map(|values| &values[k]) {
                        Some(Some(value)) => buffer.push_str(value),
                        Some(None) => buffer.push_null(),
                        None => beyond.unwrap_or(gen).fill(rng, i..i + 1, &mut buffer),
                    }
                }
            }
            (Some(u), None, ColumnPlan::Values(_)) => {
                return self.cells_at(table, at, key, rows, u)
            }
            _ => self.fill(table, c, key, parents, &mut buffer),
        }
        buffer
    }

    /// The cells of output column `at` (a column of values that takes uniforms) for `rows`,
    /// each at its row's uniform in `u`.
    fn cells_at(&self, table: usize, at: usize, key: u64, rows: Range<u64>, u: &[f64]) -> Buffer {
        let plan = &self.tables[table];
        let c = plan.output[at];
        let ColumnPlan::Values(gen) = &plan.columns[c] else {
            unreachable!("only value columns are drawn at uniforms");
        };
        let mut buffer = Buffer::for_type(
            plan.schema.field(at).data_type(),
            (rows.end - rows.start) as usize,
        );
        let rng = &mut ChaCha8Rng::seed_from_u64(combine([self.seed, plan.salt, c as u64, key]));
        gen.fill_from(u, rng, rows, &mut buffer);
        buffer
    }

    /// Whether output column `at` of `table` is made by [`Generator::column_cells`] alone: a
    /// key (a function of the row index), or a column of values in no group, that no stage
    /// across columns writes (an order rule moves only its left side). Such a column of a
    /// parent row can be computed without the rest of the row.
    fn made_alone(&self, table: usize, at: usize) -> bool {
        let plan = &self.tables[table];
        let c = plan.output[at];
        let grouped = plan.groups.iter().any(|g| g.columns.contains(&c));
        let written = plan.name_emails.iter().any(|r| r.email() == at)
            || plan.follows.iter().any(|f| f.column == at)
            || plan.parent_orders.iter().any(|o| o.column == at)
            || plan.anchors.iter().any(|a| a.dependent == at)
            || plan.shifts.iter().any(|s| s.at == at)
            || plan.derived.iter().any(|d| d.target == at)
            || plan.parts.iter().any(|p| p.column == at)
            || plan.totals.iter().any(|t| t.column == at)
            || plan.null_follows.iter().any(|f| f.column == at)
            || (plan.relations.iter().chain(&plan.after_parts)).any(|&(left, ..)| left == at);
        let own = matches!(plan.columns[c], ColumnPlan::Values(_) | ColumnPlan::Key(_));
        own && !grouped && !written
    }

    /// Output column `at` of row `row` of a row-keyed table, for a column [`made alone`]: the
    /// cell [`Generator::one_row`] gives, without the rest of the row.
    ///
    /// [`made alone`]: Generator::made_alone
    fn one_cell(&self, table: usize, at: usize, row: u64) -> Buffer {
        let key = combine([ROW_KEYED, row]);
        let parents = ParentPicks::new(self, table, row..row + 1);
        let uniforms = self.joint_uniforms(table, &parents, key);
        self.column_cells(table, at, key, &parents, uniforms.as_deref(), None)
    }

    /// The cells of chunk `chunk` of `table` that [`Generator::batch`] fills with edge cases,
    /// by row and then column: computed from the plan alone.
    pub fn injections(&self, table: usize, chunk: u64) -> Vec<Injection> {
        let plan = &self.tables[table];
        let rows = plan.chunk(chunk);
        let mut cells: Vec<Injection> = plan
            .edges
            .iter()
            .flat_map(|(at, edge)| {
                edge.cells(rows.clone()).map(|(row, v)| Injection {
                    row,
                    column: *at,
                    kind: edge.kind(v),
                })
            })
            .collect();
        cells.sort_by_key(|c| (c.row, c.column));
        cells
    }

    /// Moves each value that falls below its parent row's value (rows from `start`), or every
    /// value when the order is anchored, to the parent's value plus a gap drawn from the learned
    /// gaps.
    fn keep_above_parent(&self, order: &ParentOrderPlan, parents: &ParentPicks, out: &mut Buffer) {
        let start = parents.rows.start;
        let values = out.numbers();
        let floors = parents.cells(order.fk, order.parent_column).numbers();
        for (i, (value, floor)) in values.into_iter().zip(floors).enumerate() {
            let (Some(value), Some(floor)) = (value, floor) else {
                continue;
            };
            if !order.anchored && value >= floor + order.min_gap {
                continue;
            }
            let u = unit_interval(mix64(combine([self.seed, order.salt, start + i as u64])));
            let inside = gap_rank_inside(&order.gap, order.learned, floor, u);
            let mut gap = interpolate(&order.gap, inside.unwrap_or(u)).max(order.min_gap);
            if order.step > 0.0 {
                gap = ((gap / order.step).ceil() * order.step).max(order.min_gap);
            }
            let value = match inside {
                // No learned gap reaches the learned range from this parent value: the
                // column's own value stands where it keeps the order.
                None if value >= floor + order.min_gap => value,
                _ => (floor + gap).clamp(order.learned.0, order.learned.1),
            };
            let value = value.max(floor + order.min_gap);
            out.set_number(i, value.clamp(order.limits.0, order.limits.1));
        }
    }

    /// Sets each present value (rows from `start`) to its parent row's value times a ratio drawn
    /// from the learned ratios.
    fn follow_parent(&self, follow: &FollowPlan, parents: &ParentPicks, out: &mut Buffer) {
        let start = parents.rows.start;
        let values = out.numbers();
        let bases = parents.cells(follow.fk, follow.parent_column).numbers();
        for (i, (value, base)) in values.into_iter().zip(bases).enumerate() {
            let (Some(_), Some(base)) = (value, base) else {
                continue;
            };
            let u = unit_interval(mix64(combine([self.seed, follow.salt, start + i as u64])));
            let mut x = base * interpolate(&follow.ratio, u);
            if follow.step > 0.0 {
                x = round_to_unit(x, follow.step);
            }
            out.set_number(i, x.clamp(follow.limits.0, follow.limits.1));
        }
    }

    /// Sets each present value (rows from `start`) to the total of the row's children.
    fn total_children(&self, total: &TotalPlan, start: u64, out: &mut Buffer) {
        for i in 0..out.rows() {
            if !out.is_present(i) {
                continue;
            }
            let parent = start + i as u64;
            let sum: f64 = self
                .children_of(total.child, total.fk, parent)
                .map(|row| {
                    let values = self.one_row(total.child, row);
                    // The count of children when `sum` is empty: an empty product is 1.
                    let factors = total.sum.iter().map(|&at| values[at].number_at(0));
                    factors.map(|x| x.unwrap_or(0.0)).product::<f64>()
                })
                .sum();
            out.set_number(i, sum);
        }
    }

    /// The rows of `child` whose foreign key `fk` points at parent row `parent`: the inverse of
    /// [`Generator::parent_row`], for the picks planned totals accept (a layout, direct or
    /// permuted). A key kept apart from another also looks at the parent row before, whose
    /// drawn children may have moved here.
    fn children_of(&self, child: usize, fk: usize, parent: u64) -> impl Iterator<Item = u64> + '_ {
        let key = &self.tables[child].foreign_keys[fk];
        let parents = self.tables[key.parent].rows.max(1);
        let before = (parent + parents - 1) % parents;
        let drawn_at = |layout: &FanOutLayout| {
            let moved_in = key
                .differs_from
                .filter(|_| before != parent)
                .map(|_| layout.slots_of(before));
            layout
                .slots_of(parent)
                .chain(moved_in.into_iter().flatten())
        };
        let (slots, spread): (Box<dyn Iterator<Item = u64>>, _) = match &key.mode {
            ParentPick::Main(layout) => (Box::new(drawn_at(layout)), None),
            ParentPick::Weighted(layout, spread) => (Box::new(drawn_at(layout)), Some(spread)),
            _ => (Box::new(0..0), None),
        };
        slots
            .map(move |slot| spread.map_or(slot, |s| s.invert(slot)))
            .filter(move |&row| self.parent_row(child, fk, row) == Some(parent))
    }

    /// The parent cells table `table` reads through foreign key `fk` (the columns it copies,
    /// follows or stays above), each with one cell per pick. A column the parent makes alone
    /// is computed alone ([`Generator::one_cell`]); the others take the whole parent row, once
    /// per run of consecutive siblings. When only partial copies read the key, only the rows
    /// whose copy is taken are computed (the others hold NULL and are never read).
    fn parent_cells(&self, table: usize, fk: usize, picks: &[Option<u64>]) -> Vec<(usize, Buffer)> {
        let plan = &self.tables[table];
        let parent_table = plan.foreign_keys[fk].parent;
        let parent = &self.tables[parent_table];
        let (every_row, partial) = plan.parent_rows_read(fk);
        let needed = |j: u64| {
            every_row
                || partial
                    .iter()
                    .any(|&(column, share)| self.copies_parent(table, column, share, j))
        };
        let mut columns: Vec<(usize, Buffer)> = plan
            .parent_reads()
            .filter(|&(f, _)| f == fk)
            .map(|(_, c)| parent.output_position(c))
            .collect::<BTreeSet<usize>>()
            .into_iter()
            .map(|at| {
                let data_type = parent.schema.field(at).data_type();
                (at, Buffer::for_type(data_type, picks.len()))
            })
            .collect();
        let whole = columns
            .iter()
            .any(|(at, _)| !self.made_alone(parent_table, *at));
        let (mut last_row, mut last_alone) = (None, None);
        for &pick in picks {
            let Some(j) = pick.filter(|&j| needed(j)) else {
                columns.iter_mut().for_each(|(_, cells)| cells.push_null());
                continue;
            };
            if whole {
                let row = self.parent_row_cells(parent_table, j, &mut last_row);
                for (at, cells) in &mut columns {
                    cells.push_from(&row[*at], 0);
                }
                continue;
            }
            if last_alone.as_ref().is_none_or(|(k, _)| *k != j) {
                let alone: Vec<Buffer> = columns
                    .iter()
                    .map(|(at, _)| self.one_cell(parent_table, *at, j))
                    .collect();
                last_alone = Some((j, alone));
            }
            let alone = &last_alone.as_ref().expect("just computed").1;
            for ((_, cells), cell) in columns.iter_mut().zip(alone) {
                cells.push_from(cell, 0);
            }
        }
        columns
    }

    /// Whether a column that copies its parent's value for a `share` of parents copies it for
    /// the children of parent row `j`: keyed by the parent row, so siblings agree.
    fn copies_parent(&self, table: usize, column: usize, share: f64, j: u64) -> bool {
        let plan = &self.tables[table];
        let seed = combine([
            self.seed,
            plan.salt,
            column as u64,
            combine([PARENT_KEYED, j]),
        ]);
        unit_interval(mix64(seed)) < share
    }

    /// Cells of a column that copies its parent's value for a `share` of parents. The choice
    /// and the column's own value are keyed by the parent row, so the children of one parent
    /// agree with each other either way, as a customer's orders share a ship-to name.
    fn push_partial_copies(
        &self,
        (table, column): (usize, usize),
        (fk, parent_column): (usize, usize),
        (share, own): (f64, &ColumnGen),
        parents: &ParentPicks,
        out: &mut Buffer,
    ) {
        let plan = &self.tables[table];
        let cells = parents.cells(fk, parent_column);
        let rows = parents.rows.clone();
        for (r, (i, &j)) in rows.zip(parents.picks(fk)).enumerate() {
            match j {
                Some(j) if self.copies_parent(table, column, share, j) => out.push_from(cells, r),
                _ => {
                    let key = j.map_or(combine([ROW_KEYED, i]), |j| combine([PARENT_KEYED, j]));
                    let seed = combine([self.seed, plan.salt, column as u64, key]);
                    own.fill(&mut ChaCha8Rng::seed_from_u64(seed), i..i + 1, out)
                }
            }
        }
    }

    /// Row `j` of `parent`, computed once for a run of siblings that `last` remembers.
    fn parent_row_cells<'l>(
        &self,
        parent: usize,
        j: u64,
        last: &'l mut Option<(u64, Vec<Buffer>)>,
    ) -> &'l [Buffer] {
        if last.as_ref().is_none_or(|(row, _)| *row != j) {
            *last = Some((j, self.one_row(parent, j)));
        }
        &last.as_ref().expect("just computed").1
    }

    /// Rows one at a time, each from randomness keyed by the row itself: slower, but any one row
    /// can then be computed alone, which is what a child copying this table's values needs.
    fn row_by_row(&self, table: usize, rows: Range<u64>) -> Vec<Buffer> {
        let plan = &self.tables[table];
        let n = (rows.end - rows.start) as usize;
        let mut out: Vec<Buffer> = plan
            .schema
            .fields()
            .iter()
            .map(|f| Buffer::for_type(f.data_type(), n))
            .collect();
        for i in rows {
            for (column, one) in out.iter_mut().zip(self.one_row(table, i)) {
                column.push_from(&one, 0);
            }
        }
        out
    }

    /// Row `row` of a row-keyed table, one single-value buffer per output column.
    fn one_row(&self, table: usize, row: u64) -> Vec<Buffer> {
        self.buffers(table, row..row + 1, combine([ROW_KEYED, row]))
    }

    /// Appends the values of `column` for the rows of `parents` to `out`, with randomness keyed
    /// by `key`.
    fn fill(&self, table: usize, column: usize, key: u64, parents: &ParentPicks, out: &mut Buffer) {
        let plan = &self.tables[table];
        let rows_here = parents.rows.clone();
        match &plan.columns[column] {
            ColumnPlan::Skip => {}
            ColumnPlan::Values(gen) => {
                let seed = combine([self.seed, plan.salt, column as u64, key]);
                gen.fill(&mut ChaCha8Rng::seed_from_u64(seed), rows_here, out);
            }
            ColumnPlan::Key(_) | ColumnPlan::Rank(_) => {
                rows_here.for_each(|i| out.push_key(&self.key_value(table, column, i)));
            }
            ColumnPlan::Foreign { fk, parent_column } => {
                let parent = plan.foreign_keys[*fk].parent;
                for &pick in parents.picks(*fk) {
                    match pick {
                        Some(j) => out.push_key(&self.key_value(parent, *parent_column, j)),
                        None => out.push_null(),
                    }
                }
            }
            ColumnPlan::Inherited {
                fk,
                parent_column,
                partly: None,
            } => {
                let cells = parents.cells(*fk, *parent_column);
                (0..cells.rows()).for_each(|r| out.push_from(cells, r));
            }
            ColumnPlan::Inherited {
                fk,
                parent_column,
                partly: Some((share, own)),
            } => {
                self.push_partial_copies(
                    (table, column),
                    (*fk, *parent_column),
                    (*share, own),
                    parents,
                    out,
                );
            }
        }
    }

    /// The value of key column `column` of `table` at row `i`: computable for any row without
    /// generating the table, which is what lets a child compute its parent's key.
    fn key_value(&self, table: usize, column: usize, i: u64) -> Key {
        let plan = &self.tables[table];
        match &plan.columns[column] {
            ColumnPlan::Key(key) => key.value(i),
            ColumnPlan::Rank(key) => key.value(self.rank(table, i)),
            ColumnPlan::Foreign { fk, parent_column } => {
                let parent = plan.foreign_keys[*fk].parent;
                match self.parent_row(table, *fk, i) {
                    Some(j) => self.key_value(parent, *parent_column, j),
                    None => Key::Int(0),
                }
            }
            ColumnPlan::Skip | ColumnPlan::Values(_) | ColumnPlan::Inherited { .. } => {
                unreachable!("the planner makes every referenced column a key")
            }
        }
    }

    fn rank(&self, table: usize, i: u64) -> u64 {
        self.tables[table]
            .main_layout()
            .map_or(i, |layout| layout.locate(i).1)
    }

    /// The parent row foreign key `fk` of `table` picks for row `i`: the drawn one, moved to the
    /// next parent row where it would equal the pick of the key it differs from; `None` for a
    /// NULL reference.
    fn parent_row(&self, table: usize, fk: usize, i: u64) -> Option<u64> {
        let key = &self.tables[table].foreign_keys[fk];
        if let Some(row) = key
            .through
            .as_ref()
            .and_then(|t| self.row_through(table, t, i))
        {
            return (!key.nulls.hits(i)).then_some(row);
        }
        let pick = self.drawn_parent_row(table, fk, i)?;
        match key.differs_from {
            Some(other) if self.drawn_parent_row(table, other, i) == Some(pick) => {
                Some((pick + 1) % self.tables[key.parent].rows.max(1))
            }
            _ => Some(pick),
        }
    }

    /// The row that row `i`'s parent by `through.via` references by its key `through.key`;
    /// `None` where there is no such row or that parent's children draw their own.
    fn row_through(&self, table: usize, through: &Through, i: u64) -> Option<u64> {
        let via = &self.tables[table].foreign_keys[through.via];
        let j = self.parent_row(table, through.via, i)?;
        let seed = combine([self.seed, via.salt, PARENT_KEYED, j]);
        if through.share < 1.0 && unit_interval(mix64(seed)) >= through.share {
            return None;
        }
        self.parent_row(via.parent, through.key, j)
    }

    fn drawn_parent_row(&self, table: usize, fk: usize, i: u64) -> Option<u64> {
        let plan = &self.tables[table];
        let key = &plan.foreign_keys[fk];
        let draw = mix64(combine([key.salt, i]));
        // A self-reference's row 0 is a root; the pattern covers the rows after it.
        let pattern_row = match key.mode {
            ParentPick::Earlier => i.checked_sub(1)?,
            _ => i,
        };
        if key.nulls.hits(pattern_row) {
            return None;
        }
        match &key.mode {
            ParentPick::Main(layout) => Some(layout.locate(i).0),
            ParentPick::Weighted(layout, spread) => Some(layout.locate(spread.apply(i)).0),
            ParentPick::Distinct(permutation) => Some(permutation.apply(i)),
            ParentPick::BesideMain { parents, popular } => {
                let layout = plan
                    .main_layout()
                    .expect("BesideMain comes with a main layout");
                let (parent, rank) = layout.locate(i);
                let siblings = layout.slots_of(parent);
                match popular {
                    Some(popular) if siblings.end - siblings.start <= Popular::MAX_SIBLINGS => {
                        Some(popular.pick(siblings.start, rank, *parents))
                    }
                    _ => Some((mix64(parent ^ key.salt) % parents + rank) % parents),
                }
            }
            ParentPick::Earlier if i == 0 => None,
            ParentPick::EarlierOrSelf if i == 0 => Some(0),
            ParentPick::Earlier | ParentPick::EarlierOrSelf => {
                // Skewed towards early rows: few rows have many children, like a hierarchy.
                let u = unit_interval(mix64(draw));
                Some(((i as f64) * u * u) as u64)
            }
            ParentPick::Listed(rows) => rows.get(i as usize).copied().flatten(),
            ParentPick::Never => None,
        }
    }
}

impl TablePlan {
    /// The parent columns this table reads, as (foreign key, column of the parent): the
    /// columns it copies (wholly or for a share of parents), follows as a multiple, or stays
    /// above, and those that a clustered column's parent part moves with. Which tables are row-keyed, in which order tables are made, and which parent
    /// cells a chunk gathers all follow from this one list.
    fn parent_reads(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let copied = self.columns.iter().filter_map(|c| match c {
            ColumnPlan::Inherited {
                fk, parent_column, ..
            } => Some((*fk, *parent_column)),
            _ => None,
        });
        let followed = self.clusters.iter().flat_map(|group| {
            let columns = group.parents.iter().flatten();
            columns.map(|&(column, _)| (group.fk, column))
        });
        copied
            .chain(self.parent_orders.iter().map(|o| (o.fk, o.parent_column)))
            .chain(self.follows.iter().map(|f| (f.fk, f.parent_column)))
            .chain(followed)
    }

    /// Which parent rows of foreign key `fk` this table reads: all of them (a whole copy, a
    /// follow, an order against the parent or a parent column a cluster moves with), or only those that the partial copies take,
    /// given as (column, share of parents copied).
    fn parent_rows_read(&self, fk: usize) -> (bool, Vec<(usize, f64)>) {
        let mut every_row = self.follows.iter().any(|f| f.fk == fk)
            || self.parent_orders.iter().any(|o| o.fk == fk)
            || (self.clusters.iter()).any(|g| g.fk == fk && g.parents.iter().any(Option::is_some));
        let mut partial = Vec::new();
        for (column, plan) in self.columns.iter().enumerate() {
            match plan {
                ColumnPlan::Inherited { fk: f, partly, .. } if *f == fk => match partly {
                    None => every_row = true,
                    Some((share, _)) => partial.push((column, *share)),
                },
                _ => {}
            }
        }
        (every_row, partial)
    }

    /// The rows of chunk `chunk`.
    pub fn chunk(&self, chunk: u64) -> Range<u64> {
        let start = chunk.saturating_mul(self.chunk_rows).min(self.rows);
        start..self.rows.min(start.saturating_add(self.chunk_rows))
    }

    /// The generator of output column `at`, if it is a column of values.
    fn values_at(&self, at: usize) -> Option<&ColumnGen> {
        match &self.columns[self.output[at]] {
            ColumnPlan::Values(gen) => Some(gen),
            _ => None,
        }
    }

    /// The position in the generated batch of column `column` (an index in the table's
    /// columns), which the planner only asks of generated columns.
    fn output_position(&self, column: usize) -> usize {
        self.output
            .iter()
            .position(|&o| o == column)
            .expect("the planner reads only generated columns across a foreign key")
    }

    /// The main foreign key's layout, which also numbers each row among its siblings.
    fn main_layout(&self) -> Option<&FanOutLayout> {
        match &self.foreign_keys.get(self.main?)?.mode {
            ParentPick::Main(layout) => Some(layout),
            _ => None,
        }
    }
}

/// `target = left ± right`, as positions in the generated batch; with `clock`, `left` and
/// `target` are `HHMM` clock times and `right` is minutes.
#[derive(Debug)]
struct DerivedPlan {
    target: usize,
    left: usize,
    plus: bool,
    /// `None` for a target that repeats `left`.
    right: Option<usize>,
    clock: bool,
    /// How a clock target writes midnight: `0` or `2400`.
    midnight: f64,
}

impl DerivedPlan {
    /// Sets the target in every row where it and its inputs are present.
    fn apply(&self, buffers: &mut [Buffer]) {
        let lv = buffers[self.left].numbers();
        let rv = match self.right {
            Some(right) => buffers[right].numbers(),
            None => vec![Some(0.0); lv.len()],
        };
        for (i, (l, r)) in lv.into_iter().zip(rv).enumerate() {
            if let (Some(l), Some(r)) = (l, r) {
                if buffers[self.target].is_present(i) {
                    let value = match (self.clock, self.plus) {
                        (true, plus) => match clock_plus(l, if plus { r } else { -r }) {
                            0.0 => self.midnight,
                            time => time,
                        },
                        (false, true) => l + r,
                        (false, false) => l - r,
                    };
                    buffers[self.target].set_number(i, value);
                }
            }
        }
    }
}

/// Moves column `left` (its position and its generator, if a column of values) to keep
/// `left op right` in every row where both are present: a clock time to a valid time, a
/// number drawn from a set (cylinders) to the nearest of its values on the order's side.
fn enforce(
    buffers: &mut [Buffer],
    (left, gen): (usize, Option<&ColumnGen>),
    op: Cmp,
    right: usize,
    unit: f64,
) {
    let clock = gen.is_some_and(ColumnGen::is_clock);
    let set = gen.and_then(ColumnGen::number_set);
    // An integer moved to a fractional bound (a hit count kept at least a 0.207 average) takes
    // the nearest integer on the order's side of it, not the nearest integer, which could
    // break the order again.
    let whole = matches!(buffers[left], Buffer::Int(..));
    // A decimal moved a unit past its bound stays on the unit's decimals (rounding to the
    // nearest keeps it at least half a unit past the bound).
    let on_unit = |v: f64| match unit > 0.0 && unit < 1.0 {
        true => round_to_unit(v, unit),
        false => v,
    };
    let fix = |l: f64, r: f64| -> f64 {
        match (whole, op) {
            (false, Cmp::Ge) => l.max(r),
            (false, Cmp::Gt) => l.max(on_unit(r + unit)),
            (false, Cmp::Le) => l.min(r),
            (false, Cmp::Lt) => l.min(on_unit(r - unit)),
            (true, Cmp::Ge) => l.max(r.ceil()),
            (true, Cmp::Gt) => l.max(r.floor() + 1.0),
            (true, Cmp::Le) => l.min(r.floor()),
            (true, Cmp::Lt) => l.min(r.ceil() - 1.0),
            (_, Cmp::Eq) => r,
        }
    };
    let up = matches!(op, Cmp::Ge | Cmp::Gt);
    let (lv, rv) = (buffers[left].numbers(), buffers[right].numbers());
    for (i, (l, r)) in lv.into_iter().zip(rv).enumerate() {
        if let (Some(l), Some(r)) = (l, r) {
            let mut fixed = fix(l, r);
            if clock && fixed != l {
                fixed = values::clock_time_toward(fixed, up);
            }
            if let (Some(set), true) = (&set, fixed != l && op != Cmp::Eq) {
                fixed = in_set_toward(set, fixed, up).unwrap_or(fixed);
            }
            if fixed != l {
                buffers[left].set_number(i, fixed);
            }
        }
    }
}

/// The first of the ascending `set` at or above `v` (`up`), or the last at or below it.
fn in_set_toward(set: &[f64], v: f64, up: bool) -> Option<f64> {
    match up {
        true => set.iter().find(|&&x| x >= v).copied(),
        false => set.iter().rev().find(|&&x| x <= v).copied(),
    }
}

fn arrow_schema(table: &Table, output: &[usize]) -> SchemaRef {
    let fields: Vec<Field> = output
        .iter()
        .map(|&c| {
            let column = &table.columns[c];
            // A type understudy doesn't model is generated as NULL even where the column is
            // NOT NULL (with a warning), so its field must allow NULLs.
            let nullable = column.nullable || column.logical == LogicalType::Opaque;
            Field::new(&column.name, column.logical.arrow_type(), nullable)
        })
        .collect();
    Arc::new(ArrowSchema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::model::{PrivacySettings, SourceInfo, TableProfile};
    use crate::schema::Column;

    #[test]
    fn an_integer_moved_to_a_fractional_bound_keeps_the_order() {
        // hits >= average (0.207), hits <= ceiling (2.5): an integer rounds away from the bound.
        let mut buffers = vec![
            Buffer::for_type(&arrow::datatypes::DataType::Int32, 2),
            Buffer::for_type(&arrow::datatypes::DataType::Float64, 2),
        ];
        buffers[0].push_int(0);
        buffers[0].push_int(7);
        buffers[1].push_number(0.207);
        buffers[1].push_number(2.5);
        enforce(&mut buffers, (0, None), Cmp::Ge, 1, 1.0);
        assert_eq!(buffers[0].numbers(), [Some(1.0), Some(7.0)]);
        enforce(&mut buffers, (0, None), Cmp::Le, 1, 1.0);
        assert_eq!(buffers[0].numbers(), [Some(0.0), Some(2.0)]);
        // Strict orders take the next integer past the bound, not one more.
        enforce(&mut buffers, (0, None), Cmp::Gt, 1, 1.0);
        assert_eq!(buffers[0].numbers(), [Some(1.0), Some(3.0)]);
        enforce(&mut buffers, (0, None), Cmp::Lt, 1, 1.0);
        assert_eq!(buffers[0].numbers(), [Some(0.0), Some(2.0)]);
    }

    #[test]
    fn popular_picks_are_distinct_among_siblings_and_keep_popularity() {
        // 10 products: one on 60 % of the lines, the rest spread evenly; orders of 4 lines.
        let histogram = [(40u64, 1u64), (3, 9)].into_iter().collect();
        let learned = crate::profile::model::FanOut {
            parents: 10,
            mean: 6.7,
            max: 40,
            zero_share: 0.0,
            histogram,
        };
        let lines = 400;
        let layout = FanOutLayout::new(lines, 10, Some(&learned), u64::MAX, 5, &[]).unwrap();
        let popular = Popular {
            layout,
            spread: Permutation::new(lines, 9),
        };
        let mut counts = [0u64; 10];
        for order in 0..lines / 4 {
            let picks: Vec<u64> = (0..4).map(|r| popular.pick(order * 4, r, 10)).collect();
            let mut distinct = picks.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 4, "order {order}: {picks:?}");
            picks.iter().for_each(|&p| counts[p as usize] += 1);
        }
        let top = *counts.iter().max().unwrap();
        // At most one line per order can take the popular product: 100 of 400, well above the
        // 40 an even spread gives.
        assert!(top >= 90, "{counts:?}");
    }

    #[test]
    fn a_wide_table_is_made_in_small_chunks_that_cover_its_rows() {
        let table = Table {
            name: "wide".into(),
            columns: (0..2_000)
                .map(|i| Column::new(format!("c{i}"), LogicalType::Int32, true))
                .collect(),
            ..Table::default()
        };
        let profile = Profile {
            format_version: 2,
            created_by: "test".into(),
            source: SourceInfo {
                kind: "csv".into(),
                sample_rows: None,
                fingerprint: None,
            },
            privacy: PrivacySettings::without_data(5),
            tables: vec![TableProfile {
                schema: table,
                row_count: 2_500,
                ..TableProfile::default()
            }],
            overrides: None,
        };
        let generator = Generator::new(&profile, &Request::default()).unwrap();
        let plan = &generator.tables()[0];
        // 2,000 × 9 bytes a row: 1,024 rows fit 32 MiB, 2,048 would not.
        assert_eq!((plan.row_bytes, plan.chunk_rows), (18_000, 1_024));
        assert_eq!(generator.chunk_count(0), 3);
        let rows: Vec<usize> = (0..3).map(|c| generator.batch(0, c).num_rows()).collect();
        assert_eq!(rows, [1_024, 1_024, 452]);
        assert_eq!(plan.chunk(3), 2_500..2_500);
    }

    #[test]
    fn an_unmodeled_not_null_column_fails_the_plan() {
        let table = Table {
            name: "t".into(),
            columns: vec![Column::new("shape", LogicalType::Opaque, false)],
            ..Table::default()
        };
        let mut profile = Profile {
            format_version: 1,
            created_by: "test".into(),
            source: SourceInfo {
                kind: "postgres".into(),
                sample_rows: None,
                fingerprint: None,
            },
            privacy: PrivacySettings::without_data(5),
            tables: vec![TableProfile {
                schema: table,
                row_count: 3,
                ..TableProfile::default()
            }],
            overrides: None,
        };
        let err = Generator::new(&profile, &Request::default()).unwrap_err();
        assert!(
            err.to_string().contains("can't generate, and is NOT NULL"),
            "{err}"
        );
        profile.tables[0].schema.columns[0].nullable = true;
        let generator = Generator::new(&profile, &Request::default()).unwrap();
        assert!(generator.warnings()[0].contains("not modeled"));
        assert_eq!(generator.batch(0, 0).column(0).null_count(), 3);
    }

    /// A column that a parent makes alone must come out of [`Generator::one_cell`] exactly as
    /// [`Generator::one_row`] makes it, or children copying it would disagree with the
    /// parent's own rows.
    #[test]
    fn a_column_made_alone_is_the_cell_of_its_whole_row() {
        let text = include_str!("../../profiles/chinook.yaml");
        let profile = crate::profile::file::from_yaml(text).unwrap();
        let generator = Generator::new(&profile, &Request::default()).unwrap();
        let mut checked = 0;
        for (t, plan) in generator.tables.iter().enumerate() {
            let alone: Vec<usize> = (0..plan.output.len())
                .filter(|&at| generator.made_alone(t, at))
                .collect();
            for row in (0..plan.rows).step_by(97) {
                let whole = generator.one_row(t, row);
                for &at in &alone {
                    let cell = generator.one_cell(t, at, row);
                    assert_eq!(
                        format!("{cell:?}"),
                        format!("{:?}", whole[at]),
                        "{}.{} at row {row}",
                        plan.table.name,
                        plan.schema.field(at).name()
                    );
                    checked += 1;
                }
            }
        }
        // Chinook's copula, order-rule and grouped tables all have columns made alone.
        assert!(checked > 100, "only {checked} cells compared");
    }
}
