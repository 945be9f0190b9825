use std::process::ExitCode;

use clap::Parser;

/// mimalloc: a scan makes and drops many small values on every thread (parsed trees, users'
/// policies' values), which glibc's allocator served a sixth slower (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Errors of libraries (policy evaluation makes and drops many) never show a backtrace, and
    // capturing one for each, as `RUST_BACKTRACE=1` in a CI job would, costs more than the
    // evaluation. Panics still honour `RUST_BACKTRACE`.
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // SAFETY: the process has one thread yet: nothing else reads the environment.
        unsafe { std::env::set_var("RUST_LIB_BACKTRACE", "0") };
    }
    let cli = palisade::cli::Cli::parse();
    ExitCode::from(palisade::cli::execute(cli))
}
