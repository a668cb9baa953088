//! `generate` into real PostgreSQL databases made from the sample datasets' own DDL, with every
//! constraint live: loads succeed, SQL finds no orphan or duplicate keys, null rates and row
//! counts match, and failures (mismatched schema, rows already there, a server that drops
//! mid-load) leave the target as it was.

mod common;

use std::process::Output;

use common::*;
use understudy::profile::model::Profile;

fn count(db: &TestDb, sql: &str) -> i64 {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

fn row_counts(db: &TestDb, profile: &Profile) -> Vec<(String, i64)> {
    profile
        .tables
        .iter()
        .map(|t| {
            let name = &t.schema.name;
            (
                name.clone(),
                count(db, &format!("SELECT count(*) FROM \"{name}\"")),
            )
        })
        .collect()
}

fn cols(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lookup tables that keep their real rows at any scale: those whose parents do too.
fn unscaled_lookups(profile: &Profile) -> Vec<String> {
    let mut kept: Vec<&str> = (profile.tables.iter())
        .filter(|t| t.lookup)
        .map(|t| t.schema.name.as_str())
        .collect();
    loop {
        let before = kept.len();
        let keeps = |name: &str, kept: &[&str]| {
            let t = profile.table(name).unwrap();
            (t.schema.foreign_keys.iter()).all(|fk| {
                fk.references.table == name || kept.contains(&fk.references.table.as_str())
            })
        };
        kept = kept.iter().copied().filter(|n| keeps(n, &kept)).collect();
        if kept.len() == before {
            return kept.into_iter().map(String::from).collect();
        }
    }
}

/// Checks a generated database against the profile it came from, loaded at `scale`.
fn check_generated(db: &TestDb, profile: &Profile, scale: f64) {
    check_loads(db, profile, scale, 1)
}

/// Checks a database that `runs` generate runs at `scale` each loaded into (`--append` after
/// the first): lookup tables hold their real rows once per run.
fn check_loads(db: &TestDb, profile: &Profile, scale: f64, runs: u32) {
    let unscaled = unscaled_lookups(profile);
    for table in &profile.tables {
        let t = &table.schema;
        let name = &t.name;
        let rows = count(db, &format!("SELECT count(*) FROM \"{name}\""));
        // Lookup tables keep their real rows at any scale.
        let expected = match unscaled.contains(&table.schema.name) {
            true => table.row_count as i64 * runs as i64,
            false => (table.row_count as f64 * scale).round() as i64 * runs as i64,
        };
        assert_eq!(rows, expected, "{name} rows");
        for key in std::iter::once(&t.primary_key)
            .chain(&t.unique)
            .filter(|k| !k.is_empty())
        {
            let dups = count(
                db,
                &format!(
                    "SELECT count(*) FROM (SELECT 1 FROM \"{name}\" GROUP BY {} HAVING count(*) > 1) d",
                    cols(key)
                ),
            );
            assert_eq!(dups, 0, "duplicate keys in {name} ({})", cols(key));
        }
        for fk in &t.foreign_keys {
            let join: Vec<String> = fk
                .columns
                .iter()
                .zip(&fk.references.columns)
                .map(|(c, p)| format!("p.\"{p}\" = c.\"{c}\""))
                .collect();
            let present: Vec<String> = fk
                .columns
                .iter()
                .map(|c| format!("c.\"{c}\" IS NOT NULL"))
                .collect();
            let orphans = count(
                db,
                &format!(
                    "SELECT count(*) FROM \"{name}\" c WHERE {} AND NOT EXISTS \
                     (SELECT 1 FROM \"{}\" p WHERE {})",
                    present.join(" AND "),
                    fk.references.table,
                    join.join(" AND ")
                ),
            );
            assert_eq!(orphans, 0, "orphans in {name} ({})", cols(&fk.columns));
        }
        if rows == 0 {
            continue;
        }
        // A copied column takes its NULLs from the parent rows it copies.
        let copied = |c: &str| table.inherited.iter().any(|i| i.column == c);
        for stats in table.column_stats.iter().filter(|s| !copied(&s.column)) {
            let rate: f64 = db
                .client()
                .query_one(
                    &format!(
                        "SELECT avg(({} IS NULL)::int)::float8 FROM \"{name}\"",
                        cols(std::slice::from_ref(&stats.column))
                    ),
                    &[],
                )
                .unwrap()
                .get(0);
            assert!(
                (rate - stats.null_rate).abs() <= 0.02,
                "{name}.{}: null rate {rate}, profile {}",
                stats.column,
                stats.null_rate
            );
        }
    }
}

/// Runs `understudy generate` on a bundled profile into `target`, with `extra` arguments.
fn generate_bundled(dataset: &str, target: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let profile = bundled_profile(dataset);
    let mut args = vec!["generate", profile.to_str().unwrap(), "-o", target];
    args.extend_from_slice(extra);
    understudy(dir.path(), &args)
}

fn generate_dataset(dataset: &str, scale: &str) {
    let Some(db) = TestDb::create(&format!("gen_{dataset}")) else {
        return;
    };
    db.apply_schema(dataset);
    assert_ok(&generate_bundled(dataset, &db.url, &["--scale", scale]));
    let profile = read_profile(&bundled_profile(dataset));
    check_generated(&db, &profile, scale.parse().unwrap());
}

#[test]
fn chinook_at_scale_1_and_5() {
    generate_dataset("chinook", "1");
    generate_dataset("chinook", "5");
}

#[test]
fn northwind_at_scale_1_and_5() {
    generate_dataset("northwind", "1");
    generate_dataset("northwind", "5");
}

#[test]
fn create_makes_the_tables_and_their_keys() {
    let Some(db) = TestDb::create("gen_create") else {
        return;
    };
    let out = generate_bundled("chinook", &db.url, &["--create", "--scale", "2"]);
    assert_ok(&out);
    let fks = count(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f'",
    );
    assert_eq!(fks, 11);
    check_generated(&db, &read_profile(&bundled_profile("chinook")), 2.0);
}

#[test]
fn refuses_rows_and_survives_a_server_that_drops_mid_load() {
    let Some(db) = TestDb::create("gen_midload") else {
        return;
    };
    db.apply_schema("chinook");
    assert_ok(&generate_bundled("chinook", &db.url, &[]));
    let profile = read_profile(&bundled_profile("chinook"));
    let before = row_counts(&db, &profile);

    let again = generate_bundled("chinook", &db.url, &["--seed", "2"]);
    assert_error(&again, "already has rows");
    assert_eq!(row_counts(&db, &profile), before);

    // invoice_line loads late; its 1000th row kills the loading session.
    db.client()
        .batch_execute(
            "CREATE FUNCTION drop_me() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               IF NEW.invoice_line_id = 1000 THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; \
               RETURN NEW; END $$; \
             CREATE TRIGGER drop_me BEFORE INSERT ON invoice_line FOR EACH ROW EXECUTE FUNCTION drop_me();",
        )
        .unwrap();
    let dropped = generate_bundled("chinook", &db.url, &["--truncate", "--seed", "3"]);
    assert_error(&dropped, "invoice_line");
    assert_eq!(
        row_counts(&db, &profile),
        before,
        "the truncate and the load rolled back"
    );
}

#[test]
fn a_mismatched_target_is_refused_before_the_first_row() {
    let Some(db) = TestDb::create("gen_mismatch") else {
        return;
    };
    db.apply_schema("chinook");
    db.client()
        .batch_execute(
            "ALTER TABLE track DROP COLUMN composer; \
             ALTER TABLE invoice ALTER COLUMN total TYPE date USING NULL; \
             DROP TABLE playlist_track;",
        )
        .unwrap();
    let out = generate_bundled("chinook", &db.url, &[]);
    assert_error(&out, "does not match the profile");
    let err = stderr(&out);
    assert!(err.contains("playlist_track is missing"), "{err}");
    assert!(err.contains("column composer is missing"), "{err}");
    assert!(
        err.contains("column total") && err.contains("date"),
        "{err}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM artist"), 0);
}

#[test]
fn an_unreachable_target_is_named() {
    let out = generate_bundled("chinook", "postgres://root@127.0.0.1:1/nowhere", &[]);
    assert_error(&out, "127.0.0.1:1");
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
}

/// A schema with the hard cases: a self-reference, a composite key and composite foreign key,
/// a cycle between two tables, a range-partitioned table, CHECKs of every kind the generator
/// models, a domain, an enum, an identity and a stored generated column.
const HARD_SCHEMA: &str = "
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE team (id int PRIMARY KEY, name varchar(12) NOT NULL, lead_id int);
CREATE TABLE person (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id int NOT NULL REFERENCES team(id),
    manager_id int REFERENCES person(id),
    code char(3) NOT NULL,
    age positive_int,
    salary numeric(8,2) CHECK (salary BETWEEN 1000 AND 99999.99),
    grade smallint CHECK (grade IN (1, 2, 3)),
    joined date NOT NULL,
    left_on date,
    CHECK (left_on >= joined)
);
ALTER TABLE team ADD FOREIGN KEY (lead_id) REFERENCES person(id);
CREATE TABLE orders (
    id bigint PRIMARY KEY, person_id int REFERENCES person(id), state status NOT NULL,
    total numeric(10,2) NOT NULL CHECK (total >= 0), doubled numeric GENERATED ALWAYS AS (total * 2) STORED
);
CREATE TABLE order_line (
    order_id bigint REFERENCES orders(id), line_no smallint, qty int NOT NULL CHECK (qty > 0 AND qty < 100),
    PRIMARY KEY (order_id, line_no)
);
CREATE TABLE refund (
    id serial PRIMARY KEY, order_id bigint NOT NULL, line_no smallint NOT NULL, reason text,
    FOREIGN KEY (order_id, line_no) REFERENCES order_line(order_id, line_no)
);
CREATE TABLE event (
    at date NOT NULL, person_id int REFERENCES person(id), kind varchar(8)
) PARTITION BY RANGE (at);
CREATE TABLE event_2023 PARTITION OF event FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE event_2024 PARTITION OF event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
";

const HARD_ROWS: &str = "
INSERT INTO team SELECT g, 'team ' || g FROM generate_series(1, 20) g;
INSERT INTO person (team_id, manager_id, code, age, salary, grade, joined, left_on)
SELECT 1 + g % 20, NULLIF(g / 3, 0), lpad(g::text, 3, 'x'), 20 + g % 40, 1000 + g * 7.5,
       1 + g % 3, date '2015-01-01' + g, CASE WHEN g % 4 = 0 THEN date '2024-02-29' END
FROM generate_series(1, 300) g;
UPDATE team SET lead_id = id * 3;
INSERT INTO orders SELECT g, 1 + g % 300, (ARRAY['new','paid','shipped'])[1 + g % 3]::status, g % 500
FROM generate_series(1, 1000) g;
INSERT INTO order_line SELECT o, l, 1 + (o * l) % 20 FROM generate_series(1, 1000) o, generate_series(1, 1 + o % 4) l;
INSERT INTO refund (order_id, line_no, reason) SELECT order_id, line_no, 'damaged' FROM order_line WHERE qty = 3;
INSERT INTO event SELECT date '2023-01-01' + g % 700, 1 + g % 300, 'k' || g % 7 FROM generate_series(1, 2000) g;
";

#[test]
fn self_reference_composite_keys_cycle_partitions_and_checks_all_load() {
    let Some((real, target)) = TestDb::pair("gen_hard") else {
        return;
    };
    real.client().batch_execute(HARD_SCHEMA).unwrap();
    real.client().batch_execute(HARD_ROWS).unwrap();
    target.client().batch_execute(HARD_SCHEMA).unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert_ok(&understudy(
        dir.path(),
        &["profile", &real.url, "-o", "hard.yaml"],
    ));
    let out = understudy(
        dir.path(),
        &[
            "generate",
            "hard.yaml",
            "-o",
            &target.url,
            "--scale",
            "3",
            "--seed",
            "11",
        ],
    );
    assert_ok(&out);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let profile = read_profile(&dir.path().join("hard.yaml"));
    check_generated(&target, &profile, 3.0);
    // The cycle: teams have leads that exist; the self-reference is a forest with roots.
    assert!(
        count(
            &target,
            "SELECT count(*) FROM team WHERE lead_id IS NOT NULL"
        ) > 0
    );
    assert!(
        count(
            &target,
            "SELECT count(*) FROM person WHERE manager_id IS NULL"
        ) > 0
    );
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM person WHERE manager_id >= id"
        ),
        0
    );
    // Partitions got rows, the generated column was computed, sequences moved past the keys.
    assert!(count(&target, "SELECT count(*) FROM event_2023") > 0);
    assert!(count(&target, "SELECT count(*) FROM event_2024") > 0);
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM orders WHERE doubled <> total * 2"
        ),
        0
    );
    let mut client = target.client();
    client
        .batch_execute(
            "INSERT INTO person (team_id, code, joined) VALUES (1, 'new', '2024-01-01'); \
             INSERT INTO refund (order_id, line_no) SELECT order_id, line_no FROM order_line LIMIT 1;",
        )
        .expect("identity and serial sequences are past the loaded keys");
    // Every CHECK kind held (the load would have failed otherwise); spot-check the values.
    assert_eq!(
        count(
            &target,
            "SELECT count(*) FROM person WHERE grade NOT IN (1, 2, 3)"
        ),
        0
    );
    assert!(count(&target, "SELECT count(DISTINCT state) FROM orders") == 3);
}

