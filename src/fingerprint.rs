//! Where a snapshot lives, recorded in its profile so that `generate` can refuse to write into
//! it: synthetic rows loaded over the production snapshot (with `--truncate`), or CSV files
//! written over the source files, destroy the one thing the profile was learned from.
//!
//! A PostgreSQL database is the server's system identifier (from `pg_control_system()`, the
//! same for every address and role that reaches the server) plus the database name; a
//! directory is its canonical path. Text form: `postgres:<system id>/<database>`,
//! `dir:<path>`.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fingerprint {
    Postgres { system: String, database: String },
    Directory(PathBuf),
}

impl Fingerprint {
    /// The fingerprint of the database `client` is connected to, or `None` when the server
    /// does not let this role read its system identifier.
    pub fn of_postgres(client: &mut postgres::Client) -> Option<Fingerprint> {
        let row = client
            .query_one(
                "SELECT system_identifier::text, current_database()::text FROM pg_control_system()",
                &[],
            )
            .ok()?;
        Some(Fingerprint::Postgres {
            system: row.get(0),
            database: row.get(1),
        })
    }

    /// The canonical path of `dir`. A directory that does not exist yet (an output directory
    /// about to be made) is its deepest existing ancestor's canonical path plus the rest, so
    /// symbolic links and `..` cannot hide that it lies inside another.
    pub fn of_directory(dir: &Path) -> std::io::Result<Fingerprint> {
        let absolute = std::path::absolute(dir)?;
        let mut existing = absolute.as_path();
        let mut rest = Vec::new();
        let canonical = loop {
            match existing.canonicalize() {
                Ok(canonical) => break canonical,
                Err(e) => {
                    let (Some(parent), Some(last)) =
                        (existing.parent(), existing.components().next_back())
                    else {
                        return Err(e);
                    };
                    rest.push(last.as_os_str().to_os_string());
                    existing = parent;
                }
            }
        };
        // What is left does not exist, so it holds no links: `..` and `.` resolve as text.
        let path = rest.iter().rev().fold(canonical, |mut path, part| {
            match part.to_str() {
                Some("..") => {
                    path.pop();
                }
                Some(".") => {}
                _ => path.push(part),
            }
            path
        });
        Ok(Fingerprint::Directory(path))
    }

    /// Whether writing to `target` would write into the snapshot this fingerprint names: the
    /// same database on the same server, or the same directory or one inside it.
    pub fn contains(&self, target: &Fingerprint) -> bool {
        match (self, target) {
            (Fingerprint::Postgres { .. }, Fingerprint::Postgres { .. }) => self == target,
            (Fingerprint::Directory(source), Fingerprint::Directory(target)) => {
                target.starts_with(source)
            }
            _ => false,
        }
    }

    /// Reads the text form; `None` for text this version does not know (a newer profile).
    pub fn parse(text: &str) -> Option<Fingerprint> {
        let (kind, rest) = text.split_once(':')?;
        match kind {
            "postgres" => {
                let (system, database) = rest.split_once('/')?;
                Some(Fingerprint::Postgres {
                    system: system.to_string(),
                    database: database.to_string(),
                })
            }
            "dir" => Some(Fingerprint::Directory(PathBuf::from(rest))),
            _ => None,
        }
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fingerprint::Postgres { system, database } => {
                write!(f, "postgres:{system}/{database}")
            }
            Fingerprint::Directory(path) => write!(f, "dir:{}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_round_trips() {
        for text in ["postgres:7314/shop/eu", "dir:/data/snap shot"] {
            assert_eq!(Fingerprint::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Fingerprint::parse("s3:bucket"), None);
    }

    #[test]
    fn a_directory_contains_itself_and_what_is_inside_it() {
        let source = Fingerprint::parse("dir:/data/snap").unwrap();
        let inside = Fingerprint::parse("dir:/data/snap/out").unwrap();
        let beside = Fingerprint::parse("dir:/data/snapshot").unwrap();
        assert!(source.contains(&source));
        assert!(source.contains(&inside));
        assert!(!source.contains(&beside));
        assert!(!inside.contains(&source));
    }

    #[test]
    fn a_database_is_matched_by_server_and_name() {
        let shop = Fingerprint::parse("postgres:1/shop").unwrap();
        assert!(shop.contains(&Fingerprint::parse("postgres:1/shop").unwrap()));
        assert!(!shop.contains(&Fingerprint::parse("postgres:1/staging").unwrap()));
        assert!(!shop.contains(&Fingerprint::parse("postgres:2/shop").unwrap()));
    }

    #[test]
    fn a_missing_directory_resolves_through_its_existing_ancestor() {
        let tmp = std::env::temp_dir().canonicalize().unwrap();
        let missing = tmp.join("understudy-no-such/a/../b");
        let Fingerprint::Directory(path) = Fingerprint::of_directory(&missing).unwrap() else {
            panic!("a directory");
        };
        assert!(path.starts_with(&tmp), "{}", path.display());
    }
}
