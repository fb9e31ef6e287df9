//! The `onramp` binary: parses the command line and hands over to [`onramp::cli`].

use clap::Parser;

/// mimalloc instead of the system allocator: the hot paths (`/token`, `/register`) allocate
/// per request, and glibc's malloc cost a fifth of their CPU (issue 14's profile); it also
/// returns memory to the system sooner after load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    onramp::startup::install_crypto();
    let cli = onramp::cli::Cli::parse();
    match onramp::cli::run(cli).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
