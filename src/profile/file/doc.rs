//! Format 2 as it is written: one entry per column (its type and its statistics), and a table's
//! facts (row count, keys, foreign keys with their children per parent, relations) with the
//! table.
//!
//! The rest of understudy works on [`Profile`](crate::profile::Profile), whose shape suits the
//! code (a schema plus statistics beside it); this module is the only place that knows the file's
//! shape, and converts between the two.

use serde::{Deserialize, Serialize};
use serde_norway::Value;

use crate::profile::{
    CalendarDate, CategoryGroup, ColumnStats, Correlations, Derived, FanOut, Follows,
    ForeignKeyStats, Inherited, NullFollow, NullGroup, OrderRule, ParentOrder, PartOf,
    PrivacySettings, Profile, SourceInfo, TableProfile, Total,
};
use crate::schema::{
    Check, Column, ForeignKey, ForeignKeyEvidence, Generated, Index, LogicalType, Partitioning,
    PrimaryKeyEvidence, Table, TableRef,
};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileDoc {
    pub format_version: u32,
    pub created_by: String,
    pub source: SourceInfo,
    pub privacy: PrivacySettings,
    pub tables: Vec<TableDoc>,
    /// The user's section, applied before this document is read (see `overrides`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDoc {
    pub name: String,
    pub rows: u64,
    /// A lookup table: its text columns keep their real values (see `TableProfile::lookup`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub lookup: bool,
    /// Rows actually read when sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampled_rows: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primary_key: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key_inferred: bool,
    /// What the data showed for an inferred primary key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key_evidence: Option<PrimaryKeyEvidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique: Vec<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    pub columns: Vec<ColumnDoc>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKeyDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlations: Option<Correlations>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<OrderRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<CategoryGroup>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nulls: Vec<NullGroup>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub null_follows: Vec<NullFollow>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<Derived>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartOf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dates: Vec<CalendarDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub totals: Vec<Total>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherited: Vec<Inherited>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parent_orders: Vec<ParentOrder>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follows: Vec<Follows>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDoc {
    pub name: String,
    /// The source's own type name, e.g. `character varying(40)`.
    pub sql: String,
    /// The logical type: `{kind: text, max_chars: 40}`.
    #[serde(rename = "type")]
    pub logical: LogicalType,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domain_checks: Vec<String>,
    /// The column's default expression (`now()`), or a stored generated column's expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<ColumnStats>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKeyDoc {
    pub columns: Vec<String>,
    pub references: TableRef,
    #[serde(default, skip_serializing_if = "is_false")]
    pub inferred: bool,
    /// What the data and the names showed for an inferred key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<ForeignKeyEvidence>,
    /// Share of child rows whose key is NULL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null_rate: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub children_per_parent: Option<FanOut>,
    /// Another foreign key to the same parent rows (its columns) whose parent this key never
    /// picked in the snapshot: generation keeps the two apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differs_from: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl From<&Profile> for ProfileDoc {
    fn from(p: &Profile) -> Self {
        ProfileDoc {
            format_version: super::FORMAT_VERSION,
            created_by: p.created_by.clone(),
            source: p.source.clone(),
            privacy: p.privacy.clone(),
            tables: p.tables.iter().map(TableDoc::from).collect(),
            overrides: p.overrides.clone(),
        }
    }
}

impl From<&TableProfile> for TableDoc {
    fn from(t: &TableProfile) -> Self {
        let s = &t.schema;
        TableDoc {
            name: s.name.clone(),
            rows: t.row_count,
            lookup: t.lookup,
            sampled_rows: t.sampled_rows,
            primary_key: s.primary_key.clone(),
            primary_key_inferred: s.primary_key_inferred,
            primary_key_evidence: s.primary_key_evidence.clone(),
            unique: s.unique.clone(),
            checks: s.checks.clone(),
            partitioning: s.partitioning.clone(),
            indexes: s.indexes.clone(),
            columns: s
                .columns
                .iter()
                .map(|c| ColumnDoc::new(c, t.stats(&c.name)))
                .collect(),
            foreign_keys: s
                .foreign_keys
                .iter()
                .map(|fk| ForeignKeyDoc::new(fk, t.fk_stats(&fk.columns)))
                .collect(),
            correlations: t.correlations.clone(),
            rules: t.rules.clone(),
            groups: t.groups.clone(),
            nulls: t.nulls.clone(),
            null_follows: t.null_follows.clone(),
            derived: t.derived.clone(),
            parts: t.parts.clone(),
            dates: t.dates.clone(),
            totals: t.totals.clone(),
            inherited: t.inherited.clone(),
            parent_orders: t.parent_orders.clone(),
            follows: t.follows.clone(),
        }
    }
}

