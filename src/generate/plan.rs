//! Building a [`Generator`] from a profile: row counts, which foreign key drives each table,
//! which columns are keys, and a value generator (see `columns.rs`) for every other column.
//! Every feasibility question (can this key hold the rows? does this parent have rows?) is
//! answered here, before anything is written.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use super::address::AddressPlan;
use super::checks::{
    mentioned_columns, partition_bound, partition_column, Cmp, Constraints, PartitionBound, Rule,
};
use super::columns::{
    apply_partitions, domain_value, kind_for, literal_text, step_of, tighten, type_limits,
};
use super::copula::{self, Anchor, Cluster, ClusterGroup, Copula, GapCoupling};
use super::edge::EdgePlan;
use super::email_names::NameEmailPlan;
use super::fanout::{FanOutLayout, Pinned};
use super::keys::{self, IndexKey, Key, MonthGrid, Taken};
use super::pattern::{self, RowPattern};
use super::permute::Permutation;
use super::shifts::ShiftPlan;
use super::text::is_email;
use super::values::{interquartile, Choice, ColumnGen, Kind, Limits};
use super::width;
use super::{
    arrow_schema, ColumnPlan, DatePlan, DerivedPlan, FollowPlan, ForeignKeyPlan, GenerateError,
    Generator, GroupPlan, NullFollowPlan, ParentOrderPlan, ParentPick, PartPlan, Popular, Request,
    TablePlan, Through, TotalPlan,
};
use crate::hashing::{combine, hash_bytes};
use crate::profile::file::total_name;
use crate::profile::model::{
    CategoryGroup, ColumnStats, Combination, Correlations, Follows, Inherited, NullFollow,
    NumericStats, OrderRule, ParentOrder, Profile, Resolution, Share, TableProfile, Total,
};
use crate::profile::relations;
use crate::profile::TextModel;
use crate::schema::{load_order, Column, ForeignKey, Generated, LogicalType, Table};
use crate::temporal::{MICROS_PER_DAY, MONTH_GRID_SHARE};

pub(super) fn build(profile: &Profile, request: &Request) -> Result<Generator, GenerateError> {
    if !request.scale.is_finite() || request.scale < 0.0 {
        return Err(GenerateError::BadScale(request.scale));
    }
    if let Some(edges) = &request.edge_cases {
        if !(0.0..=1.0).contains(&edges.rate) {
            return Err(GenerateError::BadEdgeRate(edges.rate));
        }
    }
    if let Some(unknown) = request.rows.keys().find(|t| profile.table(t).is_none()) {
        return Err(GenerateError::UnknownTable(unknown.clone()));
    }
    let unscaled = unscaled_lookups(profile, request.scale);
    let rows: Vec<u64> = profile
        .tables
        .iter()
        .zip(&unscaled)
        .map(|(t, &unscaled)| match request.rows.get(&t.schema.name) {
            Some(&n) => n,
            None if unscaled => t.row_count,
            None => (t.row_count as f64 * request.scale).round() as u64,
        })
        .collect();
    let mut warnings = Vec::new();
    let order = load_order(&profile.schema());
    let mut tables = (0..profile.tables.len())
        .map(|t| {
            TablePlanner {
                profile,
                request,
                rows: &rows,
                table_index: t,
                seed: request.seed,
                deferred: &order.deferred,
            }
            .plan(&mut warnings)
        })
        .collect::<Result<Vec<_>, _>>()?;
    plan_totals(profile, &mut tables, &mut warnings);
    // A parent that children read is row-keyed; the columns they read take no edge cases,
    // which children would not see.
    for (parent, column) in copied_from(&tables) {
        let plan = &mut tables[parent];
        // A key is a function of the row index whatever the randomness.
        if matches!(plan.columns[column], ColumnPlan::Key(_)) {
            continue;
        }
        plan.row_keyed = true;
        let output = &plan.output;
        plan.edges.retain(|(at, _)| output[*at] != column);
    }
    Ok(Generator {
        seed: request.seed,
        tables,
        order,
        warnings,
    })
}

/// Plans each learned total whose column is a number value column, whose child table is laid
/// out over this one (so its children can be found), and whose child does not read this table's
/// rows, even through other tables (which would make each compute the other). The child becomes
/// row-keyed, and its summed columns take no edge cases, which the total would not see.
fn plan_totals(profile: &Profile, tables: &mut [TablePlan], warnings: &mut Vec<String>) {
    for (parent, table_profile) in profile.tables.iter().enumerate() {
        for total in &table_profile.totals {
            let Some(planned) = total_plan(profile, tables, parent, total) else {
                warnings.push(format!(
                    "{}.{}: drawn on its own, not as the learned `{}`: its rows can't be \
                     computed from the child rows here (the child is not laid out over this \
                     table, or reads this table's rows)",
                    table_profile.schema.name,
                    total.column,
                    total_name(total)
                ));
                continue;
            };
            let child = &mut tables[planned.child];
            child.row_keyed = true;
            child.edges.retain(|(at, _)| !planned.sum.contains(at));
            tables[parent].totals.push(planned);
        }
    }
}

/// Per table, whether it keeps its real rows whatever the scale: a lookup table whose parents
/// do too. Its rows are its real values, so ten times the orders still have the same genres and
/// countries; a lookup table that references a scaled table scales with it, so its references
/// still find rows. `--scale 0` empties every table.
fn unscaled_lookups(profile: &Profile, scale: f64) -> Vec<bool> {
    let mut unscaled: Vec<bool> = profile
        .tables
        .iter()
        .map(|t| t.lookup && scale > 0.0)
        .collect();
    let parents: Vec<Vec<usize>> = profile
        .tables
        .iter()
        .map(|t| {
            let outward = t.schema.foreign_keys.iter().map(|fk| &fk.references.table);
            let outward = outward.filter(|p| **p != t.schema.name);
            outward
                .filter_map(|p| profile.tables.iter().position(|q| q.schema.name == *p))
                .collect()
        })
        .collect();
    while let Some(t) =
        (0..unscaled.len()).find(|&t| unscaled[t] && parents[t].iter().any(|&p| !unscaled[p]))
    {
        unscaled[t] = false;
    }
    unscaled
}

fn total_plan(
    profile: &Profile,
    tables: &[TablePlan],
    parent: usize,
    total: &Total,
) -> Option<TotalPlan> {
    let plan = &tables[parent];
    let (_, column, _) = drawn_number(&plan.table, &plan.columns, &plan.output, &total.column)?;
    let child = profile
        .tables
        .iter()
        .position(|t| t.schema.name == total.children)?;
    let child_plan = &tables[child];
    let fk =
        child_plan.table.foreign_keys.iter().position(|fk| {
            fk.columns == total.foreign_key && fk.references.table == plan.table.name
        })?;
    let key = &child_plan.foreign_keys[fk];
    let laid_out =
        matches!(key.mode, ParentPick::Main(_) | ParentPick::Weighted(..)) && key.through.is_none();
    if !laid_out || child_plan.foreign_keys[fk].parent != parent || reads(tables, child, parent) {
        return None;
    }
    let sum = total
        .sum
        .iter()
        .map(|name| {
            let at = child_plan.table.column_index(name)?;
            let numeric = child_plan.table.columns[at].logical.is_numeric();
            numeric.then(|| child_plan.output.iter().position(|&o| o == at))?
        })
        .collect::<Option<Vec<usize>>>()?;
    Some(TotalPlan {
        column,
        child,
        fk,
        sum,
    })
}

/// A value column drawn from a distribution of numbers, dates or times (one that takes
/// uniforms): its index in the table, its output position and its generator.
fn drawn_number<'g>(
    table: &Table,
    columns: &'g [ColumnPlan],
    output: &[usize],
    name: &str,
) -> Option<(usize, usize, &'g ColumnGen)> {
    let c = table.column_index(name)?;
    let ColumnPlan::Values(gen) = &columns[c] else {
        return None;
    };
    let at = output.iter().position(|&o| o == c)?;
    gen.takes_uniforms().then_some((c, at, gen))
}

/// Whether a clock column (`HHMM`) writes midnight as `2400`, the end of the day, as flight
/// schedules do: when its values did, or its CHECK allows 2400 and not 0.
fn writes_midnight_as_2400(stats: Option<&NumericStats>, gen: &ColumnGen) -> bool {
    stats.is_some_and(|n| n.midnight_2400)
        || gen
            .limits()
            .is_some_and(|(lo, hi, _)| lo > 0.0 && hi >= 2400.0)
}

/// Where column `name` of `table` sits in the generated batch (`output` lists the table's
/// columns that are generated), if it is generated.
fn place_in_output(table: &Table, output: &[usize], name: &str) -> Option<usize> {
    let c = table.column_index(name)?;
    output.iter().position(|&o| o == c)
}

/// Whether making a row of `from` reads a row of `table`, directly or through other tables: by
/// copying, ordering against or following a parent's value, or totalling children.
fn reads(tables: &[TablePlan], from: usize, table: usize) -> bool {
    let mut seen = vec![false; tables.len()];
    let mut stack = vec![from];
    while let Some(t) = stack.pop() {
        if t == table {
            return true;
        }
        if std::mem::replace(&mut seen[t], true) {
            continue;
        }
        let plan = &tables[t];
        stack.extend(
            plan.parent_reads()
                .map(|(fk, _)| plan.foreign_keys[fk].parent),
        );
        stack.extend(plan.totals.iter().map(|t| t.child));
    }
    false
}

/// The values a CHECK lists, at their learned shares (`dst IN ('A', 'U', 'N')` at 95, 3 and
/// 2 %, not a third each); the share no learned value holds goes evenly to the listed values
/// not learned. Shares sum to 1.
fn listed_shares(listed: Vec<String>, learned: &[Share]) -> Vec<(String, f64)> {
    let share_of = |v: &str| learned.iter().find(|s| s.value == v).map(|s| s.share);
    let known: f64 = listed.iter().filter_map(|v| share_of(v)).sum();
    let unknown = listed.iter().filter(|v| share_of(v).is_none()).count();
    let rest = (1.0 - known).max(0.0) / unknown.max(1) as f64;
    let weighted: Vec<(String, f64)> = listed
        .into_iter()
        .map(|v| {
            let share = share_of(&v).unwrap_or(rest);
            (v, share)
        })
        .collect();
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    match total > 0.0 {
        true => weighted.into_iter().map(|(v, w)| (v, w / total)).collect(),
        false => {
            let even = 1.0 / weighted.len().max(1) as f64;
            weighted.into_iter().map(|(v, _)| (v, even)).collect()
        }
    }
}

/// The orders to enforce again once parts are computed (a part may break an order it had no
/// say in: `hour <= air_time`), each turned so that it moves a column that is neither a part
/// nor a part's source; an order between two such columns is left as it was.
fn orders_after_parts(
    relations: &[(usize, Cmp, usize, f64)],
    parts: &[PartPlan],
) -> Vec<(usize, Cmp, usize, f64)> {
    let part = |at: usize| parts.iter().any(|p| p.column == at);
    let fixed = |at: usize| parts.iter().any(|p| p.column == at || p.of == at);
    relations
        .iter()
        .filter(|&&(left, _, right, _)| part(left) || part(right))
        .filter_map(
            |&(left, op, right, unit)| match (fixed(left), fixed(right)) {
                (false, _) => Some((left, op, right, unit)),
                (true, false) => Some((right, op.flipped(), left, unit)),
                (true, true) => None,
            },
        )
        .collect()
}

/// The (table, column) pairs some child copies, keeps an order against or follows.
fn copied_from(tables: &[TablePlan]) -> Vec<(usize, usize)> {
    tables
        .iter()
        .flat_map(|t| {
            t.parent_reads()
                .map(|(fk, column)| (t.foreign_keys[fk].parent, column))
        })
        .collect()
}

struct TablePlanner<'a> {
    profile: &'a Profile,
    request: &'a Request,
    rows: &'a [u64],
    table_index: usize,
    seed: u64,
    /// `(table, foreign key)` pairs that close a cycle (see [`load_order`]).
    deferred: &'a [(usize, usize)],
}