#[test]
fn append_adds_rows_with_fresh_keys() {
    for dataset in ["chinook", "northwind"] {
        let Some(db) = TestDb::create(&format!("gen_append_{dataset}")) else {
            return;
        };
        db.apply_schema(dataset);
        assert_ok(&generate_bundled(dataset, &db.url, &[]));
        assert_ok(&generate_bundled(dataset, &db.url, &["--append"]));
        // Twice the rows, still no duplicate keys or orphans, null rates unchanged.
        check_loads(&db, &read_profile(&bundled_profile(dataset)), 1.0, 2);
    }
}

const READINGS: &str = "
CREATE TABLE reading (
    created_at timestamp NOT NULL, id bigint NOT NULL, value int,
    PRIMARY KEY (created_at, id)
) PARTITION BY RANGE (created_at);
CREATE TABLE reading_q1 PARTITION OF reading FOR VALUES FROM ('2024-01-01') TO ('2024-04-01');
CREATE TABLE reading_q2 PARTITION OF reading FOR VALUES FROM ('2024-04-01') TO ('2024-07-01');
";

#[test]
fn a_timestamp_in_a_composite_key_follows_its_distribution() {
    let Some((real, target)) = TestDb::pair("gen_readings") else {
        return;
    };
    real.client().batch_execute(READINGS).unwrap();
    real.client()
        .batch_execute(
            "INSERT INTO reading SELECT timestamp '2024-01-01' + g * interval '2 hours', g, g % 50 \
             FROM generate_series(1, 2000) g",
        )
        .unwrap();
    target.client().batch_execute(READINGS).unwrap();
    profile_and_generate(&real, &target.url, &["--scale", "2"]);
    assert_eq!(count(&target, "SELECT count(*) FROM reading"), 4000);
    // The key stays unique through `id`; `created_at` spreads over both partitions like the
    // real rows instead of counting microseconds from one instant.
    assert!(count(&target, "SELECT count(*) FROM reading_q1") > 1000);
    assert!(count(&target, "SELECT count(*) FROM reading_q2") > 1000);
    assert!(
        count(
            &target,
            "SELECT extract(day FROM max(created_at) - min(created_at))::bigint FROM reading"
        ) > 100
    );
}

