//! A PostgreSQL database: the schema from the catalog, rows from `COPY ... TO STDOUT`.
//!
//! Rows stream in COPY's text format (tab-separated, `\N` for NULL, backslash escapes), which
//! is unambiguous about NULL versus the empty string, and are decoded with the same text
//! decoder as CSV. Each scan opens its own connection so tables can be read in parallel.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};

use arrow::record_batch::RecordBatch;
use postgres::types::Oid;
use postgres::{Client, Config};

use super::decode::ColumnDecoder;
use super::{Sampling, Source, SourceError, BATCH_ROWS};
use crate::fingerprint::Fingerprint;
use crate::pgconn::{self, quote_ident};
use crate::schema::{
    Check, Column, ForeignKey, Generated, Index, LogicalType, Partition, Partitioning, Schema,
    Table, TableRef,
};

pub struct PostgresSource {
    config: Config,
    target: String,
    fingerprint: Option<Fingerprint>,
    schema: Schema,
    /// Table name → quoted `schema.table` for queries.
    qualified: HashMap<String, String>,
}

impl PostgresSource {
    /// Connects and reads the catalog of the given schemas (default `public`).
    pub fn connect(spec: &str, schemas: &[String]) -> Result<Self, SourceError> {
        let config = pgconn::config(spec).map_err(|message| SourceError::Postgres {
            target: pgconn::redact(spec),
            message,
        })?;
        let target = pgconn::display(&config);
        let fail = |message: String| SourceError::Postgres {
            target: target.clone(),
            message,
        };
        let mut client = pgconn::connect(&config).map_err(&fail)?;
        let schemas = if schemas.is_empty() {
            vec!["public".to_string()]
        } else {
            schemas.to_vec()
        };
        let (schema, qualified) = Catalog {
            client: &mut client,
        }
        .read(&schemas)
        .map_err(|e| fail(pgconn::describe_error(&e)))?;
        if schema.tables.is_empty() {
            let elsewhere =
                schemas_with_tables(&mut client).map_err(|e| fail(pgconn::describe_error(&e)))?;
            if !elsewhere.is_empty() {
                return Err(SourceError::NoTablesInSchemas {
                    target,
                    schemas,
                    elsewhere,
                });
            }
        }
        Ok(PostgresSource {
            fingerprint: Fingerprint::of_postgres(&mut client),
            config,
            target,
            schema,
            qualified,
        })
    }

    fn client(&self) -> Result<Client, SourceError> {
        pgconn::connect(&self.config).map_err(|message| self.error(message))
    }

    fn error(&self, message: String) -> SourceError {
        SourceError::Postgres {
            target: self.target.clone(),
            message,
        }
    }

    fn qualified(&self, table: &Table) -> String {
        self.qualified
            .get(&table.name)
            .cloned()
            .unwrap_or_else(|| quote_ident(&table.name))
    }
}

impl Source for PostgresSource {
    fn describe(&self) -> String {
        self.target.clone()
    }

    fn fingerprint(&self) -> Option<Fingerprint> {
        self.fingerprint.clone()
    }

    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn schema(&self) -> Result<Schema, SourceError> {
        Ok(self.schema.clone())
    }

    fn row_count(&self, table: &Table) -> Result<u64, SourceError> {
        let row = self
            .client()?
            .query_one(
                &format!("SELECT count(*) FROM {}", self.qualified(table)),
                &[],
            )
            .map_err(|e| {
                self.error(format!(
                    "counting rows of {}: {}",
                    table.name,
                    pgconn::describe_error(&e)
                ))
            })?;
        Ok(row.get::<_, i64>(0) as u64)
    }

    fn scan(
        &self,
        table: &Table,
        columns: &[usize],
        sampling: Sampling,
        sink: &mut dyn FnMut(RecordBatch) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        let select = if columns.is_empty() {
            "NULL".to_string()
        } else {
            columns
                .iter()
                .map(|&i| quote_ident(&table.columns[i].name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sample = match sampling {
            Sampling::All => String::new(),
            Sampling::Fraction(f) => format!(
                " TABLESAMPLE BERNOULLI ({}) REPEATABLE (0)",
                (f * 100.0).min(100.0)
            ),
        };
        let query = format!(
            "COPY (SELECT {select} FROM {}{sample}) TO STDOUT",
            self.qualified(table)
        );
        let mut client = self.client()?;
        let copy = client.copy_out(&query).map_err(|e| {
            self.error(format!(
                "reading {}: {}",
                table.name,
                pgconn::describe_error(&e)
            ))
        })?;
        let arrow_schema = super::projected_schema(table, columns);
        let mut decoders: Vec<ColumnDecoder> = columns
            .iter()
            .map(|&i| ColumnDecoder::new(&table.columns[i].logical))
            .collect();
        let mut reader = BufReader::with_capacity(1 << 16, copy);
        let mut line = Vec::new();
        let mut field = String::new();
        let mut pending = 0;
        let flush = |decoders: &mut Vec<ColumnDecoder>| {
            RecordBatch::try_new(
                arrow_schema.clone(),
                decoders.iter_mut().map(ColumnDecoder::finish).collect(),
            )
            .map_err(|e| SourceError::Arrow {
                context: format!("{}: building a batch", table.name),
                source: e,
            })
        };
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .map_err(|e| self.error(format!("reading {}: {e}", table.name)))?;
            if n == 0 {
                break;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            let text = std::str::from_utf8(&line)
                .map_err(|_| self.error(format!("{}: COPY sent invalid UTF-8", table.name)))?;
            for (k, raw) in text.split('\t').enumerate().take(decoders.len()) {
                let value = if raw == "\\N" {
                    None
                } else {
                    unescape_copy_text(raw, &mut field);
                    Some(field.as_str())
                };
                decoders[k]
                    .push(value)
                    .map_err(|source| SourceError::Decode {
                        table: table.name.clone(),
                        column: table.columns[columns[k]].name.clone(),
                        source,
                    })?;
            }
            pending += 1;
            if pending == BATCH_ROWS {
                pending = 0;
                sink(flush(&mut decoders)?)?;
            }
        }
        if pending > 0 {
            sink(flush(&mut decoders)?)?;
        }
        Ok(())
    }
}

/// Undoes COPY text escaping (`\\`, `\t`, `\n`, `\r`, ...) into `out`.
fn unescape_copy_text(raw: &str, out: &mut String) {
    out.clear();
    if !raw.contains('\\') {
        out.push_str(raw);
        return;
    }
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
}

/// The user schemas that hold tables, with how many, for the hint when the schemas asked for
/// hold none.
fn schemas_with_tables(client: &mut Client) -> CatalogResult<Vec<(String, u64)>> {
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

type CatalogResult<T> = Result<T, postgres::Error>;

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
    fn copy_text_unescapes() {
        let mut out = String::new();
        unescape_copy_text(r"a\tb\\c\nd", &mut out);
        assert_eq!(out, "a\tb\\c\nd");
    }

    #[test]
    fn check_definitions_lose_their_keyword() {
        assert_eq!(check_body("CHECK ((VALUE > 0))"), "((VALUE > 0))");
        assert_eq!(check_body("CHECK ((a < b)) NOT VALID"), "((a < b))");
    }
}
