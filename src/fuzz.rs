//! Fuzzing of the parsers that read untrusted text: the CSV tokenizer and value decoder, the
//! profile parser, and CHECK expressions. Inputs come from proptest strategies (random text
//! biased towards each grammar, and mutations of real inputs); a panic is a failure, an error is
//! an answer.
//!
//! `cargo test --lib fuzz` runs a few hundred cases per target, as CI does. A long session:
//! `UNDERSTUDY_FUZZ_SECS=600 cargo test --release --lib fuzz::csv -- --nocapture` runs one target
//! for ten minutes and prints how many inputs it tried.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Cases per target in an ordinary test run.
const CI_CASES: u64 = 300;

/// Runs `target` on inputs drawn from `strategy`: `CI_CASES` of them, or for
/// `UNDERSTUDY_FUZZ_SECS` seconds. Panics (with the input) if `target` panics.
fn fuzz<S: Strategy>(name: &str, strategy: S, target: impl Fn(&S::Value))
where
    S::Value: std::fmt::Debug,
{
    let budget = std::env::var("UNDERSTUDY_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(Duration::from_secs);
    let seed = std::env::var("UNDERSTUDY_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let started = Instant::now();
    let mut executions = 0u64;
    loop {
        let done = match budget {
            Some(limit) => started.elapsed() >= limit,
            None => executions >= CI_CASES,
        };
        if done {
            break;
        }
        let input = strategy
            .new_tree(&mut runner)
            .expect("strategies here never reject")
            .current();
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            panic!("fuzz {name}: panicked after {executions} inputs on {input:?}");
        }
        executions += 1;
    }
    eprintln!(
        "fuzz {name}: {executions} inputs in {:.1}s, 0 crashes",
        started.elapsed().as_secs_f64()
    );
}

/// Applies 1 to 4 random edits (delete, duplicate, replace, insert a token) to `text`.
fn mutations(text: String, tokens: &'static [&'static str]) -> impl Strategy<Value = String> {
    let len = text.len().max(1);
    prop::collection::vec(
        (0..4u8, 0..len, 0..len.min(64), prop::sample::select(tokens)),
        1..5,
    )
    .prop_map(move |edits| {
        let mut bytes = text.clone().into_bytes();
        for (kind, at, span, token) in edits {
            let at = at.min(bytes.len());
            let end = (at + span).min(bytes.len());
            match kind {
                0 => {
                    bytes.drain(at..end);
                }
                1 => {
                    let piece = bytes[at..end].to_vec();
                    bytes.splice(at..at, piece);
                }
                2 if at < bytes.len() => {
                    bytes[at] = token.as_bytes().first().copied().unwrap_or(b'x')
                }
                _ => {
                    bytes.splice(at..at, token.bytes());
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

mod csv {
    use super::*;
    use crate::schema::LogicalType;
    use crate::source::csv_records::{Record, Records};
    use crate::source::decode::ColumnDecoder;

    fn types() -> Vec<LogicalType> {
        vec![
            LogicalType::Bool,
            LogicalType::Int16,
            LogicalType::Int64,
            LogicalType::Float64,
            LogicalType::Decimal {
                precision: Some(10),
                scale: Some(2),
            },
            LogicalType::Decimal {
                precision: None,
                scale: None,
            },
            LogicalType::Date,
            LogicalType::Time,
            LogicalType::Timestamp,
            LogicalType::TimestampTz,
            LogicalType::Bytes,
            LogicalType::Text { max_chars: None },
        ]
    }

    /// Tokenizes `input` and decodes every field as every type.
    fn read(input: &[u8], delimiter: u8) {
        let mut records = Records::new(input, delimiter);
        let mut record = Record::default();
        let mut decoders: Vec<ColumnDecoder> = types().iter().map(ColumnDecoder::new).collect();
        while let Ok(true) = records.read(&mut record) {
            for i in 0..record.len() {
                let (text, quoted) = record.field(i);
                let value = (quoted || !text.is_empty()).then_some(text);
                for d in &mut decoders {
                    let _ = d.push(value);
                }
            }
        }
        for d in &mut decoders {
            d.finish();
        }
    }

    const PIECES: &[&str] = &[
        "a",
        ",",
        ";",
        "\"",
        "\"\"",
        "\n",
        "\r\n",
        "\r",
        "1",
        "-",
        "2024-02-29",
        "12:30:00",
        "1e309",
        "NaN",
        "é",
        "\u{feff}",
        "\\x0f",
        "t",
        "9999999999999999999999",
        " ",
        "\0",
        "\u{fffd}",
        "00:00:00.0000001",
        "-infinity",
    ];

    #[test]
    fn csv() {
        let real = "id,name,price,at\n1,\"Doe, \"\"J\"\"\",9.99,2024-01-31 10:00:00\n2,,1e3,\n";
        let pieces = prop::collection::vec(prop::sample::select(PIECES), 0..60)
            .prop_map(|p| p.concat().into_bytes());
        let raw = prop::collection::vec(any::<u8>(), 0..200);
        let mutated = mutations(real.to_string(), PIECES).prop_map(String::into_bytes);
        let input = (
            prop_oneof![pieces, raw, mutated],
            prop::sample::select(vec![b',', b';', b'\t', b'|']),
        );
        fuzz("csv", input, |(bytes, delimiter)| read(bytes, *delimiter));
    }
}

mod profile_parser {
    use super::*;

    const TOKENS: &[&str] = &[
        ":",
        "- ",
        "[",
        "]",
        "{",
        "}",
        "null",
        "~",
        "1e309",
        "-1",
        "0",
        "\n",
        "  ",
        "\t",
        "'",
        "\"",
        "&a ",
        "*a",
        "!!binary ",
        "format_version: 9\n",
        "kind: text",
        "share: 2",
        "columns: []",
        "?",
        "#",
        "overrides:\n  x: {}\n",
        "pii: yes",
        "18446744073709551616",
    ];

    fn bundled(name: &str) -> String {
        let path = format!("{}/profiles/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).expect("the bundled profiles are in the repository")
    }

    /// Parses, and writes back what parsed.
    fn parse(text: &str) {
        if let Ok(profile) = crate::profile::from_yaml(text) {
            let _ = crate::profile::to_yaml(&profile);
        }
    }

    #[test]
    fn profile_parser() {
        let inputs = prop_oneof![
            mutations(bundled("chinook.yaml"), TOKENS),
            mutations(bundled("shop.yaml"), TOKENS),
            ".{0,300}",
        ];
        fuzz("profile_parser", inputs, |text| parse(text));
    }
}

mod checks {
    use super::*;
    use crate::generate::checks::{partition_bound, Constraints};

    const ATOMS: &[&str] = &[
        "price",
        "VALUE",
        "a",
        "b",
        "0",
        "-1",
        "1.5",
        "'x'",
        "'2024-02-29'",
        "'2024-02-30'::date",
        "NULL",
        "TRUE",
        "1e400",
        "99999999999999999999999",
        "now()",
        "lower(a)",
        "ARRAY['a','b']",
        "'a'::text",
        "(b)",
        "''",
    ];
    const OPS: &[&str] = &[
        " = ", " <> ", " < ", " <= ", " > ", " >= ", " AND ", " OR ", " + ", " - ", " ~ ", " LIKE ",
    ];

    /// Random expressions from the CHECK grammar's pieces, and a few wrapped forms.
    fn expression() -> impl Strategy<Value = String> {
        let atom = prop::sample::select(ATOMS).prop_map(String::from);
        atom.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), prop::sample::select(OPS), inner.clone())
                    .prop_map(|(a, op, b)| format!("{a}{op}{b}")),
                inner.clone().prop_map(|a| format!("({a})")),
                inner.clone().prop_map(|a| format!("NOT {a}")),
                inner.clone().prop_map(|a| format!("{a} IS NOT NULL")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, b, c)| format!("{a} BETWEEN {b} AND {c}")),
                (inner.clone(), prop::collection::vec(inner.clone(), 0..4))
                    .prop_map(|(a, l)| format!("{a} IN ({})", l.join(", "))),
                (inner.clone(), inner).prop_map(|(a, b)| format!("{a} = ANY ({b})")),
            ]
        })
    }

    #[test]
    fn checks() {
        let inputs = prop_oneof![4 => expression(), 1 => ".{0,80}"];
        fuzz("checks", inputs, |text| {
            let mut c = Constraints::default();
            let _ = c.add_check(text, Some("price"));
            let _ = Constraints::default().add_check(text, None);
            let _ = partition_bound(&format!("FOR VALUES IN ({text})"));
            let _ = partition_bound(&format!("FOR VALUES FROM ({text}) TO (MAXVALUE)"));
        });
    }
}
