//! The privacy guard end to end: a snapshot with planted canaries (personal values that must
//! never leave it), profiled, generated ten times over, and audited; and a table too small for
//! the guard to report its quantiles, whose dates must still spread as the real ones do.

mod common;

use std::path::Path;

use common::{
    assert_error, assert_ok, bundled_profile, profile_csv_tables, read_profile, stdout, understudy,
};
use understudy::profile::Share;

/// Values that must appear neither in the profile nor in generated data.
const CANARIES: &[&str] = &[
    "078-05-1120",                    // a unique SSN, under a neutral column name
    "olwen.brackenridge@example.org", // an email
    "Brackenridge",                   // a rare surname
    "Olwen Brackenridge",             // a full name on 6 of her invoices, column `customer`
    "17 Quillfeather Lane",           // a street address, column `home`, and on 6 invoices
    "Xylophrax",                      // a free-text token, in the same phrase on 8 rows
    "73301",                          // a postal code on 7 invoices of one customer
];

const FIRST: &[&str] = &[
    "Maria", "Peter", "Anna", "John", "Laura", "Carlos", "Sofia", "David", "Emma", "Lucas",
];
const LAST: &[&str] = &[
    "Smith", "Johnson", "Brown", "Miller", "Davis", "Garcia", "Wilson", "Moore", "Taylor",
    "Anderson", "Thomas", "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Scott",
    "Green",
];
const ZONES: &[&str] = &["North", "South", "East", "West"];
const COUNTRIES: &[&str] = &["USA", "Canada", "Brazil", "France"];

/// 40 customers (customer 3 is Olwen Brackenridge) and 2 to 7 invoices each (customer 3 has 6,
/// customer 5 has 7 with postal code 73301).
fn write_snapshot(dir: &Path) {
    let mut customers = String::from("customer_id,customer,contact,ref_code,home,country,notes\n");
    let mut invoices = String::from("invoice_id,customer_id,customer,ship_to,billing_zone,total\n");
    let mut invoice_id = 1;
    for c in 1..=40usize {
        let name = if c == 3 {
            "Olwen Brackenridge".to_string()
        } else {
            format!("{} {}", FIRST[c % FIRST.len()], LAST[(c * 7) % LAST.len()])
        };
        let email = if c == 3 {
            "olwen.brackenridge@example.org".to_string()
        } else {
            format!("{}@example.com", name.to_lowercase().replace(' ', "."))
        };
        let ssn = if c == 3 {
            "078-05-1120".to_string()
        } else {
            format!("{:03}-{:02}-{:04}", 100 + c, 10 + c % 80, 1000 + c * 37)
        };
        let home = if c == 3 {
            "17 Quillfeather Lane".to_string()
        } else {
            format!("{} {} Street", 10 + c * 3, LAST[c % LAST.len()])
        };
        let note = if c <= 8 {
            "please call back about the Xylophrax order before friday".to_string()
        } else {
            format!(
                "customer since {} and happy with the service so far",
                2000 + c % 20
            )
        };
        customers.push_str(&format!(
            "{c},{name},{email},{ssn},{home},{},\"{note}\"\n",
            COUNTRIES[c % COUNTRIES.len()]
        ));
        let count = match c {
            3 => 6,
            5 => 7,
            _ => 2 + c % 6,
        };
        for i in 0..count {
            let zone = if c == 5 {
                "73301"
            } else {
                ZONES[(c + i) % ZONES.len()]
            };
            let ship_to = if c == 3 {
                home.clone()
            } else {
                format!("Dock {}", 1 + i % 3)
            };
            invoices.push_str(&format!(
                "{invoice_id},{c},{name},{ship_to},{zone},{}.{:02}\n",
                1 + (c * i) % 20,
                (c * 13 + i) % 100
            ));
            invoice_id += 1;
        }
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("customers.csv"), customers).unwrap();
    std::fs::write(dir.join("invoices.csv"), invoices).unwrap();
}

fn assert_no_canary(what: &str, text: &str) {
    for canary in CANARIES {
        assert!(!text.contains(canary), "{what} holds the canary {canary:?}");
    }
}

