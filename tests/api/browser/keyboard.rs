//! Keyboard only: a TPP signs in, creates an application and gets sandbox keys with Tab, typing
//! and Enter alone, in Chromium. Every control on the way is reachable and works without a mouse.

use super::*;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const SPACE: &str = "\u{E00D}";

impl Browser {
    /// Presses keys (WebDriver key codes or characters) on whatever has the focus.
    async fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for c in text.chars() {
            actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
        }
        self.cmd(
            reqwest::Method::POST,
            "/actions",
            Some(json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        )
        .await;
    }

    /// Presses Tab until the focused element matches `css` (at most 40 times).
    async fn tab_to(&self, css: &str) {
        for _ in 0..40 {
            let here = self
                .cmd(
                    reqwest::Method::POST,
                    "/execute/sync",
                    Some(json!({
                        "script": "return document.activeElement && document.activeElement.matches(arguments[0]);",
                        "args": [css]
                    })),
                )
                .await;
            if here == json!(true) {
                return;
            }
            self.keys(TAB).await;
        }
        panic!("Tab never reached {css}");
    }
}

#[tokio::test]
async fn the_main_path_works_with_the_keyboard_alone() {
    if !chromedriver_available() {
        return;
    }
    let app = spawn_app().await;
    let (email, _) = app.approved_tpp("Keyboard Payments Ltd").await;
    let driver = Driver::start().await;
    let b = driver.session().await;

    b.goto(&app.url("/login")).await;
    b.tab_to("#f-email").await;
    b.keys(&email).await;
    b.keys(TAB).await;
    b.keys(PASSWORD).await;
    b.keys(ENTER).await;
    b.wait_for_path("/dashboard").await;

    b.tab_to("header nav a[href='/applications']").await;
    b.keys(ENTER).await;
    b.wait_for_path("/applications").await;
    b.tab_to("a[href='/applications/new']").await;
    b.keys(ENTER).await;
    b.wait_for_path("/applications/new").await;
    b.tab_to("#f-name").await;
    b.keys("Keyboard app").await;
    b.tab_to("#f-auth_method").await;
    // A select changes with the arrow keys; type the option's first letters instead.
    b.keys("Client secret, HTTP Basic").await;
    b.tab_to("input[name=scopes][value=accounts]").await;
    b.keys(SPACE).await;
    b.tab_to("form.stack button[type=submit]").await;
    b.keys(ENTER).await;
    let app_path = b
        .wait_for_path_where("the application page", |p| {
            p.starts_with("/applications/") && p != "/applications/new"
        })
        .await;
    b.wait_for_text("Request sandbox keys").await;
    b.tab_to("button.primary").await;
    b.keys(ENTER).await;
    // The application page says "Client secret" too (its method); wait for the keys themselves.
    let page = b.wait_for_text("id=\"client-id\"").await;
    assert!(page.contains("Client secret"), "{page}");
    assert!(!texts(&page, "#client-id").is_empty(), "{page}");
    assert!(app_path.len() > "/applications/".len());
    b.quit().await;
}
