//! The command line: one file per subcommand. Each turns its clap arguments into the library's
//! own options and calls into [`crate::run`]; nothing below this module sees clap.

mod audit;
mod compare;
mod generate;
mod introspect;
mod profile;
mod upgrade;

use clap::{Args, Parser, Subcommand};

use crate::source::csv::CsvOptions;

/// Synthetic test data that behaves like production.
#[derive(Debug, Parser)]
#[command(name = "understudy", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Introspect(introspect::IntrospectArgs),
    Profile(profile::ProfileArgs),
    Generate(generate::GenerateArgs),
    Compare(compare::CompareArgs),
    Audit(audit::AuditArgs),
    Upgrade(upgrade::UpgradeArgs),
}

/// Where a snapshot is read from, shared by `introspect` and `profile`.
#[derive(Debug, Args)]
pub struct SourceArgs {
    /// A `postgres://` URL (missing parts come from PGHOST, PGPORT, PGUSER, PGPASSWORD,
    /// PGDATABASE; `postgres:` alone takes them all from there), a directory of `.csv`,
    /// `.csv.gz` or `.parquet` files, one per table, or a `.sql` file of DDL (schema only).
    pub source: String,
    /// PostgreSQL schema to read; repeat for several. Tables outside `public` are then named
    /// `schema.table`.
    #[arg(long = "schema", default_value = "public")]
    pub schemas: Vec<String>,
    /// CSV field delimiter: one ASCII character, or an escape: `\t` (tab), `\\`, `\xHH`
    /// (e.g. `\x1f`), or the words `tab`, `comma`, `semicolon`, `pipe`, `space`.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// In CSV, an unquoted field equal to this is NULL. Default: the empty unquoted field is NULL
    /// and `""` is the empty string.
    #[arg(long, default_value = "")]
    pub null_string: String,
    /// Which files of a directory to read when it holds both `.csv` and `.parquet` files
    /// (a table found in both formats is an error without it).
    #[arg(long = "format", value_enum)]
    pub format: Option<InputFormat>,
}

/// The file format of a directory source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Csv,
    Parquet,
}

/// Reads `--delimiter`: one ASCII character, a backslash escape (`\t`, `\\`, `\xHH`) or a
/// name (`tab`), because shells make a literal tab hard to type.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    let byte = match s {
        "\\t" | "tab" => b'\t',
        "\\\\" => b'\\',
        "comma" => b',',
        "semicolon" => b';',
        "pipe" => b'|',
        "space" => b' ',
        _ => match s.strip_prefix("\\x") {
            Some(hex) if hex.len() == 2 => u8::from_str_radix(hex, 16)
                .map_err(|_| format!("{s:?}: \\x takes two hex digits, e.g. \\x1f"))?,
            _ => match s.as_bytes() {
                [b] if b.is_ascii() => *b,
                _ => {
                    return Err(format!(
                        "{s:?} is not one ASCII character or an escape such as \\t or \\x1f"
                    ))
                }
            },
        },
    };
    if matches!(byte, b'"' | b'\n' | b'\r') || !byte.is_ascii() {
        return Err(format!(
            "{s:?} can't delimit fields (it is a quote, line end or not ASCII)"
        ));
    }
    Ok(byte)
}

impl SourceArgs {
    pub fn open(&self) -> anyhow::Result<Box<dyn crate::source::Source>> {
        let options = CsvOptions {
            delimiter: self.delimiter,
            null_string: self.null_string.clone(),
        };
        let format = self.format.map(|f| match f {
            InputFormat::Csv => crate::source::FileFormat::Csv,
            InputFormat::Parquet => crate::source::FileFormat::Parquet,
        });
        let source = crate::source::open(&self.source, &options, &self.schemas, format)?;
        for warning in source.warnings() {
            eprintln!("warning: {warning}");
        }
        Ok(source)
    }
}

/// Rows in each table without a parent when a profile is made from a DDL file and `--rows`
/// doesn't say.
pub const DDL_ROWS: u64 = 1000;

/// Reads a profile file, or makes one of default statistics from a `.sql` DDL file (its
/// warnings printed) with `root_rows` rows in each table without a parent.
pub fn read_profile_or_ddl(
    path: &std::path::Path,
    root_rows: Option<u64>,
) -> anyhow::Result<crate::profile::Profile> {
    use crate::source::ddl::DdlSource;
    let spec = path.to_string_lossy();
    if !DdlSource::is_ddl(&spec) {
        if root_rows.is_some() {
            anyhow::bail!(
                "a bare --rows N sets the size of a .sql input; for a profile use \
                 --rows TABLE=N or --scale"
            );
        }
        return read_profile(path);
    }
    let source = DdlSource::open(path)?;
    for warning in crate::source::Source::warnings(&source) {
        eprintln!("warning: {warning}");
    }
    Ok(crate::generate::defaults::profile_from_schema(
        source.parsed_schema(),
        root_rows.unwrap_or(DDL_ROWS),
    ))
}

/// A count that must be at least 1 (`--sample`, `--min-count`, `--threads`): 0 would sample
/// nothing, let every value through, or make no threads.
pub fn at_least_one(s: &str) -> Result<u64, String> {
    match s.replace('_', "").parse::<u64>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Reads and validates a profile file, naming it in any error, with a note when it is in an
/// older format.
pub fn read_profile(path: &std::path::Path) -> anyhow::Result<crate::profile::Profile> {
    let profile = load_profile(path)?;
    if profile.format_version < crate::profile::FORMAT_VERSION {
        eprintln!(
            "note: {} is profile format {}; it was converted on reading. Rewrite it in format {} \
             with `understudy upgrade {}`",
            path.display(),
            profile.format_version,
            crate::profile::FORMAT_VERSION,
            path.display()
        );
    }
    Ok(profile)
}

/// Reads and validates a profile file, naming it in any error.
fn load_profile(path: &std::path::Path) -> anyhow::Result<crate::profile::Profile> {
    use anyhow::Context;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!(
            "{} is not a profile: it is not UTF-8 text (a profile is the YAML file that \
             `understudy profile` writes)",
            path.display()
        )
    })?;
    crate::profile::from_yaml(&text).with_context(|| format!("profile {}", path.display()))
}

/// Writes `text` to standard output, returning its error rather than panicking as `print!`
/// does: output piped into `head` closes early, and `main` takes that broken pipe as the
/// reader's choice, not a failure.
pub fn print_out(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Introspect(args) => introspect::run(args),
        Command::Profile(args) => profile::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Upgrade(args) => upgrade::run(args),
    }
}

/// A hint for errors whose fix is known.
pub fn hint_for(err: &anyhow::Error) -> Option<&'static str> {
    let text = format!("{err:#}");
    if text.contains("failed to lookup address information") {
        Some(
            "the host name does not resolve; check it (in a URL, an '@', ':' or '/' inside the \
             password must be written %40, %3A, %2F).",
        )
    } else if text.contains("Connection refused")
        || text.contains("cannot connect") && text.contains("error connecting")
    {
        Some("is the server running? Check the host and port, or set PGHOST and PGPORT.")
    } else if text.contains("password authentication failed") {
        Some("check the user and password (PGUSER, PGPASSWORD); the password is never printed.")
    } else if text.contains("ragged row") {
        Some("every row must have as many fields as the header; check --delimiter and quoting.")
    } else if text.contains("not an understudy profile") || text.contains("this is not a profile") {
        Some("pass a profile written by `understudy profile`, or a .sql DDL file.")
    } else if text.contains("format_version") {
        Some("profile the snapshot again with this version of understudy.")
    } else {
        None
    }
}