#[test]
fn canaries_stay_out_of_the_profile_the_data_and_pass_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot");
    write_snapshot(&snapshot);
    let raw = std::fs::read_to_string(snapshot.join("invoices.csv")).unwrap();
    assert_eq!(
        raw.matches("Olwen Brackenridge").count(),
        6,
        "the snapshot plants them"
    );
    assert_eq!(raw.matches("73301").count(), 7);

    assert_ok(&understudy(
        dir.path(),
        &["profile", "snapshot", "-o", "p.yaml"],
    ));
    let yaml = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
    assert_no_canary("the profile", &yaml);
    let profile = read_profile(&dir.path().join("p.yaml"));
    let customers = profile.table("customers").unwrap();
    for column in ["customer", "contact", "ref_code", "home", "notes"] {
        let stats = customers.stats(column).unwrap();
        assert!(
            stats.pii.is_some(),
            "customers.{column} is personal data by value"
        );
        assert!(stats.frequent.is_empty());
    }
    let zone = profile
        .table("invoices")
        .unwrap()
        .stats("billing_zone")
        .unwrap();
    assert!(zone.pii.is_none(), "region names are not personal");
    let zones: Vec<&str> = zone.frequent.iter().map(|f| f.value.as_str()).collect();
    assert!(
        zones.contains(&"North"),
        "values of many customers stay: {zones:?}"
    );

    assert_ok(&understudy(
        dir.path(),
        &[
            "generate", "p.yaml", "-o", "out", "--scale", "10", "--format", "csv",
        ],
    ));
    for table in ["customers", "invoices"] {
        let data =
            std::fs::read_to_string(dir.path().join("out").join(format!("{table}.csv"))).unwrap();
        assert!(
            data.lines().count() > 400,
            "{table} was generated ten times over"
        );
        assert_no_canary(&format!("generated {table}"), &data);
    }

    let audit = understudy(dir.path(), &["audit", "p.yaml"]);
    assert_ok(&audit);
    assert!(stdout(&audit).contains("\"North\""), "{}", stdout(&audit));

    let mut edited = profile.clone();
    let table = edited
        .tables
        .iter_mut()
        .find(|t| t.schema.name == "invoices")
        .unwrap();
    let zone = table
        .column_stats
        .iter_mut()
        .find(|s| s.column == "billing_zone")
        .unwrap();
    zone.frequent.push(Share {
        value: "078-05-1120".into(),
        share: 0.002,
    });
    std::fs::write(
        dir.path().join("edited.yaml"),
        understudy::profile::to_yaml(&edited),
    )
    .unwrap();
    let audit = understudy(dir.path(), &["audit", "edited.yaml", "--json"]);
    assert_error(&audit, "break the privacy rules");
    let json: serde_json::Value = serde_json::from_str(&stdout(&audit)).unwrap();
    assert_eq!(json["violations"], 1);
    let bad = json["literals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["value"] == "078-05-1120")
        .unwrap();
    let problems = bad["problems"].to_string();
    assert!(
        problems.contains("national ID") && problems.contains("fewer than k"),
        "{problems}"
    );
}

#[test]
fn a_user_override_on_personal_data_is_honoured_when_profiling_again() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshot(&dir.path().join("snapshot"));
    assert_ok(&understudy(
        dir.path(),
        &["profile", "snapshot", "-o", "p.yaml"],
    ));
    let country = |p: &Path| {
        let profile = read_profile(p);
        profile
            .table("customers")
            .unwrap()
            .stats("country")
            .unwrap()
            .clone()
    };
    assert!(!country(&dir.path().join("p.yaml")).frequent.is_empty());
    let mut yaml = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
    yaml.push_str(
        "overrides:\n  customers:\n    columns:\n      country: {stats: {pii: \"our policy\"}}\n",
    );
    std::fs::write(dir.path().join("p.yaml"), yaml).unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["profile", "snapshot", "-o", "p.yaml"],
    ));
    let stats = country(&dir.path().join("p.yaml"));
    assert_eq!(stats.pii.as_deref(), Some("our policy"));
    assert!(stats.frequent.is_empty(), "{:?}", stats.frequent);
}

