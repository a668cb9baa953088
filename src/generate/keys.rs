//! Key values as bijections of the row index: unique by construction, computable for any row of
//! any table, which is how a foreign key produces its parent's key without reading the parent.

use fake::locales::{Data, EN};

use super::permute::Permutation;
use crate::hashing::{combine, mix64};
use crate::schema::{Column, LogicalType};
use crate::temporal;

/// One key value, in the form its Arrow column is built from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// Integers, and dates (days) and timestamps (µs) by their numeric form.
    Int(i64),
    Text(String),
}

/// Key values a target already holds, which new rows must not repeat (`--append`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Taken {
    /// Rows already there: scattered keys continue after the first `rows` of their sequence.
    pub rows: u64,
    /// The largest integer key already there: sequences continue after it.
    pub max: Option<i64>,
}

/// How a key column turns a row index into a value.
#[derive(Debug, Clone)]
pub enum IndexKey {
    /// `start + i`, as a sequence would.
    Sequence { start: i64 },
    /// A scattered fixed-width code over `alphabet`, e.g. `ALFKI`-like customer codes.
    Code {
        alphabet: &'static [u8],
        width: u32,
        scatter: Permutation,
        /// Codes already taken in the target: row `i` gets code number `first + i`.
        first: u64,
    },
    /// A version-4-shaped UUID whose random bits embed a bijection of `first + i`.
    Uuid { salt: u64, first: u64 },
    /// The `i`-th enum label or boolean value.
    Label(Vec<String>),
    /// The `i`-th of a lookup table's real keys, in row order (its key column's `lookup` model).
    Listed(Vec<Key>),
    /// The snapshot's head and a number counting up from 1 after `first` (`s1`, `s2`, …),
    /// zero-padded to `width` digits where the snapshot's were (`INV-0001`).
    Counter {
        prefix: String,
        width: usize,
        first: u64,
    },
    /// An email address that keeps a unique email column looking like one:
    /// `first.last<n>@example.com` with `n = first + i + 1`. Names hold letters only, so the
    /// number before `@` tells every address apart (also ignoring case); names come from a hash
    /// of `n`. `named: false` is the short form `user<n>@example.com`, for narrow columns.
    Email { first: u64, named: bool },
    /// Not unique on its own: a column of a referenced composite key that another column of
    /// the key makes unique (the year of a `(year, team)` key). Row `i` takes the integer at
    /// rank `frac((i + ½) · φ)` of `quantiles` (evenly spread ranks, so the learned
    /// distribution is met without a draw), rounded to the column's numeric form (days for
    /// dates, µs for timestamps).
    Spread { quantiles: Vec<f64> },
    /// Unique and following the learned distribution: a date or timestamp that carries a key's
    /// uniqueness (`UNIQUE (rented_at, item, customer)`), instead of counting up from its
    /// first value. Row `i` takes rank `j = scatter(i)` of `rows` evenly spread ranks, and the
    /// value the learned quantiles give that rank on the column's grid of `step` (days for
    /// dates, the learned resolution in µs for timestamps), pushed up past rank `j − 1`'s where
    /// the distribution is denser than one step per row: the least strictly increasing
    /// sequence at or above the quantiles (see [`spaced`]).
    Spaced {
        quantiles: Vec<f64>,
        step: i64,
        rows: u64,
        scatter: Permutation,
        /// Set for a calendar series: `quantiles` and `step` count months, and each key is
        /// its month's first or last day.
        months: Option<MonthGrid>,
    },
    /// Consecutive months from month `first` (months since January 1970), each at the grid's
    /// day: the ranks of one parent's monthly series.
    Months { first: i64, grid: MonthGrid },
}

/// Dates that all fall on one day of their month: the first (monthly figures) or the last
/// (month-end balances). Their keys step a month at a time, where days would scatter them over
/// every day of the month and put two in one month.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonthGrid {
    pub last_day: bool,
    /// The column's units in a day: 1 for dates, microseconds for timestamps.
    pub per_day: i64,
}

impl MonthGrid {
    /// A value of the column (days or microseconds) as months since January 1970.
    pub fn months(&self, value: f64) -> f64 {
        temporal::month_number((value / self.per_day as f64).floor() as i64)
    }

