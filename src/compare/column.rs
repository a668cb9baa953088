//! Figures for one column, real beside synthetic, from the column statistics that profiles
//! already hold: the same code serves a comparison of two sources and the drift between two
//! profiles.

use std::collections::BTreeMap;

use super::distance::{
    histogram_quantile, ks_histograms, ks_quantiles, quantile_at, share_outside, tvd, tvd_slices,
};
use super::report::{Chart, ChartKind, ColumnReport, Figure, Presence, Value};
use crate::profile::ColumnStats;
use crate::schema::{Column, LogicalType, Table};
use crate::temporal;

/// Most bars a category chart shows (the rest is one "other" bar).
const CHART_CATEGORIES: usize = 12;
const HISTOGRAM_BINS: usize = 20;
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A column on one side: its schema entry, statistics and table row count.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub column: &'a Column,
    pub stats: &'a ColumnStats,
    pub rows: u64,
}

/// Figures only a data comparison has, read from row samples (see `super::data`).
#[derive(Debug, Clone, Default)]
pub struct SampleFigures {
    /// Share of values matching the real column's dominant shape: (real, synthetic).
    pub shape: Option<(String, f64, f64)>,
    /// Share of words found in the real column's vocabulary: (real, synthetic).
    pub vocabulary: Option<(f64, f64)>,
    /// Share of synthetic values equal to some real value.
    pub verbatim: Option<f64>,
    /// Share of synthetic values equal to a real value fewer than [`RARE_BELOW`] real rows
    /// hold, split into values of public lists (country and state names and codes, names in
    /// `fake`'s lists: not personal data by themselves) and all others (the copies that matter).
    pub rare: Option<RareCopies>,
}

/// Real values held by fewer rows than this are rare (the privacy guard's default `k`).
pub const RARE_BELOW: f64 = 5.0;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RareCopies {
    pub public_list: f64,
    pub other: f64,
}

/// How a column is compared, decided by the real side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Number,
    Date,
    Time,
    Timestamp,
    Boolean,
    Category,
    Text,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Number => "number",
            Kind::Date => "date",
            Kind::Time => "time",
            Kind::Timestamp => "timestamp",
            Kind::Boolean => "boolean",
            Kind::Category => "category",
            Kind::Text => "text",
        }
    }

    fn family(self) -> u8 {
        match self {
            Kind::Number => 0,
            Kind::Date | Kind::Timestamp => 1,
            Kind::Time => 2,
            Kind::Boolean => 3,
            Kind::Category | Kind::Text => 4,
        }
    }

    /// Renders a point of this kind's line (microseconds for temporal kinds).
    pub fn render(self, v: f64) -> Value {
        match self {
            Kind::Date => Value::Text(temporal::format_date(
                (v as i64).div_euclid(temporal::MICROS_PER_DAY) as i32,
            )),
            Kind::Time => Value::Text(temporal::format_time(v as i64)),
            Kind::Timestamp => Value::Text(temporal::format_timestamp(v as i64)),
            _ => Value::Number(v),
        }
    }
}

/// The kind a column is compared as.
pub fn kind_of(side: &Side) -> Kind {
    let s = side.stats;
    if s.boolean.is_some() || matches!(side.column.logical, LogicalType::Bool) {
        return Kind::Boolean;
    }
    if s.numeric.is_some() {
        return Kind::Number;
    }
    match side.column.logical {
        LogicalType::Date => return Kind::Date,
        LogicalType::Time => return Kind::Time,
        LogicalType::Timestamp | LogicalType::TimestampTz => return Kind::Timestamp,
        _ => {}
    }
    if s.temporal.is_some() {
        return Kind::Timestamp;
    }
    match side.column.logical.arrow_type() {
        arrow::datatypes::DataType::Int16
        | arrow::datatypes::DataType::Int32
        | arrow::datatypes::DataType::Int64
        | arrow::datatypes::DataType::Float32
        | arrow::datatypes::DataType::Float64
        | arrow::datatypes::DataType::Decimal128(..) => Kind::Number,
        _ if categorical(side) => Kind::Category,
        _ => Kind::Text,
    }
}

