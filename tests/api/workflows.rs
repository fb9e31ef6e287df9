//! Workflows are data: the form and the rules come from the files.

use crate::helpers::*;
use onramp::domain::Clock;
use onramp::startup;

fn copy_workflows(to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(repo_workflows()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[tokio::test]
async fn a_required_field_added_to_the_file_changes_the_form_and_its_validation() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join("wf");
    copy_workflows(&wf);
    let mut text = std::fs::read_to_string(wf.join("signup.toml")).unwrap();
    text = text.replacen(
        "[[state]]",
        "[[field]]\nname = \"lei\"\nlabel = \"Legal Entity Identifier\"\ntype = \"text\"\nrequired = true\npattern = \"[A-Z0-9]{20}\"\n\n[[state]]",
        1,
    );
    std::fs::write(wf.join("signup.toml"), text).unwrap();
    let app = spawn_app_with(|s| s.workflows_dir = wf.clone()).await;
    let html = app.get_html("/signup").await;
    assert!(texts(&html, "label[for=f-lei]")[0].contains("Legal Entity Identifier"));
    let r = app.signup(&signup_fields("ann@acme.example", "Acme")).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        texts(&html, "#f-lei-error")[0].contains("Enter legal Entity Identifier")
            || html.contains("f-lei-error")
    );
    let mut fields = signup_fields("ann@acme.example", "Acme");
    fields.push(("lei".into(), "too-short".into()));
    assert_eq!(app.signup(&fields).await.status(), 422);
    fields.pop();
    fields.push(("lei".into(), "5493001KJTIIGC8Y1R12".into()));
    assert_eq!(app.signup(&fields).await.status(), 303);
}

#[tokio::test]
async fn a_bad_workflow_file_stops_start_up_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join("wf");
    copy_workflows(&wf);
    let text = std::fs::read_to_string(wf.join("signup.toml")).unwrap();
    std::fs::write(
        wf.join("signup.toml"),
        text.replacen("to = \"approved\"", "to = \"approvd\"", 1),
    )
    .unwrap();
    let settings = test_settings(dir.path(), &wf).await;
    let err = startup::build_state(settings, Clock::system())
        .await
        .expect_err("start-up refused");
    let msg = format!("{err:#}");
    assert!(msg.contains("signup.toml:"), "{msg}");
    assert!(msg.contains("unknown state `approvd`"), "{msg}");
}

#[tokio::test]
async fn the_light_pattern_asks_for_little() {
    let light = repo_workflows().join("light");
    let app = spawn_app_with(|s| s.workflows_dir = light.clone()).await;
    let html = app.get_html("/signup").await;
    assert!(attr(&html, "#f-legal_name", "name").is_some());
    assert!(
        attr(&html, "#f-website", "name").is_none(),
        "no website in the light form"
    );
    let fields: Vec<(String, String)> = [
        ("legal_name", "Tiny Fintech Ltd"),
        ("email", "founder@tiny.example"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(app.signup(&fields).await.status(), 303);
}