#[test]
fn create_keeps_identity_serials_defaults_generated_columns_and_indexes() {
    let Some((real, target)) = TestDb::pair("keep") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE account (
                 id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                 handle text NOT NULL,
                 status text NOT NULL DEFAULT 'active',
                 created_at timestamptz NOT NULL DEFAULT now(),
                 score int DEFAULT 7,
                 doubled int GENERATED ALWAYS AS (score * 2) STORED);
             CREATE INDEX account_handle_lower ON account (lower(handle));
             CREATE INDEX account_inactive ON account (status) WHERE status <> 'active';
             CREATE TABLE note (
                 id serial PRIMARY KEY,
                 account_id int NOT NULL REFERENCES account (id),
                 seq bigint GENERATED BY DEFAULT AS IDENTITY,
                 body text);
             CREATE INDEX note_account ON note (account_id);
             INSERT INTO account (handle, score) SELECT 'h' || i, i % 9 FROM generate_series(1, 60) i;
             INSERT INTO note (account_id, body) SELECT 1 + i % 60, 'b' FROM generate_series(1, 150) i;",
        )
        .unwrap();
    profile_and_generate(&real, &target.url, &["--create", "--scale", "2"]);
    let mut client = target.client();
    let account = client
        .query_one(
            "INSERT INTO account (handle) VALUES ('new') \
             RETURNING id, status, created_at > now() - interval '1 hour', score, doubled, \
                       id > (SELECT max(id) FROM account WHERE handle <> 'new')",
            &[],
        )
        .unwrap();
    let id: i32 = account.get(0);
    assert_eq!(account.get::<_, String>(1), "active");
    assert!(account.get::<_, bool>(2), "created_at defaults to now()");
    assert_eq!(account.get::<_, Option<i32>>(3), Some(7));
    assert_eq!(
        account.get::<_, Option<i32>>(4),
        Some(14),
        "doubled is computed"
    );
    assert!(
        account.get::<_, bool>(5),
        "the identity continues after the loaded keys"
    );
    let note = client
        .query_one(
            "INSERT INTO note (account_id, body) VALUES ($1, 'x') \
             RETURNING id > (SELECT max(id) FROM note WHERE body <> 'x'), seq IS NOT NULL",
            &[&id],
        )
        .unwrap();
    assert!(
        note.get::<_, bool>(0),
        "the serial continues after the loaded keys"
    );
    assert!(note.get::<_, bool>(1));
    let broken: i64 = client
        .query_one(
            "SELECT count(*) FROM account WHERE doubled IS DISTINCT FROM score * 2",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(broken, 0);
    let indexes: Vec<String> = client
        .query(
            "SELECT indexdef FROM pg_indexes WHERE indexname IN \
             ('account_handle_lower', 'account_inactive', 'note_account') ORDER BY indexname",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(indexes.len(), 3, "{indexes:?}");
    assert!(indexes[0].contains("lower(handle)"), "{indexes:?}");
    assert!(
        indexes[1].contains("WHERE (status <> 'active'::text)"),
        "{indexes:?}"
    );
    let identity: String = client
        .query_one(
            "SELECT attidentity::text FROM pg_attribute \
             WHERE attrelid = 'account'::regclass AND attname = 'id'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(identity, "a");
}

/// A stint numbers a player's teams within a season: `UNIQUE (player_id, year, stint)`. Made
/// unique over the whole table it counted up to the row count (and overflowed its smallint
/// at scale 5); it numbers each player's rows instead, so it stays small and the key holds.
#[test]
fn a_counter_in_a_unique_key_beside_its_parent_numbers_that_parents_rows() {
    let Some(real) = TestDb::create("sibling_counter_real") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE player (player_id text PRIMARY KEY, born integer NOT NULL);
             INSERT INTO player SELECT 'p' || i, 1950 + i % 40 FROM generate_series(1, 400) i;
             CREATE TABLE batting (
                batting_id integer PRIMARY KEY,
                player_id text NOT NULL REFERENCES player,
                year integer NOT NULL,
                stint smallint NOT NULL,
                hits integer NOT NULL,
                UNIQUE (player_id, year, stint));
             INSERT INTO batting
             SELECT row_number() OVER (), 'p' || (1 + i % 400), 1970 + i / 400,
                    1 + (i % 7 = 0)::int, (i * 37) % 200
             FROM generate_series(0, 3999) i;",
        )
        .unwrap();
    let dir = profile_and_generate(&real, "out", &["-q", "--scale", "5"]);
    let rows = csv_rows(&dir.path().join("out/batting.csv"));
    assert_eq!(rows.len(), 20_000);
    let mut seen = std::collections::HashSet::new();
    let mut most = 0u32;
    for r in &rows {
        let stint: u32 = r[3].parse().unwrap();
        most = most.max(stint);
        assert!(
            seen.insert((r[1].to_string(), r[2].to_string(), stint)),
            "unique: {r:?}"
        );
    }
    assert!(
        most <= 200,
        "stints number a player's rows, not the table's: up to {most}"
    );
}

#[test]
fn a_date_that_carries_a_unique_key_follows_its_distribution_and_its_orders() {
    // Sakila's rental: UNIQUE (rented_at, item_id, customer_id). The timestamp carries the
    // key's uniqueness; it must still spread over the real year at whole seconds, every
    // return still comes after its rental, and a payment is still dated at its rental's time.
    let Some(real) = TestDb::create("spaced_key_real") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE rental (
                rental_id integer PRIMARY KEY,
                rented_at timestamp NOT NULL,
                item_id integer NOT NULL,
                customer_id integer NOT NULL,
                returned_at timestamp,
                UNIQUE (rented_at, item_id, customer_id));
             INSERT INTO rental
             SELECT i, t, 1 + i % 97, 1 + i % 61, t + (1 + i % 9) * interval '1 day' + interval '3 hours'
             FROM (SELECT i, timestamp '2005-05-24 22:00:00'
                        + (i * 7919) % 23000000 * interval '1 second' AS t
                   FROM generate_series(1, 3000) i) s;
             CREATE TABLE payment (
                payment_id integer PRIMARY KEY,
                rental_id integer NOT NULL REFERENCES rental,
                amount numeric(5, 2) NOT NULL,
                paid_at timestamp NOT NULL);
             INSERT INTO payment
             SELECT row_number() OVER (), rental_id, 0.99 + rental_id % 5, rented_at
             FROM rental, generate_series(1, 1 + rental_id % 2);",
        )
        .unwrap();
    let dir = profile_and_generate(&real, "out", &["-q"]);
    let mut reader = csv::Reader::from_path(dir.path().join("out/rental.csv")).unwrap();
    let rented_at: std::collections::HashMap<String, String> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[1].to_string())
        })
        .collect();
    let mut reader = csv::Reader::from_path(dir.path().join("out/payment.csv")).unwrap();
    let (mut payments, mut at_rental) = (0, 0);
    for r in reader.records() {
        let r = r.unwrap();
        payments += 1;
        at_rental += usize::from(rented_at[&r[1]] == r[3]);
    }
    assert_eq!(at_rental, payments, "payments dated at their rental's time");
    let mut reader = csv::Reader::from_path(dir.path().join("out/rental.csv")).unwrap();
    let rows: Vec<(String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_string(), r[4].to_string())
        })
        .collect();
    let mut rented: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    rented.sort_unstable();
    rented.dedup();
    assert_eq!(rented.len(), 3000, "distinct rental times");
    assert!(rented[0].starts_with("2005-05"), "first {}", rented[0]);
    assert!(rented[2999].starts_with("2006-0"), "last {}", rented[2999]);
    assert!(
        rented.iter().all(|t| t.len() == 19),
        "whole seconds: {}",
        rented[1]
    );
    let early = rows
        .iter()
        .filter(|r| !r.1.is_empty() && r.1 <= r.0)
        .count();
    assert_eq!(early, 0, "returns at or before their rental");
}

