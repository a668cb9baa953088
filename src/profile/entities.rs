//! People, not rows: how many distinct entities carry a literal.
//!
//! A customer with seven invoices writes their postal code seven times; counting rows would let
//! it into the profile. So once keys are known, each literal the row-count guard let in is
//! checked again by *entities*: the root row a table's rows belong to, found by following each
//! table's owning foreign key ([`Table::main_foreign_key`]) upwards (an invoice line → its
//! invoice → that invoice's customer). A table without an owner is its own entity (one row, one
//! entity). A foreign key whose parent side has fewer than `k` referenced rows is not followed:
//! through it every value would stand for fewer than `k` parents, which says the parent is a
//! category (a sales rep, a shipper), not the one the rows are about.
//!
//! Memory stays bounded: per literal, at most `k` entity hashes; per intermediate table on a
//! chain, a map from its key to its owner's key that keeps at most 2^20 keys and beyond that
//! a sample of keys by hash. A row whose own owning key is NULL has no owner: it is its own
//! entity, as a row of a table without an owner is (a country with no capital city). A row whose
//! owner can't be resolved further up (a key outside the sample, a NULL higher up) counts for no
//! entity, so the guard errs on the side of dropping a literal.
//!
//! No I/O: the caller scans the columns named here and feeds their arrays in.

use rustc_hash::FxHashMap;

use arrow::array::ArrayRef;

use super::keys::key_hashes;
use super::model::{CategoryGroup, ColumnStats, ForeignKeyStats};
use crate::hashing::{combine, hash_bytes};
use crate::schema::{ForeignKey, Table};

/// One step up a chain: `table`'s foreign key `fk`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub table: usize,
    pub fk: usize,
}

/// The owning foreign keys from `tables[table]` up to its root entity, first step first; empty
/// when the table's rows are their own entities. `fk_stats[t]` are table `t`'s foreign-key
/// statistics, to tell owners from categories. A key to a lookup table (`lookups[t]`: genres,
/// statuses, playlists; no personal data) owns nothing either: its rows are no people, so a
/// track's entity is not its genre, and a playlist's share of the playlist entries counts its
/// entries, not one playlist.
pub fn owner_chain(
    tables: &[Table],
    fk_stats: &[Vec<ForeignKeyStats>],
    lookups: &[bool],
    table: usize,
    min_count: u64,
) -> Vec<Step> {
    let mut chain: Vec<Step> = Vec::new();
    let mut at = table;
    loop {
        let t = &tables[at];
        let referenced = |k: usize| {
            fk_stats[at]
                .iter()
                .find(|s| s.columns == t.foreign_keys[k].columns)
                .map_or(0.0, |s| {
                    let f = &s.children_per_parent;
                    f.parents as f64 * (1.0 - f.zero_share)
                })
        };
        let lookup = |k: usize| {
            (tables
                .iter()
                .position(|p| p.name == t.foreign_keys[k].references.table))
            .is_some_and(|p| lookups.get(p).copied().unwrap_or(false))
        };
        let owns = |k: usize| referenced(k).round() as u64 >= min_count && !lookup(k);
        let Some(fk) = t.main_foreign_key(owns) else {
            return chain;
        };
        let Some(parent) = tables
            .iter()
            .position(|p| p.name == t.foreign_keys[fk].references.table)
        else {
            return chain;
        };
        if parent == table || chain.iter().any(|s| s.table == parent) {
            return chain;
        }
        chain.push(Step { table: at, fk });
        at = parent;
    }
}

/// The foreign key of a step.
pub fn step_key(tables: &[Table], step: Step) -> &ForeignKey {
    &tables[step.table].foreign_keys[step.fk]
}

/// Most keys a [`ParentMap`] holds before it samples keys by hash.
const MAX_KEYS: usize = 1 << 20;

/// For one table on a chain: its key (the columns the child below references) → its own
/// owner's key, by hash.
#[derive(Debug, Default)]
pub struct ParentMap {
    owners: FxHashMap<u64, u64>,
    level: u32,
}

impl ParentMap {
    /// Observes a batch: `key` holds the referenced columns, `owner` the table's owning
    /// foreign-key columns.
    pub fn observe(&mut self, key: &[ArrayRef], owner: &[ArrayRef]) {
        for (k, o) in key_hashes(key).into_iter().zip(key_hashes(owner)) {
            if let (Some(k), Some(o)) = (k, o) {
                if k.trailing_zeros() >= self.level {
                    self.owners.insert(k, o);
                }
            }
        }
        while self.owners.len() > MAX_KEYS {
            self.level += 1;
            let level = self.level;
            self.owners.retain(|k, _| k.trailing_zeros() >= level);
        }
    }

    fn owner(&self, key: u64) -> Option<u64> {
        self.owners.get(&key).copied()
    }
}

