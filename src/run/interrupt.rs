//! Clean interruption. SIGINT and SIGTERM only set a flag; the generation pipeline checks it
//! between batches and stops, so the sink is dropped unfinished: files stay under their
//! temporary names and are removed, and the Postgres transaction is rolled back. The process
//! then exits 128 + the signal (130, 143), as a shell expects.
//!
//! Stopping waits for the window of chunks being made; a second signal ends the process at once
//! (its temporary files are then removed by the next run into the same directory).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

/// The signal that asked to stop, or 0.
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Set by the first signal; arms the immediate exit on the second.
static STOPPING: AtomicBool = AtomicBool::new(false);

/// Routes SIGINT and SIGTERM to the flag. Call once, before writing starts.
pub fn install() -> std::io::Result<()> {
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the previous signal left it.
        flag::register_conditional_shutdown(signal, 128 + signal, &STOPPING)?;
        flag::register_usize(signal, &SIGNAL, signal as usize)?;
        flag::register(signal, &STOPPING)?;
    }
    Ok(())
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal as i32),
    }
}

/// `SIGINT`, `SIGTERM`, or the number.
pub fn signal_name(signal: i32) -> String {
    match signal {
        SIGINT => "SIGINT".into(),
        SIGTERM => "SIGTERM".into(),
        other => format!("signal {other}"),
    }
}
