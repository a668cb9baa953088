//! Statement forms that `pg_dump --schema-only` writes but sqlparser 0.59 does not parse, read
//! from sqlparser's own tokens (never from raw text): partitions (`CREATE TABLE … PARTITION OF`,
//! `ALTER TABLE … ATTACH PARTITION`), identity columns added afterwards (`ALTER COLUMN … ADD
//! GENERATED … AS IDENTITY (SEQUENCE NAME …)`), `NOT NULL` on a domain, and the statements that
//! cannot change a table's shape (rules, sequences, grants…), which are skipped quietly.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::schema::Generated;

/// A statement recognized from its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    /// `child` is a partition of `parent` with `bound` as Postgres prints it
    /// (`FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`, `DEFAULT`).
    Partition {
        parent: String,
        child: String,
        bound: String,
    },
    Identity {
        table: String,
        column: String,
        kind: Generated,
    },
    /// The statement with a domain's `NOT NULL` removed, which sqlparser then parses.
    NotNullDomain(String),
    /// Cannot change any table's shape.
    Irrelevant,
}

/// What an unparsed statement is, if it is one of the known forms.
pub fn recognize(sql: &str) -> Option<Form> {
    let tokens = Tokens::new(sql)?;
    tokens
        .partition_of()
        .or_else(|| tokens.attach_partition())
        .or_else(|| tokens.identity())
        .or_else(|| tokens.domain_not_null())
        .or_else(|| tokens.irrelevant().then_some(Form::Irrelevant))
}

/// Leading words of statements that never change a table's columns or keys.
const IRRELEVANT: &[&[&str]] = &[
    &["CREATE", "RULE"],
    &["CREATE", "OR", "REPLACE", "RULE"],
    &["CREATE", "SEQUENCE"],
    &["ALTER", "SEQUENCE"],
    &["CREATE", "FUNCTION"],
    &["CREATE", "OR", "REPLACE", "FUNCTION"],
    &["CREATE", "PROCEDURE"],
    &["CREATE", "OR", "REPLACE", "PROCEDURE"],
    &["CREATE", "TRIGGER"],
    &["CREATE", "OR", "REPLACE", "TRIGGER"],
    &["CREATE", "CONSTRAINT", "TRIGGER"],
    &["CREATE", "EVENT", "TRIGGER"],
    &["CREATE", "VIEW"],
    &["CREATE", "OR", "REPLACE", "VIEW"],
    &["CREATE", "MATERIALIZED", "VIEW"],
    &["CREATE", "AGGREGATE"],
    &["CREATE", "OPERATOR"],
    &["CREATE", "CAST"],
    &["CREATE", "COLLATION"],
    &["CREATE", "TEXT", "SEARCH"],
    &["CREATE", "POLICY"],
    &["CREATE", "PUBLICATION"],
    &["CREATE", "STATISTICS"],
    &["CREATE", "SCHEMA"],
    &["CREATE", "EXTENSION"],
    &["ALTER", "FUNCTION"],
    &["ALTER", "PROCEDURE"],
    &["ALTER", "VIEW"],
    &["ALTER", "MATERIALIZED", "VIEW"],
    &["ALTER", "SCHEMA"],
    &["ALTER", "TYPE"],
    &["ALTER", "DOMAIN"],
    &["ALTER", "INDEX"],
    &["ALTER", "DEFAULT", "PRIVILEGES"],
    &["ALTER", "EXTENSION"],
    &["ALTER", "POLICY"],
    &["GRANT"],
    &["REVOKE"],
    &["COMMENT"],
    &["SECURITY", "LABEL"],
    &["SET"],
    &["RESET"],
    &["SELECT"],
    &["REFRESH"],
    &["DO"],
    &["BEGIN"],
    &["COMMIT"],
];

/// A statement's tokens without white space and comments, and its text for slicing.
struct Tokens<'s> {
    sql: &'s str,
    tokens: Vec<TokenWithSpan>,
}

