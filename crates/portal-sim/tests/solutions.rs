//! PACCAR Solutions over real HTTP: the app's files, the gateway's sign-in, tokens, search, fault
//! logs, CORS and the failures a client must survive. Chromium's side of CORS is proven in the
//! truckiq crate's `solutions_portal` test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::time::Duration;

use portal_sim::solutions::{CLIENT_ID, HOSTED_LOGIN_PATH};
use portal_sim::{Portal, Recommendation, Scenario, SimConfig, Simulator, UserSpec};
use reqwest::StatusCode;
use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, LOCATION, ORIGIN};
use serde_json::{Value, json};

const USER: &str = "fleet@example.com";
const PASSWORD: &str = "Diesel-2026!";

async fn sim(vehicles: usize) -> Simulator {
    let sim = Simulator::start(SimConfig { vehicles, seed: 11, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::PaccarSolutions, USER, PASSWORD)).unwrap();
    sim
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

struct Answer {
    status: StatusCode,
    body: Value,
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let text = response.text().await.unwrap();
    Answer { status, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

async fn login(sim: &Simulator, username: &str, password: &str) -> Answer {
    let url = format!("{}/userLogin", sim.solutions().gateway);
    answer(
        client()
            .post(url)
            .json(&json!({"username": username, "password": password, "clientId": CLIENT_ID}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn token(sim: &Simulator) -> String {
    let signed_in = login(sim, USER, PASSWORD).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    signed_in.body["encodedToken"].as_str().unwrap().to_owned()
}

async fn call(sim: &Simulator, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
    let mut request = client()
        .request(method, format!("{}{path}", sim.solutions().gateway))
        .header("X-Auth-Token", token)
        .header("X-OEM", "paccar")
        .header("Accept", "application/json, text/plain, */*");
    if let Some(body) = body {
        request = request.json(&body);
    }
    answer(request.send().await.unwrap()).await
}

async fn search(sim: &Simulator, token: &str, body: Value) -> Answer {
    call(sim, token, reqwest::Method::POST, "/v2vehicles", Some(body)).await
}

#[tokio::test]
async fn three_origins_and_the_app_is_a_single_page_with_its_gateway_filled_in() {
    let sim = sim(5).await;
    let origins = sim.solutions();
    let distinct: HashSet<_> = [&origins.app, &origins.gateway, &origins.hosted_login].into_iter().collect();
    assert_eq!(distinct.len(), 3, "{origins:?}");
    assert_eq!(sim.portal_url(Portal::PaccarSolutions), origins.app);
    let index = client().get(format!("{}/", origins.app)).send().await.unwrap().text().await.unwrap();
    assert!(index.contains(&format!(r#""gateway":"{}""#, origins.gateway)), "{index}");
    assert!(index.contains(r#"<script src="/app.js""#));
    let script = client().get(format!("{}/app.js", origins.app)).send().await.unwrap().text().await.unwrap();
    assert!(script.contains("pnet.portal.encodedToken") && script.contains("#/nav/dashboard"));
    let control: Value =
        client().get(format!("{}/__sim/solutions", sim.base_url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(control["gateway"], origins.gateway.as_str());
}

#[tokio::test]
async fn sign_in_gives_a_token_and_wrong_passwords_lock_the_account() {
    let sim = Simulator::start(SimConfig { vehicles: 3, ..SimConfig::default() }).await.unwrap();
    let spec = UserSpec { lockout_after: 3, ..UserSpec::new(Portal::PaccarSolutions, USER, PASSWORD) };
    sim.state().add_user(spec).unwrap();

    let ok = login(&sim, USER, PASSWORD).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.body["encodedToken"].as_str().unwrap().len() > 20);
    assert_eq!(ok.body["idToken"]["uid"], USER);

    let wrong = login(&sim, USER, "nope").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["message"], "The username or password you entered is not correct. Please try again.");
    login(&sim, USER, "nope").await;
    let third = login(&sim, USER, "nope").await;
    assert_eq!(third.status, StatusCode::FORBIDDEN);
    assert_eq!(third.body["message"], "Your account is locked. Please contact the administrator.");
    let right_but_locked = login(&sim, USER, PASSWORD).await;
    assert_eq!(right_but_locked.status, StatusCode::FORBIDDEN, "a locked account stays locked");
    let user = sim.state().user(Portal::PaccarSolutions, USER).unwrap();
    assert_eq!((user.login_attempts, user.successful_logins, user.locked), (5, 1, true));

    let unknown_client = answer(
        client()
            .post(format!("{}/userLogin", sim.solutions().gateway))
            .json(&json!({"username": USER, "password": PASSWORD, "clientId": "Other"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(unknown_client.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn tokens_expire_refresh_once_and_die_at_the_hard_expiry() {
    let sim = sim(3).await;
    let none = search(&sim, "", json!({"pageSize": "10"})).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED, "no token, no data");

    let first = token(&sim).await;
    assert_eq!(search(&sim, &first, json!({})).await.status, StatusCode::OK);
    assert_eq!(sim.state().expire_solutions_tokens(false), 1);
    let expired = search(&sim, &first, json!({})).await;
    assert_eq!((expired.status, expired.body["message"].as_str()), (StatusCode::UNAUTHORIZED, Some("Token expired")));

    let refresh = |t: String| {
        let url = format!("{}/refreshToken", sim.solutions().gateway);
        async move {
            answer(
                client()
                    .post(url)
                    .bearer_auth(&t)
                    .header("X-Auth-Token", &t)
                    .header("X-OEM", "paccar")
                    .json(&json!({"encodedToken": t}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let renewed = refresh(first.clone()).await;
    assert_eq!(renewed.status, StatusCode::OK);
    let second = renewed.body["encodedToken"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(search(&sim, &second, json!({})).await.status, StatusCode::OK);
    assert_eq!(refresh(first).await.status, StatusCode::UNAUTHORIZED, "a refreshed token is retired");
    assert_eq!(sim.state().user(Portal::PaccarSolutions, USER).unwrap().token_refreshes, 1);

    sim.state().expire_solutions_tokens(true);
    assert_eq!(refresh(second).await.status, StatusCode::UNAUTHORIZED, "past the hard expiry only a sign-in helps");
}

#[tokio::test]
async fn a_one_second_token_lifetime_is_honoured() {
    let sim = Simulator::start(SimConfig { vehicles: 2, ..SimConfig::default() }).await.unwrap();
    let spec = UserSpec { session_ttl_secs: 1, ..UserSpec::new(Portal::PaccarSolutions, USER, PASSWORD) };
    sim.state().add_user(spec).unwrap();
    let t = token(&sim).await;
    assert_eq!(search(&sim, &t, json!({})).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(search(&sim, &t, json!({})).await.body["message"], "Token expired");
}

#[tokio::test]
async fn search_pages_sorts_filters_and_excludes_over_the_fleet() {
    let sim = sim(120).await;
    let t = token(&sim).await;
    let truth = sim.state().fleet_snapshot();
    let mut vins = Vec::new();
    for page in 0.. {
        let body =
            json!({"page": page.to_string(), "pageSize": "50", "version": 2, "sort": ["vin"], "exclude": ["health.*"]});
        let hits = search(&sim, &t, body).await;
        assert_eq!(hits.status, StatusCode::OK);
        assert_eq!(hits.body["responseDescription"]["totalHits"], 120);
        let data = hits.body["data"].as_array().unwrap();
        if data.is_empty() {
            break;
        }
        assert_eq!(data[0]["health"], json!({}), "health.* excluded");
        vins.extend(data.iter().map(|v| v["vin"].as_str().unwrap().to_owned()));
    }
    let mut expected: Vec<String> = truth.vehicles.iter().map(|v| v.vin.clone()).collect();
    expected.sort();
    assert_eq!(vins, expected, "every truck once, in VIN order");

    let descending = search(&sim, &t, json!({"pageSize": "1", "sort": ["-vin"]})).await;
    assert_eq!(descending.body["data"][0]["vin"], expected.last().unwrap().as_str());

    for action in Recommendation::ALL {
        let hits = search(
            &sim,
            &t,
            json!({"pageSize": "100", "recommendation.faultGuidance.RecommendedAction": action.code()}),
        )
        .await;
        let want = truth.vehicles.iter().filter(|v| v.recommendation() == action).count();
        assert_eq!(hits.body["responseDescription"]["totalHits"], want, "{action:?}");
    }
    let statuses: HashSet<_> = truth.vehicles.iter().map(|v| v.recommendation()).collect();
    assert!(statuses.contains(&Recommendation::NotCommunicating) || statuses.contains(&Recommendation::InRepair));

    let bad = search(&sim, &t, json!({"pageSize": "0"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["message"].as_str().unwrap().contains("pageSize"));
}

#[tokio::test]
async fn a_vehicle_and_its_fault_log_match_the_ground_truth() {
    let sim = sim(60).await;
    let t = token(&sim).await;
    let truth = sim.state().fleet_snapshot();
    let truck = truth.vehicles.iter().max_by_key(|v| v.faults.len()).unwrap();
    let doc = call(&sim, &t, reqwest::Method::GET, &format!("/v2vehicles/{}", truck.vin), None).await;
    assert_eq!(doc.body["basicInfo"]["unitNumber"], truck.unit_number.as_str());
    assert_eq!(doc.body["chassisInfo"]["make"], truck.make);
    assert_eq!(doc.body["chassisDetailInfo"]["model"], truck.model);
    assert_eq!(doc.body["recommendation"]["faultGuidance"]["RecommendedAction"], truck.recommendation().code());
    let dsn = doc.body["deviceInfo"]["pmgInfo"]["pmgDsn"].as_u64().unwrap();
    assert!((7_100_000..8_000_000).contains(&dsn) || (20_000_000..30_000_000).contains(&dsn), "{dsn}");
    assert_eq!(doc.body["timestamp"], truck.changed_at.timestamp_millis());

    let log = call(&sim, &t, reqwest::Method::GET, &format!("/v2vehicles/{}/faults", truck.vin), None).await;
    let listed = log.body["data"].as_array().unwrap();
    assert_eq!(listed.len(), truck.faults.len());
    assert_eq!(log.body["responseDescription"]["totalHits"], truck.faults.len());
    for fault in &truck.faults {
        let entry = listed
            .iter()
            .find(|e| {
                e["faultHeader"]["suspectParameterNumber"] == fault.spn
                    && e["faultHeader"]["failureModeIdentifier"] == fault.fmi
            })
            .unwrap();
        assert_eq!(entry["status"], if fault.active { "ACTIVE" } else { "INACTIVE" });
        assert_eq!(entry["faultGuidance"]["RecommendedAction"], fault.recommendation.code());
        assert_eq!(entry["faultGuidance"]["description"], fault.description);
    }
    let unknown = call(&sim, &t, reqwest::Method::GET, "/v2vehicles/1XKYD49X0NJ000000", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn cors_answers_the_apps_origin_only_and_serves_callers_without_an_origin() {
    let sim = sim(3).await;
    let gateway = format!("{}/v2vehicles", sim.solutions().gateway);
    let preflight = |origin: &str| {
        client()
            .request(reqwest::Method::OPTIONS, &gateway)
            .header(ORIGIN, origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type,x-auth-token,x-oem")
            .send()
    };
    let allowed = preflight(&sim.solutions().app).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], sim.solutions().app.as_str());
    assert!(allowed.headers()["access-control-allow-headers"].to_str().unwrap().contains("X-Auth-Token"));
    let foreign = preflight("http://127.0.0.1:1").await.unwrap();
    assert!(foreign.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let t = token(&sim).await;
    let from = |origin: Option<&str>| {
        let mut request = client().post(&gateway).header("X-Auth-Token", &t).json(&json!({}));
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        request.send()
    };
    let app = from(Some(&sim.solutions().app)).await.unwrap();
    assert_eq!(app.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], sim.solutions().app.as_str());
    let other = from(Some(&sim.base_url())).await.unwrap();
    assert!(other.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "a browser would refuse this answer");
    let script = from(None).await.unwrap();
    assert_eq!(script.status(), StatusCode::OK, "no Origin: not a browser, served normally");
    assert!(script.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let log = sim.state().requests(0);
    let options = log.iter().filter(|e| e.method == "OPTIONS").count();
    assert_eq!(options, 2, "preflights are logged");
    assert!(log.iter().any(|e| e.origin.as_deref() == Some(sim.solutions().app.as_str())));
    let gateway_host = sim.solutions().gateway.trim_start_matches("http://");
    assert!(log.iter().all(|e| e.host == gateway_host), "every call went to the gateway's own port");
}

#[tokio::test]
async fn failures_drift_storms_and_not_found() {
    let sim = sim(10).await;
    let t = token(&sim).await;
    let vin = sim.state().fleet_snapshot().vehicles[0].vin.clone();

    sim.state().set_scenario(Scenario { json_drift: true, ..Scenario::default() }).unwrap();
    let drifted = call(&sim, &t, reqwest::Method::GET, &format!("/v2vehicles/{vin}"), None).await;
    assert!(drifted.body["chassisInfo"].get("make").is_none());
    assert!(drifted.body["chassis"]["make"].is_string());
    let truck = sim.state().fleet_snapshot().vehicles.into_iter().find(|v| !v.faults.is_empty()).unwrap();
    let log = call(&sim, &t, reqwest::Method::GET, &format!("/v2vehicles/{}/faults", truck.vin), None).await;
    assert!(log.body["data"][0]["faultHeader"]["spn"].is_number());
    assert!(log.body["data"][0]["faultHeader"].get("suspectParameterNumber").is_none());

    sim.state().set_scenario(Scenario { unauthorized_storm: 2, ..Scenario::default() }).unwrap();
    assert_eq!(search(&sim, &t, json!({})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(search(&sim, &t, json!({})).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(search(&sim, &t, json!({})).await.status, StatusCode::OK, "the storm passes");

    sim.state().set_scenario(Scenario { gateway_not_found: true, ..Scenario::default() }).unwrap();
    assert_eq!(search(&sim, &t, json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(login(&sim, USER, PASSWORD).await.status, StatusCode::OK, "sign-in still answers");

    let failing = Scenario { error_rate: 1.0, fail_paths: Some("/faults".into()), ..Scenario::default() };
    sim.state().set_scenario(failing).unwrap();
    let broken = call(&sim, &t, reqwest::Method::GET, &format!("/v2vehicles/{vin}/faults"), None).await;
    assert_eq!(broken.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(broken.body["status"], 500, "the gateway's JSON, not an HTML page");
    assert_eq!(search(&sim, &t, json!({})).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_hosted_login_page_hands_the_app_a_code_that_works_once() {
    let sim = sim(3).await;
    sim.state().set_scenario(Scenario { hosted_login: true, ..Scenario::default() }).unwrap();
    let origins = sim.solutions().clone();
    let index = client().get(format!("{}/", origins.app)).send().await.unwrap().text().await.unwrap();
    assert!(index.contains(&format!("{}{HOSTED_LOGIN_PATH}", origins.hosted_login)));
    assert_eq!(login(&sim, USER, PASSWORD).await.status, StatusCode::BAD_REQUEST, "passwords go to the hosted page");

    let page = format!("{}{HOSTED_LOGIN_PATH}", origins.hosted_login);
    let back = format!("{}/", origins.app);
    let form = client().get(&page).query(&[("redirect_uri", back.as_str()), ("state", "s1")]).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains(r#"name="username""#));
    let elsewhere = client().get(&page).query(&[("redirect_uri", "http://127.0.0.1:1/"), ("state", "s")]).send();
    assert_eq!(elsewhere.await.unwrap().status(), StatusCode::BAD_REQUEST, "codes go to the app only");

    let submit = |password: &'static str| {
        client()
            .post(&page)
            .form(&[("username", USER), ("password", password), ("redirect_uri", back.as_str()), ("state", "s1")])
            .send()
    };
    let wrong = submit("nope").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("Wrong email or password."));
    let ok = submit(PASSWORD).await.unwrap();
    assert_eq!(ok.status(), StatusCode::FOUND);
    let location = ok.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{back}#/auth/callback?code=")) && location.ends_with("&state=s1"),
        "{location}"
    );
    let code = location.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let trade = || {
        client()
            .post(format!("{}/userLogin", origins.gateway))
            .json(&json!({"authorizationCode": code, "clientId": CLIENT_ID}))
            .send()
    };
    let traded = answer(trade().await.unwrap()).await;
    assert_eq!(traded.status, StatusCode::OK);
    assert!(traded.body["encodedToken"].is_string());
    assert_eq!(trade().await.unwrap().status(), StatusCode::UNAUTHORIZED, "a code works once");
}
