//! Keys for snapshots that declare none (CSV and Parquet exports), found the way a person would:
//! from what the data contains first, and names second.
//!
//! - **Candidate keys** are columns of a key type (integer, text, UUID) that are unique and never
//!   NULL.
//! - **Foreign keys**: a column references a candidate key when at least
//!   [`MIN_CONTAINMENT`] of its distinct values are among the key's values
//!   ([`MIN_CONTAINMENT_SAME_NAME`] under the key's own name; the rest are orphans, reported as
//!   a measured share), and either its name points at the parent
//!   ([`key_names::name_score`] ≥ [`NAME_EVIDENCE`]) or, for text codes, the containment is
//!   specific (enough distinct values that chance can't explain it). Integers need names:
//!   small integers fall inside any `1..n` key by chance. Of several parents, the best named,
//!   then the most contained, then the smallest wins.
//! - **Primary keys** are the candidate that ranks highest on key-likeness: referenced by other
//!   tables, a key-like or the table's own name, an integer spread as ids are or a short code,
//!   an early position. A unique column with nothing key-like about it (a name, a population)
//!   is no key. With no single candidate, a time series' unique date (first or second column),
//!   else a unique code not read as personal data, else the best-ranked pair that a scan
//!   confirms unique (a code and a timestamp, a link table's two references) and that has
//!   something key-like about it (not two names, not a title and its year), of columns not
//!   unique alone (but a reference).
//!
//! Each choice records its evidence so the profile shows why, and a user can remove it.
//! Pure decisions over [`ValueSet`]s and statistics: the caller scans the source.

use super::key_names::{self, key_like, name_score, normalize, singular};
use super::keys::{Containment, ValueSet};
use super::model::{round_share, ColumnStats};
use crate::schema::{
    ForeignKey, ForeignKeyEvidence, LogicalType, PrimaryKeyEvidence, Table, TableRef,
};

/// Share of a child's distinct values that must be parent keys: up to 10 % may be orphans.
pub const MIN_CONTAINMENT: f64 = 0.9;
/// The same share for a column named exactly like the key (`tailnum` → `planes.tailnum`): up to
/// half its distinct values may be orphans.
pub const MIN_CONTAINMENT_SAME_NAME: f64 = 0.5;
/// A name score from which the name alone confirms a contained column.
pub const NAME_EVIDENCE: f64 = 0.6;
/// A specificity from which containment alone confirms a text code column.
pub const SPECIFIC: f64 = 0.5;
/// The key-likeness a single column needs to be taken as the primary key: a unique column with
/// nothing key-like about it (names, a measure) is no key, and generating it as one would
/// overwrite its values with counters.
const MIN_KEY_SCORE: f64 = 1.0;
/// The score a pair needs: at least one member a reference, key-like by name, shared with
/// another table, a date or an integer (a stock symbol and a date), not two names.
const MIN_PAIR_SCORE: f64 = 0.4;
/// How many times the row count an integer key's values may span.
const ID_SPAN: f64 = 10.0;
/// Runners-up a primary key's evidence names (a table of unique columns has thousands).
const MAX_ALTERNATIVES: usize = 5;
/// Unique pairs tried (each is a scan) before a table is left without a key.
const MAX_PAIRS_TRIED: usize = 12;

/// What inference knows about one table.
pub struct TableFacts<'a> {
    pub table: &'a Table,
    pub stats: &'a [ColumnStats],
    pub rows: u64,
    /// Values of the columns inference reads ([`columns_to_read`]), by column index.
    pub values: Vec<(usize, &'a ValueSet)>,
}

impl TableFacts<'_> {
    fn values(&self, column: usize) -> Option<&ValueSet> {
        self.values
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| *v)
    }
}

/// The keys inferred for one table.
#[derive(Debug, Default, PartialEq)]
pub struct InferredKeys {
    pub primary_key: Vec<String>,
    pub evidence: Option<PrimaryKeyEvidence>,
    pub foreign_keys: Vec<ForeignKey>,
}

/// A column of a type that can hold keys.
pub fn key_type(logical: &LogicalType) -> bool {
    logical.is_integer()
        || matches!(
            logical,
            LogicalType::Text { .. } | LogicalType::Char { .. } | LogicalType::Uuid
        )
}

