//! Text models end to end: a table the test builds (names in six scripts with awkward
//! characters, free text, emails, URLs, UUIDs, postal codes, and a lookup table) is profiled
//! from CSV, generated at scale 10, and the output profiled again: script shares and special
//! character rates, words, sentence ends and formats must come back.

mod common;

use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use common::{assert_ok, csv_rows as rows, read_profile, understudy, Lcg};
use understudy::profile::{ColumnStats, Profile, TextModel};

const CATEGORIES: [&str; 12] = [
    "Books", "Music", "Garden", "Toys", "Kitchen", "Sports", "Travel", "Health", "Office", "Pets",
    "Films", "Games",
];

const WORDS: [&str; 40] = [
    "the", "order", "arrived", "late", "and", "was", "missing", "a", "part", "customer", "asked",
    "for", "refund", "we", "sent", "new", "box", "with", "tracking", "number", "service", "called",
    "back", "next", "day", "to", "confirm", "address", "change", "delivery", "team", "will",
    "check", "stock", "again", "after", "payment", "cleared", "note", "updated",
];

/// A person's name: mostly Latin, some in Japanese, Arabic, Korean, Cyrillic and Greek, with
/// decomposed accents, no-break and zero-width spaces, typographic apostrophes, trailing spaces.
fn name(r: &mut Lcg) -> String {
    let mut v = match r.next() % 1000 {
        0..50 => format!(
            "{}{}",
            r.pick(&["山田", "佐藤", "鈴木", "高橋", "田中"]),
            r.pick(&["はなこ", "さくら", "ゆうき", "あおい", "ひなた"])
        ),
        50..80 => format!(
            "{} {}",
            r.pick(&["محمد", "أحمد", "علي", "فاطمة", "مريم"]),
            r.pick(&["العلي", "حسن", "سعيد"])
        ),
        80..120 => format!(
            "{}{}",
            r.pick(&["김", "이", "박", "최"]),
            r.pick(&["민준", "서연", "지호", "하은"])
        ),
        120..170 => format!(
            "{} {}",
            r.pick(&["Иван", "Мария", "Олег", "Анна"]),
            r.pick(&["Петров", "Смирнова", "Иванов"])
        ),
        170..200 => format!(
            "{} {}",
            r.pick(&["Γιώργος", "Μαρία", "Νίκος"]),
            r.pick(&["Παπαδόπουλος", "Κωνσταντίνου"])
        ),
        _ => format!(
            "{} {}",
            r.pick(&["Anna", "Jose", "Marie", "Paul", "Lena", "Omar", "Ines", "Tom"]),
            r.pick(&["Smith", "Garcia", "Dubois", "Muller", "Rossi", "Novak", "Silva"])
        ),
    };
    if r.chance(30) && v.is_ascii() {
        v = v.replacen('e', "e\u{301}", 1);
    }
    if r.chance(40) && v.contains(' ') {
        v = v.replacen(' ', "\u{a0}", 1);
    }
    if r.chance(20) {
        let at = v.chars().next().map_or(0, char::len_utf8);
        v.insert(at, '\u{200b}');
    }
    if r.chance(20) && v.is_ascii() {
        v = format!("O\u{2019}{v}");
    }
    if r.chance(10) {
        v.push_str(" \u{1f469}\u{200d}\u{1f4bb}");
    }
    if r.chance(30) {
        v.push(' ');
    }
    v
}

/// Free text: one to three sentences of common words, most ending in a full stop.
fn note(r: &mut Lcg) -> String {
    let mut v = String::new();
    for s in 0..1 + r.next() % 3 {
        if s > 0 {
            v.push(' ');
        }
        let words = 4 + r.next() % 7;
        for w in 0..words {
            let word = r.pick(&WORDS);
            if w == 0 {
                let mut c = word.chars();
                v.extend(c.next().unwrap().to_uppercase());
                v.push_str(c.as_str());
            } else {
                v.push(' ');
                v.push_str(word);
            }
        }
        v.push_str(match r.next() % 10 {
            0..7 => ".",
            7 => "!",
            _ => "",
        });
    }
    if r.chance(50) {
        v = v.replacen(" and ", " \u{2014} ", 1);
    }
    v
}

