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
/// name).
pub fn ddl_type(column: &Column) -> String {
    column.logical.sql_type()
}
