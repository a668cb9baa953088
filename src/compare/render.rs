//! The terminal report: the score and sub-scores, then the worst figures, real beside
//! synthetic; one screen unless verbose, which adds every table's columns and rules.

use std::fmt::Write;

use super::report::{Presence, Report, Value, Worst, WEIGHTS};

/// Worst figures shown without `--verbose`.
const WORST_SHOWN: usize = 12;

pub fn render(report: &Report, verbose: bool) -> String {
    let mut out = String::new();
    let s = &report.subscores;
    let sub = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.1}", 100.0 * v));
    let _ = writeln!(
        out,
        "score {:.1}   columns {} · pairs {} · relationships {} · validity {}",
        report.score,
        sub(s.columns),
        sub(s.pairs),
        sub(s.relationships),
        sub(s.validity)
    );
    let (left, right) = side_names(report);
    let _ = writeln!(
        out,
        "{} ({left}) vs {} ({right})",
        report.real, report.synthetic
    );
    let _ = writeln!(out);
    tables(report, &mut out);
    let shown = if verbose {
        report.worst.len()
    } else {
        WORST_SHOWN
    };
    if !report.worst.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "worst figures");
        worst_table(&report.worst[..shown.min(report.worst.len())], &mut out);
    }
    rare_copies(report, &mut out);
    if verbose {
        details(report, &mut out);
    }
    out
}

/// Columns whose sampled synthetic values equal real values that fewer than five real rows
/// hold, with the copies that public lists (countries, states, names) explain apart.
fn rare_copies(report: &Report, out: &mut String) {
    let share = |figures: &[super::report::Figure], name: &str| {
        figures
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| match f.synthetic {
                Value::Number(x) => Some(x),
                _ => None,
            })
    };
    let mut lines = Vec::new();
    for t in &report.tables {
        for c in &t.columns {
            let other = share(&c.figures, "rare_copies").unwrap_or(0.0);
            let public = share(&c.figures, "rare_public_list_copies").unwrap_or(0.0);
            if other > 0.0 || public > 0.0 {
                lines.push(format!(
                    "  {}.{}  other {:.1}%  public lists {:.1}%",
                    t.name,
                    c.name,
                    100.0 * other,
                    100.0 * public
                ));
            }
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "copies of rare real values (held by fewer than {} rows), share of sampled values",
            super::column::RARE_BELOW
        );
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn side_names(report: &Report) -> (&'static str, &'static str) {
    if report.mode == "profiles" {
        ("earlier profile", "later profile")
    } else {
        ("real", "synthetic")
    }
}

/// One line per table: rows and the validity figures.
fn tables(report: &Report, out: &mut String) {
    let width = report
        .tables
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{:width$}  {:>10}  {:>10}  {:>6}  {:>6}  {:>7}  {:>7}  note",
        "table", "rows real", "synthetic", "pk dup", "orphan", "rules", "copies"
    );
    for t in &report.tables {
        let note = match &t.presence {
            Presence::Both => t.changes.join("; "),
            Presence::MissingInSynthetic => "missing on the synthetic side".into(),
            Presence::OnlyInSynthetic => "only on the synthetic side".into(),
            Presence::TypeChanged(d) => d.clone(),
        };
        let broken = t
            .order_rules
            .iter()
            .filter(|r| r.broken_synthetic > 0.0)
            .count();
        let _ = writeln!(
            out,
            "{:width$}  {:>10}  {:>10}  {:>6}  {:>6}  {:>7}  {:>7}  {}",
            t.name,
            t.rows_real,
            t.rows_synthetic,
            t.pk_violations + t.unique_violations,
            t.fk_orphans,
            format!("{}/{}", t.order_rules.len() - broken, t.order_rules.len()),
            t.exact_copy_rate
                .map_or("-".into(), |r| format!("{:.1}%", 100.0 * r)),
            note
        );
    }
}

pub fn worst_table(worst: &[Worst], out: &mut String) {
    let place = worst
        .iter()
        .map(|w| w.place.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 48);
    let figure = worst
        .iter()
        .map(|w| w.figure.len())
        .max()
        .unwrap_or(6)
        .clamp(6, 28);
    let _ = writeln!(
        out,
        "  {:12}  {:place$}  {:figure$}  {:>14}  {:>14}  {:>8}",
        "area", "where", "figure", "real", "synthetic", "distance"
    );
    for w in worst {
        let _ = writeln!(
            out,
            "  {:12}  {:place$}  {:figure$}  {:>14}  {:>14}  {:>8.3}",
            w.area,
            clip(&w.place, place),
            clip(&w.figure, figure),
            clip(&w.real.render(), 14),
            clip(&w.synthetic.render(), 14),
            w.distance
        );
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(n - 1).collect();
        cut.push('…');
        cut
    }
}

/// Every column's figures and every rule and relationship, table by table.
fn details(report: &Report, out: &mut String) {
    for t in &report.tables {
        let _ = writeln!(out, "\n== {} ==", t.name);
        for c in &t.columns {
            let _ = writeln!(
                out,
                "  {} ({}): distance {:.3} by {}",
                c.name, c.kind, c.distance, c.main_figure
            );
            for f in &c.figures {
                let _ = writeln!(
                    out,
                    "      {:24} {:>20} {:>20} {}",
                    f.name,
                    clip(&f.real.render(), 20),
                    clip(&f.synthetic.render(), 20),
                    f.distance.map_or(String::new(), |d| format!("{d:.3}"))
                );
            }
        }
        for r in &t.order_rules {
            let _ = writeln!(
                out,
                "  rule {} {} {}: broken in {:.2}% of synthetic rows",
                r.left,
                r.operator,
                r.right,
                100.0 * r.broken_synthetic
            );
        }
        for f in &t.foreign_keys {
            let _ = writeln!(
                out,
                "  ({}) → {}: children KS {:.3}, childless {:.3} vs {:.3}, orphans {}",
                f.columns.join(", "),
                f.parent,
                f.children_ks,
                f.childless_real,
                f.childless_synthetic,
                f.fk_orphans
            );
        }
    }
}

/// The figures that pulled the score down, for a failed `--fail-under`.
pub fn pulled_down(report: &Report, n: usize) -> String {
    let mut out = String::new();
    let s = &report.subscores;
    for ((name, weight), value) in
        WEIGHTS
            .iter()
            .zip([s.columns, s.pairs, s.relationships, s.validity])
    {
        if let Some(v) = value.filter(|v| *v < 1.0) {
            let _ = writeln!(out, "  {name} {:.1} (weight {weight})", 100.0 * v);
        }
    }
    worst_table(&report.worst[..n.min(report.worst.len())], &mut out);
    out
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}
