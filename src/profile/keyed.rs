//! Statistics of values made of named parts: an `hstore`'s keys and values, an `xml` document's
//! root element and text content. Keys are counted once per row and kept only when the privacy
//! guard lets them in (seen in at least `k` rows), with the share of rows that hold them; the
//! values (or the content) are learned by an ordinary text accumulator, so generation draws
//! them like a text column.

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, StringArray};

use super::column::ColumnAccumulator;
use super::model::KeyedStats;
use super::privacy::Guard;
use super::sketch::ValueCounter;
use crate::schema::{hstore_literal, Column, LogicalType};

/// A value's parts: (key, value) pairs.
type Split = fn(&str) -> Vec<(String, Option<String>)>;

#[derive(Debug, Clone)]
pub struct KeyedAccumulator {
    rows: u64,
    keys: ValueCounter<String>,
    values: Box<ColumnAccumulator>,
    value_column: Column,
    split: Split,
}

impl KeyedAccumulator {
    /// An accumulator for an hstore or xml column, or `None` for any other column.
    pub fn for_column(column: &Column) -> Option<Self> {
        let split: Split = match column.logical {
            LogicalType::Hstore => |v| hstore_literal::parse(v).unwrap_or_default(),
            LogicalType::Xml => |v| xml_root(v).into_iter().collect(),
            _ => return None,
        };
        let value_column = Column::new(
            column.name.clone(),
            LogicalType::Text { max_chars: None },
            true,
        );
        Some(KeyedAccumulator {
            rows: 0,
            keys: ValueCounter::default(),
            values: Box::new(ColumnAccumulator::new(&value_column)),
            value_column,
            split,
        })
    }

    /// Observes one array of values (Utf8).
    pub fn observe(&mut self, array: &ArrayRef) {
        let mut values = Vec::new();
        for text in array.as_string::<i32>().iter().flatten() {
            self.rows += 1;
            let mut parts = (self.split)(text);
            parts.sort();
            parts.dedup_by(|a, b| a.0 == b.0);
            for (key, value) in parts {
                self.keys.insert(key.as_str());
                values.push(value);
            }
        }
        if !values.is_empty() {
            let values: ArrayRef = Arc::new(StringArray::from(values));
            self.values.observe(&values);
        }
    }

    pub fn merge(&mut self, other: KeyedAccumulator) {
        self.rows += other.rows;
        self.keys.merge(other.keys);
        self.values.merge(*other.values);
    }

    pub fn finish(&self, guard: &Guard) -> Option<KeyedStats> {
        (self.rows > 0).then(|| KeyedStats {
            keys: guard.frequent(&self.keys, self.rows, String::clone),
            values: Box::new(self.values.finish(&self.value_column, guard, &None)),
        })
    }
}

/// An xml value's root element name and its text content (tags dropped, entities kept as
/// written), or nothing for a fragment without one root.
fn xml_root(text: &str) -> Option<(String, Option<String>)> {
    let start = text.trim_start().strip_prefix("<?xml").map_or(text, |_| {
        text.find("?>").map_or(text, |end| &text[end + 2..])
    });
    let open = start.trim_start().strip_prefix('<')?;
    let name: String = open
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '>' | '/'))
        .collect();
    if name.is_empty() || name.starts_with(['!', '?']) {
        return None;
    }
    let mut content = String::new();
    let mut in_tag = false;
    for c in start.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => content.push(c),
            _ => {}
        }
    }
    let content = content.trim().to_string();
    Some((name, Some(content)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_pass_the_guard_and_values_are_learned() {
        let column = Column::new("attrs", LogicalType::Hstore, true);
        let mut acc = KeyedAccumulator::for_column(&column).unwrap();
        let values: ArrayRef = Arc::new(StringArray::from(vec![
            Some(r#""color"=>"red", "size"=>"1""#),
            Some(r#""color"=>"blue", "rare"=>"x""#),
            Some(r#""color"=>"red""#),
            None,
        ]));
        acc.observe(&values);
        let stats = acc.finish(&Guard::new(2)).unwrap();
        assert_eq!(stats.keys.len(), 1, "size and rare are in one row each");
        assert_eq!(
            (stats.keys[0].value.as_str(), stats.keys[0].share),
            ("color", 1.0)
        );
        assert_eq!(stats.values.frequent[0].value, "red");
    }

    #[test]
    fn xml_roots_and_content() {
        assert_eq!(
            xml_root(r#"<?xml version="1.0"?><item id="1">value <b>1</b></item>"#),
            Some(("item".into(), Some("value 1".into())))
        );
        assert_eq!(xml_root("plain text"), None);
    }
}