    /// The grid's day of month `month` (months since January 1970), in the column's units.
    pub fn value(&self, month: i64) -> i64 {
        temporal::month_day(month, self.last_day).saturating_mul(self.per_day)
    }
}

/// The domain of generated email keys (reserved for examples, RFC 2606).
const EMAIL_DOMAIN: &str = "@example.com";

const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

impl IndexKey {
    /// Picks the key form for `column` given `rows` rows, or says why it cannot hold them.
    /// `shape` is the column's most common learned shape (`AAAAA`, `99999`, …), if any.
    /// A sequence starts at `learned_start` (where the real one did: an order number from
    /// 10248, a date key on its first day), or at 1, and after what the target holds.
    pub fn for_column(
        column: &Column,
        rows: u64,
        shape: Option<&str>,
        min_chars: Option<u32>,
        salt: u64,
        taken: Taken,
        learned_start: Option<i64>,
    ) -> Result<IndexKey, String> {
        let start = taken
            .max
            .map_or(learned_start.unwrap_or(1), |m| m.max(0) + 1);
        let sequence = |rows, max, type_name: &str| sequence(rows, max, type_name, start);
        let code = |rows: u64, max_chars, shape, min_chars, salt| {
            code(rows + taken.rows, max_chars, shape, min_chars, salt).map(|key| match key {
                IndexKey::Code {
                    alphabet,
                    width,
                    scatter,
                    ..
                } => IndexKey::Code {
                    alphabet,
                    width,
                    scatter,
                    first: taken.rows,
                },
                other => other,
            })
        };
        let key = match &column.logical {
            LogicalType::Int16 => sequence(rows, i16::MAX as i64, "smallint")?,
            LogicalType::Int32 => sequence(rows, i32::MAX as i64, "integer")?,
            LogicalType::Int64 | LogicalType::Float32 | LogicalType::Float64 => {
                sequence(rows, i64::MAX, "bigint")?
            }
            LogicalType::Decimal {
                precision: Some(p),
                scale,
            } => {
                let digits = (*p as i32 - scale.unwrap_or(0) as i32).clamp(0, 18) as u32;
                let max = 10i64.pow(digits) - 1;
                sequence(rows, max, &format!("numeric({p})"))?
            }
            LogicalType::Decimal { .. } => sequence(rows, i64::MAX, "numeric")?,
            LogicalType::Date => sequence(rows, 2_000_000, "date")?,
            LogicalType::Timestamp | LogicalType::TimestampTz => {
                sequence(rows, i64::MAX / 2, "timestamp")?
            }
            LogicalType::Uuid => IndexKey::Uuid {
                salt,
                first: taken.rows,
            },
            LogicalType::Bool => labels(rows, vec!["false".into(), "true".into()], "boolean")?,
            LogicalType::Enum { labels: l } => labels(rows, l.clone(), "enum")?,
            LogicalType::Text { max_chars } => code(rows, *max_chars, shape, min_chars, salt)?,
            LogicalType::Char { chars } => code(rows, Some(*chars), shape, Some(*chars), salt)?,
            other => {
                return Err(format!(
                    "a {} column cannot be a generated key",
                    other.sql_type()
                ))
            }
        };
        Ok(key)
    }

    /// An email key for a column of at most `max_chars` characters holding `rows` rows after
    /// the `taken` ones, or `None` when not even the short form fits.
    pub fn email(max_chars: Option<u32>, rows: u64, taken: Taken) -> Option<IndexKey> {
        let limit = max_chars.map_or(usize::MAX, |m| m as usize);
        let digits = (rows + taken.rows).max(1).to_string().len();
        let longest = |list: &[&str]| list.iter().map(|n| n.len()).max().unwrap_or(0);
        let named = longest(EN::NAME_FIRST_NAME) + 1 + longest(EN::NAME_LAST_NAME);
        let first = taken.rows;
        if named + digits + EMAIL_DOMAIN.len() <= limit {
            Some(IndexKey::Email { first, named: true })
        } else if "user".len() + digits + EMAIL_DOMAIN.len() <= limit {
            Some(IndexKey::Email {
                first,
                named: false,
            })
        } else {
            None
        }
    }

