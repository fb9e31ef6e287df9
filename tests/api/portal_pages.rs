//! The portal as people meet it: destructive actions ask first, on a page of their own.

use crate::helpers::*;

#[tokio::test]
async fn deleting_an_application_and_revoking_keys_ask_first() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Careful Ltd").await;
    let path = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&path).await;
    let page = tpp.get_html(&path).await;
    assert!(
        attr(&page, "form[action$=\"/delete\"]", "action").is_none()
            && attr(&page, "form[action$=\"/revoke\"]", "action").is_none(),
        "nothing destructive acts from the application page itself"
    );
    let delete = attr(&page, "a.button.danger[href$=\"/delete\"]", "href").unwrap();
    let revoke = attr(&page, "a.button.danger[href$=\"/revoke\"]", "href").unwrap();
    assert_eq!(revoke, format!("/clients/{client_id}/revoke"));

    // Another organisation sees neither confirmation.
    let (_, other) = app.approved_tpp("Other Ltd").await;
    assert_eq!(other.get(&delete).await.status(), 404);
    assert_eq!(other.get(&revoke).await.status(), 404);

    let confirm = tpp.get_html(&revoke).await;
    assert!(confirm.contains("Revoke the sandbox keys"), "{confirm}");
    assert_eq!(attr(&confirm, "a.button.secondary", "href").unwrap(), path);
    assert_eq!(texts(&confirm, "button.danger"), ["Revoke keys"]);
    assert_eq!(tpp.post_form(&revoke, &[]).await.status(), 303);
    assert!(tpp.get_html(&path).await.contains("revoked"));

    let confirm = tpp.get_html(&delete).await;
    assert!(confirm.contains("Delete the application"), "{confirm}");
    assert!(confirm.contains("This cannot be undone"));
    assert_eq!(tpp.post_form(&delete, &[]).await.status(), 303);
    assert_eq!(tpp.get(&path).await.status(), 404);
}

#[tokio::test]
async fn a_client_credentials_application_needs_no_redirect_uri() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("No Redirect Ltd").await;
    let form = tpp.get_html("/applications/new").await;
    assert!(
        attr(&form, "#f-redirect_uris", "required").is_none(),
        "not required"
    );
    assert!(form.contains("not needed for client credentials alone"));
    let fields: Vec<(&str, &str)> = APP
        .iter()
        .map(|&(k, v)| {
            if k == "redirect_uris" {
                (k, "")
            } else {
                (k, v)
            }
        })
        .collect();
    let path = tpp.create_app(&fields).await;
    assert!(tpp.get_html(&path).await.contains("Budget helper"));
}
