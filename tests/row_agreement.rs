//! Values that agree within a row: a table the test builds holds addresses in five countries
//! (city, state, postal code, country, phone number), emails built from the row's names in a known share of
//! rows, and coordinates written with many decimals. Profiled from CSV and generated at scale
//! 10, the generated rows must keep each address one country's, build emails from the generated
//! names at the learned share, and the coordinates must be numbers.

mod common;

use std::fmt::Write;
use std::path::Path;

use common::{assert_ok, csv_rows as rows, read_profile, understudy, Lcg};
use understudy::profile::email_names::fold;
use understudy::profile::{Generator, Locale, TextModel};
use understudy::schema::LogicalType;

const FIRST: [&str; 12] = [
    "Anna", "Paul", "Maria", "John", "Lena", "Omar", "Ines", "Tom", "Sara", "Hugo", "Nina", "Carl",
];
const LAST: [&str; 12] = [
    "Smith", "Garcia", "Dubois", "Muller", "Rossi", "Novak", "Silva", "Brown", "Keller", "Moreau",
    "Santos", "Walker",
];
const CANADIAN: [&str; 3] = ["ON", "QC", "BC"];

/// One row's address: (city, state, postal code, country).
fn address(r: &mut Lcg) -> (String, Option<String>, String, String) {
    match r.next() % 100 {
        0..40 => (
            r.pick(&["Austin", "Denver", "Boston", "Portland", "Tucson"])
                .into(),
            Some(r.pick(&["TX", "CO", "MA", "OR", "AZ", "WA", "NY"]).into()),
            r.digits(5),
            "USA".into(),
        ),
        40..65 => (
            r.pick(&["Campinas", "Recife", "Santos", "Curitiba"]).into(),
            Some(r.pick(&["SP", "PE", "PR", "RJ"]).into()),
            format!("{}-{}", r.digits(5), r.digits(3)),
            "Brazil".into(),
        ),
        65..82 => (
            r.pick(&["Hamburg", "Bremen", "Kassel", "Ulm"]).into(),
            None,
            r.digits(5),
            "Germany".into(),
        ),
        82..98 => (
            r.pick(&["Toronto", "Montreal", "Victoria"]).into(),
            Some(r.pick(&CANADIAN).into()),
            format!(
                "{}{}{} {}{}{}",
                r.letter(),
                r.digits(1),
                r.letter(),
                r.digits(1),
                r.letter(),
                r.digits(1)
            ),
            "Canada".into(),
        ),
        // A few countries too rare for the privacy guard.
        _ => (
            r.pick(&["Oslo", "Lima", "Quito"]).into(),
            None,
            r.digits(4),
            r.pick(&[
                "Norway", "Peru", "Ecuador", "Chile", "Kenya", "Nepal", "Japan", "Malta", "Oman",
                "Fiji", "Ghana", "Laos",
            ])
            .into(),
        ),
    }
}

fn write_table(dir: &Path) {
    let mut r = Lcg(11);
    let mut csv = String::from(
        "client_id,first_name,last_name,email,city,state,postal_code,country,latitude,phone\n",
    );
    for i in 1..=800u64 {
        let (first, last) = (r.pick(&FIRST), r.pick(&LAST));
        let domain = r.pick(&["mail.test", "corp.test", "post.test"]);
        let local = match r.next() % 100 {
            0..42 => format!("{}.{}", first, last).to_lowercase(),
            42..60 => format!("{}{}", &first[..1], last).to_lowercase(),
            _ => format!("user{}", r.digits(6)),
        };
        let (city, state, postal, country) = address(&mut r);
        let latitude = format!("-{}.{}", 10 + r.next() % 70, r.digits(14));
        let phone = match country.as_str() {
            "USA" | "Canada" => format!("+1 ({}) {}-{}", r.digits(3), r.digits(3), r.digits(4)),
            "Brazil" => format!("+55 ({}) {}-{}", r.digits(2), r.digits(4), r.digits(4)),
            "Germany" => format!("+49 {} {}", r.digits(3), r.digits(7)),
            _ => format!("+{} {} {}", r.digits(2), r.digits(3), r.digits(6)),
        };
        writeln!(
            csv,
            "{i},{first},{last},{local}@{domain},{city},{},{postal},{country},{latitude},{phone}",
            state.unwrap_or_default()
        )
        .unwrap();
    }
    std::fs::write(dir.join("client.csv"), csv).unwrap();
}