impl TablePlanner<'_> {
    fn profile_table(&self) -> &TableProfile {
        &self.profile.tables[self.table_index]
    }

    fn table(&self) -> &Table {
        &self.profile_table().schema
    }

    fn own_rows(&self) -> u64 {
        self.rows[self.table_index]
    }

    /// Whether foreign key `k` closes a cycle of keys that reference each other. Such a key
    /// never drives this table's key columns: computing a key through the cycle would never end.
    fn closes_key_cycle(&self, k: usize) -> bool {
        let table = self.table();
        self.deferred.contains(&(self.table_index, k))
            && table.foreign_keys[k]
                .columns
                .iter()
                .all(|c| table.is_key_column(c))
    }

    fn parent_of(&self, fk: &ForeignKey) -> usize {
        self.profile
            .tables
            .iter()
            .position(|t| t.schema.name == fk.references.table)
            .expect("profile validation refuses dangling foreign keys")
    }

    fn salt(&self, parts: &[&str]) -> u64 {
        combine(
            [self.seed, hash_bytes(self.table().name.as_bytes())]
                .into_iter()
                .chain(parts.iter().map(|p| hash_bytes(p.as_bytes()))),
        )
    }

    fn infeasible(&self, message: impl Into<String>) -> GenerateError {
        GenerateError::Infeasible {
            table: self.table().name.clone(),
            message: message.into(),
        }
    }

    fn plan(&self, warnings: &mut Vec<String>) -> Result<TablePlan, GenerateError> {
        let table = self.table();
        let n = table.columns.len();
        let mut columns: Vec<Option<ColumnPlan>> = (0..n).map(|_| None).collect();
        for (c, column) in table.columns.iter().enumerate() {
            if column.generated == Some(Generated::Stored) {
                columns[c] = Some(ColumnPlan::Skip);
            }
        }
        self.refuse_generated_parents()?;
        self.refuse_unmodeled(warnings)?;
        // Parsed once: keys read the CHECK ranges too. Its warnings join the rest where the
        // value columns are planned.
        let mut check_warnings = Vec::new();
        let constraints = self.constraints(&mut check_warnings);
        let fks = &table.foreign_keys;
        let mut picks: Vec<Option<ParentPick>> = (0..fks.len()).map(|_| None).collect();
        let pk = &table.primary_key;
        let main = table.main_foreign_key(|k| {
            !self.closes_key_cycle(k) && self.through(k).is_none() && self.listed(k).is_none()
        });
        let main_in_pk = main.is_some_and(|m| fks[m].columns.iter().all(|c| pk.contains(c)));
        let counter = main
            .filter(|_| !main_in_pk)
            .and_then(|m| self.sibling_counter(m));
        if let Some(m) = main {
            let keyed = (main_in_pk, counter.as_ref().map(|(_, c)| c));
            picks[m] = Some(self.main_pick(m, keyed, &constraints, &mut columns, &mut picks)?);
        }
        if !pk.is_empty() && !main_in_pk {
            self.make_unique(pk, &constraints, &mut columns, &mut picks)?;
        }
        for (u, unique) in table.unique.iter().enumerate() {
            if counter.as_ref().is_some_and(|(counted, _)| *counted == u) {
                // Unique by construction: its counter numbers each parent's rows.
                continue;
            }
            if self.has_generated(unique) {
                warnings.push(format!(
                    "{}: unique key ({}) holds a column the database computes; its values are \
                     left to that expression",
                    table.name,
                    unique.join(", ")
                ));
            } else if !(main_in_pk && same_set(unique, pk)) {
                self.make_unique(unique, &constraints, &mut columns, &mut picks)?;
            }
        }
        // A column in two foreign keys (`origin` in `(origin)` → airports and in
        // `(origin, time_hour)` → weather) is copied from the parent row of the wider one, so
        // that one holds; the narrower holds through the wider parent's own key.
        let mut widest_first: Vec<usize> = (0..fks.len()).collect();
        widest_first.sort_by_key(|&k| std::cmp::Reverse(fks[k].columns.len()));
        warnings.extend(self.shared_column_warnings());
        for k in widest_first {
            let fk = &fks[k];
            let parent = &self.profile.tables[self.parent_of(fk)].schema;
            for (child, parent_column) in fk.columns.iter().zip(&fk.references.columns) {
                let c = table.column_index(child).expect("validated");
                if columns[c].is_none() {
                    columns[c] = Some(ColumnPlan::Foreign {
                        fk: k,
                        parent_column: parent.column_index(parent_column).expect("validated"),
                    });
                }
            }
        }
        self.key_referenced_columns(&constraints, &mut columns)?;
        warnings.append(&mut check_warnings);
        for inherit in &self.profile_table().inherited {
            if let Some((c, plan)) = self.inherited_plan(inherit, &constraints, warnings) {
                columns[c].get_or_insert(plan);
            }
        }
        let mut foreign_keys = Vec::with_capacity(fks.len());
        for (k, fk) in fks.iter().enumerate() {
            let pick = match picks[k].take() {
                Some(pick) => pick,
                None => self.other_pick(k)?,
            };
            foreign_keys.push(self.foreign_key_plan(fk, pick));
        }
        self.route_through_parents(&mut foreign_keys);
        self.keep_parents_apart(&mut foreign_keys);
        for (c, column) in table.columns.iter().enumerate() {
            if columns[c].is_none() {
                let gen = self.value_gen(column, &constraints, warnings);
                columns[c] = Some(ColumnPlan::Values(gen));
            }
        }
        let mut columns: Vec<ColumnPlan> = columns
            .into_iter()
            .map(|c| c.expect("all planned"))
            .collect();
        self.rank_categories(&mut columns);
        let output: Vec<usize> = (0..n)
            .filter(|&c| !matches!(columns[c], ColumnPlan::Skip))
            .collect();
        let mut relations = self.relations(&constraints, &output, &columns);
        let (copula, clusters, anchors, orders) = self.joint(&columns, &output);
        relations.extend(orders);
        let groups = self.groups(&columns, &constraints);
        let shifts = self.shifts(&columns, &output, copula.as_ref(), (&groups, &anchors));
        let derived = self.derived(&columns, &output);
        let parts = self.parts(&columns, &output);
        let dates = self.dates(&columns, &output, &parts);
        let after_parts = orders_after_parts(&relations, &parts);
        // Relations across a foreign key apply to columns no later stage rewrites (anchors and
        // derivations), one each. Order enforcement runs after them and only raises a value
        // that breaks an order within the row, which is the order that must win.
        let mut taken: Vec<usize> = anchors
            .iter()
            .map(|a| a.dependent)
            .chain(derived.iter().map(|d| d.target))
            .chain(parts.iter().map(|p| p.column))
            .collect();
        let mut claim = |at: usize| {
            let free = !taken.contains(&at);
            taken.push(at);
            free
        };
        let follows: Vec<FollowPlan> = self
            .profile_table()
            .follows
            .iter()
            .filter_map(|f| self.follow(f, &columns, &output))
            .filter(|f| claim(f.column))
            .collect();
        let parent_orders: Vec<ParentOrderPlan> = self
            .profile_table()
            .parent_orders
            .iter()
            .filter_map(|o| self.parent_order(o, &columns, &output))
            .filter(|o| claim(o.column))
            .collect();
        let edges = self.edges(&constraints, &columns, &output);
        let null_follows = self.null_follows(&columns, &output, &constraints);
        let name_emails = self.name_emails(&columns, &output);
        let row_bytes = width::row_bytes(self.profile_table());
        Ok(TablePlan {
            schema: arrow_schema(table, &output),
            table: table.clone(),
            rows: self.own_rows(),
            chunk_rows: width::chunk_rows(row_bytes),
            row_bytes,
            output,
            salt: self.salt(&[]),
            columns,
            foreign_keys,
            main,
            relations,
            copula,
            clusters,
            anchors,
            shifts,
            groups,
            derived,
            parts,
            dates,
            after_parts,
            null_follows,
            totals: Vec::new(),
            row_keyed: false,
            parent_orders,
            follows,
            edges,
            name_emails,
        })
    }

    /// A number drawn as a multiple of its parent row's, when it is a number value column here
    /// and the parent column is generated with the same type.
    fn follow(
        &self,
        follow: &Follows,
        columns: &[ColumnPlan],
        output: &[usize],
    ) -> Option<FollowPlan> {
        let (c, fk, p, gen) = self.parent_pair(
            &follow.column,
            &follow.foreign_key,
            &follow.parent_column,
            columns,
        )?;
        let (lo, hi, step) = gen.limits()?;
        Some(FollowPlan {
            column: output.iter().position(|&o| o == c)?,
            fk,
            parent_column: p,
            ratio: follow.ratio.clone(),
            step,
            limits: (lo, hi),
            salt: self.salt(&["follows", &follow.column]),
        })
    }

    /// A child value column, the foreign key and the parent column a relation across a foreign
    /// key names, when the parent column is generated with the same type.
    fn parent_pair<'c>(
        &self,
        column: &str,
        foreign_key: &[String],
        parent_column: &str,
        columns: &'c [ColumnPlan],
    ) -> Option<(usize, usize, usize, &'c ColumnGen)> {
        let table = self.table();
        let fk = self.copyable_foreign_key(foreign_key)?;
        let c = table.column_index(column)?;
        let ColumnPlan::Values(gen) = &columns[c] else {
            return None;
        };
        let parent = &self.profile.tables[self.parent_of(&table.foreign_keys[fk])];
        let p = parent.schema.column_index(parent_column)?;
        let same_type =
            table.columns[c].logical.arrow_type() == parent.schema.columns[p].logical.arrow_type();
        let stored = parent.schema.columns[p].generated == Some(Generated::Stored);
        (same_type && !stored).then_some((c, fk, p, gen))
    }

    /// A learned order against the parent row, when the child column is a number or date value
    /// column here and the parent column is generated with the same type.
    fn parent_order(
        &self,
        order: &ParentOrder,
        columns: &[ColumnPlan],
        output: &[usize],
    ) -> Option<ParentOrderPlan> {
        let (c, fk, p, gen) = self.parent_pair(
            &order.column,
            &order.foreign_key,
            &order.parent_column,
            columns,
        )?;
        let (lo, hi, step) = gen.limits()?;
        // As within a row: a gap tight against the column's own spread makes the column the
        // parent's value plus a gap; a loose one only moves the values that break the order.
        let tight = gen
            .spread()
            .is_some_and(|spread| interquartile(&order.gap) <= 0.5 * spread);
        Some(ParentOrderPlan {
            column: output
                .iter()
                .position(|&o| o == c)
                .expect("a value column is output"),
            anchored: tight,
            fk,
            parent_column: p,
            min_gap: if order.strict { step.max(1e-9) } else { 0.0 },
            gap: order.gap.clone(),
            step,
            limits: (lo, hi),
            learned: gen.learned_range().unwrap_or((lo, hi)),
            salt: self.salt(&["parent order", &order.column]),
        })
    }

    /// The index of the foreign key with `columns`, if values may be taken across it: not a
    /// self-reference and closing no cycle, so computing a parent row never comes back here.
    fn copyable_foreign_key(&self, columns: &[String]) -> Option<usize> {
        let table = self.table();
        let k = table
            .foreign_keys
            .iter()
            .position(|fk| fk.columns == columns)?;
        let closes_cycle = self.deferred.contains(&(self.table_index, k));
        (table.foreign_keys[k].references.table != table.name && !closes_cycle).then_some(k)
    }

    /// A child column copied from its parent row, when every value the copy can bring is valid
    /// here: the types fit, no CHECK of the child's names the column, and a NOT NULL column can
    /// receive no NULL (from a NULL reference or a NULL parent value). A copy that held in only
    /// part of the real rows keeps the column's own values for the rest.
    fn inherited_plan(
        &self,
        inherit: &Inherited,
        limits: &TableLimits,
        warnings: &mut Vec<String>,
    ) -> Option<(usize, ColumnPlan)> {
        let table = self.table();
        if table.in_any_key(&inherit.column) {
            return None; // a copied foreign key is a route to its parent: `through`
        }
        let k = self.copyable_foreign_key(&inherit.foreign_key)?;
        let parent = &self.profile.tables[self.parent_of(&table.foreign_keys[k])];
        let c = table.column_index(&inherit.column)?;
        let p = parent.schema.column_index(&inherit.parent_column)?;
        let (child, source) = (&table.columns[c], &parent.schema.columns[p]);
        let fits = values_fit(child, source, parent.stats(&inherit.parent_column));
        let generated = source.generated != Some(Generated::Stored);
        let unchecked = limits.rules_for(&child.name).is_empty();
        let may_be_null = fk_nullable(table, &table.foreign_keys[k])
            || source.nullable
            || parent
                .stats(&source.name)
                .is_some_and(|s| s.null_rate > 0.0);
        let nulls_fit = child.nullable || !may_be_null;
        if !(fits && generated && unchecked && nulls_fit) {
            return None;
        }
        let partly = (!inherit.in_every_row())
            .then(|| (inherit.holds, self.value_gen(child, limits, warnings)));
        Some((
            c,
            ColumnPlan::Inherited {
                fk: k,
                parent_column: p,
                partly,
            },
        ))
    }

    /// The value columns that take edge cases (`--edge-cases`), with their plans. Keys and
    /// foreign keys are never among them: injecting there would break uniqueness or references.
    fn edges(
        &self,
        limits: &TableLimits,
        columns: &[ColumnPlan],
        output: &[usize],
    ) -> Vec<(usize, EdgePlan)> {
        let Some(request) = &self.request.edge_cases else {
            return Vec::new();
        };
        let table = self.table();
        output
            .iter()
            .enumerate()
            .filter(|&(_, &c)| matches!(columns[c], ColumnPlan::Values(_)))
            .filter_map(|(at, &c)| {
                let column = &table.columns[c];
                let stats = self.profile_table().stats(&column.name);
                let salt = self.salt(&["edges", &column.name]);
                let plan = EdgePlan::new(column, limits, stats, request, self.own_rows(), salt)?;
                Some((at, plan))
            })
            .collect()
    }

    /// Whether any of `columns` is a stored generated column, which the database computes.
    fn has_generated(&self, columns: &[String]) -> bool {
        let table = self.table();
        columns.iter().any(|c| {
            table
                .column(c)
                .is_some_and(|c| c.generated == Some(Generated::Stored))
        })
    }

    /// A foreign key must be computed from the parent row it points to; a parent column that
    /// the database computes from its own expression cannot be.
    /// A column of a type understudy can't model is generated as NULL, said before anything is
    /// written; a NOT NULL one fails the plan here rather than the load later.
    fn refuse_unmodeled(&self, warnings: &mut Vec<String>) -> Result<(), GenerateError> {
        let unmodeled =
            self.table().columns.iter().filter(|c| {
                c.logical == LogicalType::Opaque && c.generated != Some(Generated::Stored)
            });
        for column in unmodeled {
            if !column.nullable {
                return Err(self.infeasible(format!(
                    "column {} has type {}, which understudy can't generate, and is NOT NULL; \
                     drop the column from the profile or make it nullable there",
                    column.name, column.source_type
                )));
            }
            warnings.push(format!(
                "table {}, column {}: type {} is not modeled; it is generated as NULL",
                self.table().name,
                column.name,
                column.source_type
            ));
        }
        Ok(())
    }

    fn refuse_generated_parents(&self) -> Result<(), GenerateError> {
        for fk in &self.table().foreign_keys {
            let parent = &self.profile.tables[self.parent_of(fk)].schema;
            let generated = fk.references.columns.iter().find(|c| {
                parent
                    .column(c)
                    .is_some_and(|c| c.generated == Some(Generated::Stored))
            });
            if let Some(column) = generated {
                return Err(self.infeasible(format!(
                    "foreign key ({}) references {}.{column}, a column the database computes \
                     (GENERATED … STORED), so its values cannot be known; remove that foreign \
                     key from the profile's schema to generate without it",
                    fk.columns.join(", "),
                    fk.references.table
                )));
            }
        }
        Ok(())
    }

    /// The main foreign key's layout. When it is part of the primary key, the first other key
    /// column becomes unique per parent (a rank, or a distinct second parent), and the number of
    /// children per parent is capped by what that column can hold. So does `counter`, the
    /// column of a unique key beside the main one that counts each parent's rows (see
    /// [`Self::sibling_counter`]).
    fn main_pick(
        &self,
        m: usize,
        (main_in_pk, counter): (bool, Option<&String>),
        limits: &TableLimits,
        columns: &mut [Option<ColumnPlan>],
        picks: &mut [Option<ParentPick>],
    ) -> Result<ParentPick, GenerateError> {
        let table = self.table();
        let fk = &table.foreign_keys[m];
        let parent_rows = self.rows[self.parent_of(fk)];
        let mut cap = u64::MAX;
        if main_in_pk {
            let extra = table.primary_key.iter().find(|c| !fk.columns.contains(c));
            match extra {
                None => cap = 1,
                Some(extra) => {
                    // Another foreign key that holds the extra column and lies wholly in the
                    // primary key beside the main one (one column, or several: a `(year, team)`
                    // key of a salary keyed by year, team and player).
                    let pk = &table.primary_key;
                    let beside = table
                        .foreign_keys
                        .iter()
                        .enumerate()
                        .position(|(k, other)| {
                            k != m
                                && other.columns.contains(extra)
                                && other
                                    .columns
                                    .iter()
                                    .all(|c| pk.contains(c) && !fk.columns.contains(c))
                                && other.references.table != table.name
                        });
                    if let Some(k) = beside {
                        let parents = self.rows[self.parent_of(&table.foreign_keys[k])];
                        let popular = match self.other_pick(k)? {
                            ParentPick::Weighted(layout, spread) => {
                                Some(Popular { layout, spread })
                            }
                            _ => None,
                        };
                        picks[k] = Some(ParentPick::BesideMain { parents, popular });
                        cap = parents;
                    } else {
                        cap = self.number_siblings(m, extra, limits, columns)?;
                    }
                }
            }
        } else if let Some(counter) = counter {
            cap = self.number_siblings(m, counter, limits, columns)?;
        }
        if table.unique.iter().any(|u| same_set(u, &fk.columns)) {
            cap = 1;
        }
        self.layout(m, parent_rows, cap).map(ParentPick::Main)
    }

    /// Makes column `name` number the children of foreign key `m`'s parents (a rank per
    /// parent), and says how many children a parent may then have.
    fn number_siblings(
        &self,
        m: usize,
        name: &str,
        limits: &TableLimits,
        columns: &mut [Option<ColumnPlan>],
    ) -> Result<u64, GenerateError> {
        let table = self.table();
        let parent_rows = self.rows[self.parent_of(&table.foreign_keys[m])];
        let c = table.column_index(name).expect("validated");
        let column = &table.columns[c];
        let capacity = rank_capacity(column).min(self.own_rows());
        // A date or timestamp numbering siblings (hourly readings keyed by station and hour)
        // spreads each parent's over its learned range.
        let (key, most) = match self.sibling_dates(m, column, limits, parent_rows) {
            Some(spaced) => spaced,
            None => (
                self.index_key(column, capacity, Taken::default())?,
                capacity,
            ),
        };
        columns[c] = Some(ColumnPlan::Rank(key));
        Ok(most)
    }

    /// A unique key (not the primary key) that holds the main foreign key `m` and an integer
    /// that counts from one in the snapshot, outside every other foreign key: its index and
    /// that column. The integer numbers each parent's rows, as a stint numbers a player's
    /// teams in `UNIQUE (player_id, year, stint)`, so it stays small; made unique over the
    /// whole table instead, it would count up to the row count and overflow its type.
    fn sibling_counter(&self, m: usize) -> Option<(usize, String)> {
        let table = self.table();
        let fk = &table.foreign_keys[m];
        let in_other_fk = |c: &String| {
            (table.foreign_keys.iter().enumerate()).any(|(k, f)| k != m && f.columns.contains(c))
        };
        table.unique.iter().enumerate().find_map(|(u, key)| {
            let holds_main = fk.columns.iter().all(|c| key.contains(c));
            if !holds_main || self.has_generated(key) {
                return None;
            }
            key.iter()
                .filter(|c| !fk.columns.contains(c) && !in_other_fk(c))
                .find(|c| {
                    table.column(c).is_some_and(|col| col.logical.is_integer())
                        && self.counts_from_one(c)
                })
                .map(|c| (u, c.clone()))
        })
    }

    /// A date or timestamp that numbers the children of foreign key `m`'s parents, spaced over
    /// its learned range at its learned resolution with one place per rank, and the most
    /// children a parent may then have: the places there are, when a layout capped at them
    /// holds every row; else at a finer resolution, a place per row.
    fn sibling_dates(
        &self,
        m: usize,
        column: &Column,
        limits: &TableLimits,
        parent_rows: u64,
    ) -> Option<(IndexKey, u64)> {
        if let Some(months) = self.sibling_months(m, column, limits, parent_rows) {
            return Some(months);
        }
        let places = self.learned_places(column)?;
        if places > 0 && self.layout(m, parent_rows, places).is_ok() {
            if let Some(key) = self.spaced_key_over(column, limits, places, false) {
                return Some((key, places));
            }
        }
        let rows = self.own_rows();
        Some((self.spaced_key_over(column, limits, rows, true)?, rows))
    }

    /// Warnings for foreign keys whose columns a wider foreign key of the table holds too, and
    /// whose values the wider one's parent does not itself keep to the same table: they are
    /// copied from that parent, so may name no row of the narrower one's.
    fn shared_column_warnings(&self) -> Vec<String> {
        let table = self.table();
        let fks = &table.foreign_keys;
        let mut warnings = Vec::new();
        for narrow in fks {
            let Some(wide) = fks.iter().find(|w| {
                w.columns.len() > narrow.columns.len()
                    && narrow.columns.iter().any(|c| w.columns.contains(c))
            }) else {
                continue;
            };
            // The wider parent's columns that the narrow key's columns are copied from.
            let through: Option<Vec<&String>> = (narrow.columns.iter())
                .map(|c| {
                    let at = wide.columns.iter().position(|w| w == c)?;
                    Some(&wide.references.columns[at])
                })
                .collect();
            let parent = &self.profile.tables[self.parent_of(wide)].schema;
            let kept = through.is_some_and(|through| {
                parent.foreign_keys.iter().any(|f| {
                    f.references.table == narrow.references.table
                        && f.columns.iter().collect::<Vec<_>>() == through
                        && f.references.columns == narrow.references.columns
                })
            });
            if !kept {
                let (wide_parent, narrow_parent) =
                    (&wide.references.table, &narrow.references.table);
                warnings.push(format!(
                    "{}: ({}) is copied from the parent row of ({}) → {wide_parent}, whose values \
                     {wide_parent} does not keep to {narrow_parent}; the foreign key to \
                     {narrow_parent} may fail",
                    table.name,
                    narrow.columns.join(", "),
                    wide.columns.join(", "),
                ));
            }
        }
        warnings
    }

    /// Siblings on a month grid (a company's monthly prices): each parent's rows are a series
    /// of consecutive months from the learned first, one per rank, and a parent has at most as
    /// many as the learned range holds (a little past it: the guard trims the range's ends).
    fn sibling_months(
        &self,
        m: usize,
        column: &Column,
        limits: &TableLimits,
        parent_rows: u64,
    ) -> Option<(IndexKey, u64)> {
        let grid = self.month_grid(column)?;
        let quantiles = self.learned_quantiles(column)?;
        let first = grid.months(*quantiles.first()?).floor();
        let last = grid.months(*quantiles.last()?);
        let months = (last - first + month_overshoot(first, last)).floor() + 1.0;
        if !(months.is_finite() && (1.0..1e9).contains(&months)) {
            return None;
        }
        let (first, months) = (first as i64, months as u64);
        let range = limits.column_range(column, self.profile_table().stats(&column.name));
        let inside = |month: i64| (range.lo..=range.hi).contains(&(grid.value(month) as f64));
        if !inside(first) || !inside(first + months as i64 - 1) {
            return None;
        }
        self.layout(m, parent_rows, months).ok()?;
        Some((IndexKey::Months { first, grid }, months))
    }

    /// How many values a date or timestamp column's learned range holds at its learned
    /// resolution (days for a date).
    fn learned_places(&self, column: &Column) -> Option<u64> {
        let step = match column.logical {
            LogicalType::Date => 1,
            LogicalType::Timestamp | LogicalType::TimestampTz => {
                let stats = self.profile_table().stats(&column.name)?;
                stats
                    .temporal
                    .as_ref()?
                    .resolution
                    .map_or(1, |r| r.micros())
            }
            _ => return None,
        };
        let quantiles = self.learned_quantiles(column)?;
        let (first, last) = (quantiles.first()?, quantiles.last()?);
        let places = ((last - first) / step as f64).floor() + 1.0;
        (places.is_finite() && places >= 1.0).then_some(places.min(u64::MAX as f64 / 2.0) as u64)
    }

    fn layout(&self, k: usize, parent_rows: u64, cap: u64) -> Result<FanOutLayout, GenerateError> {
        let fk = &self.table().foreign_keys[k];
        let learned = self
            .profile_table()
            .fk_stats(&fk.columns)
            .map(|s| &s.children_per_parent);
        FanOutLayout::new(
            self.own_rows(),
            parent_rows,
            learned,
            cap,
            self.salt(&fk_label(fk)),
            &self.pinned_parents(fk, parent_rows),
        )
        .map_err(|e| {
            self.infeasible(format!(
                "foreign key ({}) → {}: {e}",
                fk.columns.join(", "),
                fk.references.table
            ))
        })
    }

    /// The rows of a lookup table that keep their real share of foreign key `fk`'s references:
    /// the key's frequent values (those the privacy guard let through) at the rows that hold
    /// them here, so the genre most tracks had is the one most tracks have. Empty when the
    /// parent is appended to, since its rows then hold other keys.
    fn pinned_parents(&self, fk: &ForeignKey, parent_rows: u64) -> Vec<Pinned> {
        let ([column], [parent_column]) = (&fk.columns[..], &fk.references.columns[..]) else {
            return Vec::new();
        };
        let parent = &self.profile.tables[self.parent_of(fk)];
        let appended = (self.request.existing.get(&parent.schema.name)).is_some_and(|e| e.rows > 0);
        let (Some(stats), Some(position), false) = (
            self.profile_table().stats(column),
            key_positions(parent, parent_column),
            appended,
        ) else {
            return Vec::new();
        };
        (stats.frequent.iter())
            .filter_map(|f| {
                let parent = position(&f.value).filter(|&j| j < parent_rows)?;
                Some(Pinned {
                    parent,
                    share: f.share,
                })
            })
            .collect()
    }

    /// Makes the column set `key` unique: one of its plain columns becomes a bijection of the
    /// row index or, when all are foreign key columns, a foreign key picks distinct parents.
    fn make_unique(
        &self,
        key: &[String],
        limits: &TableLimits,
        columns: &mut [Option<ColumnPlan>],
        picks: &mut [Option<ParentPick>],
    ) -> Result<(), GenerateError> {
        let table = self.table();
        let index = |name: &String| table.column_index(name).expect("validated");
        if key
            .iter()
            .any(|c| matches!(columns[index(c)], Some(ColumnPlan::Key(_))))
        {
            return Ok(());
        }
        let in_fk = |name: &String| {
            table
                .foreign_keys
                .iter()
                .enumerate()
                .any(|(k, fk)| !self.closes_key_cycle(k) && fk.columns.contains(name))
        };
        // The column that carries uniqueness: a sequence-like one (an integer, a UUID, a code)
        // before a date or timestamp, which then follows its learned distribution, as in a
        // `(created_at, id)` key of a table partitioned by `created_at`. A date carrying is
        // spread over its learned range, so it carries before a text that repeated (a stock
        // symbol in a `(symbol, date)` key), which would become a new code in every row; so
        // does a repeated integer that counts from one (a sample number within a species),
        // which only counts on a little further. Another repeated number (a year in a
        // `(year, team)` key) would count up past every real one, so even a repeated text
        // carries before it; and a column whose CHECK range cannot hold a value per row
        // carries last.
        let carrier_rank = |name: &String| {
            let column = &table.columns[index(name)];
            let repeated = self.repeated_in_snapshot(&column.name);
            let rank = match column.logical {
                LogicalType::Int16 | LogicalType::Int32 | LogicalType::Int64 if !repeated => 0,
                LogicalType::Uuid => 1,
                LogicalType::Text { .. } | LogicalType::Char { .. } if repeated => 6,
                LogicalType::Text { .. } | LogicalType::Char { .. } => 2,
                LogicalType::Decimal { .. } | LogicalType::Float32 | LogicalType::Float64 => 3,
                ref t if t.is_temporal() => 4,
                ref t if t.is_integer() && self.counts_from_one(&column.name) => 5,
                _ => 7,
            };
            (!self.check_holds_rows(column, limits), rank)
        };
        if let Some(name) = key
            .iter()
            .filter(|c| !in_fk(c) && columns[index(c)].is_none())
            .min_by_key(|c| carrier_rank(c))
        {
            let column = &table.columns[index(name)];
            let key = match self.spaced_key(column, limits) {
                Some(key) => key,
                None => self.index_key(column, self.own_rows(), self.taken(column))?,
            };
            columns[index(name)] = Some(ColumnPlan::Key(key));
            return Ok(());
        }
        let k = table
            .foreign_keys
            .iter()
            .position(|fk| fk.columns.iter().all(|c| key.contains(c)))
            .filter(|&k| picks[k].is_none());
        let Some(k) = k else {
            return Err(self.infeasible(format!(
                "cannot make ({}) unique: its columns are already driven by other keys",
                key.join(", ")
            )));
        };
        let fk = &table.foreign_keys[k];
        let parents = self.rows[self.parent_of(fk)];
        if self.own_rows() > parents {
            return Err(self.infeasible(format!(
                "({}) is unique, so each of the {} rows needs its own {} row, but {} has {parents}",
                key.join(", "),
                self.own_rows(),
                fk.references.table,
                fk.references.table
            )));
        }
        picks[k] = Some(ParentPick::Distinct(Permutation::new(
            parents,
            self.salt(&fk_label(fk)),
        )));
        Ok(())
    }

    /// Whether the snapshot showed `column` repeating: fewer distinct values than half its
    /// non-NULL rows. Statistics that count no distinct value (a profile made from a DDL file
    /// holds such) show no repeats.
    fn repeated_in_snapshot(&self, column: &str) -> bool {
        let profile = self.profile_table();
        let rows = profile.sampled_rows.unwrap_or(profile.row_count);
        profile.stats(column).is_some_and(|s| {
            let present = rows as f64 * (1.0 - s.null_rate);
            s.distinct > 0 && (s.distinct as f64) < 0.5 * present
        })
    }

    /// Whether a number column's values start near one, as a count of things within something
    /// does (see [`Self::starts_near_one`]).
    fn counts_from_one(&self, column: &str) -> bool {
        (self.profile_table().stats(column))
            .and_then(|s| s.numeric.as_ref())
            .is_some_and(|n| n.min >= 0.0 && self.starts_near_one(n.min))
    }

    /// Whether a guarded least value (the k-th smallest) says the real values start near 1:
    /// it is at most k + 1.
    fn starts_near_one(&self, guarded_min: f64) -> bool {
        guarded_min <= self.profile.privacy.min_count as f64 + 1.0
    }

    /// Whether an integer column's CHECK range holds one value per row of this table, counted
    /// from where its sequence starts; other columns always do here (their key checks its
    /// capacity).
    fn check_holds_rows(&self, column: &Column, limits: &TableLimits) -> bool {
        if !column.logical.is_integer() {
            return true;
        }
        let stats = self.profile_table().stats(&column.name);
        let range = limits.column_range(column, stats);
        let start = stats
            .and_then(|s| self.learned_start(&column.logical, s))
            .map_or(range.lo.max(1.0), |s| range.lo.max(s as f64));
        range.hi - start + 1.0 >= self.own_rows() as f64
    }

    /// Columns that some foreign key in the profile references must be computable keys.
    fn key_referenced_columns(
        &self,
        limits: &TableLimits,
        columns: &mut [Option<ColumnPlan>],
    ) -> Result<(), GenerateError> {
        let table = self.table();
        for other in &self.profile.tables {
            for fk in other
                .schema
                .foreign_keys
                .iter()
                .filter(|fk| fk.references.table == table.name)
            {
                let referenced = &fk.references.columns;
                let unique_already = referenced.iter().any(|name| {
                    let c = table.column_index(name).expect("validated");
                    let spread =
                        matches!(columns[c], Some(ColumnPlan::Key(IndexKey::Spread { .. })));
                    matches!(columns[c], Some(ColumnPlan::Key(_))) && !spread
                });
                for name in referenced {
                    let c = table.column_index(name).expect("validated");
                    if columns[c].is_some() {
                        continue;
                    }
                    let column = &table.columns[c];
                    let spread = unique_already
                        .then(|| self.spread_key(column, limits))
                        .flatten();
                    let key = match spread {
                        Some(key) => key,
                        None => self.index_key(column, self.own_rows(), self.taken(column))?,
                    };
                    columns[c] = Some(ColumnPlan::Key(key));
                }
            }
        }
        Ok(())
    }

    /// An integer, date or timestamp column of a referenced key that another column makes
    /// unique, spread over its learned quantiles (or, without them, its CHECK range) instead of
    /// counted up past them; `None` for other columns or when neither is known.
    fn spread_key(&self, column: &Column, limits: &TableLimits) -> Option<IndexKey> {
        let quantiles = self.learned_quantiles(column).or_else(|| {
            let range = limits.column_range(column, None);
            let checked = column.logical.is_integer() && !limits.is_unconstrained(&column.name);
            (checked && range.hi - range.lo < 1e6).then(|| vec![range.lo, range.hi])
        })?;
        Some(IndexKey::Spread { quantiles })
    }

    /// The learned quantiles of an integer, date or timestamp column, in its numeric form.
    fn learned_quantiles(&self, column: &Column) -> Option<Vec<f64>> {
        let stats = self.profile_table().stats(&column.name)?;
        let quantiles: Vec<f64> = match &column.logical {
            l if l.is_integer() => stats.numeric.as_ref()?.quantiles.clone(),
            l if l.is_temporal() && !matches!(l, LogicalType::Time | LogicalType::Interval) => {
                let t = stats.temporal.as_ref()?;
                let parsed = t.quantiles.iter().filter_map(|q| l.parse_temporal(q));
                parsed.collect()
            }
            _ => return None,
        };
        (!quantiles.is_empty()).then_some(quantiles)
    }

    /// A date or timestamp that carries a key's uniqueness, spaced over its learned
    /// distribution at its learned resolution (see [`IndexKey::Spaced`]); `None` when nothing
    /// was learned, rows already in the target (`--append`) hold values to stay clear of, or the
    /// values would be pushed past the column's CHECK or partition limits.
    fn spaced_key(&self, column: &Column, limits: &TableLimits) -> Option<IndexKey> {
        self.spaced_key_over(column, limits, self.own_rows(), true)
    }

    /// [`Self::spaced_key`] for `rows` ranks; `finer` lets a timestamp spread at a finer
    /// resolution than its own when its own has too few places for them.
    fn spaced_key_over(
        &self,
        column: &Column,
        limits: &TableLimits,
        rows: u64,
        finer: bool,
    ) -> Option<IndexKey> {
        let step = match column.logical {
            LogicalType::Date => 1,
            LogicalType::Timestamp | LogicalType::TimestampTz => {
                let stats = self.profile_table().stats(&column.name)?;
                let resolution = stats.temporal.as_ref()?.resolution;
                resolution.map_or(1, |r| r.micros())
            }
            _ => return None,
        };
        if self.taken(column).rows > 0 {
            return None;
        }
        // `infinity` and the like are no place to spread keys over.
        let quantiles = self.learned_quantiles(column)?;
        let sentinel = |q: &f64| q.abs() >= i32::MAX as f64 && column.logical == LogicalType::Date;
        if quantiles
            .iter()
            .any(|q| q.abs() >= i64::MAX as f64 / 2.0 || sentinel(q))
        {
            return None;
        }
        let range = limits.column_range(column, self.profile_table().stats(&column.name));
        let scatter = Permutation::new(rows.max(1), self.salt(&["spaced", &column.name]));
        if let Some(grid) = self.month_grid(column) {
            let months: Vec<f64> = quantiles.iter().map(|&q| grid.months(q)).collect();
            let key = |j: u64| grid.value(keys::spaced(&months, 1, rows, j)) as f64;
            let (first, last) = (key(0), key(rows.saturating_sub(1)));
            let learned = months[months.len() - 1];
            let overshoot = month_overshoot(months[0], learned);
            if first >= range.lo && last <= range.hi && grid.months(last) <= learned + overshoot {
                return Some(IndexKey::Spaced {
                    quantiles: months,
                    step: 1,
                    rows,
                    scatter,
                    months: Some(grid),
                });
            }
        }
        let learned_last = *quantiles.last()?;
        // The keys' last value, if they keep within the column's limits.
        let last_key = |step: i64| {
            let first = keys::spaced(&quantiles, step, rows, 0).saturating_mul(step) as f64;
            let last = keys::spaced(&quantiles, step, rows, rows.saturating_sub(1));
            let last = last.saturating_mul(step) as f64;
            (first >= range.lo && last <= range.hi).then_some(last)
        };
        // More rows than a timestamp's resolution has places in its learned range (readings
        // every hour, more of them than the year has hours): a finer resolution keeps the keys
        // inside the range; without one they run past its end, as a date's do. Running a
        // little past it is no reason to leave the resolution: the guard trims the range's
        // ends, so a year of hourly readings learns a range a few hours short of its rows.
        let overshoot = (learned_last - quantiles[0]) * KEY_RANGE_SLACK;
        let finer_steps = FINER_KEY_STEPS.into_iter().filter(|&s| finer && s < step);
        let step = std::iter::once(step)
            .chain(finer_steps)
            .find(|&s| {
                last_key(s).is_some_and(|last| last <= learned_last + overshoot.max(s as f64))
            })
            .or_else(|| last_key(step).map(|_| step))?;
        Some(IndexKey::Spaced {
            quantiles,
            step,
            rows,
            scatter,
            months: None,
        })
    }

    /// The month grid a date or day-resolution timestamp keeps, when nearly all its values
    /// fall on the first (or the last) day of their month (see [`MonthGrid`]).
    fn month_grid(&self, column: &Column) -> Option<MonthGrid> {
        let temporal = self
            .profile_table()
            .stats(&column.name)?
            .temporal
            .as_ref()?;
        let per_day = match column.logical {
            LogicalType::Date => 1,
            LogicalType::Timestamp | LogicalType::TimestampTz
                if temporal.resolution == Some(Resolution::Day) =>
            {
                MICROS_PER_DAY
            }
            _ => return None,
        };
        let last_day = if temporal.month_start_rate >= MONTH_GRID_SHARE {
            false
        } else if temporal.month_end_rate >= MONTH_GRID_SHARE {
            true
        } else {
            return None;
        };
        Some(MonthGrid { last_day, per_day })
    }

    /// The key values of `column` that rows already in the target hold (`--append`).
    fn taken(&self, column: &Column) -> Taken {
        let existing = self.request.existing.get(&self.table().name);
        Taken {
            rows: existing.map_or(0, |e| e.rows),
            max: existing.and_then(|e| e.max_keys.get(&column.name).copied()),
        }
    }

    fn index_key(
        &self,
        column: &Column,
        rows: u64,
        taken: Taken,
    ) -> Result<IndexKey, GenerateError> {
        if let Some(key) = self.listed_key(column, rows, taken) {
            return Ok(key);
        }
        if let Some(key) = self.counter_key(column, rows, taken) {
            return Ok(key);
        }
        let stats = self.profile_table().stats(&column.name);
        if let LogicalType::Text { max_chars } = column.logical {
            if is_email(&column.name, stats.and_then(|s| s.semantic)) {
                if let Some(key) = IndexKey::email(max_chars, rows, taken) {
                    return Ok(key);
                }
            }
        }
        let text = stats.and_then(|s| s.text.as_ref());
        let shape = text
            .and_then(|t| t.shapes.first())
            .map(|s| s.value.as_str());
        IndexKey::for_column(
            column,
            rows,
            shape,
            text.map(|t| t.min_chars),
            self.salt(&[&column.name]),
            taken,
            stats.and_then(|s| self.learned_start(&column.logical, s)),
        )
        .map_err(|e| self.infeasible(format!("column {}: {e}", column.name)))
    }

    /// Where a key sequence started in the snapshot: its smallest value as the privacy guard
    /// reports it (the k-th smallest). One that starts near 1 ([`Self::starts_near_one`]) starts
    /// the sequence at 1.
    fn learned_start(&self, logical: &LogicalType, stats: &ColumnStats) -> Option<i64> {
        match logical {
            LogicalType::Date => {
                let min = stats.temporal.as_ref()?.min.as_str();
                crate::temporal::parse_date(min).map(i64::from)
            }
            LogicalType::Timestamp | LogicalType::TimestampTz => {
                crate::temporal::parse_timestamp(&stats.temporal.as_ref()?.min)
            }
            // A lookup table's ids are labels its names go with: their real start is kept.
            _ if self.profile_table().lookup => {
                let min = stats.numeric.as_ref()?.min;
                min.is_finite().then_some(min.round() as i64)
            }
            _ => {
                let min = stats.numeric.as_ref()?.min;
                (min.is_finite() && !self.starts_near_one(min)).then_some(min.round() as i64)
            }
        }
    }

    /// A lookup table's real keys (its key column's `lookup` model), when the table keeps its
    /// real rows: none are appended (`--append`) and it has at most as many rows as listed.
    fn listed_key(&self, column: &Column, rows: u64, taken: Taken) -> Option<IndexKey> {
        let values = lookup_values(self.profile_table(), &column.name)?;
        if taken.rows > 0 || taken.max.is_some() || rows > values.len() as u64 {
            return None;
        }
        let key = |value: &Option<String>| {
            let value = value.as_deref()?;
            match column.logical {
                LogicalType::Int16 | LogicalType::Int32 | LogicalType::Int64 => {
                    value.parse().ok().map(Key::Int)
                }
                LogicalType::Text { .. } | LogicalType::Char { .. } => {
                    Some(Key::Text(value.to_string()))
                }
                _ => None,
            }
        };
        let keys: Option<Vec<Key>> = values[..rows as usize].iter().map(key).collect();
        keys.map(IndexKey::Listed)
    }

    /// A text key whose snapshot values were one head and a number (`s1` … `s8807`): the head
    /// and a counter, zero-padded where every real value had one length; `None` when the
    /// column cannot hold the longest.
    fn counter_key(&self, column: &Column, rows: u64, taken: Taken) -> Option<IndexKey> {
        let max_chars = match column.logical {
            LogicalType::Text { max_chars } => max_chars,
            LogicalType::Char { .. } => None,
            _ => return None,
        };
        let text = self.profile_table().stats(&column.name)?.text.as_ref()?;
        let prefix = &text.counter_prefix;
        if prefix.is_empty() {
            return None;
        }
        let head = prefix.chars().count();
        let fixed = text.min_chars == text.max_chars && text.max_chars as usize > head;
        let digits = (taken.rows + rows).max(1).to_string().len();
        let width = if fixed {
            text.max_chars as usize - head
        } else {
            0
        };
        let longest = head + digits.max(width);
        if max_chars.is_some_and(|m| longest > m as usize) {
            return None;
        }
        Some(IndexKey::Counter {
            prefix: prefix.clone(),
            width,
            first: taken.rows,
        })
    }

    /// The real parent row of each row, by position, for a lookup table's one-column
    /// reference (its `lookup` model) to a lookup table's key: `None` unless every listed
    /// parent is among the parent's first rows here.
    fn listed(&self, k: usize) -> Option<Vec<Option<u64>>> {
        let fk = &self.table().foreign_keys[k];
        let ([column], [parent_column]) = (&fk.columns[..], &fk.references.columns[..]) else {
            return None;
        };
        let values = lookup_values(self.profile_table(), column)?;
        let parent = self.parent_of(fk);
        let position = key_positions(&self.profile.tables[parent], parent_column)?;
        let rows = self.own_rows() as usize;
        if rows > values.len() {
            return None;
        }
        let parent_rows = self.rows[parent];
        let nullable = fk_nullable(self.table(), fk);
        values[..rows]
            .iter()
            .map(|v| match v.as_deref() {
                None => nullable.then_some(None),
                Some(v) => position(v).filter(|&j| j < parent_rows).map(Some),
            })
            .collect()
    }

    /// A foreign key that is neither the main one nor part of a key.
    fn other_pick(&self, k: usize) -> Result<ParentPick, GenerateError> {
        if let Some(rows) = self.listed(k) {
            return Ok(ParentPick::Listed(rows));
        }
        let table = self.table();
        let fk = &table.foreign_keys[k];
        if fk.references.table == table.name {
            return Ok(ParentPick::Earlier);
        }
        let parent_rows = self.rows[self.parent_of(fk)];
        if parent_rows == 0 && self.own_rows() > 0 {
            if fk_nullable(table, fk) {
                return Ok(ParentPick::Never);
            }
            return Err(self.infeasible(format!(
                "{} rows need {} rows (foreign key {}), but {} has none",
                self.own_rows(),
                fk.references.table,
                fk.columns.join(", "),
                fk.references.table
            )));
        }
        let layout = self.layout(k, parent_rows, u64::MAX)?;
        let mut label = fk_label(fk);
        label.push("spread");
        let spread = Permutation::new(self.own_rows(), self.salt(&label));
        Ok(ParentPick::Weighted(layout, spread))
    }

    fn foreign_key_plan(&self, fk: &ForeignKey, mode: ParentPick) -> ForeignKeyPlan {
        let table = self.table();
        let learned = self
            .profile_table()
            .fk_stats(&fk.columns)
            .map_or(0.0, |s| s.null_rate);
        let keyed = fk.columns.iter().any(|c| table.primary_key.contains(c));
        // A listed reference holds its real NULLs in its list.
        let listed = matches!(mode, ParentPick::Listed(_));
        let null_rate = if fk_nullable(table, fk) && !keyed && !listed {
            learned
        } else {
            0.0
        };
        let mode = match mode {
            // A NOT NULL self-reference has no NULL roots: row 0 points at itself.
            ParentPick::Earlier if !fk_nullable(table, fk) => ParentPick::EarlierOrSelf,
            other => other,
        };
        let rows = self.own_rows();
        let (null_rate, pattern_rows) = match mode {
            // Row 0 is a root (NULL) already; the rows after it make up the rest of the rate.
            ParentPick::Earlier if rows > 1 => {
                let rest = (null_rate * rows as f64 - 1.0) / (rows - 1) as f64;
                (rest.max(0.0), rows - 1)
            }
            _ => (null_rate, rows),
        };
        // Row 0 of a self-reference is a root of its own; its NULLs take no part in a group.
        let grouped = match (&mode, &fk.columns[..]) {
            (ParentPick::Earlier, _) => None,
            (_, [column]) => self.grouped_nulls(column, null_rate),
            _ => None,
        };
        let nulls = grouped.unwrap_or_else(|| {
            RowPattern::new(
                null_rate,
                pattern_rows,
                self.salt(&["nulls", &fk_label(fk).join(".")]),
            )
        });
        ForeignKeyPlan {
            parent: self.parent_of(fk),
            nulls,
            salt: self.salt(&fk_label(fk)),
            mode,
            differs_from: None,
            through: None,
        }
    }

    /// The profile's copies of a parent row's foreign key (a payment's customer is its rental's
    /// customer): a key drawn by popularity (`Weighted`) takes its reference from the parent
    /// row instead (see [`Through`]).
    /// Two keys of one table that would each go through the other (a sale's store is its
    /// staff member's, whose store's manager is that staff member) would never resolve: the
    /// later one draws its own parent.
    fn route_through_parents(&self, plans: &mut [ForeignKeyPlan]) {
        for k in 0..plans.len() {
            if !matches!(plans[k].mode, ParentPick::Weighted(..)) {
                continue;
            }
            let Some(through) = self.through(k) else {
                continue;
            };
            let mut via = Some(through.via);
            while let Some(v) = via.filter(|&v| v != k) {
                via = plans[v].through.as_ref().map(|t| t.via);
            }
            if via.is_none() {
                plans[k].through = Some(through);
            }
        }
    }

    /// How foreign key `k` reaches its parent through another key's parent row, if the
    /// profile says its one column copies a key of that row that references the same table and
    /// columns (and the other key may be read: no self-reference, no cycle).
    fn through(&self, k: usize) -> Option<Through> {
        let table = self.table();
        let fk = &table.foreign_keys[k];
        let [column] = &fk.columns[..] else {
            return None;
        };
        self.profile_table().inherited.iter().find_map(|copy| {
            let via = self.copyable_foreign_key(&copy.foreign_key)?;
            let parent = &self.profile.tables[self.parent_of(&table.foreign_keys[via])].schema;
            let key = parent.foreign_keys.iter().position(|p| {
                p.columns == [copy.parent_column.clone()] && p.references == fk.references
            })?;
            (copy.column == *column && via != k).then_some(Through {
                via,
                key,
                share: if copy.in_every_row() { 1.0 } else { copy.holds },
            })
        })
    }

    /// Two keys the profile keeps apart (`differs_from`): the one drawn by popularity
    /// (`Weighted`, the later if both are) moves off the other's pick. A key whose picks lay out
    /// the rows or keep them unique stays where it is; if neither may move, nothing does.
    fn keep_parents_apart(&self, plans: &mut [ForeignKeyPlan]) {
        let fks = &self.table().foreign_keys;
        for (k, fk) in fks.iter().enumerate() {
            let Some(stats) = self.profile_table().fk_stats(&fk.columns) else {
                continue;
            };
            let Some(other) = fks.iter().position(|f| f.columns == stats.differs_from) else {
                continue;
            };
            let movable = |i: usize| matches!(plans[i].mode, ParentPick::Weighted(..));
            if plans[k].through.is_some() || plans[other].through.is_some() {
                continue;
            }
            let (moving, fixed) = match (movable(k), movable(other)) {
                (true, _) => (k, other),
                (false, true) => (other, k),
                (false, false) => continue,
            };
            if plans[fixed].differs_from != Some(moving) {
                plans[moving].differs_from = Some(fixed);
            }
        }
    }

    /// The NULL rows of a column that belongs to one of the profile's null groups, with null
    /// rate `rate`: its stretch of the group's shared row order (see [`crate::profile::nulls`]).
    fn grouped_nulls(&self, column: &str, rate: f64) -> Option<RowPattern> {
        let table = self.profile_table();
        table.nulls.iter().find_map(|g| {
            let k = g.columns.iter().position(|c| c == column)?;
            let members: Vec<(f64, f64)> = g
                .columns
                .iter()
                .zip(&g.starts)
                .map(|(c, &start)| match c == column {
                    true => (start, rate),
                    false => (start, table.stats(c).map_or(0.0, |s| s.null_rate)),
                })
                .collect();
            let (first, len) = pattern::stretches(&members, self.own_rows())[k];
            let key = self.salt(&["nulls together", &g.columns.join(",")]);
            Some(RowPattern::stretch(first, len, self.own_rows(), key))
        })
    }

    /// Makes each category the profile ranks for the copula draw its values in that order.
    fn rank_categories(&self, columns: &mut [ColumnPlan]) {
        let Some(correlations) = &self.profile_table().correlations else {
            return;
        };
        for ranked in &correlations.ranked {
            let c = self.table().column_index(&ranked.column);
            if let Some(ColumnPlan::Values(gen)) = c.map(|c| &mut columns[c]) {
                gen.rank_by(&ranked.order);
            }
        }
    }

    fn constraints(&self, warnings: &mut Vec<String>) -> TableLimits {
        table_constraints(self.table(), warnings)
    }

    fn value_gen(
        &self,
        column: &Column,
        limits: &TableLimits,
        warnings: &mut Vec<String>,
    ) -> ColumnGen {
        let stats = self.profile_table().stats(&column.name);
        let rules = limits.rules_for(&column.name);
        // A column that follows another's NULLs is made whole; the NULLs come last.
        let whole = self.not_null(column, limits) || self.null_follow(column, limits).is_some();
        let null_rate = if whole {
            0.0
        } else {
            stats.map_or(0.0, |s| s.null_rate)
        };
        let nulls = self
            .grouped_nulls(&column.name, null_rate)
            .unwrap_or_else(|| {
                RowPattern::new(
                    null_rate,
                    self.own_rows(),
                    self.salt(&["nulls", &column.name]),
                )
            });
        let one_of = rules.iter().find_map(|r| match r {
            Rule::OneOf(values) => Some(values),
            _ => None,
        });
        // Numbers, dates and times keep their own generator and draw inside the list's points,
        // as a LIST partition does; other columns take the listed values as text.
        let ordered = column.logical.is_numeric() || column.logical.is_temporal();
        if let Some(values) = one_of.filter(|_| !ordered) {
            let texts: Vec<String> = values.iter().map(literal_text).collect();
            let learned = stats.map_or(&[][..], |s| &s.frequent[..]);
            return ColumnGen {
                nulls,
                kind: Kind::OneOf(Choice::new(listed_shares(texts, learned))),
            };
        }
        let mut range = limits.column_range(column, stats);
        if range.is_empty() {
            warnings.push(format!(
                "table {}, column {}: its checks allow no value; it is generated unconstrained",
                self.table().name,
                column.name
            ));
            range = type_limits(&column.logical);
        }
        let kind = kind_for(column, stats, range);
        ColumnGen { nulls, kind }
    }

    fn not_null(&self, column: &Column, limits: &TableLimits) -> bool {
        let rules = limits.rules_for(&column.name);
        !column.nullable || rules.iter().any(|r| matches!(r, Rule::NotNull))
    }

    /// The profile's entry for a value column whose NULLs follow another column's, where it
    /// applies: the column may be NULL, no group decides its NULLs, and the column it follows
    /// is generated.
    fn null_follow(&self, column: &Column, limits: &TableLimits) -> Option<&NullFollow> {
        let profile = self.profile_table();
        let follow = (profile.null_follows.iter()).find(|f| f.column == column.name)?;
        let leader = self.table().column(&follow.follows)?;
        let named = |columns: &[String]| columns.contains(&column.name);
        // A lookup column writes its real NULLs itself.
        let grouped = profile.groups.iter().any(|g| named(&g.columns))
            || profile.nulls.iter().any(|g| named(&g.columns))
            || lookup_values(profile, &column.name).is_some();
        let generated = leader.generated != Some(Generated::Stored);
        (!self.not_null(column, limits) && !grouped && generated).then_some(follow)
    }

    /// The stage that takes NULLs out of each value column that follows another's NULLs.
    fn null_follows(
        &self,
        columns: &[ColumnPlan],
        output: &[usize],
        limits: &TableLimits,
    ) -> Vec<NullFollowPlan> {
        let table = self.table();
        let at = |name: &str| {
            let c = table.column_index(name)?;
            output.iter().position(|&o| o == c)
        };
        let rows = self.own_rows();
        (table.columns.iter().enumerate())
            .filter(|(c, _)| matches!(columns[*c], ColumnPlan::Values(_)))
            .filter_map(|(_, column)| {
                let follow = self.null_follow(column, limits)?;
                let pattern = |rate: f64, side: &str| {
                    let salt = self.salt(&["nulls follow", &column.name, side]);
                    RowPattern::new(rate, rows, salt)
                };
                Some(NullFollowPlan {
                    column: at(&column.name)?,
                    leader: at(&follow.follows)?,
                    when_null: pattern(follow.when_null, "null"),
                    when_present: pattern(follow.when_present, "present"),
                })
            })
            .collect()
    }

    fn relations(
        &self,
        limits: &TableLimits,
        output: &[usize],
        columns: &[ColumnPlan],
    ) -> Vec<(usize, Cmp, usize, f64)> {
        let table = self.table();
        let position = |name: &str| {
            let c = table.column_index(name)?;
            matches!(columns[c], ColumnPlan::Values(_)).then_some(())?;
            output.iter().position(|&o| o == c)
        };
        limits
            .parsed
            .relations
            .iter()
            .filter_map(|r| {
                let left = position(&r.left)?;
                let right = position(&r.right)?;
                let column = table.column(&r.left)?;
                let step = step_of(&column.logical, self.profile_table().stats(&r.left));
                Some((left, r.op, right, step.max(1e-9)))
            })
            .collect()
    }
}

