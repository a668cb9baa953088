//! `understudy upgrade PROFILE`: rewrite an older profile in the current format.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

/// Rewrite a profile in the current format (format 1 files still load, converted on read).
/// The statistics, and so the generated data, stay the same.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  understudy upgrade profiles/old.yaml
  understudy upgrade profiles/old.yaml -o profiles/new.yaml")]
pub struct UpgradeArgs {
    /// The profile to rewrite.
    profile: PathBuf,
    /// Where to write the result; default: over the input, atomically.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: UpgradeArgs) -> anyhow::Result<()> {
    let profile = super::load_profile(&args.profile)?;
    let output = args.output.as_ref().unwrap_or(&args.profile);
    crate::run::write_atomically(output, crate::profile::to_yaml(&profile).as_bytes())
        .with_context(|| format!("writing {}", output.display()))?;
    eprintln!(
        "wrote {} as format {} (read as format {})",
        output.display(),
        crate::profile::FORMAT_VERSION,
        profile.format_version
    );
    Ok(())
}
