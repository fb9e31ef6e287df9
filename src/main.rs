//! The `onramp` binary: parses the command line and hands over to [`onramp::cli`].

use clap::Parser;

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
