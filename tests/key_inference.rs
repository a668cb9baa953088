//! Keys inferred from exports that declare none: the vendored sample datasets (CSV and
//! Parquet) against their declared keys, and a five-table export keyed by text codes without
//! key-like names, generated into PostgreSQL with the inferred keys as constraints.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use common::*;
use serde_json::Value;

type Keys = (
    BTreeSet<(String, Vec<String>)>,
    BTreeSet<(String, String, String)>,
);

/// Primary keys (table, sorted columns) and single-column foreign keys (table, column, parent)
/// as `introspect --json` prints them.
fn keys(dir: &Path, source: &str) -> Keys {
    let out = understudy(dir, &["introspect", source, "--json"]);
    assert_ok(&out);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut pks = BTreeSet::new();
    let mut fks = BTreeSet::new();
    for t in json["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap().to_string();
        let mut pk: Vec<String> = t["primary_key"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        pk.sort();
        if !pk.is_empty() {
            pks.insert((name.clone(), pk));
        }
        for fk in t["foreign_keys"].as_array().unwrap() {
            let columns = fk["columns"].as_array().unwrap();
            fks.insert((
                name.clone(),
                columns
                    .iter()
                    .map(|c| c.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
                fk["references"]["table"].as_str().unwrap().to_string(),
            ));
        }
    }
    (pks, fks)
}

#[test]
fn sample_datasets_keys_are_found_from_csv_and_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    for dataset in ["chinook", "northwind"] {
        let dir = data_dir(dataset);
        let (declared_pks, declared_fks) =
            keys(tmp.path(), dir.join("schema.sql").to_str().unwrap());
        for format in ["csv", "parquet"] {
            let (pks, fks) = keys(tmp.path(), dir.join(format).to_str().unwrap());
            let missed: Vec<_> = declared_pks.difference(&pks).collect();
            assert!(
                missed.is_empty(),
                "{dataset} {format}: primary keys missed: {missed:?}"
            );
            let false_fks: Vec<_> = fks.difference(&declared_fks).collect();
            assert!(
                false_fks.is_empty(),
                "{dataset} {format}: false foreign keys: {false_fks:?}"
            );
            let found = declared_fks.intersection(&fks).count();
            assert!(
                found * 10 >= declared_fks.len() * 9,
                "{dataset} {format}: {found} of {} foreign keys: missed {:?}",
                declared_fks.len(),
                declared_fks.difference(&fks).collect::<Vec<_>>()
            );
        }
    }
}

/// A five-table export as a warehouse hands it over: text codes without key-like names; a
/// parent keyed by a short code that its child holds under the parent's name (`store.region`),
/// one whose code the child holds under the same name (`sale.store`), one whose code the child
/// holds under an unrelated name with 3 % orphan rows (`sale.bought`), and a composite key of a
/// code and a timestamp (`price_history (sku, valid_from)`).
fn write_export(dir: &Path) {
    let regions = ["NE", "NW", "SE", "SW", "CE", "MT"];
    let labels = [
        "North East",
        "North West",
        "South East",
        "South West",
        "Centre",
        "Mountains",
    ];
    let mut region = String::from("code,label\n");
    for (code, label) in regions.iter().zip(labels) {
        writeln!(region, "{code},{label}").unwrap();
    }
    let mut store = String::from("store,region,opened\n");
    for i in 0..40 {
        let day = 1 + i * 7 % 28;
        writeln!(
            store,
            "ST-{:04},{},2019-03-{day:02}",
            17 * i + 3,
            regions[i % 6]
        )
        .unwrap();
    }
    let sku = |i: usize| format!("P{:05}", (i * 7919) % 100_000);
    let mut product = String::from("sku,category,price\n");
    for i in 0..200 {
        let category = ["toys", "food", "tools"][i % 3];
        writeln!(
            product,
            "{},{category},{}.{:02}",
            sku(i),
            3 + i % 90,
            i % 100
        )
        .unwrap();
    }
    let mut sale = String::from("ticket,store,bought,sold_at,qty\n");
    for i in 0..3000usize {
        let store = 17 * ((i * 31) % 40) + 3;
        // 3 % of rows name a discontinued product, missing from the product table.
        let bought = if i % 33 == 0 {
            sku(200 + i % 7)
        } else {
            sku((i * 13) % 200)
        };
        let (day, hour) = (1 + i % 28, i % 24);
        writeln!(
            sale,
            "T{:07},ST-{store:04},{bought},2024-02-{day:02} {hour:02}:15:00,{}",
            1_000_000 + i * 3,
            1 + i % 5
        )
        .unwrap();
    }
    let mut history = String::from("sku,valid_from,price\n");
    for i in 0..200 {
        for k in 0..(1 + i % 4) {
            let month = 1 + 3 * k;
            writeln!(
                history,
                "{},2023-{month:02}-01 0{}:00:00,{}.50",
                sku(i),
                i % 9,
                5 + k
            )
            .unwrap();
        }
    }
    for (name, text) in [
        ("region", region),
        ("store", store),
        ("product", product),
        ("sale", sale),
        ("price_history", history),
    ] {
        std::fs::write(dir.join(format!("{name}.csv")), text).unwrap();
    }
}

#[test]
fn an_export_keyed_by_codes_generates_into_postgres_without_orphans_or_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let export = tmp.path().join("export");
    std::fs::create_dir(&export).unwrap();
    write_export(&export);
    let (pks, fks) = keys(tmp.path(), "export");
    let expected_pks: BTreeSet<(String, Vec<String>)> = [
        ("region", vec!["code"]),
        ("store", vec!["store"]),
        ("product", vec!["sku"]),
        ("sale", vec!["ticket"]),
        ("price_history", vec!["sku", "valid_from"]),
    ]
    .into_iter()
    .map(|(t, k)| (t.to_string(), k.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(pks, expected_pks);
    let expected_fks: BTreeSet<(String, String, String)> = [
        ("store", "region", "region"),
        ("sale", "store", "store"),
        ("sale", "bought", "product"),
        ("price_history", "sku", "product"),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.into(), b.into(), c.into()))
    .collect();
    assert_eq!(fks, expected_fks);

    assert_ok(&understudy(
        tmp.path(),
        &["profile", "export", "-o", "p.yaml"],
    ));
    let profile = read_profile(&tmp.path().join("p.yaml"));
    let sale = profile.table("sale").unwrap();
    let bought = sale
        .schema
        .foreign_keys
        .iter()
        .find(|f| f.columns == ["bought"])
        .unwrap();
    let evidence = bought
        .evidence
        .as_ref()
        .expect("inferred keys carry evidence");
    assert_eq!(evidence.name_score, 0.0);
    assert_eq!(
        evidence.orphan_share, 0.030333,
        "91 of 3000 rows are orphans"
    );
    assert!(
        evidence.containment < 1.0 && evidence.containment >= 0.9,
        "{evidence:?}"
    );
    let text = std::fs::read_to_string(tmp.path().join("p.yaml")).unwrap();
    assert!(
        text.contains("orphan_share: 0.030333"),
        "the evidence is in the file"
    );
    let removed = format!("{text}overrides:\n  sale:\n    off: [\"bought -> product\"]\n");
    let edited = understudy::profile::from_yaml(&removed).unwrap();
    let sale_keys = &edited.table("sale").unwrap().schema.foreign_keys;
    assert_eq!(
        sale_keys.len(),
        1,
        "the reviewer removed one: {sale_keys:?}"
    );

    let Some(db) = TestDb::create("key_inference_export") else {
        return;
    };
    assert_ok(&understudy(
        tmp.path(),
        &[
            "generate", "p.yaml", "-o", &db.url, "--create", "--scale", "3",
        ],
    ));
    let mut client = db.client();
    let count = |client: &mut postgres::Client, sql: &str| -> i64 {
        client.query_one(sql, &[]).unwrap().get(0)
    };
    let constraints = count(
        &mut client,
        "SELECT count(*) FROM pg_constraint WHERE contype IN ('p', 'f') \
         AND conrelid::regclass::text IN ('region', 'store', 'product', 'sale', 'price_history')",
    );
    assert_eq!(constraints, 9, "5 primary keys and 4 foreign keys");
    for (child, column, parent, key) in [
        ("store", "region", "region", "code"),
        ("sale", "store", "store", "store"),
        ("sale", "bought", "product", "sku"),
        ("price_history", "sku", "product", "sku"),
    ] {
        let orphans = count(
            &mut client,
            &format!(
                "SELECT count(*) FROM {child} c LEFT JOIN {parent} p ON p.{key} = c.{column} \
                 WHERE c.{column} IS NOT NULL AND p.{key} IS NULL"
            ),
        );
        assert_eq!(orphans, 0, "{child}.{column} orphans");
    }
    for (table, key) in [
        ("region", "code"),
        ("store", "store"),
        ("product", "sku"),
        ("sale", "ticket"),
        ("price_history", "sku, valid_from"),
    ] {
        let duplicates = count(
            &mut client,
            &format!(
                "SELECT count(*) FROM (SELECT 1 FROM {table} GROUP BY {key} HAVING count(*) > 1) d"
            ),
        );
        assert_eq!(duplicates, 0, "{table} ({key}) duplicates");
    }
    assert_eq!(count(&mut client, "SELECT count(*) FROM sale"), 9000);
}

/// The primary key inferred for `table`, its columns sorted and joined by commas.
fn primary_key_of(pks: &BTreeSet<(String, Vec<String>)>, table: &str) -> Option<String> {
    pks.iter()
        .find(|(t, _)| t == table)
        .map(|(_, columns)| columns.join(","))
}

/// A unique column with nothing key-like about it is no key: generating it as one overwrote a
/// population with counters and names with codes. A time series keeps its date as its key, and
/// a `(symbol, day)` key keeps its symbols, the day carrying the uniqueness.
#[test]
fn unique_measures_and_names_are_no_keys_and_a_time_series_is_keyed_by_its_date() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut series = String::from("month,population,employed\n");
    for i in 0..120u32 {
        let (year, month) = (2000 + i / 12, 1 + i % 12);
        writeln!(
            series,
            "{year}-{month:02}-01,{},{}",
            198_712 + i * 871,
            130_046 + i * 97 + i % 5
        )
        .unwrap();
    }
    std::fs::write(data.join("series.csv"), series).unwrap();
    let mut people = String::from("full_name,city\n");
    let (first, last) = (
        ["Ana", "Bo", "Cy", "Di", "Ed"],
        ["Ng", "Li", "Ortiz", "Kay"],
    );
    for i in 0..20 {
        writeln!(people, "{} {},city {}", first[i % 5], last[i / 5], i % 3).unwrap();
    }
    std::fs::write(data.join("people.csv"), people).unwrap();
    let mut prices = String::from("symbol,day,price\n");
    for day in 0..100u32 {
        for symbol in ["AAPL", "MSFT", "IBM"] {
            let date = 20 + day * 3;
            writeln!(
                prices,
                "{symbol},2020-{:02}-{:02},{day}.5",
                1 + date / 28 % 12,
                1 + date % 28
            )
            .unwrap();
        }
    }
    std::fs::write(data.join("prices.csv"), prices).unwrap();
    // Titles repeat across years, so (title, year) is unique, but no key: as one, the titles
    // would be generated as codes.
    let mut films = String::from("title,year,minutes\n");
    for i in 0..200u32 {
        let title = [
            "The Long Night",
            "A River Runs",
            "Stone and Sky",
            "Late Summer",
        ][i as usize % 4];
        writeln!(films, "{title} {},{},{}", i / 8, 1950 + i % 8, 80 + i % 20).unwrap();
    }
    std::fs::write(data.join("films.csv"), films).unwrap();
    let (pks, _) = keys(tmp.path(), data.to_str().unwrap());
    let pk = |table: &str| primary_key_of(&pks, table);
    assert_eq!(pk("series").as_deref(), Some("month"));
    assert_eq!(pk("people"), None);
    assert_eq!(pk("prices").as_deref(), Some("day,symbol"));
    assert_eq!(pk("films"), None);

    let out = profile_and_generate_into(tmp.path(), &data);
    let column = |table: &str, name: &str| -> Vec<String> {
        let text = std::fs::read_to_string(out.join(format!("{table}.csv"))).unwrap();
        let mut lines = text.lines();
        let at = lines
            .next()
            .unwrap()
            .split(',')
            .position(|c| c == name)
            .unwrap();
        lines
            .map(|l| l.split(',').nth(at).unwrap().to_string())
            .collect()
    };
    // The population stays within its real range instead of counting up from its start.
    let population: Vec<f64> = column("series", "population")
        .iter()
        .map(|v| v.parse().unwrap())
        .collect();
    let span = population.iter().cloned().fold(f64::MIN, f64::max)
        - population.iter().cloned().fold(f64::MAX, f64::min);
    assert!(span > 50_000.0, "population spans {span}");
    let symbols: BTreeSet<String> = column("prices", "symbol").into_iter().collect();
    assert_eq!(
        symbols,
        ["AAPL", "IBM", "MSFT"].map(String::from).into(),
        "symbols stay symbols"
    );
}