fn write_tables(dir: &Path) {
    let mut r = Lcg(7);
    let mut categories = String::from("category_id,name\n");
    for (i, c) in CATEGORIES.iter().enumerate() {
        writeln!(categories, "{},{c}", i + 1).unwrap();
    }
    let mut people =
        String::from("person_id,category_id,name,note,email,homepage,token,postal_code\n");
    for i in 1..=1000u64 {
        let email = format!(
            "{}.{}@{}",
            r.pick(&["anna", "jose", "paul", "lena", "tom"]),
            r.next() % 1000,
            r.pick(&["gmail.com", "example.org", "corp.test"])
        );
        let homepage = format!("https://www.site{}.com/p/{}", r.next() % 50, r.next() % 999);
        let h = r.next() << 31 ^ r.next();
        let token = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            h as u32,
            (h >> 32) as u16,
            r.next() % 4096,
            r.next() % 4096,
            r.next() << 16 ^ r.next()
        );
        let postal = if r.chance(700) {
            format!("{:05}", r.next() % 100_000)
        } else {
            format!("T{}K {}N{}", r.next() % 10, r.next() % 10, r.next() % 10)
        };
        let quote = |s: String| format!("\"{}\"", s.replace('"', "\"\""));
        writeln!(
            people,
            "{i},{},{},{},{email},{homepage},{token},{postal}",
            1 + r.next() % 12,
            quote(name(&mut r)),
            quote(note(&mut r))
        )
        .unwrap();
    }
    std::fs::write(dir.join("category.csv"), categories).unwrap();
    std::fs::write(dir.join("person.csv"), people).unwrap();
}

/// The real tables, their profile, and the profile of 10 times as many generated rows.
fn round_trip(work: &Path) -> (Profile, Profile, std::path::PathBuf) {
    let real = work.join("real");
    std::fs::create_dir_all(&real).unwrap();
    write_tables(&real);
    assert_ok(&understudy(work, &["profile", "real", "-o", "real.yaml"]));
    assert_ok(&understudy(
        work,
        &[
            "generate",
            "real.yaml",
            "-o",
            "out",
            "--scale",
            "10",
            "--quiet",
        ],
    ));
    assert_ok(&understudy(work, &["profile", "out", "-o", "out.yaml"]));
    (
        read_profile(&work.join("real.yaml")),
        read_profile(&work.join("out.yaml")),
        work.join("out"),
    )
}

fn stats<'a>(p: &'a Profile, table: &str, column: &str) -> &'a ColumnStats {
    p.table(table).unwrap().stats(column).unwrap()
}