/// A learned order as a relation to enforce: (high's position, `>=` or `>`, low's position,
/// high's step).
type Order = (usize, Cmp, usize, f64);

/// How the gap of `dependent` above `anchor` (table columns) follows the copula over `members`
/// with normal correlations `matrix`, when both columns are members.
fn gap_coupling(
    members: &[usize],
    matrix: &[Vec<f64>],
    anchor: usize,
    dependent: usize,
) -> Option<GapCoupling> {
    let (a, d) = (
        members.iter().position(|&c| c == anchor)?,
        members.iter().position(|&c| c == dependent)?,
    );
    Some(GapCoupling {
        anchor: a,
        dependent: d,
        correlation: matrix[a][d],
    })
}

impl TablePlanner<'_> {
    /// The copula over the correlated value columns, the anchored columns (each learned order
    /// whose ranges overlap makes `high = low + gap`), and every learned order as a relation, in
    /// dependency order.
    fn joint(
        &self,
        columns: &[ColumnPlan],
        output: &[usize],
    ) -> (Option<Copula>, Vec<ClusterGroup>, Vec<Anchor>, Vec<Order>) {
        let table = self.table();
        let profile = self.profile_table();
        // A value column that takes uniforms: its index, output position and generator.
        let ordered = |name: &str| drawn_number(table, columns, output, name);
        type Found<'g> = (usize, usize, &'g ColumnGen);
        // The low side is only read: it may be a date key spaced over its distribution.
        let low_side = |name: &str| {
            let c = table.column_index(name)?;
            let at = output.iter().position(|&o| o == c)?;
            match &columns[c] {
                ColumnPlan::Key(IndexKey::Spaced { .. }) => Some((c, at)),
                _ => ordered(name).map(|(c, at, _)| (c, at)),
            }
        };
        let rules: Vec<(&OrderRule, (usize, usize), Found)> = profile
            .rules
            .iter()
            .filter_map(|r| Some((r, low_side(&r.low)?, ordered(&r.high)?)))
            .collect();
        let depth = order_depths(&rules.iter().map(|(_, l, h)| (l.0, h.0)).collect::<Vec<_>>());
        // A gap anchors its high column when it is tight against that column's own spread
        // (days between order and shipping, against years of orders) and no wider than that
        // spread, so that two values drawn apart would often break the order. A loose gap
        // would discard the correlation the copula keeps, and a wide one (home games against
        // all games, some 77 apart, each spread over 8) is kept by the copula already and
        // anchoring would pass the column's other correlations only through its anchor and the
        // gap's rank; such orders are only enforced. A column drawn from a small set of values
        // (cylinders above litres of displacement) is never anchored: a sum would leave the set.
        let tight = |(r, _, high): &&(&OrderRule, (usize, usize), Found)| {
            let (gap, typical) = (interquartile(&r.gap), median(&r.gap));
            let binds = |spread: f64| gap <= 0.5 * spread && typical <= spread;
            r.overlap && !high.2.is_number_set() && high.2.spread().is_some_and(binds)
        };
        // Each dependent keeps the tightest of its orders (smallest median gap).
        let mut chosen: Vec<&(&OrderRule, (usize, usize), Found)> = Vec::new();
        for rule in rules.iter().filter(tight) {
            match chosen.iter().position(|(_, _, h)| h.0 == rule.2 .0) {
                Some(k) if median(&chosen[k].0.gap) <= median(&rule.0.gap) => {}
                Some(k) => chosen[k] = rule,
                None => chosen.push(rule),
            }
        }
        chosen.sort_by_key(|(_, _, h)| depth[&h.0]);
        let mut anchors: Vec<Anchor> = chosen
            .iter()
            .map(|(r, low, high)| {
                let (lo, hi, step) = high.2.limits().expect("ordered columns have limits");
                Anchor {
                    dependent: high.1,
                    anchor: low.1,
                    gap: r.gap.clone(),
                    min_gap: if r.strict { step.max(1e-9) } else { 0.0 },
                    step,
                    limits: (lo, hi),
                    learned: high.2.learned_range().unwrap_or((lo, hi)),
                    weekdays: high.2.weekday_mix(),
                    clock: high.2.is_clock(),
                    coupling: None,
                    salt: self.salt(&["anchor", &r.high]),
                }
            })
            .collect();
        let mut orders: Vec<(usize, Order)> = rules
            .iter()
            .map(|(r, low, high)| {
                let step = high.2.limits().map_or(0.0, |l| l.2).max(1e-9);
                let op = if r.strict { Cmp::Gt } else { Cmp::Ge };
                (depth[&high.0], (high.1, op, low.1, step))
            })
            .collect();
        orders.sort_by_key(|(d, _)| *d);
        let joint = profile.correlations.as_ref().and_then(|corr| {
            let members: Vec<(usize, usize)> = corr
                .columns
                .iter()
                .enumerate()
                .filter_map(|(k, name)| {
                    let c = table.column_index(name)?;
                    let ColumnPlan::Values(gen) = &columns[c] else {
                        return None;
                    };
                    (gen.joins_copula() && output.contains(&c)).then_some((k, c))
                })
                .collect();
            let pairwise: Vec<Vec<f64>> = members
                .iter()
                .map(|&(a, _)| members.iter().map(|&(b, _)| corr.normal_at(a, b)).collect())
                .collect();
            let learned = copula::valid_correlations(&pairwise)?;
            let candidates: Vec<Cluster> = members
                .iter()
                .enumerate()
                .filter_map(|(member, &(k, _))| self.cluster(corr, &corr.columns[k], member))
                .collect();
            let (clusters, matrix) = keep_valid_clusters(&learned, candidates);
            let groups = self.cluster_groups(&clusters, &learned);
            let copula = Copula::new(
                members.iter().map(|&(_, c)| c).collect(),
                &matrix,
                self.salt(&["copula"]),
                !groups.is_empty(),
            )?
            .for_rows(self.seed, self.own_rows());
            Some((copula, groups, learned))
        });
        let (copula, clusters) = match joint {
            Some((copula, groups, learned)) => {
                // The learned correlations, which the uniforms keep once a cluster's parent
                // part is mixed in (the copula's own matrix is raised for clustered columns).
                for (anchor, (_, low, high)) in anchors.iter_mut().zip(&chosen) {
                    anchor.coupling = gap_coupling(&copula.columns, &learned, low.0, high.0);
                }
                (Some(copula), groups)
            }
            None => (None, Vec::new()),
        };
        (
            copula,
            clusters,
            anchors,
            orders.into_iter().map(|(_, o)| o).collect(),
        )
    }

    /// The profile's category shifts of numbers this table draws at a uniform, in no group,
    /// by a category it generates.
    fn shifts(
        &self,
        columns: &[ColumnPlan],
        output: &[usize],
        copula: Option<&Copula>,
        (groups, anchors): (&[GroupPlan], &[Anchor]),
    ) -> Vec<ShiftPlan> {
        let table = self.table();
        let Some(correlations) = &self.profile_table().correlations else {
            return Vec::new();
        };
        (correlations.shifts.iter())
            .filter_map(|shift| {
                let (c, at, _) = drawn_number(table, columns, output, &shift.column)?;
                // An anchored pair's gap reads the copula's own draws (see `GapCoupling`); a
                // moved one would bend the gap, and a dependent's value is rewritten anyway.
                let anchored = anchors.iter().any(|a| a.anchor == at || a.dependent == at);
                if anchored || groups.iter().any(|g| g.columns.contains(&c)) {
                    return None;
                }
                let category = place_in_output(table, output, &shift.category)?;
                let member = copula.and_then(|k| k.columns.iter().position(|&m| m == c));
                let salt = self.salt(&["shift", &shift.column]);
                Some(ShiftPlan::new(shift, at, category, member, salt))
            })
            .collect()
    }

    /// How `column`, member `member` of the copula, clusters by parent row, if the profile
    /// says it does through one of this table's foreign keys.
    fn cluster(&self, corr: &Correlations, column: &str, member: usize) -> Option<Cluster> {
        let clustered = corr.clustered.iter().find(|c| c.column == column)?;
        let fk = self
            .table()
            .foreign_keys
            .iter()
            .position(|fk| fk.columns == clustered.foreign_key)?;
        // A zero correlation (a hand edit) would give no parent part to move.
        let parent = (clustered.parent.as_ref())
            .filter(|link| link.correlation != 0.0)
            .and_then(|link| Some((self.parent_number(fk, &link.column)?, link.correlation)));
        // The parent part carries the correlation with the parent row, so it holds at least
        // its square of the column's variance.
        let share = parent
            .map_or(clustered.share, |(_, r)| clustered.share.max(r * r))
            .clamp(0.0, 0.99);
        Some(Cluster {
            member,
            fk,
            share,
            parent: parent.map(|(p, r)| (p, (r / share.sqrt()).clamp(-1.0, 1.0))),
        })
    }

    /// The index of `column` among the columns of the parent that foreign key `fk` references,
    /// when that parent makes it as numbers from its own distribution (no key, no copy from
    /// its own parent, no stored expression) and the key may be read (see
    /// [`TablePlanner::copyable_foreign_key`]).
    fn parent_number(&self, fk: usize, column: &str) -> Option<usize> {
        let table = self.table();
        self.copyable_foreign_key(&table.foreign_keys[fk].columns)?;
        let parent = &self.profile.tables[self.parent_of(&table.foreign_keys[fk])];
        let p = parent.schema.column_index(column)?;
        let stored = parent.schema.columns[p].generated == Some(Generated::Stored);
        let keyed = parent.schema.in_any_key(column);
        let copied = parent.inherited.iter().any(|i| i.column == column);
        let drawn = parent.schema.columns[p].logical.is_numeric() && !stored && !keyed && !copied;
        drawn.then_some(p)
    }

    /// The kept clusters, one group per foreign key, in the order of the table's keys.
    fn cluster_groups(&self, clusters: &[Cluster], learned: &[Vec<f64>]) -> Vec<ClusterGroup> {
        let mut fks: Vec<usize> = clusters.iter().map(|c| c.fk).collect();
        fks.sort_unstable();
        fks.dedup();
        fks.into_iter()
            .map(|fk| {
                let mut members: Vec<&Cluster> = clusters.iter().filter(|c| c.fk == fk).collect();
                members.sort_by_key(|m| m.member);
                let among: Vec<Vec<f64>> = members
                    .iter()
                    .map(|a| {
                        members
                            .iter()
                            .map(|b| learned[a.member][b.member])
                            .collect()
                    })
                    .collect();
                let fk_name = self.table().foreign_keys[fk].columns.join(",");
                ClusterGroup::new(fk, &members, &among, self.salt(&["cluster", &fk_name]))
            })
            .collect()
    }
}

