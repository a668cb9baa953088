//! A PostgreSQL database, loaded with `COPY … FROM STDIN (FORMAT binary)` in foreign-key order
//! inside one transaction: every table loads, or none does.
//!
//! By default the tables already exist (a staging database) and every constraint, index and
//! trigger stays live; the target's schema is checked against the profile before the first row.
//! Foreign keys that close a cycle are dropped inside the transaction and re-added (and so
//! re-validated) after the last table. Identity and serial sequences are moved past the loaded
//! keys. With `--create`, the tables are created from the profile in the same transaction, with
//! identity, serial, default and stored generated columns as the source declared them, and its
//! indexes made after the load (cheaper than maintaining them row by row).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use postgres::Client;

use arrow::datatypes::SchemaRef;

use super::{Encoded, Sink, SinkError, Written};
use crate::fingerprint::Fingerprint;
use crate::generate::{Existing, Generator};
use crate::manifest::Manifest;
use crate::pg::copy::{encode, prepare, HEADER, TRAILER};
use crate::pg::types::{ddl_type, extensions, Encoding};
use crate::pg::{self, catalog, quote_ident};
use crate::profile::model::Profile;
use crate::schema::{Column, Generated, LogicalType, Table};

/// What to do with tables that already hold rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingRows {
    Refuse,
    Truncate,
    Append,
}

#[derive(Debug, Clone)]
pub struct PostgresOptions {
    pub existing: ExistingRows,
    pub create: bool,
    /// The schema the tables live in (or are created in).
    pub schema: String,
    /// A table (in `schema`) that gets one row per run with its manifest; created if missing.
    pub manifest_table: Option<String>,
}

pub struct PostgresSink {
    client: Client,
    target: String,
    tables: HashMap<String, TargetTable>,
    /// `ALTER TABLE … ADD CONSTRAINT …` statements to run after the last table.
    constraints_after: Vec<String>,
    /// `(qualified table, column)` of identity and serial columns.
    sequences: Vec<(String, String)>,
    buffer: Vec<u8>,
    /// The qualified `--manifest-table`, which [`Sink::finish`] adds the run's row to.
    manifest_table: Option<String>,
    /// Set once COMMIT succeeded; until then, dropping the sink rolls back.
    committed: bool,
}

struct TargetTable {
    qualified: String,
    /// `(index into the batch, column name, encoding)` for each column COPY writes.
    columns: Vec<(usize, String, Encoding)>,
}

impl PostgresSink {
    /// Connects to the target; nothing is changed until [`PostgresSink::prepare`].
    pub fn connect(spec: &str) -> Result<Self, SinkError> {
        let (client, target) = connect(spec)?;
        Ok(PostgresSink {
            client,
            target,
            tables: HashMap::new(),
            constraints_after: Vec::new(),
            sequences: Vec::new(),
            buffer: Vec::with_capacity(1 << 20),
            manifest_table: None,
            committed: false,
        })
    }

    /// The target's fingerprint, to compare with the profile's source before writing.
    pub fn fingerprint(&mut self) -> Option<Fingerprint> {
        Fingerprint::of_postgres(&mut self.client)
    }

    /// Checks the target against the plan and prepares the tables (create, truncate or
    /// refuse), inside a transaction that [`Sink::finish`] commits.
    pub fn prepare(
        &mut self,
        generator: &Generator,
        options: &PostgresOptions,
    ) -> Result<(), SinkError> {
        self.sql("BEGIN")?;
        if options.create {
            self.create_tables(generator, options)?;
        } else {
            self.match_existing(generator, options)?;
            self.defer_cycle_constraints(generator)?;
        }
        self.prepare_rows(generator, options.existing)?;
        if let Some(name) = &options.manifest_table {
            self.create_manifest_table(generator, &options.schema, name)?;
        }
        Ok(())
    }

    /// Creates the manifest table unless it exists, before the load so a bad name fails early.
    fn create_manifest_table(
        &mut self,
        generator: &Generator,
        schema: &str,
        name: &str,
    ) -> Result<(), SinkError> {
        if generator.tables().iter().any(|p| p.table.name == name) {
            return Err(SinkError::Mismatch(format!(
                "--manifest-table {name} names a table of the profile; choose another name"
            )));
        }
        let qualified = Self::qualified(schema, name);
        self.sql(&format!(
            "CREATE TABLE IF NOT EXISTS {qualified} (\
             loaded_at timestamptz NOT NULL DEFAULT now(), \
             understudy text NOT NULL, \
             seed numeric(20, 0) NOT NULL, \
             profile_sha256 text NOT NULL, \
             rows bigint NOT NULL, \
             injected bigint NOT NULL, \
             elapsed_seconds double precision NOT NULL, \
             manifest jsonb NOT NULL)"
        ))?;
        self.manifest_table = Some(qualified);
        Ok(())
    }

