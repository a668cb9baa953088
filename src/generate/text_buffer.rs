//! A text column's values while its chunk is being made: Arrow's string layout (one byte
//! string, offsets, validity) kept in plain `Vec`s, so that a generated value can be moved in
//! rather than copied.
//!
//! A chunk of long values (one row of 200 MB) would otherwise hold each value twice: the
//! `String` it was generated into, and a builder's copy of it. [`TextBuffer::take`] moves a
//! value into an empty buffer, and [`TextBuffer::finish`] hands the bytes to Arrow without a
//! copy.

use arrow::array::StringArray;
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};

#[derive(Debug)]
pub struct TextBuffer {
    values: String,
    /// Where each value ends in `values`, after a leading 0.
    offsets: Vec<i32>,
    valid: Vec<bool>,
}

impl TextBuffer {
    pub fn with_capacity(rows: usize, bytes: usize) -> TextBuffer {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        TextBuffer {
            values: String::with_capacity(bytes),
            offsets,
            valid: Vec::with_capacity(rows),
        }
    }

    /// The values buffered so far.
    pub fn len(&self) -> usize {
        self.valid.len()
    }

    pub fn push(&mut self, value: &str) {
        self.values.push_str(value);
        self.close(true);
    }

    /// Appends `value`, leaving it empty: a value that does not fit an empty buffer's room is
    /// moved in whole (the buffer's old allocation goes back to `value`), any other is copied.
    pub fn take(&mut self, value: &mut String) {
        if self.values.is_empty() && value.len() > self.values.capacity() {
            std::mem::swap(&mut self.values, value);
        } else {
            self.values.push_str(value);
        }
        value.clear();
        self.close(true);
    }

    pub fn push_null(&mut self) {
        self.close(false);
    }

    /// Value `i`, or `None` for NULL.
    pub fn get(&self, i: usize) -> Option<&str> {
        let (start, end) = (self.offsets[i] as usize, self.offsets[i + 1] as usize);
        self.valid[i].then(|| &self.values[start..end])
    }

    pub fn finish(self) -> StringArray {
        let nulls = Some(NullBuffer::from(self.valid)).filter(|n| n.null_count() > 0);
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        let values = Buffer::from(self.values.into_bytes());
        // SAFETY: the bytes are a `String`'s, so UTF-8, and every offset was taken at the end
        // of a pushed `&str`, so each one is on a character boundary, and they never decrease.
        unsafe { StringArray::new_unchecked(offsets, values, nulls) }
    }

    fn close(&mut self, valid: bool) {
        let end = i32::try_from(self.values.len())
            .expect("chunks are sized so that a text column holds under 2 GB");
        self.offsets.push(end);
        self.valid.push(valid);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Array;

    #[test]
    fn values_nulls_and_moved_values_come_out_in_order() {
        let mut buffer = TextBuffer::with_capacity(4, 4);
        let mut long = "x".repeat(100);
        let room = long.capacity();
        buffer.take(&mut long);
        assert!(long.is_empty());
        assert_eq!(buffer.values.capacity(), room, "moved, not copied");
        buffer.push_null();
        buffer.push("");
        let mut short = String::from("é!");
        buffer.take(&mut short);
        assert_eq!(buffer.get(1), None);
        assert_eq!(buffer.get(3), Some("é!"));
        let array = buffer.finish();
        assert_eq!(array.len(), 4);
        assert_eq!(array.value(0), "x".repeat(100));
        assert!(array.is_null(1));
        assert_eq!((array.value(2), array.value(3)), ("", "é!"));
        assert_eq!(TextBuffer::with_capacity(1, 1).finish().null_count(), 0);
    }
}
