//! An RFC 4180 record reader that remembers which fields were quoted.
//!
//! The `csv` crate hides quoting, but understudy's CSV convention needs it: an empty unquoted
//! field is NULL and `""` is the empty string. So this reader tokenizes itself, keeps line
//! numbers for messages, and reuses one buffer per record (no allocation per field).

use std::io::BufRead;

/// One record: its bytes, and for each field a byte range and whether it was quoted.
#[derive(Debug, Default)]
pub struct Record {
    /// Raw bytes while tokenizing; validated text once read.
    bytes: Vec<u8>,
    data: String,
    fields: Vec<(usize, usize, bool)>,
    /// The line on which the record starts (1-based).
    pub line: u64,
}

impl Record {
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// The bytes of the record's text, all fields together.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    /// The field's text, and whether it was quoted. Valid UTF-8 is checked by [`Records::read`].
    pub fn field(&self, i: usize) -> (&str, bool) {
        let (start, end, quoted) = self.fields[i];
        // Fields end at ASCII delimiters and quotes, so their bounds are character boundaries.
        (&self.data[start..end], quoted)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub line: u64,
    pub message: String,
}

pub struct Records<R> {
    input: R,
    delimiter: u8,
    next_line: u64,
    line_buf: Vec<u8>,
}

impl<R: BufRead> Records<R> {
    /// A reader of `input`; `delimiter` must be ASCII and not `"`, CR or LF (a quote as
    /// delimiter makes field bounds fall inside characters), which [`super::csv::CsvSource`]
    /// checks.
    pub fn new(input: R, delimiter: u8) -> Self {
        Records {
            input,
            delimiter,
            next_line: 1,
            line_buf: Vec::new(),
        }
    }

    /// Reads the next record into `record`; false at the end of input. Blank lines are skipped.
    pub fn read(&mut self, record: &mut Record) -> Result<bool, RecordError> {
        let mut bytes = std::mem::take(&mut record.data).into_bytes();
        bytes.clear();
        record.bytes = bytes;
        record.fields.clear();
        loop {
            record.line = self.next_line;
            if !self.read_line()? {
                return Ok(false);
            }
            if self.line_buf.is_empty() {
                continue;
            }
            self.tokenize(record)?;
            return match String::from_utf8(std::mem::take(&mut record.bytes)) {
                // A field bound inside a character means a delimiter byte split an invalid
                // sequence that is valid without it (`\xC2` TAB `\x9C`): still invalid input.
                Ok(text)
                    if record.fields.iter().any(|&(start, end, _)| {
                        !text.is_char_boundary(start) || !text.is_char_boundary(end)
                    }) =>
                {
                    Err(RecordError {
                        line: record.line,
                        message: "invalid UTF-8".into(),
                    })
                }
                Ok(text) => {
                    record.data = text;
                    Ok(true)
                }
                Err(e) => {
                    let valid = e.utf8_error().valid_up_to();
                    let newlines = e.as_bytes()[..valid]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    Err(RecordError {
                        line: record.line + newlines as u64,
                        message: "invalid UTF-8".into(),
                    })
                }
            };
        }
    }

    /// Reads one physical line without its line ending into `line_buf`.
    fn read_line(&mut self) -> Result<bool, RecordError> {
        self.line_buf.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.line_buf)
            .map_err(|e| RecordError {
                line: self.next_line,
                message: e.to_string(),
            })?;
        if n == 0 {
            return Ok(false);
        }
        if self.next_line == 1 && self.line_buf.starts_with(b"\xEF\xBB\xBF") {
            self.line_buf.drain(..3);
        }
        self.next_line += 1;
        if self.line_buf.last() == Some(&b'\n') {
            self.line_buf.pop();
            if self.line_buf.last() == Some(&b'\r') {
                self.line_buf.pop();
            }
        }
        Ok(true)
    }

    fn tokenize(&mut self, record: &mut Record) -> Result<(), RecordError> {
        let start_line = record.line;
        let mut field_start = 0;
        let mut quoted = false;
        let mut in_quotes = false;
        let mut at_field_start = true;
        let mut i = 0;
        loop {
            if i == self.line_buf.len() {
                if in_quotes {
                    // The quoted field goes on past the line break (a CRLF in quotes becomes LF).
                    record.bytes.push(b'\n');
                    if !self.read_line()? {
                        return Err(RecordError {
                            line: start_line,
                            message: "unterminated quoted field (no closing quote before the end of the file)".into(),
                        });
                    }
                    i = 0;
                    continue;
                }
                record
                    .fields
                    .push((field_start, record.bytes.len(), quoted));
                return Ok(());
            }
            let b = self.line_buf[i];
            i += 1;
            if in_quotes {
                if b == b'"' {
                    if self.line_buf.get(i) == Some(&b'"') {
                        record.bytes.push(b'"');
                        i += 1;
                    } else {
                        in_quotes = false;
                    }
                } else {
                    record.bytes.push(b);
                }
            } else if b == self.delimiter {
                record
                    .fields
                    .push((field_start, record.bytes.len(), quoted));
                field_start = record.bytes.len();
                quoted = false;
                at_field_start = true;
                continue;
            } else if b == b'"' && at_field_start {
                in_quotes = true;
                quoted = true;
            } else {
                record.bytes.push(b);
            }
            at_field_start = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Result<Vec<Vec<(String, bool)>>, RecordError> {
        let mut records = Records::new(text.as_bytes(), b',');
        let mut record = Record::default();
        let mut out = Vec::new();
        while records.read(&mut record)? {
            out.push(
                (0..record.len())
                    .map(|i| (record.field(i).0.to_string(), record.field(i).1))
                    .collect(),
            );
        }
        Ok(out)
    }

    #[test]
    fn quoting_is_remembered() {
        let rows = read_all("a,b,c\r\n,\"\",\"x,\"\"y\"\"\"\n").unwrap();
        assert_eq!(
            rows[1],
            vec![
                ("".into(), false),
                ("".into(), true),
                ("x,\"y\"".into(), true)
            ]
        );
    }

    #[test]
    fn quoted_fields_span_lines_and_lines_are_counted() {
        let mut records = Records::new("a\n\"one\ntwo\"\nthree\n".as_bytes(), b',');
        let mut record = Record::default();
        records.read(&mut record).unwrap();
        records.read(&mut record).unwrap();
        assert_eq!(record.field(0).0, "one\ntwo");
        records.read(&mut record).unwrap();
        assert_eq!((record.field(0).0, record.line), ("three", 4));
    }

    #[test]
    fn unterminated_quote_names_its_line() {
        let err = read_all("a\nok\n\"never closed\nmore\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("unterminated"));
    }

    #[test]
    fn a_delimiter_inside_a_character_is_invalid_utf8() {
        let mut records = Records::new(&b"\xC2\t\x9C\n"[..], b'\t');
        let err = records.read(&mut Record::default()).unwrap_err();
        assert_eq!((err.line, err.message.as_str()), (1, "invalid UTF-8"));
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let mut records = Records::new(&b"a\nok\n\xff\xfe\n"[..], b',');
        let mut record = Record::default();
        assert!(records.read(&mut record).unwrap());
        assert!(records.read(&mut record).unwrap());
        assert_eq!(records.read(&mut record).unwrap_err().line, 3);
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(read_all("\u{feff}id\n1\n").unwrap()[0][0].0, "id");
    }
}
