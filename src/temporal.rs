//! Dates and times as plain integers (days and microseconds since 1970-01-01), with the parsing
//! and formatting every stage shares. The text forms are ISO 8601 as PostgreSQL prints them.

use chrono::{DateTime, Datelike, NaiveDate, Timelike};

pub const MICROS_PER_DAY: i64 = 86_400_000_000;
pub const MICROS_PER_HOUR: i64 = 3_600_000_000;
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// `YYYY-MM-DD` to days since 1970-01-01. `infinity` maps to the largest date.
pub fn parse_date(s: &str) -> Option<i32> {
    match s {
        "infinity" => return Some(i32::MAX),
        "-infinity" => return Some(i32::MIN),
        _ => {}
    }
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    Some(date.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)
}

/// `HH:MM:SS[.ffffff]` to microseconds since midnight.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, sec) = (
        digits(&b[0..2])? as i64,
        digits(&b[3..5])? as i64,
        digits(&b[6..8])? as i64,
    );
    if h > 24 || m > 59 || sec > 60 {
        return None;
    }
    let mut micros = 0i64;
    let mut rest = &b[8..];
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut scaled = digits(&frac[..n.min(6)])? as i64;
        for _ in n.min(6)..6 {
            scaled *= 10;
        }
        micros = scaled;
        rest = &frac[n..];
    }
    if !rest.is_empty() {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1_000_000 + micros)
}

/// `YYYY-MM-DD[ T]HH:MM:SS[.f][Z|±HH[:MM]]` (or a bare date) to microseconds since the epoch, in
/// UTC when an offset is given.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    match s {
        "infinity" => return Some(i64::MAX),
        "-infinity" => return Some(i64::MIN),
        _ => {}
    }
    let days = parse_date(s.get(..10)?)? as i64;
    if s.len() == 10 {
        return Some(days * MICROS_PER_DAY);
    }
    let sep = s.as_bytes()[10];
    if sep != b' ' && sep != b'T' {
        return None;
    }
    let rest = &s[11..];
    let offset_at = rest
        .char_indices()
        .skip(8)
        .find(|&(_, c)| c == '+' || c == '-' || c == 'Z')
        .map(|(i, _)| i);
    let (time, offset) = match offset_at {
        Some(i) => (&rest[..i], parse_offset(&rest[i..])?),
        None => (rest, 0),
    };
    Some(days * MICROS_PER_DAY + parse_time(time)? - offset * 1_000_000)
}

/// `Z`, `+HH`, `+HHMM` or `+HH:MM` to seconds east of UTC.
fn parse_offset(s: &str) -> Option<i64> {
    if s == "Z" {
        return Some(0);
    }
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let b: Vec<u8> = s.as_bytes()[1..]
        .iter()
        .copied()
        .filter(|&c| c != b':')
        .collect();
    let (h, m) = match b.len() {
        2 => (digits(&b)?, 0),
        4 => (digits(&b[..2])?, digits(&b[2..])?),
        6 => (digits(&b[..2])?, digits(&b[2..4])?),
        _ => return None,
    };
    Some(sign * (h as i64 * 3600 + m as i64 * 60))
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, &d| n * 10 + (d - b'0') as u32))
}

/// The first day of the month `months` months after the one holding `days` (days since the
/// epoch); `days` itself when it is out of chrono's range.
pub fn month_start(days: i32, months: i32) -> i32 {
    let Some(date) = date_from_days(days) else {
        return days;
    };
    let index = date.year() * 12 + date.month0() as i32 + months;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .map_or(days, |d| d.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE)
}

pub fn date_from_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)?)
}

pub fn format_date(days: i32) -> String {
    match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        _ => date_from_days(days)
            .map_or_else(|| days.to_string(), |d| d.format("%Y-%m-%d").to_string()),
    }
}

pub fn format_time(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let base = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        base
    } else {
        format!("{base}.{frac:06}")
    }
}

/// Formats microseconds since the epoch as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
pub fn format_timestamp(micros: i64) -> String {
    match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        _ => DateTime::from_timestamp_micros(micros).map_or_else(
            || micros.to_string(),
            |t| {
                if t.nanosecond() == 0 {
                    t.format("%Y-%m-%d %H:%M:%S").to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
                }
            },
        ),
    }
}

/// Appends `YYYY-MM-DD` for `days` since the epoch: the fast path the CSV sink writes through
/// (no allocation, no chrono formatting). Years outside 0..=9999 fall back to [`format_date`].
pub fn write_date(days: i32, out: &mut Vec<u8>) {
    let (y, m, d) = civil_from_days(days as i64);
    if !(0..=9999).contains(&y) || days == i32::MAX || days == i32::MIN {
        out.extend_from_slice(format_date(days).as_bytes());
        return;
    }
    push_digits(out, y as u32, 4);
    out.push(b'-');
    push_digits(out, m, 2);
    out.push(b'-');
    push_digits(out, d, 2);
}