    /// Adds the run's row to the manifest table, inside the load's transaction.
    fn insert_manifest(&mut self, manifest: &Manifest) -> Result<(), SinkError> {
        let Some(qualified) = &self.manifest_table else {
            return Ok(());
        };
        let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
        let statement = format!(
            "INSERT INTO {qualified} (understudy, seed, profile_sha256, rows, injected, \
             elapsed_seconds, manifest) \
             VALUES ($1, $2::text::numeric, $3, $4::text::bigint, $5::text::bigint, $6, \
             $7::text::jsonb)"
        );
        self.client
            .execute(
                &statement,
                &[
                    &manifest.understudy,
                    &manifest.seed.to_string(),
                    &manifest.profile.sha256,
                    &rows.to_string(),
                    &manifest.injected.len().to_string(),
                    &manifest.elapsed_seconds,
                    &manifest.to_json(),
                ],
            )
            .map_err(|e| server_error(&self.target, &e))?;
        Ok(())
    }

    fn sql(&mut self, statement: &str) -> Result<(), SinkError> {
        self.client
            .batch_execute(statement)
            .map_err(|e| server_error(&self.target, &e))
    }

    fn qualified(schema: &str, table: &str) -> String {
        let (schema, table) = split_qualified(schema, table);
        format!("{}.{}", quote_ident(schema), quote_ident(table))
    }

