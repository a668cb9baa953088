//! Columns that are a part of another column of the same row: `year = year(ordered_at)`,
//! `hour = clock_hour(sched_dep_time)` where `sched_dep_time` is `1545`, `day = date(created)`.
//!
//! Exports often keep such denormalised parts next to their source. Drawn on their own they
//! disagree with it (an order dated 2019 filed under year 2023), so the profile records each
//! part that held in nearly every sampled row and the generator computes it from its source.
//! [`Part::of`] is the one definition of every part, used by both sides.

use chrono::{Datelike, Timelike};

use super::model::{round_share, CalendarDate, Part, PartOf};
use crate::schema::Table;
use crate::temporal::{self, MICROS_PER_DAY};

/// Share of sampled rows in which a part must hold to be kept.
const HOLDS: f64 = 0.99;
/// Fewest sampled rows with both values for a part to be read.
const MIN_ROWS: usize = 20;

/// The family numbers of [`super::relations::family`]: what a column's values are on its line.
const NUMBER: u8 = 0;
const DATE: u8 = 1;
const TIMESTAMP: u8 = 2;
const TIME: u8 = 3;

impl Part {
    pub const ALL: [Part; 9] = [
        Part::Year,
        Part::Month,
        Part::Day,
        Part::Hour,
        Part::Minute,
        Part::Second,
        Part::Date,
        Part::ClockHour,
        Part::ClockMinute,
    ];

    /// The part as the profile file spells it.
    pub fn name(self) -> &'static str {
        match self {
            Part::Year => "year",
            Part::Month => "month",
            Part::Day => "day",
            Part::Hour => "hour",
            Part::Minute => "minute",
            Part::Second => "second",
            Part::Date => "date",
            Part::ClockHour => "clock_hour",
            Part::ClockMinute => "clock_minute",
        }
    }

    /// The parts a column of `family` has, and the family of the value each gives.
    fn of_family(family: u8) -> &'static [(Part, u8)] {
        match family {
            DATE => &[
                (Part::Year, NUMBER),
                (Part::Month, NUMBER),
                (Part::Day, NUMBER),
            ],
            TIMESTAMP => &[
                (Part::Year, NUMBER),
                (Part::Month, NUMBER),
                (Part::Day, NUMBER),
                (Part::Hour, NUMBER),
                (Part::Minute, NUMBER),
                (Part::Second, NUMBER),
                (Part::Date, DATE),
            ],
            TIME => &[
                (Part::Hour, NUMBER),
                (Part::Minute, NUMBER),
                (Part::Second, NUMBER),
            ],
            NUMBER => &[(Part::ClockHour, NUMBER), (Part::ClockMinute, NUMBER)],
            _ => &[],
        }
    }

    /// This part of `value`, a value of a column of `family` on its line (days for dates,
    /// microseconds for times and timestamps). `None` when the value has no such part (a
    /// fractional clock time, a date out of range).
    pub fn of(self, family: u8, value: f64) -> Option<f64> {
        match (family, self) {
            (NUMBER, Part::ClockHour | Part::ClockMinute) => {
                if value.fract() != 0.0 || value < 0.0 {
                    return None;
                }
                let hhmm = value as i64;
                Some(if self == Part::ClockHour {
                    hhmm / 100
                } else {
                    hhmm % 100
                } as f64)
            }
            (DATE, _) => {
                let date = temporal::date_from_days(value as i32)?;
                date_part(self, date)
            }
            (TIMESTAMP, Part::Date) => Some((value as i64).div_euclid(MICROS_PER_DAY) as f64),
            (TIMESTAMP, _) => {
                let micros = value as i64;
                let date = temporal::date_from_days(micros.div_euclid(MICROS_PER_DAY) as i32)?;
                date_part(self, date).or_else(|| time_part(self, micros.rem_euclid(MICROS_PER_DAY)))
            }
            (TIME, _) => time_part(self, value as i64),
            _ => None,
        }
    }
}

fn date_part(part: Part, date: chrono::NaiveDate) -> Option<f64> {
    Some(match part {
        Part::Year => date.year() as f64,
        Part::Month => date.month() as f64,
        Part::Day => date.day() as f64,
        _ => return None,
    })
}

