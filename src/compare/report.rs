//! The comparison's result: figures per column, pair, relationship and table, one score with
//! its sub-scores, and the worst figures first. Plain data that serializes as the `--json`
//! report; the terminal and HTML reports render it.

use serde::Serialize;

/// A figure's value on one side: a number, a rendered value (a date), or absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Text(String),
    None,
}

impl Value {
    pub fn render(&self) -> String {
        match self {
            Value::Number(v) => render_number(*v),
            Value::Text(t) => t.clone(),
            Value::None => "-".into(),
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Number(v)
    }
}

impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Value::None, Value::Number)
    }
}

/// Numbers as people read them: shares and small values with up to four significant decimals.
pub fn render_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// One figure, real beside synthetic. `distance` (0 same, 1 as far apart as it gets) is set
/// for figures that measure fidelity; descriptive ones (a minimum, a median) have none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    pub name: String,
    pub real: Value,
    pub synthetic: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance: Option<f64>,
}

impl Figure {
    pub fn new(
        name: impl Into<String>,
        real: impl Into<Value>,
        synthetic: impl Into<Value>,
    ) -> Self {
        Figure {
            name: name.into(),
            real: real.into(),
            synthetic: synthetic.into(),
            distance: None,
        }
    }

    pub fn scored(mut self, distance: f64) -> Self {
        // `+ 0.0` turns a -0.0 (from a difference of equal values) into 0.0.
        self.distance = Some(distance.clamp(0.0, 1.0) + 0.0);
        self
    }

    /// A rate on both sides, scored by their difference.
    pub fn rate(name: impl Into<String>, real: f64, synthetic: f64) -> Self {
        Figure::new(name, real, synthetic).scored((real - synthetic).abs())
    }
}

/// Two distributions over the same bins, drawn overlaid in the HTML report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub title: String,
    /// `histogram` (ordered bins) or `bars` (categories).
    pub kind: ChartKind,
    pub labels: Vec<String>,
    pub real: Vec<f64>,
    pub synthetic: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    Histogram,
    Bars,
}

/// Whether a column (or table) exists on both sides with one type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "detail")]
pub enum Presence {
    Both,
    MissingInSynthetic,
    OnlyInSynthetic,
    TypeChanged(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnReport {
    pub name: String,
    /// `number`, `date`, `timestamp`, `time`, `category`, `text` or `boolean`.
    pub kind: String,
    pub presence: Presence,
    pub null_rate_real: Option<f64>,
    pub null_rate_synthetic: Option<f64>,
    /// The column's distance (0 to 1): the larger of its main figure and the null-rate gap.
    /// For text the main figure is `text_mix`, the mean of length KS, script mix, dominant
    /// shape and vocabulary gaps.
    pub distance: f64,
    /// The figure that `distance` comes from.
    pub main_figure: String,
    pub figures: Vec<Figure>,
    pub charts: Vec<Chart>,
}

/// An association figure between two columns (of one table, or of a parent and a child).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairReport {
    pub left: String,
    pub right: String,
    /// `spearman`, `cramers_v`, `correlation_ratio`, `null_phi` for how the two columns'
    /// NULLs go together, or `copied` for the share of child rows that repeat their parent
    /// row's value.
    pub measure: String,
    pub real: f64,
    pub synthetic: f64,
    pub difference: f64,
}

/// `left <= right` (or `<`) held in every real row where both are present.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderRuleReport {
    pub left: String,
    pub operator: String,
    pub right: String,
    pub rows_real: u64,
    /// Share of synthetic rows (with both present) that break it.
    pub broken_synthetic: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForeignKeyReport {
    pub columns: Vec<String>,
    pub parent: String,
    pub parent_columns: Vec<String>,
    pub fk_orphans: u64,
    pub orphan_share_synthetic: f64,
    pub children_ks: f64,
    pub childless_real: f64,
    pub childless_synthetic: f64,
    pub children_mean_real: f64,
    pub children_mean_synthetic: f64,
    pub children_max_real: u64,
    pub children_max_synthetic: u64,
    /// Parent column against child column, read on rows joined through the key.
    pub pairs: Vec<PairReport>,
    pub chart: Option<Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableReport {
    pub name: String,
    pub presence: Presence,
    pub rows_real: u64,
    pub rows_synthetic: u64,
    pub pk_violations: u64,
    pub unique_violations: u64,
    pub fk_orphans: u64,
    /// Share of sampled synthetic rows equal to a real row on every non-key column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_copy_rate: Option<f64>,
    pub columns: Vec<ColumnReport>,
    pub pairs: Vec<PairReport>,
    pub order_rules: Vec<OrderRuleReport>,
    pub foreign_keys: Vec<ForeignKeyReport>,
    /// Schema changes (drift): columns added or removed, types changed, keys changed.
    pub changes: Vec<String>,
}

/// Averages, each from 0 (nothing alike) to 1 (identical); absent when nothing was measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subscores {
    /// Mean of (1 − column distance) over the real side's columns.
    pub columns: Option<f64>,
    /// Mean of (1 − |association difference|) over column pairs, within tables and across
    /// foreign keys.
    pub pairs: Option<f64>,
    /// Mean over foreign keys of (1 − children-per-parent KS) and (1 − childless-share gap).
    pub relationships: Option<f64>,
    /// Product over checks of (1 − share broken): each table present, the share of its columns
    /// present with their type, primary and unique keys, foreign-key orphans, order rules.
    pub validity: Option<f64>,
}

/// One entry of the worst-figures list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worst {
    /// `column`, `pair`, `relationship`, `rule`, `key` or `table`.
    pub area: String,
    /// Where: `table.column`, `table: a ~ b`, …
    pub place: String,
    pub figure: String,
    pub real: Value,
    pub synthetic: Value,
    pub distance: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `data` (two sources) or `profiles` (drift between two profiles).
    pub mode: String,
    pub real: String,
    pub synthetic: String,
    /// 0 to 100.
    pub score: f64,
    pub subscores: Subscores,
    pub tables: Vec<TableReport>,
    /// The largest distances, worst first.
    pub worst: Vec<Worst>,
    pub seconds: f64,
}