/// The clusters among `candidates` that keep the row's correlations, with the row-level
/// matrix they need (see [`raised`]). A clustered column's own normal carries only part of its
/// variance, so its correlations within the row are raised to match; a cluster that would
/// make the matrix invalid is weakened until it does not (a flight's distance lies 95 %
/// between destinations but also goes with the flight number, which clusters by plane: the
/// row cannot carry that link with 5 % of its variance), and left out when even a quarter of
/// its share does, because keeping the row's correlations comes first. The clusters of one
/// foreign key are tried together first, the strongest key first: a distance and an air time
/// that move together (0.99) can only cluster by destination both at once.
fn keep_valid_clusters(
    learned: &[Vec<f64>],
    mut candidates: Vec<Cluster>,
) -> (Vec<Cluster>, Vec<Vec<f64>>) {
    candidates.sort_by(|a, b| b.share.total_cmp(&a.share));
    // The foreign keys in the order of their strongest cluster.
    let mut fks: Vec<usize> = Vec::new();
    for c in &candidates {
        if !fks.contains(&c.fk) {
            fks.push(c.fk);
        }
    }
    let mut kept: Vec<Cluster> = Vec::new();
    let mut matrix = learned.to_vec();
    for fk in fks {
        let members: Vec<Cluster> = candidates.iter().filter(|c| c.fk == fk).copied().collect();
        if !try_weakened(learned, &mut kept, &mut matrix, &members) {
            for member in members {
                try_weakened(learned, &mut kept, &mut matrix, &[member]);
            }
        }
    }
    (kept, matrix)
}

