//! Logging: a tracing subscriber with an `EnvFilter`, compact or JSON. Tests stay quiet unless
//! `TEST_LOG` is set.

use crate::config::LogSettings;
use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber once; later calls do nothing.
pub fn init(s: &LogSettings) {
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(&s.level));
    // Colour only on a terminal: a log file or a collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi);
    let _ = if s.format == "json" {
        builder.json().try_init()
    } else {
        builder.compact().try_init()
    };
}