fn time_part(part: Part, micros_of_day: i64) -> Option<f64> {
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
        (micros_of_day / 1_000_000) as u32,
        0,
    )?;
    Some(match part {
        Part::Hour => time.hour() as f64,
        Part::Minute => time.minute() as f64,
        Part::Second => time.second() as f64,
        _ => return None,
    })
}

/// The parts found on a sample of rows. `columns` are the sampled columns as `(index in the
/// table, family)`, and each row holds their values in that order. A column already taken
/// (`taken`, such as a derived sum's columns) is no part, though it may be a source, since parts
/// are computed last; a part is never itself the source of another, so parts never chain. A
/// target that takes a single value in the sample is left out: any source explains a
/// constant.
pub fn find(
    table: &Table,
    columns: &[(usize, u8)],
    rows: &[&Vec<Option<f64>>],
    taken: &[&str],
) -> Vec<PartOf> {
    let name = |k: usize| table.columns[columns[k].0].name.as_str();
    let value = |k: usize| columns[k].1 != u8::MAX;
    let free = |k: usize| value(k) && !taken.contains(&name(k));
    let mut found: Vec<PartOf> = Vec::new();
    let mut targets: Vec<usize> = Vec::new();
    for target in (0..columns.len()).filter(|&k| free(k) && varies(rows, k)) {
        let target_family = columns[target].1;
        if target_family == NUMBER && !table.columns[columns[target].0].logical.is_integer() {
            continue;
        }
        let is_source = |k: usize| found.iter().any(|p| p.of == name(k));
        let part = (0..columns.len())
            .filter(|&s| s != target && value(s) && !targets.contains(&s))
            .find_map(|source| {
                Part::of_family(columns[source].1)
                    .iter()
                    .filter(|&&(_, gives)| gives == target_family)
                    .find_map(|&(part, _)| {
                        let holds = holds(rows, target, source, columns[source].1, part)?;
                        Some((source, part, holds))
                    })
            });
        if let Some((source, part, holds)) = part.filter(|_| !is_source(target)) {
            found.push(PartOf {
                column: name(target).to_string(),
                part,
                of: name(source).to_string(),
                holds: round_share(holds),
            });
            targets.push(target);
        }
    }
    found
}

/// Calendar dates held in integer columns: a month column (1 to 12, more than one value), a day
/// column (1 to 31, reaching 29 or more, so a month's end can be passed) and, if one fits, a
/// year column (1 to 9999) with which every sampled row that has them all is a valid date.
/// Chance rarely gives that: drawn apart, a day of 31 meets a 30-day month in a third of its
/// rows. A day already computed (`taken`: a part of a timestamp, a sum) is always valid and
/// left out; a computed month or year still needs its day kept inside it. Each column serves
/// one date.
pub fn find_dates(
    table: &Table,
    columns: &[(usize, u8)],
    rows: &[&Vec<Option<f64>>],
    taken: &[&str],
) -> Vec<CalendarDate> {
    let name = |k: usize| table.columns[columns[k].0].name.as_str();
    let integer =
        |k: usize| columns[k].1 == NUMBER && table.columns[columns[k].0].logical.is_integer();
    let within = |k: usize, low: f64, high: f64| {
        let mut values = rows.iter().filter_map(|r| r[k]).peekable();
        values.peek().is_some() && values.all(|v| v.fract() == 0.0 && (low..=high).contains(&v))
    };
    let months: Vec<usize> = (0..columns.len())
        .filter(|&k| integer(k) && within(k, 1.0, 12.0) && varies(rows, k))
        .collect();
    let days: Vec<usize> = (0..columns.len())
        .filter(|&k| integer(k) && !taken.contains(&name(k)) && within(k, 1.0, 31.0))
        .filter(|&k| rows.iter().filter_map(|r| r[k]).any(|d| d >= 29.0))
        .collect();
    // Years as calendars write them; a column named for a year is tried first, since any
    // count in that range passes the check but on 29 February.
    let mut years: Vec<usize> = (0..columns.len())
        .filter(|&k| integer(k) && within(k, 1000.0, 9999.0))
        .collect();
    years.sort_by_key(|&k| !name(k).to_ascii_lowercase().contains("year"));
    let mut found: Vec<CalendarDate> = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    for &day in &days {
        for &month in months.iter().filter(|&&m| m != day && !used.contains(&m)) {
            let free = |&&y: &&usize| y != day && y != month && !used.contains(&y);
            let year = years
                .iter()
                .filter(free)
                .find(|&&y| valid_dates(rows, Some(y), month, day).is_some());
            let Some(checked) = valid_dates(rows, year.copied(), month, day) else {
                continue;
            };
            found.push(CalendarDate {
                year: year.map_or(String::new(), |&y| name(y).to_string()),
                month: name(month).to_string(),
                day: name(day).to_string(),
                rows: checked,
            });
            used.extend(
                [Some(day), Some(month), year.copied()]
                    .into_iter()
                    .flatten(),
            );
            break;
        }
    }
    found
}