#[test]
fn a_link_table_led_by_its_few_parents_keeps_one_each_for_the_many() {
    // Sakila's film_category: 16 categories lead the key (up to 74 films each) and every film
    // has exactly one category.
    let Some(real) = TestDb::create("link_table_real") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE category (category_id integer PRIMARY KEY, name text NOT NULL);
             CREATE TABLE film (film_id integer PRIMARY KEY, length integer NOT NULL);
             CREATE TABLE film_category (
                 category_id integer NOT NULL REFERENCES category,
                 film_id integer NOT NULL REFERENCES film,
                 PRIMARY KEY (category_id, film_id));
             INSERT INTO category SELECT c, 'Category ' || c FROM generate_series(1, 16) c;
             INSERT INTO film SELECT f, 60 + f % 120 FROM generate_series(1, 1000) f;
             INSERT INTO film_category
             SELECT CASE WHEN f <= 900 THEN 1 + f % 12 ELSE 13 + f % 4 END, f
             FROM generate_series(1, 1000) f;",
        )
        .unwrap();
    let longest = count(
        &real,
        "SELECT max(n) FROM (SELECT count(*) n FROM film_category GROUP BY category_id) c",
    );
    assert!(
        longest > 64,
        "runs this long were once picked apart: {longest}"
    );
    let dir = profile_and_generate(&real, "out", &["-q"]);
    let rows = common::csv_rows(&dir.path().join("out/film_category.csv"));
    let mut per_film = std::collections::HashMap::<String, u32>::new();
    for row in &rows {
        *per_film.entry(row[1].to_string()).or_default() += 1;
    }
    assert_eq!(rows.len(), 1000);
    assert_eq!(per_film.len(), 1000, "films with a category");
    assert!(
        per_film.values().all(|&n| n == 1),
        "a film with two categories"
    );
}