#[test]
fn text_keeps_scripts_specials_words_formats_and_lookups() {
    let work = tempfile::tempdir().unwrap();
    let (real, synthetic, out) = round_trip(work.path());

    // Every script combination and special character of the names and notes within 1 point.
    for column in ["name", "note"] {
        let (a, b) = (
            stats(&real, "person", column).text.as_ref().unwrap(),
            stats(&synthetic, "person", column).text.as_ref().unwrap(),
        );
        assert!(a.specials.len() >= if column == "name" { 7 } else { 1 });
        for (kind, &rate) in &a.specials {
            let got = b.specials.get(kind).copied().unwrap_or(0.0);
            assert!(
                (got - rate).abs() <= 0.01,
                "{column} {kind}: {rate} vs {got}"
            );
        }
        for (combo, &share) in &a.value_scripts {
            let got = b.value_scripts.get(combo).copied().unwrap_or(0.0);
            assert!(
                (got - share).abs() <= 0.01,
                "{column} {combo}: {share} vs {got}"
            );
        }
    }
    let scripts = &stats(&real, "person", "name")
        .text
        .as_ref()
        .unwrap()
        .value_scripts;
    for combo in [
        "Han+Hiragana",
        "Arabic",
        "Hangul",
        "Cyrillic",
        "Greek",
        "Latin",
    ] {
        assert!(
            scripts.contains_key(combo),
            "{combo} missing from {scripts:?}"
        );
    }

    // Free text: generated words are vocabulary or lorem words; sentence ends at their rate.
    let Some(TextModel::Words(model)) = &stats(&real, "person", "note").model else {
        panic!("notes get a words model");
    };
    let known: HashSet<String> = model
        .vocabulary
        .iter()
        .map(|s| s.value.to_lowercase())
        .chain(
            <fake::locales::EN as fake::locales::Data>::LOREM_WORD
                .iter()
                .map(|w| w.to_string()),
        )
        .collect();
    let ends = |values: &[String]| {
        let ended = values
            .iter()
            .filter(|v| v.trim_end().ends_with(['.', '!', '?']));
        ended.count() as f64 / values.len() as f64
    };
    let notes = |dir: &Path| -> Vec<String> {
        rows(&dir.join("person.csv"))
            .iter()
            .map(|r| r[3].to_string())
            .collect()
    };
    let (real_notes, synthetic_notes) = (notes(&work.path().join("real")), notes(&out));
    let words: Vec<String> = synthetic_notes
        .iter()
        .flat_map(|v| {
            understudy::profile::word_spans(v)
                .into_iter()
                .map(move |(a, b)| v[a..b].to_lowercase())
        })
        .collect();
    let in_lists = words.iter().filter(|w| known.contains(*w)).count() as f64;
    assert!(
        in_lists / words.len() as f64 >= 0.9,
        "{in_lists} of {}",
        words.len()
    );
    let (re, se) = (ends(&real_notes), ends(&synthetic_notes));
    assert!((re - se).abs() <= 0.05, "sentence ends {re} vs {se}");

    // Formats: every email, URL, UUID and postal code is well formed.
    let person = rows(&out.join("person.csv"));
    assert_eq!(person.len(), 10_000);
    for row in &person {
        let (email, url, uuid, postal) = (&row[4], &row[5], &row[6], &row[7]);
        let (user, domain) = email.split_once('@').expect(email);
        assert!(
            !user.is_empty() && domain.contains('.') && !email.contains(' '),
            "{email}"
        );
        assert!(url.starts_with("https://") && !url.contains(' '), "{url}");
        assert!(understudy::profile::looks_like_uuid(uuid), "{uuid}");
        let shape: String = postal
            .chars()
            .map(|c| match c {
                '0'..='9' => '9',
                'A'..='Z' => 'A',
                c => c,
            })
            .collect();
        assert!(shape == "99999" || shape == "A9A 9A9", "{postal}");
    }

    // The lookup table keeps its names, in row order.
    assert!(real.table("category").unwrap().lookup);
    let names: Vec<String> = rows(&out.join("category.csv"))
        .iter()
        .map(|r| r[1].to_string())
        .collect();
    assert_eq!(names[..12], CATEGORIES.map(String::from));
}

/// Writes each `(table, csv)` into `real/` of a fresh directory, profiles it and generates at
/// `scale` into `out/`; returns the directory (alive while held) and the `out/` path.
fn profile_and_generate(tables: &[(&str, &str)], scale: &str) -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let real = work.path().join("real");
    std::fs::create_dir_all(&real).unwrap();
    for (name, text) in tables {
        std::fs::write(real.join(format!("{name}.csv")), text).unwrap();
    }
    assert_ok(&understudy(
        work.path(),
        &["profile", "real", "-o", "p.yaml", "-q"],
    ));
    let args = ["generate", "p.yaml", "-o", "out", "--scale", scale, "-q"];
    assert_ok(&understudy(work.path(), &args));
    let out = work.path().join("out");
    (work, out)
}

#[test]
fn a_lookup_table_keeps_each_key_with_its_name_and_its_size() {
    // Stored out of key order (as rows a database updated are), keyed from 0 or from 10.
    for first in [0, 10] {
        lookup_keeps_its_keys_from(first);
    }
}

fn lookup_keeps_its_keys_from(first: usize) {
    let mut categories = String::from("category_id,name\n");
    let mut order: Vec<usize> = (0..CATEGORIES.len()).collect();
    order.rotate_left(5);
    order.swap(0, 7);
    for &i in &order {
        writeln!(categories, "{},{}", i + first, CATEGORIES[i]).unwrap();
    }
    let mut items = String::from("item_id,category_id,price\n");
    for i in 0..600u64 {
        writeln!(items, "{i},{},{}.99", first as u64 + i % 12, i % 50).unwrap();
    }
    let (_work, out) = profile_and_generate(&[("category", &categories), ("item", &items)], "5");
    let generated: Vec<(usize, String)> = rows(&out.join("category.csv"))
        .iter()
        .map(|r| (r[0].parse().unwrap(), r[1].to_string()))
        .collect();
    assert_eq!(
        generated.len(),
        CATEGORIES.len(),
        "the lookup table is not scaled"
    );
    for (id, name) in &generated {
        assert_eq!(name, CATEGORIES[id - first], "category {id}");
    }
    assert_eq!(rows(&out.join("item.csv")).len(), 3000);
}