/// The columns whose values inference needs: every column of a key type.
pub fn columns_to_read(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .filter(|&i| key_type(&table.columns[i].logical))
        .collect()
}

/// A candidate foreign key with its evidence.
#[derive(Debug, Clone)]
struct Link {
    child: usize,
    column: usize,
    parent: usize,
    key: usize,
    containment: Containment,
    name: f64,
    specificity: f64,
    distinct: u64,
}

/// Infers every table's primary key and foreign keys. `is_unique_pair(table, pair)` scans a
/// table to tell whether a pair of columns is unique.
pub fn infer(
    tables: &[TableFacts],
    is_unique_pair: &mut dyn FnMut(usize, &[String; 2]) -> bool,
) -> Vec<InferredKeys> {
    let candidates: Vec<Vec<usize>> = tables.iter().map(|t| candidate_keys(t, tables)).collect();
    let links = best_links(tables, &candidates);
    let mut found: Vec<InferredKeys> = tables
        .iter()
        .enumerate()
        .map(|(t, facts)| {
            let shared = shared_names(t, tables);
            choose_primary_key(t, facts, &candidates[t], &links, &shared, is_unique_pair)
        })
        .collect();
    for link in links {
        let parent = tables[link.parent].table;
        let key = &parent.columns[link.key].name;
        if found[link.parent].primary_key != [key.clone()] {
            continue; // references a unique column that is not the parent's key
        }
        if let Some(evidence) = &mut found[link.parent].evidence {
            let child = &tables[link.child].table.name;
            if link.child != link.parent && !evidence.referenced_by.contains(child) {
                evidence.referenced_by.push(child.clone());
            }
        }
        found[link.child].foreign_keys.push(ForeignKey {
            columns: vec![tables[link.child].table.columns[link.column].name.clone()],
            references: TableRef {
                table: parent.name.clone(),
                columns: vec![key.clone()],
            },
            inferred: true,
            evidence: Some(ForeignKeyEvidence {
                containment: link.containment.distinct_share,
                orphan_share: link.containment.orphan_share,
                name_score: link.name,
                specificity: link.specificity,
                distinct: link.distinct,
            }),
        });
    }
    found
}

/// Unique, never-NULL columns of a key type; for an empty table, the key-like columns by name.
/// A column named after another table's key (`territory_id` outside `territories`) is that
/// table's reference, not this one's key.
fn candidate_keys(facts: &TableFacts, tables: &[TableFacts]) -> Vec<usize> {
    let table = facts.table;
    let named_after_other = |name: &str| {
        let n = normalize(name);
        tables.iter().any(|t| {
            t.table.name != table.name
                && n.strip_suffix("_id")
                    .is_some_and(|stem| stem == singular(&t.table.name))
        })
    };
    facts
        .values
        .iter()
        .filter(|(c, v)| {
            let name = &table.columns[*c].name;
            if facts.rows == 0 {
                key_like(name) // no data: names alone, as for a link table
            } else {
                v.is_unique() && !named_after_other(name)
            }
        })
        .map(|(c, _)| *c)
        .collect()
}

/// From 0 to 1: how unlikely it is that a child's `distinct` values sit inside a parent key of
/// `parent_distinct` values by chance. Many distinct values say it alone (3 give 0.3, 10 give
/// 0.5, 100 give 1). A few values say it when the parent is a large set among the codes of
/// their shape could exist (3 airport codes among 1,400 of 46,656 three-character codes: 1 −
/// (1,400 / 46,656)³). A small parent the child covers whole (three codes in a three-row
/// table) may just share a vocabulary, so it says little.
fn specificity(distinct: u64, parent_distinct: u64, code_space: Option<f64>) -> f64 {
    let by_count = (((distinct + 1) as f64).log10() / 2.0).min(1.0);
    let by_chance = match code_space {
        Some(space) if parent_distinct >= 10 * distinct.max(1) => {
            1.0 - (parent_distinct as f64 / space)
                .min(1.0)
                .powi(distinct.min(64) as i32)
        }
        _ => 0.0,
    };
    round_share(by_count.max(by_chance))
}