/// Appends `HH:MM:SS[.ffffff]` for microseconds since midnight.
pub fn write_time(micros: i64, out: &mut Vec<u8>) {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    push_digits(out, (secs / 3600) as u32, 2);
    out.push(b':');
    push_digits(out, (secs / 60 % 60) as u32, 2);
    out.push(b':');
    push_digits(out, (secs % 60) as u32, 2);
    if frac != 0 {
        out.push(b'.');
        push_digits(out, frac as u32, 6);
    }
}

/// Appends `YYYY-MM-DD HH:MM:SS[.ffffff]` for microseconds since the epoch.
pub fn write_timestamp(micros: i64, out: &mut Vec<u8>) {
    if micros == i64::MAX || micros == i64::MIN {
        out.extend_from_slice(format_timestamp(micros).as_bytes());
        return;
    }
    let days = micros.div_euclid(MICROS_PER_DAY);
    match i32::try_from(days) {
        Ok(days) => write_date(days, out),
        Err(_) => return out.extend_from_slice(format_timestamp(micros).as_bytes()),
    }
    out.push(b' ');
    write_time(micros.rem_euclid(MICROS_PER_DAY), out);
}

fn push_digits(out: &mut Vec<u8>, mut n: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for slot in out[start..].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// Proleptic Gregorian (year, month, day) for days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + (m <= 2) as i64;
    (y, m, d)
}

/// An interval as PostgreSQL keeps it: months, days and microseconds, each with its own sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

impl Interval {
    /// Its length in microseconds, a month counted as 30 days and a day as 24 hours, as
    /// PostgreSQL orders intervals.
    pub fn total_micros(&self) -> i64 {
        (self.months as i64 * 30 + self.days as i64) * MICROS_PER_DAY + self.micros
    }
}

/// Reads an interval as PostgreSQL prints it (`IntervalStyle = postgres`: `1 year 2 mons
/// -3 days +04:05:06.5`), or with unit words (`2 hours 30 mins`).
pub fn parse_interval(s: &str) -> Option<Interval> {
    let mut out = Interval {
        months: 0,
        days: 0,
        micros: 0,
    };
    let mut tokens = s.split_whitespace().peekable();
    let mut any = false;
    while let Some(token) = tokens.next() {
        any = true;
        if token.contains(':') {
            out.micros = out.micros.checked_add(clock_micros(token)?)?;
            continue;
        }
        let n: f64 = token.parse().ok()?;
        let unit = tokens.next()?.to_ascii_lowercase();
        let unit = unit.trim_end_matches(',');
        let whole = |factor: i64| (n * factor as f64).round() as i64;
        match unit.trim_end_matches('s') {
            "year" | "yr" => out.months = out.months.checked_add(whole(12) as i32)?,
            "mon" | "month" => out.months = out.months.checked_add(whole(1) as i32)?,
            "week" => out.days = out.days.checked_add(whole(7) as i32)?,
            "day" => out.days = out.days.checked_add(whole(1) as i32)?,
            "hour" | "hr" => out.micros += whole(3_600_000_000),
            "min" | "minute" => out.micros += whole(60_000_000),
            "sec" | "second" => out.micros += whole(1_000_000),
            "millisecond" | "m" => out.micros += whole(1_000),
            "microsecond" | "u" => out.micros += whole(1),
            _ => return None,
        }
    }
    any.then_some(out)
}

/// `-04:05:06.5` as microseconds.
fn clock_micros(token: &str) -> Option<i64> {
    let (sign, body) = match token.as_bytes().first()? {
        b'-' => (-1, &token[1..]),
        b'+' => (1, &token[1..]),
        _ => (1, token),
    };
    let mut parts = body.split(':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
    if parts.next().is_some() || !(0..60).contains(&minutes) || !(0.0..60.0).contains(&seconds) {
        return None;
    }
    Some(sign * ((hours * 60 + minutes) * 60_000_000 + (seconds * 1e6).round() as i64))
}

/// Appends `micros` as an interval PostgreSQL reads back exactly: `3 days 04:05:06`, with
/// `.ffffff` when it has a fraction of a second.
pub fn write_interval(micros: i64, out: &mut String) {
    use std::fmt::Write;
    let days = micros / MICROS_PER_DAY;
    let rest = micros % MICROS_PER_DAY;
    let sign = if rest < 0 { "-" } else { "" };
    let rest = rest.unsigned_abs();
    let (seconds, fraction) = (rest / 1_000_000, rest % 1_000_000);
    let _ = write!(
        out,
        "{days} days {sign}{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction > 0 {
        let _ = write!(out, ".{fraction:06}");
    }
}

/// The number of days of `month` (1 to 12) in `year`; `None` for a month or year chrono has no
/// date for.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = match month {
        12 => NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?,
        _ => NaiveDate::from_ymd_opt(year, month + 1, 1)?,
    };
    Some((next - first).num_days() as u32)
}

