//! Columns that are a part of another column of the same row: `year = year(ordered_at)`,
//! `hour = clock_hour(sched_dep_time)` where `sched_dep_time` is `1545`, `day = date(created)`.
//!
//! Exports often keep such denormalised parts next to their source. Drawn on their own they
//! disagree with it (an order dated 2019 filed under year 2023), so the profile records each
//! part that held in nearly every sampled row and the generator computes it from its source.
//! [`Part::of`] is the one definition of every part, used by both sides.

use chrono::{Datelike, Timelike};

use super::model::{round_share, Part, PartOf};
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
}
