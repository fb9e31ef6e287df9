//! A member of organisation A gets 404 on every URL of organisation B's applications, clients
//! and tasks.

use crate::helpers::*;

#[tokio::test]
async fn another_organisations_applications_and_clients_are_not_found() {
    let app = spawn_app().await;
    let (_, b) = app.approved_tpp("Bravo").await;
    let b_app = b.create_app(APP).await;
    let (b_client, _) = b.sandbox_keys(&b_app).await;
    b.post_form(
        &format!("{b_app}/edit"),
        &[
            ("name", "Bravo keys"),
            ("redirect_uris", "https://bravo.example/cb"),
            ("auth_method", "private_key_jwt"),
            ("jwks", JWKS),
            ("scopes", "accounts"),
        ],
    )
    .await;

    let (_, a) = app.approved_tpp("Alpha").await;
    for path in [
        b_app.clone(),
        format!("{b_app}/edit"),
        format!("{b_app}/production-keys"),
    ] {
        assert_eq!(a.get(&path).await.status(), 404, "GET {path}");
    }
    let posts = [
        (
            format!("{b_app}/edit"),
            vec![
                ("name", "stolen"),
                ("redirect_uris", "https://x.example"),
                ("auth_method", "client_secret_basic"),
                ("scopes", "accounts"),
            ],
        ),
        (format!("{b_app}/delete"), vec![]),
        (format!("{b_app}/sandbox-keys"), vec![]),
        (
            format!("{b_app}/production-keys"),
            vec![("use_case", "stealing keys")],
        ),
        (format!("/clients/{b_client}/secret"), vec![]),
        (format!("/clients/{b_client}/revoke"), vec![]),
    ];
    for (path, fields) in posts {
        assert_eq!(
            a.post_form(&path, &fields).await.status(),
            404,
            "POST {path}"
        );
    }
    // B's things are untouched.
    let page = b.get_html(&b_app).await;
    assert!(page.contains("Bravo keys"));
    assert!(page.contains(&b_client));

    // B's production request task is not A's to resubmit.
    b.post_form(
        &format!("{b_app}/production-keys"),
        &[("use_case", "Account views.")],
    )
    .await;
    let (_, reviewer) = app.admin(onramp::domain::AdminRole::Reviewer).await;
    let task = reviewer.task_for("production-keys", "Bravo").await;
    let id = task.rsplit('/').next().unwrap();
    assert_eq!(a.get(&format!("/tasks/{id}/edit")).await.status(), 404);
    assert_eq!(
        a.post_form(&format!("/tasks/{id}/edit"), &[])
            .await
            .status(),
        404
    );
}
