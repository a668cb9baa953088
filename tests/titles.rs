//! Courtesy and job titles: a staff table too small for the privacy guard to keep any of its
//! titles still gets titles that read as titles (`Dr`, `Regional Sales Manager`), in the
//! column's own style, rather than words from a general list.

mod common;

use std::fmt::Write;

use common::{assert_ok, csv_rows, read_profile, understudy};
use understudy::profile::{Generator, TextModel, WordList};

/// `fake`'s job positions, one of which ends every generated job title.
const POSITIONS: [&str; 25] = [
    "Supervisor",
    "Associate",
    "Executive",
    "Liaison",
    "Officer",
    "Manager",
    "Engineer",
    "Specialist",
    "Director",
    "Coordinator",
    "Administrator",
    "Architect",
    "Analyst",
    "Designer",
    "Planner",
    "Orchestrator",
    "Technician",
    "Developer",
    "Producer",
    "Consultant",
    "Assistant",
    "Facilitator",
    "Agent",
    "Representative",
    "Strategist",
];

/// Eight people: courtesy titles written without a period, every job title different.
fn staff_table() -> String {
    let titles = [
        "General Manager",
        "Sales Manager",
        "Sales Support Agent",
        "IT Staff",
        "Vice President, Sales",
        "Inside Sales Coordinator",
        "Chief Engineer",
        "Data Analyst",
    ];
    let mut csv = String::from("staff_id,addressed_as,title\n");
    for (i, title) in titles.iter().enumerate() {
        let courtesy = ["Mr", "Ms", "Mrs", "Dr"][i % 4];
        writeln!(csv, "{},{courtesy},\"{title}\"", i + 1).unwrap();
    }
    csv
}

#[test]
fn titles_of_a_small_staff_table_read_as_titles_in_their_own_style() {
    let work = tempfile::tempdir().unwrap();
    let real = work.path().join("real");
    std::fs::create_dir_all(&real).unwrap();
    std::fs::write(real.join("staff.csv"), staff_table()).unwrap();
    assert_ok(&understudy(
        work.path(),
        &["profile", "real", "-o", "p.yaml"],
    ));

    let profile = read_profile(&work.path().join("p.yaml"));
    let model = |column: &str| {
        let stats = profile.table("staff").unwrap().stats(column).unwrap();
        stats.model.clone().expect("a text model")
    };
    assert!(
        matches!(
            model("addressed_as"),
            TextModel::Semantic {
                generator: Generator::Honorific,
                ..
            }
        ),
        "{:?}",
        model("addressed_as")
    );
    assert!(
        matches!(
            model("title"),
            TextModel::Semantic {
                generator: Generator::JobTitle,
                ..
            }
        ),
        "{:?}",
        model("title")
    );

    assert_ok(&understudy(
        work.path(),
        &[
            "generate",
            "p.yaml",
            "-o",
            "out",
            "--rows",
            "staff=400",
            "--quiet",
        ],
    ));
    let rows = csv_rows(&work.path().join("out/staff.csv"));
    let courtesy: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    for c in &courtesy {
        assert!(
            ["Mr", "Ms", "Mrs", "Miss", "Dr"].contains(c),
            "courtesy {c:?}"
        );
    }
    for bare in ["Mr", "Ms", "Mrs", "Dr"] {
        assert!(
            courtesy.contains(&bare),
            "{bare} is among 400 generated titles"
        );
    }
    for row in &rows {
        let title = &row[2];
        let words = title.split(' ').count();
        assert!(
            (2..=3).contains(&words) && POSITIONS.iter().any(|p| title.ends_with(p)),
            "job title {title:?}"
        );
        assert!(
            title.chars().count() <= 24,
            "longer than any real title: {title:?}"
        );
    }
}

/// `fake`'s job fields.
const FIELDS: [&str; 22] = [
    "Marketing",
    "IT",
    "Accounting",
    "Administration",
    "Advertising",
    "Banking",
    "Community-Services",
    "Construction",
    "Consulting",
    "Design",
    "Education",
    "Farming",
    "Government",
    "Healthcare",
    "Hospitality",
    "Legal",
    "Manufacturing",
    "Mining",
    "Real-Estate",
    "Retail",
    "Sales",
    "Technology",
];

/// A made-up word of letters only, different for every `i` (digits would all read as `9`).
fn rare_word(i: usize) -> String {
    let letter = |k: usize| char::from(b'a' + (k % 26) as u8);
    format!("Zu{}{}", letter(i / 26), letter(i))
}

#[test]
fn words_of_job_titles_that_the_guard_drops_come_from_job_words() {
    let work = tempfile::tempdir().unwrap();
    let real = work.path().join("real");
    std::fs::create_dir_all(&real).unwrap();
    let mut csv = String::from("contact_id,contact_title\n");
    let common = ["Sales Manager", "Sales Representative", "Marketing Manager"];
    for i in 0..240 {
        let title = match common.get(i % 4) {
            Some(t) => t.to_string(),
            // Each rare word is held by one row, so the guard keeps none of them.
            None => format!("{} Coordinator", rare_word(i)),
        };
        writeln!(csv, "{i},{title}").unwrap();
    }
    std::fs::write(real.join("contacts.csv"), csv).unwrap();
    assert_ok(&understudy(
        work.path(),
        &["profile", "real", "-o", "p.yaml"],
    ));
    let profile = read_profile(&work.path().join("p.yaml"));
    let stats = profile
        .table("contacts")
        .unwrap()
        .stats("contact_title")
        .unwrap();
    let Some(TextModel::Words(words)) = &stats.model else {
        panic!("a words model: {:?}", stats.model);
    };
    assert_eq!(words.word_list, Some(WordList::JobTitles));

    assert_ok(&understudy(
        work.path(),
        &["generate", "p.yaml", "-o", "out", "--scale", "5", "--quiet"],
    ));
    let rows = csv_rows(&work.path().join("out/contacts.csv"));
    let vocabulary: Vec<&str> = words.vocabulary.iter().map(|s| s.value.as_str()).collect();
    let mut unknown = 0;
    for row in &rows {
        for word in row[1].split(' ') {
            if !vocabulary.contains(&word) {
                unknown += 1;
                assert!(
                    FIELDS.contains(&word) || POSITIONS.contains(&word),
                    "{word:?} in {:?} is neither learned nor a job word",
                    &row[1]
                );
            }
        }
    }
    assert!(unknown > 0, "some words came from outside the vocabulary");
}