/// Few distinct values (at most 500), each repeated (three times on average at least), that
/// the statistics list nearly in full.
pub fn categorical(side: &Side) -> bool {
    let s = side.stats;
    let non_null = side.rows as f64 * (1.0 - s.null_rate);
    let listed: f64 = s.frequent.iter().map(|f| f.share).sum();
    !s.frequent.is_empty()
        && listed >= 0.9
        && s.distinct <= 500
        && 3.0 * s.distinct as f64 <= non_null
}

/// Quantile points on the kind's line (temporal values as microseconds).
fn points(kind: Kind, s: &ColumnStats) -> Vec<f64> {
    if let Some(n) = &s.numeric {
        return n.quantiles.clone();
    }
    let Some(t) = &s.temporal else {
        return Vec::new();
    };
    t.quantiles
        .iter()
        .filter_map(|q| {
            let micros = if kind == Kind::Time {
                temporal::parse_time(q)
            } else {
                temporal::parse_timestamp(q)
            };
            micros.map(|m| m as f64)
        })
        .collect()
}

fn shares(s: &ColumnStats) -> BTreeMap<String, f64> {
    s.frequent
        .iter()
        .map(|f| (f.value.clone(), f.share))
        .collect()
}

fn non_null_share(s: &ColumnStats) -> f64 {
    1.0 - s.null_rate
}

fn distinct_ratio(side: &Side) -> f64 {
    let non_null = side.rows as f64 * non_null_share(side.stats);
    if non_null <= 0.0 {
        0.0
    } else {
        (side.stats.distinct as f64 / non_null).min(1.0)
    }
}

/// A column present on the real side only.
pub fn missing(real: &Side) -> ColumnReport {
    ColumnReport {
        name: real.column.name.clone(),
        kind: kind_of(real).name().into(),
        presence: Presence::MissingInSynthetic,
        null_rate_real: Some(real.stats.null_rate),
        null_rate_synthetic: None,
        distance: 1.0,
        main_figure: "presence".into(),
        figures: Vec::new(),
        charts: Vec::new(),
    }
}

/// A column present on the synthetic side only (not scored).
pub fn extra(synthetic: &Side) -> ColumnReport {
    ColumnReport {
        name: synthetic.column.name.clone(),
        kind: kind_of(synthetic).name().into(),
        presence: Presence::OnlyInSynthetic,
        null_rate_real: None,
        null_rate_synthetic: Some(synthetic.stats.null_rate),
        distance: 0.0,
        main_figure: "presence".into(),
        figures: Vec::new(),
        charts: Vec::new(),
    }
}

/// A key column (primary, unique or foreign key): its values are labels, so only NULLs and
/// distinctness are scored; where it is a number its range is shown. Keys are judged by the
/// key checks (duplicates, orphans) and the children-per-parent figures instead. A reference
/// to a lookup row (`lookup_row`: the key names the same row, a genre, on both sides) is also
/// scored as a category: each row's share of the references.
pub fn compare_key(real: &Side, synthetic: &Side, lookup_row: bool) -> ColumnReport {
    let (r, s) = (real.stats, synthetic.stats);
    let mut figures = vec![
        Figure::rate("null_rate", r.null_rate, s.null_rate),
        Figure::new(
            "distinct_ratio",
            distinct_ratio(real),
            distinct_ratio(synthetic),
        ),
    ];
    if let (Some(a), Some(b)) = (&r.numeric, &s.numeric) {
        figures.push(Figure::new("min", a.min, b.min));
        figures.push(Figure::new("max", a.max, b.max));
    }
    let mut charts = Vec::new();
    let mut main = ("null_rate".to_string(), (r.null_rate - s.null_rate).abs());
    if lookup_row {
        let (figure, d) = category(r, s, &mut figures, &mut charts);
        if d > main.1 {
            main = (figure, d);
        }
    }
    ColumnReport {
        name: real.column.name.clone(),
        kind: "key".into(),
        presence: Presence::Both,
        null_rate_real: Some(r.null_rate),
        null_rate_synthetic: Some(s.null_rate),
        distance: main.1,
        main_figure: main.0,
        figures,
        charts,
    }
}