    pub fn value(&self, i: u64) -> Key {
        match self {
            IndexKey::Sequence { start } => Key::Int(start + i as i64),
            IndexKey::Code {
                alphabet,
                width,
                scatter,
                first,
            } => {
                let mut n = scatter.apply(first + i);
                let base = alphabet.len() as u64;
                let mut code = vec![0u8; *width as usize];
                for slot in code.iter_mut().rev() {
                    *slot = alphabet[(n % base) as usize];
                    n /= base;
                }
                Key::Text(String::from_utf8(code).expect("alphabets are ASCII"))
            }
            IndexKey::Uuid { salt, first } => Key::Text(uuid_for(mix64((first + i) ^ salt))),
            IndexKey::Label(labels) => Key::Text(labels[i as usize].clone()),
            IndexKey::Listed(keys) => keys[i as usize].clone(),
            IndexKey::Counter {
                prefix,
                width,
                first,
            } => Key::Text(format!("{prefix}{:0width$}", first + i + 1)),
            IndexKey::Email { first, named } => Key::Text(email(first + i + 1, *named)),
            IndexKey::Spaced {
                quantiles,
                step,
                rows,
                scatter,
                months,
            } => {
                let point = spaced(quantiles, *step, *rows, scatter.apply(i)).saturating_mul(*step);
                Key::Int(months.map_or(point, |grid| grid.value(point)))
            }
            IndexKey::Months { first, grid } => {
                Key::Int(grid.value(first.saturating_add(i as i64)))
            }
            IndexKey::Spread { quantiles } => {
                const GOLDEN: f64 = 0.618_033_988_749_895;
                let rank = ((i as f64 + 0.5) * GOLDEN).fract();
                Key::Int(super::copula::interpolate(quantiles, rank).round() as i64)
            }
        }
    }
}

/// The grid point (in steps) of rank `j` of `rows` for [`IndexKey::Spaced`]: `j` plus the
/// largest `g(k) − k` over ranks `k <= j`, where `g(k)` is the quantile at `(k + ½) / rows` in
/// whole steps. `g` is piecewise linear between the quantile points, so `g(k) − k` only rises
/// or only falls between them: its largest value up to `j` lies at `j`, at `0`, or next to a
/// quantile point, and a few dozen evaluations find it for any row alone.
pub fn spaced(quantiles: &[f64], step: i64, rows: u64, j: u64) -> i64 {
    let n = rows.max(1) as f64;
    let step = step.max(1) as f64;
    let grid = |k: u64| {
        let value = super::copula::interpolate(quantiles, (k as f64 + 0.5) / n);
        (value / step).floor() as i64 - k as i64
    };
    let last = quantiles.len().saturating_sub(1).max(1) as f64;
    let near_points = (0..quantiles.len()).flat_map(|m| {
        let k = m as f64 / last * n - 0.5;
        [k.floor(), k.ceil()]
    });
    let best = near_points
        .filter(|&k| k >= 0.0 && k <= j as f64)
        .map(|k| grid(k as u64))
        .chain([grid(0), grid(j)])
        .max()
        .expect("two at least");
    best.saturating_add(j as i64)
}

