//! PostgreSQL's COPY formats: the binary format the sink writes (the file header, and each
//! Arrow column encoded as the target column's type expects it, which may differ from the
//! profile's: an integer profile column can load into a `numeric` target), and the text
//! format's escapes, which the source reads.

use arrow::array::{Array, ArrayRef, AsArray, BinaryArray, Decimal128Array};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, Date32Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Time64MicrosecondType, TimestampMicrosecondType,
};

use std::sync::Arc;

use arrow::array::StringArray;

use super::types::Encoding;
use crate::schema::{array_literal, hstore_literal, range_literal};
use crate::temporal;

/// `PGCOPY\n\377\r\n\0`, no flags, no header extension.
pub const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
pub const TRAILER: &[u8] = &[0xff, 0xff];

/// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;
const PG_EPOCH_MICROS: i64 = PG_EPOCH_DAYS * 86_400_000_000;

/// Appends row `row` of `array` as one binary COPY field (length-prefixed, -1 for NULL).
/// Fails with a description when a value doesn't fit the target type.
pub fn encode(
    encoding: &Encoding,
    array: &ArrayRef,
    row: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    if array.is_null(row) {
        out.extend_from_slice(&(-1i32).to_be_bytes());
        return Ok(());
    }
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    match encoding {
        Encoding::Bool => out.push(array.as_boolean().value(row) as u8),
        Encoding::Int2 => {
            let v = integer(array, row)?;
            out.extend_from_slice(
                &i16::try_from(v)
                    .map_err(|_| out_of_range(v, "smallint"))?
                    .to_be_bytes(),
            )
        }
        Encoding::Int4 => {
            let v = integer(array, row)?;
            out.extend_from_slice(
                &i32::try_from(v)
                    .map_err(|_| out_of_range(v, "integer"))?
                    .to_be_bytes(),
            )
        }
        Encoding::Int8 => out.extend_from_slice(&integer(array, row)?.to_be_bytes()),
        Encoding::Float4 => out.extend_from_slice(&(float(array, row) as f32).to_be_bytes()),
        Encoding::Float8 => out.extend_from_slice(&float(array, row).to_be_bytes()),
        Encoding::Numeric(scale) => {
            let (unscaled, s) = decimal(array, row, *scale);
            write_numeric(unscaled, s, out);
        }
        Encoding::Text => text(array, row, out),
        Encoding::Jsonb => {
            out.push(1);
            text(array, row, out);
        }
        Encoding::Uuid => {
            let s = array.as_string::<i32>().value(row);
            out.extend_from_slice(&parse_uuid(s).ok_or_else(|| format!("{s:?} is not a UUID"))?);
        }
        Encoding::Date => {
            let days = array.as_primitive::<Date32Type>().value(row) as i64 - PG_EPOCH_DAYS;
            out.extend_from_slice(&(days as i32).to_be_bytes());
        }
        Encoding::Time => out.extend_from_slice(
            &array
                .as_primitive::<Time64MicrosecondType>()
                .value(row)
                .to_be_bytes(),
        ),
        Encoding::Timestamp => {
            let micros = match array.data_type() {
                DataType::Date32 => {
                    array.as_primitive::<Date32Type>().value(row) as i64 * 86_400_000_000
                }
                _ => array.as_primitive::<TimestampMicrosecondType>().value(row),
            };
            out.extend_from_slice(&(micros - PG_EPOCH_MICROS).to_be_bytes());
        }
        Encoding::Interval => {
            let s = array.as_string::<i32>().value(row);
            let interval =
                temporal::parse_interval(s).ok_or_else(|| format!("{s:?} is not an interval"))?;
            out.extend_from_slice(&interval.micros.to_be_bytes());
            out.extend_from_slice(&interval.days.to_be_bytes());
            out.extend_from_slice(&interval.months.to_be_bytes());
        }
        Encoding::Money => {
            let (cents, _) = decimal(array, row, Some(2));
            let cents =
                i64::try_from(cents).map_err(|_| format!("{cents} is out of range for money"))?;
            out.extend_from_slice(&cents.to_be_bytes());
        }
        Encoding::Range(element) => write_range(element, array.as_string::<i32>().value(row), out)?,
        Encoding::MultiRange(element) => {
            write_multirange(element, array.as_string::<i32>().value(row), out)?
        }
        Encoding::Bit => write_bits(array.as_string::<i32>().value(row), out)?,
        Encoding::Hstore => write_hstore(array.as_string::<i32>().value(row), out)?,
        Encoding::Inet => {
            let s = array.as_string::<i32>().value(row);
            let ip: std::net::Ipv4Addr = s
                .parse()
                .map_err(|_| format!("{s:?} is not an IPv4 address"))?;
            out.extend_from_slice(&[2, 32, 0, 4]);
            out.extend_from_slice(&ip.octets());
        }
        Encoding::Bytea => out.extend_from_slice(
            array
                .as_any()
                .downcast_ref::<BinaryArray>()
                .expect("checked by for_target")
                .value(row),
        ),
        Encoding::TsVector => write_tsvector(array.as_string::<i32>().value(row), out)?,
        Encoding::Array(oid, element) => {
            let literal = array.as_string::<i32>().value(row);
            write_array(*oid, element, literal, out)?;
        }
    }
    let len = (out.len() - at - 4) as i32;
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// The binary array format: dimensions (none for an empty array), a has-NULL flag, the
/// element OID, the size and lower bound (1), then each element as a field of its own type.
fn write_array(
    oid: u32,
    element: &Encoding,
    literal: &str,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let elements = array_literal::parse(literal);
    let has_null = elements.iter().any(Option::is_none);
    let dims = i32::from(!elements.is_empty());
    for v in [dims, i32::from(has_null)] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&oid.to_be_bytes());
    if elements.is_empty() {
        return Ok(());
    }
    out.extend_from_slice(&(elements.len() as i32).to_be_bytes());
    out.extend_from_slice(&1i32.to_be_bytes());
    write_elements(element, elements, "array element", literal, out)
}