/// Adds `clusters` to `kept` at the largest of a few weights of their shares that leaves a
/// valid row-level matrix (then in `matrix`); whether any did.
fn try_weakened(
    learned: &[Vec<f64>],
    kept: &mut Vec<Cluster>,
    matrix: &mut Vec<Vec<f64>>,
    clusters: &[Cluster],
) -> bool {
    for weight in [1.0, 0.75, 0.5, 0.25] {
        let before = kept.len();
        kept.extend(clusters.iter().map(|c| weakened(c, weight)));
        if let Some(valid) = raised(learned, kept) {
            *matrix = valid;
            return true;
        }
        kept.truncate(before);
    }
    false
}

/// `cluster` with `weight` of its share; its parent part keeps the same correlation with the
/// parent row where it can (a loading of at most 1).
fn weakened(cluster: &Cluster, weight: f64) -> Cluster {
    let share = cluster.share * weight;
    Cluster {
        share,
        parent: (cluster.parent).map(|(p, loading)| {
            let correlation = loading * cluster.share.sqrt();
            (p, (correlation / share.sqrt()).clamp(-1.0, 1.0))
        }),
        ..*cluster
    }
}

/// The row-level correlations that, with `clusters`' parent draws added, give back `learned`,
/// or `None` when they are no valid correlation matrix. Two members of one foreign key share
/// `√(s_a s_b) r` through their parents; the rest of `r` must come from the row, whose own
/// normals carry `√((1 − s_a)(1 − s_b))` of it.
fn raised(learned: &[Vec<f64>], clusters: &[Cluster]) -> Option<Vec<Vec<f64>>> {
    let of = |m: usize| clusters.iter().find(|c| c.member == m);
    let share = |m: usize| of(m).map_or(0.0, |c| c.share);
    let same_parent =
        |a: usize, b: usize| matches!((of(a), of(b)), (Some(x), Some(y)) if x.fk == y.fk);
    let n = learned.len();
    let matrix: Vec<Vec<f64>> = (0..n)
        .map(|a| {
            (0..n)
                .map(|b| {
                    if a == b {
                        return 1.0;
                    }
                    let between = if same_parent(a, b) {
                        (share(a) * share(b)).sqrt()
                    } else {
                        0.0
                    };
                    let within = ((1.0 - share(a)) * (1.0 - share(b))).sqrt();
                    learned[a][b] * (1.0 - between) / within
                })
                .collect()
        })
        .collect();
    copula::is_correlation_matrix(&matrix).then_some(matrix)
}