/// Share of a date column's values on one day of the month (its first or its last) from which
/// the column is a calendar series (monthly figures, month-end balances), not dates of events.
pub const MONTH_GRID_SHARE: f64 = 0.99;

/// Months since January 1970 of the date `days` days after the epoch, the day of the month as
/// the fraction of its month gone (1 February 1970 is 1.0, 15 February 1970 about 1.5).
pub fn month_number(days: i64) -> f64 {
    let (year, month, day) = civil_from_days(days);
    let index = (year - 1970) * 12 + month as i64 - 1;
    let length = i32::try_from(year)
        .ok()
        .and_then(|y| days_in_month(y, month))
        .unwrap_or(31);
    index as f64 + (day - 1) as f64 / length as f64
}

/// The first (or, with `last`, the last) day of month `month` (months since January 1970), in
/// days since the epoch; clamped to the dates chrono holds.
pub fn month_day(month: i64, last: bool) -> i64 {
    let first_of = |m: i64| {
        let year = (1970 + m.div_euclid(12)).clamp(-200_000, 200_000) as i32;
        NaiveDate::from_ymd_opt(year, m.rem_euclid(12) as u32 + 1, 1).map_or(0, |d| {
            (d.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE) as i64
        })
    };
    if last {
        first_of(month.saturating_add(1)) - 1
    } else {
        first_of(month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_numbers_count_months_and_come_back_to_their_days() {
        let day = |s: &str| parse_date(s).unwrap() as i64;
        assert_eq!(month_number(day("1970-01-01")), 0.0);
        assert_eq!(month_number(day("1967-07-01")), -30.0);
        assert!((month_number(day("2024-02-15")) - (649.0 + 14.0 / 29.0)).abs() < 1e-9);
        assert_eq!(month_day(649, false), day("2024-02-01"));
        assert_eq!(month_day(649, true), day("2024-02-29"));
        assert_eq!(month_day(-1, true), day("1969-12-31"));
    }

    #[test]
    fn intervals_parse_as_postgres_prints_them() {
        let i = parse_interval("1 year 2 mons -3 days +04:05:06.5").unwrap();
        assert_eq!((i.months, i.days), (14, -3));
        assert_eq!(i.micros, 14_706_500_000);
        assert_eq!(
            parse_interval("00:00:01").unwrap().total_micros(),
            1_000_000
        );
        assert_eq!(
            parse_interval("2 hours 30 mins").unwrap().total_micros(),
            9_000_000_000
        );
        assert_eq!(
            parse_interval("1 mon").unwrap().total_micros(),
            30 * MICROS_PER_DAY
        );
        assert_eq!(parse_interval("3 parsecs"), None);
        assert_eq!(parse_interval(""), None);
        assert_eq!(parse_interval("01:99:00"), None);
    }

    #[test]
    fn written_intervals_read_back() {
        for micros in [0, 1, 90_061_000_001, -90_061_500_000, 3 * MICROS_PER_DAY] {
            let mut out = String::new();
            write_interval(micros, &mut out);
            assert_eq!(
                parse_interval(&out).unwrap().total_micros(),
                micros,
                "{out}"
            );
        }
    }

    #[test]
    fn dates_round_trip() {
        for s in ["1970-01-01", "2024-02-29", "1899-12-31", "9999-12-31"] {
            assert_eq!(format_date(parse_date(s).unwrap()), s);
        }
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("infinity"), Some(i32::MAX));
    }

    #[test]
    fn timestamps_parse_offsets_into_utc() {
        let utc = parse_timestamp("2021-01-01 00:00:00").unwrap();
        assert_eq!(parse_timestamp("2021-01-01T02:00:00+02"), Some(utc));
        assert_eq!(parse_timestamp("2021-01-01 05:30:00+05:30"), Some(utc));
        assert_eq!(parse_timestamp("2021-01-01 00:00:00Z"), Some(utc));
        assert_eq!(parse_timestamp("2021-01-01"), Some(utc));
        assert_eq!(
            format_timestamp(parse_timestamp("2021-01-01 10:00:00.25").unwrap()),
            "2021-01-01 10:00:00.250000"
        );
        assert_eq!(parse_timestamp("2021-01-01 nonsense"), None);
    }

    #[test]
    fn fast_writers_agree_with_chrono() {
        for days in [-719_162, -1, 0, 59, 11_016, 19_417, 2_932_896] {
            let mut out = Vec::new();
            write_date(days, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), format_date(days));
        }
        for micros in [
            0,
            -1,
            1_700_000_000_123_456,
            951_782_400_000_000,
            -86_400_000_000,
        ] {
            let mut out = Vec::new();
            write_timestamp(micros, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), format_timestamp(micros));
        }
    }

    #[test]
    fn times_parse_fractions() {
        assert_eq!(parse_time("00:00:01.5"), Some(1_500_000));
        assert_eq!(
            format_time(parse_time("23:59:59.000001").unwrap()),
            "23:59:59.000001"
        );
        assert_eq!(parse_time("25:00:00"), None);
    }
}