/// For every column, its best parent key, if the evidence holds.
fn best_links(tables: &[TableFacts], candidates: &[Vec<usize>]) -> Vec<Link> {
    let mut links = Vec::new();
    for (t, child) in tables.iter().enumerate() {
        for &(column, values) in &child.values {
            // Within its own table a column can only reference the key by a self-reference name.
            let self_name = key_names::self_reference(&child.table.columns[column].name);
            let parents = (0..tables.len()).filter(|&p| p != t || self_name);
            let options = parents.flat_map(|p| {
                candidates[p].iter().filter_map(move |&key| {
                    let own_key = if child.rows == 0 {
                        candidates[t] == [column]
                    } else {
                        values.is_unique()
                    };
                    link(tables, t, (column, values, own_key), p, key)
                })
            });
            if let Some(best) = options.max_by(|a, b| rank(a, tables).total_cmp(&rank(b, tables))) {
                links.push(best);
            }
        }
    }
    links
}

/// Orders competing parents: the name first, then containment, then the smaller parent.
fn rank(link: &Link, tables: &[TableFacts]) -> f64 {
    link.name * 1e3 + link.containment.distinct_share * 10.0
        - (tables[link.parent].rows as f64 + 1.0).log10() / 100.0
}

/// The link from `column` of table `t` to `key` of table `p`, if the data and names support it.
/// `own_key` says the column is its own table's key: then it is a reference only when its name
/// says so (a 1:1 table).
fn link(
    tables: &[TableFacts],
    t: usize,
    (column, values, own_key): (usize, &ValueSet, bool),
    p: usize,
    key: usize,
) -> Option<Link> {
    let (child, parent) = (tables[t].table, tables[p].table);
    let (c, k) = (&child.columns[column], &parent.columns[key]);
    if t == p && column == key || c.logical.is_integer() != k.logical.is_integer() {
        return None;
    }
    let parent_values = tables[p].values(key)?;
    let name = name_score(&child.name, &c.name, &parent.name, &k.name);
    let distinct = values.distinct();
    let empty = tables[t].rows == 0 || tables[p].rows == 0;
    let codes = !c.logical.is_integer() && values.code_like() && parent_values.code_like();
    // Names and shapes first: containment is measured only where it could confirm a link, so a
    // table of 50,000 unique integer columns is not compared with itself column by column.
    let could = if empty {
        name >= 0.8
    } else if t == p {
        name >= 0.9
    } else {
        (name >= NAME_EVIDENCE || codes) && (!own_key || name >= 0.8)
    };
    if !could || !empty && distinct > 2 * parent_values.distinct() {
        return None;
    }
    let containment = values.containment(parent_values);
    let specificity = specificity(distinct, parent_values.distinct(), values.code_space());
    // The key's own name tolerates more orphans: a child may cover its parent only in part.
    let min_containment = if name >= 1.0 {
        MIN_CONTAINMENT_SAME_NAME
    } else {
        MIN_CONTAINMENT
    };
    let confirmed = if empty {
        name >= 0.8
    } else if t == p {
        // Within one table, only a self-reference name says a column points at its own key.
        name >= 0.9 && containment.distinct_share >= MIN_CONTAINMENT
    } else {
        containment.distinct_share >= min_containment
            && (distinct >= 2 || name >= 0.8)
            && (name >= NAME_EVIDENCE && (codes || c.logical.is_integer() || name >= 0.8)
                || codes && specificity >= SPECIFIC)
    };
    (confirmed && (!own_key || name >= 0.8 && !empty)).then_some(Link {
        child: t,
        column,
        parent: p,
        key,
        containment,
        name,
        specificity,
        distinct,
    })
}

/// How key-like a candidate column is: referenced by other tables, its name, its type and
/// shape, and its position. `own_links` are the references out of this table.
fn key_likeness(
    facts: &TableFacts,
    column: usize,
    referenced_by: usize,
    own_links: &[Link],
) -> f64 {
    let c = &facts.table.columns[column];
    let values = facts.values(column);
    let mut score = 0.0;
    if referenced_by > 0 {
        score += 2.0 + 0.25 * referenced_by.min(4) as f64;
    }
    if own_name(facts.table, column) {
        score += 2.0;
    } else if key_like(&c.name) {
        score += 1.0;
    }
    let named = own_name(facts.table, column) || key_like(&c.name);
    if c.logical == LogicalType::Uuid
        || (c.logical.is_integer() && (named || spans_like_ids(facts, column)))
    {
        score += 1.0;
    } else if c.logical.is_integer() {
        score -= 1.0; // a measure that happens to be unique (a population, a count)
    } else if values.is_some_and(ValueSet::code_like) {
        score += 0.5;
    } else {
        score -= 2.0;
    }
    if own_links
        .iter()
        .any(|l| l.column == column && l.name >= 0.8)
    {
        score -= 1.5; // a reference to another table's key
    }
    score + [1.0, 0.5].get(column).copied().unwrap_or(0.0)
}