/// A code key need not come first (`iso3` after a name and a population), a `(year, team)` key
/// keeps its years among the real ones (the team carries the uniqueness, not the year), and a
/// `(sample, species)` key keeps its species (the sample number, counting from one, carries).
#[test]
fn a_code_key_anywhere_and_a_year_team_key_keep_their_values() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut countries = String::from("name,population,iso3\n");
    for i in 0..30u32 {
        let code: String = [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8, b'X']
            .iter()
            .map(|&b| b as char)
            .collect();
        writeln!(
            countries,
            "Republic of Place {i},{},{code}",
            1_000_000 + i * 377_001
        )
        .unwrap();
    }
    std::fs::write(data.join("countries.csv"), countries).unwrap();
    let mut seasons = String::from("year,team,wins\n");
    for year in 2001..2021u32 {
        for team in ["BOS", "NYA", "CHA", "DET", "SEA", "TEX"] {
            writeln!(
                seasons,
                "{year},{team},{}",
                60 + (year * 7 + team.len() as u32) % 40
            )
            .unwrap();
        }
    }
    std::fs::write(data.join("seasons.csv"), seasons).unwrap();
    let mut samples = String::from("sample,species,mass\n");
    for (species, count) in [
        ("Adelie Penguin", 150),
        ("Gentoo penguin", 120),
        ("Chinstrap", 70),
    ] {
        for sample in 1..=count {
            writeln!(samples, "{sample},{species},{}", 3000 + sample * 7).unwrap();
        }
    }
    std::fs::write(data.join("samples.csv"), samples).unwrap();
    let (pks, _) = keys(tmp.path(), data.to_str().unwrap());
    let pk = |table: &str| primary_key_of(&pks, table);
    assert_eq!(pk("countries").as_deref(), Some("iso3"));
    assert_eq!(pk("seasons").as_deref(), Some("team,year"));
    assert_eq!(pk("samples").as_deref(), Some("sample,species"));
    let out = profile_and_generate_into(tmp.path(), &data);
    let text = std::fs::read_to_string(out.join("seasons.csv")).unwrap();
    for line in text.lines().skip(1) {
        let year: u32 = line.split(',').next().unwrap().parse().unwrap();
        assert!((2001..=2020).contains(&year), "{line}");
    }
    // A sample number counts within its species: it carries the key, and the species stay.
    let text = std::fs::read_to_string(out.join("samples.csv")).unwrap();
    let species: BTreeSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(species.len(), 3, "{species:?}");
}
