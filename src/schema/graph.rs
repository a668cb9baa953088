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
                // A cycle: defer the first nullable FK that points at an unplaced table.
                let breakable = (0..n).filter(|&t| !placed[t]).find_map(|t| {
                    edges[t]
                        .iter()
                        .find(|&&(k, p)| {
                            !placed[p]
                                && !deferred.contains(&(t, k))
                                && fk_is_nullable(schema, t, k)
                        })
                        .map(|&(k, _)| (t, k))
                });
                match breakable {
                    Some(edge) => deferred.push(edge),
                    None => {
                        // No nullable FK in the cycle: place the first unplaced table anyway and
                        // defer all its pending FKs; the loader reports the violation if any.
                        let t = (0..n)
                            .find(|&t| !placed[t])
                            .expect("order is incomplete, so a table is unplaced");
                        for &(k, p) in &edges[t] {
                            if !placed[p] && !deferred.contains(&(t, k)) {
                                deferred.push((t, k));
                            }
                        }
                    }
                }
            }
        }
    }
    LoadOrder {
        tables: order,
        deferred,
    }
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
}