/// `tsvector`'s binary form: the lexeme count, then per lexeme its text (NUL-terminated), its
/// position count and positions (14 bits of position, 2 of weight: A = 3 … D = 0). The server
/// sorts and merges lexemes itself.
fn write_tsvector(text: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let lexemes = parse_tsvector(text).ok_or_else(|| format!("{text:?} is not a tsvector"))?;
    out.extend_from_slice(&(lexemes.len() as i32).to_be_bytes());
    for (lexeme, positions) in lexemes {
        out.extend_from_slice(lexeme.as_bytes());
        out.push(0);
        out.extend_from_slice(&(positions.len() as u16).to_be_bytes());
        for p in positions {
            out.extend_from_slice(&p.to_be_bytes());
        }
    }
    Ok(())
}

/// `'fat':2A,4 'rat'` → lexemes with their encoded positions. Quotes double inside a lexeme.
fn parse_tsvector(text: &str) -> Option<Vec<(String, Vec<u16>)>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(first) = chars.next() else {
            return Some(out);
        };
        let mut lexeme = String::new();
        if first == '\'' {
            loop {
                match chars.next()? {
                    '\'' if chars.next_if_eq(&'\'').is_some() => lexeme.push('\''),
                    '\'' => break,
                    '\\' => lexeme.push(chars.next()?),
                    c => lexeme.push(c),
                }
            }
        } else {
            lexeme.push(first);
            while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != ':') {
                lexeme.push(c);
            }
        }
        let mut positions = Vec::new();
        if chars.next_if_eq(&':').is_some() {
            let mut spec = String::new();
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                spec.push(c);
            }
            for p in spec.split(',') {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                let weight = match p[digits.len()..].to_ascii_uppercase().as_str() {
                    "A" => 3,
                    "B" => 2,
                    "C" => 1,
                    _ => 0,
                };
                let position = digits.parse::<u16>().ok()?.min(16_383);
                positions.push(weight << 14 | position);
            }
        }
        out.push((lexeme, positions));
    }
}

/// The Arrow type an element's text is read into before it is encoded (`None`: as text).
fn element_arrow_type(element: &Encoding) -> Option<DataType> {
    Some(match element {
        Encoding::Bool => DataType::Boolean,
        Encoding::Int2 | Encoding::Int4 | Encoding::Int8 => DataType::Int64,
        Encoding::Float4 | Encoding::Float8 | Encoding::Numeric(_) => DataType::Float64,
        Encoding::Date => DataType::Date32,
        Encoding::Time => DataType::Time64(arrow::datatypes::TimeUnit::Microsecond),
        Encoding::Timestamp => DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, None),
        _ => return None,
    })
}

