//! The text form an `hstore` value travels in: `"key"=>"value", "other"=>NULL`, as COPY prints
//! it. One reader and one writer for the profiler, the generator and the binary COPY encoder.

/// The pairs of an hstore literal, in order; `None` for text that is no hstore literal.
pub fn parse(text: &str) -> Option<Vec<(String, Option<String>)>> {
    let mut pairs = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (key, after) = token(rest)?;
        let after = after.trim_start().strip_prefix("=>")?.trim_start();
        let quoted = after.starts_with('"');
        let (value, after) = token(after)?;
        let value = (quoted || !value.eq_ignore_ascii_case("null")).then_some(value);
        pairs.push((key, value));
        rest = after.trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            rest = next.trim_start();
        } else if !rest.is_empty() {
            return None;
        }
    }
    Some(pairs)
}

/// A quoted or bare token at the start of `text`, and what follows it.
fn token(text: &str) -> Option<(String, &str)> {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text
            .find(|c: char| c.is_whitespace() || c == ',' || c == '=')
            .unwrap_or(text.len());
        return (end > 0).then(|| (text[..end].to_string(), &text[end..]));
    };
    let mut value = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => value.push(chars.next()?.1),
            '"' => return Some((value, &quoted[i + 1..])),
            c => value.push(c),
        }
    }
    None
}

/// Appends an hstore literal of `pairs`.
pub fn write<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>, out: &mut String) {
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        quote(key, out);
        out.push_str("=>");
        match value {
            Some(v) => quote(v, out),
            None => out.push_str("NULL"),
        }
    }
}

fn quote(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
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

    #[test]
    fn pairs_parse_and_write_back() {
        let text = r#""size"=>"1", "color"=>NULL, "q\"k"=>"a\\b""#;
        let pairs = parse(text).unwrap();
        assert_eq!(
            pairs,
            vec![
                ("size".into(), Some("1".into())),
                ("color".into(), None),
                ("q\"k".into(), Some("a\\b".into())),
            ]
        );
        let mut out = String::new();
        write(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_deref())),
            &mut out,
        );
        assert_eq!(out, text);
        assert_eq!(parse(""), Some(vec![]));
        assert_eq!(parse("a=>b, c"), None);
        assert_eq!(parse(r#""a"=>"b"#), None);
    }
}