    /// Maps every generated column onto the target's columns, or explains the mismatch.
    fn match_existing(
        &mut self,
        generator: &Generator,
        options: &PostgresOptions,
    ) -> Result<(), SinkError> {
        let (existing, _) = catalog::read(&mut self.client, std::slice::from_ref(&options.schema))
            .map_err(|e| server_error(&self.target, &e))?;
        let mut problems = Vec::new();
        for plan in generator.tables() {
            let name = &plan.table.name;
            let Some(target) = existing.table(name) else {
                problems.push(format!(
                    "table {name} is missing from the target (schema {})",
                    options.schema
                ));
                continue;
            };
            let mut columns = Vec::new();
            for (i, field) in plan.schema.fields().iter().enumerate() {
                let Some(column) = target.column(field.name()) else {
                    problems.push(format!(
                        "table {name}: column {} is missing from the target",
                        field.name()
                    ));
                    continue;
                };
                if column.generated == Some(Generated::Stored)
                    || column.logical == LogicalType::Opaque
                {
                    continue;
                }
                let encoding =
                    Encoding::for_target(&column.logical, &column.source_type, field.data_type());
                match encoding {
                    Some(encoding) => columns.push((i, column.name.clone(), encoding)),
                    None => problems.push(format!(
                        "table {name}, column {}: the profile's {} cannot load into the \
                         target's {}",
                        field.name(),
                        plan.table.columns[plan.output[i]].source_type,
                        column.source_type
                    )),
                }
                if column.generated.is_some_and(Generated::uses_sequence) {
                    self.sequences
                        .push((Self::qualified(&options.schema, name), column.name.clone()));
                }
            }
            let qualified = Self::qualified(&options.schema, name);
            self.fill_array_elements(&qualified, &mut columns)?;
            self.tables
                .insert(name.clone(), TargetTable { qualified, columns });
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SinkError::Mismatch(format!(
                "the target {} does not match the profile; nothing was written:\n  {}",
                self.target,
                problems.join("\n  ")
            )))
        }
    }

    /// Empty arrays carry their element type's OID in the binary format.
    fn fill_array_elements(
        &mut self,
        qualified: &str,
        columns: &mut [(usize, String, Encoding)],
    ) -> Result<(), SinkError> {
        for (_, name, encoding) in columns.iter_mut() {
            if let Encoding::Array(oid, _) = encoding {
                *oid = catalog::array_element_oid(&mut self.client, qualified, name)
                    .map_err(|e| server_error(&self.target, &e))?;
            }
        }
        Ok(())
    }

    /// Drops, inside the transaction, the foreign keys that close a cycle; they are re-added
    /// (and so checked) after the last table.
    fn defer_cycle_constraints(&mut self, generator: &Generator) -> Result<(), SinkError> {
        for &(t, k) in &generator.load_order().deferred {
            let plan = &generator.tables()[t];
            let fk = &plan.table.foreign_keys[k];
            let qualified = self.tables[&plan.table.name].qualified.clone();
            let declared = catalog::foreign_keys(&mut self.client, &qualified)
                .map_err(|e| server_error(&self.target, &e))?;
            for (name, definition, columns) in declared {
                if columns == fk.columns {
                    self.sql(&format!(
                        "ALTER TABLE {qualified} DROP CONSTRAINT {}",
                        quote_ident(&name)
                    ))?;
                    self.constraints_after.push(format!(
                        "ALTER TABLE {qualified} ADD CONSTRAINT {} {definition}",
                        quote_ident(&name)
                    ));
                }
            }
        }
        Ok(())
    }

    /// Creates enum types and tables from the profile; foreign keys are added after the load.
    fn create_tables(
        &mut self,
        generator: &Generator,
        options: &PostgresOptions,
    ) -> Result<(), SinkError> {
        let columns = generator.tables().iter().flat_map(|p| &p.table.columns);
        for extension in extensions(columns) {
            self.sql(&format!("CREATE EXTENSION IF NOT EXISTS {extension}"))?;
        }
        for schema in schemas_to_create(generator, &options.schema) {
            self.sql(&format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                quote_ident(&schema)
            ))?;
        }
        for &t in &generator.load_order().tables {
            let plan = &generator.tables()[t];
            let qualified = Self::qualified(&options.schema, &plan.table.name);
            let mut definitions = Vec::new();
            let mut columns = Vec::new();
            for (c, column) in plan.table.columns.iter().enumerate() {
                let output = plan.output.iter().position(|&o| o == c);
                if output.is_none() && column.default.is_none() {
                    continue; // a stored generated column whose expression the profile lacks
                }
                let sql_type = match &column.logical {
                    LogicalType::Enum { labels } => self.create_enum(options, column, labels)?,
                    _ => ddl_type(column),
                };
                definitions.push(column_definition(column, &sql_type));
                if column.generated.is_some_and(Generated::uses_sequence) {
                    self.sequences
                        .push((qualified.clone(), column.name.clone()));
                }
                // A type understudy doesn't model has no encoding: the column is left NULL
                // (generation refused it if it is NOT NULL).
                let encoding = output.and_then(|i| {
                    Encoding::for_target(
                        &column.logical,
                        &column.source_type,
                        plan.schema.field(i).data_type(),
                    )
                    .map(|e| (i, e))
                });
                if let Some((i, encoding)) = encoding {
                    columns.push((i, column.name.clone(), encoding));
                }
            }
            let list = |cols: &[String]| {
                cols.iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !plan.table.primary_key.is_empty() {
                definitions.push(format!("PRIMARY KEY ({})", list(&plan.table.primary_key)));
            }
            for unique in &plan.table.unique {
                definitions.push(format!("UNIQUE ({})", list(unique)));
            }
            for check in &plan.table.checks {
                definitions.push(format!(
                    "CONSTRAINT {} CHECK {}",
                    quote_ident(&check.name),
                    check.expression
                ));
            }
            let partitioned = match &plan.table.partitioning {
                Some(p) => format!(" PARTITION BY {}", p.key),
                None => String::new(),
            };
            self.sql(&format!(
                "CREATE TABLE {qualified} ({}){partitioned}",
                definitions.join(", ")
            ))?;
            for partition in plan.table.partitioning.iter().flat_map(|p| &p.partitions) {
                self.sql(&format!(
                    "CREATE TABLE {} PARTITION OF {qualified} {}",
                    Self::qualified(&options.schema, &partition.name),
                    partition.bound
                ))?;
            }
            for index in &plan.table.indexes {
                let unique = if index.unique { "UNIQUE " } else { "" };
                self.constraints_after.push(format!(
                    "CREATE {unique}INDEX {} ON {qualified} {}",
                    quote_ident(&index.name),
                    index.definition
                ));
            }
            for fk in &plan.table.foreign_keys {
                self.constraints_after.push(format!(
                    "ALTER TABLE {qualified} ADD FOREIGN KEY ({}) REFERENCES {} ({})",
                    list(&fk.columns),
                    Self::qualified(&options.schema, &fk.references.table),
                    list(&fk.references.columns)
                ));
            }
            self.fill_array_elements(&qualified, &mut columns)?;
            self.tables
                .insert(plan.table.name.clone(), TargetTable { qualified, columns });
        }
        Ok(())
    }

    /// Creates an enum type (unless it exists) and returns its qualified name.
    fn create_enum(
        &mut self,
        options: &PostgresOptions,
        column: &Column,
        labels: &[String],
    ) -> Result<String, SinkError> {
        let type_name = Self::qualified(&options.schema, &column.source_type);
        let labels: Vec<String> = labels
            .iter()
            .map(|l| format!("'{}'", l.replace('\'', "''")))
            .collect();
        self.sql(&format!(
            "DO $$ BEGIN CREATE TYPE {type_name} AS ENUM ({}); \
             EXCEPTION WHEN duplicate_object THEN NULL; END $$",
            labels.join(", ")
        ))?;
        Ok(type_name)
    }

    /// Refuses tables that hold rows, or empties them with `--truncate`.
    fn prepare_rows(
        &mut self,
        generator: &Generator,
        existing: ExistingRows,
    ) -> Result<(), SinkError> {
        let qualified: Vec<String> = generator
            .tables()
            .iter()
            .map(|p| self.tables[&p.table.name].qualified.clone())
            .collect();
        match existing {
            ExistingRows::Append => Ok(()),
            ExistingRows::Truncate => self.sql(&format!("TRUNCATE {}", qualified.join(", "))),
            ExistingRows::Refuse => {
                for (plan, q) in generator.tables().iter().zip(&qualified) {
                    let row = self
                        .client
                        .query_one(&format!("SELECT EXISTS (SELECT 1 FROM {q})"), &[])
                        .map_err(|e| server_error(&self.target, &e))?;
                    if row.get::<_, bool>(0) {
                        return Err(SinkError::Mismatch(format!(
                            "table {} already has rows; nothing was written. Pass --truncate to \
                             replace them or --append to add to them",
                            plan.table.name
                        )));
                    }
                }
                Ok(())
            }
        }
    }
}