#[test]
fn epsilon_noise_is_recorded_and_repeats_with_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    write_snapshot(&dir.path().join("snapshot"));
    for out in ["a.yaml", "b.yaml"] {
        assert_ok(&understudy(
            dir.path(),
            &[
                "profile",
                "snapshot",
                "-o",
                out,
                "--epsilon",
                "1",
                "--seed",
                "7",
            ],
        ));
    }
    assert_ok(&understudy(
        dir.path(),
        &["profile", "snapshot", "-o", "plain.yaml"],
    ));
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    assert_eq!(
        read("a.yaml"),
        read("b.yaml"),
        "the same seed gives the same profile"
    );
    assert_ne!(read("a.yaml"), read("plain.yaml"));
    let noisy = read_profile(&dir.path().join("a.yaml"));
    let budget = noisy.privacy.noise.expect("the budget is recorded");
    assert_eq!(budget.epsilon, 1.0);
    let split: f64 = budget.split.values().sum();
    assert!(
        (split - 1.0).abs() < 1e-9,
        "the split spends the whole budget: {split}"
    );
    assert!(
        !read("a.yaml").contains("seed"),
        "the seed is never written"
    );
    assert_ok(&understudy(
        dir.path(),
        &["generate", "a.yaml", "-o", "out"],
    ));
}

/// Nine staff: birth dates over four decades (personal, so coarsened to months) and hire
/// dates over two years, every one held by fewer people than the guard asks for.
fn write_staff(dir: &Path) {
    let births = [
        "1937-09-19",
        "1948-12-08",
        "1952-02-19",
        "1955-03-04",
        "1958-01-09",
        "1960-05-29",
        "1963-07-02",
        "1966-01-27",
        "1969-07-02",
    ];
    let mut csv = String::from("staff_id,birth_date,hire_date\n");
    for (i, birth) in births.iter().enumerate() {
        let hire = format!("{}-{:02}-{:02}", 1992 + i % 3, 1 + (i * 5) % 12, 1 + i * 3);
        csv.push_str(&format!("{},{birth},{hire}\n", i + 1));
    }
    std::fs::write(dir.join("staff.csv"), csv).unwrap();
}

/// Days since 1970 of a `YYYY-MM-DD` cell.
fn days(cell: &str) -> f64 {
    let date = chrono::NaiveDate::parse_from_str(cell, "%Y-%m-%d").unwrap();
    (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as f64
}

fn std_dev(values: &[f64]) -> f64 {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}

/// The guard squeezes a nine-row table's quantiles to its median (five values are needed past
/// each reported point), and coarsening moves a personal date's extremes out by a few months.
/// Generated dates must still spread like the real ones (by the column's standard deviation),
/// not bunch within days of the median.
#[test]
fn a_small_tables_dates_keep_their_spread_through_the_guard() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    write_staff(&real);
    let profile = dir.path().join("staff.yaml");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    assert_ok(&understudy(
        dir.path(),
        &["profile", &path(&real), "-o", &path(&profile)],
    ));
    let column = |rows: &[csv::StringRecord], at: usize| -> Vec<f64> {
        rows.iter().map(|r| days(&r[at])).collect()
    };
    let real_rows = common::csv_rows(&real.join("staff.csv"));
    let (mut births, mut hires) = (Vec::new(), Vec::new());
    for seed in 0..10 {
        let out = dir.path().join(format!("out{seed}"));
        assert_ok(&understudy(
            dir.path(),
            &[
                "generate",
                &path(&profile),
                "-o",
                &path(&out),
                "--seed",
                &seed.to_string(),
                "-q",
            ],
        ));
        let rows = common::csv_rows(&out.join("staff.csv"));
        births.extend(column(&rows, 1));
        hires.extend(column(&rows, 2));
    }
    for (name, at, generated) in [("birth_date", 1, births), ("hire_date", 2, hires)] {
        let real = std_dev(&column(&real_rows, at));
        let synthetic = std_dev(&generated);
        assert!(
            (0.6..=1.5).contains(&(synthetic / real)),
            "{name}: generated dates spread {synthetic:.0} days, real ones {real:.0}"
        );
    }
}