fn email(n: u64, named: bool) -> String {
    let mut out = String::with_capacity(40);
    if named {
        let h = mix64(n);
        let pick = |list: &[&'static str], h: u64| list[(h % list.len() as u64) as usize];
        let letters = |name: &str| {
            name.chars()
                .filter(char::is_ascii_alphabetic)
                .map(|c| c.to_ascii_lowercase())
                .collect::<String>()
        };
        out.push_str(&letters(pick(EN::NAME_FIRST_NAME, h)));
        out.push('.');
        out.push_str(&letters(pick(EN::NAME_LAST_NAME, h >> 32)));
    } else {
        out.push_str("user");
    }
    out.push_str(itoa::Buffer::new().format(n));
    out.push_str(EMAIL_DOMAIN);
    out
}

fn sequence(rows: u64, max: i64, type_name: &str, start: i64) -> Result<IndexKey, String> {
    if rows as i128 + start as i128 - 1 > max as i128 {
        return Err(format!(
            "a {type_name} key holds values up to {max}, but {rows} rows counted from {start} \
             would reach {}",
            rows as i128 + start as i128 - 1
        ));
    }
    Ok(IndexKey::Sequence { start })
}

fn labels(rows: u64, labels: Vec<String>, type_name: &str) -> Result<IndexKey, String> {
    if rows > labels.len() as u64 {
        return Err(format!(
            "a {type_name} key has {} distinct values, but {rows} rows were requested",
            labels.len()
        ));
    }
    Ok(IndexKey::Label(labels))
}

/// A fixed-width code in the learned alphabet, as short as the learned values allow.
fn code(
    rows: u64,
    max_chars: Option<u32>,
    shape: Option<&str>,
    min_chars: Option<u32>,
    salt: u64,
) -> Result<IndexKey, String> {
    let alphabet = match shape {
        Some(s) if !s.is_empty() && s.bytes().all(|b| b == b'A') => UPPER,
        Some(s) if !s.is_empty() && s.bytes().all(|b| b == b'a') => LOWER,
        Some(s) if !s.is_empty() && s.bytes().all(|b| b == b'9') => DIGITS,
        _ => ALNUM,
    };
    let base = alphabet.len() as u128;
    let limit = max_chars.unwrap_or(32).min(32);
    let mut width = min_chars.unwrap_or(1).clamp(1, limit.max(1));
    while width < limit && base.pow(width) < rows as u128 {
        width += 1;
    }
    let capacity = base.pow(width);
    if capacity < rows as u128 {
        return Err(format!(
            "a text key of at most {limit} characters holds {capacity} values, but {rows} rows \
             were requested"
        ));
    }
    // Scatter over the whole code space when it fits in u64, so codes don't run AAAAA, AAAAB…
    let space = u64::try_from(capacity).unwrap_or(rows.max(1)).max(rows);
    Ok(IndexKey::Code {
        alphabet,
        width,
        scatter: Permutation::new(space, salt),
        first: 0,
    })
}

/// Formats 64 bits of `bits` (a bijection of the index) into the 122 free bits of a v4 UUID,
/// filling the rest from a hash, so distinct inputs give distinct UUIDs.
pub fn uuid_for(bits: u64) -> String {
    let mut out = String::with_capacity(36);
    write_uuid(bits, &mut out);
    out
}

/// [`uuid_for`], appended to `out` without allocating.
pub fn write_uuid(bits: u64, out: &mut String) {
    let filler = mix64(combine([bits, 0x5555]));
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&(bits >> 16).to_be_bytes()[2..]);
    b[6] = 0x40 | ((bits >> 12) & 0x0f) as u8;
    b[7] = (bits >> 4) as u8;
    b[8] = 0x80 | (bits & 0x0f) as u8;
    b[9..].copy_from_slice(&filler.to_be_bytes()[1..]);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(byte >> 4) as usize] as char);
        out.push(HEX[(byte & 0x0f) as usize] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn spaced_keys_are_unique_and_follow_their_quantiles() {
        // Days: most rows in a short busy stretch (denser than a day per row), the rest
        // spread over a year.
        let quantiles = [
            0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 200.0, 365.0,
        ];
        let rows = 800;
        let values: Vec<i64> = (0..rows).map(|j| spaced(&quantiles, 1, rows, j)).collect();
        assert!(
            values.windows(2).all(|w| w[0] < w[1]),
            "strictly increasing"
        );
        // The brute-force least increasing sequence at or above the quantiles.
        let mut least = Vec::new();
        for k in 0..rows {
            let at = crate::generate::copula::interpolate(&quantiles, (k as f64 + 0.5) / 800.0);
            let floor = at.floor() as i64;
            least.push(match least.last() {
                Some(&before) if floor <= before => before + 1,
                _ => floor,
            });
        }
        assert_eq!(values, least);
        // A sparse distribution is met as it is: seconds over a year for 1,000 rows.
        let year = [0.0, 3.0e7];
        for j in [0, 499, 999] {
            let expected = ((j as f64 + 0.5) / 1000.0 * 3.0e7).floor() as i64;
            assert_eq!(spaced(&year, 1, 1000, j), expected);
        }
    }

    fn text(max: u32) -> Column {
        Column::new(
            "code",
            LogicalType::Text {
                max_chars: Some(max),
            },
            false,
        )
    }

    #[test]
    fn codes_are_unique_and_fit_the_learned_shape() {
        let key = IndexKey::for_column(
            &text(5),
            5000,
            Some("AAAAA"),
            Some(5),
            9,
            Taken::default(),
            None,
        )
        .unwrap();
        let values: HashSet<_> = (0..5000).map(|i| key.value(i)).collect();
        assert_eq!(values.len(), 5000);
        assert!(values.iter().all(|k| matches!(k, Key::Text(s)
            if s.len() == 5 && s.bytes().all(|b| b.is_ascii_uppercase()))));
    }

    #[test]
    fn appended_keys_continue_after_the_taken_ones() {
        let column = text(5);
        let before = IndexKey::for_column(
            &column,
            100,
            Some("AAAAA"),
            Some(5),
            9,
            Taken::default(),
            None,
        )
        .unwrap();
        let taken = Taken {
            rows: 100,
            max: None,
        };
        let after =
            IndexKey::for_column(&column, 100, Some("AAAAA"), Some(5), 9, taken, None).unwrap();
        let old: HashSet<_> = (0..100).map(|i| before.value(i)).collect();
        assert!((0..100).all(|i| !old.contains(&after.value(i))));
        let id = Column::new("id", LogicalType::Int32, false);
        let taken = Taken {
            rows: 3,
            max: Some(41),
        };
        let key = IndexKey::for_column(&id, 10, None, None, 0, taken, Some(7)).unwrap();
        assert_eq!(key.value(0), Key::Int(42), "what the target holds wins");
    }

    #[test]
    fn sequences_start_where_the_real_one_did() {
        let id = Column::new("order_id", LogicalType::Int32, false);
        let key =
            IndexKey::for_column(&id, 10, None, None, 0, Taken::default(), Some(10_248)).unwrap();
        assert_eq!(
            (key.value(0), key.value(9)),
            (Key::Int(10_248), Key::Int(10_257))
        );
        let plain = IndexKey::for_column(&id, 10, None, None, 0, Taken::default(), None).unwrap();
        assert_eq!(plain.value(0), Key::Int(1));
    }

    #[test]
    fn uuids_are_unique_and_version_four() {
        let key = IndexKey::Uuid { salt: 3, first: 0 };
        let values: HashSet<_> = (0..10_000).map(|i| key.value(i)).collect();
        assert_eq!(values.len(), 10_000);
        let Key::Text(one) = key.value(5) else {
            panic!()
        };
        assert_eq!(&one[14..15], "4");
        assert!(matches!(&one[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn email_keys_are_unique_addresses_that_fit() {
        let key = IndexKey::email(Some(120), 50_000, Taken::default()).unwrap();
        let values: HashSet<String> = (0..50_000)
            .map(|i| match key.value(i) {
                Key::Text(s) => s.to_ascii_lowercase(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(values.len(), 50_000);
        assert!(values.iter().all(|v| {
            let (local, domain) = v.split_once('@').unwrap();
            local.contains('.') && domain == "example.com" && v.len() <= 120
        }));
        let narrow = IndexKey::email(Some(20), 1000, Taken::default()).unwrap();
        assert_eq!(narrow.value(41), Key::Text("user42@example.com".into()));
        assert!(IndexKey::email(Some(10), 1000, Taken::default()).is_none());
        let taken = Taken { rows: 7, max: None };
        let after = IndexKey::email(Some(20), 10, taken).unwrap();
        assert_eq!(after.value(0), Key::Text("user8@example.com".into()));
    }

    #[test]
    fn infeasible_keys_say_why() {
        let small = Column::new("id", LogicalType::Int16, false);
        let err = IndexKey::for_column(&small, 100_000, None, None, 0, Taken::default(), None)
            .unwrap_err();
        assert!(err.contains("smallint") && err.contains("32767"), "{err}");
        let err = IndexKey::for_column(
            &text(2),
            5000,
            Some("99"),
            Some(2),
            0,
            Taken::default(),
            None,
        )
        .unwrap_err();
        assert!(err.contains("100 values"), "{err}");
        let taken = Taken {
            rows: 30_000,
            max: Some(30_000),
        };
        let err = IndexKey::for_column(&small, 5000, None, None, 0, taken, None).unwrap_err();
        assert!(err.contains("counted from 30001"), "{err}");
    }
}
