//! The `understudy` binary: parse arguments, run, print one `error:` line on failure.

use std::process::ExitCode;

/// mimalloc, with huge blocks left to the system (see [`understudy::alloc`]).
#[global_allocator]
static ALLOCATOR: understudy::alloc::Allocator = understudy::alloc::Allocator;

fn main() -> ExitCode {
    match understudy::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            if let Some(code) = err
                .chain()
                .find_map(|e| e.downcast_ref::<understudy::sink::SinkError>())
                .and_then(|e| e.signal_exit_code())
            {
                return ExitCode::from(code);
            }
            if let Some(hint) = understudy::cli::hint_for(&err) {
                eprintln!("hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}
