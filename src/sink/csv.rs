//! A directory of `<table>.csv` files: RFC 4180, UTF-8, a header row. NULL is the empty
//! unquoted field and the empty string is `""`, so the two stay distinguishable (the same
//! convention the CSV source reads).

use std::io::Write;
use std::path::{Path, PathBuf};

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Decimal128Array, PrimitiveArray,
    StringArray,
};
use arrow::datatypes::{
    DataType, Date32Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, SchemaRef,
    Time64MicrosecondType, TimestampMicrosecondType,
};
use arrow::record_batch::RecordBatch;

use super::{
    close, io_error, prepare_dir, Encoded, Encoder, Sink, SinkError, StagedFiles, Written,
};
use crate::manifest::Manifest;
use crate::schema::Table;
use crate::temporal::{write_date, write_time, write_timestamp};

pub struct CsvSink {
    dir: PathBuf,
    header: bool,
    staged: StagedFiles,
}

impl CsvSink {
    /// `header: false` leaves out the header row, for shards after the first, so that shard
    /// outputs concatenate into one file.
    pub fn new(dir: &Path, header: bool) -> Result<CsvSink, SinkError> {
        prepare_dir(dir)?;
        Ok(CsvSink {
            dir: dir.to_path_buf(),
            header,
            staged: StagedFiles::default(),
        })
    }
}

/// The most bytes of arrays a batch may hold to be formatted on a worker. A larger one (a row
/// of long values: chunks are sized to 32 MiB by their estimated width) is formatted as it is
/// written, so its CSV text never exists beside it.
const ENCODE_BYTES: usize = 64 << 20;

impl Sink for CsvSink {
    fn encoder(&self) -> Option<Encoder> {
        Some(|batch| (batch.get_array_memory_size() <= ENCODE_BYTES).then(|| format_batch(batch)))
    }

    fn write_table(
        &mut self,
        table: &Table,
        schema: &SchemaRef,
        batches: &mut dyn Iterator<Item = Encoded>,
    ) -> Result<Written, SinkError> {
        let path = self.dir.join(format!("{}.csv", table.name));
        let mut out = self.staged.create(&path)?;
        let mut written = 0;
        if self.header {
            let mut line = Vec::new();
            for (i, field) in schema.fields().iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                write_text(field.name(), &mut line);
            }
            line.push(b'\n');
            out.write_all(&line).map_err(io_error(&path))?;
            written += line.len() as u64;
        }
        for encoded in batches {
            written += match encoded.bytes {
                Some(bytes) => out.write_all(&bytes).map(|()| bytes.len() as u64),
                None => stream_batch(&encoded.batch, &mut out),
            }
            .map_err(io_error(&path))?;
        }
        let file = close(out, &path)?;
        Ok(Written {
            bytes: written,
            file: Some(file),
        })
    }

    fn finish(self: Box<Self>, manifest: &Manifest) -> Result<(), SinkError> {
        self.staged.publish_with_manifest(&self.dir, manifest)
    }
}

/// A batch as CSV lines (the sink's encoder, run on worker threads), written row by row into
/// one buffer sized for the batch.
fn format_batch(batch: &RecordBatch) -> Vec<u8> {
    let columns: Vec<Cells> = batch.columns().iter().map(Cells::of).collect();
    let size: usize = batch.columns().iter().map(estimated_bytes).sum();
    let mut out = Vec::with_capacity(size + batch.num_rows() * columns.len());
    let mut numbers = Numbers::default();
    for r in 0..batch.num_rows() {
        for (c, cells) in columns.iter().enumerate() {
            if c > 0 {
                out.push(b',');
            }
            cells.write(r, &mut numbers, &mut out);
        }
        out.push(b'\n');
    }
    out
}

