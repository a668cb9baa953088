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
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

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
        let parsed = parse_one(&piece.text).or_else(|e| {
            // pg_dump writes `DEFAULT ('now'::text)::date`, a cast after parentheses that the
            // parser does not take in a DEFAULT; wrapped in one more pair it does.
            let wrapped = wrap_cast_defaults(&piece.text).ok_or(e.clone())?;
            parse_one(&wrapped).map_err(|_| e)
        });
        match parsed {
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

/// `sql` with each `DEFAULT (…)::type` written `DEFAULT ((…)::type)`, or `None` if it holds
/// none. Read from sqlparser's tokens, so quoted text and comments are no concern; the type
/// runs to the next `,` or `)` outside parentheses, or to a word that starts a constraint
/// (`NOT NULL`, `CHECK`, …), so `timestamp without time zone` and `numeric(10,2)` are whole.
fn wrap_cast_defaults(sql: &str) -> Option<String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().ok()?;
    let next =
        |from: usize| (from..tokens.len()).find(|&k| !matches!(tokens[k], Token::Whitespace(_)));
    // Token positions before which `(` goes, and after which `)` goes.
    let (mut opens, mut closes) = (Vec::new(), Vec::new());
    for (at, token) in tokens.iter().enumerate() {
        let Token::Word(word) = token else { continue };
        if word.keyword != Keyword::DEFAULT {
            continue;
        }
        let Some(open) = next(at + 1).filter(|&k| tokens[k] == Token::LParen) else {
            continue;
        };
        let Some(close) = closing(&tokens, open) else {
            continue;
        };
        let Some(cast) = next(close + 1).filter(|&k| tokens[k] == Token::DoubleColon) else {
            continue;
        };
        opens.push(open);
        closes.push(type_end(&tokens, cast + 1));
    }
    if opens.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(sql.len() + 2 * opens.len());
    for (at, token) in tokens.iter().enumerate() {
        if opens.contains(&at) {
            out.push('(');
        }
        out.push_str(&token.to_string());
        if closes.contains(&at) {
            out.push(')');
        }
    }
    Some(out)
}

/// The `)` that closes the `(` at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (at, token) in tokens.iter().enumerate().skip(open) {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

