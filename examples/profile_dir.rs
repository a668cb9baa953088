//! Library use: profile a directory of CSV or Parquet files and print what was learned.
//!
//! `cargo run --example profile_dir -- tests/data/chinook/csv`

use understudy::run::profile::{profile_source, ProfileOptions};
use understudy::source::{self, csv::CsvOptions};

fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "tests/data/chinook/csv".into());
    let source = source::open(&dir, &CsvOptions::default(), &[], None)?;
    let profile = profile_source(source.as_ref(), &ProfileOptions::default())?;
    for table in &profile.tables {
        let keys: Vec<String> = table
            .schema
            .foreign_keys
            .iter()
            .map(|fk| format!("{} -> {}", fk.columns.join(","), fk.references.table))
            .collect();
        println!(
            "{:<24} {:>7} rows  pk {:?}  fks {:?}",
            table.schema.name, table.row_count, table.schema.primary_key, keys
        );
        for stats in table.column_stats.iter().filter(|s| s.null_rate > 0.0) {
            println!(
                "    {:<22} {:>5.1} % NULL",
                stats.column,
                stats.null_rate * 100.0
            );
        }
    }
    Ok(())
}