/// Writes a batch as CSV lines cell by cell, without its whole text in memory; returns the
/// bytes written. Slower than [`format_batch`], so it serves only batches of long values.
fn stream_batch(batch: &RecordBatch, out: &mut impl Write) -> std::io::Result<u64> {
    let mut counted = Counting {
        inner: out,
        bytes: 0,
    };
    let columns: Vec<Cells> = batch.columns().iter().map(Cells::of).collect();
    let mut numbers = Numbers::default();
    let mut cell = Vec::new();
    for r in 0..batch.num_rows() {
        for (c, cells) in columns.iter().enumerate() {
            if c > 0 {
                counted.write_all(b",")?;
            }
            match cells {
                Cells::Text(text) if text.is_valid(r) => stream_text(text.value(r), &mut counted)?,
                _ => {
                    cell.clear();
                    cells.write(r, &mut numbers, &mut cell);
                    counted.write_all(&cell)?;
                }
            }
        }
        counted.write_all(b"\n")?;
    }
    Ok(counted.bytes)
}

/// A writer that counts the bytes passing through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// One cell as a CSV file holds it, before quoting (text as it is); `None` for NULL.
pub fn cell_text(array: &ArrayRef, row: usize) -> Option<String> {
    if array.is_null(row) {
        return None;
    }
    let cells = Cells::of(array);
    if let Cells::Text(text) = cells {
        return Some(text.value(row).to_string());
    }
    let mut cell = Vec::new();
    cells.write(row, &mut Numbers::default(), &mut cell);
    Some(String::from_utf8_lossy(&cell).into_owned())
}