/// A lookup row stays whole: its flags and numbers keep their real values beside its name
/// (before, `south` and the numbers were drawn apart from the name, so 15 of 52 states
/// changed side).
#[test]
fn a_lookup_row_keeps_its_flags_and_numbers() {
    let mut states = String::from("state_id,name,south,seats,tax_rate\n");
    let mut real = Vec::new();
    for (k, name) in CATEGORIES.iter().enumerate() {
        let (south, seats, rate) = (
            k % 3 == 0,
            2 + (k * 7) % 40,
            format!("{}.{:02}", k % 8, (k * 13) % 100),
        );
        let flag = if south { "True" } else { "False" };
        writeln!(states, "{},{name},{flag},{seats},{rate}", k + 1).unwrap();
        real.push(vec![
            (k + 1).to_string(),
            name.to_string(),
            south.to_string(),
            seats.to_string(),
            rate,
        ]);
    }
    let mut results = String::from("result_id,state_id,votes\n");
    for i in 0..600u64 {
        writeln!(
            results,
            "{i},{},{}",
            1 + i % CATEGORIES.len() as u64,
            (i * 37) % 1000
        )
        .unwrap();
    }
    let (_work, out) = profile_and_generate(&[("state", &states), ("result", &results)], "2");
    let generated: Vec<Vec<String>> = rows(&out.join("state.csv"))
        .iter()
        .map(|r| r.iter().map(|v| v.to_lowercase()).collect())
        .collect();
    let real: Vec<Vec<String>> = real
        .iter()
        .map(|r| r.iter().map(|v| v.to_lowercase()).collect())
        .collect();
    assert_eq!(generated, real);
}

#[test]
fn lookup_tables_keep_their_real_ids_and_their_references_to_each_other() {
    // Country ids with gaps, cities and countries stored out of key order, and a status table
    // keyed by a text code: fixtures hard-code such ids and codes, and a city belongs in its
    // country.
    const IDS: [u64; 12] = [1, 2, 4, 7, 9, 10, 11, 15, 16, 20, 21, 30];
    let country_of = |city: u64| IDS[(city as usize * 7) % IDS.len()];
    const STATUSES: [(&str, &str); 4] = [
        ("NEW", "New order"),
        ("HELD", "On hold"),
        ("SHIP", "Shipped"),
        ("DONE", "Delivered"),
    ];
    let mut countries = String::from("country_id,country\n");
    for k in (0..IDS.len()).rev() {
        writeln!(countries, "{},{}", IDS[k], CATEGORIES[k]).unwrap();
    }
    let mut cities = String::from("city_id,city,country_id\n");
    for city in (1..=40u64).map(|i| (i * 17) % 40 + 1) {
        writeln!(cities, "{city},Town{city:02},{}", country_of(city)).unwrap();
    }
    let mut statuses = String::from("status_code,description\n");
    for (code, label) in STATUSES {
        writeln!(statuses, "{code},{label}").unwrap();
    }
    let mut addresses = String::from("address_id,city_id,status_code,street_no\n");
    for i in 1..=600u64 {
        let status = STATUSES[i as usize % 4].0;
        writeln!(addresses, "{i},{},{status},{}", (i * 13) % 40 + 1, i % 97).unwrap();
    }
    let tables = [
        ("country", countries.as_str()),
        ("city", &cities),
        ("order_status", &statuses),
        ("address", &addresses),
    ];
    let (_work, out) = profile_and_generate(&tables, "3");

    let country_names: std::collections::HashMap<u64, String> = rows(&out.join("country.csv"))
        .iter()
        .map(|r| (r[0].parse().unwrap(), r[1].to_string()))
        .collect();
    let expected: std::collections::HashMap<u64, String> = (IDS.iter().enumerate())
        .map(|(k, &id)| (id, CATEGORIES[k].to_string()))
        .collect();
    assert_eq!(
        country_names, expected,
        "each country keeps its id, gaps and all"
    );
    let cities = rows(&out.join("city.csv"));
    assert_eq!(cities.len(), 40);
    for city in &cities {
        let id: u64 = city[0].parse().unwrap();
        assert_eq!(city[1], format!("Town{id:02}"), "city {id} keeps its name");
        assert_eq!(
            city[2],
            country_of(id).to_string(),
            "city {id} stays in its country"
        );
    }
    let codes: Vec<String> = rows(&out.join("order_status.csv"))
        .iter()
        .map(|r| format!("{}={}", &r[0], &r[1]))
        .collect();
    let real_codes: Vec<String> = STATUSES.iter().map(|(c, l)| format!("{c}={l}")).collect();
    assert_eq!(codes, real_codes, "a text key keeps its real codes");
    let addresses = rows(&out.join("address.csv"));
    assert_eq!(addresses.len(), 1800);
    assert!(addresses
        .iter()
        .all(|a| STATUSES.iter().any(|(code, _)| a[2] == **code)));
}