/// Sub-score weights in the score; a missing sub-score's weight is shared by the others.
pub const WEIGHTS: [(&str, f64); 4] = [
    ("columns", 0.4),
    ("pairs", 0.2),
    ("relationships", 0.2),
    ("validity", 0.2),
];

impl Subscores {
    fn values(&self) -> [Option<f64>; 4] {
        [self.columns, self.pairs, self.relationships, self.validity]
    }

    /// 100 × the weighted mean of the sub-scores present.
    pub fn score(&self) -> f64 {
        let (mut sum, mut weight) = (0.0, 0.0);
        for ((_, w), v) in WEIGHTS.iter().zip(self.values()) {
            if let Some(v) = v {
                sum += w * v;
                weight += w;
            }
        }
        if weight == 0.0 {
            100.0
        } else {
            round2(100.0 * sum / weight)
        }
    }
}

pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

pub fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        sum += v;
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

impl Report {
    /// Computes the sub-scores, the score and the worst list from the tables.
    pub fn new(mode: &str, real: String, synthetic: String, tables: Vec<TableReport>) -> Report {
        let subscores = subscores(&tables);
        let worst = worst(&tables);
        Report {
            mode: mode.into(),
            real,
            synthetic,
            score: subscores.score(),
            subscores,
            tables,
            worst,
            seconds: 0.0,
        }
    }
}

fn subscores(tables: &[TableReport]) -> Subscores {
    let columns = mean(
        tables
            .iter()
            .flat_map(|t| &t.columns)
            .filter(|c| c.presence != Presence::OnlyInSynthetic)
            .map(|c| 1.0 - c.distance),
    );
    let pairs = mean(
        tables
            .iter()
            .flat_map(|t| {
                t.pairs
                    .iter()
                    .chain(t.foreign_keys.iter().flat_map(|f| &f.pairs))
            })
            .map(|p| 1.0 - p.difference.min(1.0)),
    );
    let relationships = mean(tables.iter().flat_map(|t| &t.foreign_keys).flat_map(|f| {
        [
            1.0 - f.children_ks,
            1.0 - (f.childless_real - f.childless_synthetic).abs(),
        ]
    }));
    // Broken rows compound: validity is the product of the checks, roughly the share of rows
    // that break nothing, so one duplicated key or orphaned reference already costs points.
    let checks: Vec<f64> = tables.iter().flat_map(validity_checks).collect();
    let validity = (!checks.is_empty()).then(|| checks.iter().product());
    Subscores {
        columns: columns.map(round4),
        pairs: pairs.map(round4),
        relationships: relationships.map(round4),
        validity: validity.map(round4),
    }
}

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Each validity check of a table as (1 − share broken).
fn validity_checks(t: &TableReport) -> Vec<f64> {
    let rows = t.rows_synthetic.max(1) as f64;
    let mut checks = vec![match t.presence {
        Presence::MissingInSynthetic => 0.0,
        _ => 1.0,
    }];
    if t.presence == Presence::MissingInSynthetic {
        return checks;
    }
    // A table left empty is as good as missing.
    if t.rows_real > 0 && t.rows_synthetic == 0 {
        checks.push(0.0);
    }
    let real_columns = t
        .columns
        .iter()
        .filter(|c| c.presence != Presence::OnlyInSynthetic);
    let present = real_columns
        .clone()
        .filter(|c| c.presence == Presence::Both)
        .count();
    // An empty table only the synthetic side has (the real folder has no file for a table
    // without rows) has no real columns to miss; an extra table with rows does.
    let expected = real_columns.count();
    if expected > 0 || t.rows_synthetic > 0 {
        checks.push(present as f64 / expected.max(1) as f64);
    }
    checks.push(1.0 - (t.pk_violations as f64 / rows).min(1.0));
    checks.push(1.0 - (t.unique_violations as f64 / rows).min(1.0));
    checks.extend(
        t.foreign_keys
            .iter()
            .map(|f| 1.0 - f.orphan_share_synthetic),
    );
    checks.extend(t.order_rules.iter().map(|r| 1.0 - r.broken_synthetic));
    checks
}

