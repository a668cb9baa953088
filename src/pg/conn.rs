//! Connecting to PostgreSQL.
//!
//! A target is a `postgres://` URL or a libpq `key=value` connection string; whatever it leaves
//! out comes from the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), as
//! `psql` would take it. Messages name the target without its password (however it was
//! written: in the URL's user info, as a `password=` parameter, or quoted in a key=value
//! string) and carry the server's message, detail and hint.

use std::str::FromStr;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

/// Parses `spec` and fills the gaps from the environment; errors leave `spec` out (callers
/// name it with [`redact`]). `postgres:` alone means "all from the
/// environment".
pub fn config(spec: &str) -> Result<Config, String> {
    if userinfo(spec).is_some_and(|info| info.contains('@')) {
        return Err(
            "the user name or password holds an '@' that is not percent-encoded, so \
                    the host cannot be told; write '@' as %40 (and ':' as %3A, '/' as %2F)"
                .into(),
        );
    }
    let mut config = if spec == "postgres:" {
        Config::new()
    } else {
        Config::from_str(spec)
            .map_err(|e| format!("not a valid PostgreSQL URL or connection string: {e}"))?
    };
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        config.host(&env("PGHOST").unwrap_or_else(|| "127.0.0.1".into()));
    }
    if config.get_ports().is_empty() {
        if let Some(port) = env("PGPORT").and_then(|p| p.parse().ok()) {
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        config.user(
            &env("PGUSER")
                .or_else(|| env("USER"))
                .unwrap_or_else(|| "postgres".into()),
        );
    }
    if config.get_password().is_none() {
        if let Some(password) = env("PGPASSWORD") {
            config.password(password);
        }
    }
    if config.get_dbname().is_none() {
        let db = env("PGDATABASE")
            .unwrap_or_else(|| config.get_user().unwrap_or("postgres").to_string());
        config.dbname(&db);
    }
    config.application_name("understudy");
    config.connect_timeout(std::time::Duration::from_secs(10));
    Ok(config)
}

/// `postgres://user@host:port/db`: the target as messages show it, never with a password.
pub fn display(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "postgres://{}@{host}:{port}/{}",
        config.get_user().unwrap_or(""),
        config.get_dbname().unwrap_or("")
    )
}

/// Whether a command-line target or source names a PostgreSQL database rather than a
/// directory: a `postgres://` URL, `postgres:`, or a key=value string that starts with a libpq
/// keyword (`host=db dbname=shop`).
pub fn is_postgres(spec: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "application_name",
        "connect_timeout",
        "options",
        "sslmode",
        "target_session_attrs",
        "channel_binding",
        "keepalives",
    ];
    spec.starts_with("postgres://")
        || spec.starts_with("postgresql://")
        || spec == "postgres:"
        || spec
            .trim_start()
            .split_once('=')
            .is_some_and(|(key, _)| KEYWORDS.contains(&key.trim()))
}

/// A URL's user info (`user:password`), up to the last `@`, so an unencoded `@` in a password
/// stays inside it.
fn userinfo(spec: &str) -> Option<&str> {
    let start = spec.find("://")? + 3;
    let end = spec.rfind('@').filter(|&at| at >= start)?;
    Some(&spec[start..end])
}

pub fn connect(config: &Config) -> Result<Client, String> {
    let mut client = config
        .connect(NoTls)
        .map_err(|e| format!("cannot connect: {}", describe_error(&e)))?;
    client
        .batch_execute(
            "SET DateStyle = ISO; SET TimeZone = 'UTC'; SET IntervalStyle = postgres; \
             SET extra_float_digits = 3; SET bytea_output = hex; SET client_encoding = 'UTF8'",
        )
        .map_err(|e| describe_error(&e))?;
    Ok(client)
}

/// The server's message with its detail and hint, or the client-side cause chain.
pub fn describe_error(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!("{}: {}", db.severity(), db.message());
        if let Some(detail) = db.detail() {
            text.push_str(&format!("\n  detail: {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("\n  hint: {hint}"));
        }
        if let Some(table) = db.table() {
            text.push_str(&format!("\n  table: {table}"));
        }
        return text;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `spec` with every password replaced by `***`, for messages about a target that didn't parse
/// or connect: the URL's user info password (all of it up to the last `@`), and the value of
/// any `password` parameter, in a URL's query or a key=value string (quoted or not).
pub fn redact(spec: &str) -> String {
    let mut text = match (spec.find("://"), userinfo(spec)) {
        (Some(scheme), Some(info)) => match info.split_once(':') {
            Some((user, _)) => {
                let at = scheme + 3 + info.len();
                format!("{}{user}:***{}", &spec[..scheme + 3], &spec[at..])
            }
            None => spec.to_string(),
        },
        _ => spec.to_string(),
    };
    let mut from = 0;
    while let Some(found) = text[from..].find("password") {
        let key_end = from + found + "password".len();
        let Some(value) = text[key_end..].trim_start().strip_prefix('=') else {
            from = key_end;
            continue;
        };
        let value_start = text.len() - value.trim_start().len();
        let value_end = value_end(&text, value_start);
        text.replace_range(value_start..value_end, "***");
        from = value_start + 3;
    }
    text
}

/// Where a parameter value starting at `start` ends: after its closing quote when quoted
/// (`'a \' b'`), else at whitespace or `&`.
fn value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    if let Some(quoted) = rest.strip_prefix('\'') {
        let mut escaped = false;
        for (i, c) in quoted.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '\'' if !escaped => return start + 1 + i + 1,
                _ => escaped = false,
            }
        }
        return text.len();
    }
    rest.find(|c: char| c.is_whitespace() || c == '&')
        .map_or(text.len(), |i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_never_shows_the_password() {
        let c = config("postgres://alice:s3cret@db.example:6543/shop").unwrap();
        assert_eq!(display(&c), "postgres://alice@db.example:6543/shop");
        assert!(!redact("postgres://alice:s3cret@db/x").contains("s3cret"));
    }

    #[test]
    fn every_way_of_writing_a_password_is_redacted() {
        let cases = [
            ("postgres://u:p@ss@host/db", "postgres://u:***@host/db"),
            ("postgres://u:s3/cr?t@host/db", "postgres://u:***@host/db"),
            (
                "postgres://u@host/db?password=s3cret&sslmode=disable",
                "postgres://u@host/db?password=***&sslmode=disable",
            ),
            (
                "host=h password=s3cret user=u",
                "host=h password=*** user=u",
            ),
            (
                "host=h password = 's3 \\'cret' user=u",
                "host=h password = *** user=u",
            ),
            ("host=h password=", "host=h password=***"),
        ];
        for (spec, redacted) in cases {
            assert_eq!(redact(spec), redacted, "{spec}");
        }
    }

    #[test]
    fn an_unencoded_at_sign_is_refused_without_showing_the_password() {
        let err = config("postgres://alice:p@ss@db.example/shop").unwrap_err();
        assert!(err.contains("%40") && !err.contains("ss@"), "{err}");
    }

    #[test]
    fn key_value_strings_are_postgres_targets() {
        assert!(is_postgres("host=db dbname=shop"));
        assert!(is_postgres("postgresql://db/shop"));
        assert!(!is_postgres("./snapshot"));
        assert!(!is_postgres("out=dir"));
    }
}
