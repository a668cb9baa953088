//! Connecting to PostgreSQL, shared by the Postgres source and sink.
//!
//! A target is a `postgres://` URL; whatever it leaves out comes from the libpq variables
//! (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), as `psql` would take it. Messages name the
//! target without its password and carry the server's message, detail and hint.

use std::str::FromStr;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

/// Parses `spec` and fills the gaps from the environment. `postgres:` alone means "all from the
/// environment".
pub fn config(spec: &str) -> Result<Config, String> {
    let mut config = if spec == "postgres:" {
        Config::new()
    } else {
        Config::from_str(spec)
            .map_err(|e| format!("{}: not a valid PostgreSQL URL: {e}", redact(spec)))?
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

/// Whether a command-line target or source names a PostgreSQL database rather than a directory.
pub fn is_url(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://") || spec == "postgres:"
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

/// A URL with any password replaced by `***`, for messages about a URL that didn't parse.
fn redact(spec: &str) -> String {
    match (spec.find("://"), spec.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &spec[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &spec[..scheme + 3], &spec[at..]),
                None => spec.to_string(),
            }
        }
        _ => spec.to_string(),
    }
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
}