/// The last token of the type name that starts at `from`: before a `,` or `)` outside its own
/// parentheses, or before a word that starts a column constraint.
fn type_end(tokens: &[Token], from: usize) -> usize {
    const CONSTRAINTS: [Keyword; 10] = [
        Keyword::NOT,
        Keyword::NULL,
        Keyword::CONSTRAINT,
        Keyword::CHECK,
        Keyword::REFERENCES,
        Keyword::PRIMARY,
        Keyword::UNIQUE,
        Keyword::COLLATE,
        Keyword::GENERATED,
        Keyword::DEFAULT,
    ];
    let (mut depth, mut last) = (0usize, from);
    for (at, token) in tokens.iter().enumerate().skip(from) {
        match token {
            Token::LParen => depth += 1,
            Token::RParen if depth > 0 => depth -= 1,
            Token::RParen | Token::Comma | Token::SemiColon if depth == 0 => break,
            Token::Word(w) if depth == 0 && CONSTRAINTS.contains(&w.keyword) => break,
            Token::Whitespace(_) => continue,
            _ => {}
        }
        last = at;
    }
    last
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
    /// A DDL file holds no rows, so there is nothing for `generate` to protect.
    fn fingerprint(&self) -> Option<crate::fingerprint::Fingerprint> {
        None
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Generated, LogicalType};

    const SCRIPT: &str = r#"\restrict abc
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TYPE public.mood AS ENUM ('sad', 'ok');
CREATE DOMAIN public.posint AS integer NOT NULL CONSTRAINT posint_check CHECK ((VALUE > 0));
CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN NEW.at := now(); RETURN NEW; END; $fn$;
CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code varchar(8) UNIQUE,
    boss_id bigint REFERENCES people,
    feeling public.mood DEFAULT 'ok',
    score posint,
    "Weird Name" text NOT NULL,
    CHECK (score < 100)
);
CREATE TABLE public.visits (
    id integer NOT NULL,
    person_id bigint,
    at date NOT NULL,
    twice integer GENERATED ALWAYS AS (id * 2) STORED
) PARTITION BY RANGE (at);
CREATE TABLE public.visits_2024 PARTITION OF public.visits FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.visits_2025 (id integer NOT NULL, person_id bigint, at date NOT NULL);
ALTER TABLE ONLY public.visits ATTACH PARTITION public.visits_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE SEQUENCE public.visits_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.visits_id_seq OWNED BY public.visits.id;
ALTER TABLE ONLY public.visits ALTER COLUMN id SET DEFAULT nextval('public.visits_id_seq'::regclass);
ALTER TABLE ONLY public.visits ADD CONSTRAINT visits_pkey PRIMARY KEY (id, at);
ALTER TABLE ONLY public.visits_2025 ADD CONSTRAINT v25_person FOREIGN KEY (person_id) REFERENCES public.people(id);
CREATE TABLE public.tags (id integer NOT NULL, label text);
ALTER TABLE public.tags ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.tags_id_seq START WITH 1
);
CREATE UNIQUE INDEX tags_label ON public.tags USING btree (label);
CREATE INDEX tags_lower ON public.tags USING btree (lower(label));
COMMENT ON TABLE public.tags IS 'labels; with a semicolon';
CREATE TRIGGER t BEFORE UPDATE ON public.people FOR EACH ROW EXECUTE FUNCTION public.f();
CREATE VIEW public.v AS SELECT 1;
CREATE RULE r AS ON DELETE TO public.tags DO INSTEAD NOTHING;
\connect other
CREATE TABLE broken (a int,, b int);
GRANT SELECT ON public.tags TO reader;
"#;

    #[test]
    fn reads_every_statement_form() {
        let parsed = parse(SCRIPT);
        let names: Vec<&str> = parsed
            .schema
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["people", "visits", "tags"]);
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert_eq!(
            parsed.warnings[0].line, 42,
            "the broken CREATE TABLE's line"
        );
        assert!(parsed.warnings[0].message.contains("cannot parse"));

        let people = parsed.schema.table("people").unwrap();
        assert_eq!(people.primary_key, ["id"]);
        assert_eq!(people.unique, [vec!["code".to_string()]]);
        assert_eq!(people.foreign_keys[0].references.table, "people");
        assert_eq!(people.foreign_keys[0].references.columns, ["id"]);
        let id = people.column("id").unwrap();
        assert_eq!(
            (id.generated, id.nullable),
            (Some(Generated::IdentityAlways), false)
        );
        let feeling = people.column("feeling").unwrap();
        assert_eq!(feeling.source_type, "mood");
        assert!(
            matches!(&feeling.logical, LogicalType::Enum { labels } if labels == &["sad", "ok"])
        );
        let score = people.column("score").unwrap();
        assert_eq!(score.logical, LogicalType::Int32);
        assert!(!score.nullable, "the domain is NOT NULL");
        assert_eq!(score.domain_checks, ["((VALUE > 0))"]);
        assert!(people.column("Weird Name").is_some_and(|c| !c.nullable));
        assert_eq!(people.checks[0].expression, "(score < 100)");

        let visits = parsed.schema.table("visits").unwrap();
        let partitioning = visits.partitioning.as_ref().unwrap();
        assert_eq!(partitioning.key, "RANGE(at)");
        let bounds: Vec<(&str, &str)> = partitioning
            .partitions
            .iter()
            .map(|p| (p.name.as_str(), p.bound.as_str()))
            .collect();
        assert_eq!(
            bounds,
            [
                (
                    "visits_2024",
                    "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
                ),
                (
                    "visits_2025",
                    "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
                )
            ]
        );
        assert_eq!(visits.primary_key, ["id", "at"]);
        assert_eq!(
            visits.column("id").unwrap().generated,
            Some(Generated::Serial)
        );
        assert_eq!(
            visits.column("twice").unwrap().generated,
            Some(Generated::Stored)
        );
        assert_eq!(
            visits.foreign_keys.len(),
            1,
            "a partition's foreign key folds into its parent"
        );

        let tags = parsed.schema.table("tags").unwrap();
        assert_eq!(
            tags.column("id").unwrap().generated,
            Some(Generated::IdentityByDefault)
        );
        assert_eq!(
            tags.unique,
            [vec!["label".to_string()]],
            "the expression index is no key"
        );
    }

    #[test]
    fn garbage_is_warnings_not_errors() {
        for script in [
            "\u{0}\u{1}",
            "CREATE TABLE",
            ";;;",
            "ALTER TABLE nope ADD PRIMARY KEY (a);",
            "$$",
        ] {
            let parsed = parse(script);
            assert!(parsed.schema.tables.is_empty());
        }
        let parsed = parse("ALTER TABLE nope ADD PRIMARY KEY (a);");
        assert_eq!(parsed.warnings[0].line, 1);
    }

    #[test]
    fn a_cast_after_parentheses_in_a_default_is_read() {
        let parsed = parse(
            "CREATE TABLE customer (customer_id integer PRIMARY KEY,
               create_date date DEFAULT ('now'::text)::date NOT NULL,
               -- vérifié: l'été
               touched timestamp without time zone DEFAULT ('now'::text)::timestamp without time zone NOT NULL,
               price numeric(10,2) DEFAULT (0)::numeric(10,2),
               note text DEFAULT 'a ''default'' (x)'::text);",
        );
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        let table = parsed.schema.table("customer").expect("read");
        assert_eq!(table.columns.len(), 5);
        assert!(!table.columns[1].nullable && !table.columns[2].nullable);
    }

    #[test]
    fn an_inheriting_table_takes_its_parents_columns_and_checks() {
        let parsed = parse(
            "CREATE TABLE payment (payment_id integer PRIMARY KEY, amount numeric(5,2) NOT NULL \
             CHECK (amount >= 0));
             CREATE TABLE payment_p1 (note text, amount numeric(5,2),
               CHECK (amount < 100)) INHERITS (payment);
             CREATE TABLE nothing ();",
        );
        let child = parsed.schema.table("payment_p1").expect("read");
        let names: Vec<&str> = child.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["payment_id", "amount", "note"]);
        assert!(!child.columns[1].nullable, "NOT NULL comes along");
        assert!(child.primary_key.is_empty(), "keys are not inherited");
        assert!(parsed.schema.table("nothing").is_none());
        assert!(parsed
            .warnings
            .iter()
            .any(|w| w.message.contains("nothing has no columns")));
    }
}
