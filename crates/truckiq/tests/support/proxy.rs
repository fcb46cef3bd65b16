//! A small authenticating HTTP proxy on 127.0.0.1 for tests: it asks every request for Basic
//! proxy credentials (407 until they are right), logs what each request carried, serves a made-up
//! `portal.test` host itself, and forwards anything else (plain HTTP) to where it was addressed.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

/// One request the proxy received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub url: String,
    /// The decoded `user:password` of `Proxy-Authorization`, if sent.
    pub proxy_sign_in: Option<String>,
    /// The decoded `Authorization` (a site's own sign-in), if sent.
    pub site_sign_in: Option<String>,
}

#[derive(Clone)]
struct Shared {
    expected: String,
    log: Arc<Mutex<Vec<Seen>>>,
    forward: reqwest::Client,
}

pub struct TestProxy {
    pub url: String,
    log: Arc<Mutex<Vec<Seen>>>,
    _server: tokio::task::JoinHandle<()>,
}

impl TestProxy {
    /// A proxy that lets through requests signed in as `user` with `password`.
    pub async fn start(user: &str, password: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            expected: format!("{user}:{password}"),
            log: Arc::clone(&log),
            forward: reqwest::Client::builder().no_proxy().build().unwrap(),
        };
        let app = axum::Router::new().fallback(handle).with_state(shared);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, log, _server: server }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// How many requests came with any proxy credentials.
    pub fn signed_in_requests(&self) -> usize {
        self.seen().iter().filter(|s| s.proxy_sign_in.is_some()).count()
    }
}

fn basic(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(encoded).ok()?).ok()
}

async fn handle(State(shared): State<Shared>, request: Request) -> Response {
    let uri = request.uri().clone();
    let seen = Seen {
        url: uri.to_string(),
        proxy_sign_in: basic(request.headers(), header::PROXY_AUTHORIZATION),
        site_sign_in: basic(request.headers(), header::AUTHORIZATION),
    };
    shared.log.lock().unwrap().push(seen.clone());
    if seen.proxy_sign_in.as_deref() != Some(shared.expected.as_str()) {
        return (
            StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            [(header::PROXY_AUTHENTICATE, "Basic realm=\"corp\""), (header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>Proxy sign-in required</h1></body></html>",
        )
            .into_response();
    }
    if uri.host() == Some("portal.test") {
        return match (uri.path(), seen.site_sign_in.is_some()) {
            ("/basic", false) => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"portal\""), (header::CONTENT_TYPE, "text/html")],
                "<html><body><h1>Portal sign-in required</h1></body></html>",
            )
                .into_response(),
            _ => {
                ([(header::CONTENT_TYPE, "text/html")], "<html><body><p id=\"via\">through the proxy</p></body></html>")
                    .into_response()
            }
        };
    }
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 16 * 1024 * 1024).await.unwrap_or_default();
    let mut forwarded = shared.forward.request(parts.method, uri.to_string()).body(body);
    for (name, value) in &parts.headers {
        if name != header::PROXY_AUTHORIZATION && name != header::HOST && name != header::CONNECTION {
            forwarded = forwarded.header(name, value);
        }
    }
    match forwarded.send().await {
        Ok(answer) => {
            let mut response = Response::builder().status(answer.status().as_u16());
            for (name, value) in answer.headers() {
                if name != header::TRANSFER_ENCODING && name != header::CONNECTION && name != header::CONTENT_LENGTH {
                    response = response.header(name, value);
                }
            }
            response.body(Body::from(answer.bytes().await.unwrap_or_default())).unwrap()
        }
        Err(error) => (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    }
}