#[test]
fn each_lookup_row_keeps_its_share_of_the_references() {
    // Items of 200 customers, in 12 categories (keys with gaps) of very different sizes, and in
    // 4 statuses keyed by text codes: the category and status most items had are the ones most
    // items have, at scale 1 and at scale 3 (the lookup tables stay as they are).
    const IDS: [u64; 12] = [1, 2, 4, 7, 9, 10, 11, 15, 16, 20, 21, 30];
    const WEIGHTS: [u64; 12] = [2, 40, 3, 9, 600, 1, 90, 5, 200, 30, 15, 5];
    const STATUSES: [(&str, u64); 4] = [("NEW", 3), ("HELD", 1), ("SHIP", 20), ("DONE", 76)];
    let mut categories = String::from("category_id,name\n");
    for (k, id) in IDS.iter().enumerate() {
        writeln!(categories, "{id},{}", CATEGORIES[k]).unwrap();
    }
    let mut statuses = String::from("status_code,label\n");
    for (code, _) in STATUSES {
        writeln!(statuses, "{code},{code} label").unwrap();
    }
    let mut customers = String::from("customer_id,first_name\n");
    for i in 1..=200 {
        writeln!(customers, "{i},{}", ["Ann", "Bob", "Eve", "Dan"][i % 4]).unwrap();
    }
    // The index whose running total of `weights` first passes `r` (modulo their sum).
    let pick = |weights: &[u64], r: u64| {
        let r = r % weights.iter().sum::<u64>();
        let mut total = 0;
        weights
            .iter()
            .position(|&w| {
                total += w;
                r < total
            })
            .unwrap()
    };
    let status_weights: Vec<u64> = STATUSES.iter().map(|s| s.1).collect();
    let mut rng = Lcg(11);
    let mut items = String::from("item_id,customer_id,category_id,status_code,price\n");
    let (mut real_categories, mut real_statuses) = ([0u64; 12], [0u64; 4]);
    for i in 1..=4000u64 {
        let (c, s) = (
            pick(&WEIGHTS, rng.next()),
            pick(&status_weights, rng.next()),
        );
        real_categories[c] += 1;
        real_statuses[s] += 1;
        let customer = 1 + rng.next() % 200;
        writeln!(
            items,
            "{i},{customer},{},{},{}.5",
            IDS[c],
            STATUSES[s].0,
            i % 70
        )
        .unwrap();
    }
    let tables = [
        ("category", categories.as_str()),
        ("order_status", &statuses),
        ("customer", &customers),
        ("item", &items),
    ];
    for scale in [1u64, 3] {
        let (_work, out) = profile_and_generate(&tables, &scale.to_string());
        let items = rows(&out.join("item.csv"));
        assert_eq!(items.len() as u64, 4000 * scale);
        let count =
            |column: usize, value: &str| items.iter().filter(|r| &r[column] == value).count();
        for (k, id) in IDS.iter().enumerate() {
            let (want, got) = (real_categories[k] * scale, count(2, &id.to_string()) as u64);
            // Categories on fewer than 5 customers' items are guarded: only their total holds.
            if real_categories[k] >= 40 {
                assert!(
                    want.abs_diff(got) <= 1,
                    "category {id} at scale {scale}: {got}, real {want}"
                );
            }
        }
        for (k, (code, _)) in STATUSES.iter().enumerate() {
            let (want, got) = (real_statuses[k] * scale, count(3, code) as u64);
            assert!(
                want.abs_diff(got) <= 1,
                "status {code} at scale {scale}: {got}, real {want}"
            );
        }
    }
}