impl<'s> Tokens<'s> {
    fn new(sql: &'s str) -> Option<Tokens<'s>> {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .ok()?
            .into_iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .collect();
        Some(Tokens { sql, tokens })
    }

    /// Whether the token at `at` is the unquoted keyword `word`.
    fn is(&self, at: usize, word: &str) -> bool {
        matches!(self.tokens.get(at).map(|t| &t.token),
            Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }

    fn starts_with(&self, words: &[&str]) -> bool {
        words.iter().enumerate().all(|(i, w)| self.is(i, w))
    }

    /// A possibly qualified name starting at `at`: its last part (folded to lower case unless
    /// quoted), and the index after it.
    fn name(&self, mut at: usize) -> Option<(String, usize)> {
        loop {
            let Token::Word(w) = &self.tokens.get(at)?.token else {
                return None;
            };
            let part = super::build::fold(&w.value, w.quote_style);
            at += 1;
            if !matches!(self.tokens.get(at).map(|t| &t.token), Some(Token::Period)) {
                return Some((part, at));
            }
            at += 1;
        }
    }

    /// `CREATE TABLE [IF NOT EXISTS] child PARTITION OF parent [( … )] {FOR VALUES … | DEFAULT}`
    fn partition_of(&self) -> Option<Form> {
        if !self.starts_with(&["CREATE", "TABLE"]) {
            return None;
        }
        let mut at = 2;
        if self.is(2, "IF") {
            at = 5;
        }
        let (child, next) = self.name(at)?;
        if !(self.is(next, "PARTITION") && self.is(next + 1, "OF")) {
            return None;
        }
        let (parent, next) = self.name(next + 2)?;
        let bound = self.bound_from(next)?;
        Some(Form::Partition {
            parent,
            child,
            bound,
        })
    }

    /// `ALTER TABLE [ONLY] parent ATTACH PARTITION child {FOR VALUES … | DEFAULT}`
    fn attach_partition(&self) -> Option<Form> {
        if !self.starts_with(&["ALTER", "TABLE"]) {
            return None;
        }
        let at = if self.is(2, "ONLY") { 3 } else { 2 };
        let (parent, next) = self.name(at)?;
        if !(self.is(next, "ATTACH") && self.is(next + 1, "PARTITION")) {
            return None;
        }
        let (child, next) = self.name(next + 2)?;
        let bound = self.bound_from(next)?;
        Some(Form::Partition {
            parent,
            child,
            bound,
        })
    }

    /// The partition bound at or after token `from` (skipping a column list), to the end of
    /// the statement or a sub-partitioning `PARTITION BY`, with white space made single.
    fn bound_from(&self, from: usize) -> Option<String> {
        let start = (from..self.tokens.len())
            .find(|&i| (self.is(i, "FOR") && self.is(i + 1, "VALUES")) || self.is(i, "DEFAULT"))?;
        let end = (start..self.tokens.len())
            .find(|&i| self.is(i, "PARTITION") && self.is(i + 1, "BY"))
            .map_or(self.sql.len(), |i| self.offset(self.tokens[i].span.start));
        let text = &self.sql[self.offset(self.tokens[start].span.start)..end];
        Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// `ALTER TABLE [ONLY] t ALTER [COLUMN] c ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY …`
    fn identity(&self) -> Option<Form> {
        if !self.starts_with(&["ALTER", "TABLE"]) {
            return None;
        }
        let at = if self.is(2, "ONLY") { 3 } else { 2 };
        let (table, mut next) = self.name(at)?;
        if !self.is(next, "ALTER") {
            return None;
        }
        next += if self.is(next + 1, "COLUMN") { 2 } else { 1 };
        let (column, next) = self.name(next)?;
        if !(self.is(next, "ADD") && self.is(next + 1, "GENERATED")) {
            return None;
        }
        let kind = if self.is(next + 2, "ALWAYS") {
            Generated::IdentityAlways
        } else if self.is(next + 2, "BY") && self.is(next + 3, "DEFAULT") {
            Generated::IdentityByDefault
        } else {
            return None;
        };
        Some(Form::Identity {
            table,
            column,
            kind,
        })
    }

    /// `CREATE DOMAIN d AS type NOT NULL …`: the same statement without `NOT NULL`.
    fn domain_not_null(&self) -> Option<Form> {
        if !self.starts_with(&["CREATE", "DOMAIN"]) {
            return None;
        }
        let mut depth = 0i32;
        let at = (0..self.tokens.len()).find(|&i| {
            match self.tokens[i].token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            depth == 0 && self.is(i, "NOT") && self.is(i + 1, "NULL")
        })?;
        let cut = self.offset(self.tokens[at].span.start);
        let resume = self.offset(self.tokens[at + 1].span.end);
        Some(Form::NotNullDomain(format!(
            "{}{}",
            &self.sql[..cut],
            &self.sql[resume..]
        )))
    }

    fn irrelevant(&self) -> bool {
        IRRELEVANT.iter().any(|words| self.starts_with(words))
    }

    /// The byte offset of a token location (1-based line and character column).
    fn offset(&self, location: Location) -> usize {
        let mut offset = 0;
        for (i, line) in self.sql.split_inclusive('\n').enumerate() {
            if i + 1 == location.line as usize {
                return offset
                    + line
                        .char_indices()
                        .nth(location.column.saturating_sub(1) as usize)
                        .map_or(line.len(), |(b, _)| b);
            }
            offset += line.len();
        }
        self.sql.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_both_ways() {
        assert_eq!(
            recognize(
                "CREATE TABLE public.ev_2024 PARTITION OF public.ev\n  FOR VALUES FROM ('2024-01-01')  TO ('2025-01-01')"
            ),
            Some(Form::Partition {
                parent: "ev".into(),
                child: "ev_2024".into(),
                bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')".into()
            })
        );
        assert_eq!(
            recognize("ALTER TABLE ONLY public.ev ATTACH PARTITION public.\"Ev_Old\" DEFAULT"),
            Some(Form::Partition {
                parent: "ev".into(),
                child: "Ev_Old".into(),
                bound: "DEFAULT".into()
            })
        );
    }

    #[test]
    fn identity_added_later_and_domain_not_null() {
        assert_eq!(
            recognize(
                "ALTER TABLE public.t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (\n SEQUENCE NAME public.t_id_seq START WITH 1\n)"
            ),
            Some(Form::Identity {
                table: "t".into(),
                column: "id".into(),
                kind: Generated::IdentityByDefault
            })
        );
        assert_eq!(
            recognize("CREATE DOMAIN d AS integer NOT NULL CHECK ((VALUE > 0))"),
            Some(Form::NotNullDomain(
                "CREATE DOMAIN d AS integer  CHECK ((VALUE > 0))".into()
            ))
        );
        assert_eq!(
            recognize("CREATE RULE r AS ON INSERT TO t DO NOTHING"),
            Some(Form::Irrelevant)
        );
        assert_eq!(recognize("CREATE TABLE t (a int"), None);
    }
}
