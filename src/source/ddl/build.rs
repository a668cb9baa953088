//! Parsed DDL statements applied, in file order, to a growing [`Schema`]: tables and their
//! columns, keys, checks and partitioning; enum types and domains that later columns use; and
//! what `ALTER TABLE` and `CREATE UNIQUE INDEX` add afterwards, as pg_dump writes them.
//! Types go through [`LogicalType::from_sql`], the mapping every source shares.

use std::collections::HashMap;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ArrayElemTypeDef, ColumnDef, ColumnOption,
    CreateIndex, CreateTable, DataType, Expr, GeneratedAs, Ident, IndexColumn, ObjectName,
    ObjectNamePart, Statement, TableConstraint, UserDefinedTypeRepresentation,
};

use super::Warning;
use crate::schema::{
    Check, Column, ForeignKey, Generated, Index, LogicalType, Partition, Partitioning, Schema,
    Table, TableRef,
};

/// A name as Postgres stores it: unquoted identifiers fold to lower case.
pub fn fold(value: &str, quote: Option<char>) -> String {
    match quote {
        Some(_) => value.to_string(),
        None => value.to_lowercase(),
    }
}

fn ident(ident: &Ident) -> String {
    fold(&ident.value, ident.quote_style)
}

/// The last part of a possibly schema-qualified name: tables are named without their schema,
/// as the Postgres source names them when it reads one schema.
pub fn object(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => ident(i),
        _ => name.to_string(),
    }
}

#[derive(Debug, Clone)]
struct Domain {
    logical: LogicalType,
    not_null: bool,
    checks: Vec<String>,
}

/// The schema built so far, and what was noticed on the way.
#[derive(Debug, Default)]
pub struct Builder {
    tables: Vec<Table>,
    enums: HashMap<String, Vec<String>>,
    domains: HashMap<String, Domain>,
    /// (parent, child, bound), applied when every table is known.
    partitions: Vec<(String, String, String, usize)>,
    pub warnings: Vec<Warning>,
    line: usize,
}

impl Builder {
    fn warn(&mut self, message: String) {
        self.warnings.push(Warning {
            line: self.line,
            message,
        });
    }

    fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let found = self.tables.iter().position(|t| t.name == name);
        match found {
            Some(i) => Some(&mut self.tables[i]),
            None => {
                self.warn(format!(
                    "table {name} is not defined (yet); statement skipped"
                ));
                None
            }
        }
    }

    /// Applies one parsed statement that starts on `line`.
    pub fn apply(&mut self, statement: &Statement, line: usize) {
        self.line = line;
        match statement {
            Statement::CreateTable(create) => self.create_table(create),
            Statement::CreateType {
                name,
                representation: UserDefinedTypeRepresentation::Enum { labels },
            } => {
                let labels = labels.iter().map(|l| l.value.clone()).collect();
                self.enums.insert(object(name), labels);
            }
            Statement::CreateDomain(domain) => self.create_domain(
                object(&domain.name),
                &domain.data_type,
                &domain.constraints,
                false,
            ),
            Statement::AlterTable {
                name, operations, ..
            } => {
                for operation in operations {
                    self.alter_table(&object(name), operation);
                }
            }
            Statement::CreateIndex(index) => self.create_index(index),
            // SET, COMMENT, functions, triggers, views, sequences, extensions, queries: none
            // changes a table's shape.
            _ => {}
        }
    }

    /// `CREATE DOMAIN`; `not_null` when the statement said `NOT NULL` (see `forms`).
    pub fn create_domain(
        &mut self,
        name: String,
        data_type: &DataType,
        constraints: &[TableConstraint],
        not_null: bool,
    ) {
        let base = self.resolve(data_type);
        let mut checks = base.checks;
        for constraint in constraints {
            if let TableConstraint::Check { expr, .. } = constraint {
                checks.push(format!("({expr})"));
            }
        }
        self.domains.insert(
            name,
            Domain {
                logical: base.logical,
                not_null: not_null || base.not_null,
                checks,
            },
        );
    }

    pub fn partition(&mut self, parent: String, child: String, bound: String) {
        self.partitions.push((parent, child, bound, self.line));
    }

    pub fn identity(&mut self, table: &str, column: &str, kind: Generated) {
        let Some(t) = self.table_mut(table) else {
            return;
        };
        match t.columns.iter_mut().find(|c| c.name == column) {
            Some(c) => {
                c.generated = Some(kind);
                c.nullable = false;
            }
            None => self.warn(format!("table {table} has no column {column}")),
        }
    }

    fn create_table(&mut self, create: &CreateTable) {
        let name = object(&create.name);
        if self.tables.iter().any(|t| t.name == name) {
            self.warn(format!(
                "table {name} is defined twice; the later one is skipped"
            ));
            return;
        }
        if create.query.is_some() || create.like.is_some() || create.clone.is_some() {
            self.warn(format!(
                "table {name}: CREATE TABLE … AS/LIKE/CLONE is not read; statement skipped"
            ));
            return;
        }
        let mut table = Table {
            name,
            ..Default::default()
        };
        // INHERITS: the parents' columns come first, with their NOT NULLs and CHECKs (not
        // their keys, as in PostgreSQL); a column the child names again merges with them.
        for parent in create.inherits.iter().flatten() {
            let parent = object(parent);
            let Some(parent) = self.tables.iter().find(|t| t.name == parent).cloned() else {
                self.warn(format!(
                    "table {}: it inherits from {parent}, which is not defined before it;                      statement skipped",
                    table.name
                ));
                return;
            };
            for column in parent.columns {
                if table.column(&column.name).is_none() {
                    table.columns.push(column);
                }
            }
            table.checks.extend(parent.checks);
        }
        for def in &create.columns {
            if table.column(&ident(&def.name)).is_some() {
                continue;
            }
            self.add_column(&mut table, def);
        }
        for constraint in &create.constraints {
            self.add_constraint(&mut table, constraint);
        }
        if let Some(key) = &create.partition_by {
            table.partitioning = Some(Partitioning {
                key: key.to_string(),
                partitions: Vec::new(),
            });
        }
        self.tables.push(table);
    }

    fn add_column(&mut self, table: &mut Table, def: &ColumnDef) {
        let name = ident(&def.name);
        let resolved = self.resolve(&def.data_type);
        let serial = is_serial(&def.data_type);
        let mut column = Column {
            name: name.clone(),
            source_type: resolved.source_type,
            logical: resolved.logical,
            nullable: !resolved.not_null && !serial,
            generated: serial.then_some(Generated::Serial),
            domain_checks: resolved.checks,
            default: None,
        };
        for option in def.options.iter().map(|o| &o.option) {
            match option {
                ColumnOption::NotNull => column.nullable = false,
                ColumnOption::Unique {
                    is_primary: true, ..
                } => {
                    column.nullable = false;
                    table.primary_key = vec![name.clone()];
                }
                ColumnOption::Unique { .. } => table.unique.push(vec![name.clone()]),
                ColumnOption::ForeignKey {
                    foreign_table,
                    referred_columns,
                    ..
                } => table.foreign_keys.push(ForeignKey {
                    columns: vec![name.clone()],
                    references: TableRef {
                        table: object(foreign_table),
                        columns: referred_columns.iter().map(ident).collect(),
                    },
                    inferred: false,
                    evidence: None,
                }),
                ColumnOption::Check(expr) => {
                    let check_name =
                        unique_check_name(table, &format!("{}_{name}_check", table.name));
                    table.checks.push(Check {
                        name: check_name,
                        expression: format!("({expr})"),
                    });
                }
                ColumnOption::Default(expr) if is_nextval(expr) => {
                    column.generated = Some(Generated::Serial);
                }
                ColumnOption::Default(expr) => column.default = Some(expr.to_string()),
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => {
                    if let Some(expr) = generation_expr {
                        column.default = Some(expr.to_string());
                    }
                    column.generated = Some(match (generated_as, generation_expr) {
                        (_, Some(_)) | (GeneratedAs::ExpStored, _) => Generated::Stored,
                        (GeneratedAs::Always, None) => Generated::IdentityAlways,
                        (GeneratedAs::ByDefault, None) => Generated::IdentityByDefault,
                    });
                    if column.generated != Some(Generated::Stored) {
                        column.nullable = false;
                    }
                }
                _ => {}
            }
        }
        table.columns.push(column);
    }

    fn add_constraint(&mut self, table: &mut Table, constraint: &TableConstraint) {
        match constraint {
            TableConstraint::PrimaryKey { columns, .. } => match index_columns(columns) {
                Some(key) => {
                    for c in table.columns.iter_mut().filter(|c| key.contains(&c.name)) {
                        c.nullable = false;
                    }
                    table.primary_key = key;
                }
                None => self.warn(format!(
                    "table {}: a primary key on expressions is not modeled",
                    table.name
                )),
            },
            TableConstraint::Unique { columns, .. } => match index_columns(columns) {
                Some(key) if !table.unique.contains(&key) => table.unique.push(key),
                Some(_) => {}
                None => self.warn(format!(
                    "table {}: a unique key on expressions is not modeled",
                    table.name
                )),
            },
            TableConstraint::ForeignKey {
                columns,
                foreign_table,
                referred_columns,
                ..
            } => table.foreign_keys.push(ForeignKey {
                columns: columns.iter().map(ident).collect(),
                references: TableRef {
                    table: object(foreign_table),
                    columns: referred_columns.iter().map(ident).collect(),
                },
                inferred: false,
                evidence: None,
            }),
            TableConstraint::Check { name, expr, .. } => {
                let default = format!("{}_check", table.name);
                let wanted = name.as_ref().map_or(default, ident);
                table.checks.push(Check {
                    name: unique_check_name(table, &wanted),
                    expression: format!("({expr})"),
                });
            }
            _ => {}
        }
    }

    fn alter_table(&mut self, table: &str, operation: &AlterTableOperation) {
        match operation {
            AlterTableOperation::AddConstraint { constraint, .. } => {
                let Some(i) = self.tables.iter().position(|t| t.name == table) else {
                    self.warn(format!(
                        "table {table} is not defined (yet); constraint skipped"
                    ));
                    return;
                };
                let mut t = std::mem::take(&mut self.tables[i]);
                self.add_constraint(&mut t, constraint);
                self.tables[i] = t;
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let column = ident(column_name);
                match op {
                    AlterColumnOperation::SetDefault { value } if is_nextval(value) => {
                        self.identity(table, &column, Generated::Serial)
                    }
                    AlterColumnOperation::SetNotNull => {
                        if let Some(t) = self.table_mut(table) {
                            if let Some(c) = t.columns.iter_mut().find(|c| c.name == column) {
                                c.nullable = false;
                            }
                        }
                    }
                    AlterColumnOperation::AddGenerated {
                        generated_as: Some(GeneratedAs::ByDefault),
                        ..
                    } => self.identity(table, &column, Generated::IdentityByDefault),
                    AlterColumnOperation::AddGenerated { .. } => {
                        self.identity(table, &column, Generated::IdentityAlways)
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// A unique index on plain columns is a unique key; one on expressions or with a `WHERE`
    /// is kept as an index, so generation knows the columns it ties and `--create` makes it.
    fn create_index(&mut self, index: &CreateIndex) {
        if !index.unique {
            return;
        }
        let table = object(&index.table_name);
        let plain = index_columns(&index.columns).filter(|_| index.predicate.is_none());
        let Some(t) = self.table_mut(&table) else {
            return;
        };
        match plain {
            Some(key) => {
                if !t.unique.contains(&key) && t.primary_key != key {
                    t.unique.push(key);
                }
            }
            None => {
                let columns: Vec<String> = index.columns.iter().map(|c| c.to_string()).collect();
                let using = index.using.as_ref().map(|u| format!("USING {u} "));
                let filter = index.predicate.as_ref().map(|p| format!(" WHERE ({p})"));
                t.indexes.push(Index {
                    name: index
                        .name
                        .as_ref()
                        .map_or_else(|| format!("{table}_{}_key", t.indexes.len() + 1), object),
                    unique: true,
                    definition: format!(
                        "{}({}){}",
                        using.unwrap_or_default(),
                        columns.join(", "),
                        filter.unwrap_or_default()
                    ),
                });
            }
        }
    }

    fn resolve(&self, data_type: &DataType) -> Resolved {
        match data_type {
            DataType::Array(
                ArrayElemTypeDef::SquareBracket(inner, _)
                | ArrayElemTypeDef::AngleBracket(inner)
                | ArrayElemTypeDef::Parenthesis(inner),
            ) => {
                let element = self.resolve(inner);
                Resolved {
                    source_type: format!("{}[]", element.source_type),
                    logical: LogicalType::Array {
                        element: Box::new(element.logical),
                    },
                    checks: Vec::new(),
                    not_null: false,
                }
            }
            DataType::Custom(name, _) => {
                let short = object(name);
                if let Some(labels) = self.enums.get(&short) {
                    return Resolved::plain(
                        LogicalType::Enum {
                            labels: labels.clone(),
                        },
                        short,
                    );
                }
                if let Some(domain) = self.domains.get(&short) {
                    return Resolved {
                        logical: domain.logical.clone(),
                        source_type: short,
                        checks: domain.checks.clone(),
                        not_null: domain.not_null,
                    };
                }
                Resolved::builtin(&data_type.to_string())
            }
            other => Resolved::builtin(&other.to_string()),
        }
    }

    /// The schema: partitions folded into their parents, foreign keys without columns pointed
    /// at the parent's primary key, and keys naming unknown tables or columns dropped.
    pub fn finish(mut self) -> (Schema, Vec<Warning>) {
        for (parent, child, bound, line) in std::mem::take(&mut self.partitions) {
            self.line = line;
            self.attach(&parent, &child, bound);
        }
        let (kept, empty): (Vec<Table>, Vec<Table>) = std::mem::take(&mut self.tables)
            .into_iter()
            .partition(|t| !t.columns.is_empty());
        self.tables = kept;
        for table in empty {
            let message = format!("table {} has no columns; skipped", table.name);
            self.warnings.push(Warning { line: 0, message });
        }
        let known: Vec<Table> = self.tables.clone();
        for table in &mut self.tables {
            let mut dropped = Vec::new();
            table.foreign_keys.retain_mut(|fk| {
                let Some(parent) = known.iter().find(|t| t.name == fk.references.table) else {
                    dropped.push(format!(
                        "table {}: foreign key ({}) references unknown table {}; dropped",
                        table.name,
                        fk.columns.join(", "),
                        fk.references.table
                    ));
                    return false;
                };
                if fk.references.columns.is_empty() {
                    fk.references.columns = parent.primary_key.clone();
                }
                let fits = fk.references.columns.len() == fk.columns.len()
                    && fk
                        .columns
                        .iter()
                        .all(|c| table.columns.iter().any(|k| &k.name == c))
                    && fk
                        .references
                        .columns
                        .iter()
                        .all(|c| parent.column(c).is_some());
                if !fits {
                    dropped.push(format!(
                        "table {}: foreign key ({}) → {} names columns that don't exist; dropped",
                        table.name,
                        fk.columns.join(", "),
                        fk.references.table
                    ));
                }
                fits
            });
            for message in dropped {
                self.warnings.push(Warning { line: 0, message });
            }
        }
        (
            Schema {
                tables: self.tables,
            },
            self.warnings,
        )
    }

    /// Makes `child` a partition of `parent`: a table of its own when pg_dump wrote it as one
    /// (then attached), folded into the parent with its foreign keys.
    fn attach(&mut self, parent: &str, child: &str, bound: String) {
        let child_table = self
            .tables
            .iter()
            .position(|t| t.name == child)
            .map(|i| self.tables.remove(i));
        let Some(p) = self.table_mut(parent) else {
            return;
        };
        let partitioning = p.partitioning.get_or_insert_with(|| Partitioning {
            key: String::new(),
            partitions: Vec::new(),
        });
        partitioning.partitions.push(Partition {
            name: child.to_string(),
            bound,
        });
        for fk in child_table.into_iter().flat_map(|t| t.foreign_keys) {
            if !p.foreign_keys.contains(&fk) {
                p.foreign_keys.push(fk);
            }
        }
        for t in &mut self.tables {
            for fk in &mut t.foreign_keys {
                if fk.references.table == child {
                    fk.references.table = parent.to_string();
                }
            }
        }
    }
}

/// A column type resolved against the enums and domains defined so far.
struct Resolved {
    logical: LogicalType,
    /// The type's name as Postgres's `format_type` prints it (the enum's or domain's own name).
    source_type: String,
    checks: Vec<String>,
    not_null: bool,
}

impl Resolved {
    fn plain(logical: LogicalType, source_type: String) -> Resolved {
        Resolved {
            logical,
            source_type,
            checks: Vec::new(),
            not_null: false,
        }
    }

    /// A built-in type by name: its canonical Postgres spelling, or kept as written (and
    /// opaque) when understudy doesn't model it.
    fn builtin(written: &str) -> Resolved {
        let lower = written.to_lowercase();
        match LogicalType::from_sql(&lower) {
            Some(LogicalType::Json) if !lower.starts_with("jsonb") => {
                Resolved::plain(LogicalType::Json, "json".into())
            }
            Some(logical) if LogicalType::name_matters(&lower) => Resolved::plain(logical, lower),
            Some(logical) => {
                let name = logical.sql_type();
                Resolved::plain(logical, name)
            }
            None => Resolved::plain(LogicalType::Opaque, lower),
        }
    }
}

fn is_serial(data_type: &DataType) -> bool {
    let name = data_type.to_string().to_lowercase();
    matches!(
        name.as_str(),
        "serial" | "serial2" | "serial4" | "serial8" | "smallserial" | "bigserial"
    )
}

fn is_nextval(expr: &Expr) -> bool {
    matches!(expr, Expr::Function(f) if f.name.to_string().to_lowercase().ends_with("nextval"))
}

/// Plain column names of a key or index, or `None` when one is an expression.
fn index_columns(columns: &[IndexColumn]) -> Option<Vec<String>> {
    columns
        .iter()
        .map(|c| match &c.column.expr {
            Expr::Identifier(i) => Some(ident(i)),
            _ => None,
        })
        .collect()
}

/// `wanted`, or `wanted` with a number appended when the table already has a check so named.
fn unique_check_name(table: &Table, wanted: &str) -> String {
    let taken = |n: &str| table.checks.iter().any(|c| c.name == n);
    if !taken(wanted) {
        return wanted.to_string();
    }
    (1..)
        .map(|i| format!("{wanted}{i}"))
        .find(|n| !taken(n))
        .expect("some number is free")
}
