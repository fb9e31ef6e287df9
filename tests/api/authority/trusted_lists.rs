//! EU trusted lists: `onramp trust import` keeps the `CA/QC` services with their status
//! history; a certificate is trusted only if its issuing service was granted at its
//! `notBefore`. A bad file imports nothing; a re-import replaces its own list; a list of lists
//! reports its pointers.

use crate::helpers::eidas::EidasSpec;
use crate::helpers::qtsp::Qtsp;
use crate::helpers::*;
use base64::Engine as _;
use onramp::domain::evidence::Verdict;

const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";
const FOR_WEB: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForWebSiteAuthentication";
const FOR_SEALS: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals";

/// One `TSPService` of a test list.
struct Svc<'a> {
    name: &'a str,
    cert: &'a [u8],
    status: &'a str,
    from: &'a str,
    history: &'a [(&'a str, &'a str)],
    /// Its `AdditionalServiceInformation` URI.
    purpose: &'a str,
}

/// A national trusted list of `territory` with one provider offering `services`.
fn tsl(territory: &str, services: &[Svc<'_>]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut body = String::new();
    for s in services {
        let history: String = s
            .history
            .iter()
            .map(|(st, from)| {
                format!(
                    "<ServiceHistoryInstance><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>\
                     <ServiceName><Name xml:lang=\"en\">{}</Name></ServiceName>\
                     <ServiceDigitalIdentity><DigitalId><X509SubjectName>CN=x</X509SubjectName></DigitalId></ServiceDigitalIdentity>\
                     <ServiceStatus>{st}</ServiceStatus><StatusStartingTime>{from}</StatusStartingTime></ServiceHistoryInstance>",
                    s.name
                )
            })
            .collect();
        body.push_str(&format!(
            "<TSPService><ServiceInformation>\
             <ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier>\
             <ServiceName><Name xml:lang=\"en\">{}</Name></ServiceName>\
             <ServiceDigitalIdentity><DigitalId><X509Certificate>\n{}\n</X509Certificate></DigitalId></ServiceDigitalIdentity>\
             <ServiceStatus>{}</ServiceStatus><StatusStartingTime>{}</StatusStartingTime>\
             <ServiceInformationExtensions><Extension Critical=\"true\"><AdditionalServiceInformation>\
             <URI xml:lang=\"en\">{}</URI></AdditionalServiceInformation></Extension></ServiceInformationExtensions>\
             </ServiceInformation><ServiceHistory>{history}</ServiceHistory></TSPService>",
            s.name,
            b64.encode(s.cert),
            s.status,
            s.from,
            s.purpose
        ));
    }
    // A time-stamping service: not CA/QC, so not kept.
    body.push_str(&format!(
        "<TSPService><ServiceInformation><ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST</ServiceTypeIdentifier>\
         <ServiceName><Name xml:lang=\"en\">Stamps</Name></ServiceName><ServiceStatus>{GRANTED}</ServiceStatus>\
         <StatusStartingTime>2019-01-01T00:00:00Z</StatusStartingTime></ServiceInformation></TSPService>"
    ));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\" TSLTag=\"http://uri.etsi.org/19612/TSLTag\">\
         <SchemeInformation><TSLVersionIdentifier>5</TSLVersionIdentifier>\
         <TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType>\
         <SchemeTerritory>{territory}</SchemeTerritory></SchemeInformation>\
         <TrustServiceProviderList><TrustServiceProvider><TSPInformation>\
         <TSPName><Name xml:lang=\"en\">Test Trust &amp; Co</Name></TSPName></TSPInformation>\
         <TSPServices>{body}</TSPServices></TrustServiceProvider></TrustServiceProviderList>\
         </TrustServiceStatusList>"
    )
}

fn write(app: &TestApp, name: &str, text: &str) -> String {
    let file = app.state.settings.data_dir.join(name);
    std::fs::write(&file, text).unwrap();
    file.display().to_string()
}

