//! Mail transports. The file transport is the embedded default; tests use memory.

use crate::config::{MailSettings, MailTransport};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A message as the memory transport keeps it.
#[derive(Clone, Debug)]
pub struct SentMail {
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

#[derive(Clone)]
enum Transport {
    File(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log,
    Memory(Arc<Mutex<Vec<SentMail>>>),
}

/// Deliveries started in the background and not yet finished.
#[derive(Debug, Default)]
struct InFlight {
    count: AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Held while a background delivery runs; dropping it marks the delivery finished.
#[derive(Debug)]
pub struct DeliveryGuard(Arc<InFlight>);

impl Drop for DeliveryGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Sends mail through the configured transport.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
    in_flight: Arc<InFlight>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Builds the transport named in the settings.
    pub fn from_settings(s: &MailSettings) -> Result<Self, String> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("mail.from `{}` is not an address: {e}", s.from))?;
        let transport = match s.transport {
            MailTransport::File => {
                std::fs::create_dir_all(&s.dir)
                    .map_err(|e| format!("cannot create mail.dir {}: {e}", s.dir.display()))?;
                Transport::File(AsyncFileTransport::new(&s.dir))
            }
            MailTransport::Smtp => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(s.smtp_url.expose_secret())
                    .map_err(|e| format!("mail.smtp_url is not usable: {e}"))?
                    .build(),
            ),
            MailTransport::Log => Transport::Log,
            MailTransport::Memory => Transport::Memory(Arc::default()),
        };
        Ok(Self {
            from,
            transport,
            in_flight: Arc::default(),
        })
    }

    /// Marks the start of a background delivery (see [`Self::settled`]).
    pub fn start_delivery(&self) -> DeliveryGuard {
        self.in_flight.count.fetch_add(1, Ordering::AcqRel);
        DeliveryGuard(self.in_flight.clone())
    }

    /// Waits until no background delivery is running (tests read the mailbox after this).
    pub async fn settled(&self) {
        loop {
            let idle = self.in_flight.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.in_flight.count.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Sends one plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        match &self.transport {
            Transport::Memory(store) => {
                store
                    .lock()
                    .map_err(|_| "mailbox lock poisoned".to_string())?
                    .push(SentMail {
                        to: to.into(),
                        subject: subject.into(),
                        body: body.into(),
                    });
                Ok(())
            }
            Transport::Log => {
                // The links in full, each a plain word of the line, to click or copy when
                // trying Onramp out.
                let links: Vec<&str> = body
                    .split_whitespace()
                    .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
                    .collect();
                tracing::info!(
                    mail.to = to,
                    mail.subject = subject,
                    mail.links = %links.join(" "),
                    body,
                    "mail (log transport)"
                );
                Ok(())
            }
            Transport::File(t) => {
                let msg = self.message(to, subject, body)?;
                t.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
            }
            Transport::Smtp(t) => {
                let msg = self.message(to, subject, body)?;
                t.send(msg).await.map(|_| ()).map_err(|e| e.to_string())
            }
        }
    }

    fn message(&self, to: &str, subject: &str, body: &str) -> Result<Message, String> {
        let to: Mailbox = to.parse().map_err(|e| format!("bad recipient {to}: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())
    }

    /// Messages kept by the memory transport (empty for the others).
    pub fn sent(&self) -> Vec<SentMail> {
        match &self.transport {
            Transport::Memory(store) => store.lock().map(|m| m.clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}