/// How likely chance alone is to pass the check: below this, a month and a day column that
/// always made a valid date are taken to be one.
const DATE_BY_CHANCE: f64 = 1e-3;

/// How many sampled rows with the columns present there are, when each is a valid date and
/// chance would rarely have made them so (see [`DATE_BY_CHANCE`]): only days from 29 can pass
/// a month's end, and a day of 31 drawn apart from its month lands in a month that has it 7
/// times in 12, a 29 or 30 11 times in 12. A missing year allows 29 February.
fn valid_dates(
    rows: &[&Vec<Option<f64>>],
    year: Option<usize>,
    month: usize,
    day: usize,
) -> Option<u64> {
    let (mut checked, mut chance) = (0u64, 0f64);
    for r in rows {
        let (Some(m), Some(d)) = (r[month], r[day]) else {
            continue;
        };
        let y = match year {
            Some(y) => match r[y] {
                Some(y) => y,
                None => continue,
            },
            None => 2000.0, // a leap year
        };
        if temporal::days_in_month(y as i32, m as u32)? < d as u32 {
            return None;
        }
        checked += 1;
        chance += match d as u32 {
            31 => (7.0f64 / 12.0).ln(),
            29 | 30 => (11.0f64 / 12.0).ln(),
            _ => 0.0,
        };
    }
    (checked >= MIN_ROWS as u64 && chance < DATE_BY_CHANCE.ln()).then_some(checked)
}

/// Whether column `k` takes more than one value in the sample.
fn varies(rows: &[&Vec<Option<f64>>], k: usize) -> bool {
    let mut values = rows.iter().filter_map(|r| r[k]);
    let Some(first) = values.next() else {
        return false;
    };
    values.any(|v| v != first)
}

