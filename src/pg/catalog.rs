//! What a PostgreSQL database declares, read from its system catalog: tables, columns and their
//! types (enums with their labels, domains with their CHECKs, arrays with their elements),
//! keys, checks, indexes and partitions. The source reads a snapshot's schema here and the sink
//! reads the target's, so each query exists once.

use std::collections::HashMap;

use postgres::types::Oid;
use postgres::Client;

use super::quote_ident;
use crate::schema::{
    Check, Column, ForeignKey, Generated, Index, LogicalType, Partition, Partitioning, Schema,
    Table, TableRef,
};

/// The tables of `schemas`, and each table's name → its quoted `schema.table` for queries. A
/// table is named `schema.table` when more than one schema is read.
pub fn read(
    client: &mut Client,
    schemas: &[String],
) -> CatalogResult<(Schema, HashMap<String, String>)> {
    Catalog { client }.read(schemas)
}

/// The foreign keys declared on a table (its quoted, qualified name): name, definition
/// (`FOREIGN KEY (a) REFERENCES p(id)`) and columns.
pub fn foreign_keys(
    client: &mut Client,
    qualified: &str,
) -> CatalogResult<Vec<(String, String, Vec<String>)>> {
    let rows = client.query(
        "SELECT c.conname::text, pg_get_constraintdef(c.oid), \
         array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) \
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n \
               ORDER BY k.i) \
         FROM pg_constraint c WHERE c.conrelid = $1::text::regclass AND c.contype = 'f'",
        &[&qualified],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The OID of an array column's element type, which the binary array format carries.
pub fn array_element_oid(client: &mut Client, qualified: &str, column: &str) -> CatalogResult<u32> {
    let row = client.query_one(
        "SELECT t.typelem::oid FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         WHERE a.attrelid = $1::text::regclass AND a.attname = $2",
        &[&qualified, &column],
    )?;
    Ok(row.get(0))
}

/// Whether a table (its quoted, qualified name) exists.
pub fn table_exists(client: &mut Client, qualified: &str) -> CatalogResult<bool> {
    let found: Option<String> = client
        .query_one("SELECT to_regclass($1)::text", &[&qualified])?
        .get(0);
    Ok(found.is_some())
}

/// The user schemas that hold tables, with how many, for the hint when the schemas asked for
/// hold none.
pub fn schemas_with_tables(client: &mut Client) -> CatalogResult<Vec<(String, u64)>> {
    let rows = client.query(
        "SELECT n.nspname, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition \
           AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
           AND n.nspname NOT LIKE 'pg\\_%' \
         GROUP BY n.nspname ORDER BY n.nspname",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
        .collect())
}

/// Reads tables, columns, types and constraints from the system catalog.
struct Catalog<'c> {
    client: &'c mut Client,
}

pub type CatalogResult<T> = Result<T, postgres::Error>;

impl Catalog<'_> {
    fn read(&mut self, schemas: &[String]) -> CatalogResult<(Schema, HashMap<String, String>)> {
        let rows = self.client.query(
            "SELECT c.oid, n.nspname, c.relname, c.relkind::text FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition \
             ORDER BY n.nspname, c.relname",
            &[&schemas],
        )?;
        let single_schema = schemas.len() == 1;
        let mut tables = Vec::new();
        let mut qualified = HashMap::new();
        let mut names_by_oid = HashMap::new();
        for row in &rows {
            let (oid, nsp, rel): (Oid, String, String) = (row.get(0), row.get(1), row.get(2));
            let name = if single_schema {
                rel.clone()
            } else {
                format!("{nsp}.{rel}")
            };
            qualified.insert(
                name.clone(),
                format!("{}.{}", quote_ident(&nsp), quote_ident(&rel)),
            );
            names_by_oid.insert(oid, name);
        }
        for row in &rows {
            let (oid, kind): (Oid, String) = (row.get(0), row.get(3));
            let mut table = Table {
                name: names_by_oid[&oid].clone(),
                ..Default::default()
            };
            table.columns = self.columns(oid)?;
            self.constraints(oid, &names_by_oid, &mut table)?;
            if kind == "p" {
                table.partitioning = Some(self.partitioning(oid)?);
            }
            tables.push(table);
        }
        Ok((Schema { tables }, qualified))
    }

    fn columns(&mut self, table: Oid) -> CatalogResult<Vec<Column>> {
        let rows = self.client.query(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text, \
                    a.attgenerated::text, a.atttypid, coalesce(pg_get_expr(d.adbin, d.adrelid), '') \
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            &[&table],
        )?;
        let mut columns = Vec::new();
        for row in rows {
            let (name, source_type, not_null): (String, String, bool) =
                (row.get(0), row.get(1), row.get(2));
            let (identity, generated, type_oid, default): (String, String, Oid, String) =
                (row.get(3), row.get(4), row.get(5), row.get(6));
            let resolved = self.resolve_type(type_oid, &source_type)?;
            let generated = match (identity.as_str(), generated.as_str()) {
                ("a", _) => Some(Generated::IdentityAlways),
                ("d", _) => Some(Generated::IdentityByDefault),
                (_, "s") => Some(Generated::Stored),
                _ if default.starts_with("nextval(") => Some(Generated::Serial),
                _ => None,
            };
            let has_expression = matches!(generated, None | Some(Generated::Stored));
            columns.push(Column {
                name,
                source_type,
                logical: resolved.logical,
                nullable: !not_null && !resolved.not_null,
                generated,
                domain_checks: resolved.checks,
                default: Some(default).filter(|d| has_expression && !d.is_empty()),
            });
        }
        Ok(columns)
    }

    /// Maps a type to a logical type: enums with their labels, domains to their base type and
    /// CHECKs, arrays to their element type; anything unknown is `Opaque`.
    fn resolve_type(&mut self, oid: Oid, formatted: &str) -> CatalogResult<ResolvedType> {
        let row = self.client.query_one(
            "SELECT typtype::text, typcategory::text, typelem, typbasetype, typnotnull, \
                    format_type(typbasetype, typtypmod) FROM pg_type WHERE oid = $1",
            &[&oid],
        )?;
        let (typtype, category, element, base, not_null): (String, String, Oid, Oid, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        let mut resolved = ResolvedType {
            logical: LogicalType::Opaque,
            checks: Vec::new(),
            not_null: false,
        };
        match typtype.as_str() {
            "e" => {
                let labels = self
                    .client
                    .query(
                        "SELECT enumlabel FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder",
                        &[&oid],
                    )?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                resolved.logical = LogicalType::Enum { labels };
            }
            "d" => {
                let base_name: String = row.get(5);
                let base_resolved = self.resolve_type(base, &base_name)?;
                let checks = self.client.query(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contypid = $1 AND contype = 'c' ORDER BY conname",
                    &[&oid],
                )?;
                resolved = ResolvedType {
                    logical: base_resolved.logical,
                    checks: base_resolved
                        .checks
                        .into_iter()
                        .chain(checks.iter().map(|r| check_body(&r.get::<_, String>(0))))
                        .collect(),
                    not_null: not_null || base_resolved.not_null,
                };
            }
            _ if category == "A" && element != 0 => {
                let element_name = formatted
                    .strip_suffix("[]")
                    .unwrap_or(formatted)
                    .to_string();
                let inner = self.resolve_type(element, &element_name)?;
                resolved.logical = LogicalType::Array {
                    element: Box::new(inner.logical),
                };
            }
            _ => resolved.logical = LogicalType::from_sql(formatted).unwrap_or(LogicalType::Opaque),
        }
        Ok(resolved)
    }

    /// Primary key, unique keys, checks and foreign keys. For a partitioned table, foreign keys
    /// declared on any of its partitions fold into it.
    fn constraints(
        &mut self,
        table: Oid,
        names: &HashMap<Oid, String>,
        out: &mut Table,
    ) -> CatalogResult<()> {
        let rows = self.client.query(
            "SELECT con.conname, con.contype::text, con.conrelid = $1, \
                    ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o), \
                    coalesce(pg_partition_root(con.confrelid)::oid, con.confrelid), \
                    ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o), \
                    pg_get_constraintdef(con.oid) \
             FROM pg_constraint con \
             WHERE (con.conrelid = $1 OR con.conrelid IN (SELECT relid FROM pg_partition_tree($1))) AND con.contype IN ('p', 'u', 'f', 'c') \
             ORDER BY con.conrelid <> $1, con.conname",
            &[&table],
        )?;
        for row in rows {
            let (name, kind, on_table, columns): (String, String, bool, Vec<String>) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            match kind.as_str() {
                "p" if on_table => out.primary_key = columns,
                "u" if on_table && !out.unique.contains(&columns) => out.unique.push(columns),
                "c" if on_table => out.checks.push(Check {
                    name,
                    expression: check_body(&row.get::<_, String>(6)),
                }),
                "f" => {
                    let parent: Oid = row.get(4);
                    let Some(parent_name) = names.get(&parent) else {
                        continue;
                    };
                    let fk = ForeignKey {
                        columns,
                        references: TableRef {
                            table: parent_name.clone(),
                            columns: row.get(5),
                        },
                        inferred: false,
                        evidence: None,
                    };
                    if !out
                        .foreign_keys
                        .iter()
                        .any(|k| k.columns == fk.columns && k.references == fk.references)
                    {
                        out.foreign_keys.push(fk);
                    }
                }
                _ => {}
            }
        }
        let unique_indexes = self.client.query(
            "SELECT ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o) \
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.o) \
             FROM pg_index i WHERE i.indrelid = $1 AND i.indisunique AND NOT i.indisprimary \
               AND i.indpred IS NULL AND i.indexprs IS NULL \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            &[&table],
        )?;
        for row in unique_indexes {
            let columns: Vec<String> = row.get(0);
            if !out.unique.contains(&columns) {
                out.unique.push(columns);
            }
        }
        self.indexes(table, out)
    }

    /// Indexes that neither a constraint nor a plain unique index (read as a unique key above)
    /// stands for.
    fn indexes(&mut self, table: Oid, out: &mut Table) -> CatalogResult<()> {
        let rows = self.client.query(
            "SELECT c.relname::text, i.indisunique, pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             WHERE i.indrelid = $1 AND NOT i.indisprimary \
               AND NOT (i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL) \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
             ORDER BY c.relname",
            &[&table],
        )?;
        for row in rows {
            let statement: String = row.get(2);
            if let Some(at) = statement.find(" USING ") {
                out.indexes.push(Index {
                    name: row.get(0),
                    unique: row.get(1),
                    definition: statement[at + 1..].to_string(),
                });
            }
        }
        Ok(())
    }

    fn partitioning(&mut self, table: Oid) -> CatalogResult<Partitioning> {
        let key: String = self
            .client
            .query_one("SELECT pg_get_partkeydef($1)", &[&table])?
            .get(0);
        let partitions = self
            .client
            .query(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i \
                 JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1 ORDER BY c.relname",
                &[&table],
            )?
            .iter()
            .map(|r| Partition {
                name: r.get(0),
                bound: r.get(1),
            })
            .collect();
        Ok(Partitioning { key, partitions })
    }
}

struct ResolvedType {
    logical: LogicalType,
    checks: Vec<String>,
    not_null: bool,
}

/// `CHECK ((price > 0)) NOT VALID` → `(price > 0)`.
fn check_body(definition: &str) -> String {
    let body = definition
        .trim()
        .strip_prefix("CHECK ")
        .unwrap_or(definition)
        .trim();
    let body = body.strip_suffix(" NOT VALID").unwrap_or(body);
    body.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_definitions_lose_their_keyword() {
        assert_eq!(check_body("CHECK ((VALUE > 0))"), "((VALUE > 0))");
        assert_eq!(check_body("CHECK ((a < b)) NOT VALID"), "((a < b))");
    }
}
