//! Real local receivers for the alert channels: an HTTP server on 127.0.0.1 that logs every request
//! and answers with the status a test sets (as a webhook, Slack, Teams, Discord or ntfy would), and a
//! minimal SMTP server that keeps every message it is sent.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// One request the HTTP receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query, e.g. `/discord?wait=true`.
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Bytes,
    /// The status it was answered with.
    pub status: u16,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_default()
    }
}

#[derive(Clone)]
struct Shared {
    log: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
}

pub struct HttpReceiver {
    pub base: String,
    shared: Shared,
}

async fn receive(State(shared): State<Shared>, request: Request) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
    let headers = request
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = to_bytes(request.into_body(), 1 << 20).await.unwrap_or_default();
    let delay = shared.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let status = shared.status.load(Ordering::SeqCst);
    shared.log.lock().unwrap().push(Received { method, path, headers, body, status });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, if status.is_success() { "ok" } else { "down for maintenance" }).into_response()
}

impl HttpReceiver {
    pub async fn start() -> Self {
        let shared = Shared {
            log: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
            delay_ms: Arc::new(AtomicU64::new(0)),
        };
        let app = axum::Router::new().fallback(receive).with_state(shared.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // On a thread and runtime of its own: it keeps answering while a test blocks its own thread
        // waiting for a `truckiq` process that is delivering to it.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Self { base, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Answers every request with `status` from now on (e.g. 503 while "down").
    pub fn answer(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Waits this long before answering each request.
    pub fn delay(&self, delay: Duration) {
        self.shared.delay_ms.store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.log.lock().unwrap().clone()
    }

    /// What was accepted (answered 2xx) at paths starting with `prefix`.
    pub fn accepted(&self, prefix: &str) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.path.starts_with(prefix) && (200..300).contains(&r.status)).collect()
    }
}

/// A minimal SMTP server: it greets, says yes to every command, and keeps each message's DATA.
pub struct SmtpSink {
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages: Arc<Mutex<Vec<String>>> = Arc::default();
        let kept = Arc::clone(&messages);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let kept = Arc::clone(&kept);
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read);
                    write.write_all(b"220 sink.test ESMTP\r\n").await.ok();
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 sink.test\r\n",
                            "DATA" => {
                                write.write_all(b"354 go ahead\r\n").await.ok();
                                let mut data = String::new();
                                loop {
                                    line.clear();
                                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 || line == ".\r\n" {
                                        break;
                                    }
                                    data.push_str(&line);
                                }
                                kept.lock().unwrap().push(data);
                                b"250 2.0.0 queued as 1\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                return;
                            }
                            _ => b"250 OK\r\n",
                        };
                        write.write_all(reply).await.ok();
                    }
                });
            }
        });
        Self { port, messages }
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }
}
