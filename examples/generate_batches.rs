//! Generate synthetic rows as Arrow batches, without any sink: the library way to feed your own
//! test harness.
//!
//! `cargo run --example generate_batches -- profiles/chinook.yaml invoice`

use understudy::generate::{Generator, Request};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .unwrap_or_else(|| "profiles/chinook.yaml".into());
    let table = args.next().unwrap_or_else(|| "invoice".into());
    let profile = understudy::profile::from_yaml(&std::fs::read_to_string(&path)?)?;
    let generator = Generator::new(
        &profile,
        &Request {
            seed: 42,
            ..Request::default()
        },
    )?;
    let index = generator
        .tables()
        .iter()
        .position(|t| t.table.name == table)
        .ok_or_else(|| anyhow::anyhow!("{path} has no table {table}"))?;
    // Any chunk can be made on its own, in any order, on any thread.
    for chunk in 0..generator.chunk_count(index) {
        let batch = generator.batch(index, chunk);
        println!(
            "chunk {chunk}: {} rows, {} columns",
            batch.num_rows(),
            batch.num_columns()
        );
        let options = arrow::util::display::FormatOptions::default().with_null("NULL");
        let columns: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| arrow::util::display::ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<_, _>>()?;
        for row in 0..batch.num_rows().min(3) {
            let values: Vec<String> = columns.iter().map(|c| c.value(row).to_string()).collect();
            println!("  {}", values.join(" | "));
        }
    }
    Ok(())
}
