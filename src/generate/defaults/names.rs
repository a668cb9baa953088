//! What a column probably holds, judged from its name alone: the only evidence a DDL file
//! gives. One place for every name rule the defaults use, so a reviewer can find them.

/// The kind of values a column's name suggests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Role {
    Email,
    FirstName,
    LastName,
    FullName,
    Phone,
    Url,
    /// A place or company: the generator's name rules (`city`, `country`, `zip`, …) fill it.
    Place,
    Title,
    FreeText,
    Code,
    /// A column of a few well-known labels (`status`, `currency`, …).
    Labels(&'static [(&'static str, f64)]),
    Money,
    Salary,
    Quantity,
    Stock,
    Fraction,
    Rating,
    Age,
    Year,
    Latitude,
    Longitude,
    /// True for most rows (`is_active`, `enabled`).
    MostlyTrue,
    /// True for few rows (`is_deleted`, `archived`).
    RarelyTrue,
    Other,
}

const STATUS: &[(&str, f64)] = &[
    ("active", 0.6),
    ("pending", 0.2),
    ("inactive", 0.15),
    ("archived", 0.05),
];
const ROLE: &[(&str, f64)] = &[
    ("member", 0.7),
    ("admin", 0.15),
    ("viewer", 0.1),
    ("owner", 0.05),
];
const PRIORITY: &[(&str, f64)] = &[
    ("low", 0.4),
    ("medium", 0.35),
    ("high", 0.2),
    ("urgent", 0.05),
];
const CURRENCY: &[(&str, f64)] = &[("USD", 0.5), ("EUR", 0.3), ("GBP", 0.15), ("JPY", 0.05)];
const LOCALE: &[(&str, f64)] = &[("en", 0.6), ("de", 0.15), ("fr", 0.15), ("es", 0.1)];
const TIMEZONE: &[(&str, f64)] = &[
    ("UTC", 0.4),
    ("America/New_York", 0.3),
    ("Europe/Berlin", 0.2),
    ("Asia/Tokyo", 0.1),
];
const COUNTRY_CODE: &[(&str, f64)] = &[
    ("US", 0.4),
    ("DE", 0.15),
    ("GB", 0.15),
    ("FR", 0.1),
    ("CA", 0.1),
    ("JP", 0.1),
];

