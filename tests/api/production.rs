//! Production keys: the bank's further form, a reviewer then a different approver, a client only
//! on approval, under both shipped patterns.

use crate::helpers::*;
use base64::Engine;
use onramp::domain::AdminRole;

pub(crate) const KEY_APP: &[(&str, &str)] = &[
    ("name", "Payments hub"),
    ("redirect_uris", "https://hub.example/cb"),
    ("auth_method", "private_key_jwt"),
    ("jwks", JWKS),
    ("scopes", "accounts"),
];

fn production_clients(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("#env-production + dl code").unwrap();
    doc.select(&sel).map(|e| e.text().collect()).collect()
}

async fn count_production_clients(app: &TestApp) -> usize {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM clients WHERE environment = 'production'",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as usize
}

#[tokio::test]
async fn production_keys_need_a_reviewer_then_a_different_approver() {
    let app = spawn_app().await;
    let (tpp_email, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(KEY_APP).await;
    let form = tpp.get_html(&format!("{app_path}/production-keys")).await;
    assert!(
        attr(&form, "#f-use_case", "name").is_some(),
        "the bank's further form"
    );
    let r = tpp
        .post_form(&format!("{app_path}/production-keys"), &[("use_case", "")])
        .await;
    assert_eq!(r.status(), 422, "the form is validated");
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[("use_case", "Aggregated account views for small businesses.")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        count_production_clients(&app).await,
        0,
        "nothing before approval"
    );
    let pending = tpp.get_html(&app_path).await;
    assert!(pending.contains("Waiting since"));
    assert!(
        !pending.contains("Request production keys</a>"),
        "no second request while one is pending"
    );

    let (boss_email, boss) = app.admin(AdminRole::Superadmin).await;
    let task = boss.task_for("production-keys", "Acme").await;
    let page = boss.get_html(&task).await;
    assert!(
        page.contains("Payments hub"),
        "the application is shown to the reviewer"
    );
    assert!(page.contains("Aggregated account views"));
    let waiting_before = app.emails_to(&boss_email).await.len();
    assert_eq!(
        boss.decide(&task, "review", "Looks complete")
            .await
            .status(),
        303
    );
    assert_eq!(
        app.emails_to(&boss_email).await.len(),
        waiting_before,
        "the reviewer is not told to approve what four-eyes bars them from"
    );
    let page = boss.get_html(&task).await;
    assert!(
        page.contains(
            "Next: “Approve”, by approver or superadmin, another admin than whoever took “Mark as reviewed”"
        ),
        "after the review the page says who must act next: {page}"
    );
    assert_eq!(
        attr(&page, "button[value=request_info]", "class").as_deref(),
        Some("secondary"),
        "asking for more information does not look like approving"
    );
    assert!(
        page.contains("must be taken by someone other than who took"),
        "the approve button says why it is blocked"
    );
    let r = boss.decide(&task, "approve", "").await;
    assert_eq!(
        r.status(),
        422,
        "four eyes: the reviewer cannot also approve"
    );
    assert_eq!(count_production_clients(&app).await, 0);

    let (_, approver) = app.admin(AdminRole::Approver).await;
    assert_eq!(
        approver
            .decide(&task, "approve", "Welcome to production")
            .await
            .status(),
        303
    );
    assert_eq!(count_production_clients(&app).await, 1);
    let page = tpp.get_html(&app_path).await;
    assert_eq!(
        production_clients(&page).len(),
        1,
        "the TPP sees its production Client ID"
    );
    let issued = production_clients(&page).pop().unwrap();
    let howto = texts(&page, "#production-howto li").concat();
    assert!(
        howto.contains("/token") && howto.contains("mutual TLS") && howto.contains("bound"),
        "the page says how to use production keys: {howto}"
    );
    let task_page = approver.get_html(&task).await;
    assert!(
        task_page.contains(&format!("href=\"/admin/clients/{issued}\"")),
        "the approved task links to the client it made: {task_page}"
    );
    let mail = app.emails_to(&tpp_email).await.into_iter().last().unwrap();
    assert_eq!(
        mail.subject, "Production keys for “Payments hub” (Acme): approved",
        "the mail names the application as well as the organisation"
    );
    assert!(
        mail.body
            .contains("the production keys request for the application “Payments hub” of Acme has been approved"),
        "{}",
        mail.body
    );
    assert!(mail.body.contains("Welcome to production"));
}

#[tokio::test]
async fn a_rejected_production_request_leaves_nothing_to_revoke() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(KEY_APP).await;
    tpp.post_form(
        &format!("{app_path}/production-keys"),
        &[("use_case", "Account views for SMEs.")],
    )
    .await;
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-keys", "Acme").await;
    assert_eq!(
        reviewer
            .decide(&task, "reject", "No production use case yet")
            .await
            .status(),
        303
    );
    assert_eq!(count_production_clients(&app).await, 0);
    let page = tpp.get_html(&app_path).await;
    assert!(
        page.contains("Rejected: No production use case yet"),
        "{page}"
    );
}