impl TablePlanner<'_> {
    /// The learned derivations whose three columns are number value columns here.
    fn derived(&self, columns: &[ColumnPlan], output: &[usize]) -> Vec<DerivedPlan> {
        let table = self.table();
        let position = |name: &str| Some(drawn_number(table, columns, output, name)?.1);
        let numeric = |name: &str| self.profile_table().stats(name)?.numeric.as_ref();
        self.profile_table()
            .derived
            .iter()
            .filter_map(|d| {
                let right = match d.op.as_str() {
                    "=" => None,
                    _ => Some(position(&d.right)?),
                };
                let (_, target, gen) = drawn_number(table, columns, output, &d.column)?;
                Some(DerivedPlan {
                    target,
                    left: position(&d.left)?,
                    plus: d.op != "-",
                    right,
                    clock: d.clock,
                    midnight: if d.clock && writes_midnight_as_2400(numeric(&d.column), gen) {
                        2400.0
                    } else {
                        0.0
                    },
                })
            })
            .collect()
    }

    /// The learned parts whose column is a number or date value column here and whose source
    /// is generated.
    fn parts(&self, columns: &[ColumnPlan], output: &[usize]) -> Vec<PartPlan> {
        let table = self.table();
        let at = |name: &str| {
            let c = table.column_index(name)?;
            Some((c, output.iter().position(|&o| o == c)?))
        };
        self.profile_table()
            .parts
            .iter()
            .filter_map(|p| {
                let (_, column, _) = drawn_number(table, columns, output, &p.column)?;
                let (s, of) = at(&p.of)?;
                let family = relations::family(&table.columns[s].logical.arrow_type())?;
                Some(PartPlan {
                    column,
                    part: p.part,
                    of,
                    family,
                })
            })
            .collect()
    }

    /// The learned calendar dates whose day is a value column here that no part computes; the
    /// year counts only when it is generated too.
    fn dates(&self, columns: &[ColumnPlan], output: &[usize], parts: &[PartPlan]) -> Vec<DatePlan> {
        let table = self.table();
        let at = |name: &str| place_in_output(table, output, name);
        self.profile_table()
            .dates
            .iter()
            .filter_map(|d| {
                let c = table.column_index(&d.day)?;
                let day = at(&d.day).filter(|&p| !parts.iter().any(|part| part.column == p))?;
                matches!(columns[c], ColumnPlan::Values(_)).then_some(DatePlan {
                    year: at(&d.year),
                    month: at(&d.month)?,
                    day,
                })
            })
            .collect()
    }

    /// Email value columns whose model builds addresses from the row's names, when the names
    /// are columns here and the email is in no key (unique addresses come from the row number).
    fn name_emails(&self, columns: &[ColumnPlan], output: &[usize]) -> Vec<NameEmailPlan> {
        let table = self.table();
        let position = |name: &str| place_in_output(table, output, name);
        self.profile_table()
            .column_stats
            .iter()
            .filter_map(|s| {
                let Some(TextModel::Format {
                    from_names: Some(rule),
                    ..
                }) = &s.model
                else {
                    return None;
                };
                let c = table.column_index(&s.column)?;
                if table.in_any_key(&s.column) || !matches!(columns[c], ColumnPlan::Values(_)) {
                    return None;
                }
                let names: Vec<usize> = rule
                    .names
                    .iter()
                    .map(|n| position(n))
                    .collect::<Option<_>>()?;
                let max = match table.columns[c].logical {
                    LogicalType::Text { max_chars } => max_chars,
                    LogicalType::Char { chars } => Some(chars),
                    _ => None,
                };
                let salt = self.salt(&["name_email", &s.column]);
                Some(NameEmailPlan::new(
                    rule,
                    position(&s.column)?,
                    names,
                    max,
                    salt,
                ))
            })
            .collect()
    }

    /// Per column of a category group, the generator that rows beyond its combinations draw
    /// with (see [`ColumnGen::beyond_combinations`]). A column that may hold no NULL (NOT
    /// NULL, or a CHECK) makes none; one whose NULLs a null group decides keeps its NULLs,
    /// and its values still take what the combinations left.
    fn beyond_combinations(
        &self,
        group: &CategoryGroup,
        indices: &[usize],
        columns: &[ColumnPlan],
        limits: &TableLimits,
    ) -> Vec<Option<ColumnGen>> {
        let profile = self.profile_table();
        let left = 1.0 - group.combinations.iter().map(|m| m.share).sum::<f64>();
        indices
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let ColumnPlan::Values(gen) = &columns[c] else {
                    return None;
                };
                let column = &self.table().columns[c];
                let given = |value: Option<&str>| -> f64 {
                    let holds =
                        |m: &&Combination| m.values.get(k).map(Option::as_deref) == Some(value);
                    group
                        .combinations
                        .iter()
                        .filter(holds)
                        .map(|m| m.share)
                        .sum()
                };
                let null_rate = match self.not_null(column, limits) {
                    true => 0.0,
                    false => profile.stats(&column.name).map_or(0.0, |s| s.null_rate),
                };
                let shared = self.grouped_nulls(&column.name, null_rate).is_some();
                let salt = self.salt(&["beyond", &column.name]);
                let nulls = |rate: f64| match shared {
                    true => gen.nulls.clone(),
                    false => RowPattern::new(rate, self.own_rows(), salt),
                };
                gen.beyond_combinations(null_rate, &given, left, nulls)
            })
            .collect()
    }

    /// The member of `group` the copula ranks (see `profile::ranks`), with its rank order: the
    /// group's combinations are walked in that order with the member's copula uniform.
    fn group_lead<'p>(&'p self, group: &CategoryGroup) -> Option<(usize, &'p [Option<String>])> {
        let correlations = self.profile_table().correlations.as_ref()?;
        correlations.ranked.iter().find_map(|r| {
            let member = group.columns.iter().position(|c| *c == r.column)?;
            Some((member, r.order.as_slice()))
        })
    }

    /// The learned category groups whose columns are all text value columns here.
    fn groups(&self, columns: &[ColumnPlan], limits: &TableLimits) -> Vec<GroupPlan> {
        let table = self.table();
        self.profile_table()
            .groups
            .iter()
            .filter_map(|group| {
                let indices: Vec<usize> = group
                    .columns
                    .iter()
                    .map(|name| {
                        let c = table.column_index(name)?;
                        let ColumnPlan::Values(gen) = &columns[c] else {
                            return None;
                        };
                        gen.takes_text().then_some(c)
                    })
                    .collect::<Option<_>>()?;
                let address = group.address.as_ref().map(|a| {
                    let limits = indices
                        .iter()
                        .map(|&c| match table.columns[c].logical {
                            LogicalType::Text { max_chars } => max_chars,
                            LogicalType::Char { chars } => Some(chars),
                            _ => None,
                        })
                        .collect();
                    let stats = indices
                        .iter()
                        .map(|&c| {
                            self.profile_table()
                                .stats(&table.columns[c].name)
                                .and_then(|s| s.text.as_ref())
                        })
                        .collect();
                    let nullable = indices.iter().map(|&c| table.columns[c].nullable).collect();
                    let key = self.salt(&["address", &group.columns.join(",")]);
                    AddressPlan::new(
                        a,
                        &group.columns,
                        limits,
                        nullable,
                        stats,
                        self.own_rows(),
                        key,
                    )
                });
                let beyond = match address {
                    Some(_) => vec![None; indices.len()],
                    None => self.beyond_combinations(group, &indices, columns, limits),
                };
                let lead = self.group_lead(group).filter(|_| address.is_none());
                Some(GroupPlan {
                    lead: lead.map(|(member, _)| indices[member]),
                    combinations: Choice::new(ordered_combinations(group, lead)),
                    columns: indices,
                    address,
                    beyond,
                    salt: self.salt(&["group", &group.columns.join(",")]),
                })
            })
            .collect()
    }
}

