//! A YAML writer whose output every YAML reader takes the same way.
//!
//! `serde_norway` writes YAML 1.2, where `ON`, `no`, `2024-01-31` and `1e3` are plain strings;
//! a YAML 1.1 reader such as PyYAML's `safe_load` turns them into a boolean, a date and a number.
//! A profile is read by other tools and by reviewers, so this writer quotes every string that is
//! not unmistakably a string in both versions, writes floats in the one spelling both read as a
//! float (`1.0e+20`, never `1e20`), and never writes a tag. Short lists of scalars are written in
//! flow style (`[1, 2, 3]`) so quantiles stay on one line, and so are short mappings.

use std::fmt::Write;

use serde_norway::{Mapping, Number, Value};

/// Lists of scalars up to this many characters are written on one line.
const FLOW_WIDTH: usize = 100;
/// Mappings of scalars up to this many characters too (`{kind: text, max_chars: 40}`).
const FLOW_MAP_WIDTH: usize = 60;

/// Writes a document (a mapping at the top) as block YAML ending in a newline.
pub fn document(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(map) if !map.is_empty() => mapping(&mut out, map, 0),
        other => {
            out.push_str(&inline(other).unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

fn mapping(out: &mut String, map: &Mapping, indent: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        // The first entry of a mapping inside a list goes on the dash's line.
        if i > 0 || indent == 0 || !out.ends_with("- ") {
            pad(out, indent);
        }
        out.push_str(&scalar(key));
        out.push(':');
        nested(out, value, indent);
    }
}

fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push_str("- ");
        match item {
            Value::Mapping(map) if !map.is_empty() => mapping(out, map, indent + 2),
            Value::Sequence(inner) if inline(item).is_none() => {
                out.pop();
                out.push('\n');
                sequence(out, inner, indent + 2);
            }
            other => {
                out.push_str(&inline(other).expect("scalars and short lists are inline"));
                out.push('\n');
            }
        }
    }
}

/// What follows `key:`: a scalar on the same line, or a block below it.
fn nested(out: &mut String, value: &Value, indent: usize) {
    if let Some(text) = inline(value) {
        out.push(' ');
        out.push_str(&text);
        out.push('\n');
        return;
    }
    out.push('\n');
    match value {
        Value::Mapping(map) => mapping(out, map, indent + 2),
        Value::Sequence(items) => sequence(out, items, indent),
        _ => unreachable!("every other value is inline"),
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A value written on one line, if it is a scalar, an empty collection, a short list of scalars
/// (any list of numbers) or a short mapping of scalars.
fn inline(value: &Value) -> Option<String> {
    match value {
        Value::Mapping(map) if map.is_empty() => Some("{}".to_string()),
        Value::Mapping(map) => {
            if map
                .values()
                .any(|v| matches!(v, Value::Mapping(_) | Value::Sequence(_)))
            {
                return None;
            }
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), scalar(v)))
                .collect();
            let text = format!("{{{}}}", parts.join(", "));
            (text.len() <= FLOW_MAP_WIDTH).then_some(text)
        }
        Value::Sequence(items) => {
            if items
                .iter()
                .any(|v| matches!(v, Value::Mapping(_) | Value::Sequence(_)))
            {
                return None;
            }
            let parts: Vec<String> = items.iter().map(scalar).collect();
            let text = format!("[{}]", parts.join(", "));
            (text.len() <= FLOW_WIDTH || items.iter().all(|v| matches!(v, Value::Number(_))))
                .then_some(text)
        }
        Value::Tagged(tagged) => inline(&tagged.value),
        other => Some(scalar(other)),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s),
        Value::Tagged(tagged) => scalar(&tagged.value),
        Value::Mapping(_) | Value::Sequence(_) => {
            inline(value).expect("only inline collections are written as scalars")
        }
    }
}

fn number(n: &Number) -> String {
    if !n.is_f64() {
        return n.to_string();
    }
    let x = n.as_f64().expect("a float number has an f64");
    if x.is_nan() {
        return ".nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    float(x)
}

/// The shortest round-tripping spelling, with a `.` in the mantissa and a sign on the exponent,
/// the form YAML 1.1 requires of a float.
fn float(x: f64) -> String {
    let text = ryu::Buffer::new().format_finite(x).to_string();
    let (mantissa, exponent) = match text.split_once('e') {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (text, None),
    };
    let mut out = mantissa;
    if !out.contains('.') {
        out.push_str(".0");
    }
    if let Some(e) = exponent {
        let signed = if e.starts_with('-') {
            e
        } else {
            format!("+{e}")
        };
        let _ = write!(out, "e{signed}");
    }
    out
}

/// A string plain when both YAML versions read it back as the same string, else double-quoted.
fn string(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Control characters, YAML 1.1's extra line breaks, the byte-order mark and the two
/// non-characters YAML refuses: written escaped so every reader takes them as they are.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// Words YAML 1.1 resolves to a boolean or null in any capitalisation.
const RESERVED: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// Starts with a letter or `_`, holds only letters, digits, `_`, `-`, `.`, `/`, `(`, `)` and
/// inner spaces, and is no reserved word: no reader takes it for anything but a string.
fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '(' | ')' | ' ')
        })
        && !s.ends_with(' ')
        && !RESERVED.iter().any(|w| w.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &Value) -> Value {
        serde_norway::from_str(&document(value)).unwrap()
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "ON",
            "no",
            "Yes",
            "1e3",
            "0x10",
            "~",
            "",
            "2024-02-29",
            "12:30",
            "null",
            "-",
            "a: b",
            "# x",
            " lead",
            "trail ",
            "[x]",
            "{}",
            "*ref",
            "&a",
            "!tag",
            "%",
            "@",
            "`",
            "'q'",
            "\"",
            "a\\b",
            "line\nbreak",
            "\u{0085}",
            "\u{FEFF}bom",
            "😀",
            ".inf",
            "1_000",
            "0o17",
        ] {
            let text = string(s);
            assert!(!is_plain_safe(s), "{s:?} should be quoted, got {text}");
            let back: String = serde_norway::from_str(&text).unwrap();
            assert_eq!(back, s);
        }
        for s in ["album_id", "character varying(160)", "Rock", "a.b", "x-y"] {
            assert_eq!(string(s), s);
        }
    }

    #[test]
    fn floats_always_carry_a_dot_and_a_signed_exponent() {
        assert_eq!(float(1e20), "1.0e+20");
        assert_eq!(float(1.5e-7), "1.5e-7");
        assert_eq!(float(100.0), "100.0");
        assert_eq!(float(0.25), "0.25");
        assert_eq!(float(-3.0), "-3.0");
    }

    #[test]
    fn documents_read_back_the_same() {
        let value: Value = serde_norway::from_str(
            "a: 1\nb: [1.5, 2.0]\nc:\n  - name: x\n    list: []\n    map: {}\n  - [1, 2]\n  - [[1, 2], [3]]\nd:\n  2: 0.5\n  10: 0.5\ne: ON\nf: null\n",
        )
        .unwrap();
        assert_eq!(round_trip(&value), value);
    }
}