/// A lookup table keeps every value verbatim, past the count rule, so a value that looks like a
/// person's name keeps its column out of the lookup model, however few there are (a band list
/// with `Miles Davis` in it); the values a lookup table does keep are listed by the audit.
#[test]
fn a_lookup_table_keeps_no_persons_name_and_the_audit_lists_what_it_keeps() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let bands = [
        "Iron Maiden",
        "Miles Davis",
        "Led Zeppelin",
        "Deep Purple",
        "Pink Floyd",
    ];
    let mut artists = String::from("artist_id,name\n");
    for (i, band) in bands.iter().enumerate() {
        artists.push_str(&format!("{},{band}\n", i + 1));
    }
    let genres = ["Rock", "Jazz", "Metal", "Blues"];
    let mut genre = String::from("genre_id,name\n");
    for (i, g) in genres.iter().enumerate() {
        genre.push_str(&format!("{},{g}\n", i + 1));
    }
    let mut album = String::from("album_id,artist_id,genre_id\n");
    for i in 0..60 {
        album.push_str(&format!("{},{},{}\n", i + 1, 1 + i % 5, 1 + i % 4));
    }
    std::fs::write(data.join("artist.csv"), artists).unwrap();
    std::fs::write(data.join("genre.csv"), genre).unwrap();
    std::fs::write(data.join("album.csv"), album).unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["profile", data.to_str().unwrap(), "-o", "p.yaml", "-q"],
    ));
    let profile = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
    assert!(!profile.contains("Miles Davis"), "{profile}");
    assert!(profile.contains("Metal"), "genres stay a lookup table");
    let audit = understudy(dir.path(), &["audit", "p.yaml"]);
    assert_ok(&audit);
    let listed = stdout(&audit);
    for g in genres {
        assert!(
            listed.contains(&format!("lookup value\t\"{g}\"")),
            "{listed}"
        );
    }
}

/// A format's parts (email domains, phone country codes) are listed with the count that let
/// them in, not as a user's override: no user cleared anything for them.
#[test]
fn format_parts_are_allowed_by_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let profile = bundled_profile("chinook");
    let audit = understudy(dir.path(), &["audit", profile.to_str().unwrap()]);
    assert_ok(&audit);
    let parts: Vec<String> = stdout(&audit)
        .lines()
        .filter(|l| l.contains("\tformat part\t"))
        .map(String::from)
        .collect();
    assert!(
        !parts.is_empty(),
        "Chinook's phone numbers keep country codes"
    );
    for part in &parts {
        assert!(part.contains("frequent with >= 5 entities"), "{part}");
        assert!(!part.contains("user override"), "{part}");
    }
}

#[test]
fn the_audit_passes_a_phrase_many_entities_share_that_profile_kept() {
    // Team names of five words read as free text one by one, but each is carried by many
    // teams' rows: profiling keeps them, and the audit of that profile agrees.
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "Los Angeles Angels of Anaheim",
        "Oriole Park at Camden Yards",
        "Red Sox",
        "Cubs",
    ];
    let mut csv = String::from("season_id,name,wins\n");
    for i in 0..400 {
        csv.push_str(&format!("{i},{},{}\n", names[i % 4], 50 + i % 40));
    }
    let profile = profile_csv_tables(dir.path(), &[("season", &csv)]);
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let audit = understudy(dir.path(), &["audit", &path(&profile)]);
    assert_ok(&audit);
    assert!(
        stdout(&audit).contains("\"Los Angeles Angels of Anaheim\""),
        "{}",
        stdout(&audit)
    );
}

/// 63 victims with their ages and home coordinates to seven decimals (as in the LA riots data):
/// an inner quantile of a precise column, or the gap of an order rule between two columns
/// (`longitude < age` holds in every row), was one person's exact value, and with the other
/// column's quantiles gave their home. Quantiles are now rounded to where `min_count` values
/// share a step, so no real coordinate, and no row's age minus its longitude, is in the profile.
#[test]
fn no_precise_value_of_a_small_table_reaches_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("victim_id,age,latitude,longitude\n");
    let mut secrets = Vec::new();
    for i in 0..63u64 {
        let age = 15 + (i * 37) % 70;
        let latitude = 33.9 + ((i * 7_919) % 2_900) as f64 / 10_000.0 + 0.000_012_3;
        let longitude = -118.4 + ((i * 104_729) % 3_100) as f64 / 10_000.0 - 0.000_045_6;
        csv.push_str(&format!("{i},{age},{latitude:.7},{longitude:.7}\n"));
        secrets.extend([
            format!("{latitude:.6}"),
            format!("{longitude:.6}"),
            format!("{:.6}", age as f64 - longitude),
        ]);
    }
    let profile = profile_csv_tables(dir.path(), &[("victims", &csv)]);
    let text = std::fs::read_to_string(&profile).unwrap();
    assert!(
        text.contains("high: age"),
        "the order rule is learned:\n{text}"
    );
    let numbers: Vec<String> = (text
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')))
    .filter(|t| t.len() > 8)
    .map(|t| t.trim_start_matches('-').to_string())
    .collect();
    for secret in &secrets {
        let secret = secret.trim_start_matches('-');
        assert!(
            !numbers.iter().any(|n| n.starts_with(secret)),
            "{secret} is in the profile"
        );
    }
}