#[test]
fn a_lookup_table_keeps_labels_written_in_words_but_not_its_descriptions() {
    // Labels of three words and more read as free text, which the privacy guard holds back;
    // in a lookup table, short and one per row, they name their rows and are kept. The
    // descriptions beside them (sentences, lists) are still generated from words.
    const LABELS: [&str; 5] = [
        "MPEG audio file",
        "Protected AAC audio file",
        "Protected MPEG-4 video file",
        "Purchased AAC audio file",
        "AAC audio file",
    ];
    let mut media = String::from("media_type_id,name,description\n");
    for (k, label) in LABELS.iter().enumerate() {
        let description = format!("\"Files of kind {k}, sold in the store, played on any device\"");
        writeln!(media, "{},{label},{description}", k + 1).unwrap();
    }
    let mut tracks = String::from("track_id,media_type_id,milliseconds\n");
    for i in 1..=600u64 {
        writeln!(tracks, "{i},{},{}", 1 + i % 5, 1000 + i * 37 % 5000).unwrap();
    }
    let (work, out) = profile_and_generate(&[("media_type", &media), ("track", &tracks)], "1");
    let profile = read_profile(&work.path().join("p.yaml"));
    assert!(profile.table("media_type").unwrap().lookup);
    let generated = rows(&out.join("media_type.csv"));
    let names: Vec<&str> = generated.iter().map(|r| &r[1]).collect();
    assert_eq!(names, LABELS);
    assert!(generated.iter().all(|r| !r[2].starts_with("Files of kind")));
}

#[test]
fn a_text_key_of_a_head_and_a_number_counts_up_after_its_head() {
    // Invoice numbers `INV-0001` (one width) and show ids `s1` … `s400` (growing): generated
    // keys keep the head and count up, and the lines still find their invoices.
    let mut invoices = String::from("invoice_no,total\n");
    for i in 1..=400 {
        writeln!(invoices, "INV-{i:04},{}.50", i % 90).unwrap();
    }
    let mut shows = String::from("show_id,minutes\n");
    for i in 1..=400 {
        writeln!(shows, "s{i},{}", 20 + i % 100).unwrap();
    }
    let mut lines = String::from("line_id,invoice_no,quantity\n");
    for i in 1..=1200 {
        writeln!(lines, "{i},INV-{:04},{}", 1 + (i * 7) % 400, 1 + i % 5).unwrap();
    }
    let tables = [
        ("invoice", invoices.as_str()),
        ("show", &shows),
        ("invoice_line", &lines),
    ];
    let (_work, out) = profile_and_generate(&tables, "3");
    let invoices: Vec<String> = (rows(&out.join("invoice.csv")).iter())
        .map(|r| r[0].to_string())
        .collect();
    let expected: Vec<String> = (1..=1200).map(|i| format!("INV-{i:04}")).collect();
    assert_eq!(invoices, expected);
    let shows: HashSet<String> = (rows(&out.join("show.csv")).iter())
        .map(|r| r[0].to_string())
        .collect();
    assert_eq!(shows, (1..=1200).map(|i| format!("s{i}")).collect());
    let known: HashSet<&String> = invoices.iter().collect();
    let lines = rows(&out.join("invoice_line.csv"));
    assert!(lines.iter().all(|l| known.contains(&l[1].to_string())));
}

#[test]
fn lookup_values_can_be_turned_off() {
    let work = tempfile::tempdir().unwrap();
    let real = work.path().join("real");
    std::fs::create_dir_all(&real).unwrap();
    write_tables(&real);
    assert_ok(&understudy(
        work.path(),
        &["profile", "real", "-o", "p.yaml", "--no-lookup-values"],
    ));
    let profile = read_profile(&work.path().join("p.yaml"));
    let category = profile.table("category").unwrap();
    assert!(!category.lookup);
    assert!(!matches!(
        category.stats("name").unwrap().model,
        Some(TextModel::Lookup { .. })
    ));
    let text = std::fs::read_to_string(work.path().join("p.yaml")).unwrap();
    assert!(!text.contains("Kitchen"), "a lookup value leaked");
}