#[test]
fn two_keys_copied_through_each_other_still_resolve() {
    // Each store's manager works there, and each sale's store is its staff member's and its
    // staff member is its store's manager: both keys of a sale are copies through the other.
    let Some(real) = TestDb::create("through_cycle_real") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE store (store_id int PRIMARY KEY, manager_staff_id int, city text);
             CREATE TABLE staff (staff_id int PRIMARY KEY,
                                 store_id int NOT NULL REFERENCES store, name text);
             ALTER TABLE store ADD FOREIGN KEY (manager_staff_id) REFERENCES staff;
             INSERT INTO store SELECT s, NULL, 'C' || s FROM generate_series(1, 40) s;
             INSERT INTO staff SELECT s, s, 'N' || s FROM generate_series(1, 40) s;
             UPDATE store SET manager_staff_id = store_id;
             CREATE TABLE sale (sale_id int PRIMARY KEY,
                                staff_id int NOT NULL REFERENCES staff,
                                store_id int NOT NULL REFERENCES store, amount int);
             INSERT INTO sale SELECT i, 1 + (i * 7) % 40, 1 + (i * 7) % 40, i % 100
             FROM generate_series(1, 2000) i;",
        )
        .unwrap();
    let dir = profile_and_generate(&real, "out", &["-q"]);
    let profile = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
    assert!(profile.contains("column: staff_id\n    foreign_key: [store_id]"));
    assert!(profile.contains("column: store_id\n    foreign_key: [staff_id]"));
    assert_eq!(
        common::csv_rows(&dir.path().join("out/sale.csv")).len(),
        2000
    );
}