/// Whether `column` alone is a foreign key to one of `lookups`, the tables whose rows keep their
/// real keys.
pub fn names_a_lookup_row(table: &Table, column: &str, lookups: &[String]) -> bool {
    (table.foreign_keys.iter())
        .any(|fk| fk.columns == [column] && lookups.contains(&fk.references.table))
}

/// Every figure of one column, real beside synthetic.
pub fn compare(real: &Side, synthetic: &Side, extras: &SampleFigures) -> ColumnReport {
    let kind = kind_of(real);
    let synthetic_kind = kind_of(synthetic);
    let (r, s) = (real.stats, synthetic.stats);
    let mut figures = vec![
        Figure::rate("null_rate", r.null_rate, s.null_rate),
        Figure::rate(
            "distinct_ratio",
            distinct_ratio(real),
            distinct_ratio(synthetic),
        ),
    ];
    let mut report = ColumnReport {
        name: real.column.name.clone(),
        kind: kind.name().into(),
        presence: Presence::Both,
        null_rate_real: Some(r.null_rate),
        null_rate_synthetic: Some(s.null_rate),
        distance: 0.0,
        main_figure: String::new(),
        figures: Vec::new(),
        charts: Vec::new(),
    };
    let all_null = |side: &Side| side.stats.null_rate >= 1.0 || side.rows == 0;
    let main = if kind.family() != synthetic_kind.family() && !all_null(synthetic) {
        report.presence =
            Presence::TypeChanged(format!("{} → {}", kind.name(), synthetic_kind.name()));
        ("type".to_string(), 1.0)
    } else if all_null(real) {
        ("null_rate".into(), 0.0)
    } else if all_null(synthetic) {
        ("values".into(), 1.0)
    } else {
        match kind {
            Kind::Number | Kind::Date | Kind::Time | Kind::Timestamp => {
                ordered(kind, r, s, &mut figures, &mut report.charts)
            }
            Kind::Boolean => {
                let rate = |x: &ColumnStats| x.boolean.as_ref().map_or(0.0, |b| b.true_rate);
                let f = Figure::rate("true_rate", rate(r), rate(s));
                report.charts.push(Chart {
                    title: "values".into(),
                    kind: ChartKind::Bars,
                    labels: vec!["true".into(), "false".into()],
                    real: vec![rate(r), 1.0 - rate(r)],
                    synthetic: vec![rate(s), 1.0 - rate(s)],
                });
                let d = f.distance.unwrap_or(0.0);
                figures.push(f);
                ("true_rate".into(), d)
            }
            Kind::Category => category(r, s, &mut figures, &mut report.charts),
            Kind::Text => text(r, s, extras, &mut figures, &mut report.charts),
        }
    };
    if let (Kind::Category | Kind::Text, Some(v)) = (kind, extras.verbatim) {
        figures.push(Figure::new("verbatim_copies", Value::None, v));
    }
    if let (Kind::Category | Kind::Text, Some(rare)) = (kind, extras.rare) {
        figures.push(Figure::new("rare_copies", Value::None, rare.other));
        figures.push(Figure::new(
            "rare_public_list_copies",
            Value::None,
            rare.public_list,
        ));
    }
    let null_gap = (r.null_rate - s.null_rate).abs();
    (report.main_figure, report.distance) = if null_gap > main.1 {
        ("null_rate".into(), null_gap)
    } else {
        main
    };
    report.figures = figures;
    report
}

