//! A DDL file (hand-written `CREATE TABLE`s, migrations, or `pg_dump --schema-only` output) as
//! a source: the same [`Schema`] the catalog of a live database gives, with no rows.
//!
//! The file is cut into statements ([`split`]) so that one statement sqlparser can't read costs
//! only itself: it becomes a warning with its line, never an error. Forms pg_dump writes that
//! sqlparser 0.59 lacks are read from sqlparser's tokens ([`forms`]); the rest is sqlparser's
//! AST applied to a schema in file order ([`build`]).

mod build;
mod forms;
mod split;

use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::{Sampling, Source, SourceError};
use crate::schema::{Schema, Table};

/// Something in the file that was skipped or not modeled, at a 1-based line (0: the file as a
/// whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// What a DDL script describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub schema: Schema,
    pub warnings: Vec<Warning>,
}

/// Reads a DDL script. Never fails: what it cannot read is in the warnings.
pub fn parse(script: &str) -> Parsed {
    let mut builder = build::Builder::default();
    for piece in split::statements(script) {
        match parse_one(&piece.text) {
            Ok(statement) => builder.apply(&statement, piece.line),
            Err(message) => match forms::recognize(&piece.text) {
                Some(form) => apply_form(&mut builder, form, piece.line),
                None => builder.warnings.push(Warning {
                    line: piece.line,
                    message: format!("cannot parse this statement, skipped: {message}"),
                }),
            },
        }
    }
    let (schema, warnings) = builder.finish();
    Parsed { schema, warnings }
}

fn parse_one(sql: &str) -> Result<Statement, String> {
    let mut statements =
        Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| e.to_string())?;
    match statements.len() {
        1 => Ok(statements.remove(0)),
        n => Err(format!("expected one statement, found {n}")),
    }
}

fn apply_form(builder: &mut build::Builder, form: forms::Form, line: usize) {
    use forms::Form;
    match form {
        Form::Partition {
            parent,
            child,
            bound,
        } => builder.partition(parent, child, bound),
        Form::Identity {
            table,
            column,
            kind,
        } => builder.identity(&table, &column, kind),
        Form::NotNullDomain(sql) => match parse_one(&sql) {
            Ok(Statement::CreateDomain(domain)) => builder.create_domain(
                build::object(&domain.name),
                &domain.data_type,
                &domain.constraints,
                true,
            ),
            _ => builder.warnings.push(Warning {
                line,
                message: "cannot parse this CREATE DOMAIN, skipped".into(),
            }),
        },
        Form::Irrelevant => {}
    }
}

/// A DDL file read as a source of schema only.
pub struct DdlSource {
    path: PathBuf,
    parsed: Parsed,
}

impl DdlSource {
    pub fn open(path: &Path) -> Result<DdlSource, SourceError> {
        let text = std::fs::read_to_string(path).map_err(|e| SourceError::io(path, e))?;
        Ok(DdlSource {
            path: path.to_path_buf(),
            parsed: parse(&text),
        })
    }

    /// Warnings as `file:line: message`, for the user.
    fn warnings(&self) -> Vec<String> {
        self.parsed
            .warnings
            .iter()
            .map(|w| match w.line {
                0 => format!("{}: {}", self.path.display(), w.message),
                line => format!("{}:{line}: {}", self.path.display(), w.message),
            })
            .collect()
    }

    pub fn parsed_schema(&self) -> &Schema {
        &self.parsed.schema
    }

    /// Whether `spec` names a DDL file rather than a directory or a URL.
    pub fn is_ddl(spec: &str) -> bool {
        let path = Path::new(spec);
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("sql"))
            && !path.is_dir()
    }
}

impl Source for DdlSource {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn kind(&self) -> &'static str {
        "ddl"
    }

    fn schema(&self) -> Result<Schema, SourceError> {
        Ok(self.parsed.schema.clone())
    }

    fn row_count(&self, _table: &Table) -> Result<u64, SourceError> {
        Ok(0)
    }

    fn scan(
        &self,
        _table: &Table,
        _columns: &[usize],
        _sampling: Sampling,
        _sink: &mut dyn FnMut(RecordBatch) -> Result<(), SourceError>,
    ) -> Result<(), SourceError> {
        Ok(())
    }

    fn infers_keys(&self) -> bool {
        false
    }

    fn warnings(&self) -> Vec<String> {
        DdlSource::warnings(self)
    }
}