/// Whether an integer column's values lie as ids do, within [`ID_SPAN`] times the row count
/// (1, 2, 4, … with gaps), not spread as a measure's are (populations from 198,712 to 301,913
/// in 574 rows). Without statistics, as ids.
fn spans_like_ids(facts: &TableFacts, column: usize) -> bool {
    let Some(n) = facts.stats.get(column).and_then(|s| s.numeric.as_ref()) else {
        return true;
    };
    n.max - n.min <= ID_SPAN * facts.rows.max(1) as f64
}

/// A date or timestamp column that is unique and never NULL: a time series' key (one row a
/// day, a month), taken only when no column of a key type is key-like enough.
fn unique_temporal(facts: &TableFacts, column: usize) -> bool {
    let c = &facts.table.columns[column];
    facts.stats.get(column).is_some_and(|s| {
        c.logical.is_temporal()
            && s.null_rate == 0.0
            && s.distinct_exact
            && s.distinct == facts.rows
            && facts.rows > 1
    })
}

/// Whether a column carries its table's own name as a key (`id`, `team_id` in `teams`).
fn own_name(table: &Table, column: usize) -> bool {
    let n = normalize(&table.columns[column].name);
    n == "id"
        || [singular(&table.name), normalize(&table.name)]
            .iter()
            .any(|t| n == format!("{t}_id") || n == *t || n == format!("{t}_code"))
}

/// For each column of table `t`, the other tables that have a column of the same name: the
/// columns a composite reference from them would use (`(year_id, team_id)` in every table
/// about a team's season).
fn shared_names(t: usize, tables: &[TableFacts]) -> Vec<Vec<usize>> {
    let names = |table: &Table| -> std::collections::HashSet<String> {
        table.columns.iter().map(|c| normalize(&c.name)).collect()
    };
    let others: Vec<(usize, std::collections::HashSet<String>)> = tables
        .iter()
        .enumerate()
        .filter(|&(o, _)| o != t)
        .map(|(o, f)| (o, names(f.table)))
        .collect();
    tables[t]
        .table
        .columns
        .iter()
        .map(|c| {
            let n = normalize(&c.name);
            others
                .iter()
                .filter(|(_, names)| names.contains(&n))
                .map(|(o, _)| *o)
                .collect()
        })
        .collect()
}