/// Numbers, dates and times: KS over the quantiles, the tails, and the boundary rates.
fn ordered(
    kind: Kind,
    r: &ColumnStats,
    s: &ColumnStats,
    figures: &mut Vec<Figure>,
    charts: &mut Vec<Chart>,
) -> (String, f64) {
    let (pr, ps) = (points(kind, r), points(kind, s));
    let ks = ks_quantiles(&pr, &ps);
    figures.push(Figure::new("ks", Value::None, Value::None).scored(ks));
    for (name, q) in [
        ("min", 0.0),
        ("p1", 0.01),
        ("p50", 0.5),
        ("p99", 0.99),
        ("max", 1.0),
    ] {
        let at = |p: &[f64]| quantile_at(p, q).map_or(Value::None, |v| kind.render(v));
        figures.push(Figure::new(name, at(&pr), at(&ps)));
    }
    if let (Some(&low), Some(&high)) = (pr.first(), pr.last()) {
        let outside = share_outside(&ps, low, high);
        figures.push(Figure::new("outside_real_range", 0.0, outside).scored(outside));
    }
    charts.push(histogram(kind, &pr, &ps));
    if let (Some(a), Some(b)) = (&r.temporal, &s.temporal) {
        for (name, x, y) in [
            ("month_end_rate", a.month_end_rate, b.month_end_rate),
            ("feb29_rate", a.feb29_rate, b.feb29_rate),
            ("jan1_rate", a.jan1_rate, b.jan1_rate),
            ("month_start_rate", a.month_start_rate, b.month_start_rate),
            ("midnight_rate", a.midnight_rate, b.midnight_rate),
        ] {
            if kind != Kind::Time || name == "midnight_rate" {
                figures.push(Figure::rate(name, x, y));
            }
        }
        if !a.weekdays.is_empty() && !b.weekdays.is_empty() {
            let weekend = |w: &[f64]| w.get(5..).map_or(0.0, |w| w.iter().sum());
            figures.push(
                Figure::new("weekday_mix", weekend(&a.weekdays), weekend(&b.weekdays))
                    .scored(tvd_slices(&a.weekdays, &b.weekdays)),
            );
            charts.push(Chart {
                title: "weekday".into(),
                kind: ChartKind::Bars,
                labels: WEEKDAYS.iter().map(|d| d.to_string()).collect(),
                real: a.weekdays.clone(),
                synthetic: b.weekdays.clone(),
            });
        }
        if kind != Kind::Date && !a.hours.is_empty() && !b.hours.is_empty() {
            let peak = |h: &[f64]| {
                let (hour, _) =
                    h.iter().enumerate().fold(
                        (0, -1.0),
                        |best, (i, &v)| if v > best.1 { (i, v) } else { best },
                    );
                Value::Text(format!("peak {hour:02}h"))
            };
            figures.push(
                Figure::new("hour_mix", peak(&a.hours), peak(&b.hours))
                    .scored(tvd_slices(&a.hours, &b.hours)),
            );
            charts.push(Chart {
                title: "hour of day".into(),
                kind: ChartKind::Bars,
                labels: (0..24).map(|h| format!("{h:02}")).collect(),
                real: a.hours.clone(),
                synthetic: b.hours.clone(),
            });
        }
    }
    ("ks".into(), ks)
}

/// Categories: total-variation distance over value shares, and values the real side never had.
fn category(
    r: &ColumnStats,
    s: &ColumnStats,
    figures: &mut Vec<Figure>,
    charts: &mut Vec<Chart>,
) -> (String, f64) {
    let (a, b) = (shares(r), shares(s));
    let d = tvd(&a, &b);
    figures.push(Figure::new(
        "categories",
        r.distinct as f64,
        s.distinct as f64,
    ));
    figures.push(Figure::new("tvd", Value::None, Value::None).scored(d));
    let unseen: f64 = b
        .iter()
        .filter(|(k, _)| !a.contains_key(*k))
        .map(|(_, v)| v)
        .sum();
    figures.push(Figure::new("unseen_values", 0.0, unseen).scored(unseen));
    charts.push(category_chart("values", &a, &b));
    ("tvd".into(), d)
}

