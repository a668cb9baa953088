//! The run manifest: what one `generate` run wrote, so a failing test can be traced to its
//! cause. The understudy version, the seed, the profile's hash, rows per table, a checksum per
//! file, the time taken, and every injected edge case with its row, its value and the row's key.
//!
//! Everything in it but `elapsed_seconds` is a function of the inputs, so two runs with the
//! same seed write the same manifest apart from that field, whatever the thread count. This
//! module is plain data and its JSON form; `run::generate` fills it and the sinks write it
//! (`manifest.json` beside files, a row of `--manifest-table` in PostgreSQL).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The file name of the manifest in a directory target.
pub const FILE_NAME: &str = "manifest.json";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub understudy: String,
    pub seed: u64,
    pub profile: ProfileHash,
    /// `csv`, `parquet` or `postgres`.
    pub target: String,
    /// `K/N` when one shard of a run was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge_cases: Option<EdgeCaseRequest>,
    /// Rows written per table, in load order.
    pub tables: Vec<TableRows>,
    /// Each data file written (none for PostgreSQL), in load order.
    pub files: Vec<OutputFile>,
    /// Wall-clock time of the run; the one field that differs between identical runs.
    pub elapsed_seconds: f64,
    /// Every injected edge case, by table (load order), then row, then column.
    pub injected: Vec<InjectedCell>,
}

/// The profile (or DDL file) the run was generated from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileHash {
    /// The path as given on the command line.
    pub file: String,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeCaseRequest {
    pub rate: f64,
    /// The kinds asked for (every kind when `--edge-kinds` was not given).
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableRows {
    pub name: String,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputFile {
    /// The file's name in the output directory.
    pub name: String,
    pub bytes: u64,
    /// SHA-256 of the file's bytes, in hex.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjectedCell {
    pub table: String,
    /// The row's index in its table (0-based; in CSV, data line `row + 1` after the header).
    pub row: u64,
    pub column: String,
    /// The edge-case kind (`emoji-zwj`, `feb-29`, …).
    pub kind: String,
    /// The value as the CSV output writes it, unquoted.
    pub value: String,
    /// The row's primary key, column by column, as the CSV output writes it; empty for a table
    /// without one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub key: BTreeMap<String, String>,
}

impl Manifest {
    /// Pretty JSON with a final newline; each injected cell on a line of its own, so a long
    /// list stays readable and greppable.
    pub fn to_json(&self) -> String {
        let head = Manifest {
            injected: Vec::new(),
            ..self.clone()
        };
        let text = serde_json::to_string_pretty(&head).expect("a manifest is plain data");
        let cells: Vec<String> = self
            .injected
            .iter()
            .map(|c| format!("    {}", serde_json::to_string(c).expect("plain data")))
            .collect();
        let list = match cells.is_empty() {
            true => "[]".to_string(),
            false => format!("[\n{}\n  ]", cells.join(",\n")),
        };
        let empty = "\"injected\": []";
        let at = text.rfind(empty).expect("the list is the last field");
        format!(
            "{}\"injected\": {list}{}\n",
            &text[..at],
            &text[at + empty.len()..]
        )
    }

    /// Reads a manifest back.
    pub fn from_json(text: &str) -> Result<Manifest, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    digest
        .iter()
        .flat_map(|b| {
            [
                HEX[(b >> 4) as usize] as char,
                HEX[(b & 0x0f) as usize] as char,
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_with_one_cell_per_line() {
        let cell = InjectedCell {
            table: "t".into(),
            row: 3,
            column: "note".into(),
            kind: "quotes".into(),
            value: r#"It's "quoted" \"#.into(),
            key: BTreeMap::from([("id".into(), "4".into())]),
        };
        let manifest = Manifest {
            injected: vec![cell.clone(), cell],
            ..Manifest::default()
        };
        let text = manifest.to_json();
        assert_eq!(Manifest::from_json(&text).unwrap(), manifest);
        assert_eq!(text.lines().filter(|l| l.contains("\"kind\"")).count(), 2);
        let empty = Manifest::default().to_json();
        assert!(empty.ends_with("\"injected\": []\n}\n"), "{empty}");
    }

    #[test]
    fn hashes_are_standard_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
