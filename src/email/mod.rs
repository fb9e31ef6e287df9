//! Outgoing mail: the [`Mailer`] transports (file, SMTP, log, memory), the messages Onramp
//! sends (rendered from askama text templates), and the [`outbox`] that makes delivery
//! survive failures and restarts.

mod mailer;
pub mod messages;
pub mod outbox;

pub use mailer::{Mailer, SentMail};