/// Free text: lengths, scripts, the dominant shape and the vocabulary.
fn text(
    r: &ColumnStats,
    s: &ColumnStats,
    extras: &SampleFigures,
    figures: &mut Vec<Figure>,
    charts: &mut Vec<Chart>,
) -> (String, f64) {
    let (Some(a), Some(b)) = (&r.text, &s.text) else {
        return ("values".into(), 0.0);
    };
    let lengths = |t: &crate::profile::TextStats| {
        if t.chars.is_empty() {
            t.bytes.clone()
        } else {
            t.chars.clone()
        }
    };
    let (la, lb) = (lengths(a), lengths(b));
    for (name, q) in [("length_p50", 0.5), ("length_p99", 0.99)] {
        let at = |h: &BTreeMap<u32, f64>| histogram_quantile(h, q).map(|v| v as f64);
        figures.push(Figure::new(name, at(&la), at(&lb)));
    }
    if a.at_max_rate > 0.0 {
        // Synthetic values at the real column's longest length.
        let at_real_max = match b.max_chars.cmp(&a.max_chars) {
            std::cmp::Ordering::Equal => Some(b.at_max_rate),
            std::cmp::Ordering::Less => Some(0.0),
            std::cmp::Ordering::Greater => {
                (a.max_chars <= 32).then(|| b.chars.get(&a.max_chars).copied().unwrap_or(0.0))
            }
        };
        if let Some(x) = at_real_max {
            figures.push(Figure::rate("at_max_length", a.at_max_rate, x));
        }
    }
    let length_ks = ks_histograms(&la, &lb);
    figures.push(Figure::new("length_ks", Value::None, Value::None).scored(length_ks));
    figures.push(Figure::rate("empty_rate", a.empty_rate, b.empty_rate));
    figures.push(Figure::rate(
        "non_ascii_rate",
        a.non_ascii_rate,
        b.non_ascii_rate,
    ));
    let script_tvd = tvd(&a.scripts, &b.scripts);
    figures.push(Figure::new("script_mix", Value::None, Value::None).scored(script_tvd));
    let scripts: std::collections::BTreeSet<&String> =
        a.scripts.keys().chain(b.scripts.keys()).collect();
    for script in scripts {
        let get = |m: &BTreeMap<String, f64>| m.get(script).copied().unwrap_or(0.0);
        figures.push(Figure::rate(
            format!("script {script}"),
            get(&a.scripts),
            get(&b.scripts),
        ));
    }
    for name in crate::profile::SPECIALS {
        let get = |t: &crate::profile::TextStats| t.specials.get(name).copied().unwrap_or(0.0);
        if get(a) > 0.0 || get(b) > 0.0 {
            figures.push(Figure::rate(format!("special {name}"), get(a), get(b)));
        }
    }
    let value_scripts: std::collections::BTreeSet<&String> = a
        .value_scripts
        .keys()
        .chain(b.value_scripts.keys())
        .filter(|k| *k != "Latin")
        .collect();
    for combo in value_scripts {
        let get = |m: &BTreeMap<String, f64>| m.get(combo).copied().unwrap_or(0.0);
        figures.push(Figure::rate(
            format!("values in {combo}"),
            get(&a.value_scripts),
            get(&b.value_scripts),
        ));
    }
    let mut parts = vec![length_ks, script_tvd];
    if let Some((shape, x, y)) = &extras.shape {
        figures.push(Figure::rate(format!("shape {shape}"), *x, *y));
        parts.push((x - y).abs());
    }
    if let Some((x, y)) = extras.vocabulary {
        figures.push(Figure::rate("vocabulary", x, y));
        parts.push((x - y).abs());
    }
    charts.push(bucket_chart("length (characters)", &la, &lb));
    charts.push(category_chart("scripts", &a.scripts, &b.scripts));
    let main = parts.iter().sum::<f64>() / parts.len() as f64;
    figures.push(Figure::new("text_mix", Value::None, Value::None).scored(main));
    ("text_mix".into(), main)
}

