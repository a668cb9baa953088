//! Fixtures from a DDL file alone: `generate schema.sql` into a fresh PostgreSQL database made
//! from the same DDL, with every constraint live; then the values look like what their names
//! say. Runs for the example schemas and for both sample datasets' `schema.sql`.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_ok, stderr, understudy, TestDb};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.sql"))
}

fn dataset_ddl(name: &str) -> PathBuf {
    common::data_dir(name).join("schema.sql")
}

/// Generates from `ddl` into a fresh database holding that DDL, then checks the rows.
fn generate_into_fresh_database(label: &str, ddl: &Path) {
    let Some(db) = TestDb::create(label) else {
        return;
    };
    db.apply_ddl(ddl);
    let dir = tempfile::tempdir().unwrap();
    let out = understudy(
        dir.path(),
        &[
            "generate",
            ddl.to_str().unwrap(),
            "-o",
            &db.url,
            "--rows",
            "60",
            "--quiet",
        ],
    );
    assert_ok(&out);
    assert!(
        !stderr(&out).contains("warning:"),
        "DDL read with warnings: {}",
        stderr(&out)
    );
    let mut client = db.client();
    let columns = client
        .query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
             FROM information_schema.columns c JOIN information_schema.tables t \
               ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
             ORDER BY 1, 2",
            &[],
        )
        .unwrap();
    let mut checked = 0;
    for row in &columns {
        let (table, column, ty): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let count: i64 = client
            .query_one(&format!("SELECT count(*) FROM \"{table}\""), &[])
            .unwrap()
            .get(0);
        assert!(count > 0, "{table} is empty");
        let textual = ty.contains("char") || ty == "text";
        let mut bad = |condition: &str| -> i64 {
            client
                .query_one(
                    &format!("SELECT count(*) FROM \"{table}\" WHERE \"{column}\" IS NOT NULL AND NOT ({condition})"),
                    &[],
                )
                .unwrap()
                .get(0)
        };
        if textual && column.contains("email") {
            let n = bad(&format!(
                "\"{column}\" ~ '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{{2,}}$'"
            ));
            assert_eq!(n, 0, "{table}.{column}: values that are not emails");
            checked += 1;
        }
        if textual
            && (column.ends_with("first_name")
                || column.ends_with("last_name")
                || column == "full_name")
        {
            let n = bad(&format!(
                "\"{column}\" ~ '^[[:alpha:]]([[:alpha:] .''-]*[[:alpha:]])?$'"
            ));
            assert_eq!(
                n, 0,
                "{table}.{column}: names with characters other than letters"
            );
            checked += 1;
        }
    }
    // Every pair created_* <= updated_* that both hold.
    for row in &columns {
        let (table, column): (String, String) = (row.get(0), row.get(1));
        let Some(suffix) = column.strip_prefix("created") else {
            continue;
        };
        let later = format!("updated{suffix}");
        if columns
            .iter()
            .any(|r| r.get::<_, String>(0) == table && r.get::<_, String>(1) == later)
        {
            let n: i64 = client
                .query_one(
                    &format!("SELECT count(*) FROM \"{table}\" WHERE \"{later}\" < \"{column}\""),
                    &[],
                )
                .unwrap()
                .get(0);
            assert_eq!(n, 0, "{table}: {later} before {column}");
            checked += 1;
        }
    }
    assert!(checked > 0, "{label}: nothing was checked");
}

#[test]
fn shop_ddl_loads_with_constraints_live() {
    generate_into_fresh_database("ddl_shop", &example("shop"));
}

#[test]
fn saas_ddl_loads_with_constraints_live() {
    generate_into_fresh_database("ddl_saas", &example("saas"));
}

#[test]
fn chinook_ddl_loads_with_constraints_live() {
    generate_into_fresh_database("ddl_chinook", &dataset_ddl("chinook"));
}

#[test]
fn northwind_ddl_loads_with_constraints_live() {
    generate_into_fresh_database("ddl_northwind", &dataset_ddl("northwind"));
}

#[test]
fn profile_of_a_ddl_is_reviewable_and_generates_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let ddl = example("shop");
    let out = understudy(
        dir.path(),
        &[
            "profile",
            ddl.to_str().unwrap(),
            "-o",
            "shop.yaml",
            "--rows",
            "40",
        ],
    );
    assert_ok(&out);
    let profile = common::read_profile(&dir.path().join("shop.yaml"));
    assert_eq!(profile.source.kind, "ddl");
    assert_eq!(profile.table("customers").unwrap().row_count, 40);
    let orders = profile.table("orders").unwrap();
    assert_eq!(
        orders.row_count, 120,
        "three orders per customer by default"
    );
    assert!(orders
        .rules
        .iter()
        .any(|r| r.low == "created_at" && r.high == "shipped_at"));
    assert_ok(&understudy(
        dir.path(),
        &["generate", "shop.yaml", "-o", "from-profile", "--quiet"],
    ));
    assert_ok(&understudy(
        dir.path(),
        &[
            "generate",
            ddl.to_str().unwrap(),
            "-o",
            "from-ddl",
            "--rows",
            "40",
            "--quiet",
        ],
    ));
    for table in ["orders", "customers", "page_views"] {
        let read =
            |d: &str| std::fs::read(dir.path().join(d).join(format!("{table}.csv"))).unwrap();
        assert_eq!(
            read("from-profile"),
            read("from-ddl"),
            "{table}: the profile written and the DDL read directly generate the same rows"
        );
    }
}