/// A column of a batch, typed once, so that each cell is written without a downcast.
enum Cells<'a> {
    Int16(&'a PrimitiveArray<Int16Type>),
    Int32(&'a PrimitiveArray<Int32Type>),
    Int64(&'a PrimitiveArray<Int64Type>),
    Float32(&'a PrimitiveArray<Float32Type>),
    Float64(&'a PrimitiveArray<Float64Type>),
    Decimal(&'a Decimal128Array, i8),
    Boolean(&'a BooleanArray),
    Date(&'a PrimitiveArray<Date32Type>),
    Time(&'a PrimitiveArray<Time64MicrosecondType>),
    /// A timestamp, and whether it is zoned (written with `+00`).
    Timestamp(&'a PrimitiveArray<TimestampMicrosecondType>, bool),
    Binary(&'a BinaryArray),
    Text(&'a StringArray),
}

/// The scratch buffers numbers are formatted in.
#[derive(Default)]
struct Numbers {
    ints: itoa::Buffer,
    floats: ryu::Buffer,
}

impl<'a> Cells<'a> {
    fn of(array: &'a ArrayRef) -> Cells<'a> {
        match array.data_type() {
            DataType::Int16 => Cells::Int16(array.as_primitive()),
            DataType::Int32 => Cells::Int32(array.as_primitive()),
            DataType::Int64 => Cells::Int64(array.as_primitive()),
            DataType::Float32 => Cells::Float32(array.as_primitive()),
            DataType::Float64 => Cells::Float64(array.as_primitive()),
            DataType::Decimal128(_, scale) => Cells::Decimal(array.as_primitive(), *scale),
            DataType::Boolean => Cells::Boolean(array.as_boolean()),
            DataType::Date32 => Cells::Date(array.as_primitive()),
            DataType::Time64(_) => Cells::Time(array.as_primitive()),
            DataType::Timestamp(_, tz) => Cells::Timestamp(array.as_primitive(), tz.is_some()),
            DataType::Binary => Cells::Binary(array.as_binary()),
            _ => Cells::Text(array.as_string()),
        }
    }

    /// Appends row `r`'s field to `out`; a NULL appends nothing.
    fn write(&self, r: usize, numbers: &mut Numbers, out: &mut Vec<u8>) {
        let ints = &mut numbers.ints;
        match *self {
            Cells::Int16(a) if a.is_valid(r) => {
                out.extend_from_slice(ints.format(a.value(r)).as_bytes())
            }
            Cells::Int32(a) if a.is_valid(r) => {
                out.extend_from_slice(ints.format(a.value(r)).as_bytes())
            }
            Cells::Int64(a) if a.is_valid(r) => {
                out.extend_from_slice(ints.format(a.value(r)).as_bytes())
            }
            Cells::Float32(a) if a.is_valid(r) => write_float(a.value(r), &mut numbers.floats, out),
            Cells::Float64(a) if a.is_valid(r) => write_float(a.value(r), &mut numbers.floats, out),
            Cells::Decimal(a, scale) if a.is_valid(r) => write_decimal(a.value(r), scale, out),
            Cells::Boolean(a) if a.is_valid(r) => {
                out.extend_from_slice(if a.value(r) { b"true" } else { b"false" })
            }
            Cells::Date(a) if a.is_valid(r) => write_date(a.value(r), out),
            Cells::Time(a) if a.is_valid(r) => write_time(a.value(r), out),
            Cells::Timestamp(a, zoned) if a.is_valid(r) => {
                write_timestamp(a.value(r), out);
                if zoned {
                    out.extend_from_slice(b"+00");
                }
            }
            Cells::Binary(a) if a.is_valid(r) => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\x");
                for b in a.value(r) {
                    out.extend_from_slice(&[HEX[(b >> 4) as usize], HEX[(b & 0x0f) as usize]]);
                }
            }
            Cells::Text(a) if a.is_valid(r) => write_text(a.value(r), out),
            _ => {}
        }
    }
}

/// About the bytes a column's fields take, so that the batch's buffer is sized once instead
/// of regrown (each regrowth copies it and touches fresh pages): the bytes of text and binary
/// values as written (quotes for one value in two; `\x` and two hex digits a byte), else a
/// typical width per value of the type.
fn estimated_bytes(array: &ArrayRef) -> usize {
    let stored = |offsets: &[i32]| (offsets[offsets.len() - 1] - offsets[0]) as usize;
    let per_value = match array.data_type() {
        DataType::Utf8 => return stored(array.as_string::<i32>().value_offsets()) + array.len(),
        DataType::Binary => {
            return 2 * stored(array.as_binary::<i32>().value_offsets()) + 2 * array.len()
        }
        DataType::Timestamp(..) => "2024-02-29 13:45:00.123456".len(),
        DataType::Time64(_) => "13:45:00.123456".len(),
        DataType::Date32 => "2024-02-29".len(),
        DataType::Boolean => "false".len(),
        _ => "-123456.789".len(),
    };
    array.len() * per_value
}

/// Whether a field must be quoted: it is empty (to tell it from NULL) or holds a delimiter,
/// quote or line break.
fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
}

/// A field to a writer, quoted when [`needs_quotes`] says so, a quote-free run at a time.
fn stream_text(value: &str, out: &mut impl Write) -> std::io::Result<()> {
    if !needs_quotes(value) {
        return out.write_all(value.as_bytes());
    }
    out.write_all(b"\"")?;
    for (i, run) in value.split('"').enumerate() {
        if i > 0 {
            out.write_all(b"\"\"")?;
        }
        out.write_all(run.as_bytes())?;
    }
    out.write_all(b"\"")
}

/// Quotes a field when [`needs_quotes`] says so.
fn write_text(value: &str, out: &mut Vec<u8>) {
    stream_text(value, out).expect("writing to memory does not fail");
}

/// The shortest text that reads back as the same float (of its own width: a `real` 17.64 is
/// written `17.64`, not as the nearest double's digits).
fn write_float<F: ryu::Float + Into<f64>>(v: F, buffer: &mut ryu::Buffer, out: &mut Vec<u8>) {
    let wide: f64 = v.into();
    if wide.is_finite() {
        let s = buffer.format_finite(v);
        out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
    } else if wide.is_nan() {
        out.extend_from_slice(b"NaN");
    } else if wide > 0.0 {
        out.extend_from_slice(b"Infinity");
    } else {
        out.extend_from_slice(b"-Infinity");
    }
}

/// Writes an unscaled decimal with `scale` digits after the point: `12345, 2` → `123.45`.
pub fn write_decimal(unscaled: i128, scale: i8, out: &mut Vec<u8>) {
    if unscaled < 0 {
        out.push(b'-');
    }
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(unscaled.unsigned_abs()).as_bytes();
    let scale = scale.max(0) as usize;
    if scale == 0 {
        out.extend_from_slice(digits);
        return;
    }
    if digits.len() <= scale {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + scale - digits.len(), b'0');
        out.extend_from_slice(digits);
    } else {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn formatted(array: ArrayRef) -> Vec<String> {
        let cells = Cells::of(&array);
        (0..array.len())
            .map(|r| {
                let mut cell = Vec::new();
                cells.write(r, &mut Numbers::default(), &mut cell);
                String::from_utf8(cell).unwrap()
            })
            .collect()
    }

    #[test]
    fn null_and_empty_string_differ() {
        let texts = StringArray::from(vec![Some(""), None, Some("a,b"), Some("say \"hi\"")]);
        assert_eq!(
            formatted(Arc::new(texts)),
            ["\"\"", "", "\"a,b\"", "\"say \"\"hi\"\"\""]
        );
    }

    #[test]
    fn streamed_batches_read_as_formatted_ones() {
        let quoted = format!("{}\"x, y\"\n", "long ".repeat(10_000));
        let batch = RecordBatch::try_from_iter([
            (
                "id",
                Arc::new(arrow::array::Int64Array::from(vec![
                    Some(1),
                    None,
                    Some(-3),
                ])) as ArrayRef,
            ),
            (
                "body",
                Arc::new(StringArray::from(vec![
                    Some(quoted.as_str()),
                    Some(""),
                    None,
                ])),
            ),
            (
                "price",
                Arc::new(
                    Decimal128Array::from(vec![Some(12345), Some(-5), None])
                        .with_precision_and_scale(10, 2)
                        .unwrap(),
                ),
            ),
        ])
        .unwrap();
        let mut streamed = Vec::new();
        let bytes = stream_batch(&batch, &mut streamed).unwrap();
        assert_eq!(
            String::from_utf8(streamed.clone()).unwrap(),
            String::from_utf8(format_batch(&batch)).unwrap()
        );
        assert_eq!(bytes, streamed.len() as u64);
        assert!(streamed.starts_with(b"1,\"long long "));
    }

    #[test]
    fn a_batch_of_long_values_is_written_whole_as_it_streams() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = CsvSink::new(dir.path(), true).unwrap();
        let encode = sink.encoder().unwrap();
        let value = "ab\"c, ".repeat(ENCODE_BYTES / 6 + 1);
        let batch = RecordBatch::try_from_iter([(
            "body",
            Arc::new(StringArray::from(vec![value.as_str()])) as ArrayRef,
        )])
        .unwrap();
        assert!(encode(&batch).is_none(), "too large to be held twice");
        let table = Table {
            name: "long".into(),
            ..Table::default()
        };
        let mut batches = std::iter::once(Encoded {
            batch: batch.clone(),
            bytes: None,
        });
        let written = sink
            .write_table(&table, &batch.schema(), &mut batches)
            .unwrap();
        sink.staged.publish().unwrap();
        let text = std::fs::read_to_string(dir.path().join("long.csv")).unwrap();
        let expected = format!("body\n\"{}\"\n", value.replace('"', "\"\""));
        assert!(text == expected, "the value is written exactly and whole");
        assert_eq!(written.bytes, expected.len() as u64);
    }

    #[test]
    fn decimals_keep_their_scale() {
        let mut out = Vec::new();
        write_decimal(-5, 2, &mut out);
        write_decimal(12345, 2, &mut out);
        write_decimal(7, 0, &mut out);
        write_decimal(5, 3, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "-0.05123.4570.005");
    }
}