async fn services(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = onramp::store::trusted::all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|s| format!("{}:{}", s.list_key, s.service_name))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_certificate_is_trusted_only_if_its_service_was_granted_at_its_not_before() {
    let app = spawn_app_with(|s| s.authority.revocation = "off".into()).await;
    app.approved_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme").await;
    let granted = Qtsp::start("Granted QTSP CA").await;
    let withdrawn = Qtsp::start("Withdrawn QTSP CA").await;
    let list = tsl(
        "XT",
        &[
            Svc {
                name: "Granted QWAC service",
                cert: &granted.ca_der,
                status: GRANTED,
                from: "2019-01-01T00:00:00Z",
                history: &[],
                purpose: FOR_WEB,
            },
            Svc {
                name: "Withdrawn QWAC service",
                cert: &withdrawn.ca_der,
                status: WITHDRAWN,
                from: "2025-01-01T00:00:00Z",
                history: &[(GRANTED, "2019-01-01T00:00:00Z")],
                purpose: FOR_WEB,
            },
        ],
    );
    let file = write(&app, "tl-xt.xml", &list);
    let out = app.cli(&["trust", "import", &file]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("list XT: 2 CA/QC services imported, 1 granted now, 1 withdrawn"),
        "{stdout}"
    );
    // The CLI wrote to the shared store: this node reads it once its copy is a minute old.
    app.state.clock.advance(chrono::Duration::minutes(2));

    let spec = EidasSpec::qwac(&[crate::helpers::eidas::AI, crate::helpers::eidas::PI]);
    let ok = granted.qwac(1, &spec, (2026, 1, 1), (2028, 1, 1));
    let org = super::with_certificate(&app, &org, &ok.cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
    assert!(
        f.found["trusted_root"]
            .as_str()
            .is_some_and(|r| r.contains("Granted QWAC service")),
        "{}",
        f.found
    );

    let late = withdrawn.qwac(2, &spec, (2025, 6, 1), (2028, 1, 1));
    let org = super::with_certificate(&app, &org, &late.cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Mismatch);
    assert!(
        f.details.starts_with("not on a trusted list:"),
        "{}",
        f.details
    );
    assert!(
        f.details.contains("Withdrawn QWAC service"),
        "{}",
        f.details
    );
    assert!(
        f.details.contains("withdrawn from 1 Jan 2025"),
        "{}",
        f.details
    );

    // Issued while the service was still granted (its history says so): trusted.
    let early = withdrawn.qwac(3, &spec, (2024, 6, 1), (2028, 1, 1));
    let org = super::with_certificate(&app, &org, &early.cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
}

#[tokio::test]
async fn a_bad_list_imports_nothing_and_a_re_import_replaces_only_its_own_list() {
    let app = spawn_app().await;
    let a = Qtsp::start("CA A").await;
    let b = Qtsp::start("CA B").await;
    let svc = |name, cert| Svc {
        name,
        cert,
        status: GRANTED,
        from: "2019-01-01T00:00:00Z",
        history: &[],
        purpose: FOR_WEB,
    };
    let xt = write(
        &app,
        "xt.xml",
        &tsl("XT", &[svc("A1", &a.ca_der), svc("B1", &b.ca_der)]),
    );
    assert!(app.cli(&["trust", "import", &xt]).status.success());
    assert_eq!(services(&app).await, vec!["XT:A1", "XT:B1"]);

    let xu = write(&app, "xu.xml", &tsl("XU", &[svc("U1", &a.ca_der)]));
    let broken = write(
        &app,
        "broken.xml",
        &tsl("XV", &[svc("V1", &b.ca_der)]).replace("</TSPServices>", ""),
    );
    let out = app.cli(&["trust", "import", &xu, &broken]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("broken.xml"), "{stderr}");
    assert!(stderr.contains("Nothing was imported"), "{stderr}");
    assert_eq!(
        services(&app).await,
        vec!["XT:A1", "XT:B1"],
        "all or nothing"
    );

    let not_a_list = write(&app, "other.xml", "<html><body>hello</body></html>");
    let out = app.cli(&["trust", "import", &not_a_list]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a trusted list"));

    let lotl = write(
        &app,
        "lotl.xml",
        "<TrustServiceStatusList xmlns=\"http://uri.etsi.org/02231/v2#\"><SchemeInformation>\
         <TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists</TSLType>\
         <SchemeTerritory>EU</SchemeTerritory><PointersToOtherTSL><OtherTSLPointer>\
         <TSLLocation>https://tl.example/xt.xml</TSLLocation></OtherTSLPointer></PointersToOtherTSL>\
         </SchemeInformation></TrustServiceStatusList>",
    );
    let xt_again = write(&app, "xt2.xml", &tsl("XT", &[svc("A2", &a.ca_der)]));
    let out = app.cli(&["trust", "import", &xt_again, &xu, &lotl]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("https://tl.example/xt.xml"), "{stdout}");
    assert!(stdout.contains("not fetched"), "{stdout}");
    assert_eq!(services(&app).await, vec!["XT:A2", "XU:U1"]);
}

#[tokio::test]
async fn a_qwac_from_a_service_listed_only_for_seals_is_not_on_a_trusted_list() {
    let app = spawn_app_with(|s| s.authority.revocation = "off".into()).await;
    app.approved_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme").await;
    let seals = Qtsp::start("Seals QTSP CA").await;
    let list = tsl(
        "XS",
        &[Svc {
            name: "QSealC service",
            cert: &seals.ca_der,
            status: GRANTED,
            from: "2019-01-01T00:00:00Z",
            history: &[],
            purpose: FOR_SEALS,
        }],
    );
    let file = write(&app, "xs.xml", &list);
    // In-process import: this node's copy is dropped at once.
    onramp::authority::trust_import::import(&app.state, &[file.into()])
        .await
        .unwrap();
    let spec = EidasSpec::qwac(&[crate::helpers::eidas::AI, crate::helpers::eidas::PI]);
    let qwac = seals.qwac(1, &spec, (2026, 1, 1), (2028, 1, 1));
    let org = super::with_certificate(&app, &org, &qwac.cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Mismatch);
    assert!(
        f.details
            .contains("not on a trusted list: the service “QSealC service”")
            && f.details.contains("is not listed for QWAC"),
        "{}",
        f.details
    );
}