#[tokio::test]
async fn a_secret_sandbox_is_told_before_the_form_and_production_takes_its_own_method() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(APP).await; // client_secret_basic
    let (sandbox_id, secret) = tpp.sandbox_keys(&app_path).await;
    assert!(secret.is_some());
    let form = tpp.get_html(&format!("{app_path}/production-keys")).await;
    assert!(
        texts(&form, "#production-notice")[0]
            .contains("does not accept client_secret_basic for production"),
        "said before anything is typed"
    );
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[("use_case", "Account views for SMEs.")],
        )
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(texts(&html, "#f-auth_method-error")[0].contains("client_secret_basic"));
    assert_eq!(
        texts(&html, "#f-use_case")[0],
        "Account views for SMEs.",
        "what was typed is kept"
    );
    let r = tpp
        .post_form(
            &format!("{app_path}/production-keys"),
            &[
                ("redirect_uris", "https://tpp.example/cb"),
                ("auth_method", "tls_client_auth"),
                ("tls_subject_dn", "CN=acme-prod,O=Acme Ltd,C=GB"),
                ("scopes", "accounts"),
                ("use_case", "Account views for SMEs."),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    let page = tpp.get_html(&app_path).await;
    assert!(page.contains(&sandbox_id), "the sandbox client stays");
    assert_eq!(count_production_clients(&app).await, 0);
}

fn fake_certificate() -> String {
    let mut der = vec![0x30, 0x82, 0x01, 0x00];
    der.extend((0..256).map(|i| (i % 251) as u8));
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n")
}

#[tokio::test]
async fn the_light_pattern_asks_for_the_rest_at_production_time() {
    let light = repo_workflows().join("light");
    let app = spawn_app_with(|s| s.workflows_dir = light.clone()).await;
    let email = "founder@tiny.example";
    let fields: Vec<(String, String)> = [
        ("legal_name", "Tiny Fintech"),
        ("email", email),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(app.signup(&fields).await.status(), 303);
    let link = app.link_in_mail(email, "/verify").await;
    assert_eq!(app.get(&link).await.status(), 200);
    let (_, boss) = app.admin(AdminRole::Superadmin).await;
    let task = boss.task_for("signup", "Tiny Fintech").await;
    assert_eq!(boss.decide(&task, "approve", "").await.status(), 303);
    let tpp = app.other_browser();
    assert_eq!(tpp.portal_login(email).await.status(), 303);

    // No roles declared yet: the sandbox is open to try any scope.
    let app_path = tpp
        .create_app(&[
            ("name", "Tiny app"),
            (
                "redirect_uris",
                "https://tiny.example/cb\nhttp://localhost:3000/cb",
            ),
            ("auth_method", "private_key_jwt"),
            ("jwks", JWKS),
            ("scopes", "accounts"),
        ])
        .await;
    let (client_id, secret) = tpp.sandbox_keys(&app_path).await;
    assert!(!client_id.is_empty());
    assert!(secret.is_none(), "a key-based client has no secret");

    // Production settings are proposed on the production form, prefilled from the sandbox's:
    // localhost redirect URIs are refused there with the reason, and the sandbox keeps them.
    let r = tpp
        .post_form(&format!("{app_path}/production-keys"), &[])
        .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        texts(&html, "#f-redirect_uris-error")[0]
            .contains("localhost is allowed in the sandbox only"),
        "{html}"
    );
    let production_settings = [
        ("redirect_uris", "https://tiny.example/cb"),
        ("auth_method", "private_key_jwt"),
        ("jwks", JWKS),
        ("scopes", "accounts"),
    ];

    let form = tpp.get_html(&format!("{app_path}/production-keys")).await;
    for f in [
        "registered_address",
        "lei",
        "dpo_contact",
        "certificate",
        "software_statement",
    ] {
        assert!(
            attr(&form, &format!("#f-{f}"), "name").is_some(),
            "{f} asked"
        );
    }
    let cert = fake_certificate();
    let mut answers: Vec<(&str, &str)> = production_settings.to_vec();
    answers.extend([
        ("registered_address", "1 High Street, London"),
        ("country", "GB"),
        ("lei", "5493001KJTIIGC8Y1R12"),
        ("competent_authority", "FCA"),
        ("authorisation_number", "923456"),
        ("roles", "PISP"),
        ("dpo_contact", "dpo@tiny.example"),
        ("certificate", cert.as_str()),
    ]);
    let r = tpp
        .post_form(&format!("{app_path}/production-keys"), &answers)
        .await;
    assert_eq!(r.status(), 422, "accounts scope needs the AISP role");
    let html = r.text().await.unwrap();
    assert!(texts(&html, "#f-roles-error")[0].contains("AISP"));
    assert_eq!(
        attr(&html, "#f-lei", "value").as_deref(),
        Some("5493001KJTIIGC8Y1R12")
    );
    answers.push(("roles", "AISP"));
    assert_eq!(
        tpp.post_form(&format!("{app_path}/production-keys"), &answers)
            .await
            .status(),
        303
    );

    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-keys", "Tiny Fintech").await;
    assert!(
        reviewer
            .get_html(&task)
            .await
            .contains("5493001KJTIIGC8Y1R12")
    );
    assert_eq!(reviewer.decide(&task, "review", "").await.status(), 303);
    let (_, approver) = app.admin(AdminRole::Approver).await;
    assert_eq!(approver.decide(&task, "approve", "").await.status(), 303);
    let page = tpp.get_html(&app_path).await;
    assert_eq!(production_clients(&page).len(), 1);
    assert!(
        page.contains("http://localhost:3000/cb"),
        "the sandbox keeps its own redirect URIs"
    );
    // A later change is checked against the roles declared on that production request.
    let change = [
        ("redirect_uris", "https://tiny.example/cb2"),
        ("auth_method", "private_key_jwt"),
        ("jwks", JWKS),
        ("scopes", "accounts"),
        ("reason", "A second callback."),
    ];
    let r = tpp
        .post_form(&format!("{app_path}/production-settings"), &change)
        .await;
    assert_eq!(r.status(), 303);
    let task = reviewer.task_for("production-change", "Tiny Fintech").await;
    assert_eq!(reviewer.decide(&task, "approve", "").await.status(), 303);
    assert!(
        tpp.get_html(&app_path)
            .await
            .contains("https://tiny.example/cb2")
    );
}

#[tokio::test]
async fn more_information_on_a_production_request_is_answered_in_the_portal() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let app_path = tpp.create_app(KEY_APP).await;
    tpp.post_form(
        &format!("{app_path}/production-keys"),
        &[("use_case", "Account views.")],
    )
    .await;
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-keys", "Acme").await;
    assert_eq!(
        reviewer
            .decide(&task, "request_info", "Which customers?")
            .await
            .status(),
        303
    );
    let page = tpp.get_html(&app_path).await;
    assert!(page.contains("More information requested: Which customers?"));
    let edit = attr(&page, "a[href$='/edit'][href^='/tasks/']", "href").expect("resubmit link");
    let form = tpp.get_html(&edit).await;
    assert_eq!(
        texts(&form, "#f-use_case")[0],
        "Account views.",
        "prefilled"
    );
    let version = hidden_value(&form, "version").unwrap();
    let r = tpp
        .post_form(
            &edit,
            &[
                ("use_case", "Account views for UK small businesses."),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        reviewer
            .get_html(&task)
            .await
            .contains("UK small businesses")
    );
}