/// The root entity of each row, from the hashes of its owning foreign key, through the maps of
/// the chain's later tables (in chain order). `first_row` is the table's row number of the first
/// row: a row with a NULL owning key is an entity of its own, told apart by that number.
pub fn resolve(first: Vec<Option<u64>>, maps: &[ParentMap], first_row: u64) -> Vec<Option<u64>> {
    first
        .into_iter()
        .zip(first_row..)
        .map(|(h, row)| match h {
            None => Some(combine([OWN_ENTITY, row])),
            Some(h) => maps.iter().try_fold(h, |key, map| map.owner(key)),
        })
        .collect()
}

/// Salt of the entity a row without an owner makes.
const OWN_ENTITY: u64 = 0x6f77_6e5f_726f_7773;

/// A table's literals (frequent values per column, combinations per category group) with the
/// distinct entities seen carrying each, up to `k`.
#[derive(Debug)]
pub struct LiteralEntities {
    k: usize,
    /// By (slot, value hash): a slot is a column index, or `columns + g` for group `g`.
    seen: FxHashMap<(usize, u64), Vec<u64>>,
    columns: usize,
    /// For each group, its columns' indices in the table.
    groups: Vec<Vec<usize>>,
}

/// The hash a literal is known by: its rendered text, or a marker for NULL in a combination.
fn literal_hash(value: Option<&str>) -> u64 {
    value.map_or(0x6e75_6c6c, |v| hash_bytes(v.as_bytes()))
}