/// Two bucketed histograms (lengths) over the union of their buckets.
fn bucket_chart(title: &str, a: &BTreeMap<u32, f64>, b: &BTreeMap<u32, f64>) -> Chart {
    let keys: std::collections::BTreeSet<u32> = a.keys().chain(b.keys()).copied().collect();
    let series = |h: &BTreeMap<u32, f64>| {
        keys.iter()
            .map(|k| h.get(k).copied().unwrap_or(0.0))
            .collect()
    };
    Chart {
        title: title.into(),
        kind: ChartKind::Bars,
        labels: keys.iter().map(|k| k.to_string()).collect(),
        real: series(a),
        synthetic: series(b),
    }
}

/// Bars for the real side's most frequent values, the synthetic side's shares of the same
/// values, and the rest as "(other)".
fn category_chart(title: &str, a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> Chart {
    let mut top: Vec<(&String, f64)> = a.iter().map(|(k, &v)| (k, v)).collect();
    for (k, &v) in b {
        if !a.contains_key(k) {
            top.push((k, v / 1e6));
        }
    }
    top.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(y.0)));
    top.truncate(CHART_CATEGORIES);
    let labels: Vec<String> = top.iter().map(|(k, _)| k.to_string()).collect();
    let mut real: Vec<f64> = labels
        .iter()
        .map(|k| a.get(k).copied().unwrap_or(0.0))
        .collect();
    let mut synthetic: Vec<f64> = labels
        .iter()
        .map(|k| b.get(k).copied().unwrap_or(0.0))
        .collect();
    let rest = |v: &[f64], all: &BTreeMap<String, f64>| {
        (all.values().sum::<f64>().max(1.0) - v.iter().sum::<f64>()).max(0.0)
    };
    let (ra, rb) = (rest(&real, a), rest(&synthetic, b));
    let mut labels = labels;
    if ra > 1e-9 || rb > 1e-9 {
        labels.push("(other)".into());
        real.push(ra);
        synthetic.push(rb);
    }
    Chart {
        title: title.into(),
        kind: ChartKind::Bars,
        labels,
        real,
        synthetic,
    }
}

/// The share of each side in common bins, read from the quantile points (a piecewise-linear
/// CDF). Bins span both sides' 1st to 99th percentiles, so one outlier doesn't squash the rest.
fn histogram(kind: Kind, a: &[f64], b: &[f64]) -> Chart {
    let lo = [quantile_at(a, 0.01), quantile_at(b, 0.01)]
        .into_iter()
        .flatten()
        .fold(f64::INFINITY, f64::min);
    let hi = [quantile_at(a, 0.99), quantile_at(b, 0.99)]
        .into_iter()
        .flatten()
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, lo + 0.5)
    };
    let width = (hi - lo) / HISTOGRAM_BINS as f64;
    let edges: Vec<f64> = (0..=HISTOGRAM_BINS)
        .map(|i| lo + width * i as f64)
        .collect();
    let masses = |p: &[f64]| -> Vec<f64> {
        edges
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let low = if i == 0 { f64::NEG_INFINITY } else { w[0] };
                let high = if i == HISTOGRAM_BINS - 1 {
                    f64::INFINITY
                } else {
                    w[1]
                };
                linear_cdf(p, high) - linear_cdf(p, low)
            })
            .collect()
    };
    Chart {
        title: "distribution".into(),
        kind: ChartKind::Histogram,
        labels: edges[..HISTOGRAM_BINS]
            .iter()
            .map(|&e| kind.render(e).render())
            .collect(),
        real: masses(a),
        synthetic: masses(b),
    }
}