fn out_of_range(v: i64, type_name: &str) -> String {
    format!("{v} is out of range for {type_name}")
}

fn integer(array: &ArrayRef, row: usize) -> Result<i64, String> {
    Ok(match array.data_type() {
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row) as i64,
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row) as i64,
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row),
        _ => float(array, row).round() as i64,
    })
}

fn float(array: &ArrayRef, row: usize) -> f64 {
    match array.data_type() {
        DataType::Int16 => array.as_primitive::<Int16Type>().value(row) as f64,
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row) as f64,
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row) as f64,
        DataType::Float32 => array.as_primitive::<Float32Type>().value(row) as f64,
        DataType::Decimal128(_, s) => {
            let d = array
                .as_any()
                .downcast_ref::<Decimal128Array>()
                .expect("decimal");
            d.value(row) as f64 / 10f64.powi(*s as i32)
        }
        _ => array.as_primitive::<Float64Type>().value(row),
    }
}

/// The value as (unscaled, scale), rounded to `target_scale` when given.
fn decimal(array: &ArrayRef, row: usize, target_scale: Option<i8>) -> (i128, i8) {
    let (unscaled, scale) = match array.data_type() {
        DataType::Decimal128(_, s) => {
            let d = array
                .as_any()
                .downcast_ref::<Decimal128Array>()
                .expect("decimal");
            (d.value(row), *s)
        }
        DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            (integer(array, row).unwrap_or(0) as i128, 0)
        }
        _ => {
            let v = float(array, row);
            let s = target_scale.unwrap_or(6).clamp(0, 15);
            ((v * 10f64.powi(s as i32)).round() as i128, s)
        }
    };
    match target_scale {
        Some(t) if t < scale => {
            let factor = 10i128.pow((scale - t) as u32);
            let rounded = (unscaled + unscaled.signum() * factor / 2) / factor;
            (rounded, t)
        }
        _ => (unscaled, scale),
    }
}