/// A column as `CREATE TABLE` writes it, with what the database fills in by itself: identity,
/// a serial type (its sequence comes with it), a stored generated expression, or a default.
fn column_definition(column: &Column, sql_type: &str) -> String {
    let serial = match column.logical {
        LogicalType::Int16 => "smallserial",
        LogicalType::Int32 => "serial",
        _ => "bigserial",
    };
    let (sql_type, filled) = match (column.generated, &column.default) {
        (Some(Generated::IdentityAlways), _) => (sql_type, " GENERATED ALWAYS AS IDENTITY".into()),
        (Some(Generated::IdentityByDefault), _) => {
            (sql_type, " GENERATED BY DEFAULT AS IDENTITY".into())
        }
        (Some(Generated::Serial), _) if column.logical.is_integer() => (serial, String::new()),
        (Some(Generated::Stored), Some(expression)) => (
            sql_type,
            format!(" GENERATED ALWAYS AS ({expression}) STORED"),
        ),
        (None, Some(default)) => (sql_type, format!(" DEFAULT {default}")),
        _ => (sql_type, String::new()),
    };
    let null = if column.nullable { "" } else { " NOT NULL" };
    format!("{} {sql_type}{filled}{null}", quote_ident(&column.name))
}

/// A connection to the target, and its name for messages (without a password).
fn connect(spec: &str) -> Result<(Client, String), SinkError> {
    let config =
        pg::config(spec).map_err(|e| SinkError::Postgres(format!("{}: {e}", pg::redact(spec))))?;
    let target = pg::display(&config);
    let client = pg::connect(&config).map_err(|e| SinkError::Postgres(format!("{target}: {e}")))?;
    Ok((client, target))
}

/// A server error, with the target's name in front.
fn server_error(target: &str, e: &postgres::Error) -> SinkError {
    SinkError::Postgres(format!("{target}: {}", pg::describe_error(e)))
}

/// What each profile table already holds in the target, for `--append`: its row count and the
/// largest value of each integer key column. Tables missing from the target are left out (the
/// sink reports them when it checks the schema).
pub fn existing_rows(
    spec: &str,
    profile: &Profile,
    schema: &str,
) -> Result<BTreeMap<String, Existing>, SinkError> {
    let (mut client, target) = connect(spec)?;
    let mut existing = BTreeMap::new();
    for table in profile.tables.iter().map(|t| &t.schema) {
        let qualified = PostgresSink::qualified(schema, &table.name);
        if !catalog::table_exists(&mut client, &qualified).map_err(|e| server_error(&target, &e))? {
            continue;
        }
        let keys: Vec<&str> = table
            .columns
            .iter()
            .filter(|c| c.logical.is_integer() && table.is_key_column(&c.name))
            .map(|c| c.name.as_str())
            .collect();
        let maxima: String = keys
            .iter()
            .map(|k| format!(", max({})::int8", quote_ident(k)))
            .collect();
        let row = client
            .query_one(&format!("SELECT count(*){maxima} FROM {qualified}"), &[])
            .map_err(|e| server_error(&target, &e))?;
        let max_keys = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| Some((k.to_string(), row.get::<_, Option<i64>>(i + 1)?)))
            .collect();
        let rows = row.get::<_, i64>(0) as u64;
        existing.insert(table.name.clone(), Existing { rows, max_keys });
    }
    Ok(existing)
}

