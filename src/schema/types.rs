//! Logical column types: the closed set every source maps into and every sink maps out of.

use arrow::datatypes::{DataType, TimeUnit};
use serde::{Deserialize, Serialize};

/// What a column holds, independent of any one database's spelling of it.
/// Written as a map with its `kind` and parameters: `{kind: text, max_chars: 40}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LogicalType {
    Bool,
    Int16,
    Int32,
    Int64,
    Float32,
    Float64,
    /// `numeric(p,s)`. `precision: None` is an unconstrained `numeric`.
    Decimal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        precision: Option<u8>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scale: Option<i8>,
    },
    /// `text` or `varchar(n)`; `max_chars` is `n`.
    Text {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_chars: Option<u32>,
    },
    /// `char(n)`: blank-padded to exactly `n` characters.
    Char {
        chars: u32,
    },
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Json,
    Bytes,
    Inet,
    Enum {
        labels: Vec<String>,
    },
    Array {
        element: Box<LogicalType>,
    },
    /// PostgreSQL's `tsvector`: lexemes with positions, carried in its text form
    /// (`'fat':2 'rat':3`).
    #[serde(rename = "tsvector")]
    TsVector,
    /// A range of an element type (`int4range`, `daterange`, ...), carried in its text form
    /// (`[1,5)`, `empty`; see [`crate::schema::range_literal`]).
    Range {
        element: Box<LogicalType>,
    },
    /// A multirange (`int4multirange`, ...): a set of ranges, carried in its text form
    /// (`{[1,3),[6,10)}`).
    #[serde(rename = "multirange")]
    MultiRange {
        element: Box<LogicalType>,
    },
    /// `bit(n)` (exactly `length` bits) or `bit varying(n)` (at most `length`), carried as
    /// text of `0`s and `1`s.
    Bit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length: Option<u32>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        varying: bool,
    },
    /// `xml`, carried as text; generated values stay well-formed.
    Xml,
    /// The `hstore` extension's key/value pairs, carried in its text form
    /// (`"a"=>"1", "b"=>NULL`; see [`crate::schema::hstore_literal`]).
    Hstore,
    /// A type understudy does not model; its values are kept as text.
    Opaque,
}