fn shape(v: &str) -> String {
    v.chars()
        .map(|c| match c {
            '0'..='9' => '9',
            'A'..='Z' => 'A',
            c => c,
        })
        .collect()
}

/// The client table under `work/real`, profiled into `work/p.yaml`.
fn profile_table(work: &Path) {
    let real = work.join("real");
    std::fs::create_dir_all(&real).unwrap();
    write_table(&real);
    assert_ok(&understudy(work, &["profile", "real", "-o", "p.yaml"]));
}

/// Whether a generated row's state and postal code belong to its country.
fn agrees(state: &str, postal: &str, country: &str) -> bool {
    let (us, br) = (Locale::En.lists(), Locale::PtBr.lists());
    let postal = shape(postal);
    match country {
        "USA" => us.state_abbrs.contains(&state) && postal == "99999",
        "Brazil" => br.state_abbrs.contains(&state) && postal == "99999-999",
        "Germany" => {
            (state.is_empty() || Locale::DeDe.lists().state_abbrs.contains(&state))
                && postal == "99999"
        }
        "Canada" => CANADIAN.contains(&state) && postal == "A9A 9A9",
        // The rest, in locales of countries not listed.
        "France" | "Italy" => {
            (state.is_empty() || Locale::ItIt.lists().state_abbrs.contains(&state))
                && postal == "99999"
        }
        "Portugal" => {
            (state.is_empty() || Locale::PtPt.lists().state_abbrs.contains(&state))
                && postal == "9999-999"
        }
        _ => false,
    }
}

#[test]
fn addresses_agree_and_emails_follow_names() {
    let work = tempfile::tempdir().unwrap();
    profile_table(work.path());
    let profile = read_profile(&work.path().join("p.yaml"));
    let table = profile.table("client").unwrap();

    // Many-digit decimals are numbers, never phone numbers or text.
    let latitude = table.schema.column("latitude").unwrap();
    assert_eq!(latitude.logical, LogicalType::Float64);
    assert!(table.stats("latitude").unwrap().numeric.is_some());

    // The address is one group, its parts named by kind, with the guarded countries listed.
    let group = table
        .groups
        .iter()
        .find(|g| g.address.is_some())
        .expect("an address group");
    assert_eq!(
        group.columns,
        ["city", "state", "postal_code", "country", "phone"]
    );
    let address = group.address.as_ref().unwrap();
    assert_eq!(
        address.parts,
        [
            Generator::City,
            Generator::StateAbbr,
            Generator::PostalCode,
            Generator::Country,
            Generator::Phone
        ]
    );
    let mut listed: Vec<&str> = address
        .countries
        .iter()
        .filter_map(|c| c.country.as_deref())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, ["Brazil", "Canada", "Germany", "USA"]);
    let canada_share = address
        .countries
        .iter()
        .find(|c| c.country.as_deref() == Some("Canada"))
        .unwrap()
        .share;
    let text = std::fs::read_to_string(work.path().join("p.yaml")).unwrap();
    assert!(!text.contains("Ecuador"), "a rare country leaked");

    // The email model knows how addresses follow names.
    let Some(TextModel::Format {
        from_names: Some(rule),
        ..
    }) = &table.stats("email").unwrap().model
    else {
        panic!("emails follow names");
    };
    assert_eq!(rule.names, ["first_name", "last_name"]);
    assert!((rule.share - 0.6).abs() < 0.05, "learned {}", rule.share);

    assert_ok(&understudy(
        work.path(),
        &[
            "generate", "p.yaml", "-o", "out", "--scale", "10", "--quiet",
        ],
    ));
    let generated = rows(&work.path().join("out/client.csv"));
    assert_eq!(generated.len(), 8000);
    let (mut agreeing, mut from_names) = (0, 0);
    for row in &generated {
        let (first, last, email) = (&row[1], &row[2], &row[3]);
        let (state, postal, country, phone) = (&row[5], &row[6], &row[7], &row[9]);
        let code = match country {
            "USA" | "Canada" => "+1 (",
            "Brazil" => "+55 (",
            "Germany" => "+49 ",
            _ => "",
        };
        agreeing += (agrees(state, postal, country) && phone.starts_with(code)) as usize;
        let local = email.split('@').next().unwrap();
        let (f, l) = (fold(first), fold(last));
        from_names += (local == format!("{f}.{l}") || local == format!("{}{l}", &f[..1])) as usize;
    }
    let n = generated.len() as f64;
    assert!(agreeing as f64 / n >= 0.95, "{agreeing} of {n} rows agree");
    let share = from_names as f64 / n;
    assert!(
        (share - rule.share).abs() <= 0.05,
        "emails from names: {share} generated, {} learned",
        rule.share
    );
    let canadian = generated.iter().filter(|r| &r[7] == "Canada").count() as f64;
    assert!(
        (canadian / n - canada_share).abs() < 0.02,
        "Canada {} generated, {canada_share} learned",
        canadian / n
    );
}

