#!/usr/bin/env python3
"""Outside judge: score synthetic tables against real ones with SDMetrics' multi-table
QualityReport (Column Shapes, Column Pair Trends, Cardinality, Intertable Trends).

usage: python3 tests/fidelity/sdmetrics_quality.py REAL_DIR SYNTH_DIR
           [--exclude-free-text] [--json OUT.json] [--details] [--all-pairs]

REAL_DIR and SYNTH_DIR hold one `<table>.csv` (or `.csv.gz`) per table with a header row.
Keys, foreign keys and column types come from understudy itself
(`understudy introspect REAL_DIR --json`); everything else is decided here from the real data,
and the synthetic side is coerced to the same dtypes. See tests/fidelity/README.md.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]

# A text column is categorical when it has at most this many distinct values ...
MAX_CATEGORIES = 50
# ... or when distinct / non-null rows is at most this ratio. Otherwise it is free text.
MAX_DISTINCT_RATIO = 0.05
# ... unless it is (nearly) unique: distinct / non-null rows at least this ratio.
UNIQUE_RATIO = 0.8

INT_TYPES = {"int16", "int32", "int64"}
FLOAT_TYPES = {"float32", "float64", "decimal"}
DATETIME_TYPES = {"date", "timestamp", "timestamp_tz"}
DATETIME_FORMATS = {"date": "%Y-%m-%d", "timestamp": "%Y-%m-%d %H:%M:%S",
                    "timestamp_tz": "%Y-%m-%d %H:%M:%S"}
TRUE_WORDS = {"true", "t", "1", "yes", "y", "on"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "off"}

PROPERTIES = [  # (SDMetrics property name, JSON key)
    ("Column Shapes", "column_shapes"),
    ("Column Pair Trends", "column_pair_trends"),
    ("Cardinality", "cardinality"),
    ("Intertable Trends", "intertable_trends"),
]


def note(msg):
    print(f"note: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------- schema


def logical_kind(logical):
    """understudy's logical type as `introspect --json` writes it: {"kind": "text", ...} (older
    builds wrote "int32" or {"text": {...}})."""
    if isinstance(logical, str):
        return logical
    if isinstance(logical, dict) and "kind" in logical:
        return logical["kind"]
    if isinstance(logical, dict) and len(logical) == 1:
        return next(iter(logical))
    return "opaque"


def introspect(real_dir, binary):
    """Run `understudy introspect REAL_DIR --json` and return its parsed output."""
    # Absolute: `Path("./understudy")` prints as `understudy`, which subprocess looks up on PATH.
    binary = Path(binary).resolve()
    if not binary.exists():
        sys.exit(
            f"error: {binary} not found; build it with `cargo build --release` in {REPO_ROOT} "
            "or pass --understudy PATH"
        )
    proc = subprocess.run(
        [str(binary), "introspect", str(real_dir), "--json"],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"error: `understudy introspect` failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def load_profile_keys(path):
    """Primary and foreign keys from an understudy profile (YAML), e.g. one learned from
    PostgreSQL, whose keys are declared rather than inferred from CSV column names."""
    import yaml  # PyYAML; only needed for --profile

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader, tag, node):  # format 1's `logical: !text {...}`: keep the payload
        if isinstance(node, yaml.MappingNode):
            return {tag.lstrip("!"): loader.construct_mapping(node, deep=True)}
        if isinstance(node, yaml.SequenceNode):
            return {tag.lstrip("!"): loader.construct_sequence(node, deep=True)}
        return {tag.lstrip("!"): loader.construct_scalar(node)}

    Loader.add_multi_constructor("!", tagged)
    with open(path) as f:
        profile = yaml.load(f, Loader=Loader)
    keys = {}
    for table in profile.get("tables", []):
        sch = table.get("schema", table)
        keys[sch["name"]] = {
            "primary_key": sch.get("primary_key") or [],
            "foreign_keys": sch.get("foreign_keys") or [],
        }
    return keys


def apply_profile_keys(schema, keys):
    """Replace introspect's (inferred) keys by the profile's, table by table."""
    for t in schema["tables"]:
        k = keys.get(t["name"])
        if k is None:
            note(f"table {t['name']}: not in the profile; keeping introspect's keys")
            continue
        before = {(tuple(fk["columns"]), fk["references"]["table"])
                  for fk in t.get("foreign_keys", [])}
        after = {(tuple(fk["columns"]), fk["references"]["table"]) for fk in k["foreign_keys"]}
        for cols, parent in sorted(after - before):
            note(f"profile adds {t['name']}({', '.join(cols)}) -> {parent}")
        for cols, parent in sorted(before - after):
            note(f"profile drops {t['name']}({', '.join(cols)}) -> {parent}")
        t["primary_key"] = k["primary_key"]
        t["foreign_keys"] = k["foreign_keys"]


def table_file(folder, table):
    for ext in (".csv", ".csv.gz"):
        path = Path(folder) / f"{table}{ext}"
        if path.exists():
            return path
    return None


def read_csv(path):
    # Every field as text; only the empty field is NULL (not "NA", "null", "None", ...).
    # pandas cannot tell an unquoted empty field (NULL) from `""` (empty string): both are NaN.
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


# --------------------------------------------------------------------------- coercion


def to_int_key(series):
    num = pd.to_numeric(series, errors="coerce")
    if (num.dropna() % 1 != 0).any():
        return num.astype("float64")
    return num.astype("Int64")


def to_float(series):
    return pd.to_numeric(series, errors="coerce").astype("float64")


def to_datetime(series, kind):
    parsed = pd.to_datetime(series, errors="coerce", format="ISO8601",
                            utc=(kind == "timestamp_tz"))
    if kind == "timestamp_tz":
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def to_bool(series):
    low = series.str.strip().str.lower()
    out = pd.Series(np.nan, index=series.index, dtype="object")
    out[low.isin(TRUE_WORDS)] = True
    out[low.isin(FALSE_WORDS)] = False
    return out


def to_seconds(series):
    """`HH:MM:SS[.ffffff]` -> seconds since midnight."""
    td = pd.to_timedelta(series, errors="coerce")
    return td.dt.total_seconds().astype("float64")


def coerce(series, kind, sdtype):
    """Give a raw text column the dtype that matches its sdtype."""
    if sdtype == "id":
        return to_int_key(series) if kind in INT_TYPES else series.astype("object")
    if sdtype == "numerical":
        return to_seconds(series) if kind == "time" else to_float(series)
    if sdtype == "datetime":
        return to_datetime(series, kind)
    if sdtype == "boolean":
        return to_bool(series)
    return series.astype("object")


def count_new_nulls(raw, coerced):
    return int((coerced.isna() & raw.notna()).sum())


# --------------------------------------------------------------------------- metadata


def classify_text(values, max_categories, max_ratio, unique_ratio):
    """'categorical' for low-cardinality text, 'free_text' otherwise.

    Free text: more than `max_categories` distinct values AND a distinct ratio above
    `max_ratio`, or (nearly) every value distinct (>= UNIQUE_RATIO of the non-null values:
    names, emails, phone numbers, the labels of a lookup table), which TVComplement and
    ContingencySimilarity can only score through exact copies of real values.
    """
    non_null = values.dropna()
    n, distinct = len(non_null), non_null.nunique()
    if n >= 2 and distinct / n >= unique_ratio:
        return "free_text", distinct, n
    if distinct <= max_categories or distinct / n <= max_ratio:
        return "categorical", distinct, n
    return "free_text", distinct, n


def build(schema, real_dir, synth_dir, args):
    """Read both sides, decide sdtypes, coerce, and build the SDMetrics metadata."""
    tables_meta, real, synth = {}, {}, {}
    skipped, classification = [], {}
    key_cols = {}  # table -> set of key columns
    for t in schema["tables"]:
        cols = set(t.get("primary_key") or [])
        for fk in t.get("foreign_keys", []):
            cols.update(fk["columns"])
        key_cols.setdefault(t["name"], set()).update(cols)
        for fk in t.get("foreign_keys", []):
            key_cols.setdefault(fk["references"]["table"], set()).update(
                fk["references"]["columns"])

    for t in schema["tables"]:
        name = t["name"]
        real_path, synth_path = table_file(real_dir, name), table_file(synth_dir, name)
        if real_path is None:
            skipped.append((name, "no CSV in REAL_DIR"))
            note(f"table {name} skipped: no CSV in REAL_DIR")
            continue
        if synth_path is None:
            skipped.append((name, "missing in SYNTH_DIR"))
            note(f"table {name} skipped: missing in SYNTH_DIR")
            continue
        r, s = read_csv(real_path), read_csv(synth_path)
        if len(r) == 0:
            skipped.append((name, "empty in REAL_DIR"))
            note(f"table {name} skipped: empty in REAL_DIR")
            continue

        columns_meta, kept = {}, []
        for col in t["columns"]:
            cname, kind = col["name"], logical_kind(col["logical"])
            if cname not in r.columns:
                note(f"{name}.{cname}: in the schema but not in the real CSV; skipped")
                continue
            if cname not in s.columns:
                note(f"{name}.{cname}: missing in the synthetic CSV; column skipped")
                continue
            if cname in key_cols.get(name, ()):
                sdtype, why = "id", "key"
            elif kind in INT_TYPES or kind in FLOAT_TYPES or kind == "time":
                sdtype, why = "numerical", kind
            elif kind in DATETIME_TYPES:
                sdtype, why = "datetime", kind
            elif kind == "bool":
                sdtype, why = "boolean", kind
            elif kind == "enum":
                sdtype, why = "categorical", kind
            else:  # text, char, uuid, json, inet, interval, bytes, array, opaque
                cls, distinct, n = classify_text(r[cname], args.max_categories,
                                                 args.max_distinct_ratio, args.unique_ratio)
                why = f"{kind}, {distinct} distinct of {n}"
                if cls == "categorical":
                    sdtype = "categorical"
                elif args.exclude_free_text:
                    sdtype, why = "unknown", f"free text excluded ({why})"
                else:
                    sdtype, why = "categorical", f"free text kept ({why})"
            meta = {"sdtype": sdtype}
            if sdtype == "datetime":
                meta["datetime_format"] = DATETIME_FORMATS[kind]
            columns_meta[cname] = meta
            kept.append(cname)
            classification[f"{name}.{cname}"] = {"sdtype": sdtype, "why": why}

            r_raw, s_raw = r[cname], s[cname]
            r[cname] = coerce(r_raw, kind, sdtype)
            s[cname] = coerce(s_raw, kind, sdtype)
            lost = count_new_nulls(s_raw, s[cname])
            if lost:
                note(f"{name}.{cname}: {lost} synthetic value(s) did not parse as {sdtype}; "
                     "scored as NULL")
            lost = count_new_nulls(r_raw, r[cname])
            if lost:
                note(f"{name}.{cname}: {lost} real value(s) did not parse as {sdtype}; "
                     "scored as NULL")

        extra = [c for c in s.columns if c not in kept and c not in r.columns]
        if extra:
            note(f"{name}: synthetic-only columns ignored: {', '.join(extra)}")
        table_meta = {"columns": columns_meta}
        pk = [c for c in (t.get("primary_key") or []) if c in columns_meta]
        if pk and len(pk) == len(t.get("primary_key")):
            table_meta["primary_key"] = pk[0] if len(pk) == 1 else pk
        tables_meta[name] = table_meta
        real[name], synth[name] = r[kept].copy(), s[kept].copy()

    relationships = []
    for t in schema["tables"]:
        child = t["name"]
        for fk in t.get("foreign_keys", []):
            parent = fk["references"]["table"]
            ccols, pcols = fk["columns"], fk["references"]["columns"]
            if child == parent:
                # SDMetrics prefixes both sides of the parent/child join with the table name,
                # so a self-reference collides (KeyError in Intertable Trends); SDV has no
                # self-referencing relationships either.
                note(f"relationship {child}({', '.join(ccols)}) -> {parent} skipped: "
                     "SDMetrics cannot score a self-referencing foreign key")
                continue
            if child not in tables_meta or parent not in tables_meta:
                note(f"relationship {child}({', '.join(ccols)}) -> {parent} skipped: "
                     "a table is not scored")
                continue
            if not (set(ccols) <= set(real[child].columns)
                    and set(pcols) <= set(real[parent].columns)):
                note(f"relationship {child}({', '.join(ccols)}) -> {parent} skipped: "
                     "a key column is not scored")
                continue
            align_key_dtypes(real, synth, parent, pcols, child, ccols)
            relationships.append({
                "parent_table_name": parent,
                "parent_primary_key": pcols[0] if len(pcols) == 1 else pcols,
                "child_table_name": child,
                "child_foreign_key": ccols[0] if len(ccols) == 1 else ccols,
            })

    metadata = {"tables": tables_meta, "relationships": relationships}
    return metadata, real, synth, skipped, classification


def align_key_dtypes(real, synth, parent, pcols, child, ccols):
    """SDMetrics joins parent and child keys: both sides must be numeric or both text."""
    for pc, cc in zip(pcols, ccols):
        kinds = {pd.api.types.is_numeric_dtype(real[parent][pc]),
                 pd.api.types.is_numeric_dtype(real[child][cc])}
        if len(kinds) == 2:
            for data in (real, synth):
                for tbl, col in ((parent, pc), (child, cc)):
                    data[tbl][col] = data[tbl][col].map(
                        lambda v: v if pd.isna(v) else str(v)).astype("object")


# --------------------------------------------------------------------------- report


def load_quality_report():
    """The multi-table QualityReport. SDMetrics 0.32 marks it deprecated (a FutureWarning on
    import) in favour of the unified `sdmetrics.reports.QualityReport`, which runs the same
    four properties; fall back to that one once the old module is gone."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            from sdmetrics.reports.multi_table import QualityReport
        except ImportError:  # a future release that drops the old module
            from sdmetrics.reports import QualityReport
    return QualityReport


