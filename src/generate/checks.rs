//! CHECK constraints and partition bounds, parsed into limits the value generators obey.
//!
//! Expressions are parsed with sqlparser, never pattern-matched as strings. Understood:
//! comparisons with constants, BETWEEN, IN lists (also PostgreSQL's `= ANY (ARRAY[…])` form),
//! column-vs-column comparisons, IS NOT NULL, and AND of those. Anything else is reported as
//! not modeled so the user knows a row may violate it.

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Word};

/// A comparison operator, as `column OP value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Cmp {
    fn from_sql(op: &BinaryOperator) -> Option<Cmp> {
        Some(match op {
            BinaryOperator::Lt => Cmp::Lt,
            BinaryOperator::LtEq => Cmp::Le,
            BinaryOperator::Gt => Cmp::Gt,
            BinaryOperator::GtEq => Cmp::Ge,
            BinaryOperator::Eq => Cmp::Eq,
            _ => return None,
        })
    }

    /// The same relation with the operands swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::Le => Cmp::Ge,
            Cmp::Gt => Cmp::Lt,
            Cmp::Ge => Cmp::Le,
            Cmp::Eq => Cmp::Eq,
        }
    }
}

/// A constant in a check, before it is read as a number or date of its column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
}

/// What one check says about one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Compare(Cmp, Literal),
    OneOf(Vec<Literal>),
    NotNull,
}

/// `left OP right` between two columns of the same row.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub left: String,
    pub op: Cmp,
    pub right: String,
}

/// Everything a table's checks say, by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub rules: Vec<(String, Rule)>,
    pub relations: Vec<Relation>,
}

impl Constraints {
    /// Adds the rules of one CHECK expression. `value_column` names the column that `VALUE`
    /// stands for in a domain check. Returns an error describing what was not understood.
    pub fn add_check(
        &mut self,
        expression: &str,
        value_column: Option<&str>,
    ) -> Result<(), String> {
        let dialect = PostgreSqlDialect {};
        let expr = Parser::new(&dialect)
            .try_with_sql(expression)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| format!("cannot parse CHECK {expression}: {e}"))?;
        self.add_expr(&expr, value_column)
            .ok_or_else(|| format!("CHECK {expression} is not modeled"))
    }

    fn add_expr(&mut self, expr: &Expr, value_column: Option<&str>) -> Option<()> {
        match expr {
            Expr::Nested(inner) => self.add_expr(inner, value_column),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                self.add_expr(left, value_column)?;
                self.add_expr(right, value_column)
            }
            Expr::BinaryOp {
                op: BinaryOperator::Or,
                ..
            } => self.add_optional(expr, value_column),
            Expr::BinaryOp { left, op, right } => {
                let op = Cmp::from_sql(op)?;
                match (column(left, value_column), column(right, value_column)) {
                    (Some(l), Some(r)) => self.relations.push(Relation {
                        left: l,
                        op,
                        right: r,
                    }),
                    (Some(c), None) => self.rules.push((c, Rule::Compare(op, literal(right)?))),
                    (None, Some(c)) => self
                        .rules
                        .push((c, Rule::Compare(op.flipped(), literal(left)?))),
                    (None, None) => return None,
                }
                Some(())
            }
            Expr::Between {
                expr,
                negated: false,
                low,
                high,
            } => {
                let c = column(expr, value_column)?;
                self.rules
                    .push((c.clone(), Rule::Compare(Cmp::Ge, literal(low)?)));
                self.rules.push((c, Rule::Compare(Cmp::Le, literal(high)?)));
                Some(())
            }
            Expr::InList {
                expr,
                list,
                negated: false,
            } => {
                let c = column(expr, value_column)?;
                let values = list.iter().map(literal).collect::<Option<Vec<_>>>()?;
                self.rules.push((c, Rule::OneOf(values)));
                Some(())
            }
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } => {
                let c = column(left, value_column)?;
                let Expr::Array(array) = strip(right) else {
                    return None;
                };
                let values = array.elem.iter().map(literal).collect::<Option<Vec<_>>>()?;
                self.rules.push((c, Rule::OneOf(values)));
                Some(())
            }
            Expr::IsNotNull(inner) => {
                self.rules
                    .push((column(inner, value_column)?, Rule::NotNull));
                Some(())
            }
            _ => None,
        }
    }
}

