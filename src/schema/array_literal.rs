//! The text form an array value travels in: PostgreSQL's array literal (`{1,NULL,"a b"}`), as
//! Postgres COPY prints it, as Parquet lists are read into and as every sink writes from. One
//! reader and one writer so that sources, the profiler, the generator and sinks agree.

/// The elements of an array literal, nested arrays flattened, `NULL` as `None`. Text that is no
/// array literal gives no elements.
pub fn parse(text: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut chars = text.trim().chars().peekable();
    let mut current = String::new();
    let (mut quoted, mut was_quoted, mut depth) = (false, false, 0usize);
    let mut started = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => current.extend(chars.next()),
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            _ if quoted => current.push(c),
            '{' => {
                depth += 1;
                started = true;
            }
            '}' | ',' if depth > 0 => {
                let element = std::mem::take(&mut current);
                let trimmed = element.trim();
                if was_quoted {
                    out.push(Some(element));
                } else if !trimmed.is_empty() {
                    out.push((!trimmed.eq_ignore_ascii_case("null")).then(|| trimmed.to_string()));
                }
                was_quoted = false;
                if c == '}' {
                    depth -= 1;
                }
            }
            _ if started => current.push(c),
            _ => {}
        }
    }
    out
}

/// Appends `{e1,e2,...}` to `out`, quoting elements where the syntax needs it.
pub fn write<'a>(elements: impl IntoIterator<Item = Option<&'a str>>, out: &mut String) {
    out.push('{');
    for (i, element) in elements.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match element {
            None => out.push_str("NULL"),
            Some(text) => write_element(text, out),
        }
    }
    out.push('}');
}

/// One element, quoted when it is empty, `NULL`, or holds a brace, comma, quote, backslash
/// or white space.
pub fn write_element(text: &str, out: &mut String) {
    let plain = !text.is_empty()
        && !text.eq_ignore_ascii_case("null")
        && !text
            .chars()
            .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace());
    if plain {
        out.push_str(text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_parse_and_write_back() {
        let elements = parse(r#"{1,NULL,"a b","say \"hi\"",{2,3},""}"#);
        let expected: Vec<Option<String>> = [
            Some("1"),
            None,
            Some("a b"),
            Some("say \"hi\""),
            Some("2"),
            Some("3"),
            Some(""),
        ]
        .iter()
        .map(|e| e.map(String::from))
        .collect();
        assert_eq!(elements, expected);
        let mut out = String::new();
        write(expected.iter().map(|e| e.as_deref()), &mut out);
        assert_eq!(out, r#"{1,NULL,"a b","say \"hi\"",2,3,""}"#);
        assert!(parse("{}").is_empty());
        assert!(parse("not an array").is_empty());
    }
}