fn choose_primary_key(
    t: usize,
    facts: &TableFacts,
    candidates: &[usize],
    links: &[Link],
    shared_names: &[Vec<usize>],
    is_unique_pair: &mut dyn FnMut(usize, &[String; 2]) -> bool,
) -> InferredKeys {
    let own_links: Vec<Link> = links.iter().filter(|l| l.child == t).cloned().collect();
    let referencing = |column: usize| {
        links
            .iter()
            .filter(|l| l.parent == t && l.key == column && l.child != t)
            .count()
    };
    let mut ranked: Vec<(f64, usize)> = candidates
        .iter()
        .map(|&c| (key_likeness(facts, c, referencing(c), &own_links), c))
        .filter(|&(score, _)| score >= MIN_KEY_SCORE || facts.rows == 0)
        .collect();
    if ranked.is_empty() {
        // A time series: its unique date, if it comes first or second.
        ranked.extend(
            (0..facts.table.columns.len().min(2))
                .filter(|&c| unique_temporal(facts, c))
                .map(|c| (0.5 + [1.0, 0.5][c], c)),
        );
    }
    if ranked.is_empty() {
        // Else a unique code not read as personal data, wherever it stands (`iso3`).
        ranked.extend(candidates.iter().copied().filter_map(|c| {
            let code = facts.values(c).is_some_and(ValueSet::code_like)
                && !facts.table.columns[c].logical.is_integer()
                && facts.stats.get(c).is_some_and(|s| s.pii.is_none());
            code.then(|| (key_likeness(facts, c, referencing(c), &own_links), c))
        }));
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let name = |c: usize| facts.table.columns[c].name.clone();
    if facts.rows == 0 && candidates.len() >= 2 {
        // An empty table with several key-like columns reads as a link table.
        let pair = vec![name(candidates[0]), name(candidates[1])];
        return InferredKeys {
            primary_key: pair,
            ..Default::default()
        };
    }
    if let Some(&(score, best)) = ranked.first() {
        return InferredKeys {
            primary_key: vec![name(best)],
            evidence: Some(PrimaryKeyEvidence {
                score: round_share(score),
                referenced_by: Vec::new(),
                alternatives: ranked[1..]
                    .iter()
                    .take(MAX_ALTERNATIVES)
                    .map(|&(_, c)| vec![name(c)])
                    .collect(),
            }),
            foreign_keys: Vec::new(),
        };
    }
    unique_pair(t, facts, &own_links, shared_names, is_unique_pair)
}

/// The best-ranked pair of never-NULL columns that a scan confirms unique.
fn unique_pair(
    t: usize,
    facts: &TableFacts,
    own_links: &[Link],
    shared_names: &[Vec<usize>],
    is_unique_pair: &mut dyn FnMut(usize, &[String; 2]) -> bool,
) -> InferredKeys {
    let table = facts.table;
    let member = |c: usize| -> Option<f64> {
        let column = &table.columns[c];
        let stats = facts.stats.get(c)?;
        let kind = key_type(&column.logical) || column.logical.is_temporal();
        let parent = own_links.iter().find(|l| l.column == c).map(|l| l.parent);
        let reference = parent.is_some();
        // A column unique alone that was no key (a name) makes no pair one; a reference that
        // is (each territory with one employee) still pairs in a link table.
        let alone = stats.distinct_exact && stats.distinct >= facts.rows && !reference;
        if !(kind && stats.null_rate == 0.0 && stats.distinct > 1 && !alone) {
            return None;
        }
        let points = |yes: bool, weight: f64| if yes { weight } else { 0.0 };
        // Shared with a table other than the one this column references.
        let shared = shared_names[c].iter().any(|&o| Some(o) != parent);
        let temporal = column.logical.is_temporal();
        let own = points(reference, 1.5)
            + points(key_like(&column.name), 1.0)
            + points(own_name(table, c), 1.0)
            + points(shared, 1.0);
        // Text of words with many values (a film's title beside its year) is no key part
        // unless something says so: generated as a key, it would become codes. A few such
        // values (a species beside a sample number) are a category the other part counts in.
        let wordy = facts.values(c).is_some_and(|v| !v.code_like());
        let many = stats.distinct as f64 > (facts.rows as f64).sqrt();
        if wordy && many && own == 0.0 {
            return None;
        }
        Some(own + points(temporal || column.logical.is_integer(), 0.5) - 0.01 * c as f64)
    };
    let members: Vec<(usize, f64)> = (0..table.columns.len())
        .filter_map(|c| Some((c, member(c)?)))
        .collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, &(a, sa)) in members.iter().enumerate() {
        for &(b, sb) in &members[i + 1..] {
            let distinct = |c: usize| facts.stats[c].distinct as f64;
            if distinct(a) * distinct(b) >= facts.rows as f64 {
                pairs.push((sa + sb, a, b));
            }
        }
    }
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    // The threshold weighs evidence, not position (each column's score loses 0.01 a place).
    let evidence = |&(score, a, b): &(f64, usize, usize)| score + 0.01 * (a + b) as f64;
    for &(score, a, b) in pairs
        .iter()
        .filter(|p| evidence(p) >= MIN_PAIR_SCORE)
        .take(MAX_PAIRS_TRIED)
    {
        let pair = [table.columns[a].name.clone(), table.columns[b].name.clone()];
        if is_unique_pair(t, &pair) {
            return InferredKeys {
                primary_key: pair.to_vec(),
                evidence: Some(PrimaryKeyEvidence {
                    score: round_share(score),
                    referenced_by: Vec::new(),
                    alternatives: Vec::new(),
                }),
                foreign_keys: Vec::new(),
            };
        }
    }
    InferredKeys::default()
}