impl LogicalType {
    /// The Arrow type that carries this column's values through the pipeline.
    pub fn arrow_type(&self) -> DataType {
        match self {
            LogicalType::Bool => DataType::Boolean,
            LogicalType::Int16 => DataType::Int16,
            LogicalType::Int32 => DataType::Int32,
            LogicalType::Int64 => DataType::Int64,
            LogicalType::Float32 => DataType::Float32,
            LogicalType::Float64 => DataType::Float64,
            LogicalType::Decimal {
                precision: Some(p),
                scale,
            } => decimal128(*p, scale.unwrap_or(0)).unwrap_or(DataType::Float64),
            LogicalType::Decimal { .. } => DataType::Float64,
            LogicalType::Date => DataType::Date32,
            LogicalType::Time => DataType::Time64(TimeUnit::Microsecond),
            LogicalType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, None),
            LogicalType::TimestampTz => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into()))
            }
            LogicalType::Bytes => DataType::Binary,
            LogicalType::Text { .. }
            | LogicalType::Char { .. }
            | LogicalType::Interval
            | LogicalType::Uuid
            | LogicalType::Json
            | LogicalType::Inet
            | LogicalType::Enum { .. }
            | LogicalType::Array { .. }
            | LogicalType::TsVector
            | LogicalType::Range { .. }
            | LogicalType::MultiRange { .. }
            | LogicalType::Bit { .. }
            | LogicalType::Xml
            | LogicalType::Hstore
            | LogicalType::Opaque => DataType::Utf8,
        }
    }

    /// The logical type for an Arrow type read from a self-describing file such as Parquet.
    pub fn from_arrow(data_type: &DataType) -> LogicalType {
        match data_type {
            DataType::Boolean => LogicalType::Bool,
            DataType::Int8 | DataType::Int16 | DataType::UInt8 => LogicalType::Int16,
            DataType::Int32 | DataType::UInt16 => LogicalType::Int32,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => LogicalType::Int64,
            DataType::Float16 | DataType::Float32 => LogicalType::Float32,
            DataType::Float64 => LogicalType::Float64,
            DataType::Decimal32(p, s)
            | DataType::Decimal64(p, s)
            | DataType::Decimal128(p, s)
            | DataType::Decimal256(p, s) => LogicalType::Decimal {
                precision: Some(*p),
                scale: Some(*s),
            },
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                LogicalType::Text { max_chars: None }
            }
            DataType::Binary
            | DataType::LargeBinary
            | DataType::BinaryView
            | DataType::FixedSizeBinary(_) => LogicalType::Bytes,
            DataType::Date32 | DataType::Date64 => LogicalType::Date,
            DataType::Time32(_) | DataType::Time64(_) => LogicalType::Time,
            DataType::Timestamp(_, None) => LogicalType::Timestamp,
            DataType::Timestamp(_, Some(_)) => LogicalType::TimestampTz,
            DataType::Interval(_) | DataType::Duration(_) => LogicalType::Interval,
            DataType::List(f) | DataType::LargeList(f) => LogicalType::Array {
                element: Box::new(LogicalType::from_arrow(f.data_type())),
            },
            DataType::FixedSizeList(f, _) => LogicalType::Array {
                element: Box::new(LogicalType::from_arrow(f.data_type())),
            },
            // Read as JSON text (see `source::nested`).
            DataType::Struct(_) | DataType::Map(..) => LogicalType::Json,
            DataType::Dictionary(_, value) => LogicalType::from_arrow(value),
            _ => LogicalType::Opaque,
        }
    }

    /// A PostgreSQL type name for this logical type, used by `--create` and by sources without
    /// type names of their own (CSV, Parquet).
    pub fn sql_type(&self) -> String {
        match self {
            LogicalType::Bool => "boolean".into(),
            LogicalType::Int16 => "smallint".into(),
            LogicalType::Int32 => "integer".into(),
            LogicalType::Int64 => "bigint".into(),
            LogicalType::Float32 => "real".into(),
            LogicalType::Float64 => "double precision".into(),
            LogicalType::Decimal {
                precision: Some(p),
                scale,
            } => format!("numeric({},{})", p, scale.unwrap_or(0)),
            LogicalType::Decimal { .. } => "numeric".into(),
            LogicalType::Text { max_chars: Some(n) } => format!("character varying({n})"),
            LogicalType::Text { max_chars: None } => "text".into(),
            LogicalType::Char { chars } => format!("character({chars})"),
            LogicalType::Date => "date".into(),
            LogicalType::Time => "time without time zone".into(),
            LogicalType::Timestamp => "timestamp without time zone".into(),
            LogicalType::TimestampTz => "timestamp with time zone".into(),
            LogicalType::Interval => "interval".into(),
            LogicalType::Uuid => "uuid".into(),
            LogicalType::Json => "jsonb".into(),
            LogicalType::Bytes => "bytea".into(),
            LogicalType::Inet => "inet".into(),
            LogicalType::Enum { .. } | LogicalType::Opaque => "text".into(),
            LogicalType::Array { element } => format!("{}[]", element.sql_type()),
            LogicalType::TsVector => "tsvector".into(),
            LogicalType::Range { element } => match range_name(element) {
                Some(name) => name.into(),
                None => "text".into(),
            },
            LogicalType::MultiRange { element } => match range_name(element) {
                Some(name) => name.replace("range", "multirange"),
                None => "text".into(),
            },
            LogicalType::Bit { length, varying } => {
                let base = if *varying { "bit varying" } else { "bit" };
                match length {
                    Some(n) => format!("{base}({n})"),
                    None => base.into(),
                }
            }
            LogicalType::Xml => "xml".into(),
            LogicalType::Hstore => "hstore".into(),
        }
    }

    /// Reads a SQL type name as PostgreSQL's `format_type` prints it (or a common alias), e.g.
    /// `character varying(40)`, `numeric(10,2)`, `timestamp(3) with time zone`, `integer[]`.
    /// `None` for names it doesn't know, such as enums and domains, which need the catalog.
    pub fn from_sql(name: &str) -> Option<LogicalType> {
        let name = name.trim().to_ascii_lowercase();
        if let Some(element) = name.strip_suffix("[]") {
            return Some(LogicalType::Array {
                element: Box::new(LogicalType::from_sql(element)?),
            });
        }
        let (base, args) = match name.split_once('(') {
            Some((base, rest)) => {
                let (args, tail) = rest.split_once(')')?;
                (
                    format!("{}{}", base.trim(), tail),
                    args.split(',')
                        .map(|a| a.trim().parse::<i64>().ok())
                        .collect(),
                )
            }
            None => (name.clone(), Vec::new()),
        };
        let arg = |i: usize| args.get(i).copied().flatten();
        Some(match base.trim() {
            "boolean" | "bool" => LogicalType::Bool,
            "smallint" | "int2" | "smallserial" | "serial2" => LogicalType::Int16,
            "integer" | "int" | "int4" | "serial" | "serial4" => LogicalType::Int32,
            "bigint" | "int8" | "bigserial" | "serial8" => LogicalType::Int64,
            "real" | "float4" => LogicalType::Float32,
            "double precision" | "float8" | "float" => LogicalType::Float64,
            // What `money` holds (PostgreSQL's int8 of cents, in the usual 2-digit locales)
            // without its locale's text form: sources read it as numeric.
            "money" => LogicalType::Decimal {
                precision: Some(18),
                scale: Some(2),
            },
            "numeric" | "decimal" => LogicalType::Decimal {
                precision: arg(0).map(|p| p.clamp(1, 255) as u8),
                scale: arg(0).map(|_| arg(1).unwrap_or(0).clamp(-128, 127) as i8),
            },
            "text" | "citext" | "name" => LogicalType::Text { max_chars: None },
            "character varying" | "varchar" => LogicalType::Text {
                max_chars: arg(0).map(|n| n as u32),
            },
            "character" | "char" | "bpchar" => LogicalType::Char {
                chars: arg(0).unwrap_or(1) as u32,
            },
            "date" => LogicalType::Date,
            "time" | "time without time zone" => LogicalType::Time,
            "timestamp" | "timestamp without time zone" => LogicalType::Timestamp,
            "timestamptz" | "timestamp with time zone" => LogicalType::TimestampTz,
            "interval" => LogicalType::Interval,
            "uuid" => LogicalType::Uuid,
            "json" | "jsonb" => LogicalType::Json,
            "bytea" => LogicalType::Bytes,
            "inet" | "cidr" => LogicalType::Inet,
            "tsvector" => LogicalType::TsVector,
            "bit" => LogicalType::Bit {
                length: Some(arg(0).unwrap_or(1) as u32),
                varying: false,
            },
            "bit varying" | "varbit" => LogicalType::Bit {
                length: arg(0).map(|n| n as u32),
                varying: true,
            },
            "xml" => LogicalType::Xml,
            "hstore" => LogicalType::Hstore,
            name => {
                let range = name.replace("multirange", "range");
                let element = Box::new(RANGES.iter().find(|(n, _)| *n == range)?.1.clone());
                if range == name {
                    LogicalType::Range { element }
                } else {
                    LogicalType::MultiRange { element }
                }
            }
        })
    }

    /// Whether a type name means more than its logical type, so the name is kept for the
    /// target: `money` (a decimal that prints with a currency) and `citext` (text compared
    /// without case).
    pub fn name_matters(name: &str) -> bool {
        matches!(name.trim(), "money" | "citext")
    }

    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            LogicalType::Int16 | LogicalType::Int32 | LogicalType::Int64
        )
    }

    /// A date, time or timestamp written as text, on the column's line: days since 1970 for
    /// dates, microseconds for times and timestamps. `None` for other types or bad text.
    pub fn parse_temporal(&self, text: &str) -> Option<f64> {
        use crate::temporal;
        match self {
            LogicalType::Date => temporal::parse_date(text).map(f64::from),
            LogicalType::Time => temporal::parse_time(text).map(|t| t as f64),
            LogicalType::Timestamp | LogicalType::TimestampTz => {
                temporal::parse_timestamp(text).map(|t| t as f64)
            }
            _ => None,
        }
    }

    pub fn is_numeric(&self) -> bool {
        self.is_integer()
            || matches!(
                self,
                LogicalType::Float32 | LogicalType::Float64 | LogicalType::Decimal { .. }
            )
    }

    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            LogicalType::Date
                | LogicalType::Time
                | LogicalType::Timestamp
                | LogicalType::TimestampTz
        )
    }

    /// Whether values are profiled as text (lengths, scripts, shapes).
    pub fn is_textual(&self) -> bool {
        matches!(self.arrow_type(), DataType::Utf8)
    }
}