/// A group's combinations with their shares: in the order of the lead member's rank when it
/// has one (`(member, order)`; a value the order does not list takes the place of `null`, the
/// unlisted values, and a NULL comes last), else as learned.
fn ordered_combinations(
    group: &CategoryGroup,
    lead: Option<(usize, &[Option<String>])>,
) -> Vec<(Vec<Option<String>>, f64)> {
    let mut combinations: Vec<&Combination> = group.combinations.iter().collect();
    if let Some((member, order)) = lead {
        let unlisted = order.iter().position(Option::is_none);
        let place = |m: &Combination| match &m.values[member] {
            Some(v) => (order.iter().position(|o| o.as_ref() == Some(v)))
                .or(unlisted)
                .unwrap_or(order.len()),
            None => order.len() + 1,
        };
        combinations.sort_by_key(|m| place(m));
    }
    (combinations.into_iter())
        .map(|m| (m.values.clone(), m.share))
        .collect()
}

/// The middle of learned quantiles (0 without any).
fn median(quantiles: &[f64]) -> f64 {
    quantiles.get(quantiles.len() / 2).copied().unwrap_or(0.0)
}

/// Whether every value the parent column can hold is valid in the child column.
fn values_fit(child: &Column, parent: &Column, parent_stats: Option<&ColumnStats>) -> bool {
    if child.logical.arrow_type() != parent.logical.arrow_type() {
        return false;
    }
    match (&child.logical, &parent.logical) {
        (LogicalType::Char { .. }, _) => child.logical == parent.logical,
        (LogicalType::Text { max_chars: Some(m) }, LogicalType::Text { max_chars }) => {
            // Generated text keeps within the learned lengths as well as the type's.
            let learned = parent_stats
                .and_then(|s| s.text.as_ref())
                .map(|t| t.max_chars);
            let longest = match (max_chars, learned) {
                (Some(a), Some(b)) => Some((*a).min(b)),
                (a, b) => a.or(b),
            };
            longest.is_some_and(|n| n <= *m)
        }
        _ => child.logical == parent.logical || child.logical.is_numeric(),
    }
}

