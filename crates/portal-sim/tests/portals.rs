//! Both browser portals over real HTTP, as a browser sees them: cookies, 302s, forms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use portal_sim::{Mfa, Portal, RateLimit, Scenario, SimConfig, Simulator, UserSpec};
use reqwest::StatusCode;
use support::Browser;

mod support;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn user(portal: Portal, name: &str) -> UserSpec {
    UserSpec::new(portal, name, "correct horse")
}

async fn sim(vehicles: usize) -> Simulator {
    Simulator::start(SimConfig { vehicles, seed: 11, ..SimConfig::default() }).await.unwrap()
}

fn current_totp(offset_secs: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(SECRET).unwrap();
    let totp = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now.saturating_add_signed(offset_secs)).to_string()
}

#[tokio::test]
async fn data_pages_redirect_to_login_without_a_session() {
    let sim = sim(5).await;
    let browser = Browser::new(&sim);
    for path in ["/paccar/vehicles", "/paccar/dashboard", "/decisiv/assets", "/decisiv/assets/X/diagnostics"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::FOUND, "{path}");
        assert!(page.location.unwrap().ends_with("/login"), "{path}");
    }
}

#[tokio::test]
async fn plain_paccar_sign_in_sets_an_httponly_cookie_and_opens_the_dashboard() {
    let sim = sim(5).await;
    sim.state().add_user(user(Portal::Paccar, "ops@fleet.example")).unwrap();
    let browser = Browser::new(&sim);
    let login = browser.get("/paccar/login").await;
    assert!(login.body.contains(r#"name="email""#) && login.body.contains(r#"type="password""#));

    let signed_in =
        browser.post("/paccar/login", &[("email", "OPS@fleet.example"), ("password", "correct horse")]).await;
    assert_eq!(signed_in.status, StatusCode::FOUND);
    assert_eq!(signed_in.location.as_deref(), Some("/paccar/dashboard"));
    let cookie = signed_in.set_cookie.iter().find(|c| c.starts_with("_trucktech_session=")).unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Path=/paccar"), "{cookie}");

    let dashboard = browser.get("/paccar/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.body.contains("Welcome, ops@fleet.example"));
    // The session is scoped to its portal.
    assert_eq!(browser.get("/decisiv/dashboard").await.status, StatusCode::FOUND);
    assert_eq!(sim.state().user(Portal::Paccar, "ops@fleet.example").unwrap().login_attempts, 1);
}

#[tokio::test]
async fn with_tls_the_portal_speaks_http2_under_its_own_certificate() {
    let sim = Simulator::start(SimConfig { vehicles: 5, tls: true, ..SimConfig::default() }).await.unwrap();
    assert!(sim.base_url().starts_with("https://127.0.0.1:"));
    let spki = sim.certificate().unwrap().spki_sha256();
    assert_eq!(spki.len(), 44, "base64 of a SHA-256: {spki}");
    sim.state().add_user(user(Portal::Paccar, "tls@fleet.example")).unwrap();
    let browser = Browser::new(&sim);
    let response = browser.client.get(format!("{}/paccar/login", browser.base)).send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2, "ALPN must pick h2");
    let signed_in =
        browser.post("/paccar/login", &[("email", "tls@fleet.example"), ("password", "correct horse")]).await;
    assert_eq!(signed_in.location.as_deref(), Some("/paccar/dashboard"));
    assert!(browser.get("/paccar/vehicles").await.body.contains("vehicle-row"));

    // A client that does not trust the simulator's key is refused.
    let stranger = reqwest::Client::builder().use_rustls_tls().tls_built_in_root_certs(false).build().unwrap();
    assert!(stranger.get(format!("{}/paccar/login", sim.base_url())).send().await.is_err());
    sim.stop().await.unwrap();
}

#[tokio::test]
async fn decisiv_first_login_asks_for_policies_once() {
    let sim = sim(5).await;
    sim.state().add_user(UserSpec { policies_pending: true, ..user(Portal::Decisiv, "fleetops") }).unwrap();
    let browser = Browser::new(&sim);
    assert!(browser.get("/decisiv/login").await.body.contains(r#"id="auth_key""#));
    let login = browser.post("/decisiv/login", &[("auth_key", "fleetops"), ("password", "correct horse")]).await;
    assert_eq!(login.location.as_deref(), Some("/decisiv/policies"));
    assert_eq!(browser.get("/decisiv/assets").await.location.as_deref(), Some("/decisiv/policies"), "not yet");
    assert!(browser.get("/decisiv/policies").await.body.contains("Policies &amp; Agreements"));
    let accepted = browser.post("/decisiv/policies", &[("accept", "1")]).await;
    assert_eq!(accepted.location.as_deref(), Some("/decisiv/dashboard"));
    assert_eq!(browser.get("/decisiv/assets").await.status, StatusCode::OK);

    let second = Browser::new(&sim);
    let again = second.post("/decisiv/login", &[("auth_key", "fleetops"), ("password", "correct horse")]).await;
    assert_eq!(again.location.as_deref(), Some("/decisiv/dashboard"), "accepted once, not asked again");
}

#[tokio::test]
async fn already_logged_in_dialog_continues_and_ends_the_other_session() {
    let sim = sim(5).await;
    sim.state().add_user(UserSpec { conflict_dialog: true, ..user(Portal::Paccar, "a@b.example") }).unwrap();
    let first = Browser::new(&sim);
    first.post("/paccar/login", &[("email", "a@b.example"), ("password", "correct horse")]).await;
    first.post("/paccar/session-conflict", &[("continue", "1")]).await;
    assert_eq!(first.get("/paccar/vehicles").await.status, StatusCode::OK);

    let second = Browser::new(&sim);
    let login = second.post("/paccar/login", &[("email", "a@b.example"), ("password", "correct horse")]).await;
    assert_eq!(login.location.as_deref(), Some("/paccar/session-conflict"));
    assert!(second.get("/paccar/session-conflict").await.body.contains("already logged in elsewhere"));
    let cont = second.post("/paccar/session-conflict", &[("continue", "1")]).await;
    assert_eq!(cont.location.as_deref(), Some("/paccar/dashboard"));
    assert_eq!(second.get("/paccar/vehicles").await.status, StatusCode::OK);
    assert_eq!(first.get("/paccar/vehicles").await.status, StatusCode::FOUND, "the other session ended");
}

#[tokio::test]
async fn totp_accepts_the_current_code_once_and_trust_device_skips_mfa_next_time() {
    let sim = sim(5).await;
    sim.state()
        .add_user(UserSpec { mfa: Mfa::Totp, totp_secret: Some(SECRET.into()), ..user(Portal::Paccar, "t@b.example") })
        .unwrap();
    let browser = Browser::new(&sim);
    let login = browser.post("/paccar/login", &[("email", "t@b.example"), ("password", "correct horse")]).await;
    assert_eq!(login.location.as_deref(), Some("/paccar/mfa"));
    let form = browser.get("/paccar/mfa").await.body;
    assert!(form.contains(r#"name="code""#) && form.contains("Trust this device"));

    let wrong = browser.post("/paccar/mfa", &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let code = current_totp(0);
    let ok = browser.post("/paccar/mfa", &[("code", &code), ("trust_device", "1")]).await;
    assert_eq!(ok.location.as_deref(), Some("/paccar/dashboard"));
    assert!(ok.set_cookie.iter().any(|c| c.starts_with("_trucktech_trusted_device=") && c.contains("Max-Age")));

    // Replay: a fresh browser (no trust cookie) submitting the same code is refused.
    let other = Browser::new(&sim);
    other.post("/paccar/login", &[("email", "t@b.example"), ("password", "correct horse")]).await;
    assert_eq!(other.post("/paccar/mfa", &[("code", &code)]).await.status, StatusCode::UNAUTHORIZED);

    // The trusted browser signs in again without MFA.
    browser.get("/paccar/logout").await;
    let again = browser.post("/paccar/login", &[("email", "t@b.example"), ("password", "correct horse")]).await;
    assert_eq!(again.location.as_deref(), Some("/paccar/dashboard"));
    assert_eq!(sim.state().user(Portal::Paccar, "t@b.example").unwrap().mfa_prompts, 2);
}

#[tokio::test]
async fn sms_code_is_readable_only_through_the_admin_api() {
    let sim = sim(5).await;
    sim.state().add_user(UserSpec { mfa: Mfa::Sms, ..user(Portal::Paccar, "s@b.example") }).unwrap();
    let browser = Browser::new(&sim);
    browser.post("/paccar/login", &[("email", "s@b.example"), ("password", "correct horse")]).await;
    let prompt = browser.get("/paccar/mfa").await.body;
    assert!(prompt.contains("text message"));
    let admin: serde_json::Value = reqwest::get(format!("{}/__sim/users/paccar/s@b.example/mfa-code", sim.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = admin["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    assert!(!prompt.contains(&code), "the page never shows the code");
    let ok = browser.post("/paccar/mfa", &[("code", &code)]).await;
    assert_eq!(ok.location.as_deref(), Some("/paccar/dashboard"));
}

#[tokio::test]
async fn wrong_passwords_lock_the_account_with_the_portals_message() {
    let sim = sim(5).await;
    sim.state().add_user(UserSpec { lockout_after: 3, ..user(Portal::Decisiv, "lock") }).unwrap();
    let browser = Browser::new(&sim);
    for _ in 0..2 {
        let page = browser.post("/decisiv/login", &[("auth_key", "lock"), ("password", "nope")]).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("Invalid username or password."));
    }
    let third = browser.post("/decisiv/login", &[("auth_key", "lock"), ("password", "nope")]).await;
    assert!(third.body.contains("locked"), "{}", third.body);
    let right = browser.post("/decisiv/login", &[("auth_key", "lock"), ("password", "correct horse")]).await;
    assert!(right.body.contains("locked"), "a locked account stays locked");
    let state = sim.state().user(Portal::Decisiv, "lock").unwrap();
    assert_eq!((state.login_attempts, state.locked), (4, true));
}

#[tokio::test]
async fn sessions_expire_after_their_ttl_and_mid_run() {
    let sim = sim(5).await;
    sim.state().add_user(UserSpec { session_ttl_secs: 1, ..user(Portal::Paccar, "e@b.example") }).unwrap();
    let browser = Browser::new(&sim);
    browser.post("/paccar/login", &[("email", "e@b.example"), ("password", "correct horse")]).await;
    assert_eq!(browser.get("/paccar/vehicles").await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = browser.get("/paccar/vehicles").await;
    assert_eq!(expired.location.as_deref(), Some("/paccar/login?expired=1"));
    assert!(browser.get("/paccar/login?expired=1").await.body.contains("session has expired"));

    sim.state().add_user(user(Portal::Paccar, "m@b.example")).unwrap();
    sim.state().set_scenario(Scenario { expire_session_after_requests: Some(2), ..Scenario::default() }).unwrap();
    let browser = Browser::new(&sim);
    browser.post("/paccar/login", &[("email", "m@b.example"), ("password", "correct horse")]).await;
    assert_eq!(browser.get("/paccar/vehicles").await.status, StatusCode::OK);
    assert_eq!(browser.get("/paccar/vehicles?page=1").await.status, StatusCode::OK);
    assert_eq!(browser.get("/paccar/vehicles").await.status, StatusCode::FOUND, "third view: expired mid-run");
}

async fn signed_in(sim: &Simulator, portal: Portal) -> Browser {
    let (name, field, prefix) =
        if portal == Portal::Paccar { ("p@b.example", "email", "/paccar") } else { ("d", "auth_key", "/decisiv") };
    sim.state().add_user(user(portal, name)).unwrap();
    let browser = Browser::new(sim);
    let path = format!("{prefix}/login");
    browser.post(&path, &[(field, name), ("password", "correct horse")]).await;
    browser
}

#[tokio::test]
async fn vehicle_lists_paginate_with_next_until_the_last_page() {
    let sim = sim(60).await;
    let truth = sim.state().fleet_snapshot();
    let browser = signed_in(&sim, Portal::Paccar).await;
    let mut path = "/paccar/vehicles".to_owned();
    let mut vins = Vec::new();
    loop {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        let doc = scraper::Html::parse_document(&page.body);
        let rows = scraper::Selector::parse(".vehicle-row [data-field=vin]").unwrap();
        vins.extend(doc.select(&rows).map(|e| e.text().collect::<String>()));
        let next = scraper::Selector::parse(r#"a[aria-label="Next"]"#).unwrap();
        match doc.select(&next).next() {
            Some(link) => path = link.value().attr("href").unwrap().to_owned(),
            None => {
                assert!(page.body.contains("disabled"), "the last page shows a disabled Next");
                break;
            }
        }
    }
    assert_eq!(vins, truth.vehicles.iter().map(|v| v.vin.clone()).collect::<Vec<_>>(), "3 pages, every VIN once");

    let browser = signed_in(&sim, Portal::Decisiv).await;
    let first = browser.get("/decisiv/assets").await.body;
    assert!(first.contains("Page 1 of 2") && first.contains(r#"aria-label="Next""#));
}

#[tokio::test]
async fn diagnostics_pages_show_the_ground_truth_in_both_layouts() {
    let sim = sim(40).await;
    let truth = sim.state().fleet_snapshot();
    let with_faults = truth.vehicles.iter().find(|v| v.faults.len() >= 2).expect("a truck with faults");
    let clean = truth.vehicles.iter().find(|v| v.faults.is_empty()).expect("a clean truck");

    let paccar = signed_in(&sim, Portal::Paccar).await;
    let page = paccar.get(&format!("/paccar/vehicles/{}/diagnostics", with_faults.vin)).await.body;
    let doc = scraper::Html::parse_document(&page);
    let rows: Vec<_> = doc.select(&scraper::Selector::parse(".fault-list .fault-row").unwrap()).collect();
    assert_eq!(rows.len(), with_faults.faults.len());
    for (row, fault) in rows.iter().zip(&with_faults.faults) {
        let text = row.text().collect::<String>();
        assert!(
            text.contains(&format!("SPN {} / FMI {}", fault.spn, fault.fmi))
                || text.contains(&format!("SPN: {}, FMI: {}", fault.spn, fault.fmi)),
            "{text}"
        );
        assert!(text.contains(fault.urgency.text()));
        assert_eq!(row.value().classes().any(|c| c == "active"), fault.active);
    }
    let clean_page = paccar.get(&format!("/paccar/vehicles/{}/diagnostics", clean.vin)).await.body;
    assert!(clean_page.contains("no-faults"));

    let decisiv = signed_in(&sim, Portal::Decisiv).await;
    let page = decisiv.get(&format!("/decisiv/assets/{}/diagnostics", with_faults.vin)).await.body;
    let doc = scraper::Html::parse_document(&page);
    let rows: Vec<_> = doc.select(&scraper::Selector::parse(".dtc-table tr.dtc-row").unwrap()).collect();
    assert_eq!(rows.len(), with_faults.faults.len());
    assert!(
        rows[0]
            .text()
            .collect::<String>()
            .contains(&format!("SPN {} FMI {}", with_faults.faults[0].spn, with_faults.faults[0].fmi))
    );
    assert!(decisiv.get(&format!("/decisiv/assets/{}/diagnostics", clean.vin)).await.body.contains("no-faults"));
}

#[tokio::test]
async fn failure_injection_5xx_hang_latency_and_layout_drift() {
    let sim = sim(30).await;
    let browser = signed_in(&sim, Portal::Paccar).await;
    let vins: Vec<String> = sim.state().fleet_snapshot().vehicles.iter().map(|v| v.vin.clone()).collect();

    sim.state()
        .set_scenario(Scenario { error_rate: 0.5, fail_paths: Some("/diagnostics".into()), ..Scenario::default() })
        .unwrap();
    let mut failed = 0;
    for vin in &vins {
        let path = format!("/paccar/vehicles/{vin}/diagnostics");
        let status = browser.get(&path).await.status;
        assert_eq!(browser.get(&path).await.status, status, "a broken page stays broken");
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            failed += 1;
        }
    }
    assert!((5..25).contains(&failed), "{failed} of 30 failed at rate 0.5");
    assert_eq!(browser.get("/paccar/vehicles").await.status, StatusCode::OK, "other pages unaffected");

    sim.state().set_scenario(Scenario { latency_ms: 150, ..Scenario::default() }).unwrap();
    let started = std::time::Instant::now();
    browser.get("/paccar/vehicles").await;
    assert!(started.elapsed() >= Duration::from_millis(150));

    sim.state()
        .set_scenario(Scenario { hang_rate: 1.0, fail_paths: Some("/vehicles".into()), ..Scenario::default() })
        .unwrap();
    let hung = tokio::time::timeout(
        Duration::from_millis(500),
        browser.client.get(format!("{}/paccar/vehicles", sim.base_url())).send(),
    )
    .await;
    assert!(hung.is_err(), "a hung page does not answer");

    sim.state().set_scenario(Scenario { layout_drift: true, ..Scenario::default() }).unwrap();
    let drifted = browser.get("/paccar/vehicles").await.body;
    assert!(!drifted.contains("vehicle-row") && drifted.contains("fleet-item") && drifted.contains("data-col"));
    sim.stop().await.unwrap();
}

#[tokio::test]
async fn rate_limit_answers_429_with_and_without_retry_after() {
    let sim = sim(5).await;
    let browser = signed_in(&sim, Portal::Decisiv).await;
    for retry_after in [true, false] {
        sim.state()
            .set_scenario(Scenario {
                rate_limit: Some(RateLimit { max_requests: 2, window_secs: 30, retry_after }),
                ..Scenario::default()
            })
            .unwrap();
        assert_eq!(browser.get("/decisiv/assets").await.status, StatusCode::OK);
        assert_eq!(browser.get("/decisiv/assets").await.status, StatusCode::OK);
        let limited = browser.get("/decisiv/assets").await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        match retry_after {
            true => assert!(limited.retry_after.unwrap().parse::<u64>().unwrap() <= 30),
            false => assert_eq!(limited.retry_after, None),
        }
    }
}

#[tokio::test]
async fn malformed_and_missing_rows_appear_at_the_configured_rate() {
    let sim = sim(200).await;
    let browser = signed_in(&sim, Portal::Paccar).await;
    sim.state().set_scenario(Scenario { malformed_rate: 0.2, missing_rate: 0.2, ..Scenario::default() }).unwrap();
    let body = browser.get("/paccar/vehicles").await.body;
    let doc = scraper::Html::parse_document(&body);
    let vins: Vec<String> =
        doc.select(&scraper::Selector::parse("[data-field=vin]").unwrap()).map(|e| e.text().collect()).collect();
    assert!(vins.iter().any(|v| v.len() != 17), "some VINs are garbled");
    let empty_units = doc
        .select(&scraper::Selector::parse("[data-field=unit]").unwrap())
        .filter(|e| e.text().collect::<String>().is_empty())
        .count();
    assert!(empty_units > 0, "some cells are missing");
}

#[tokio::test]
async fn the_request_log_records_pages_with_status_and_user() {
    let sim = sim(5).await;
    let browser = signed_in(&sim, Portal::Paccar).await;
    browser.get("/paccar/vehicles").await;
    reqwest::get(format!("{}/__sim/fleet", sim.base_url())).await.unwrap();
    let log: serde_json::Value =
        reqwest::get(format!("{}/__sim/requests", sim.base_url())).await.unwrap().json().await.unwrap();
    let entries = log.as_array().unwrap();
    let paths: Vec<&str> = entries.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/paccar/login", "/paccar/vehicles"], "admin calls are not logged");
    assert_eq!(entries[1]["user"], "p@b.example");
    assert_eq!(entries[1]["status"], 200);
}

#[tokio::test]
async fn tick_over_http_advances_the_clock_and_the_same_seed_serves_the_same_fleet() {
    let start = Some(chrono::DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z").unwrap().to_utc());
    let a =
        Simulator::start(SimConfig { vehicles: 30, seed: 5, start_time: start, ..SimConfig::default() }).await.unwrap();
    let b =
        Simulator::start(SimConfig { vehicles: 30, seed: 5, start_time: start, ..SimConfig::default() }).await.unwrap();
    let fleet = |sim: &Simulator| {
        sim.state()
            .fleet_snapshot()
            .vehicles
            .iter()
            .map(|v| (v.vin.clone(), v.odometer_mi, v.faults.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(fleet(&a), fleet(&b));
    let client = reqwest::Client::new();
    let tick: serde_json::Value = client
        .post(format!("{}/__sim/tick", a.base_url()))
        .json(&serde_json::json!({"minutes": 120}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tick["ticks"], 1);
    let after = a.state().fleet_snapshot();
    let before = b.state().fleet_snapshot();
    assert_eq!(after.now - before.now, chrono::Duration::minutes(120));
    assert!(after.vehicles.iter().zip(&before.vehicles).all(|(n, o)| n.odometer_mi >= o.odometer_mi));
}
