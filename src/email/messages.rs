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

#[derive(Template)]
#[template(path = "email/state.txt")]
struct StateEmail<'a> {
    n: &'a StateNews<'a>,
}

/// A state change the TPP should know of.
pub fn state_changed(to: &str, n: &StateNews<'_>) -> Result<Mail, askama::Error> {
    let subject = match n.kind {
        "received" => format!("{}: we have received your submission", n.workflow_title),
        "approved" => format!("{}: approved", n.workflow_title),
        "rejected" => format!("{}: not approved", n.workflow_title),
        "info_requested" => format!("{}: more information requested", n.workflow_title),
        _ => format!("{}: {}", n.workflow_title, n.state_label),
    };
    Ok(Mail {
        to: to.into(),
        subject,
        body: StateEmail { n }.render()?,
    })
}

#[derive(Template)]
#[template(path = "email/task_waiting.txt")]
struct TaskWaiting<'a> {
    legal_name: &'a str,
    workflow_title: &'a str,
    state_label: &'a str,
    link: &'a str,
}

/// Tells an admin that a task waits for them.
pub fn task_waiting(
    to: &str,
    legal_name: &str,
    workflow_title: &str,
    state_label: &str,
    link: &str,
) -> Result<Mail, askama::Error> {
    Ok(Mail {
        to: to.into(),
        subject: format!("Task waiting: {workflow_title} for {legal_name}"),
        body: TaskWaiting {
            legal_name,
            workflow_title,
            state_label,
            link,
        }
        .render()?,
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