impl Constraints {
    /// `c IS NULL OR condition`: the condition binds the rows where `c` is present, which are
    /// the rows a generated rule binds anyway, so it is kept as it stands. Understood when,
    /// besides the `IS NULL` branches, one understood condition remains and every column it
    /// limits is one of theirs (for a comparison of two columns, one side is). Any other OR is
    /// not modeled: keeping one branch would hold, but would force every row into it.
    fn add_optional(&mut self, expr: &Expr, value_column: Option<&str>) -> Option<()> {
        let mut branches = Vec::new();
        or_branches(expr, &mut branches);
        let mut optional = Vec::new();
        let mut conditions = Vec::new();
        for branch in branches {
            match strip(branch) {
                Expr::IsNull(inner) => optional.push(column(inner, value_column)?),
                other => conditions.push(other),
            }
        }
        let [condition] = conditions[..] else {
            return None;
        };
        let mut found = Constraints::default();
        found.add_expr(condition, value_column)?;
        let limited = |c: &String| optional.contains(c);
        let covered = found
            .rules
            .iter()
            .all(|(c, rule)| limited(c) && *rule != Rule::NotNull)
            && found
                .relations
                .iter()
                .all(|r| limited(&r.left) || limited(&r.right));
        if !covered {
            return None;
        }
        self.rules.extend(found.rules);
        self.relations.extend(found.relations);
        Some(())
    }
}

/// The branches of `a OR b OR …`, through parentheses.
fn or_branches<'e>(expr: &'e Expr, into: &mut Vec<&'e Expr>) {
    match strip(expr) {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => {
            or_branches(left, into);
            or_branches(right, into);
        }
        other => into.push(other),
    }
}

/// The columns of `columns` that an SQL expression names (a CHECK, an index definition, a
/// generated column's expression), read from sqlparser's tokens. An expression that cannot be
/// tokenized names them all: callers use this to stay away from columns, so unknown means all.
pub fn mentioned_columns<'c>(expression: &str, columns: &'c [String]) -> Vec<&'c String> {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, expression).tokenize() else {
        return columns.iter().collect();
    };
    let words: Vec<Word> = tokens
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w),
            _ => None,
        })
        .collect();
    columns
        .iter()
        .filter(|c| {
            words.iter().any(|w| match w.quote_style {
                Some(_) => w.value == **c,
                None => w.value.eq_ignore_ascii_case(c),
            })
        })
        .collect()
}

/// Reads a partition bound such as `FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')` or
/// `FOR VALUES IN ('a', 'b')`; `None` for DEFAULT, HASH and anything else.
pub fn partition_bound(bound: &str) -> Option<PartitionBound> {
    let rest = bound.trim().strip_prefix("FOR VALUES")?.trim();
    let dialect = PostgreSqlDialect {};
    let parse = |list: &str| -> Option<Vec<Option<Literal>>> {
        let exprs = Parser::new(&dialect)
            .try_with_sql(list)
            .ok()?
            .parse_comma_separated(|p| p.parse_expr())
            .ok()?;
        Some(exprs.iter().map(literal).collect())
    };
    if let Some(list) = rest.strip_prefix("IN") {
        let inner = strip_parens(list.trim())?;
        return Some(PartitionBound::List(
            parse(inner)?.into_iter().flatten().collect(),
        ));
    }
    let from_to = rest.strip_prefix("FROM")?;
    let (from, to) = from_to.split_once(") TO (")?;
    let from = parse(from.trim().strip_prefix('(')?)?;
    let to = parse(to.trim().strip_suffix(')')?)?;
    Some(PartitionBound::Range {
        from: from.into_iter().next().flatten(),
        to: to.into_iter().next().flatten(),
    })
}

/// The column of a partition key such as `RANGE (at)` or `LIST (region)`; `None` for
/// expressions and multi-column keys.
pub fn partition_column(key: &str) -> Option<String> {
    let (_, columns) = key.split_once('(')?;
    let column = columns.strip_suffix(')')?.trim();
    let plain = !column.is_empty() && !column.contains([',', '(', ' ']);
    plain.then(|| column.trim_matches('"').to_string())
}

/// The values one partition accepts on its key.
#[derive(Debug, Clone, PartialEq)]
pub enum PartitionBound {
    /// `FROM (from) TO (to)`; `None` is MINVALUE or MAXVALUE.
    Range {
        from: Option<Literal>,
        to: Option<Literal>,
    },
    List(Vec<Literal>),
}

fn strip_parens(s: &str) -> Option<&str> {
    s.strip_prefix('(')?.strip_suffix(')')
}

/// Looks through parentheses and casts (`(0)::numeric`, `'a'::text`).
fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => strip(inner),
        Expr::Cast { expr, .. } => strip(expr),
        other => other,
    }
}

fn column(expr: &Expr, value_column: Option<&str>) -> Option<String> {
    let name = match strip(expr) {
        Expr::Identifier(ident) => ident.value.clone(),
        Expr::CompoundIdentifier(parts) => parts.last()?.value.clone(),
        _ => return None,
    };
    match value_column {
        Some(column) if name.eq_ignore_ascii_case("value") => Some(column.to_string()),
        _ => Some(name),
    }
}

