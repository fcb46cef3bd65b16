//! The Decisiv SRM API stand-in over real HTTP: OAuth2 (PKCE, password, refresh), bearer checks,
//! provisioning, paging and filtering against the fleet's ground truth, and every response
//! validated against the response schema of its operation in the published OpenAPI documents
//! (`shared/reference/decisiv/`, read in place, never copied).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use portal_sim::api::{ApiClientSpec, ApiUserSpec, Module};
use portal_sim::{RateLimit, Scenario, SimConfig, Simulator};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/decisiv/");
const DOCUMENTS: [&str; 3] = [
    "decisiv-account-management-openapi.json",
    "decisiv-asset-management-openapi.json",
    "decisiv-telematics-openapi.json",
];
const CLIENT_ID: &str = "truckiq-desktop";
const REDIRECT_URI: &str = "http://127.0.0.1:53682/callback";
const USER: &str = "fleet.api@example.com";
const PASSWORD: &str = "s3cret-api-pass";

// -------------------------------------------------------------------------------------------
// The published OpenAPI documents and validation against them

struct Spec {
    /// (file name, document with OpenAPI 3.0 `nullable` turned into JSON Schema type unions)
    docs: Vec<(&'static str, Value)>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        assert!(
            Path::new(REFERENCE).is_dir(),
            "the published Decisiv API description is missing: expected the folder {REFERENCE} \
             (shared/reference/decisiv/ next to the repository). These tests validate every API response \
             against it and cannot run without it."
        );
        let docs = DOCUMENTS
            .iter()
            .map(|name| {
                let path = format!("{REFERENCE}{name}");
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
                let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
                (*name, nullable_to_type_union(doc))
            })
            .collect();
        Spec { docs }
    })
}

/// OpenAPI 3.0 marks optional nulls with `nullable: true`, which JSON Schema does not know; 3.1
/// (what Decisiv publishes today) writes `type: [X, "null"]`. Converting keeps the validation
/// right if a document goes back to 3.0 style.
fn nullable_to_type_union(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(nullable_to_type_union).collect()),
        Value::Object(map) => {
            let mut map: serde_json::Map<String, Value> =
                map.into_iter().map(|(k, v)| (k, nullable_to_type_union(v))).collect();
            if map.remove("nullable") != Some(Value::Bool(true)) {
                return Value::Object(map);
            }
            if let Some(Value::Array(options)) = map.get_mut("enum")
                && !options.contains(&Value::Null)
            {
                options.push(Value::Null);
            }
            match map.get_mut("type") {
                Some(Value::String(t)) => {
                    let t = t.clone();
                    map.insert("type".into(), json!([t, "null"]));
                    Value::Object(map)
                }
                Some(Value::Array(types)) => {
                    if !types.contains(&json!("null")) {
                        types.push(json!("null"));
                    }
                    Value::Object(map)
                }
                // `$ref`/`allOf` with nullable: null or whatever the rest allows.
                _ => json!({ "anyOf": [Value::Object(map), { "type": "null" }] }),
            }
        }
        other => other,
    }
}

/// The document and path template serving `path` (without `/srm-api` and query).
fn operation_for(path: &str) -> Option<(&'static str, &'static Value, String)> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut best: Option<(&'static str, &'static Value, String, usize)> = None;
    for (name, doc) in &spec().docs {
        for template in doc["paths"].as_object().into_iter().flat_map(|p| p.keys()) {
            let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let fits = parts.iter().zip(&segments).all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s);
            let literal = parts.iter().filter(|p| !p.starts_with('{')).count();
            if fits && best.as_ref().is_none_or(|b| literal > b.3) {
                best = Some((name, doc, template.clone(), literal));
            }
        }
    }
    best.map(|(name, doc, template, _)| (name, doc, template))
}

/// A JSON Schema for one response: the operation's schema with the document's components beside
/// it, so `#/components/...` references resolve inside the published document.
fn response_schema(doc: &Value, template: &str, method: &str, status: u16) -> (Value, String) {
    let operation = &doc["paths"][template][method];
    assert!(operation.is_object(), "no {method} {template} in the published document");
    let declared = &operation["responses"][status.to_string()];
    let (schema, source) = match declared["content"]["application/vnd.api+json"]["schema"].clone() {
        Value::Null if status >= 400 => (
            // Decisiv declares e.g. 428/429/500 only on some operations; every error it publishes
            // uses the same envelope, so an undeclared error status is held to that.
            json!({ "$ref": "#/components/schemas/errors_response" }),
            format!("{status} undeclared on {method} {template}; held to #/components/schemas/errors_response"),
        ),
        Value::Null => panic!("{method} {template} declares no JSON:API schema for {status}"),
        schema => {
            let source = schema["$ref"].as_str().map_or_else(|| "inline schema".to_owned(), str::to_owned);
            (schema, format!("{status} of {method} {template} ({source})"))
        }
    };
    let mut root = serde_json::Map::new();
    root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    root.insert("components".into(), doc["components"].clone());
    if let Value::Object(schema) = schema {
        root.extend(schema);
    }
    (Value::Object(root), source)
}

/// Validates `body`; on failure, a diff-like report: what the schema wants (-) against what the
/// simulator sent (+), per failing location.
fn validate(schema: &Value, body: &Value, what: &str) -> Result<(), String> {
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("cannot compile the schema for {what}: {e}"));
    let mut report = Vec::new();
    for error in validator.iter_errors(body) {
        let at = error.instance_path().to_string();
        let actual = body.pointer(&at).cloned().unwrap_or(Value::Null);
        let mut actual = actual.to_string();
        if actual.chars().count() > 300 {
            actual = format!("{}…", actual.chars().take(300).collect::<String>());
        }
        report.push(format!(
            "  at {}\n    - schema {}: {error}\n    + sent   {actual}",
            if at.is_empty() { "/" } else { &at },
            error.schema_path()
        ));
    }
    if report.is_empty() {
        Ok(())
    } else {
        Err(format!("{what} does not match the published schema:\n{}", report.join("\n")))
    }
}

fn check_against_spec(method: &str, path: &str, status: u16, body: &Value) -> String {
    let api_path = path.strip_prefix("/srm-api").unwrap_or(path);
    let (document, doc, template) =
        operation_for(api_path).unwrap_or_else(|| panic!("{path} matches no operation in the published documents"));
    let (schema, source) = response_schema(doc, &template, method, status);
    if let Err(report) = validate(&schema, body, &format!("{document}: {source}")) {
        panic!("{report}\n\nfull body:\n{}", serde_json::to_string_pretty(body).unwrap_or_default());
    }
    template
}

#[test]
fn nullable_becomes_a_type_union() {
    let converted = nullable_to_type_union(json!({
        "properties": {
            "a": { "type": "string", "nullable": true },
            "b": { "type": "string", "enum": ["x"], "nullable": true },
            "c": { "$ref": "#/x", "nullable": true },
            "d": { "type": "integer", "nullable": false },
        }
    }));
    assert_eq!(converted["properties"]["a"], json!({ "type": ["string", "null"] }));
    assert_eq!(converted["properties"]["b"], json!({ "type": ["string", "null"], "enum": ["x", null] }));
    assert_eq!(converted["properties"]["c"], json!({ "anyOf": [{ "$ref": "#/x" }, { "type": "null" }] }));
    assert_eq!(converted["properties"]["d"], json!({ "type": "integer" }));
}

#[test]
fn a_schema_mismatch_is_reported_as_a_diff() {
    let doc = &spec().docs[2].1;
    let (schema, _) = response_schema(doc, "/telematics/{srm_account_id}/v1/faults", "get", 200);
    let body = json!({ "data": [{ "id": "not-a-uuid", "type": "faults", "attributes": {
        "triggered_at": "yesterday", "active": "yes", "severity": 250, "details": {} } }] });
    let report = validate(&schema, &body, "faults").unwrap_err();
    for expected in ["/data/0/id", "/data/0/attributes/active", "/data/0/attributes/severity", "+ sent   250"] {
        assert!(report.contains(expected), "{expected:?} missing from:\n{report}");
    }
}

// -------------------------------------------------------------------------------------------
// A client that validates everything it receives from /srm-api