/// PostgreSQL's `numeric` wire form: base-10000 digit groups aligned on the decimal point,
/// with a weight (the exponent of the first group), sign and display scale. Built from the
/// decimal digits in a fixed array, without allocating.
fn write_numeric(unscaled: i128, scale: i8, out: &mut Vec<u8>) {
    let scale = scale.max(0) as i32;
    // digits[p] is the digit worth 10^(p - scale), least significant first.
    let mut digits = [0u8; 40];
    let (mut n, mut len) = (unscaled.unsigned_abs(), 0usize);
    while n > 0 {
        digits[len] = (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    let digit = |exponent: i32| -> i16 {
        usize::try_from(exponent + scale)
            .ok()
            .filter(|&p| p < len)
            .map_or(0, |p| digits[p] as i16)
    };
    // Group g holds the digits worth 10^(4g) to 10^(4g+3).
    let group = |g: i32| {
        (0..4)
            .map(|k| digit(4 * g + k) * 10i16.pow(k as u32))
            .sum::<i16>()
    };
    let (top, mut bottom) = if len == 0 {
        (0, 1)
    } else {
        (
            (len as i32 - 1 - scale).div_euclid(4),
            (-scale).div_euclid(4),
        )
    };
    while bottom <= top && group(bottom) == 0 {
        bottom += 1;
    }
    let count = (top - bottom + 1).max(0);
    let weight = if count == 0 { 0 } else { top as i16 };
    let sign: u16 = if unscaled < 0 && count > 0 { 0x4000 } else { 0 };
    out.extend_from_slice(&(count as i16).to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&(scale as u16).to_be_bytes());
    for g in (bottom..=top).rev() {
        out.extend_from_slice(&group(g).to_be_bytes());
    }
}

/// The column as [`encode`] reads it: a text target gets non-text values as strings, converted
/// once per batch rather than once per value.
pub fn prepare(encoding: &Encoding, array: &ArrayRef) -> Result<ArrayRef, String> {
    match encoding {
        Encoding::Text | Encoding::Jsonb if *array.data_type() != DataType::Utf8 => {
            cast(array, &DataType::Utf8).map_err(|e| e.to_string())
        }
        _ => Ok(array.clone()),
    }
}

fn text(array: &ArrayRef, row: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(array.as_string::<i32>().value(row).as_bytes());
}
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let hex: Vec<u8> = s.bytes().filter(|&b| b != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// A multirange's binary form: the range count, then each range length-prefixed in its own
/// binary form.
fn write_multirange(element: &Encoding, literal: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let ranges = range_literal::parse_multi(literal)
        .ok_or_else(|| format!("{literal:?} is not a multirange"))?;
    out.extend_from_slice(&(ranges.len() as i32).to_be_bytes());
    let mut text = String::new();
    for range in &ranges {
        text.clear();
        range_literal::write(range.as_ref(), &mut text);
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        write_range(element, &text, out)?;
        let len = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

/// A range's binary form: a flags byte (empty, inclusive and infinite bounds), then each
/// finite bound as a field of the element type. The server puts discrete ranges in canonical
/// form itself.
fn write_range(element: &Encoding, literal: &str, out: &mut Vec<u8>) -> Result<(), String> {
    const EMPTY: u8 = 0x01;
    const LOWER_INCLUSIVE: u8 = 0x02;
    const UPPER_INCLUSIVE: u8 = 0x04;
    const LOWER_INFINITE: u8 = 0x08;
    const UPPER_INFINITE: u8 = 0x10;
    let parsed =
        range_literal::parse(literal).ok_or_else(|| format!("{literal:?} is not a range"))?;
    let Some(bounds) = parsed else {
        out.push(EMPTY);
        return Ok(());
    };
    let flag = |set: bool, bit: u8| if set { bit } else { 0 };
    out.push(
        flag(bounds.lower_inclusive, LOWER_INCLUSIVE)
            | flag(bounds.upper_inclusive, UPPER_INCLUSIVE)
            | flag(bounds.lower.is_none(), LOWER_INFINITE)
            | flag(bounds.upper.is_none(), UPPER_INFINITE),
    );
    let finite: Vec<Option<String>> = [bounds.lower, bounds.upper]
        .into_iter()
        .filter(Option::is_some)
        .collect();
    write_elements(element, finite, "range bound", literal, out)
}

/// Elements given as text, each encoded as a field of its own type; `what` names them in
/// messages.
fn write_elements(
    element: &Encoding,
    elements: Vec<Option<String>>,
    what: &str,
    literal: &str,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let text: ArrayRef = Arc::new(StringArray::from(elements));
    let typed = match element_arrow_type(element) {
        Some(t) => cast(&text, &t).map_err(|e| format!("{what} of {literal:?}: {e}"))?,
        None => text,
    };
    for i in 0..typed.len() {
        encode(element, &typed, i, out)?;
    }
    Ok(())
}

/// A bit string's binary form: the bit count, then the bits, first bit highest, zero-padded to
/// a whole byte.
fn write_bits(text: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let count = i32::try_from(text.len()).map_err(|_| "bit string too long".to_string())?;
    out.extend_from_slice(&count.to_be_bytes());
    for chunk in text.as_bytes().chunks(8) {
        let mut byte = 0u8;
        for (i, bit) in chunk.iter().enumerate() {
            match bit {
                b'1' => byte |= 0x80 >> i,
                b'0' => {}
                _ => return Err(format!("{text:?} is not a bit string")),
            }
        }
        out.push(byte);
    }
    Ok(())
}

/// hstore's binary form: the pair count, then each key and value length-prefixed (-1 for a
/// NULL value). The server sorts the pairs and drops repeated keys.
fn write_hstore(literal: &str, out: &mut Vec<u8>) -> Result<(), String> {
    let pairs =
        hstore_literal::parse(literal).ok_or_else(|| format!("{literal:?} is not an hstore"))?;
    out.extend_from_slice(&(pairs.len() as i32).to_be_bytes());
    for (key, value) in &pairs {
        out.extend_from_slice(&(key.len() as i32).to_be_bytes());
        out.extend_from_slice(key.as_bytes());
        match value {
            Some(v) => {
                out.extend_from_slice(&(v.len() as i32).to_be_bytes());
                out.extend_from_slice(v.as_bytes());
            }
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }
    Ok(())
}

/// Undoes COPY text escaping (`\\`, `\t`, `\n`, `\r`, ...) into `out`.
pub fn unescape_text(raw: &str, out: &mut String) {
    out.clear();
    if !raw.contains('\\') {
        out.push_str(raw);
        return;
    }
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(unscaled: i128, scale: i8) -> Vec<u8> {
        let mut out = Vec::new();
        write_numeric(unscaled, scale, &mut out);
        out
    }

    #[test]
    fn numerics_use_base_10000_groups() {
        // 12345.67 → groups [1, 2345, 6700], weight 1, scale 2
        assert_eq!(
            numeric(1_234_567, 2),
            [0, 3, 0, 1, 0, 0, 0, 2, 0, 1, 0x09, 0x29, 0x1a, 0x2c]
        );
        // -0.05 → groups [500], weight -1, negative
        assert_eq!(
            numeric(-5, 2),
            [0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0x01, 0xf4]
        );
        assert_eq!(numeric(0, 0), [0, 0, 0, 0, 0, 0, 0, 0]);
        // 10000 → groups [1], weight 1; 0.0001 → groups [1], weight -1
        assert_eq!(numeric(10_000, 0), [0, 1, 0, 1, 0, 0, 0, 0, 0, 1]);
        assert_eq!(numeric(1, 4), [0, 1, 0xff, 0xff, 0, 0, 0, 4, 0, 1]);
    }

    #[test]
    fn text_targets_take_other_types_as_strings() {
        let ints: ArrayRef = std::sync::Arc::new(arrow::array::Int32Array::from(vec![42]));
        let strings = prepare(&Encoding::Text, &ints).unwrap();
        let mut out = Vec::new();
        encode(&Encoding::Text, &strings, 0, &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 2, b'4', b'2']);
    }

    #[test]
    fn copy_text_unescapes() {
        let mut out = String::new();
        unescape_text(r"a\tb\\c\nd", &mut out);
        assert_eq!(out, "a\tb\\c\nd");
    }

    #[test]
    fn uuids_and_intervals_parse() {
        assert_eq!(
            parse_uuid("00000000-0000-4000-8000-0000000000ff").unwrap()[15],
            0xff
        );
        let mut out = Vec::new();
        let interval: ArrayRef = Arc::new(StringArray::from(vec!["1 mon 3 days 01:00:02"]));
        encode(&Encoding::Interval, &interval, 0, &mut out).unwrap();
        assert_eq!(
            out[4..],
            [
                3_602_000_000i64.to_be_bytes().as_slice(),
                &[0, 0, 0, 3],
                &[0, 0, 0, 1]
            ]
            .concat()
        );
    }

    #[test]
    fn ranges_bits_and_hstores_encode() {
        let mut out = Vec::new();
        write_range(&Encoding::Int4, "[1,5)", &mut out).unwrap();
        assert_eq!(out, [0x02, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5]);
        out.clear();
        write_range(&Encoding::Int4, "(,5]", &mut out).unwrap();
        assert_eq!(out, [0x0c, 0, 0, 0, 4, 0, 0, 0, 5]);
        out.clear();
        write_range(&Encoding::Int4, "empty", &mut out).unwrap();
        assert_eq!(out, [0x01]);
        out.clear();
        write_multirange(&Encoding::Int4, "{[1,5)}", &mut out).unwrap();
        assert_eq!(
            out,
            [0, 0, 0, 1, 0, 0, 0, 17, 0x02, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5]
        );
        out.clear();
        write_bits("101000001", &mut out).unwrap();
        assert_eq!(out, [0, 0, 0, 9, 0b1010_0000, 0b1000_0000]);
        assert!(write_bits("012", &mut out).is_err());
        out.clear();
        write_hstore(r#""a"=>"bc", "d"=>NULL"#, &mut out).unwrap();
        assert_eq!(
            out,
            [
                0, 0, 0, 2, 0, 0, 0, 1, b'a', 0, 0, 0, 2, b'b', b'c', 0, 0, 0, 1, b'd', 255, 255,
                255, 255
            ]
        );
    }
}