fn literal(expr: &Expr) -> Option<Literal> {
    match strip(expr) {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok().map(Literal::Number),
            Value::SingleQuotedString(s) => Some(Literal::Text(s.clone())),
            Value::Boolean(b) => Some(Literal::Text(b.to_string())),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal(expr)? {
            Literal::Number(n) => Some(Literal::Number(-n)),
            Literal::Text(_) => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(expression: &str) -> Constraints {
        let mut c = Constraints::default();
        c.add_check(expression, Some("amount")).unwrap();
        c
    }

    #[test]
    fn reads_postgres_check_definitions() {
        let c = parsed("((price >= (0)::numeric) AND (price < 1000.5))");
        assert_eq!(
            c.rules,
            vec![
                ("price".into(), Rule::Compare(Cmp::Ge, Literal::Number(0.0))),
                (
                    "price".into(),
                    Rule::Compare(Cmp::Lt, Literal::Number(1000.5))
                ),
            ]
        );
        let c = parsed("((status)::text = ANY ((ARRAY['new'::character varying, 'paid'::character varying])::text[]))");
        assert_eq!(
            c.rules,
            vec![(
                "status".into(),
                Rule::OneOf(vec![
                    Literal::Text("new".into()),
                    Literal::Text("paid".into())
                ])
            )]
        );
        let c = parsed("((shipped_at >= ordered_at))");
        assert_eq!(c.relations[0].left, "shipped_at");
        let c = parsed("((VALUE > 0))");
        assert_eq!(
            c.rules,
            vec![(
                "amount".into(),
                Rule::Compare(Cmp::Gt, Literal::Number(0.0))
            )]
        );
        let c = parsed("(5 < n) AND n BETWEEN -1 AND 10 AND kind IN ('a', 'b')");
        assert_eq!(c.rules.len(), 4);
        assert_eq!(
            c.rules[0],
            ("n".into(), Rule::Compare(Cmp::Gt, Literal::Number(5.0)))
        );
        assert_eq!(
            c.rules[1],
            ("n".into(), Rule::Compare(Cmp::Ge, Literal::Number(-1.0)))
        );
    }

    #[test]
    fn says_what_it_does_not_model() {
        for check in [
            "(lower(email) <> email)",
            "((a > 0) OR (b > 0))",
            "((a IS NULL) OR (b > 0))",
            "((a IS NULL) OR (a > 0) OR (a < -5))",
        ] {
            let mut c = Constraints::default();
            let err = c.add_check(check, None).unwrap_err();
            assert!(err.contains("not modeled"), "{check}: {err}");
        }
    }

    #[test]
    fn a_condition_on_an_optional_column_binds_where_it_is_present() {
        let c = parsed("((ended_on IS NULL) OR (ended_on > started_on))");
        assert_eq!(c.relations.len(), 1);
        assert_eq!(
            (c.relations[0].left.as_str(), c.relations[0].op),
            ("ended_on", Cmp::Gt)
        );
        let c = parsed("discount IS NULL OR discount BETWEEN 0 AND 1");
        assert_eq!(c.rules.len(), 2);
        let c = parsed("(VALUE IS NULL OR VALUE >= 0) AND kind IN ('a')");
        assert_eq!(
            c.rules,
            vec![
                (
                    "amount".into(),
                    Rule::Compare(Cmp::Ge, Literal::Number(0.0))
                ),
                ("kind".into(), Rule::OneOf(vec![Literal::Text("a".into())])),
            ]
        );
    }

    #[test]
    fn finds_the_columns_an_expression_names() {
        let columns: Vec<String> = ["email", "Name", "total"].map(String::from).to_vec();
        let named = |e: &str| mentioned_columns(e, &columns);
        assert_eq!(
            named("USING btree (lower(email)) WHERE (total > 0)"),
            ["email", "total"]
        );
        assert_eq!(named("(\"Name\" <> '')"), ["Name"]);
        assert!(
            named("(\"name\" <> '')").is_empty(),
            "a quoted name keeps its case"
        );
        assert_eq!(named("'unclosed").len(), 3, "unreadable means every column");
    }

    #[test]
    fn reads_partition_bounds() {
        assert_eq!(
            partition_bound("FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
            Some(PartitionBound::Range {
                from: Some(Literal::Text("2024-01-01".into())),
                to: Some(Literal::Text("2025-01-01".into())),
            })
        );
        assert_eq!(
            partition_bound("FOR VALUES FROM (MINVALUE) TO (100)"),
            Some(PartitionBound::Range {
                from: None,
                to: Some(Literal::Number(100.0))
            })
        );
        assert_eq!(
            partition_bound("FOR VALUES IN ('x', 'y')"),
            Some(PartitionBound::List(vec![
                Literal::Text("x".into()),
                Literal::Text("y".into())
            ]))
        );
        assert_eq!(partition_bound("DEFAULT"), None);
        assert_eq!(partition_column("RANGE (at)"), Some("at".into()));
        assert_eq!(partition_column("LIST (\"Region\")"), Some("Region".into()));
        assert_eq!(partition_column("RANGE (a, b)"), None);
    }
}