struct Api {
    sim: Simulator,
    http: reqwest::Client,
    /// (path template, status) pairs validated so far.
    validated: Mutex<BTreeSet<(String, u16)>>,
    srm_account_id: String,
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Api {
    async fn start() -> Self {
        Self::start_with(SimConfig { vehicles: 60, ..SimConfig::default() }).await
    }

    async fn start_with(config: SimConfig) -> Self {
        let sim = Simulator::start(config).await.unwrap();
        sim.state()
            .api
            .add_client(ApiClientSpec {
                client_id: CLIENT_ID.into(),
                client_secret: None,
                redirect_hosts: vec!["127.0.0.1".into(), "localhost".into()],
            })
            .unwrap();
        let user = sim
            .state()
            .api
            .add_user(ApiUserSpec {
                username: USER.into(),
                password: PASSWORD.into(),
                modules: Module::ALL.to_vec(),
                account_name: Some("Southbound Trucking".into()),
            })
            .unwrap();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { sim, http, validated: Mutex::new(BTreeSet::new()), srm_account_id: user.srm_account_id }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    /// GET an API path (with query) and validate the answer against the published operation.
    async fn get(&self, path_and_query: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(self.url(path_and_query)).header("accept", "application/vnd.api+json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path_and_query}: {status} body is not JSON ({e}): {text}"));
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/vnd.api+json"),
            "{path_and_query}: media type"
        );
        let path = path_and_query.split('?').next().unwrap_or_default();
        let template = check_against_spec("get", path, status.as_u16(), &body);
        self.validated.lock().unwrap().insert((template, status.as_u16()));
        Reply { status, headers, body }
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self.http.post(self.url("/decisiv-login/oauth/token")).form(form).send().await.unwrap();
        let status = response.status();
        assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        let body: Value = response.json().await.unwrap();
        let schema = if status.is_success() { token_schema() } else { oauth_error_schema() };
        if let Err(report) = validate(&schema, &body, &format!("token endpoint {status}")) {
            panic!("{report}");
        }
        (status, body)
    }

    async fn password_token(&self) -> Value {
        let (status, body) = self
            .token_request(&[
                ("grant_type", "password"),
                ("username", USER),
                ("password", PASSWORD),
                ("client_id", CLIENT_ID),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    async fn access_token(&self) -> String {
        self.password_token().await["access_token"].as_str().unwrap().to_owned()
    }

    fn assets_path(&self) -> String {
        format!("/srm-api/asset_management/{}/v1/registered_assets", self.srm_account_id)
    }

    fn faults_path(&self) -> String {
        format!("/srm-api/telematics/{}/v1/faults", self.srm_account_id)
    }

    fn readings_path(&self) -> String {
        format!("/srm-api/telematics/{}/v1/diagnostic_readings", self.srm_account_id)
    }

    fn cases_path(&self) -> String {
        format!("/srm-api/asset_management/{}/v1/cases", self.srm_account_id)
    }

    fn summaries_path(&self) -> String {
        format!("/srm-api/asset_management/{}/v1/case_summaries", self.srm_account_id)
    }

    /// A password-grant access token for another API user.
    async fn token_for(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .token_request(&[
                ("grant_type", "password"),
                ("username", username),
                ("password", password),
                ("client_id", CLIENT_ID),
            ])
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Pages `path` (which may carry a query) until a short page; returns all items and pages.
    async fn all_pages(&self, path: &str, token: &str, size: usize) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let separator = if path.contains('?') { '&' } else { '?' };
        for number in 1.. {
            let reply =
                self.get(&format!("{path}{separator}page[number]={number}&page[size]={size}"), Some(token)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            assert!(reply.body["meta"].is_object(), "meta missing: {}", reply.body);
            let page = reply.body["data"].as_array().unwrap().clone();
            let short = page.len() < size;
            items.extend(page);
            if short {
                return (items, number);
            }
            assert!(number < 10_000, "paging never ended");
        }
        unreachable!()
    }
}

/// Not published by Decisiv (the login host is outside the OpenAPI documents): RFC 6749 §5.1 plus
/// the `created_at` Decisiv's token responses carry.
fn token_schema() -> Value {
    json!({
        "type": "object",
        "required": ["access_token", "token_type", "expires_in", "refresh_token", "created_at"],
        "properties": {
            "access_token": { "type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$" },
            "token_type": { "const": "Bearer" },
            "expires_in": { "type": "integer", "minimum": 0 },
            "refresh_token": { "type": "string", "minLength": 20 },
            "created_at": { "type": "integer" },
        },
    })
}

/// RFC 6749 §5.2.
fn oauth_error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": { "enum": ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                                "unsupported_grant_type", "invalid_scope"] },
            "error_description": { "type": "string" },
        },
    })
}

fn jwt_claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

fn error_code(body: &Value) -> &str {
    body["errors"][0]["code"].as_str().unwrap_or_default()
}

// -------------------------------------------------------------------------------------------
// PKCE through the real sign-in page

