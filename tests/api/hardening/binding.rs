//! DCR binding: the certificate's whole organizationIdentifier, and `org_id`s per directory.

use crate::helpers::dcr::*;

#[tokio::test]
async fn an_irish_identifier_with_the_same_number_does_not_match_an_fca_statement() {
    let d = Dcr::start().await;
    let pki = d.app.pki.as_ref().unwrap();
    for (id, expected) in [
        ("PSDIE-CBI-123456", 400),
        ("PSDGB-FCA-9123456", 400),
        ("PSDGB-FCA-123456", 201),
    ] {
        let cert = pki.client("x", "Acme TPP Ltd", Some(id));
        let r = pki
            .client_http(Some(&cert))
            .post(format!("{}/register", d.base()))
            .header("Content-Type", "application/jwt")
            .body(d.request(|_| {}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), expected, "{id}");
    }
}

#[tokio::test]
async fn an_org_id_is_looked_up_only_within_the_directory_that_issued_it() {
    let d = Dcr::start().await;
    d.register().await;
    let db = &d.app.state.db;
    let ours = onramp::store::organisations::find_by_directory_id(db, DIRECTORY, ORG_ID)
        .await
        .unwrap();
    assert_eq!(
        ours.as_ref().and_then(|o| o.directory_issuer.as_deref()),
        Some(DIRECTORY)
    );
    let elsewhere =
        onramp::store::organisations::find_by_directory_id(db, "Another Directory", ORG_ID)
            .await
            .unwrap();
    assert!(
        elsewhere.is_none(),
        "the same org_id in another directory is another organisation"
    );
}