impl ColumnDoc {
    fn new(c: &Column, stats: Option<&ColumnStats>) -> Self {
        ColumnDoc {
            name: c.name.clone(),
            sql: c.source_type.clone(),
            logical: c.logical.clone(),
            nullable: c.nullable,
            generated: c.generated,
            domain_checks: c.domain_checks.clone(),
            default: c.default.clone(),
            stats: stats.cloned(),
        }
    }

    fn into_parts(self) -> (Column, Option<ColumnStats>) {
        let stats = self.stats.map(|mut s| {
            s.column = self.name.clone();
            s
        });
        let column = Column {
            name: self.name,
            source_type: self.sql,
            logical: self.logical,
            nullable: self.nullable,
            generated: self.generated,
            domain_checks: self.domain_checks,
            default: self.default,
        };
        (column, stats)
    }
}

impl ForeignKeyDoc {
    fn new(fk: &ForeignKey, stats: Option<&ForeignKeyStats>) -> Self {
        ForeignKeyDoc {
            columns: fk.columns.clone(),
            references: fk.references.clone(),
            inferred: fk.inferred,
            evidence: fk.evidence.clone(),
            null_rate: stats.map(|s| s.null_rate),
            children_per_parent: stats.map(|s| s.children_per_parent.clone()),
            differs_from: stats.map_or(Vec::new(), |s| s.differs_from.clone()),
        }
    }

    fn into_parts(self) -> (ForeignKey, Option<ForeignKeyStats>) {
        let stats = self.children_per_parent.map(|fan_out| ForeignKeyStats {
            columns: self.columns.clone(),
            null_rate: self.null_rate.unwrap_or(0.0),
            children_per_parent: fan_out,
            differs_from: self.differs_from.clone(),
        });
        let fk = ForeignKey {
            columns: self.columns,
            references: self.references,
            inferred: self.inferred,
            evidence: self.evidence,
        };
        (fk, stats)
    }
}

impl ProfileDoc {
    /// The profile this document describes; `format_version` records the version it was read
    /// from.
    pub fn into_profile(self, read_from_version: u32) -> Profile {
        Profile {
            format_version: read_from_version,
            created_by: self.created_by,
            source: self.source,
            privacy: self.privacy,
            tables: self.tables.into_iter().map(TableDoc::into_table).collect(),
            overrides: self.overrides,
        }
    }
}

impl TableDoc {
    fn into_table(self) -> TableProfile {
        let (columns, column_stats): (Vec<Column>, Vec<Option<ColumnStats>>) =
            self.columns.into_iter().map(ColumnDoc::into_parts).unzip();
        let (foreign_keys, fk_stats): (Vec<ForeignKey>, Vec<Option<ForeignKeyStats>>) = self
            .foreign_keys
            .into_iter()
            .map(ForeignKeyDoc::into_parts)
            .unzip();
        TableProfile {
            schema: Table {
                name: self.name,
                columns,
                primary_key: self.primary_key,
                primary_key_inferred: self.primary_key_inferred,
                primary_key_evidence: self.primary_key_evidence,
                unique: self.unique,
                foreign_keys,
                checks: self.checks,
                partitioning: self.partitioning,
                indexes: self.indexes,
            },
            row_count: self.rows,
            sampled_rows: self.sampled_rows,
            column_stats: column_stats.into_iter().flatten().collect(),
            foreign_key_stats: fk_stats.into_iter().flatten().collect(),
            correlations: self.correlations,
            rules: self.rules,
            groups: self.groups,
            nulls: self.nulls,
            null_follows: self.null_follows,
            derived: self.derived,
            parts: self.parts,
            dates: self.dates,
            totals: self.totals,
            inherited: self.inherited,
            parent_orders: self.parent_orders,
            follows: self.follows,
            lookup: self.lookup,
            stats_index: Default::default(),
        }
    }
}