fn pkce_pair() -> (String, String) {
    use rand::Rng;
    let verifier: String = rand::rng().sample_iter(rand::distr::Alphanumeric).take(64).map(char::from).collect();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_url(api: &Api, client_id: &str, redirect_uri: &str, challenge: &str, method: &str) -> String {
    let mut url = reqwest::Url::parse(&api.url("/decisiv-login/auth/api_gateway")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", method)
        .append_pair("state", "xyz 123/+");
    url.to_string()
}

/// Loads the sign-in page, fills the form as a browser would, and returns the redirect.
async fn sign_in(api: &Api, challenge: &str, username: &str, password: &str) -> reqwest::Response {
    let page = api.http.get(authorize_url(api, CLIENT_ID, REDIRECT_URI, challenge, "S256")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = scraper::Html::parse_document(&page.text().await.unwrap());
    let form = html.select(&scraper::Selector::parse("form#api-sign-in").unwrap()).next().expect("sign-in form");
    let action = form.value().attr("action").unwrap().to_owned();
    let mut fields: Vec<(String, String)> = form
        .select(&scraper::Selector::parse("input[type=hidden]").unwrap())
        .map(|i| (i.value().attr("name").unwrap().to_owned(), i.value().attr("value").unwrap_or("").to_owned()))
        .collect();
    assert!(
        html.select(&scraper::Selector::parse("input[name=username]").unwrap()).next().is_some()
            && html.select(&scraper::Selector::parse("input[name=password][type=password]").unwrap()).next().is_some()
    );
    fields.push(("username".into(), username.into()));
    fields.push(("password".into(), password.into()));
    api.http.post(api.url(&action)).form(&fields).send().await.unwrap()
}

fn redirect_params(response: &reqwest::Response) -> BTreeMap<String, String> {
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(REDIRECT_URI), "{location}");
    reqwest::Url::parse(location).unwrap().query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

#[tokio::test]
async fn pkce_sign_in_issues_tokens_once_per_code() {
    let api = Api::start().await;
    let (verifier, challenge) = pkce_pair();

    // A wrong password shows the form again, with no redirect.
    let denied = sign_in(&api, &challenge, USER, "wrong").await;
    assert_eq!(denied.status(), StatusCode::OK);
    assert!(denied.text().await.unwrap().contains("Invalid username or password"));

    let redirect = sign_in(&api, &challenge, USER, PASSWORD).await;
    let params = redirect_params(&redirect);
    assert_eq!(params.get("state").map(String::as_str), Some("xyz 123/+"), "state comes back verbatim");
    let code = params.get("code").expect("code in the redirect").clone();

    let exchange = |verifier: String| {
        let code = code.clone();
        let api = &api;
        async move {
            api.token_request(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("code_verifier", &verifier),
                ("redirect_uri", REDIRECT_URI),
                ("client_id", CLIENT_ID),
            ])
            .await
        }
    };
    let (wrong_verifier, _) = pkce_pair();
    let (status, body) = exchange(wrong_verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));

    let (status, tokens) = exchange(verifier.clone()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 7200, "two hours by default");
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let claims = jwt_claims(&access);
    let user = api.sim.state().api.user(USER).unwrap();
    assert_eq!(claims["sub"], user.user_id.as_str());
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 7200);
    assert_eq!(api.get("/srm-api/account_management/v1/accounts", Some(&access)).await.status, StatusCode::OK);

    // The code is single-use; replaying it also revokes what it issued (RFC 6749 §4.1.2).
    let (status, body) = exchange(verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let revoked = api.get("/srm-api/account_management/v1/accounts", Some(&access)).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, _) = api
        .token_request(&[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", CLIENT_ID)])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the refresh token from a replayed code is revoked too");
}

#[tokio::test]
async fn the_authorize_endpoint_refuses_bad_clients_on_its_own_page_and_others_on_the_redirect() {
    let api = Api::start().await;
    let (_, challenge) = pkce_pair();
    for (client, redirect) in [
        ("no-such-client", REDIRECT_URI),
        (CLIENT_ID, "https://evil.example.com/callback"),
        (CLIENT_ID, "http://192.168.1.20:8080/callback"),
        (CLIENT_ID, "http://[::1]:8080/callback"), // loopback, but not registered for this client
    ] {
        let response = api.http.get(authorize_url(&api, client, redirect, &challenge, "S256")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{client} {redirect}");
        assert!(response.headers().get("location").is_none(), "never redirect to an unverified URI");
        assert!(response.text().await.unwrap().contains("oauth-error"));
    }
    // localhost with any port is fine.
    let ok = api
        .http
        .get(authorize_url(&api, CLIENT_ID, "http://localhost:1234/cb", &challenge, "S256"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let plain = api.http.get(authorize_url(&api, CLIENT_ID, REDIRECT_URI, &challenge, "plain")).send().await.unwrap();
    let params = redirect_params(&plain);
    assert_eq!(params.get("error").map(String::as_str), Some("invalid_request"));
    assert_eq!(params.get("state").map(String::as_str), Some("xyz 123/+"));
}

#[tokio::test]
async fn password_grant_refresh_and_token_request_counting() {
    let api = Api::start().await;
    let first = api.password_token().await;
    assert!(first["created_at"].as_i64().unwrap() > 1_700_000_000);

    let (status, body) = api
        .token_request(&[
            ("grant_type", "password"),
            ("username", USER),
            ("password", "nope"),
            ("client_id", CLIENT_ID),
        ])
        .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    let (status, body) = api
        .token_request(&[
            ("grant_type", "password"),
            ("username", USER),
            ("password", PASSWORD),
            ("client_id", "nobody"),
        ])
        .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let (status, body) = api.token_request(&[("grant_type", "client_credentials"), ("client_id", CLIENT_ID)]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));

    // A confidential client must present its secret.
    api.sim
        .state()
        .api
        .add_client(ApiClientSpec {
            client_id: "server-app".into(),
            client_secret: Some("app-secret".into()),
            redirect_hosts: vec![],
        })
        .unwrap();
    let grant = [("grant_type", "password"), ("username", USER), ("password", PASSWORD), ("client_id", "server-app")];
    assert_eq!(api.token_request(&grant).await.0, StatusCode::UNAUTHORIZED);
    let mut with_secret = grant.to_vec();
    with_secret.push(("client_secret", "app-secret"));
    assert_eq!(api.token_request(&with_secret).await.0, StatusCode::OK);

    // Refresh rotates: the new pair works, the old refresh token does not.
    let refresh = first["refresh_token"].as_str().unwrap();
    let form = [("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", CLIENT_ID)];
    let (status, refreshed) = api.token_request(&form).await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    assert_ne!(refreshed["access_token"], first["access_token"]);
    let reply = api.get("/srm-api/account_management/v1/accounts", refreshed["access_token"].as_str()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(api.token_request(&form).await.0, StatusCode::BAD_REQUEST);

    // Asked for USER: password ok, bad password, unknown client, confidential client without and
    // with its secret, refresh. The replayed refresh token no longer names anyone.
    assert_eq!(api.sim.state().api.token_requests(USER), Some(6));
    let over_http: Value =
        api.http.get(api.url(&format!("/__sim/api/users/{USER}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!(over_http["token_requests"], 6);
    assert_eq!(over_http["srm_account_id"], api.srm_account_id.as_str());

    // The request log says whom each API call was served for.
    let log = api.sim.state().requests(0);
    let for_user =
        |prefix: &str| log.iter().filter(|e| e.path.starts_with(prefix) && e.user.as_deref() == Some(USER)).count();
    assert_eq!(for_user("/decisiv-login/oauth/token"), 6);
    assert_eq!(for_user("/srm-api/account_management"), 1);
}

// -------------------------------------------------------------------------------------------
// Bearer checks and provisioning

#[tokio::test]
async fn missing_invalid_and_expired_tokens_get_401() {
    let api = Api::start().await;
    let paths = [
        "/srm-api/account_management/v1/accounts".to_owned(),
        api.assets_path(),
        api.faults_path(),
        api.readings_path(),
    ];
    let valid = api.access_token().await;
    let mut forged = valid.clone();
    forged.pop();
    forged.push(if valid.ends_with('A') { 'B' } else { 'A' });

    // Lifetime zero (set over HTTP, as a test in another process would) issues expired tokens.
    let put = api.http.put(api.url("/__sim/api/token-lifetime")).json(&json!({ "seconds": 0 })).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let expired = api.access_token().await;
    assert!(jwt_claims(&expired)["exp"].as_i64() <= jwt_claims(&expired)["iat"].as_i64());
    api.sim.state().api.set_token_lifetime(std::time::Duration::from_secs(7200));

    for path in &paths {
        for token in [None, Some("not-a-jwt"), Some(forged.as_str()), Some(expired.as_str())] {
            let reply = api.get(path, token).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path} with {token:?}");
            assert_eq!(error_code(&reply.body), "decisiv::access_token:001");
            assert_eq!(reply.body["errors"][0]["title"], "Access unauthorized");
        }
        assert_eq!(api.get(path, Some(&valid)).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn an_unprovisioned_module_gets_428_with_the_published_error() {
    let api = Api::start().await;
    let assets_only = api
        .sim
        .state()
        .api
        .add_user(ApiUserSpec {
            username: "assets-only".into(),
            password: "pw".into(),
            modules: vec![Module::AssetManagement],
            account_name: None,
        })
        .unwrap();
    let (_, body) = api
        .token_request(&[
            ("grant_type", "password"),
            ("username", "assets-only"),
            ("password", "pw"),
            ("client_id", CLIENT_ID),
        ])
        .await;
    let token = body["access_token"].as_str().unwrap();
    let srm = &assets_only.srm_account_id;
    let assets = api.get(&format!("/srm-api/asset_management/{srm}/v1/registered_assets"), Some(token)).await;
    assert_eq!(assets.status, StatusCode::OK);
    let telematics_only = api
        .sim
        .state()
        .api
        .add_user(ApiUserSpec {
            username: "telematics-only".into(),
            password: "pw".into(),
            modules: vec![Module::Telematics],
            account_name: None,
        })
        .unwrap();
    let telematics_token = api.token_for("telematics-only", "pw").await;
    let other_srm = &telematics_only.srm_account_id;
    let mut refused = vec![
        (format!("/srm-api/telematics/{srm}/v1/faults"), token),
        (format!("/srm-api/telematics/{srm}/v1/diagnostic_readings"), token),
        ("/srm-api/account_management/v1/accounts".to_owned(), token),
    ];
    for path in ["registered_assets", "cases", "case_summaries"] {
        refused.push((format!("/srm-api/asset_management/{other_srm}/v1/{path}"), telematics_token.as_str()));
    }
    let case_id = &api.sim.state().fleet_snapshot().cases[0].id;
    refused.push((format!("/srm-api/asset_management/{other_srm}/v1/cases/{case_id}"), telematics_token.as_str()));
    for (path, token) in refused {
        let reply = api.get(&path, Some(token)).await;
        assert_eq!(reply.status, StatusCode::PRECONDITION_REQUIRED, "{path}");
        // Verbatim from decisiv-error-codes.yml.
        assert_eq!(
            reply.body["errors"][0],
            json!({
                "status": "428",
                "code": "decisiv:access:003",
                "title": "Precondition required",
                "detail": "OAuth Application does not have appropriate provisioning to access this resource",
            })
        );
    }
}

#[tokio::test]
async fn unknown_accounts_are_not_found_and_other_users_accounts_forbidden() {
    let api = Api::start().await;
    let other = api
        .sim
        .state()
        .api
        .add_user(ApiUserSpec {
            username: "other".into(),
            password: "pw".into(),
            modules: Module::ALL.to_vec(),
            account_name: None,
        })
        .unwrap();
    let token = api.access_token().await;
    let unknown = "00000000-0000-4000-8000-000000000000";

    let reply = api.get(&format!("/srm-api/asset_management/{unknown}/v1/registered_assets"), Some(&token)).await;
    assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::NOT_FOUND, "decisiv:resource:001"));
    assert_eq!(reply.body["errors"][0]["source"]["parameter"], "srm_account_id");
    let reply = api.get(&format!("/srm-api/telematics/{unknown}/v1/faults"), Some(&token)).await;
    assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::NOT_FOUND, "404"));

    let srm = &other.srm_account_id;
    for path in [
        format!("/srm-api/asset_management/{srm}/v1/registered_assets"),
        format!("/srm-api/telematics/{srm}/v1/faults"),
        format!("/srm-api/telematics/{srm}/v1/diagnostic_readings"),
        format!("/srm-api/account_management/v1/accounts/{srm}"),
    ] {
        let reply = api.get(&path, Some(&token)).await;
        assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::FORBIDDEN, "decisiv:access:001"), "{path}");
    }

    let accounts = api.get("/srm-api/account_management/v1/accounts", Some(&token)).await;
    let data = accounts.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "one account per API user");
    assert_eq!(data[0]["id"], api.srm_account_id.as_str());
    assert_eq!(data[0]["attributes"]["name"], "Southbound Trucking");
    let keys: Vec<&str> = data[0]["attributes"]["module_subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["key"].as_str())
        .collect();
    assert_eq!(keys, ["account_management", "asset_management", "telematics"]);
    let again = api.sim.state().api.add_user(ApiUserSpec {
        username: USER.into(),
        password: PASSWORD.into(),
        modules: Module::ALL.to_vec(),
        account_name: None,
    });
    assert_eq!(again.unwrap().srm_account_id, api.srm_account_id, "srm_account_id is stable per user");
}

// -------------------------------------------------------------------------------------------
// Data against the fleet's ground truth

#[tokio::test]
async fn paging_until_a_short_page_yields_exactly_the_fleet() {
    let api = Api::start().await;
    let token = api.access_token().await;
    let fleet = api.sim.state().fleet_snapshot();
    assert_eq!(fleet.vehicles.len(), 60);

    // Default page size is 25: 25 + 25 + 10.
    let first = api.get(&api.assets_path(), Some(&token)).await;
    assert_eq!(first.body["data"].as_array().unwrap().len(), 25);
    assert!(first.body["meta"]["record-count"].is_null(), "totals are not promised");

    for size in [7, 25, 60, 100] {
        let (assets, pages) = api.all_pages(&api.assets_path(), &token, size).await;
        assert_eq!(pages, 60 / size + 1, "page size {size}: a full last page is followed by an empty one");
        let got: Vec<Value> = assets
            .iter()
            .map(|a| {
                let at = &a["attributes"];
                json!([
                    a["id"],
                    at["vin"],
                    at["unit_number"],
                    at["make"],
                    at["model"],
                    at["year"],
                    at["engine"]["make"],
                    at["engine"]["model"],
                    at["odometer_value"],
                    at["odometer_unit"],
                    at["engine_hours"]
                ])
            })
            .collect();
        let expected: Vec<Value> = fleet
            .vehicles
            .iter()
            .map(|v| {
                json!([
                    v.asset_id,
                    v.vin,
                    v.unit_number,
                    v.make,
                    v.model,
                    v.year,
                    v.engine_make,
                    v.engine_model,
                    v.odometer_mi.round() as i64,
                    "mi",
                    v.engine_hours.round() as i64
                ])
            })
            .collect();
        assert_eq!(got, expected, "page size {size}");
    }

    let vin = &fleet.vehicles[17].vin;
    let one = api.get(&format!("{}?filter[vin]={vin}", api.assets_path()), Some(&token)).await;
    assert_eq!(one.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(one.body["data"][0]["attributes"]["vin"], vin.as_str());
    let by_id = api.get(&format!("{}/{}", api.assets_path(), fleet.vehicles[17].asset_id), Some(&token)).await;
    assert_eq!(by_id.body["data"]["attributes"]["vin"], vin.as_str());

    for bad in ["page[size]=0", "page[size]=101", "page[size]=many", "page[number]=0"] {
        let reply = api.get(&format!("{}?{bad}", api.assets_path()), Some(&token)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(error_code(&reply.body), "decisiv:request_attributes:010", "{bad}");
        assert_eq!(reply.body["errors"][0]["source"]["parameter"], bad.split('=').next().unwrap());
    }
    let reply = api.get(&format!("{}?filter[color]=red", api.assets_path()), Some(&token)).await;
    assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::BAD_REQUEST, "decisiv:filters:001"));
}

/// (asset id, SPN, FMI, active, severity, severity_level, occurrences, triggered_at), sorted.
type FaultRow = (String, String, String, bool, u64, String, u64, String);

fn api_fault_rows(faults: &[Value]) -> Vec<FaultRow> {
    let mut rows: Vec<FaultRow> = faults
        .iter()
        .map(|f| {
            let at = &f["attributes"];
            (
                f["relationships"]["asset"]["data"]["id"].as_str().unwrap().to_owned(),
                at["spn"].as_str().unwrap().to_owned(),
                at["fmi"].as_str().unwrap().to_owned(),
                at["active"].as_bool().unwrap(),
                at["severity"].as_u64().unwrap(),
                at["details"]["severity_level"].as_str().unwrap().to_owned(),
                at["details"]["occurrences"].as_u64().unwrap(),
                at["triggered_at"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn fleet_fault_rows(fleet: &portal_sim::Fleet, after: Option<chrono::DateTime<chrono::Utc>>) -> Vec<FaultRow> {
    let mut rows: Vec<FaultRow> = fleet
        .vehicles
        .iter()
        .flat_map(|v| v.faults.iter().map(move |f| (v, f)))
        .filter(|(_, f)| after.is_none_or(|t| f.first_seen > t))
        .map(|(v, f)| {
            let (severity, level) = f.urgency.api_severity();
            (
                v.asset_id.clone(),
                f.spn.to_string(),
                f.fmi.to_string(),
                f.active,
                u64::from(severity),
                level.to_owned(),
                u64::from(f.occurrences),
                f.first_seen.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn faults_and_readings_match_the_ground_truth() {
    let api = Api::start().await;
    let token = api.access_token().await;
    let fleet = api.sim.state().fleet_snapshot();
    let expected = fleet_fault_rows(&fleet, None);
    assert!(expected.len() > 20, "the fleet should carry a useful number of faults");
    assert!(expected.iter().any(|r| r.3) && expected.iter().any(|r| !r.3), "active and inactive faults");

    let (faults, _) = api.all_pages(&api.faults_path(), &token, 10).await;
    assert_eq!(api_fault_rows(&faults), expected);

    // Each fault links its diagnostic reading and back.
    let (readings, _) = api.all_pages(&api.readings_path(), &token, 100).await;
    assert_eq!(readings.len(), faults.len());
    let reading_ids: BTreeSet<&str> = readings.iter().filter_map(|r| r["id"].as_str()).collect();
    for fault in &faults {
        let reading = fault["relationships"]["diagnostic_reading"]["data"]["id"].as_str().unwrap();
        assert!(reading_ids.contains(reading));
        assert_eq!(fault["relationships"]["source_account"]["data"]["id"], api.srm_account_id.as_str());
        let vehicle =
            fleet.vehicle_by_asset_id(fault["relationships"]["asset"]["data"]["id"].as_str().unwrap()).unwrap();
        let lat: f64 = fault["attributes"]["location"]["latitude"].as_str().unwrap().parse().unwrap();
        assert!((lat - vehicle.latitude).abs() < 1e-4);
    }
    for reading in &readings {
        let fault_id = reading["relationships"]["faults"]["data"][0]["id"].as_str().unwrap();
        let fault = faults.iter().find(|f| f["id"] == fault_id).unwrap();
        assert_eq!(reading["attributes"]["triggered_at"], fault["attributes"]["triggered_at"]);
        let vehicle =
            fleet.vehicle_by_asset_id(fault["relationships"]["asset"]["data"]["id"].as_str().unwrap()).unwrap();
        assert_eq!(reading["attributes"]["asset_data"]["vin"], vehicle.vin.as_str());
    }

    // links.self resolves.
    let link = faults[0]["links"]["self"].as_str().unwrap();
    let path = link.strip_prefix(&api.sim.base_url()).unwrap();
    let single = api.get(path, Some(&token)).await;
    assert_eq!((single.status, &single.body["data"]), (StatusCode::OK, &faults[0]));
    let link = readings[0]["links"]["self"].as_str().unwrap();
    let single = api.get(link.strip_prefix(&api.sim.base_url()).unwrap(), Some(&token)).await;
    assert_eq!(single.body["data"], readings[0]);
    let missing =
        api.get(&format!("{}/{}", api.faults_path(), "11111111-1111-4111-8111-111111111111"), Some(&token)).await;
    assert_eq!((missing.status, error_code(&missing.body)), (StatusCode::NOT_FOUND, "404"));
}

#[tokio::test]
async fn triggered_at_filters_select_exactly_the_later_faults() {
    let api = Api::start().await;
    let token = api.access_token().await;
    let fleet = api.sim.state().fleet_snapshot();
    let mut times: Vec<_> = fleet.vehicles.iter().flat_map(|v| v.faults.iter().map(|f| f.first_seen)).collect();
    times.sort();
    let cutoff = times[times.len() / 2];
    let expected = fleet_fault_rows(&fleet, Some(cutoff));
    assert!(!expected.is_empty() && expected.len() < times.len());

    let iso = cutoff.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (faults, _) = api.all_pages(&format!("{}?filter[triggered_at:gt]={iso}", api.faults_path()), &token, 25).await;
    assert_eq!(api_fault_rows(&faults), expected);

    // Same instant with an offset (percent-encoded `+`), and on the readings endpoint.
    let offset = (cutoff + chrono::Duration::hours(2)).format("%Y-%m-%dT%H:%M:%S%%2B02:00").to_string();
    let (readings, _) =
        api.all_pages(&format!("{}?filter[triggered_at:gt]={offset}", api.readings_path()), &token, 25).await;
    assert_eq!(readings.len(), expected.len());

    // gte takes the faults at the cutoff too.
    let (gte, _) = api.all_pages(&format!("{}?filter[triggered_at:gte]={iso}", api.faults_path()), &token, 100).await;
    assert_eq!(gte.len(), times.iter().filter(|t| **t >= cutoff).count());

    let latest = times.last().unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let none = api.get(&format!("{}?filter[triggered_at:gt]={latest}", api.faults_path()), Some(&token)).await;
    assert_eq!(none.body["data"], json!([]));

    for path in [api.faults_path(), api.readings_path()] {
        let bad = api.get(&format!("{path}?filter[triggered_at:gt]=not-a-timestamp"), Some(&token)).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            bad.body["errors"][0],
            json!({
                "status": "400",
                "code": "decisiv:filters:010",
                "title": "Invalid timebased filter value",
                "detail": "Invalid filter value `not-a-timestamp`. Expected an ISO 8601 timestamp.",
                "source": { "parameter": "filter[triggered_at:gt]" },
            })
        );
    }
}

// -------------------------------------------------------------------------------------------
// Every endpoint, success and error, against the published schemas; and the 429

#[tokio::test]
async fn every_served_endpoint_and_error_matches_the_published_schemas() {
    let api = Api::start().await;
    let token = api.access_token().await;
    let fleet = api.sim.state().fleet_snapshot();
    let srm = api.srm_account_id.clone();
    let (fault_id, reading_id) = {
        let faults = api.get(&api.faults_path(), Some(&token)).await.body;
        (
            faults["data"][0]["id"].as_str().unwrap().to_owned(),
            faults["data"][0]["relationships"]["diagnostic_reading"]["data"]["id"].as_str().unwrap().to_owned(),
        )
    };
    let asset = &fleet.vehicles[0].asset_id;
    let unknown = "00000000-0000-4000-8000-000000000000";
    let restricted = api
        .sim
        .state()
        .api
        .add_user(ApiUserSpec {
            username: "nothing".into(),
            password: "pw".into(),
            modules: vec![],
            account_name: None,
        })
        .unwrap();
    let (_, body) = api
        .token_request(&[
            ("grant_type", "password"),
            ("username", "nothing"),
            ("password", "pw"),
            ("client_id", CLIENT_ID),
        ])
        .await;
    let restricted_token = body["access_token"].as_str().unwrap().to_owned();

    let accounts = "/srm-api/account_management/v1/accounts".to_owned();
    let assets = api.assets_path();
    let faults = api.faults_path();
    let readings = api.readings_path();
    let service_cases = api.cases_path();
    let summaries = api.summaries_path();
    let case_id = &fleet.cases[0].id;
    let restricted_cases = format!("/srm-api/asset_management/{}/v1/cases", restricted.srm_account_id);
    let cases: Vec<(String, Option<&str>, u16)> = vec![
        // Account Management
        (accounts.clone(), Some(&token), 200),
        (format!("{accounts}?include=roles&filter[name:like]=south"), Some(&token), 200),
        (
            format!("{accounts}?filter[module_subscriptions.key:includes]=telematics,asset_management"),
            Some(&token),
            200,
        ),
        (format!("{accounts}?filter[name]=ab"), Some(&token), 400),
        (format!("{accounts}?filter[name]=abc&filter[name:like]=abc"), Some(&token), 400),
        (format!("{accounts}?filter[bogus]=abc"), Some(&token), 400),
        (accounts.clone(), None, 401),
        (accounts.clone(), Some(&restricted_token), 428),
        (format!("{accounts}/{srm}"), Some(&token), 200),
        (format!("{accounts}/{srm}?include=roles"), Some(&token), 200),
        (format!("{accounts}/{}", restricted.srm_account_id), Some(&token), 403),
        (format!("{accounts}/{unknown}"), Some(&token), 404),
        (format!("{accounts}/{srm}"), None, 401),
        // Asset Management
        (assets.clone(), Some(&token), 200),
        (format!("{assets}?sort=-year,make&include=depot&page[size]=100"), Some(&token), 200),
        (format!("{assets}?filter[unit_number]=1001"), Some(&token), 200),
        (format!("{assets}?filter[depot.id]=nope"), Some(&token), 400),
        (format!("{assets}?sort=color"), Some(&token), 400),
        (format!("{assets}?page[size]=500"), Some(&token), 400),
        (assets.clone(), None, 401),
        (
            format!("/srm-api/asset_management/{}/v1/registered_assets", restricted.srm_account_id),
            Some(&restricted_token),
            428,
        ),
        (format!("/srm-api/asset_management/{}/v1/registered_assets", restricted.srm_account_id), Some(&token), 403),
        (format!("/srm-api/asset_management/{unknown}/v1/registered_assets"), Some(&token), 404),
        (format!("{assets}/{asset}"), Some(&token), 200),
        (format!("{assets}/{unknown}"), Some(&token), 404),
        (format!("{assets}/{asset}?include=nonsense"), Some(&token), 400),
        (format!("{assets}/{asset}"), None, 401),
        (service_cases.clone(), Some(&token), 200),
        (
            format!(
                "{service_cases}?include=registered_asset,service_provider&filter[closed]=false\
                 &filter[event_timestamps.started_at:gte]=2000-01-01T00:00:00Z"
            ),
            Some(&token),
            200,
        ),
        (format!("{service_cases}?filter[registered_asset.id]={asset}&page[size]=100"), Some(&token), 200),
        (format!("{service_cases}?filter[updated_at:gte]=not-a-timestamp"), Some(&token), 400),
        (format!("{service_cases}?filter[event_timestamps.closed_at:exists]=true"), Some(&token), 400),
        (format!("{service_cases}?filter[registered_asset.id]=1001"), Some(&token), 400),
        (format!("{service_cases}?filter[fault.id]=1"), Some(&token), 400),
        (format!("{service_cases}?include=faults"), Some(&token), 400),
        (service_cases.clone(), None, 401),
        (restricted_cases.clone(), Some(&restricted_token), 428),
        (restricted_cases.clone(), Some(&token), 403),
        (format!("/srm-api/asset_management/{unknown}/v1/cases"), Some(&token), 404),
        (format!("{service_cases}/{case_id}"), Some(&token), 200),
        (format!("{service_cases}/{case_id}?include=registered_asset"), Some(&token), 200),
        (format!("{service_cases}/{unknown}"), Some(&token), 404),
        (format!("{service_cases}/{case_id}"), None, 401),
        (format!("{restricted_cases}/{case_id}"), Some(&token), 403),
        (summaries.clone(), Some(&token), 200),
        (format!("{summaries}?include=case&filter[updated_at:gt]=2000-01-01"), Some(&token), 200),
        (format!("{summaries}?filter[closed]=false"), Some(&token), 400),
        (summaries.clone(), None, 401),
        (
            format!("/srm-api/asset_management/{}/v1/case_summaries", restricted.srm_account_id),
            Some(&restricted_token),
            428,
        ),
        (format!("/srm-api/asset_management/{unknown}/v1/case_summaries"), Some(&token), 404),
        // Telematics
        (faults.clone(), Some(&token), 200),
        (format!("{faults}?filter[triggered_at:lte]=2100-01-01&page[number]=2&page[size]=3"), Some(&token), 200),
        (format!("{faults}?filter[triggered_at:gt]=yesterday"), Some(&token), 400),
        (format!("{faults}?filter[spn]=100"), Some(&token), 400),
        (faults.clone(), None, 401),
        (format!("/srm-api/telematics/{}/v1/faults", restricted.srm_account_id), Some(&restricted_token), 428),
        (format!("/srm-api/telematics/{unknown}/v1/faults"), Some(&token), 404),
        (format!("{faults}/{fault_id}"), Some(&token), 200),
        (format!("{faults}/{reading_id}"), Some(&token), 404),
        (format!("{faults}/{fault_id}"), None, 401),
        (readings.clone(), Some(&token), 200),
        (format!("{readings}?filter[asset_data.vin]={}", fleet.vehicles[0].vin), Some(&token), 200),
        (
            format!("{readings}?filter[origin]=paccar_solutions&filter[triggered_at:gte]=2000-01-01T00:00:00Z"),
            Some(&token),
            200,
        ),
        (format!("{readings}?filter[triggered_at:lt]=31/12/2026"), Some(&token), 400),
        (readings.clone(), None, 401),
        (
            format!("/srm-api/telematics/{}/v1/diagnostic_readings", restricted.srm_account_id),
            Some(&restricted_token),
            428,
        ),
        (format!("{readings}/{reading_id}"), Some(&token), 200),
        (format!("{readings}/{fault_id}"), Some(&token), 404),
    ];
    for (path, token, status) in &cases {
        let reply = api.get(path, *token).await;
        assert_eq!(reply.status.as_u16(), *status, "{path}: {}", reply.body);
    }

    // Injected server errors on the API use the same envelope.
    api.sim
        .state()
        .set_scenario(Scenario { error_rate: 1.0, fail_paths: Some("/telematics/".into()), ..Scenario::default() })
        .unwrap();
    assert_eq!(api.get(&faults, Some(&token)).await.status, StatusCode::INTERNAL_SERVER_ERROR);
    api.sim.state().set_scenario(Scenario::default()).unwrap();

    // Every route we serve was validated for its success and its errors.
    let validated = api.validated.lock().unwrap().clone();
    let want: &[(&str, &[u16])] = &[
        ("/account_management/v1/accounts", &[200, 400, 401, 428]),
        ("/account_management/v1/accounts/{account_id}", &[200, 401, 403, 404]),
        ("/asset_management/{srm_account_id}/v1/registered_assets", &[200, 400, 401, 403, 404, 428]),
        ("/asset_management/{srm_account_id}/v1/registered_assets/{id}", &[200, 400, 401, 404]),
        ("/asset_management/{srm_account_id}/v1/cases", &[200, 400, 401, 403, 404, 428]),
        ("/asset_management/{srm_account_id}/v1/cases/{id}", &[200, 401, 403, 404]),
        ("/asset_management/{srm_account_id}/v1/case_summaries", &[200, 400, 401, 404, 428]),
        ("/telematics/{srm_account_id}/v1/faults", &[200, 400, 401, 404, 428, 500]),
        ("/telematics/{srm_account_id}/v1/faults/{uuid}", &[200, 401, 404]),
        ("/telematics/{srm_account_id}/v1/diagnostic_readings", &[200, 400, 401, 428]),
        ("/telematics/{srm_account_id}/v1/diagnostic_readings/{uuid}", &[200, 404]),
    ];
    for (template, statuses) in want {
        for status in *statuses {
            assert!(
                validated.contains(&((*template).to_owned(), *status)),
                "{status} of GET {template} was never validated; validated: {validated:?}"
            );
        }
    }
}

#[tokio::test]
async fn rate_limited_calls_get_the_published_429_without_retry_after() {
    let api = Api::start().await;
    let token = api.access_token().await;
    api.sim
        .state()
        .set_scenario(Scenario {
            rate_limit: Some(RateLimit { max_requests: 2, window_secs: 60, retry_after: false }),
            ..Scenario::default()
        })
        .unwrap();
    assert_eq!(api.get(&api.faults_path(), Some(&token)).await.status, StatusCode::OK);
    assert_eq!(api.get(&api.assets_path(), Some(&token)).await.status, StatusCode::OK);
    let limited = api.get(&api.faults_path(), Some(&token)).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.get("retry-after").is_none(), "Decisiv publishes no Retry-After");
    assert_eq!(
        limited.body,
        json!({ "errors": [{
            "code": "429", "status": "429", "title": "Too Many Requests",
            "detail": "The maximum number of requests for this application has been far exceeded with the given credentials."
        }]})
    );
}

// -------------------------------------------------------------------------------------------
// Service cases against the fleet's ground truth

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What a client reads off a case, from the fleet's ground truth.
fn case_row(case: &portal_sim::fleet::Case) -> Value {
    json!([
        case.id,
        case.reference_number,
        case.asset_id,
        case.status,
        case.repair_status,
        case.is_closed(),
        iso(case.started_at),
        iso(case.asset_downtime),
        case.asset_arrived.map(iso),
        case.closed_at.map(iso),
        case.asset_uptime.map(iso),
        iso(case.created_at),
        iso(case.updated_at),
        case.unit_number,
        case.odometer_mi.round() as i64,
        case.ro_number,
        case.service_provider.id,
    ])
}

/// The same, from a served case.
fn api_case_row(case: &Value) -> Value {
    let at = &case["attributes"];
    let events = &at["event_timestamps"];
    json!([
        case["id"],
        at["reference_number"],
        case["relationships"]["registered_asset"]["data"]["id"],
        at["status"],
        at["repair_status"],
        at["closed"],
        events["started_at"],
        events["asset_downtime"],
        events["asset_arrived"],
        events["closed_at"],
        events["asset_uptime"],
        at["created_at"],
        at["updated_at"],
        at["asset_information"]["unit_number"],
        at["asset_information"]["odometer_value"],
        at["ro_number"],
        case["relationships"]["service_provider"]["data"]["id"],
    ])
}

/// A stop-engine or derating fault: what TruckIQ counts as critical.
fn critical(fault: &portal_sim::fleet::Fault) -> bool {
    fault.active && (fault.derate || fault.urgency == portal_sim::fleet::catalog::Urgency::StopEngine)
}

#[tokio::test]
async fn cases_and_summaries_match_the_ground_truth_once_each() {
    let api = Api::start().await;
    let token = api.access_token().await;
    let fleet = api.sim.state().fleet_snapshot();
    let expected: Vec<Value> = fleet.cases.iter().map(case_row).collect();
    assert!(expected.len() > 20, "{} cases", expected.len());
    assert!(fleet.cases.iter().any(|c| c.is_open()) && fleet.cases.iter().any(|c| c.is_closed()));

    for size in [7, 100] {
        let (cases, pages) = api.all_pages(&api.cases_path(), &token, size).await;
        assert_eq!(pages, expected.len() / size + 1);
        assert_eq!(cases.iter().map(api_case_row).collect::<Vec<_>>(), expected, "page size {size}");
    }
    let (cases, _) = api.all_pages(&api.cases_path(), &token, 100).await;
    for (served, truth) in cases.iter().zip(&fleet.cases) {
        let at = &served["attributes"];
        assert_eq!(at["complaint"], truth.complaint.as_str());
        assert_eq!(at["breakdown"].is_object(), truth.breakdown.is_some());
        assert_eq!(fleet.vehicles[truth.vehicle_index].asset_id, truth.asset_id);
        assert!(served["relationships"].get("faults").is_none(), "the published case has no link to faults");
    }

    // One case, as listed; side-loaded assets are the registered assets served.
    let open = fleet.cases.iter().find(|c| c.is_open()).unwrap();
    let reply = api
        .get(&format!("{}/{}?include=registered_asset,service_provider", api.cases_path(), open.id), Some(&token))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(api_case_row(&reply.body["data"]), case_row(open));
    let asset = api.get(&format!("{}/{}", api.assets_path(), open.asset_id), Some(&token)).await;
    let included = reply.body["included"].as_array().unwrap();
    assert_eq!(included.len(), 2);
    assert_eq!(included[0], asset.body["data"]);
    assert_eq!(included[1]["type"], "service_providers");
    assert_eq!(included[1]["attributes"]["name"], open.service_provider.name.as_str());
    let missing =
        api.get(&format!("{}/{}", api.cases_path(), "11111111-1111-4111-8111-111111111111"), Some(&token)).await;
    assert_eq!((missing.status, error_code(&missing.body)), (StatusCode::NOT_FOUND, "decisiv:resource:001"));
    assert_eq!(missing.body["errors"][0]["source"]["parameter"], "id");

    // One summary per case, describing it, and include=case side-loads the cases.
    let (summaries, _) = api.all_pages(&format!("{}?include=case", api.summaries_path()), &token, 100).await;
    for (summary, case) in summaries.iter().zip(&fleet.cases) {
        assert_eq!(summary["relationships"]["case"]["data"], json!({ "type": "cases", "id": case.id }));
        assert_eq!(summary["attributes"]["content"], case.summary.as_str());
        assert!(case.summary.contains(&case.unit_number), "{}", case.summary);
        assert_eq!(summary["attributes"]["updated_at"], iso(case.updated_at));
    }
    assert_eq!(summaries.len(), fleet.cases.len());
    let page = api.get(&format!("{}?include=case&page[size]=5", api.summaries_path()), Some(&token)).await;
    let sideloaded: Vec<Value> = page.body["included"].as_array().unwrap().iter().map(api_case_row).collect();
    assert_eq!(sideloaded, expected[..5]);
}

#[tokio::test]
async fn case_filters_select_exactly_the_matching_cases() {
    let api = Api::start().await;
    let token = api.access_token().await;
    let fleet = api.sim.state().fleet_snapshot();
    let rows = |cases: &[Value]| cases.iter().map(api_case_row).collect::<Vec<_>>();
    let truth = |keep: &dyn Fn(&portal_sim::fleet::Case) -> bool| {
        fleet.cases.iter().filter(|c| keep(c)).map(case_row).collect::<Vec<_>>()
    };
    let path = api.cases_path();
    let all_time = "filter[event_timestamps.started_at:gte]=2000-01-01T00:00:00Z";

    let (open, _) = api.all_pages(&format!("{path}?filter[closed]=false&{all_time}"), &token, 25).await;
    assert_eq!(rows(&open), truth(&|c| c.is_open()));
    assert!(!open.is_empty());
    let (closed, _) =
        api.all_pages(&format!("{path}?filter[event_timestamps.closed_at:exists]=true&{all_time}"), &token, 25).await;
    assert_eq!(rows(&closed), truth(&|c| c.is_closed()));

    // Alone, the open/closed filters are refused, as published.
    let alone = api.get(&format!("{path}?filter[closed]=false"), Some(&token)).await;
    assert_eq!((alone.status, error_code(&alone.body)), (StatusCode::BAD_REQUEST, "decisiv:filters:006"));

    // Every out-of-service truck (IN_REPAIR on PACCAR Solutions) has exactly one open case.
    let in_repair: Vec<_> =
        fleet.vehicles.iter().filter(|v| v.recommendation() == portal_sim::Recommendation::InRepair).collect();
    assert!(!in_repair.is_empty());
    for vehicle in in_repair {
        let asset = &vehicle.asset_id;
        let reply =
            api.get(&format!("{path}?filter[registered_asset.id]={asset}&filter[closed]=false"), Some(&token)).await;
        assert_eq!(reply.body["data"].as_array().unwrap().len(), 1, "{}", vehicle.vin);
    }
    // ...while some trucks with an active critical fault have none.
    let unattended = fleet
        .vehicles
        .iter()
        .filter(|v| v.faults.iter().any(critical) && fleet.open_case(&v.asset_id).is_none())
        .count();
    assert!(unattended > 0);

    // By truck: all its cases, open and closed.
    let busy = fleet.cases.iter().max_by_key(|c| fleet.cases.iter().filter(|o| o.asset_id == c.asset_id).count());
    let asset = &busy.unwrap().asset_id;
    let reply = api.get(&format!("{path}?filter[registered_asset.id]={asset}"), Some(&token)).await;
    assert_eq!(rows(reply.body["data"].as_array().unwrap()), truth(&|c| c.asset_id == *asset));
    let bad = api.get(&format!("{path}?filter[registered_asset.id]=not-a-uuid"), Some(&token)).await;
    assert_eq!(
        bad.body["errors"][0],
        json!({
            "status": "400",
            "code": "decisiv:filters:002",
            "title": "Invalid filter value",
            "detail": "'not-a-uuid' is not a valid value for filter. Expected values: uuid",
            "source": { "parameter": "filter[registered_asset.id]" },
        })
    );

    // By time: updated since a cutoff, started before one.
    let mut updated: Vec<_> = fleet.cases.iter().map(|c| c.updated_at).collect();
    updated.sort();
    let cutoff = updated[updated.len() / 2];
    let (since, _) = api.all_pages(&format!("{path}?filter[updated_at:gte]={}", iso(cutoff)), &token, 25).await;
    assert_eq!(rows(&since), truth(&|c| c.updated_at >= cutoff));
    assert!(!since.is_empty() && since.len() < fleet.cases.len());
    let (before, _) =
        api.all_pages(&format!("{path}?filter[event_timestamps.started_at:lt]={}", iso(cutoff)), &token, 25).await;
    assert_eq!(rows(&before), truth(&|c| c.started_at < cutoff));
    let (summaries, _) =
        api.all_pages(&format!("{}?filter[updated_at:gte]={}", api.summaries_path(), iso(cutoff)), &token, 25).await;
    assert_eq!(summaries.len(), since.len());

    // By service provider, by id or by its SRM account reference.
    let provider = &fleet.cases[0].service_provider;
    let (by_id, _) = api.all_pages(&format!("{path}?filter[service_provider.id]={}", provider.id), &token, 25).await;
    assert_eq!(rows(&by_id), truth(&|c| c.service_provider.id == provider.id));
    let srm = format!("filter[service_provider.external_reference.srm_account]={}", provider.srm_account);
    let (by_srm, _) = api.all_pages(&format!("{path}?{srm}"), &token, 25).await;
    assert_eq!(rows(&by_srm), rows(&by_id));
    let (summaries, _) = api.all_pages(&format!("{}?{srm}", api.summaries_path()), &token, 25).await;
    assert_eq!(summaries.len(), by_id.len());

    for (query, code) in [
        ("filter[fault.id]=1", "decisiv:filters:001"),
        ("filter[updated_at:gt]=2026-01-01", "decisiv:filters:001"),
        ("filter[updated_at:gte]=not-a-timestamp", "decisiv:filters:010"),
        ("filter[event_timestamps.started_at:gt]=yesterday", "decisiv:filters:010"),
        ("filter[closed]=maybe&filter[updated_at:gte]=2026-01-01", "decisiv:filters:002"),
        ("include=faults", "decisiv:request_attributes:010"),
        ("page[size]=101", "decisiv:request_attributes:010"),
    ] {
        let reply = api.get(&format!("{path}?{query}"), Some(&token)).await;
        assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::BAD_REQUEST, code), "{query}");
    }
}

#[tokio::test]
async fn cases_open_progress_and_close_as_the_clock_ticks() {
    // A fixed start and enough trucks that four days surely open and close cases.
    let start_time = chrono::DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z").unwrap().to_utc();
    let api = Api::start_with(SimConfig { vehicles: 200, start_time: Some(start_time), ..SimConfig::default() }).await;
    let token = api.access_token().await;
    let start = api.sim.state().fleet_snapshot();
    let mut cursor = start.now;
    let mut previous = start.clone();
    let (mut opened, mut closed, mut progressed) = (0, 0, 0);
    for _ in 0..8 {
        for _ in 0..12 {
            api.sim.state().tick(60);
        }
        let fleet = api.sim.state().fleet_snapshot();
        // An incremental sync: what changed since the last one, and nothing else.
        let since = iso(cursor + chrono::Duration::minutes(1));
        let (changed, _) =
            api.all_pages(&format!("{}?filter[updated_at:gte]={since}", api.cases_path()), &token, 25).await;
        let expected: Vec<Value> = fleet
            .cases
            .iter()
            .filter(|c| previous.cases.iter().find(|p| p.id == c.id).is_none_or(|p| case_row(p) != case_row(c)))
            .map(case_row)
            .collect();
        assert_eq!(changed.iter().map(api_case_row).collect::<Vec<_>>(), expected);
        for case in &fleet.cases {
            match previous.cases.iter().find(|p| p.id == case.id) {
                None => opened += 1,
                Some(old) if old.is_open() && case.is_closed() => closed += 1,
                Some(old) if old.stage != case.stage => progressed += 1,
                _ => {}
            }
        }
        for vehicle in fleet.vehicles.iter().filter(|v| v.recommendation() == portal_sim::Recommendation::InRepair) {
            assert!(fleet.open_case(&vehicle.asset_id).is_some(), "{} IN_REPAIR without an open case", vehicle.vin);
        }
        cursor = fleet.now;
        previous = fleet;
    }
    assert!(opened > 0 && closed > 0 && progressed > 0, "opened {opened}, closed {closed}, progressed {progressed}");
    let (all, _) = api.all_pages(&api.cases_path(), &token, 100).await;
    assert_eq!(all.len(), previous.cases.len());
    let closed_since = api
        .get(
            &format!(
                "{}?filter[closed]=true&filter[updated_at:gte]={}&page[size]=100",
                api.cases_path(),
                iso(start.now + chrono::Duration::minutes(1))
            ),
            Some(&token),
        )
        .await;
    let served = closed_since.body["data"].as_array().unwrap();
    assert!(served.len() >= closed);
    assert!(
        served.iter().all(|c| c["attributes"]["status"] == "Closed"
            && c["attributes"]["event_timestamps"]["asset_uptime"].is_string())
    );
}

// -------------------------------------------------------------------------------------------
// One API user reaching several SRM accounts

#[tokio::test]
async fn a_user_with_several_accounts_sees_the_fleet_shared_between_them() {
    let api = Api::start().await;
    let state = api.sim.state();
    let spec = ApiUserSpec {
        username: "dispatch@example.com".into(),
        password: "pw".into(),
        modules: Module::ALL.to_vec(),
        account_name: None,
    };
    let single = state.api.add_user(spec.clone()).unwrap();
    assert_eq!(single.accounts.len(), 1);
    assert_eq!((&single.accounts[0].id, &single.accounts[0].name), (&single.srm_account_id, &single.account_name));

    // Over HTTP, as a test in another process would.
    let response = api
        .http
        .post(api.url("/__sim/api/users"))
        .json(&json!({ "username": spec.username, "password": "pw", "modules": ["account_management",
            "asset_management", "telematics"], "accounts": ["North Yard", "South Yard", "West Yard"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let user = state.api.user(&spec.username).unwrap();
    assert_eq!(created["accounts"], serde_json::to_value(&user.accounts).unwrap());
    let ids: Vec<&str> = user.accounts.iter().map(|a| a.id.as_str()).collect();
    let names: Vec<&str> = user.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["North Yard", "South Yard", "West Yard"]);
    assert_eq!(ids[0], single.srm_account_id, "the first account keeps the single account's id");
    assert_eq!((user.srm_account_id.as_str(), user.account_name.as_str()), (ids[0], "North Yard"));
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 3);
    let again = state.api.add_user_with_accounts(spec.clone(), vec!["A".into(), "B".into(), "C".into()]).unwrap();
    assert_eq!(again.accounts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ids, "ids are stable");
    state.api.add_user_with_accounts(spec.clone(), names.iter().map(|n| (*n).to_owned()).collect()).unwrap();
    for bad in [
        json!({ "username": "x", "password": "pw", "modules": [], "accounts": ["ok", " "] }),
        json!({ "username": "x", "password": "pw", "modules": [], "account_name": "One", "accounts": ["Two"] }),
    ] {
        let response = api.http.post(api.url("/__sim/api/users")).json(&bad).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }

    let token = api.token_for(&spec.username, "pw").await;
    let accounts = api.get("/srm-api/account_management/v1/accounts", Some(&token)).await;
    let listed: Vec<(&str, &str)> = accounts.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a["attributes"]["name"].as_str().unwrap()))
        .collect();
    assert_eq!(listed, ids.iter().copied().zip(names.iter().copied()).collect::<Vec<_>>());
    let south = api.get("/srm-api/account_management/v1/accounts?filter[name:like]=south", Some(&token)).await;
    assert_eq!(south.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(south.body["data"][0]["id"], ids[1]);
    let refs: BTreeSet<String> = accounts.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["attributes"]["external_reference"]["srm_account"].to_string())
        .collect();
    assert_eq!(refs.len(), 3);
    for id in &ids {
        assert_eq!(
            api.get(&format!("/srm-api/account_management/v1/accounts/{id}"), Some(&token)).await.status,
            StatusCode::OK
        );
    }

    let fleet = state.fleet_snapshot();
    let mut seen_vins = BTreeSet::new();
    let (mut faults_seen, mut readings_seen, mut cases_seen, mut summaries_seen) = (0, 0, BTreeSet::new(), 0);
    for id in &ids {
        let truth: BTreeSet<&str> = user.vehicles_in(&fleet, id).iter().map(|v| v.vin.as_str()).collect();
        assert!((19..=21).contains(&truth.len()), "{} trucks in {id}", truth.len());
        let (assets, _) =
            api.all_pages(&format!("/srm-api/asset_management/{id}/v1/registered_assets"), &token, 100).await;
        let vins: BTreeSet<&str> = assets.iter().map(|a| a["attributes"]["vin"].as_str().unwrap()).collect();
        assert_eq!(vins, truth, "{id}");
        for vin in &vins {
            assert!(seen_vins.insert((*vin).to_owned()), "{vin} in two accounts");
        }
        let asset_ids: BTreeSet<&str> = assets.iter().map(|a| a["id"].as_str().unwrap()).collect();

        // Faults and readings follow their trucks, and say which account they came from.
        let (faults, _) = api.all_pages(&format!("/srm-api/telematics/{id}/v1/faults"), &token, 100).await;
        for fault in &faults {
            assert!(asset_ids.contains(fault["relationships"]["asset"]["data"]["id"].as_str().unwrap()));
            assert_eq!(fault["relationships"]["source_account"]["data"]["id"], *id);
            assert!(fault["links"]["self"].as_str().unwrap().contains(id));
        }
        let truth_faults: usize = user.vehicles_in(&fleet, id).iter().map(|v| v.faults.len()).sum();
        assert_eq!(faults.len(), truth_faults);
        faults_seen += faults.len();
        let (readings, _) =
            api.all_pages(&format!("/srm-api/telematics/{id}/v1/diagnostic_readings"), &token, 100).await;
        assert!(readings.iter().all(|r| vins.contains(r["attributes"]["asset_data"]["vin"].as_str().unwrap())));
        readings_seen += readings.len();

        let (cases, _) = api.all_pages(&format!("/srm-api/asset_management/{id}/v1/cases"), &token, 100).await;
        for case in &cases {
            assert!(asset_ids.contains(case["relationships"]["registered_asset"]["data"]["id"].as_str().unwrap()));
            cases_seen.insert(case["id"].as_str().unwrap().to_owned());
        }
        let (summaries, _) =
            api.all_pages(&format!("/srm-api/asset_management/{id}/v1/case_summaries"), &token, 100).await;
        assert_eq!(summaries.len(), cases.len());
        summaries_seen += summaries.len();
    }
    let all_vins: BTreeSet<String> = fleet.vehicles.iter().map(|v| v.vin.clone()).collect();
    assert_eq!(seen_vins, all_vins, "the accounts together show the whole fleet");
    let total_faults: usize = fleet.vehicles.iter().map(|v| v.faults.len()).sum();
    assert_eq!((faults_seen, readings_seen), (total_faults, total_faults));
    assert_eq!(cases_seen, fleet.cases.iter().map(|c| c.id.clone()).collect::<BTreeSet<_>>());
    assert_eq!(summaries_seen, fleet.cases.len());

    // A single item is found only under its own account.
    let (index, vehicle) = fleet.vehicles.iter().enumerate().find(|(_, v)| !v.faults.is_empty()).unwrap();
    let home = user.account_of(index).unwrap().id.clone();
    let elsewhere = ids.iter().find(|id| **id != home).unwrap();
    let case = fleet.cases.iter().find(|c| c.vehicle_index != index && user.serves(elsewhere, c.vehicle_index));
    let fault_id = {
        let (faults, _) = api.all_pages(&format!("/srm-api/telematics/{home}/v1/faults"), &token, 100).await;
        faults
            .iter()
            .find(|f| f["relationships"]["asset"]["data"]["id"] == vehicle.asset_id.as_str())
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    for (account, found) in [(home.as_str(), StatusCode::OK), (*elsewhere, StatusCode::NOT_FOUND)] {
        let asset = api
            .get(
                &format!("/srm-api/asset_management/{account}/v1/registered_assets/{}", vehicle.asset_id),
                Some(&token),
            )
            .await;
        assert_eq!(asset.status, found, "asset under {account}");
        let fault = api.get(&format!("/srm-api/telematics/{account}/v1/faults/{fault_id}"), Some(&token)).await;
        assert_eq!(fault.status, found, "fault under {account}");
    }
    if let Some(case) = case {
        let mine = api.get(&format!("/srm-api/asset_management/{elsewhere}/v1/cases/{}", case.id), Some(&token)).await;
        assert_eq!(mine.status, StatusCode::OK);
        let other = ids.iter().find(|id| !user.serves(id, case.vehicle_index)).unwrap();
        let theirs = api.get(&format!("/srm-api/asset_management/{other}/v1/cases/{}", case.id), Some(&token)).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    }

    // Another user's accounts stay forbidden, both ways; unknown ones are not found.
    let other_token = api.access_token().await;
    for id in &ids {
        let reply = api.get(&format!("/srm-api/asset_management/{id}/v1/registered_assets"), Some(&other_token)).await;
        assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::FORBIDDEN, "decisiv:access:001"));
        let reply = api.get(&format!("/srm-api/account_management/v1/accounts/{id}"), Some(&other_token)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    let reply = api.get(&format!("{}?page[size]=1", api.assets_path()), Some(&token)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let unknown = "00000000-0000-4000-8000-000000000000";
    let reply = api.get(&format!("/srm-api/asset_management/{unknown}/v1/cases"), Some(&token)).await;
    assert_eq!((reply.status, error_code(&reply.body)), (StatusCode::NOT_FOUND, "decisiv:resource:001"));
}