/// The words of a column name: `billing_postal_code` → billing, postal, code.
fn words(name: &str) -> Vec<String> {
    name.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a text column's name suggests. `max_chars` is the type's limit: a short `country`
/// column holds codes, not names.
pub fn text_role(name: &str, max_chars: Option<u32>) -> Role {
    let w = words(name);
    let has = |x: &str| w.iter().any(|v| v == x);
    let joined = w.join("");
    let short = max_chars.is_some_and(|n| n <= 3);
    if joined.contains("email") {
        Role::Email
    } else if has("first") || has("given") || joined.contains("firstname") {
        Role::FirstName
    } else if has("last") || has("surname") || has("family") || joined.contains("lastname") {
        Role::LastName
    } else if joined.contains("fullname") || joined.contains("contactname") || has("display") {
        Role::FullName
    } else if ["phone", "mobile", "fax", "tel", "telephone"]
        .iter()
        .any(|x| has(x))
    {
        Role::Phone
    } else if ["url", "website", "homepage", "link", "avatar"]
        .iter()
        .any(|x| has(x))
    {
        Role::Url
    } else if has("country") && short {
        Role::Labels(COUNTRY_CODE)
    } else if [
        "city", "country", "zip", "postal", "state", "region", "address", "street", "company",
    ]
    .iter()
    .any(|x| has(x))
    {
        Role::Place
    } else if [
        "description",
        "notes",
        "note",
        "comment",
        "comments",
        "body",
        "bio",
    ]
    .iter()
    .chain(&["summary", "message", "content", "details"])
    .any(|x| has(x))
    {
        Role::FreeText
    } else if ["title", "subject", "headline", "name", "label"]
        .iter()
        .any(|x| has(x))
    {
        Role::Title
    } else if has("status") {
        Role::Labels(STATUS)
    } else if has("role") {
        Role::Labels(ROLE)
    } else if has("priority") {
        Role::Labels(PRIORITY)
    } else if has("currency") {
        Role::Labels(CURRENCY)
    } else if has("locale") || has("language") || has("lang") {
        Role::Labels(LOCALE)
    } else if has("timezone") || has("tz") {
        Role::Labels(TIMEZONE)
    } else if ["code", "sku", "ref", "reference", "slug"]
        .iter()
        .any(|x| has(x))
    {
        Role::Code
    } else {
        Role::Other
    }
}

/// What a number column's name suggests.
pub fn number_role(name: &str) -> Role {
    let w = words(name);
    let has = |x: &[&str]| w.iter().any(|v| x.contains(&v.as_str()));
    if has(&["salary", "wage", "income"]) {
        Role::Salary
    } else if has(&[
        "price", "cost", "amount", "total", "subtotal", "fee", "balance", "revenue", "tax",
        "freight", "budget", "mrr",
    ]) {
        Role::Money
    } else if has(&["discount", "percent", "pct", "ratio", "rate"]) {
        Role::Fraction
    } else if has(&["stock", "inventory", "level", "reorder"]) {
        Role::Stock
    } else if has(&["quantity", "qty", "units", "count", "seats", "items"]) {
        Role::Quantity
    } else if has(&["rating", "score", "stars"]) {
        Role::Rating
    } else if has(&["age"]) {
        Role::Age
    } else if has(&["year"]) {
        Role::Year
    } else if has(&["lat", "latitude"]) {
        Role::Latitude
    } else if has(&["lng", "lon", "longitude"]) {
        Role::Longitude
    } else {
        Role::Other
    }
}

/// Whether a date or timestamp column is a birth date.
pub fn is_birth(name: &str) -> bool {
    let w = words(name);
    w.iter()
        .any(|v| v == "birth" || v == "dob" || v == "birthday" || v == "born")
}

/// What a boolean column's name suggests.
pub fn bool_role(name: &str) -> Role {
    let w = words(name);
    let has = |x: &[&str]| w.iter().any(|v| x.contains(&v.as_str()));
    if has(&[
        "deleted",
        "archived",
        "disabled",
        "blocked",
        "banned",
        "suspended",
        "discontinued",
        "test",
        "spam",
    ]) {
        Role::RarelyTrue
    } else if has(&[
        "active",
        "enabled",
        "verified",
        "published",
        "visible",
        "available",
        "confirmed",
    ]) {
        Role::MostlyTrue
    } else {
        Role::Other
    }
}

/// Whether a temporal column records when its row was made (the low side of its table's other
/// event times): `created_at`, `order_date`, `registered_on`.
pub fn is_creation(name: &str) -> bool {
    let w = words(name);
    let first = w.first().map(String::as_str).unwrap_or("");
    [
        "created",
        "inserted",
        "registered",
        "signup",
        "signed",
        "ordered",
        "order",
        "placed",
        "submitted",
        "issued",
    ]
    .contains(&first)
}

/// Whether a temporal column is an event after its row was made (`updated_at`, `shipped_date`),
/// rather than a planned or independent time (`starts_at`, `due_date`, `expires_at`).
pub fn is_later_event(name: &str) -> bool {
    let w = words(name);
    let independent = [
        "start",
        "starts",
        "begin",
        "end",
        "ends",
        "expires",
        "expiry",
        "due",
        "scheduled",
        "valid",
        "from",
        "to",
        "until",
        "birth",
        "dob",
        "hire",
        "hired",
    ];
    !is_creation(name) && !w.iter().any(|v| independent.contains(&v.as_str()))
}

/// Pairs of words that name the two ends of a range (`start_date`/`end_date`,
/// `valid_from`/`valid_to`, `min_price`/`max_price`).
const RANGE_WORDS: &[(&str, &str)] = &[
    ("start", "end"),
    ("starts", "ends"),
    ("begin", "end"),
    ("from", "to"),
    ("from", "until"),
    ("opened", "closed"),
    ("min", "max"),
    ("low", "high"),
];

/// Whether `high` is the far end of the range `low` starts.
pub fn is_range_pair(low: &str, high: &str) -> bool {
    let (lw, hw) = (words(low), words(high));
    lw.len() == hw.len()
        && RANGE_WORDS.iter().any(|(a, b)| {
            let mut swapped = false;
            let same = lw.iter().zip(&hw).all(|(l, h)| {
                if l == a && h == b && !swapped {
                    swapped = true;
                    true
                } else {
                    l == h
                }
            });
            same && swapped
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_roles() {
        assert_eq!(text_role("contact_email", None), Role::Email);
        assert_eq!(text_role("first_name", Some(20)), Role::FirstName);
        assert_eq!(text_role("LastName", Some(20)), Role::LastName);
        assert_eq!(text_role("billing_postal_code", Some(10)), Role::Place);
        assert_eq!(text_role("country", Some(2)), Role::Labels(COUNTRY_CODE));
        assert_eq!(text_role("status", Some(20)), Role::Labels(STATUS));
        assert_eq!(text_role("notes", None), Role::FreeText);
        assert_eq!(text_role("sku", None), Role::Code);
        assert_eq!(number_role("unit_price"), Role::Money);
        assert_eq!(number_role("quantity"), Role::Quantity);
        assert_eq!(number_role("percentage"), Role::Other);
        assert!(is_birth("birth_date") && !is_birth("hire_date"));
        assert_eq!(bool_role("is_deleted"), Role::RarelyTrue);
    }

    #[test]
    fn time_roles_and_ranges() {
        assert!(is_creation("created_at") && is_creation("order_date"));
        assert!(is_later_event("updated_at") && is_later_event("shipped_date"));
        assert!(!is_later_event("ends_at") && !is_later_event("created_at"));
        assert!(is_range_pair("start_date", "end_date"));
        assert!(is_range_pair("valid_from", "valid_to"));
        assert!(is_range_pair("min_price", "max_price"));
        assert!(!is_range_pair("start_date", "start_date"));
        assert!(!is_range_pair("start_date", "end_time"));
    }
}
