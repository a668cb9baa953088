//! Reading a profile file in pieces: each table's column entries, a few hundred at a time,
//! apart from the rest of the file.
//!
//! `serde_norway` holds every parse event of a document in memory before it builds anything, at
//! about 100 bytes an event: a 50,000-column profile (32 MB of YAML) took 450 MB that way, more
//! than the profile it built. Cut at the lines that start a column entry, each piece holds the
//! events of a few hundred columns. A cut is made only at a line `  - ` inside a table's
//! `  columns:` list, which starts an entry unless it sits inside a quoted scalar or a flow
//! collection left open on an earlier line; the piece before it then ends unclosed and fails to
//! parse, and the caller reads the file whole instead.

use super::doc::{ColumnDoc, ProfileDoc};

/// Column entries parsed at a time.
const COLUMNS_PER_PIECE: usize = 256;

/// The line that opens a table's column list, as the emitter writes it.
const COLUMNS_KEY: &str = "  columns:";
/// How a column entry starts.
const ENTRY: &str = "  - ";

/// The document `text` holds, parsed in pieces; `None` when a piece does not parse.
pub fn read(text: &str) -> Option<ProfileDoc> {
    let (skeleton, lists) = split(text);
    let mut doc: ProfileDoc = serde_norway::from_str(&skeleton).ok()?;
    if doc.tables.len() != lists.len() {
        return None;
    }
    for (table, entries) in doc.tables.iter_mut().zip(lists) {
        if !table.columns.is_empty() {
            return None;
        }
        for piece in entries.chunks(COLUMNS_PER_PIECE) {
            let yaml = &text[piece[0].start..piece[piece.len() - 1].end];
            let columns: Vec<ColumnDoc> = serde_norway::from_str(yaml).ok()?;
            table.columns.extend(columns);
        }
    }
    Some(doc)
}

/// `text` without its column entries (each list written `columns: []`), and for each table in
/// order the byte ranges of its column entries.
fn split(text: &str) -> (String, Vec<Vec<std::ops::Range<usize>>>) {
    let mut skeleton = String::with_capacity(text.len().min(1 << 20));
    let mut lists: Vec<Vec<std::ops::Range<usize>>> = Vec::new();
    let mut in_list = false;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let range = at..at + line.len();
        at = range.end;
        let bare = line.trim_end_matches(['\n', '\r']);
        if in_list {
            let entries = lists.last_mut().expect("a list was opened");
            if bare.starts_with(ENTRY) {
                entries.push(range);
                continue;
            }
            let inside = bare.starts_with("    ") || bare.trim_start().is_empty();
            if let (true, Some(last)) = (inside, entries.last_mut()) {
                last.end = range.end;
                continue;
            }
            in_list = false;
        }
        if bare.starts_with("- ") {
            lists.push(Vec::new()); // a table's entry
        }
        if bare == COLUMNS_KEY && !lists.is_empty() {
            skeleton.push_str("  columns: []\n");
            in_list = true;
            continue;
        }
        skeleton.push_str(line);
    }
    (skeleton, lists)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_read_what_the_whole_file_reads() {
        for text in [
            include_str!("../../../profiles/chinook.yaml"),
            include_str!("../../../profiles/northwind.yaml"),
            include_str!("../../../profiles/saas.yaml"),
            include_str!("../../../profiles/shop.yaml"),
        ] {
            let whole: ProfileDoc = serde_norway::from_str(text).unwrap();
            let pieces = read(text).expect("a profile the emitter wrote");
            assert_eq!(pieces.tables.len(), whole.tables.len());
            let whole = whole.into_profile(2);
            assert!(whole.tables.iter().all(|t| !t.schema.columns.is_empty()));
            assert_eq!(pieces.into_profile(2), whole);
        }
    }

    #[test]
    fn a_cut_inside_an_open_value_is_refused() {
        let column = |name: &str, sql: &str| {
            format!(
                "  - name: {name}\n    sql: {sql}\n    type: {{kind: text}}\n    nullable: true\n"
            )
        };
        let head = "format_version: 2\ncreated_by: t\nsource: {kind: csv}\n\
                    privacy: {min_count: 5}\ntables:\n- name: t\n  rows: 1\n  columns:\n";
        let mut text = head.to_string();
        for i in 0..COLUMNS_PER_PIECE - 1 {
            text.push_str(&column(&format!("c{i}"), "text"));
        }
        // A quoted type name that runs over a line which looks like the next column's start,
        // at the first cut: the piece before it ends inside the quotes.
        text.push_str(&column("a", "\"text\n  - name: b\""));
        let whole: ProfileDoc = serde_norway::from_str(&text).unwrap();
        assert_eq!(whole.tables[0].columns.len(), COLUMNS_PER_PIECE);
        assert!(read(&text).is_none());
        // Inside a piece the same value is read as the whole file reads it.
        let short = format!("{head}{}", column("a", "\"text\n  - name: b\""));
        let pieces = read(&short).unwrap().into_profile(2);
        let whole: ProfileDoc = serde_norway::from_str(&short).unwrap();
        assert_eq!(pieces, whole.into_profile(2));
    }
}