/// The CDF through quantile points at evenly spaced ranks, linear between points.
fn linear_cdf(points: &[f64], x: f64) -> f64 {
    if points.is_empty() || x < points[0] {
        return 0.0;
    }
    let last = points.len() - 1;
    if x >= points[last] || last == 0 {
        return 1.0;
    }
    let i = points.partition_point(|&p| p <= x) - 1;
    let (lo, hi) = (points[i], points[i + 1]);
    let within = if hi > lo { (x - lo) / (hi - lo) } else { 1.0 };
    (i as f64 + within) / last as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{NumericStats, Share};

    fn number_stats(quantiles: Vec<f64>, null_rate: f64) -> ColumnStats {
        ColumnStats {
            column: "x".into(),
            null_rate,
            distinct: 100,
            distinct_exact: true,
            numeric: Some(NumericStats {
                min: quantiles[0],
                max: *quantiles.last().unwrap(),
                mean: 0.0,
                quantiles,
                integral: false,
                scale: 2,
                std: None,
                clock: false,
                midnight_2400: false,
                step: None,
                precision: Vec::new(),
            }),
            ..Default::default()
        }
    }

    fn column(logical: LogicalType) -> Column {
        Column::new("x", logical, true)
    }

    #[test]
    fn equal_columns_are_at_distance_zero() {
        let c = column(LogicalType::Float64);
        let stats = number_stats((0..101).map(f64::from).collect(), 0.1);
        let side = Side {
            column: &c,
            stats: &stats,
            rows: 1000,
        };
        let report = compare(&side, &side, &SampleFigures::default());
        assert_eq!(report.distance, 0.0);
        assert!(report
            .figures
            .iter()
            .all(|f| f.distance.unwrap_or(0.0) == 0.0));
    }

    #[test]
    fn a_shift_and_a_null_column_are_far() {
        let c = column(LogicalType::Float64);
        let real = number_stats((0..101).map(f64::from).collect(), 0.0);
        let shifted = number_stats((0..101).map(|v| v as f64 + 1000.0).collect(), 0.0);
        let side = |s| Side {
            column: &c,
            stats: s,
            rows: 1000,
        };
        let report = compare(&side(&real), &side(&shifted), &SampleFigures::default());
        assert_eq!(report.distance, 1.0);
        assert_eq!(report.main_figure, "ks");
        let nulls = ColumnStats {
            null_rate: 1.0,
            ..Default::default()
        };
        let report = compare(&side(&real), &side(&nulls), &SampleFigures::default());
        assert_eq!(report.distance, 1.0);
    }

    #[test]
    fn categories_compare_by_shares() {
        let c = column(LogicalType::Text { max_chars: None });
        let cat = |v: &[(&str, f64)]| ColumnStats {
            distinct: v.len() as u64,
            frequent: v
                .iter()
                .map(|(k, s)| Share {
                    value: k.to_string(),
                    share: *s,
                })
                .collect(),
            ..Default::default()
        };
        let real = cat(&[("a", 0.5), ("b", 0.5)]);
        let synth = cat(&[("a", 0.5), ("c", 0.5)]);
        let side = |s| Side {
            column: &c,
            stats: s,
            rows: 1000,
        };
        assert_eq!(kind_of(&side(&real)), Kind::Category);
        let report = compare(&side(&real), &side(&synth), &SampleFigures::default());
        assert!((report.distance - 0.5).abs() < 1e-12);
        let unseen = report
            .figures
            .iter()
            .find(|f| f.name == "unseen_values")
            .unwrap();
        assert_eq!(unseen.synthetic, Value::Number(0.5));
    }

    #[test]
    fn histograms_hold_all_the_mass() {
        let a: Vec<f64> = (0..101).map(f64::from).collect();
        let chart = histogram(Kind::Number, &a, &a);
        assert!((chart.real.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        assert_eq!(chart.real, chart.synthetic);
    }
}
