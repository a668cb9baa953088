//! The text form a range value travels in: PostgreSQL's range literal (`[1,5)`, `(,10]`,
//! `["2024-01-01 00:00:00",)`, `empty`), and a multirange's (`{[1,3),[6,10)}`), as COPY prints
//! them and every sink writes from. One reader
//! and one writer so that the profiler, the generator and the binary COPY encoder agree.

/// A range that is not empty. A bound of `None` is infinite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounds {
    pub lower: Option<String>,
    pub upper: Option<String>,
    pub lower_inclusive: bool,
    pub upper_inclusive: bool,
}

/// `Some(None)` for `empty`, `Some(Some(bounds))` for a range, `None` for text that is no range.
pub fn parse(text: &str) -> Option<Option<Bounds>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("empty") {
        return Some(None);
    }
    let lower_inclusive = match text.chars().next()? {
        '[' => true,
        '(' => false,
        _ => return None,
    };
    let upper_inclusive = match text.chars().last()? {
        ']' => true,
        ')' => false,
        _ => return None,
    };
    let inner = text.get(1..text.len() - 1)?;
    let (lower, rest) = bound(inner)?;
    let upper_text = rest.strip_prefix(',')?;
    let (upper, rest) = bound(upper_text)?;
    if !rest.is_empty() {
        return None;
    }
    Some(Some(Bounds {
        lower_inclusive: lower_inclusive && lower.is_some(),
        upper_inclusive: upper_inclusive && upper.is_some(),
        lower,
        upper,
    }))
}

/// The ranges of a multirange literal (`{[1,3),[6,10)}`, `{}`), `None` for text that is none.
pub fn parse_multi(text: &str) -> Option<Vec<Option<Bounds>>> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut ranges = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' | ')' if !quoted => {
                ranges.push(parse(&inner[start..=i])?);
                start = i + 1;
            }
            ',' if !quoted && inner[start..i].trim().is_empty() => start = i + 1,
            _ => {}
        }
    }
    inner[start..].trim().is_empty().then_some(ranges)
}

/// Appends a multirange literal of `ranges`.
pub fn write_multi<'a>(ranges: impl IntoIterator<Item = &'a Bounds>, out: &mut String) {
    out.push('{');
    for (i, range) in ranges.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(Some(range), out);
    }
    out.push('}');
}

/// One bound from the start of `text` (quoted or up to the next comma), and what follows it.
fn bound(text: &str) -> Option<(Option<String>, &str)> {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find(',').unwrap_or(text.len());
        let value = text[..end].trim();
        return Some(((!value.is_empty()).then(|| value.to_string()), &text[end..]));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '"' if quoted[i + 1..].starts_with('"') => {
                chars.next();
                value.push('"');
            }
            '"' => return Some((Some(value), &quoted[i + 1..])),
            c => value.push(c),
        }
    }
    None
}

/// Appends a range literal: `empty` for `None`, else the bounds, each quoted.
pub fn write(range: Option<&Bounds>, out: &mut String) {
    let Some(b) = range else {
        out.push_str("empty");
        return;
    };
    out.push(if b.lower_inclusive { '[' } else { '(' });
    write_bound(b.lower.as_deref(), out);
    out.push(',');
    write_bound(b.upper.as_deref(), out);
    out.push(if b.upper_inclusive { ']' } else { ')' });
}

fn write_bound(value: Option<&str>, out: &mut String) {
    let Some(value) = value else {
        return;
    };
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(lower: Option<&str>, upper: Option<&str>, li: bool, ui: bool) -> Bounds {
        Bounds {
            lower: lower.map(Into::into),
            upper: upper.map(Into::into),
            lower_inclusive: li,
            upper_inclusive: ui,
        }
    }

    #[test]
    fn ranges_parse_as_postgres_prints_them() {
        assert_eq!(parse("empty"), Some(None));
        assert_eq!(
            parse("[1,5)"),
            Some(Some(bounds(Some("1"), Some("5"), true, false)))
        );
        assert_eq!(
            parse("(,10]"),
            Some(Some(bounds(None, Some("10"), false, true)))
        );
        assert_eq!(
            parse(r#"["2024-01-01 01:00:00","2024-01-01 06:00:00")"#),
            Some(Some(bounds(
                Some("2024-01-01 01:00:00"),
                Some("2024-01-01 06:00:00"),
                true,
                false
            )))
        );
        assert_eq!(parse("[1,5"), None);
        assert_eq!(parse("1,5"), None);
        assert_eq!(parse("[1,2,3]"), None);
    }

    #[test]
    fn multiranges_split_into_ranges() {
        let ranges = parse_multi(r#"{[1,3),[6,10)}"#).unwrap();
        assert_eq!(
            ranges,
            vec![
                Some(bounds(Some("1"), Some("3"), true, false)),
                Some(bounds(Some("6"), Some("10"), true, false)),
            ]
        );
        assert_eq!(parse_multi("{}"), Some(vec![]));
        let stamps = parse_multi(r#"{["2024-01-01 00:00:00+00","2024-01-02 00:00:00+00")}"#);
        assert_eq!(stamps.unwrap().len(), 1);
        assert_eq!(parse_multi("[1,3)"), None);
        let mut out = String::new();
        write_multi(ranges.iter().flatten(), &mut out);
        assert_eq!(parse_multi(&out).unwrap(), ranges);
    }

    #[test]
    fn written_ranges_read_back() {
        for text in ["empty", "[1,5)", "(,10]", r#"["a\"b",)"#] {
            let parsed = parse(text).unwrap();
            let mut out = String::new();
            write(parsed.as_ref(), &mut out);
            assert_eq!(parse(&out), Some(parsed), "{text} -> {out}");
        }
    }
}
