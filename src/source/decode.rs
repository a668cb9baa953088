//! Text to Arrow: turns the text form of a value (a CSV field, a Postgres COPY field) into a
//! typed Arrow array, one builder per column. CSV and Postgres share it, so both sources type
//! their values the same way.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder, Float32Builder,
    Float64Builder, Int16Builder, Int32Builder, Int64Builder, StringBuilder,
    Time64MicrosecondBuilder, TimestampMicrosecondBuilder,
};
use arrow::datatypes::DataType;

use crate::schema::LogicalType;
use crate::temporal;

#[derive(Debug, thiserror::Error)]
#[error("cannot read {value:?} as {expected}")]
pub struct DecodeError {
    pub value: String,
    pub expected: &'static str,
}

/// An Arrow builder for one column, fed text values.
pub(crate) enum ColumnDecoder {
    Bool(BooleanBuilder),
    Int16(Int16Builder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Float32(Float32Builder),
    Float64(Float64Builder),
    Decimal(Decimal128Builder, u8, i8),
    Date(Date32Builder),
    Time(Time64MicrosecondBuilder),
    Timestamp(TimestampMicrosecondBuilder),
    /// bytea's text form: `\x` and hex digits.
    Bytes(BinaryBuilder),
    Text(StringBuilder),
}

impl ColumnDecoder {
    pub fn new(logical: &LogicalType) -> Self {
        match logical.arrow_type() {
            DataType::Boolean => ColumnDecoder::Bool(BooleanBuilder::new()),
            DataType::Int16 => ColumnDecoder::Int16(Int16Builder::new()),
            DataType::Int32 => ColumnDecoder::Int32(Int32Builder::new()),
            DataType::Int64 => ColumnDecoder::Int64(Int64Builder::new()),
            DataType::Float32 => ColumnDecoder::Float32(Float32Builder::new()),
            DataType::Float64 => ColumnDecoder::Float64(Float64Builder::new()),
            DataType::Decimal128(p, s) => ColumnDecoder::Decimal(
                Decimal128Builder::new()
                    .with_precision_and_scale(p, s)
                    .expect("p <= 38"),
                p,
                s,
            ),
            DataType::Date32 => ColumnDecoder::Date(Date32Builder::new()),
            DataType::Time64(_) => ColumnDecoder::Time(Time64MicrosecondBuilder::new()),
            DataType::Timestamp(_, tz) => {
                ColumnDecoder::Timestamp(TimestampMicrosecondBuilder::new().with_timezone_opt(tz))
            }
            DataType::Binary => ColumnDecoder::Bytes(BinaryBuilder::new()),
            _ => ColumnDecoder::Text(StringBuilder::new()),
        }
    }

    pub fn push(&mut self, value: Option<&str>) -> Result<(), DecodeError> {
        let Some(v) = value else {
            self.push_null();
            return Ok(());
        };
        match self {
            ColumnDecoder::Bool(b) => {
                b.append_value(parse_bool(v).ok_or_else(|| fail(v, "boolean"))?)
            }
            ColumnDecoder::Int16(b) => {
                b.append_value(v.trim().parse().map_err(|_| fail(v, "smallint"))?)
            }
            ColumnDecoder::Int32(b) => {
                b.append_value(v.trim().parse().map_err(|_| fail(v, "integer"))?)
            }
            ColumnDecoder::Int64(b) => {
                b.append_value(v.trim().parse().map_err(|_| fail(v, "bigint"))?)
            }
            ColumnDecoder::Float32(b) => {
                b.append_value(parse_float(v).ok_or_else(|| fail(v, "real"))? as f32)
            }
            ColumnDecoder::Float64(b) => {
                b.append_value(parse_float(v).ok_or_else(|| fail(v, "double"))?)
            }
            ColumnDecoder::Decimal(b, p, s) => {
                b.append_value(parse_decimal(v, *p, *s).ok_or_else(|| fail(v, "numeric"))?)
            }
            ColumnDecoder::Date(b) => {
                b.append_value(temporal::parse_date(v).ok_or_else(|| fail(v, "date"))?)
            }
            ColumnDecoder::Time(b) => {
                b.append_value(temporal::parse_time(v).ok_or_else(|| fail(v, "time"))?)
            }
            ColumnDecoder::Timestamp(b) => {
                b.append_value(temporal::parse_timestamp(v).ok_or_else(|| fail(v, "timestamp"))?)
            }
            ColumnDecoder::Bytes(b) => {
                b.append_value(parse_bytea(v).ok_or_else(|| fail(v, "bytea"))?)
            }
            ColumnDecoder::Text(b) => b.append_value(v),
        }
        Ok(())
    }

