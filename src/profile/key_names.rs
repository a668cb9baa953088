//! How much a column's name says it references a table's key: the evidence a person reads first
//! (`customer_id` → `customer.customer_id`, `region` → `region.code`, `support_rep_id` → an
//! employee). Names only rank and confirm; containment in the data decides (see
//! [`super::key_inference`]). Pure string work: no data, no I/O.

/// Names that mean "the parent row in this same table".
const SELF_REFERENCE_NAMES: &[&str] = &[
    "reports_to",
    "manager_id",
    "parent_id",
    "parent",
    "supervisor_id",
    "boss_id",
];

/// Common words for the same entity, each group read both ways: a `rep` is an employee, a
/// `vendor` a supplier. General English, not any one schema's names.
const SYNONYMS: &[&[&str]] = &[
    &[
        "employee",
        "staff",
        "rep",
        "agent",
        "clerk",
        "salesperson",
        "seller",
        "worker",
    ],
    &["customer", "client", "buyer", "purchaser"],
    &["product", "item", "article", "good"],
    &["supplier", "vendor", "provider"],
    &["shipper", "carrier", "courier"],
    &["user", "member", "author", "owner", "account"],
    &["category", "kind", "class", "group"],
    &["store", "shop", "outlet", "branch"],
    &["company", "organization", "organisation", "org", "firm"],
    &["location", "place", "site"],
];

/// Names a key column commonly has on its own table; said alone they name nothing.
fn generic(name: &str) -> bool {
    matches!(
        name,
        "id" | "code" | "key" | "name" | "no" | "num" | "number" | "uuid" | "ref"
    )
}

/// Whether a column's name reads like a key (`id`, `customer_id`, `CustomerID`, `sku_code`).
pub fn key_like(name: &str) -> bool {
    let n = normalize(name);
    generic(&n)
        || ["_id", "_key", "_code", "_no", "_num", "_ref", "_uuid"]
            .iter()
            .any(|s| n.ends_with(s))
        || n.ends_with("id") && n.len() > 2
}

/// Lower case, words joined by `_`: `CustomerID` → `customer_id`, `Ship Via` → `ship_via`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let after_lower = i > 0 && chars[i - 1].is_lowercase();
        if c.is_uppercase() && after_lower {
            out.push('_');
        }
        match c {
            ' ' | '-' | '.' => out.push('_'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// `categories` → `category`, `addresses` → `address`, `employees` → `employee`.
pub fn singular(name: &str) -> String {
    let n = normalize(name);
    if let Some(stem) = n.strip_suffix("ies") {
        format!("{stem}y")
    } else if n.ends_with("sses") || n.ends_with("xes") {
        n[..n.len() - 2].to_string()
    } else if n.ends_with("ss") {
        n
    } else {
        n.strip_suffix('s').unwrap_or(&n).to_string()
    }
}

/// The name without a key suffix: `customer_id` → `customer`, `region` → `region`.
fn stem(name: &str) -> &str {
    for suffix in ["_id", "_key", "_code", "_no", "_num", "_ref", "id"] {
        if let Some(s) = name.strip_suffix(suffix) {
            if !s.is_empty() {
                return s.trim_end_matches('_');
            }
        }
    }
    name
}

fn synonyms(a: &str, b: &str) -> bool {
    SYNONYMS
        .iter()
        .any(|group| group.contains(&a) && group.contains(&b))
}

/// Whether `column` names a self-reference (`reports_to`, `parent_id`).
pub fn self_reference(column: &str) -> bool {
    SELF_REFERENCE_NAMES.contains(&normalize(column).as_str())
}

/// From 0 to 1, how much `column` of `child` reads as a reference to `key` of `parent`:
/// 1 for the key's own name (`customer_id`, or `customer_id` for a key named `id`), 0.8 for the
/// parent's name (`region` → `regions.code`), 0.7 for the parent's name after a qualifier
/// (`bill_customer`), 0.6 for a synonym or a shared word stem (`support_rep_id` → `employee`,
/// `ship_via` → `shippers`), 0.9 for a self-reference name within one table, 0.2 for any
/// key-like name.
pub fn name_score(child: &str, column: &str, parent: &str, key: &str) -> f64 {
    let c = normalize(column);
    if child == parent {
        return if self_reference(&c) { 0.9 } else { 0.0 };
    }
    let k = normalize(key);
    let table = normalize(parent);
    let p = singular(parent);
    let own_key = [
        format!("{p}_{k}"),
        format!("{table}_{k}"),
        format!("{p}{k}"),
    ];
    if c == k && !generic(&k) || own_key.contains(&c) {
        return 1.0;
    }
    let s = stem(&c);
    if s == p || s == table || (generic(&k) && c == format!("{p}_id")) {
        return 0.8;
    }
    if s.ends_with(&format!("_{p}")) {
        return 0.7;
    }
    let related = |word: &str| {
        synonyms(word, &p) || word.len() >= 4 && (p.starts_with(word) || word.starts_with(&p))
    };
    if s.split('_').any(related) {
        return 0.6;
    }
    if key_like(&c) {
        0.2
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_score_by_how_directly_they_name_the_key() {
        assert_eq!(
            name_score("orders", "customer_id", "customers", "customer_id"),
            1.0
        );
        assert_eq!(name_score("album", "artist_id", "artist", "id"), 1.0);
        assert_eq!(name_score("store", "region", "region", "code"), 0.8);
        assert_eq!(name_score("t", "bill_customer", "customers", "code"), 0.7);
        assert_eq!(
            name_score("customer", "support_rep_id", "employee", "employee_id"),
            0.6
        );
        assert_eq!(
            name_score("orders", "ship_via", "shippers", "shipper_id"),
            0.6
        );
        assert_eq!(
            name_score("employee", "reports_to", "employee", "employee_id"),
            0.9
        );
        assert_eq!(name_score("sale", "amount", "product", "sku"), 0.0);
        assert_eq!(name_score("sale", "batch_no", "product", "sku"), 0.2);
    }

    #[test]
    fn normalize_splits_camel_case_and_singular_strips_plurals() {
        assert_eq!(normalize("CustomerID"), "customer_id");
        assert_eq!(normalize("Ship Via"), "ship_via");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(singular("class"), "class");
    }
}
