//! The evidence is shown where people decide: the admin task page's "Authority checks" panel
//! (one row per source, mismatches highlighted) and the TPP's dashboard in plain words.

use super::registers::CSV;
use crate::helpers::*;
use onramp::domain::AdminRole;

/// The EBA register knows the same authorisation under another name.
pub(crate) const EBA_OTHER_NAME: &str = r#"[[{"__EBA_Disclaimer": {}}], [{"CA_OwnerID": "GB_FCA",
  "EntityCode": "GB_FCA!123456", "EntityType": "PSD_PI",
  "Properties": [{"ENT_NAT_REF_COD": "123456"}, {"ENT_NAM": "Different Name Ltd"}, {"ENT_AUT": ["2019-01-02"]}],
  "Services": [{"GB": ["PS_070", "PS_080"]}]}]]"#;

#[tokio::test]
async fn the_task_page_shows_a_verified_and_a_mismatched_source_and_the_tpp_reads_them() {
    let app = spawn_app().await;
    super::import_csv(&app, CSV).await;
    let file = app.state.settings.data_dir.join("eba.json");
    std::fs::write(&file, EBA_OTHER_NAME).unwrap();
    onramp::authority::service::import_eba(&app.state, &file)
        .await
        .unwrap();
    let email = app.verified_tpp("Acme TPP Ltd").await;

    let (_, admin) = app.admin(AdminRole::Reviewer).await;
    let task = admin.task_for("signup", "Acme TPP Ltd").await;
    let html = admin.get_html(&task).await;
    assert_eq!(texts(&html, "#authority-h"), vec!["Authority checks"]);
    let verified = texts(&html, "#authority-checks tr.verdict-verified th");
    assert_eq!(verified, vec!["Bank's register"], "{html}");
    let mismatched = texts(&html, "#authority-checks tr.verdict-mismatch th");
    assert_eq!(mismatched, vec!["EBA register"]);
    let marked = texts(&html, "#authority-checks tr.verdict-mismatch mark");
    assert_eq!(
        marked,
        vec!["name: “Acme TPP Ltd” given, “Different Name Ltd” registered"]
    );

    let tpp = app.other_browser();
    tpp.portal_login(&email).await;
    let dashboard = tpp.get_html("/dashboard").await;
    let checks = texts(&dashboard, "ul.checks li");
    assert_eq!(checks.len(), 2, "{dashboard}");
    assert!(
        checks.iter().any(|c| c.starts_with(
            "Bank's register: Acme TPP Ltd (GB-FCA): authorised for AISP, PISP since 2019-01-02, checked "
        )),
        "{checks:?}"
    );
}

#[tokio::test]
async fn an_admin_reruns_the_checks_and_records_a_manual_verification_with_their_name() {
    let app = spawn_app().await;
    app.verified_tpp("Acme TPP Ltd").await;
    let (admin_email, admin) = app.admin(AdminRole::Reviewer).await;
    let task = admin.task_for("signup", "Acme TPP Ltd").await;
    let rows = |html: &str| texts(html, "#authority-checks tbody th");
    assert!(rows(&admin.get_html(&task).await).is_empty());

    let act = format!("{task}/authority");
    let r = admin
        .post_form(&act, &[("what", "manual"), ("comment", "")])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        rows(&admin.get_html(&task).await).is_empty(),
        "no comment, no evidence"
    );

    super::import_csv(&app, CSV).await;
    admin.post_form(&act, &[("what", "recheck")]).await;
    assert_eq!(rows(&admin.get_html(&task).await), vec!["Bank's register"]);

    let r = admin
        .post_form(&act, &[("what", "manual"), ("comment", "Called the FCA.")])
        .await;
    assert_eq!(r.status(), 303);
    let html = admin.get_html(&task).await;
    assert_eq!(rows(&html), vec!["Manual check", "Bank's register"]);
    let manual = texts(&html, "#authority-checks tr.verdict-verified td");
    assert!(
        manual
            .iter()
            .any(|t| t == &format!("Verified by {admin_email}: Called the FCA.")),
        "{manual:?}"
    );
}

#[tokio::test]
async fn the_organisation_page_lists_every_piece_of_evidence_with_its_author_and_reruns_checks() {
    let app = spawn_app().await;
    app.verified_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme").await;
    let (admin_email, admin) = app.admin(AdminRole::Reviewer).await;
    let page = format!("/admin/organisations/{}", org.id);
    let html = admin.get_html(&page).await;
    assert_eq!(texts(&html, "#evidence-h"), vec!["Authority evidence"]);
    assert!(texts(&html, "#authority-evidence tbody tr").is_empty());

    super::import_csv(&app, CSV).await;
    let act = format!("{page}/authority");
    let r = admin.post_form(&act, &[("what", "recheck")]).await;
    assert_eq!(r.status(), 303);
    app.state.clock.advance(chrono::Duration::minutes(5));
    let r = admin
        .post_form(&act, &[("what", "manual"), ("comment", "Rang the FCA.")])
        .await;
    assert_eq!(r.status(), 303);
    app.state.clock.advance(chrono::Duration::minutes(5));
    admin.post_form(&act, &[("what", "recheck")]).await;

    // Every record, newest first; the manual one names its author.
    let html = admin.get_html(&page).await;
    let sources = texts(&html, "#authority-evidence tbody th");
    assert_eq!(
        sources,
        vec!["Bank's register", "Manual check", "Bank's register"],
        "{html}"
    );
    let manual = texts(&html, "#authority-evidence tr.verdict-verified td");
    assert!(manual.contains(&admin_email), "{manual:?}");
    assert!(
        manual.contains(&format!("Verified by {admin_email}: Rang the FCA.")),
        "{manual:?}"
    );
    // No comment, no manual evidence.
    admin
        .post_form(&act, &[("what", "manual"), ("comment", " ")])
        .await;
    let html = admin.get_html(&page).await;
    assert_eq!(texts(&html, "#authority-evidence tbody th").len(), 3);

    // Refused: an unknown organisation, an unknown action, and anyone not signed in.
    let unknown = format!("/admin/organisations/{}/authority", uuid::Uuid::new_v4());
    let r = admin.post_form(&unknown, &[("what", "recheck")]).await;
    assert_eq!(r.status(), 404);
    let r = admin.post_form(&act, &[("what", "approve")]).await;
    assert_eq!(r.status(), 404);
    let stranger = app.other_browser();
    let r = stranger.post_form(&act, &[("what", "recheck")]).await;
    assert!(
        r.status().is_redirection() || r.status() == 403,
        "{}",
        r.status()
    );
    let html = admin.get_html(&page).await;
    assert_eq!(texts(&html, "#authority-evidence tbody th").len(), 3);
}