/// The share of rows, with both present, where `target = part(source)`; `None` below the bar.
fn holds(
    rows: &[&Vec<Option<f64>>],
    target: usize,
    source: usize,
    family: u8,
    part: Part,
) -> Option<f64> {
    let (mut all, mut held) = (0usize, 0usize);
    for r in rows {
        if let (Some(t), Some(s)) = (r[target], r[source]) {
            all += 1;
            held += (part.of(family, s) == Some(t)) as usize;
        }
    }
    let share = held as f64 / all.max(1) as f64;
    (all >= MIN_ROWS && share >= HOLDS).then_some(share)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, LogicalType};

    #[test]
    fn every_part_reads_its_value() {
        let ts = temporal::parse_timestamp("2024-02-29 15:45:07").unwrap() as f64;
        let expect = [
            (Part::Year, 2024.0),
            (Part::Month, 2.0),
            (Part::Day, 29.0),
            (Part::Hour, 15.0),
            (Part::Minute, 45.0),
            (Part::Second, 7.0),
        ];
        for (part, want) in expect {
            assert_eq!(part.of(TIMESTAMP, ts), Some(want), "{part:?}");
        }
        let day = temporal::parse_date("2024-02-29").unwrap() as f64;
        assert_eq!(Part::Date.of(TIMESTAMP, ts), Some(day));
        assert_eq!(Part::Day.of(DATE, day), Some(29.0));
        assert_eq!(Part::ClockHour.of(NUMBER, 1545.0), Some(15.0));
        assert_eq!(Part::ClockMinute.of(NUMBER, 1545.0), Some(45.0));
        assert_eq!(Part::ClockMinute.of(NUMBER, 15.5), None);
        let before_1970 = temporal::parse_timestamp("1969-12-31 23:59:00").unwrap() as f64;
        assert_eq!(Part::Hour.of(TIMESTAMP, before_1970), Some(23.0));
    }

    fn table(columns: &[(&str, LogicalType)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(name, logical)| Column::new(*name, logical.clone(), true))
                .collect(),
            name: "t".into(),
            ..Table::default()
        }
    }

    #[test]
    fn finds_the_parts_that_hold_and_no_others() {
        let t = table(&[
            ("at", LogicalType::Timestamp),
            ("year", LogicalType::Int32),
            ("hhmm", LogicalType::Int32),
            ("hour", LogicalType::Int32),
            ("noise", LogicalType::Int32),
        ]);
        let columns: Vec<(usize, u8)> = vec![
            (0, TIMESTAMP),
            (1, NUMBER),
            (2, NUMBER),
            (3, NUMBER),
            (4, NUMBER),
        ];
        let data: Vec<Vec<Option<f64>>> = (0..50)
            .map(|i| {
                let year = 2000 + i % 7;
                let at = temporal::parse_timestamp(&format!("{year}-03-0{} 10:00:00", 1 + i % 9))
                    .unwrap() as f64;
                let hhmm = (i % 24) * 100 + (i * 7) % 60;
                vec![
                    Some(at),
                    Some(year as f64),
                    Some(hhmm as f64),
                    Some((hhmm / 100) as f64),
                    Some(((i * 37) % 11) as f64),
                ]
            })
            .collect();
        let rows: Vec<&Vec<Option<f64>>> = data.iter().collect();
        let found = find(&t, &columns, &rows, &[]);
        let names: Vec<String> = found
            .iter()
            .map(|p| format!("{} = {:?}({})", p.column, p.part, p.of))
            .collect();
        assert_eq!(names, ["year = Year(at)", "hour = ClockHour(hhmm)"]);
        assert_eq!(find(&t, &columns, &rows, &["year"]).len(), 1);
        assert_eq!(
            find(&t, &columns, &rows, &["hhmm"]).len(),
            2,
            "a taken source still serves"
        );
    }

    #[test]
    fn finds_dates_kept_as_integers_and_not_columns_that_only_look_so() {
        let t = table(&[
            ("y", LogicalType::Int32),
            ("m", LogicalType::Int32),
            ("d", LogicalType::Int32),
            ("rooms", LogicalType::Int32),
            ("age", LogicalType::Int32),
        ]);
        let columns: Vec<(usize, u8)> = (0..5).map(|k| (k, NUMBER)).collect();
        let data: Vec<Vec<Option<f64>>> = (0..600)
            .map(|i| {
                let date = chrono::NaiveDate::from_ymd_opt(2015, 1, 1).unwrap()
                    + chrono::Days::new(i * 37 % 1461);
                let (rooms, age) = (1 + i % 12, 1 + (i * 7) % 31);
                [
                    date.year() as u64,
                    date.month() as u64,
                    date.day() as u64,
                    rooms,
                    age,
                ]
                .map(|v| Some(v as f64))
                .to_vec()
            })
            .collect();
        let rows: Vec<&Vec<Option<f64>>> = data.iter().collect();
        let found = find_dates(&t, &columns, &rows, &[]);
        let names: Vec<String> = found
            .iter()
            .map(|d| format!("{}/{}/{}", d.year, d.month, d.day))
            .collect();
        assert_eq!(names, ["y/m/d"], "rooms and age meet as 2-31 in some row");
        assert!(
            find_dates(&t, &columns, &rows, &["d"]).is_empty(),
            "a computed day"
        );
        let without_year: Vec<(usize, u8)> = vec![(1, NUMBER), (2, NUMBER)];
        let rows_md: Vec<Vec<Option<f64>>> = data.iter().map(|r| vec![r[1], r[2]]).collect();
        let rows_md: Vec<&Vec<Option<f64>>> = rows_md.iter().collect();
        let found = find_dates(&t, &without_year, &rows_md, &[]);
        assert_eq!((found[0].year.as_str(), found[0].month.as_str()), ("", "m"));
    }
}