/// How many entries the worst list keeps.
const WORST: usize = 40;

fn worst(tables: &[TableReport]) -> Vec<Worst> {
    let mut all = Vec::new();
    for t in tables {
        // An empty table only the synthetic side has is the file of a table with no rows.
        let empty_extra = t.presence == Presence::OnlyInSynthetic && t.rows_synthetic == 0;
        if t.presence != Presence::Both && !empty_extra {
            all.push(Worst {
                area: "table".into(),
                place: t.name.clone(),
                figure: presence_name(&t.presence),
                real: (t.rows_real as f64).into(),
                synthetic: (t.rows_synthetic as f64).into(),
                distance: 1.0,
            });
        }
        let rows = t.rows_synthetic.max(1) as f64;
        for (figure, n) in [
            ("pk_violations", t.pk_violations),
            ("unique_violations", t.unique_violations),
        ] {
            if n > 0 {
                all.push(Worst {
                    area: "key".into(),
                    place: t.name.clone(),
                    figure: figure.into(),
                    real: Value::Number(0.0),
                    synthetic: (n as f64).into(),
                    distance: (n as f64 / rows).min(1.0),
                });
            }
        }
        for c in &t.columns {
            let place = format!("{}.{}", t.name, c.name);
            if c.presence != Presence::Both {
                all.push(Worst {
                    area: "column".into(),
                    place: place.clone(),
                    figure: presence_name(&c.presence),
                    real: Value::None,
                    synthetic: Value::None,
                    distance: 1.0,
                });
                continue;
            }
            for f in &c.figures {
                if let Some(d) = f.distance.filter(|&d| d > 0.0) {
                    all.push(Worst {
                        area: "column".into(),
                        place: place.clone(),
                        figure: f.name.clone(),
                        real: f.real.clone(),
                        synthetic: f.synthetic.clone(),
                        distance: d,
                    });
                }
            }
        }
        let pair_entry = |p: &PairReport, place: String| Worst {
            area: "pair".into(),
            place,
            figure: p.measure.clone(),
            real: p.real.into(),
            synthetic: p.synthetic.into(),
            distance: p.difference.min(1.0),
        };
        for p in &t.pairs {
            all.push(pair_entry(
                p,
                format!("{}: {} ~ {}", t.name, p.left, p.right),
            ));
        }
        for r in &t.order_rules {
            all.push(Worst {
                area: "rule".into(),
                place: format!("{}: {} {} {}", t.name, r.left, r.operator, r.right),
                figure: "broken_share".into(),
                real: Value::Number(0.0),
                synthetic: r.broken_synthetic.into(),
                distance: r.broken_synthetic,
            });
        }
        for f in &t.foreign_keys {
            let place = format!("{}({}) → {}", t.name, f.columns.join(", "), f.parent);
            for p in &f.pairs {
                all.push(pair_entry(p, format!("{place}: {} ~ {}", p.left, p.right)));
            }
            all.push(Worst {
                area: "relationship".into(),
                place: place.clone(),
                figure: "children_per_parent_ks".into(),
                real: Value::None,
                synthetic: Value::None,
                distance: f.children_ks,
            });
            all.push(Worst {
                area: "relationship".into(),
                place: place.clone(),
                figure: "childless_share".into(),
                real: f.childless_real.into(),
                synthetic: f.childless_synthetic.into(),
                distance: (f.childless_real - f.childless_synthetic).abs(),
            });
            if f.fk_orphans > 0 {
                all.push(Worst {
                    area: "key".into(),
                    place,
                    figure: "fk_orphans".into(),
                    real: Value::Number(0.0),
                    synthetic: (f.fk_orphans as f64).into(),
                    distance: f.orphan_share_synthetic,
                });
            }
        }
    }
    all.retain(|w| w.distance > 0.0);
    all.sort_by(|a, b| {
        b.distance
            .total_cmp(&a.distance)
            .then_with(|| a.place.cmp(&b.place))
            .then_with(|| a.figure.cmp(&b.figure))
    });
    all.truncate(WORST);
    all
}

fn presence_name(p: &Presence) -> String {
    match p {
        Presence::Both => "present".into(),
        Presence::MissingInSynthetic => "missing_in_synthetic".into(),
        Presence::OnlyInSynthetic => "only_in_synthetic".into(),
        Presence::TypeChanged(detail) => format!("type_changed ({detail})"),
    }
}