impl Sink for PostgresSink {
    fn write_table(
        &mut self,
        table: &Table,
        _schema: &SchemaRef,
        batches: &mut dyn Iterator<Item = Encoded>,
    ) -> Result<Written, SinkError> {
        let name = &table.name;
        let table = &self.tables[name];
        let names: Vec<String> = table
            .columns
            .iter()
            .map(|(_, n, _)| quote_ident(n))
            .collect();
        let statement = format!(
            "COPY {} ({}) FROM STDIN (FORMAT binary)",
            table.qualified,
            names.join(", ")
        );
        let fail = |e: postgres::Error| {
            SinkError::Postgres(format!("loading table {name}: {}", pg::describe_error(&e)))
        };
        let io_fail = |e: std::io::Error| SinkError::Postgres(format!("loading table {name}: {e}"));
        let mut writer = self.client.copy_in(&statement).map_err(fail)?;
        let buffer = &mut self.buffer;
        buffer.clear();
        buffer.extend_from_slice(HEADER);
        let mut sent = 0u64;
        let column_error = |column: &str, e: String| {
            SinkError::Postgres(format!("table {name}, column {column}: {e}"))
        };
        for Encoded { batch, .. } in batches {
            let arrays = table
                .columns
                .iter()
                .map(|(i, name, encoding)| {
                    prepare(encoding, batch.column(*i)).map_err(|e| column_error(name, e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            for row in 0..batch.num_rows() {
                buffer.extend_from_slice(&(table.columns.len() as i16).to_be_bytes());
                for ((_, name, encoding), array) in table.columns.iter().zip(&arrays) {
                    encode(encoding, array, row, buffer).map_err(|e| column_error(name, e))?;
                }
                if buffer.len() >= 1 << 20 {
                    writer.write_all(buffer).map_err(io_fail)?;
                    sent += buffer.len() as u64;
                    buffer.clear();
                }
            }
        }
        buffer.extend_from_slice(TRAILER);
        writer.write_all(buffer).map_err(io_fail)?;
        sent += buffer.len() as u64;
        writer.finish().map_err(fail)?;
        Ok(Written {
            bytes: sent,
            file: None,
        })
    }

    fn finish(mut self: Box<Self>, manifest: &Manifest) -> Result<(), SinkError> {
        self.insert_manifest(manifest)?;
        for statement in std::mem::take(&mut self.constraints_after) {
            self.sql(&statement)?;
        }
        // The sequence a column owns (serial, identity) or, for a default of `nextval('s')`
        // on a sequence made apart (as pg_dump writes them), the one its default names.
        for (qualified, column) in std::mem::take(&mut self.sequences) {
            let statement = format!(
                "SELECT setval(s.seq::regclass, m.m) \
                 FROM (SELECT max({}) AS m FROM {qualified}) m, \
                      (SELECT coalesce(pg_get_serial_sequence($1, $2), \
                              substring(pg_get_expr(d.adbin, d.adrelid) FROM $3)) AS seq \
                       FROM pg_attribute a \
                       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                       WHERE a.attrelid = $1::regclass AND a.attname = $2) s \
                 WHERE m.m IS NOT NULL AND s.seq IS NOT NULL",
                quote_ident(&column)
            );
            let named = r"nextval\('([^']+)'";
            self.client
                .query(&statement, &[&qualified, &column, &named])
                .map_err(|e| server_error(&self.target, &e))?;
        }
        self.sql("COMMIT")?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PostgresSink {
    /// An unfinished load (an error, a signal) is rolled back now rather than when the server
    /// notices the connection is gone, so its locks are released at once.
    fn drop(&mut self) {
        if !self.committed {
            let _ = self.client.batch_execute("ROLLBACK");
        }
    }
}

/// A profile table's schema and name: a name read from several schemas is `schema.table`;
/// others live in the target's `--schema`.
fn split_qualified<'a>(schema: &'a str, table: &'a str) -> (&'a str, &'a str) {
    table.split_once('.').unwrap_or((schema, table))
}

/// Every schema `--create` loads into: the target's, and those named in table names, so a
/// profile made from several schemas loads into all of them.
fn schemas_to_create(generator: &Generator, schema: &str) -> Vec<String> {
    let mut schemas = vec![schema.to_string()];
    for plan in generator.tables() {
        let (s, _) = split_qualified(schema, &plan.table.name);
        if !schemas.iter().any(|known| known == s) {
            schemas.push(s.to_string());
        }
    }
    schemas
}