    fn push_null(&mut self) {
        match self {
            ColumnDecoder::Bool(b) => b.append_null(),
            ColumnDecoder::Int16(b) => b.append_null(),
            ColumnDecoder::Int32(b) => b.append_null(),
            ColumnDecoder::Int64(b) => b.append_null(),
            ColumnDecoder::Float32(b) => b.append_null(),
            ColumnDecoder::Float64(b) => b.append_null(),
            ColumnDecoder::Decimal(b, ..) => b.append_null(),
            ColumnDecoder::Date(b) => b.append_null(),
            ColumnDecoder::Time(b) => b.append_null(),
            ColumnDecoder::Timestamp(b) => b.append_null(),
            ColumnDecoder::Bytes(b) => b.append_null(),
            ColumnDecoder::Text(b) => b.append_null(),
        }
    }

    /// The values pushed since the last call, as one array.
    pub fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnDecoder::Bool(b) => Arc::new(b.finish()),
            ColumnDecoder::Int16(b) => Arc::new(b.finish()),
            ColumnDecoder::Int32(b) => Arc::new(b.finish()),
            ColumnDecoder::Int64(b) => Arc::new(b.finish()),
            ColumnDecoder::Float32(b) => Arc::new(b.finish()),
            ColumnDecoder::Float64(b) => Arc::new(b.finish()),
            ColumnDecoder::Decimal(b, p, s) => Arc::new(
                b.finish()
                    .with_precision_and_scale(*p, *s)
                    .expect("validated when the builder was made"),
            ),
            ColumnDecoder::Date(b) => Arc::new(b.finish()),
            ColumnDecoder::Time(b) => Arc::new(b.finish()),
            ColumnDecoder::Timestamp(b) => Arc::new(b.finish()),
            ColumnDecoder::Bytes(b) => Arc::new(b.finish()),
            ColumnDecoder::Text(b) => Arc::new(b.finish()),
        }
    }
}

fn fail(value: &str, expected: &'static str) -> DecodeError {
    DecodeError {
        value: value.chars().take(40).collect(),
        expected,
    }
}

pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "t" | "true" | "TRUE" | "True" => Some(true),
        "f" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn parse_float(v: &str) -> Option<f64> {
    match v {
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => v.trim().parse().ok(),
    }
}

/// Parses `-123.4500` into the unscaled integer for `scale`, rounding half away from zero.
pub(crate) fn parse_decimal(v: &str, precision: u8, scale: i8) -> Option<i128> {
    let v = v.trim();
    let (negative, digits) = match v.as_bytes().first()? {
        b'-' => (true, &v[1..]),
        b'+' => (false, &v[1..]),
        _ => (false, v),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part
        .bytes()
        .chain(frac_part.bytes())
        .all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = scale.max(0) as usize;
    let mut unscaled: i128 = 0;
    for b in int_part
        .bytes()
        .chain(frac_part.bytes().chain(std::iter::repeat(b'0')).take(scale))
    {
        unscaled = unscaled.checked_mul(10)?.checked_add((b - b'0') as i128)?;
    }
    if frac_part.as_bytes().get(scale).is_some_and(|&d| d >= b'5') {
        unscaled += 1;
    }
    if unscaled >= 10i128.checked_pow(precision as u32)? {
        return None;
    }
    Some(if negative { -unscaled } else { unscaled })
}

/// `\x0f1e` to bytes. Works on bytes, not on `str` slices: a non-ASCII character after `\x`
/// must be an error, not a slice through the middle of a character.
fn parse_bytea(v: &str) -> Option<Vec<u8>> {
    let hex = v.strip_prefix("\\x")?.as_bytes();
    if hex.len() % 2 != 0 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16);
    hex.chunks_exact(2)
        .map(|pair| Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytea_with_non_ascii_is_an_error() {
        assert_eq!(parse_bytea("\\x0f \u{fffd} 12"), None);
        assert_eq!(parse_bytea("\\x0fA0"), Some(vec![0x0f, 0xa0]));
    }

    #[test]
    fn decimals_round_to_scale() {
        assert_eq!(parse_decimal("1.98", 10, 2), Some(198));
        assert_eq!(parse_decimal("-0.995", 10, 2), Some(-100));
        assert_eq!(parse_decimal("7", 10, 2), Some(700));
        assert_eq!(parse_decimal("12345678901", 10, 2), None);
        assert_eq!(parse_decimal("1.2.3", 10, 2), None);
        assert_eq!(parse_decimal("", 10, 2), None);
    }

    #[test]
    fn bytea_hex_decodes() {
        assert_eq!(parse_bytea("\\x00ff"), Some(vec![0, 255]));
        assert_eq!(parse_bytea("\\x"), Some(vec![]));
        assert_eq!(parse_bytea("00ff"), None);
    }
}