impl LiteralEntities {
    /// The literals of a table whose statistics are `stats` and whose category groups are
    /// `groups`; `k` entities make a literal safe.
    pub fn new(table: &Table, stats: &[ColumnStats], groups: &[CategoryGroup], k: u64) -> Self {
        let mut seen = FxHashMap::default();
        for (i, s) in stats.iter().enumerate() {
            for f in &s.frequent {
                seen.insert((i, literal_hash(Some(&f.value))), Vec::new());
            }
        }
        let columns = stats.len();
        let mut group_columns = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            group_columns.push(
                group
                    .columns
                    .iter()
                    .filter_map(|c| table.column_index(c))
                    .collect(),
            );
            for combination in &group.combinations {
                let hash = combine(
                    combination
                        .values
                        .iter()
                        .map(|v| literal_hash(v.as_deref())),
                );
                seen.insert((columns + g, hash), Vec::new());
            }
        }
        LiteralEntities {
            k: k as usize,
            seen,
            columns,
            groups: group_columns,
        }
    }

    /// Whether there is anything to check.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The columns whose values are needed: those with literals and those in groups.
    pub fn columns(&self) -> Vec<usize> {
        let mut columns: Vec<usize> = self
            .seen
            .keys()
            .filter(|(slot, _)| *slot < self.columns)
            .map(|(slot, _)| *slot)
            .chain(self.groups.iter().flatten().copied())
            .collect();
        columns.sort_unstable();
        columns.dedup();
        columns
    }

    /// Observes rows: `entities` per row, and per column of [`Self::columns`] (in that order)
    /// the rendered values.
    pub fn observe(&mut self, entities: &[Option<u64>], values: &[Vec<Option<String>>]) {
        let columns = self.columns();
        let at = |c: usize| columns.iter().position(|&x| x == c);
        let value_hashes: Vec<Vec<u64>> = values
            .iter()
            .map(|col| col.iter().map(|v| literal_hash(v.as_deref())).collect())
            .collect();
        for (row, entity) in entities.iter().enumerate() {
            let Some(entity) = *entity else { continue };
            for (k, &c) in columns.iter().enumerate() {
                if values[k][row].is_some() {
                    self.note((c, value_hashes[k][row]), entity);
                }
            }
            for g in 0..self.groups.len() {
                let hash = combine(
                    self.groups[g]
                        .iter()
                        .map(|&c| at(c).map_or(0, |k| value_hashes[k][row])),
                );
                self.note((self.columns + g, hash), entity);
            }
        }
    }

    fn note(&mut self, literal: (usize, u64), entity: u64) {
        if let Some(set) = self.seen.get_mut(&literal) {
            if set.len() < self.k && !set.contains(&entity) {
                set.push(entity);
            }
        }
    }

    fn safe(&self, literal: (usize, u64)) -> bool {
        self.seen.get(&literal).is_some_and(|s| s.len() >= self.k)
    }

    /// Drops every literal fewer than `k` entities carried: frequent values, and group
    /// combinations (a group left without any is dropped).
    pub fn filter(&self, stats: &mut [ColumnStats], groups: &mut Vec<CategoryGroup>) {
        for (i, s) in stats.iter_mut().enumerate() {
            s.frequent
                .retain(|f| self.safe((i, literal_hash(Some(&f.value)))));
        }
        for (g, group) in groups.iter_mut().enumerate() {
            group.combinations.retain(|c| {
                let hash = combine(c.values.iter().map(|v| literal_hash(v.as_deref())));
                self.safe((self.columns + g, hash))
            });
            // An address's values (countries, states, cities) are its columns' literals: each
            // must have passed as one of its column's frequent values.
            let columns = &self.groups[g];
            if let Some(address) = &mut group.address {
                address.retain(|at, value| {
                    columns
                        .get(at)
                        .is_some_and(|&c| self.safe((c, literal_hash(Some(value)))))
                });
            }
        }
        groups.retain(|g| !g.combinations.is_empty() || g.address.is_some());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};

    use super::*;
    use crate::profile::model::{FanOut, Share};
    use crate::schema::{Column, LogicalType, TableRef};

    fn table(name: &str, parent: Option<&str>) -> Table {
        let mut columns = vec![Column::new("id", LogicalType::Int64, false)];
        let mut foreign_keys = Vec::new();
        if let Some(p) = parent {
            columns.push(Column::new("parent_id", LogicalType::Int64, false));
            foreign_keys.push(ForeignKey {
                columns: vec!["parent_id".into()],
                references: TableRef {
                    table: p.into(),
                    columns: vec!["id".into()],
                },
                inferred: false,
                evidence: None,
            });
        }
        Table {
            name: name.into(),
            columns,
            primary_key: vec!["id".into()],
            foreign_keys,
            ..Default::default()
        }
    }

    fn fk_stats(parents: u64) -> Vec<ForeignKeyStats> {
        vec![ForeignKeyStats {
            columns: vec!["parent_id".into()],
            null_rate: 0.0,
            differs_from: Vec::new(),
            children_per_parent: FanOut {
                parents,
                ..Default::default()
            },
        }]
    }

    #[test]
    fn chains_follow_owners_and_skip_categories() {
        let tables = [
            table("line", Some("invoice")),
            table("invoice", Some("customer")),
            table("customer", Some("rep")),
            table("rep", None),
        ];
        let stats = [fk_stats(100), fk_stats(50), fk_stats(3), Vec::new()];
        let none = [false; 4];
        let chain = owner_chain(&tables, &stats, &none, 0, 5);
        assert_eq!(
            chain,
            [Step { table: 0, fk: 0 }, Step { table: 1, fk: 0 }],
            "a rep with 3 customers is a category, not an owner"
        );
        assert!(owner_chain(&tables, &stats, &none, 3, 5).is_empty());
        let customer_is_lookup = [false, false, true, false];
        assert_eq!(
            owner_chain(&tables, &stats, &customer_is_lookup, 0, 5),
            [Step { table: 0, fk: 0 }],
            "a lookup row is no entity"
        );
    }

    fn ints(v: &[i64]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    #[test]
    fn a_literal_needs_k_entities_not_k_rows() {
        let t = table("invoice", Some("customer"));
        let mut stats = vec![ColumnStats::default(), ColumnStats::default()];
        stats[1].frequent = ["7", "1"]
            .iter()
            .map(|v| Share {
                value: v.to_string(),
                share: 0.4,
            })
            .collect();
        let mut entities = LiteralEntities::new(&t, &stats, &[], 3);
        assert_eq!(entities.columns(), [1]);
        // Value "7" on seven rows of one customer; value "1" on three customers.
        let owners = ints(&[9, 9, 9, 9, 9, 9, 9, 1, 2, 3]);
        let rows = resolve(key_hashes(&[owners]), &[], 0);
        let values: Vec<Option<String>> = ["7", "7", "7", "7", "7", "7", "7", "1", "1", "1"]
            .iter()
            .map(|v| Some(v.to_string()))
            .collect();
        entities.observe(&rows, &[values]);
        let mut groups = Vec::new();
        entities.filter(&mut stats, &mut groups);
        let kept: Vec<&str> = stats[1].frequent.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(kept, ["1"]);
    }

    #[test]
    fn owners_resolve_through_the_chain() {
        let mut map = ParentMap::default();
        let invoice_keys = ints(&[10, 11, 12]);
        let customers: ArrayRef = Arc::new(StringArray::from(vec!["a", "a", "b"]));
        map.observe(&[invoice_keys], std::slice::from_ref(&customers));
        let lines = resolve(key_hashes(&[ints(&[10, 11, 12, 13])]), &[map], 0);
        let customer = key_hashes(&[customers]);
        assert_eq!(lines, [customer[0], customer[1], customer[2], None]);
        assert_eq!(lines[0], lines[1]);
    }

    #[test]
    fn a_row_without_an_owner_is_an_entity_of_its_own() {
        let owners: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None, None]));
        let first = resolve(key_hashes(std::slice::from_ref(&owners)), &[], 0);
        let next = resolve(key_hashes(&[owners]), &[], 3);
        assert!(first[1].is_some() && first[1] != first[2]);
        assert!(!first.contains(&next[1]) && next[1] != next[2]);
    }
}