/// For each column in an order, how many orders lie below it (0 for a column that is only ever
/// the low side), so orders can be enforced from the bottom up.
fn order_depths(edges: &[(usize, usize)]) -> std::collections::BTreeMap<usize, usize> {
    let mut depth: std::collections::BTreeMap<usize, usize> =
        edges.iter().flat_map(|&(l, h)| [(l, 0), (h, 0)]).collect();
    // Orders are learned on rows where both values are present, so with NULLs they can form a
    // cycle (a < b, b < c, c < a on different rows); the passes are bounded, and a cycle's
    // orders are then enforced in a fixed order, the last one winning where they conflict.
    for _ in 0..edges.len() {
        for &(l, h) in edges {
            let d = depth[&l] + 1;
            if depth[&h] < d {
                depth.insert(h, d);
            }
        }
    }
    depth
}

/// What a table's checks and partitions say, parsed.
pub(super) struct TableLimits {
    parsed: Constraints,
    partitions: Option<(String, Vec<PartitionBound>)>,
    /// Columns bound by something that is not a limit on their own values: a check that is not
    /// modeled or compares two columns, a stored generated column's expression, a unique index.
    /// A value chosen alone for such a column could break it.
    entangled: BTreeSet<String>,
}

impl TableLimits {
    fn rules_for(&self, column: &str) -> Vec<&Rule> {
        self.parsed
            .rules
            .iter()
            .filter(|(c, _)| c == column)
            .map(|(_, r)| r)
            .collect()
    }

    /// The values a value column may take: its type's range, narrowed by its CHECK
    /// comparisons and cut by its partition bounds. Empty when the checks allow nothing.
    pub(super) fn column_range(&self, column: &Column, stats: Option<&ColumnStats>) -> Limits {
        let mut range = type_limits(&column.logical);
        // A number or date listed by `IN (…)` draws inside the list's points, as a LIST
        // partition does.
        let ordered = column.logical.is_numeric() || column.logical.is_temporal();
        for rule in self.rules_for(&column.name) {
            if let (true, Rule::OneOf(values)) = (ordered, rule) {
                let list = [PartitionBound::List(values.to_vec())];
                apply_partitions(&mut range, &list, &column.logical, 0.0);
            }
        }
        for rule in self.rules_for(&column.name) {
            if let Rule::Compare(op, literal) = rule {
                if let Some(v) = domain_value(&column.logical, literal) {
                    tighten(&mut range, *op, v, step_of(&column.logical, stats));
                }
            }
        }
        if let Some((key, bounds)) = &self.partitions {
            if *key == column.name {
                apply_partitions(
                    &mut range,
                    bounds,
                    &column.logical,
                    step_of(&column.logical, stats),
                );
            }
        }
        match column.logical {
            LogicalType::Float32 => range.inside_reals(),
            _ => range,
        }
    }

    /// Whether a check lists the column's allowed values (`IN (…)`).
    pub(super) fn has_value_list(&self, column: &str) -> bool {
        self.rules_for(column)
            .iter()
            .any(|r| matches!(r, Rule::OneOf(_)))
    }

    /// Whether [`TableLimits::column_range`] says all there is about the column's values: no
    /// check, expression or unique index ties it to other columns or to itself across rows.
    pub(super) fn range_is_whole_story(&self, column: &str) -> bool {
        !self.entangled.contains(column)
    }

    /// Whether nothing but the column's type limits its values: no check names it at all and
    /// it is not the partition key.
    pub(super) fn is_unconstrained(&self, column: &str) -> bool {
        self.range_is_whole_story(column)
            && self
                .rules_for(column)
                .iter()
                .all(|r| matches!(r, Rule::NotNull))
            && self
                .partitions
                .as_ref()
                .is_none_or(|(key, _)| key != column)
    }
}

/// Table and domain checks plus partition bounds, parsed. Unmodeled ones become warnings.
pub(super) fn table_constraints(table: &Table, warnings: &mut Vec<String>) -> TableLimits {
    let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let mut entangled: BTreeSet<String> = BTreeSet::new();
    let entangle = |expression: &str, entangled: &mut BTreeSet<String>| {
        entangled.extend(mentioned_columns(expression, &names).into_iter().cloned());
    };
    let mut parsed = Constraints::default();
    for check in &table.checks {
        if let Err(e) = parsed.add_check(&check.expression, None) {
            entangle(&check.expression, &mut entangled);
            warnings.push(format!(
                "table {}: {e}; generated rows may violate it",
                table.name
            ));
        }
    }
    for column in &table.columns {
        for check in &column.domain_checks {
            if let Err(e) = parsed.add_check(check, Some(&column.name)) {
                entangled.insert(column.name.clone());
                warnings.push(format!(
                    "table {}, column {}: domain {e}; generated rows may violate it",
                    table.name, column.name
                ));
            }
        }
        if let (Some(Generated::Stored), Some(expression)) = (column.generated, &column.default) {
            entangle(expression, &mut entangled);
        }
    }
    for index in table.indexes.iter().filter(|i| i.unique) {
        entangle(&index.definition, &mut entangled);
    }
    for relation in &parsed.relations {
        entangled.extend([relation.left.clone(), relation.right.clone()]);
    }
    let mut partitions = None;
    if let Some(partitioning) = &table.partitioning {
        let bounds: Option<Vec<PartitionBound>> = partitioning
            .partitions
            .iter()
            .map(|p| partition_bound(&p.bound))
            .collect();
        let column = partition_column(&partitioning.key);
        match (column, bounds) {
            (Some(column), Some(bounds)) if !bounds.is_empty() => {
                partitions = Some((column, bounds))
            }
            _ => warnings.push(format!(
                "table {}: partitioning other than RANGE or LIST on one column (or a \
                 DEFAULT partition) is not modeled; rows may fall outside the partitions",
                table.name
            )),
        }
    }
    TableLimits {
        parsed,
        partitions,
        entangled,
    }
}

/// The real values a column of a lookup table lists (its `lookup` model), if any.
fn lookup_values<'p>(table: &'p TableProfile, column: &str) -> Option<&'p [Option<String>]> {
    match &table.stats(column)?.model {
        Some(TextModel::Lookup { values }) if table.lookup => Some(values),
        _ => None,
    }
}

/// The row position of each real key value of lookup table `table`'s key `column`: its place
/// in the listed keys, or, for an integer key that counts up by one (not listed), its distance
/// from the real first key.
fn key_positions<'p>(
    table: &'p TableProfile,
    column: &str,
) -> Option<impl Fn(&str) -> Option<u64> + 'p> {
    if !table.lookup || table.schema.primary_key != [column] {
        return None;
    }
    let listed: Option<FxHashMap<&str, u64>> = lookup_values(table, column).map(|keys| {
        (keys.iter().enumerate())
            .filter_map(|(j, v)| Some((v.as_deref()?, j as u64)))
            .collect()
    });
    // Rounded as the key's start is (see `learned_start`).
    let first = (table.stats(column))
        .and_then(|s| s.numeric.as_ref())
        .map(|n| n.min.round())
        .filter(|min| min.is_finite() && listed.is_none());
    if listed.is_none() && first.is_none() {
        return None;
    }
    Some(move |value: &str| match (&listed, first) {
        (Some(listed), _) => listed.get(value).copied(),
        (None, Some(first)) => {
            let at = value.parse::<i64>().ok()?.checked_sub(first as i64)?;
            u64::try_from(at).ok()
        }
        (None, None) => None,
    })
}

fn fk_label(fk: &ForeignKey) -> Vec<&str> {
    std::iter::once(fk.references.table.as_str())
        .chain(fk.columns.iter().map(String::as_str))
        .collect()
}

fn fk_nullable(table: &Table, fk: &ForeignKey) -> bool {
    fk.columns
        .iter()
        .all(|c| table.column(c).is_some_and(|c| c.nullable))
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// Finer resolutions (in microseconds: a minute, a second, a millisecond, a microsecond) a
/// timestamp key spreads over when its own has too few places in its learned range for its
/// rows. A date has none: its keys run past the range's end.
const FINER_KEY_STEPS: [i64; 4] = [60_000_000, 1_000_000, 1_000, 1];

/// How far past its learned range, as a share of the range, a timestamp key may run before it
/// takes a finer resolution.
const KEY_RANGE_SLACK: f64 = 0.02;

/// How many months past a learned range from month `first` to month `last` keys on a month
/// grid may run: [`KEY_RANGE_SLACK`] of it, at least one.
fn month_overshoot(first: f64, last: f64) -> f64 {
    ((last - first) * KEY_RANGE_SLACK).max(1.0)
}

/// How many distinct values a column can hold when it numbers siblings.
fn rank_capacity(column: &Column) -> u64 {
    match column.logical {
        LogicalType::Int16 => i16::MAX as u64,
        LogicalType::Int32 => i32::MAX as u64,
        _ => u64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_that_move_together_cluster_together_and_a_strong_cluster_is_weakened() {
        // A flight's distance and air time (0.99) lie 95 % between destinations (key 0); the
        // flight number goes with both (-0.48) and clusters by plane (key 1). Tried alone,
        // either of the first two would break the matrix; together, and weakened until the
        // flight number's link fits in the rows, they cluster.
        let learned = vec![
            vec![1.0, 0.99, -0.48],
            vec![0.99, 1.0, -0.48],
            vec![-0.48, -0.48, 1.0],
        ];
        let cluster = |member, fk, share| Cluster {
            member,
            fk,
            share,
            parent: None,
        };
        let candidates = vec![
            cluster(0, 0, 0.95),
            cluster(1, 0, 0.95),
            cluster(2, 1, 0.76),
        ];
        let (kept, matrix) = keep_valid_clusters(&learned, candidates);
        let share = |m: usize| kept.iter().find(|c| c.member == m).map(|c| c.share);
        assert!(share(0).is_some_and(|s| s > 0.2 && s < 0.95), "{kept:?}");
        assert_eq!(share(0), share(1));
        assert!(crate::generate::copula::is_correlation_matrix(&matrix));
    }

    fn learned(pairs: &[(&str, f64)]) -> Vec<Share> {
        pairs
            .iter()
            .map(|&(value, share)| Share {
                value: value.into(),
                share,
            })
            .collect()
    }

    #[test]
    fn listed_values_keep_their_learned_shares() {
        let listed = || vec!["A".to_string(), "U".to_string(), "N".to_string()];
        let shares = listed_shares(listed(), &learned(&[("A", 0.95), ("U", 0.03), ("N", 0.02)]));
        assert_eq!(shares[0], ("A".to_string(), 0.95));
        // A listed value never seen shares what the learned ones leave.
        let shares = listed_shares(listed(), &learned(&[("A", 0.9)]));
        assert!((shares[1].1 - 0.05).abs() < 1e-12 && (shares[2].1 - 0.05).abs() < 1e-12);
        // Nothing learned: evenly.
        let shares = listed_shares(listed(), &[]);
        assert!(shares.iter().all(|(_, s)| (s - 1.0 / 3.0).abs() < 1e-12));
    }
}
