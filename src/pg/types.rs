//! PostgreSQL's spelling of understudy's types, in one place: how a column is read out of COPY,
//! which binary encoding loads a generated Arrow column into a target column, the type
//! `--create` declares, and the type name a Parquet file carries so that a profile of it reads
//! the same types back. A new type is added here (and as a [`LogicalType`]), nowhere else.

use arrow::datatypes::DataType;

use crate::schema::{Column, LogicalType};

/// The Parquet field metadata key holding a column's PostgreSQL type name.
pub const PG_TYPE_KEY: &str = "pg_type";

/// How one target column's values are written.
#[derive(Debug, Clone, PartialEq)]
pub enum Encoding {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    /// `numeric`, rounded to the target's scale when it has one.
    Numeric(Option<i8>),
    /// text, varchar, char, enum labels, json.
    Text,
    Jsonb,
    Uuid,
    Date,
    Time,
    Timestamp,
    Interval,
    Inet,
    Bytea,
    /// A one-dimensional array from its literal (`{1,2,NULL}`): the element type's OID (read
    /// from the target's catalog) and the elements' own encoding.
    Array(u32, Box<Encoding>),
    /// `tsvector` from its text form.
    TsVector,
    /// `money` from a decimal: an int8 of hundredths.
    Money,
    /// A range from its literal (`[1,5)`): flags, then each finite bound in the element's own
    /// encoding.
    Range(Box<Encoding>),
    /// A multirange from its literal (`{[1,3),[6,10)}`): the range count, then each range.
    MultiRange(Box<Encoding>),
    /// `bit(n)` and `bit varying(n)` from `0101` text: the bit count, then the bits.
    Bit,
    /// `hstore` from its literal: the pair count, then each key and value.
    Hstore,
}

impl Encoding {
    /// The encoding for a target column, if values of `from` can be written into it.
    pub fn for_target(
        target: &LogicalType,
        source_type: &str,
        from: &DataType,
    ) -> Option<Encoding> {
        let numeric = from.is_numeric() || matches!(from, DataType::Decimal128(..));
        let utf8 = *from == DataType::Utf8;
        let encoding = match target {
            LogicalType::Bool if *from == DataType::Boolean => Encoding::Bool,
            LogicalType::Int16 if numeric => Encoding::Int2,
            LogicalType::Int32 if numeric => Encoding::Int4,
            LogicalType::Int64 if numeric => Encoding::Int8,
            LogicalType::Float32 if numeric => Encoding::Float4,
            LogicalType::Float64 if numeric => Encoding::Float8,
            LogicalType::Decimal { .. } if numeric && source_type == "money" => Encoding::Money,
            LogicalType::Decimal { scale, .. } if numeric => Encoding::Numeric(*scale),
            LogicalType::Json if source_type == "jsonb" && utf8 => Encoding::Jsonb,
            LogicalType::Text { .. } | LogicalType::Char { .. } => Encoding::Text,
            LogicalType::Enum { .. } | LogicalType::Json if utf8 => Encoding::Text,
            LogicalType::Uuid if utf8 => Encoding::Uuid,
            LogicalType::Date if *from == DataType::Date32 => Encoding::Date,
            LogicalType::Time if matches!(from, DataType::Time64(_)) => Encoding::Time,
            LogicalType::Timestamp | LogicalType::TimestampTz
                if matches!(from, DataType::Timestamp(..) | DataType::Date32) =>
            {
                Encoding::Timestamp
            }
            LogicalType::Interval if utf8 => Encoding::Interval,
            LogicalType::Inet if utf8 => Encoding::Inet,
            LogicalType::Bytes if *from == DataType::Binary => Encoding::Bytea,
            LogicalType::TsVector if utf8 => Encoding::TsVector,
            LogicalType::Xml if utf8 => Encoding::Text,
            LogicalType::Bit { .. } if utf8 => Encoding::Bit,
            LogicalType::Hstore if utf8 => Encoding::Hstore,
            LogicalType::Range { element } if utf8 => Encoding::Range(Box::new(
                Encoding::for_target(element, "", &element.arrow_type())?,
            )),
            LogicalType::MultiRange { element } if utf8 => Encoding::MultiRange(Box::new(
                Encoding::for_target(element, "", &element.arrow_type())?,
            )),
            LogicalType::Array { element } if utf8 => {
                let element_sql = source_type.strip_suffix("[]").unwrap_or(source_type);
                let element_encoding =
                    Encoding::for_target(element, element_sql, &element.arrow_type())?;
                Encoding::Array(0, Box::new(element_encoding))
            }
            _ => return None,
        };
        Some(encoding)
    }
}

/// The type `--create` declares for a column (enums are created by the sink, under their own
/// name): the source's own name when it means the same logical type (`citext`, `money`,
/// `timestamp(3) without time zone`) or is a type understudy does not model, so the target
/// looks like the source; else the logical type's name. Serial names are left to the identity
/// and serial handling of `CREATE TABLE`.
pub fn ddl_type(column: &Column) -> String {
    let source = column.source_type.as_str();
    let same = LogicalType::from_sql(source).as_ref() == Some(&column.logical);
    let opaque = column.logical == LogicalType::Opaque && !source.is_empty();
    if (same || opaque) && !source.contains("serial") {
        source.to_string()
    } else {
        column.logical.sql_type()
    }
}

/// The extensions that provide column types the source used, which `--create` installs.
pub fn extensions<'a>(columns: impl IntoIterator<Item = &'a Column>) -> Vec<&'static str> {
    let mut needed: Vec<&'static str> = columns
        .into_iter()
        .filter_map(|c| {
            let base = c.source_type.trim_end_matches("[]");
            ["citext", "hstore"].into_iter().find(|e| *e == base)
        })
        .collect();
    needed.sort_unstable();
    needed.dedup();
    needed
}

/// How the source selects a column for COPY's text format: as itself, or cast to a form whose
/// text does not depend on the server's settings (`money` prints in the `lc_monetary` locale,
/// `$1,234.50`; as numeric it prints `1234.50`).
pub fn select_expr(column: &Column) -> String {
    let name = super::quote_ident(&column.name);
    if column.source_type == "money" {
        format!("{name}::numeric")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_columns_keep_the_source_type_when_it_means_the_same() {
        let column = |logical: LogicalType, source: &str| Column {
            source_type: source.into(),
            ..Column::new("c", logical, true)
        };
        let text = LogicalType::Text { max_chars: None };
        assert_eq!(ddl_type(&column(text.clone(), "citext")), "citext");
        assert_eq!(ddl_type(&column(text.clone(), "")), "text");
        assert_eq!(ddl_type(&column(LogicalType::Opaque, "point")), "point");
        assert_eq!(ddl_type(&column(LogicalType::Int32, "serial")), "integer");
        let money = LogicalType::from_sql("money").unwrap();
        assert_eq!(ddl_type(&column(money.clone(), "money")), "money");
        assert_eq!(
            ddl_type(&column(money, "numeric(18,2)")),
            "numeric(18,2)",
            "a numeric column is no money column"
        );
        assert_eq!(
            extensions([&column(text.clone(), "citext"), &column(text, "citext[]")]),
            ["citext"]
        );
    }
}