/// A lookup table whose name is `UNIQUE` keeps its real names: they are distinct, so they keep
/// the constraint, where the key's generator wrote codes (airlines named `WL4DWRAQ0`).
#[test]
fn a_lookup_table_with_a_unique_name_keeps_its_names() {
    let Some((real, target)) = TestDb::pair("gen_unique_lookup") else {
        return;
    };
    let schema = "CREATE TABLE airline (carrier text PRIMARY KEY, name text NOT NULL UNIQUE);
                  CREATE TABLE flight (id int PRIMARY KEY, carrier text NOT NULL REFERENCES airline);";
    let names = [
        ("AA", "American Airlines Inc."),
        ("DL", "Delta Air Lines Inc."),
        ("UA", "United Air Lines Inc."),
        ("B6", "JetBlue Airways"),
    ];
    let mut rows = String::new();
    for (code, name) in names {
        rows.push_str(&format!(
            "INSERT INTO airline VALUES ('{code}', '{name}');\n"
        ));
    }
    for i in 0..200 {
        rows.push_str(&format!(
            "INSERT INTO flight VALUES ({i}, '{}');\n",
            names[i % 4].0
        ));
    }
    real.client().batch_execute(schema).unwrap();
    real.client().batch_execute(&rows).unwrap();
    target.client().batch_execute(schema).unwrap();
    profile_and_generate(&real, &target.url, &[]);
    let kept: Vec<String> = target
        .client()
        .query("SELECT name FROM airline ORDER BY name", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut real_names: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
    real_names.sort();
    assert_eq!(kept, real_names);
}

/// Two foreign keys that share a column: a flight's `origin` names an airport and, with its
/// hour, a weather reading. The shared column comes from the wider key's parent row (the
/// reading, whose own origin names an airport), so both keys hold in PostgreSQL; drawn for
/// each key apart, the reading named by (origin, hour) did not exist and the load failed.
#[test]
fn two_foreign_keys_that_share_a_column_both_hold() {
    let Some((real, target)) = TestDb::pair("gen_shared_fk_column") else {
        return;
    };
    real.client()
        .batch_execute(
            "CREATE TABLE airport (faa text PRIMARY KEY, name text NOT NULL);
             INSERT INTO airport SELECT 'A' || i, 'Airport ' || i FROM generate_series(1, 30) i;
             CREATE TABLE weather (
                origin text NOT NULL REFERENCES airport,
                hour integer NOT NULL,
                temp numeric(5, 1),
                PRIMARY KEY (origin, hour));
             INSERT INTO weather SELECT 'A' || (1 + i % 3), i / 3, (i * 7) % 90
             FROM generate_series(0, 299) i;
             CREATE TABLE airline (carrier text PRIMARY KEY);
             INSERT INTO airline SELECT 'C' || i FROM generate_series(1, 12) i;
             CREATE TABLE flight (
                id integer PRIMARY KEY,
                carrier text NOT NULL REFERENCES airline,
                origin text NOT NULL REFERENCES airport,
                hour integer NOT NULL,
                dest text NOT NULL REFERENCES airport,
                FOREIGN KEY (origin, hour) REFERENCES weather);
             INSERT INTO flight
             SELECT i, 'C' || (1 + i % 12), 'A' || (1 + i % 3), (i * 7) % 100, 'A' || (4 + i % 26)
             FROM generate_series(1, 1500) i;",
        )
        .unwrap();
    let dir = profile_and_generate(&real, &target.url, &["-q", "--create"]);
    let profile = std::fs::read_to_string(dir.path().join("p.yaml")).unwrap();
    assert!(profile.contains("columns: [origin, hour]"), "{profile}");
    let orphans: i64 = target
        .client()
        .query_one(
            "SELECT count(*) FROM flight f
             WHERE NOT EXISTS (SELECT 1 FROM weather w WHERE (w.origin, w.hour) = (f.origin, f.hour))
                OR NOT EXISTS (SELECT 1 FROM airport a WHERE a.faa = f.origin)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(orphans, 0);
}