def pct(value):
    return "n/a" if value is None else f"{value * 100:.2f}%"


def clean(value):
    value = float(value)
    return None if math.isnan(value) else value


def print_details(report):
    for prop, _ in PROPERTIES:
        details = report.get_details(prop)
        if details.empty or "Score" not in details:
            continue
        if "Meets Threshold?" in details:
            details = details[details["Meets Threshold?"].astype("boolean").fillna(False)]
        worst = details.sort_values("Score").head(10)
        print(f"\n{prop}: lowest scores", file=sys.stderr)
        print(worst.to_string(index=False), file=sys.stderr)
        if "Error" in details and details["Error"].notna().any():
            print(f"{prop}: {int(details['Error'].notna().sum())} metric error(s), e.g. "
                  f"{details['Error'].dropna().iloc[0]}", file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("real_dir")
    parser.add_argument("synth_dir")
    parser.add_argument("--exclude-free-text", action="store_true",
                        help="leave free-text columns out of the scores (sdtype 'unknown')")
    parser.add_argument("--json", metavar="OUT.json", help="write the scores as JSON")
    parser.add_argument("--details", action="store_true",
                        help="print the column classification and the lowest scores (stderr)")
    parser.add_argument("--all-pairs", action="store_true",
                        help="average every column pair in the pair/intertable trends, not only "
                             "pairs whose real correlation/association passes SDMetrics' "
                             "default thresholds (0.5 / 0.3)")
    parser.add_argument("--max-categories", type=int, default=MAX_CATEGORIES)
    parser.add_argument("--max-distinct-ratio", type=float, default=MAX_DISTINCT_RATIO)
    parser.add_argument("--unique-ratio", type=float, default=UNIQUE_RATIO)
    parser.add_argument("--profile", metavar="PROFILE.yaml",
                        help="take primary and foreign keys from this understudy profile "
                             "instead of introspect's (CSV introspection infers foreign keys "
                             "from column names only)")
    parser.add_argument("--understudy", default=os.environ.get(
        "UNDERSTUDY_BIN", str(REPO_ROOT / "target" / "release" / "understudy")),
        help="understudy binary (default: target/release/understudy, or $UNDERSTUDY_BIN)")
    args = parser.parse_args(argv)

    import sdmetrics

    started = time.monotonic()
    schema = introspect(args.real_dir, args.understudy)
    if args.profile:
        apply_profile_keys(schema, load_profile_keys(args.profile))
    metadata, real, synth, skipped, classification = build(
        schema, args.real_dir, args.synth_dir, args)
    known = {t["name"] for t in schema["tables"]}
    synth_only = sorted(
        name for p in Path(args.synth_dir).iterdir()
        for name in [p.name.removesuffix(".gz").removesuffix(".csv")]
        if p.name.endswith((".csv", ".csv.gz")) and name not in known)
    if synth_only:
        note(f"synthetic-only tables ignored: {', '.join(synth_only)}")
    if not metadata["tables"]:
        sys.exit("error: no table to score")
    if args.details:
        for col, c in classification.items():
            print(f"  {col}: {c['sdtype']} ({c['why']})", file=sys.stderr)

    QualityReport = load_quality_report()
    report = QualityReport()
    if args.all_pairs:
        report.real_correlation_threshold = 0
        report.real_association_threshold = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real, synth, metadata, verbose=False)

    props = report.get_properties().set_index("Property")["Score"]
    result = {"quality": clean(report.get_score())}
    for prop, key in PROPERTIES:
        result[key] = clean(props.get(prop, float("nan")))
    result["sdmetrics_version"] = sdmetrics.__version__

    print(f"Quality: {pct(result['quality'])}")
    for prop, key in PROPERTIES:
        print(f"{prop}: {pct(result[key])}")
    if args.details:
        print_details(report)
    elapsed = time.monotonic() - started
    note(f"sdmetrics {sdmetrics.__version__}, {len(metadata['tables'])} tables, "
         f"{len(metadata['relationships'])} relationships, {elapsed:.1f}s")

    if args.json:
        out = dict(result)
        out.update({
            "exclude_free_text": args.exclude_free_text,
            "all_pairs": args.all_pairs,
            "keys_from": args.profile or "understudy introspect",
            "skipped_tables": {t: why for t, why in skipped},
            "columns": classification,
        })
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