/// A `(year, team)` key with a CHECK on the year, referenced by a salary table whose own key
/// holds it beside the player: the year cannot carry uniqueness (its CHECK allows 160 values
/// for 300 teams), so the team code does, and the year spreads over its range; each salary
/// takes its `(year, team)` pair from one team row.
const SEASONS: &str = "
CREATE TABLE people (player_id varchar(10) PRIMARY KEY, name text);
CREATE TABLE teams (
    year_id smallint NOT NULL CHECK (year_id BETWEEN 1871 AND 2030),
    team_id char(3) NOT NULL,
    PRIMARY KEY (year_id, team_id));
CREATE TABLE salaries (
    year_id smallint NOT NULL, team_id char(3) NOT NULL,
    player_id varchar(10) NOT NULL REFERENCES people, salary int,
    PRIMARY KEY (year_id, team_id, player_id),
    FOREIGN KEY (year_id, team_id) REFERENCES teams (year_id, team_id));
";

#[test]
fn a_composite_foreign_key_inside_a_composite_key_loads_with_its_checks() {
    let Some(db) = TestDb::create("ddl_seasons") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ddl = dir.path().join("seasons.sql");
    std::fs::write(&ddl, SEASONS).unwrap();
    db.apply_ddl(&ddl);
    let out = understudy(
        dir.path(),
        &[
            "generate",
            "seasons.sql",
            "-o",
            &db.url,
            "--rows",
            "300",
            "--quiet",
        ],
    );
    assert_ok(&out);
    let mut client = db.client();
    let mut count = |sql: &str| -> i64 { client.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(count("SELECT count(*) FROM salaries"), 900);
    let years = count("SELECT count(DISTINCT year_id) FROM teams");
    assert!(
        (100..=160).contains(&years),
        "years spread over the CHECK range, not counted up: {years} distinct"
    );
}

#[test]
fn a_composite_foreign_key_inside_a_composite_key_resolves_in_csv_too() {
    // The same schema without a database: every salary's (year, team) pair is a team row's.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seasons.sql"), SEASONS).unwrap();
    let out = understudy(
        dir.path(),
        &[
            "generate",
            "seasons.sql",
            "-o",
            "out",
            "--rows",
            "300",
            "--quiet",
        ],
    );
    assert_ok(&out);
    let pairs = |table: &str| -> Vec<(String, String)> {
        common::csv_rows(&dir.path().join("out").join(format!("{table}.csv")))
            .iter()
            .map(|r| (r[0].to_string(), r[1].to_string()))
            .collect()
    };
    let teams: std::collections::HashSet<(String, String)> = pairs("teams").into_iter().collect();
    let salaries = pairs("salaries");
    assert_eq!(teams.len(), 300, "team keys are unique");
    let orphans = salaries.iter().filter(|p| !teams.contains(*p)).count();
    assert_eq!(orphans, 0, "of {} salaries", salaries.len());
}

#[test]
fn checks_on_optional_columns_hold_where_the_value_is_present() {
    // `ended_on IS NULL OR ended_on > started_on`: the usual way to write a rule for a column
    // that may be empty. Every row must pass it when PostgreSQL checks the load.
    let Some(db) = TestDb::create("ddl_optional_checks") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ddl = dir.path().join("contracts.sql");
    std::fs::write(
        &ddl,
        "CREATE TABLE contracts (
            contract_id integer PRIMARY KEY,
            started_on date NOT NULL,
            ended_on date CHECK (ended_on IS NULL OR ended_on > started_on),
            discount numeric(4, 2) CHECK (discount IS NULL OR discount BETWEEN 0 AND 0.5)
        );",
    )
    .unwrap();
    db.apply_ddl(&ddl);
    let out = understudy(
        dir.path(),
        &["generate", "contracts.sql", "-o", &db.url, "--rows", "2000"],
    );
    assert_ok(&out);
    assert!(
        !stderr(&out).contains("not modeled"),
        "both checks are modeled: {}",
        stderr(&out)
    );
    let mut client = db.client();
    let mut count = |sql: &str| -> i64 { client.query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(count("SELECT count(*) FROM contracts"), 2000);
    assert!(count("SELECT count(*) FROM contracts WHERE ended_on IS NULL") > 0);
    assert!(count("SELECT count(DISTINCT discount) FROM contracts") > 10);
}

#[test]
fn a_sequence_made_apart_from_its_column_moves_past_the_loaded_keys() {
    // pg_dump writes `CREATE SEQUENCE` on its own and a `nextval(...)` default, without
    // OWNED BY: the application's next insert must not collide with a generated key.
    let Some(db) = TestDb::create("ddl_dumped_sequence") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ddl = dir.path().join("actors.sql");
    std::fs::write(
        &ddl,
        "CREATE SEQUENCE actor_actor_id_seq;
        CREATE TABLE actor (
            actor_id integer DEFAULT nextval('actor_actor_id_seq'::regclass) NOT NULL PRIMARY KEY,
            first_name text NOT NULL
        );",
    )
    .unwrap();
    db.apply_ddl(&ddl);
    let out = understudy(
        dir.path(),
        &["generate", "actors.sql", "-o", &db.url, "--rows", "50"],
    );
    assert_ok(&out);
    let next: i32 = db
        .client()
        .query_one(
            "INSERT INTO actor (first_name) VALUES ('NEW') RETURNING actor_id",
            &[],
        )
        .expect("the next key is free")
        .get(0);
    assert_eq!(next, 51);
}