#[test]
fn an_address_group_can_be_turned_off() {
    let work = tempfile::tempdir().unwrap();
    profile_table(work.path());
    let path = work.path().join("p.yaml");
    let learned = read_profile(&path);
    let groups = &learned.table("client").unwrap().groups;
    assert!(
        groups.iter().any(|g| g.address.is_some()),
        "an address group to turn off"
    );
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "overrides:\n  client:\n    off: [\"group(city, state, postal_code, country, phone)\"]\n",
    );
    std::fs::write(&path, text).unwrap();
    let profile = read_profile(&path);
    assert!(profile.table("client").unwrap().groups.is_empty());
}

/// A table of sites in Germany, each with a city, a state in 30 % of rows and a postal code
/// in 70 %: the postal code is mostly missing where the state is given (`[state]` alone NULL in
/// 50 % of rows, the postal code alone in 10 %, both in 20 %).
fn write_sites(dir: &Path) {
    let mut r = Lcg(5);
    let mut csv = String::from("site_id,city,state,postal_code,country\n");
    for i in 1..=1000u64 {
        let city = r.pick(&["Hamburg", "Bremen", "Kassel", "Ulm", "Essen", "Bonn"]);
        let (state, postal) = match i % 10 {
            0..5 => ("", r.digits(5)),
            5 => (r.pick(&["BY", "HE", "NW", "SN"]), String::new()),
            6..8 => ("", String::new()),
            _ => (r.pick(&["BY", "HE", "NW", "SN"]), r.digits(5)),
        };
        writeln!(csv, "{i},{city},{state},{postal},Germany").unwrap();
    }
    std::fs::write(dir.join("site.csv"), csv).unwrap();
}

#[test]
fn address_parts_are_null_together_as_in_the_real_rows() {
    let work = tempfile::tempdir().unwrap();
    let real = work.path().join("real");
    std::fs::create_dir_all(&real).unwrap();
    write_sites(&real);
    assert_ok(&understudy(
        work.path(),
        &["profile", "real", "-o", "p.yaml"],
    ));
    let profile = read_profile(&work.path().join("p.yaml"));
    let table = profile.table("site").unwrap();
    assert!(
        table.groups.iter().any(|g| g.address.is_some()),
        "an address group"
    );
    assert_ok(&understudy(
        work.path(),
        &["generate", "p.yaml", "-o", "out", "--scale", "3", "--quiet"],
    ));
    let generated = rows(&work.path().join("out/site.csv"));
    let mut counts = [[0usize; 2]; 2];
    for row in &generated {
        counts[row[2].is_empty() as usize][row[3].is_empty() as usize] += 1;
    }
    // [state missing][postal code missing], as shares of the rows.
    let expected = [[0.2, 0.1], [0.5, 0.2]];
    let n = generated.len() as f64;
    for (got, want) in counts.iter().flatten().zip(expected.iter().flatten()) {
        assert!(
            (*got as f64 / n - want).abs() <= 0.01,
            "NULL patterns of state and postal code: {counts:?} of {n} rows"
        );
    }
}
