//! The foreign-key graph: the order in which tables can be generated and loaded.

use super::Schema;

/// Tables in an order where every parent comes before its children, plus the foreign keys that
/// had to be deferred to break cycles (loaded as NULL first and filled in afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOrder {
    /// Indices into `Schema::tables`.
    pub tables: Vec<usize>,
    /// `(table index, foreign key index)` of each deferred foreign key.
    pub deferred: Vec<(usize, usize)>,
}

/// Orders tables parents-first. Self-references don't constrain the order. A cycle between
/// tables is broken at a foreign key whose columns are all nullable; ties go to the earlier table
/// so the order is stable.
pub fn load_order(schema: &Schema) -> LoadOrder {
    let n = schema.tables.len();
    let index_of = |name: &str| schema.tables.iter().position(|t| t.name == name);
    // edges[child] = (fk index, parent index) for every cross-table FK
    let edges: Vec<Vec<(usize, usize)>> = schema
        .tables
        .iter()
        .enumerate()
        .map(|(child, t)| {
            t.foreign_keys
                .iter()
                .enumerate()
                .filter_map(|(k, fk)| {
                    index_of(&fk.references.table)
                        .filter(|&p| p != child)
                        .map(|p| (k, p))
                })
                .collect()
        })
        .collect();
    let mut deferred = Vec::new();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let ready = (0..n).find(|&t| {
            !placed[t]
                && edges[t]
                    .iter()
                    .all(|&(k, p)| placed[p] || deferred.contains(&(t, k)))
        });
        match ready {
            Some(t) => {
                placed[t] = true;
                order.push(t);
            }
            None => {
                // A cycle: defer a key that lies on one (a table waiting only for a table of the
                // cycle is no part of it), the first nullable one if any.
                let on_cycle = |t: usize, k: usize, p: usize| {
                    !placed[p]
                        && !deferred.contains(&(t, k))
                        && reaches(&edges, &placed, &deferred, p, t)
                };
                let pending = (0..n).filter(|&t| !placed[t]).flat_map(|t| {
                    let keys = edges[t].iter().filter(move |&&(k, p)| on_cycle(t, k, p));
                    keys.map(move |&(k, _)| (t, k))
                });
                let pending: Vec<(usize, usize)> = pending.collect();
                let nullable = pending.iter().find(|&&(t, k)| fk_is_nullable(schema, t, k));
                match nullable.or(pending.first()) {
                    // With no nullable key on the cycle the loader reports the violation.
                    Some(&edge) => deferred.push(edge),
                    None => unreachable!("no table is ready, so an unplaced one waits on a cycle"),
                }
            }
        }
    }
    LoadOrder {
        tables: order,
        deferred,
    }
}

/// Whether table `to` can be reached from `from` along the foreign keys of unplaced tables that
/// are not deferred (child to parent).
fn reaches(
    edges: &[Vec<(usize, usize)>],
    placed: &[bool],
    deferred: &[(usize, usize)],
    from: usize,
    to: usize,
) -> bool {
    let mut seen = vec![false; edges.len()];
    let mut stack = vec![from];
    while let Some(t) = stack.pop() {
        if t == to {
            return true;
        }
        if std::mem::replace(&mut seen[t], true) {
            continue;
        }
        let next = edges[t]
            .iter()
            .filter(|&&(k, p)| !placed[p] && !deferred.contains(&(t, k)));
        stack.extend(next.map(|&(_, p)| p));
    }
    false
}

fn fk_is_nullable(schema: &Schema, table: usize, fk: usize) -> bool {
    let t = &schema.tables[table];
    t.foreign_keys[fk]
        .columns
        .iter()
        .all(|c| t.column(c).is_some_and(|c| c.nullable))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey, LogicalType, Table, TableRef};

    fn table(name: &str, fks: &[(&str, &str, bool)]) -> Table {
        let mut t = Table {
            name: name.into(),
            ..Default::default()
        };
        t.columns.push(Column::new("id", LogicalType::Int32, false));
        for (col, parent, nullable) in fks {
            t.columns
                .push(Column::new(*col, LogicalType::Int32, *nullable));
            t.foreign_keys.push(ForeignKey {
                columns: vec![col.to_string()],
                references: TableRef {
                    table: parent.to_string(),
                    columns: vec!["id".into()],
                },
                inferred: false,
                evidence: None,
            });
        }
        t
    }

    #[test]
    fn parents_come_first() {
        let schema = Schema {
            tables: vec![
                table("line", &[("order_id", "orders", false)]),
                table("orders", &[("boss", "orders", true)]),
            ],
        };
        assert_eq!(
            load_order(&schema),
            LoadOrder {
                tables: vec![1, 0],
                deferred: vec![]
            }
        );
    }

    #[test]
    fn a_cycle_breaks_at_the_nullable_key() {
        let schema = Schema {
            tables: vec![
                table("a", &[("b_id", "b", false)]),
                table("b", &[("a_id", "a", true)]),
            ],
        };
        assert_eq!(
            load_order(&schema),
            LoadOrder {
                tables: vec![1, 0],
                deferred: vec![(1, 0)]
            }
        );
    }

    #[test]
    fn a_table_that_only_waits_on_a_cycle_keeps_its_keys() {
        // A payment references a rental (nullable) whose staff and store reference each other;
        // only the store's manager key lies on the cycle.
        let schema = Schema {
            tables: vec![
                table("payment", &[("rental_id", "rental", true)]),
                table("rental", &[("staff_id", "staff", false)]),
                table("staff", &[("store_id", "store", false)]),
                table("store", &[("manager_id", "staff", true)]),
            ],
        };
        assert_eq!(
            load_order(&schema),
            LoadOrder {
                tables: vec![3, 2, 1, 0],
                deferred: vec![(3, 0)]
            }
        );
    }

    #[test]
    fn a_cycle_without_a_nullable_key_breaks_on_the_cycle() {
        let schema = Schema {
            tables: vec![
                table("audit", &[("a_id", "a", true)]),
                table("a", &[("b_id", "b", false)]),
                table("b", &[("a_id", "a", false)]),
            ],
        };
        let order = load_order(&schema);
        assert_eq!(order.deferred, vec![(1, 0)]);
        assert_eq!(order.tables, vec![1, 0, 2]);
    }
}