/// PostgreSQL's built-in range types and their elements.
const RANGES: [(&str, LogicalType); 6] = [
    ("int4range", LogicalType::Int32),
    ("int8range", LogicalType::Int64),
    (
        "numrange",
        LogicalType::Decimal {
            precision: None,
            scale: None,
        },
    ),
    ("daterange", LogicalType::Date),
    ("tsrange", LogicalType::Timestamp),
    ("tstzrange", LogicalType::TimestampTz),
];

/// The range type over `element`, if PostgreSQL has one built in.
fn range_name(element: &LogicalType) -> Option<&'static str> {
    let element = match element {
        LogicalType::Decimal { .. } => &RANGES[2].1,
        other => other,
    };
    RANGES.iter().find(|(_, e)| e == element).map(|(n, _)| *n)
}

/// `numeric(p,s)` as an Arrow decimal, when one holds it. PostgreSQL 15 allows a scale above
/// the precision (`numeric(2,4)` holds 0.0012) and below zero; Arrow wants `s <= p`, so the
/// precision widens to the scale, which holds the same values.
fn decimal128(precision: u8, scale: i8) -> Option<DataType> {
    let width = precision.max(scale.max(0) as u8);
    (width <= 38 && scale >= -38).then_some(DataType::Decimal128(width, scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_above_the_precision_widens_the_arrow_precision() {
        let t = LogicalType::from_sql("numeric(2,4)").unwrap();
        assert_eq!(t.arrow_type(), DataType::Decimal128(4, 4));
        let wide = LogicalType::from_sql("numeric(10,60)").unwrap();
        assert_eq!(wide.arrow_type(), DataType::Float64);
    }

    #[test]
    fn decimal_maps_to_decimal128_and_back() {
        let t = LogicalType::Decimal {
            precision: Some(10),
            scale: Some(2),
        };
        assert_eq!(t.arrow_type(), DataType::Decimal128(10, 2));
        assert_eq!(LogicalType::from_arrow(&t.arrow_type()), t);
        assert_eq!(t.sql_type(), "numeric(10,2)");
    }

    #[test]
    fn unconstrained_numeric_travels_as_float() {
        let t = LogicalType::Decimal {
            precision: None,
            scale: None,
        };
        assert_eq!(t.arrow_type(), DataType::Float64);
        assert_eq!(t.sql_type(), "numeric");
    }

    #[test]
    fn sql_names_parse() {
        assert_eq!(
            LogicalType::from_sql("character varying(40)"),
            Some(LogicalType::Text {
                max_chars: Some(40)
            })
        );
        assert_eq!(
            LogicalType::from_sql("timestamp(3) with time zone"),
            Some(LogicalType::TimestampTz)
        );
        assert_eq!(
            LogicalType::from_sql("character(2)"),
            Some(LogicalType::Char { chars: 2 })
        );
        assert_eq!(
            LogicalType::from_sql("integer[]"),
            Some(LogicalType::Array {
                element: Box::new(LogicalType::Int32)
            })
        );
        assert_eq!(LogicalType::from_sql("mood"), None);
        assert_eq!(
            LogicalType::from_sql("bit varying(16)"),
            Some(LogicalType::Bit {
                length: Some(16),
                varying: true
            })
        );
        assert_eq!(
            LogicalType::from_sql("money").map(|t| t.arrow_type()),
            Some(DataType::Decimal128(18, 2))
        );
        for t in [
            LogicalType::Int16,
            LogicalType::Decimal {
                precision: Some(12),
                scale: Some(3),
            },
            LogicalType::Date,
            LogicalType::Range {
                element: Box::new(LogicalType::Date),
            },
            LogicalType::Range {
                element: Box::new(LogicalType::Int64),
            },
            LogicalType::MultiRange {
                element: Box::new(LogicalType::TimestampTz),
            },
            LogicalType::Bit {
                length: Some(8),
                varying: false,
            },
            LogicalType::Xml,
            LogicalType::Hstore,
        ] {
            assert_eq!(LogicalType::from_sql(&t.sql_type()), Some(t));
        }
    }
}
