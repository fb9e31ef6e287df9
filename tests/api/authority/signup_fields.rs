//! The signup form's `authorisation` and `certificate` fields: the number is read from the one,
//! the certificate parsed and judged, and their evidence drives `workflows/verified-auto`.

use crate::helpers::eidas::{AI, EidasSpec, PI};
use crate::helpers::*;
use onramp::domain::OrganisationStatus;

/// `workflows/verified-auto` with an `authorisation` and a `certificate` field on the signup.
fn workflows_with_fields(dir: &std::path::Path) -> std::path::PathBuf {
    let wf = dir.join("wf");
    std::fs::create_dir_all(&wf).unwrap();
    for e in std::fs::read_dir(repo_workflows().join("verified-auto")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, wf.join(p.file_name().unwrap())).unwrap();
    }
    let signup = wf.join("signup.toml");
    let text = std::fs::read_to_string(&signup).unwrap().replacen(
        "[[state]]",
        "[[field]]\nname = \"authorisation\"\nlabel = \"Authorisation\"\ntype = \"authorisation\"\nrequired = true\n\n\
         [[field]]\nname = \"certificate\"\nlabel = \"Certificate\"\ntype = \"certificate\"\nrequired = true\n\n[[state]]",
        1,
    );
    std::fs::write(&signup, text).unwrap();
    wf
}

async fn sign_up(roles: &[(&'static str, &'static str)], authorisation: &str) -> (u16, TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let wf = workflows_with_fields(dir.path());
    let ca = pki.ca_file.clone();
    let app = spawn_app_with(move |s| {
        s.workflows_dir = wf;
        s.authority.extra_roots = vec![ca];
    })
    .await;
    let email = "dev@acme.example";
    let mut fields = signup_fields(email, "Acme TPP Ltd");
    fields.push(("authorisation".into(), authorisation.into()));
    let pem = pki.eidas("acme", &EidasSpec::qwac(roles)).cert_pem;
    fields.push(("certificate".into(), pem));
    let r = app.signup(&fields).await;
    let status = r.status().as_u16();
    if status == 303 {
        let link = app.link_in_mail(email, "/verify").await;
        assert_eq!(app.get(&link).await.status(), 200);
    }
    drop(dir);
    (status, app)
}

#[tokio::test]
async fn a_certificate_that_proves_the_roles_approves_the_signup_automatically() {
    let (status, app) = sign_up(&[AI, PI], "PSDGB-FCA-123456").await;
    assert_eq!(status, 303);
    let org = super::org_named(&app, "Acme TPP").await;
    assert_eq!(org.status, OrganisationStatus::Active);
}

#[tokio::test]
async fn a_certificate_without_a_role_asked_for_leaves_the_signup_to_a_person() {
    let (_, app) = sign_up(&[AI], "FCA 123456").await;
    let org = super::org_named(&app, "Acme TPP").await;
    assert_eq!(org.status, OrganisationStatus::Pending);
    let (_, admin) = app.admin(onramp::domain::AdminRole::Reviewer).await;
    let html = admin
        .get_html(&admin.task_for("signup", "Acme TPP Ltd").await)
        .await;
    let marked = texts(&html, "#authority-checks tr.verdict-mismatch mark");
    assert_eq!(marked, vec!["roles: PISP asked, AISP found"]);
}

#[tokio::test]
async fn an_authorisation_needs_an_authority_and_a_number() {
    let (status, _) = sign_up(&[AI, PI], "123456").await;
    assert_eq!(status, 422);
}
