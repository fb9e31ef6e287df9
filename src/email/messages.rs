//! The messages Onramp sends, one function each, rendered from `templates/email/*.txt`.

use super::outbox::Mail;
use askama::Template;

#[derive(Template)]
#[template(path = "email/verify_email.txt")]
struct VerifyEmail<'a> {
    legal_name: &'a str,
    link: &'a str,
}

/// The link that verifies a new account's email.
pub fn verify_email(to: &str, legal_name: &str, link: &str) -> Result<Mail, askama::Error> {
    Ok(Mail {
        to: to.into(),
        subject: "Verify your email address".into(),
        body: VerifyEmail { legal_name, link }.render()?,
    })
}

#[derive(Template)]
#[template(path = "email/signup_existing.txt")]
struct SignupExisting<'a> {
    login_link: &'a str,
    reset_link: &'a str,
}

/// Sent instead of a verification link when someone signs up with an address that has an
/// account: the page answers the same, the owner learns of it.
pub fn signup_existing(
    to: &str,
    login_link: &str,
    reset_link: &str,
) -> Result<Mail, askama::Error> {
    Ok(Mail {
        to: to.into(),
        subject: "Someone tried to sign up with your email address".into(),
        body: SignupExisting {
            login_link,
            reset_link,
        }
        .render()?,
    })
}

#[derive(Template)]
#[template(path = "email/password_reset.txt")]
struct PasswordReset<'a> {
    link: &'a str,
}

/// A password reset link.
pub fn password_reset(to: &str, link: &str) -> Result<Mail, askama::Error> {
    Ok(Mail {
        to: to.into(),
        subject: "Reset your password".into(),
        body: PasswordReset { link }.render()?,
    })
}

/// What a state email is about.
pub struct StateNews<'a> {
    /// Which email (`received`, `approved`, `rejected`, `info_requested`, `status_changed`).
    pub kind: &'a str,
    /// The application it is about, when it is about one.
    pub application: Option<&'a str>,
    /// The organisation's legal name.
    pub legal_name: &'a str,
    /// The workflow's title.
    pub workflow_title: &'a str,
    /// The new state's label.
    pub state_label: &'a str,
    /// The admin's comment, empty when none.
    pub comment: &'a str,
    /// Where to see it.
    pub link: &'a str,
}

impl StateNews<'_> {
    /// What the news is about, for a sentence: "production keys request for the application
    /// “Budget helper” of Acme Ltd", or "organisation signup for Acme Ltd".
    pub fn what(&self) -> String {
        let title = self.workflow_title.to_lowercase();
        match self.application {
            Some(app) => format!(
                "{title} request for the application “{app}” of {}",
                self.legal_name
            ),
            None => format!("{title} for {}", self.legal_name),
        }
    }
}

#[derive(Template)]
#[template(path = "email/state.txt")]
struct StateEmail<'a> {
    n: &'a StateNews<'a>,
}

/// A state change the TPP should know of.
pub fn state_changed(to: &str, n: &StateNews<'_>) -> Result<Mail, askama::Error> {
    let what = about(n.workflow_title, n.application, n.legal_name);
    let subject = match n.kind {
        "received" => format!("{what}: we have received your request"),
        "approved" => format!("{what}: approved"),
        "rejected" => format!("{what}: not approved"),
        "info_requested" => format!("{what}: more information requested"),
        _ => format!("{what}: {}", n.state_label),
    };
    Ok(Mail {
        to: to.into(),
        subject,
        body: StateEmail { n }.render()?,
    })
}

/// A subject's "what": `Production keys for “Budget helper” (Acme Ltd)`, or `Organisation
/// signup for Acme Ltd` when no application is concerned.
fn about(workflow_title: &str, application: Option<&str>, legal_name: &str) -> String {
    match application {
        Some(app) => format!("{workflow_title} for “{app}” ({legal_name})"),
        None => format!("{workflow_title} for {legal_name}"),
    }
}

/// What a waiting task is about, for the admins' notice.
pub struct TaskAbout<'a> {
    /// The organisation's legal name.
    pub legal_name: &'a str,
    /// The application, when the task is about one.
    pub application: Option<&'a str>,
    /// The workflow's title.
    pub workflow_title: &'a str,
    /// The state it waits in.
    pub state_label: &'a str,
    /// The task's page.
    pub link: &'a str,
}

#[derive(Template)]
#[template(path = "email/task_waiting.txt")]
struct TaskWaiting<'a> {
    t: &'a TaskAbout<'a>,
}

/// Tells an admin that a task waits for them.
pub fn task_waiting(to: &str, t: &TaskAbout<'_>) -> Result<Mail, askama::Error> {
    let subject = format!(
        "Task waiting: {}",
        about(t.workflow_title, t.application, t.legal_name)
    );
    Ok(Mail {
        to: to.into(),
        subject,
        body: TaskWaiting { t }.render()?,
    })
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct Invitation<'a> {
    legal_name: &'a str,
    inviter: &'a str,
    link: &'a str,
}

/// An invitation to join an organisation's team.
pub fn invitation(
    to: &str,
    legal_name: &str,
    inviter: &str,
    link: &str,
) -> Result<Mail, askama::Error> {
    Ok(Mail {
        to: to.into(),
        // The organisation's name is the TPP's own text: it stays out of the subject line.
        subject: "You are invited to join a team on the bank's developer portal".into(),
        body: Invitation {
            legal_name,
            inviter,
            link,
        }
        .render()?,
    })
}
