//! How many rows a chunk holds: as many as fit [`CHUNK_BYTES`] at the table's estimated row
//! width, up to [`MAX_CHUNK_ROWS`].
//!
//! A chunk is made whole in memory (value buffers, then Arrow arrays, then a sink's encoding),
//! so a fixed row count would let memory grow with the row's width: 65,536 rows of a
//! 50,000-column table are billions of cells, and a few rows of 200 MB text overflow an Arrow
//! string array's 2 GB of offsets. The width comes from the profile alone (text byte lengths,
//! null rates, the types), so the chunk size, and with it every generated value, is still a
//! function of the profile and never of the thread count. Ordinary tables (under
//! [`CHUNK_BYTES`] / [`MAX_CHUNK_ROWS`] = 512 bytes a row) keep 65,536 rows a chunk.

use arrow::datatypes::DataType;

use crate::profile::model::{bucket_end, ColumnStats, TableProfile};
use crate::schema::{Column, LogicalType};

/// Rows per chunk of a narrow table: the unit of parallel work and of seeding. Part of the
/// output contract: changing it changes every generated value.
pub const MAX_CHUNK_ROWS: u64 = 65_536;

/// The estimated bytes of one chunk's values, which sets the rows of a wide table's chunks.
/// Part of the output contract like [`MAX_CHUNK_ROWS`], for tables wider than 512 bytes a row.
pub const CHUNK_BYTES: u64 = 32 << 20;

/// Bytes a value of a fixed-width type takes, with its share of offsets and validity.
const FIXED_BYTES: f64 = 9.0;
/// Bytes assumed for a text or binary value without length statistics (a hand-written profile).
const UNKNOWN_TEXT_BYTES: f64 = 32.0;

/// Rows per chunk for a row of `row_bytes`: the largest power of two whose rows fit
/// [`CHUNK_BYTES`], between 1 and [`MAX_CHUNK_ROWS`]. A power of two, so that a small edit of
/// the profile rarely moves it (and with it the generated values).
pub fn chunk_rows(row_bytes: u64) -> u64 {
    let fit = (CHUNK_BYTES / row_bytes.max(1)).clamp(1, MAX_CHUNK_ROWS);
    1 << (63 - fit.leading_zeros())
}

/// The estimated in-memory bytes of one generated row of `table`: each column's mean value
/// size, from its learned byte lengths (an upper bound of each length bucket) and null rate.
pub fn row_bytes(table: &TableProfile) -> u64 {
    let bytes: f64 = table
        .schema
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let stats = table
                .column_stats
                .get(i)
                .filter(|s| s.column == column.name)
                .or_else(|| table.stats(&column.name));
            column_bytes(column, stats)
        })
        .sum();
    bytes.ceil() as u64
}

fn column_bytes(column: &Column, stats: Option<&ColumnStats>) -> f64 {
    if !matches!(
        column.logical.arrow_type(),
        DataType::Utf8 | DataType::Binary
    ) {
        return FIXED_BYTES;
    }
    let present = stats.map_or(1.0, |s| 1.0 - s.null_rate.clamp(0.0, 1.0));
    FIXED_BYTES + present * value_bytes(column, stats)
}

/// The mean bytes of a non-null text or binary value.
fn value_bytes(column: &Column, stats: Option<&ColumnStats>) -> f64 {
    let type_max = match column.logical {
        LogicalType::Text {
            max_chars: Some(n), ..
        } => Some(n as f64 * 4.0),
        _ => None,
    };
    let Some(text) = stats.and_then(|s| s.text.as_ref()) else {
        return type_max.map_or(UNKNOWN_TEXT_BYTES, |m| m.min(UNKNOWN_TEXT_BYTES));
    };
    // A value is at most 4 bytes a character.
    let most = text.max_chars as f64 * 4.0;
    text.bytes
        .iter()
        .map(|(&floor, &share)| share * (bucket_end(floor as u64) as f64).min(most))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::model::TextStats;
    use crate::schema::Table;

    fn text_stats(column: &str, bytes: &[(u32, f64)], max_chars: u32) -> ColumnStats {
        ColumnStats {
            column: column.into(),
            text: Some(TextStats {
                max_chars,
                bytes: bytes.iter().copied().collect(),
                ..TextStats::default()
            }),
            ..ColumnStats::default()
        }
    }

    fn table(columns: Vec<Column>, stats: Vec<ColumnStats>) -> TableProfile {
        TableProfile {
            schema: Table {
                name: "t".into(),
                columns,
                ..Table::default()
            },
            column_stats: stats,
            ..TableProfile::default()
        }
    }

    #[test]
    fn chunks_are_powers_of_two_that_fit_the_budget() {
        assert_eq!(chunk_rows(0), MAX_CHUNK_ROWS);
        assert_eq!(chunk_rows(512), MAX_CHUNK_ROWS);
        assert_eq!(chunk_rows(513), MAX_CHUNK_ROWS / 2);
        assert_eq!(chunk_rows(200_000_000), 1);
        for width in [1, 100, 700, 5_000, 450_000, 40 << 20] {
            let rows = chunk_rows(width);
            assert!(rows.is_power_of_two(), "{width}: {rows}");
            assert!(rows == 1 || rows * width <= CHUNK_BYTES, "{width}: {rows}");
            assert!(rows == MAX_CHUNK_ROWS || rows * 2 * width > CHUNK_BYTES);
        }
    }

    #[test]
    fn a_wide_table_gets_small_chunks() {
        let columns: Vec<Column> = (0..50_000)
            .map(|i| Column::new(format!("c{i}"), LogicalType::Int32, false))
            .collect();
        let wide = table(columns, Vec::new());
        assert_eq!(row_bytes(&wide), 450_000);
        assert_eq!(chunk_rows(row_bytes(&wide)), 64);
    }

    #[test]
    fn long_values_get_one_row_chunks_and_nulls_count_for_little() {
        let text = LogicalType::Text { max_chars: None };
        let long = table(
            vec![
                Column::new("id", LogicalType::Int64, false),
                Column::new("body", text.clone(), false),
            ],
            vec![
                ColumnStats {
                    column: "id".into(),
                    ..ColumnStats::default()
                },
                // Bucket [2^27, 1.5 × 2^27) capped by 200 M characters.
                text_stats("body", &[(134_217_728, 1.0)], 200_000_000),
            ],
        );
        assert_eq!(row_bytes(&long), 9 + 9 + 201_326_592);
        assert_eq!(chunk_rows(row_bytes(&long)), 1);

        let mut sparse = text_stats("note", &[(10, 0.5), (96, 0.5)], 150);
        sparse.null_rate = 0.75;
        let notes = table(vec![Column::new("note", text, true)], vec![sparse]);
        // 9 + 0.25 × (0.5 × 11 + 0.5 × 128): buckets [10, 11) and [96, 128), under 4 × 150.
        assert_eq!(row_bytes(&notes), 27);
    }
}
