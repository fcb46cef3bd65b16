//! Carrying a message to a channel and reading what it answered: HTTP for the webhook kinds and
//! ntfy, SMTP for e-mail. Redirects are not followed: a channel's URL is a credential, and goes
//! only to the host it names.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use uuid::Uuid;

use super::event::Event;
use super::formats;
use super::retry::parse_retry_after;
use super::signing;
use crate::secrets::Sensitive;
use crate::store::{Channel, ChannelKind, EmailSettings, SmtpSecurity};

/// How long one attempt may take, connection included.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// How much of an answer is kept in the delivery log.
const ANSWER_CHARS: usize = 300;

/// A channel's secrets, read from the keychain for one round of sending.
#[derive(Debug, Clone, Default)]
pub struct ChannelSecrets {
    pub url: Option<Sensitive<String>>,
    pub signing_secret: Option<Sensitive<String>>,
    pub access_token: Option<Sensitive<String>>,
    pub smtp_password: Option<Sensitive<String>>,
}

/// What the other side's answer means for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    /// Failed for a reason that may pass (down, busy, rate-limited): try again, not before the
    /// receiver's `Retry-After` when it gave one.
    Retry(Option<Duration>),
    /// Refused for good (a bad URL, a removed hook, a forbidden sender): trying again would only
    /// be refused again, and hammering a receiver that said no can get the sender banned.
    Refused,
}

/// An attempt's result, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    pub status: Option<u16>,
    /// What the other side said, or why nothing was heard.
    pub text: String,
    pub duration: Duration,
}

impl Answer {
    /// Nothing was sent, for a reason on this side that may pass (a locked keychain, the proxy's
    /// settings): tried again later.
    pub fn not_sent(text: String) -> Self {
        Self { verdict: Verdict::Retry(None), status: None, text, duration: Duration::ZERO }
    }
}

/// What an HTTP status means for delivery (Standard Webhooks' and the services' own rules).
pub fn judge_http(status: u16, retry_after: Option<Duration>) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        // 407: the proxy refused its sign-in, which is fixed in Settings, not by the channel.
        407 | 408 | 425 | 429 | 500..=599 => Verdict::Retry(retry_after),
        _ => Verdict::Refused,
    }
}

fn clip(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= ANSWER_CHARS {
        return text.to_owned();
    }
    text.chars().take(ANSWER_CHARS).chain(std::iter::once('…')).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the channel has no {0} saved in the keychain; add the channel again")]
    MissingSecret(&'static str),
    /// Says what is wrong without repeating the URL: it is a credential, and this text may be kept
    /// in the delivery log.
    #[error("the channel's URL {0}: it must be a valid https:// URL (http:// only to this computer)")]
    BadUrl(String),
    #[error("{0}")]
    BadSecret(#[from] signing::BadSecret),
    #[error("the e-mail channel has no SMTP settings")]
    NoEmailSettings,
    #[error("the e-mail address {0:?} is not valid")]
    BadAddress(String),
    #[error("the message in the outbox cannot be read: {0}")]
    BadEvent(String),
}

/// The HTTP client every channel is sent through.
pub fn http_client(proxy: Option<reqwest::Proxy>) -> reqwest::Result<reqwest::Client> {
    let builder = match proxy {
        Some(proxy) => reqwest::Client::builder().proxy(proxy),
        None => reqwest::Client::builder(),
    };
    builder
        .redirect(reqwest::redirect::Policy::none())
        .timeout(SEND_TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("TruckIQ/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// A channel URL must be https, or http to this computer only (a local relay, or a test's receiver).
pub fn check_url(url: &str) -> Result<url::Url, SendError> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| SendError::BadUrl(format!("cannot be read ({e})")))?;
    let local = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if local => Ok(parsed),
        "http" => Err(SendError::BadUrl(format!("is http:// to {}", parsed.host_str().unwrap_or("no host")))),
        scheme => Err(SendError::BadUrl(format!("starts with {scheme}:"))),
    }
}

/// Sends `event` (the outbox's JSON) to `channel` once, keyed by `key`, at `now`.
pub async fn send(
    http: &reqwest::Client,
    channel: &Channel,
    secrets: &ChannelSecrets,
    key: Uuid,
    event: &str,
    now: DateTime<Utc>,
) -> Result<Answer, SendError> {
    let parsed: Event = serde_json::from_str(event).map_err(|e| SendError::BadEvent(e.to_string()))?;
    let url = || check_url(secrets.url.as_ref().ok_or(SendError::MissingSecret("URL"))?.expose());
    let request = match channel.kind {
        ChannelKind::Email => {
            let settings = channel.settings.email.as_ref().ok_or(SendError::NoEmailSettings)?;
            return email(settings, secrets.smtp_password.as_ref(), key, &parsed).await;
        }
        ChannelKind::Webhook => {
            let secret = secrets.signing_secret.as_ref().ok_or(SendError::MissingSecret("signing secret"))?;
            let key_bytes = signing::key(secret.expose())?;
            let id = key.hyphenated().to_string();
            let timestamp = now.timestamp();
            http.post(url()?)
                .header("content-type", "application/json")
                .header("webhook-id", &id)
                .header("webhook-timestamp", timestamp.to_string())
                .header("webhook-signature", signing::signature(&key_bytes, &id, timestamp, event.as_bytes()))
                .body(event.to_owned())
        }
        ChannelKind::Slack => http.post(url()?).json(&formats::slack(&parsed)),
        ChannelKind::Teams => http.post(url()?).json(&formats::teams(&parsed)),
        ChannelKind::Discord => {
            // Without `wait`, Discord answers 204 before it has saved the message, and a message it
            // then drops is never reported.
            let mut url = url()?;
            url.query_pairs_mut().append_pair("wait", "true");
            http.post(url).json(&formats::discord(&parsed))
        }
        ChannelKind::Ntfy => {
            let (root, topic) = ntfy_root_and_topic(&url()?)?;
            let request = http.post(root).json(&formats::ntfy(&parsed, &topic));
            match &secrets.access_token {
                Some(token) => request.bearer_auth(token.expose()),
                None => request,
            }
        }
    };
    let started = Instant::now();
    let request = request.header("idempotency-key", key.hyphenated().to_string());
    Ok(match request.send().await {
        Ok(response) => {
            let status = response.status();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, now));
            let body = crate::limits::body_text(response).await.unwrap_or_else(|e| e.to_string());
            // Discord says how long to wait in its body, to the millisecond.
            let retry_after = retry_after.or_else(|| discord_retry_after(&body));
            let reason = status.canonical_reason().unwrap_or("");
            Answer {
                verdict: judge_http(status.as_u16(), retry_after),
                status: Some(status.as_u16()),
                text: clip(&format!(
                    "HTTP {} {reason}{}{}",
                    status.as_u16(),
                    if body.trim().is_empty() { "" } else { ": " },
                    body
                )),
                duration: started.elapsed(),
            }
        }
        Err(error) => Answer {
            verdict: Verdict::Retry(None),
            status: None,
            text: clip(&network_problem(&error)),
            duration: started.elapsed(),
        },
    })
}

fn network_problem(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = if error.is_timeout() {
        format!("no answer within {} s", SEND_TIMEOUT.as_secs())
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn discord_retry_after(body: &str) -> Option<Duration> {
    let seconds = serde_json::from_str::<serde_json::Value>(body).ok()?.get("retry_after")?.as_f64()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.ceil()))
}

/// `https://ntfy.sh/fleet-alerts` → (`https://ntfy.sh/`, `fleet-alerts`): JSON is published to the
/// server's root, naming the topic (so titles and tags may hold any characters).
pub fn ntfy_root_and_topic(url: &url::Url) -> Result<(url::Url, String), SendError> {
    let bad = || SendError::BadUrl("names no topic".into());
    let topic = url.path_segments().and_then(|mut s| s.next_back()).filter(|t| !t.is_empty()).ok_or_else(bad)?;
    let topic = topic.to_owned();
    let mut root = url.clone();
    root.path_segments_mut().map_err(|()| bad())?.pop();
    if !root.path().ends_with('/') {
        let path = format!("{}/", root.path());
        root.set_path(&path);
    }
    root.set_query(None);
    Ok((root, topic))
}

async fn email(
    settings: &EmailSettings,
    password: Option<&Sensitive<String>>,
    key: Uuid,
    event: &Event,
) -> Result<Answer, SendError> {
    let mailbox = |a: &str| a.trim().parse::<Mailbox>().map_err(|_| SendError::BadAddress(a.to_owned()));
    let (subject, text, html) = formats::email(event);
    let mut builder = lettre::Message::builder()
        .from(mailbox(&settings.from)?)
        .subject(subject)
        // A receiver's dedup key, as the webhooks' is: the same on every attempt.
        .message_id(Some(format!("<{key}@truckiq>")));
    for to in &settings.to {
        builder = builder.to(mailbox(to)?);
    }
    let message = builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| SendError::BadAddress(e.to_string()))?;
    let started = Instant::now();
    let transport = match smtp_transport(settings, password) {
        Ok(transport) => transport,
        Err(error) => {
            return Ok(Answer {
                verdict: Verdict::Refused,
                status: None,
                text: clip(&format!("cannot set up the SMTP connection: {error}")),
                duration: started.elapsed(),
            });
        }
    };
    Ok(match transport.send(message).await {
        Ok(response) => Answer {
            verdict: Verdict::Delivered,
            status: Some(u16::from(response.code())),
            text: clip(&format!("SMTP {}: {}", response.code(), response.message().collect::<Vec<_>>().join(" "))),
            duration: started.elapsed(),
        },
        Err(error) => Answer {
            // A 5xx reply (a refused sender or recipient, a rejected password) is final; anything
            // else (4xx, a timeout, no connection) may pass.
            verdict: if error.is_permanent() { Verdict::Refused } else { Verdict::Retry(None) },
            status: error.status().map(u16::from),
            text: clip(&format!("SMTP: {error}")),
            duration: started.elapsed(),
        },
    })
}

fn smtp_transport(
    settings: &EmailSettings,
    password: Option<&Sensitive<String>>,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, lettre::transport::smtp::Error> {
    let host = settings.server.trim();
    let builder = match settings.security {
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).tls(Tls::None),
    };
    let builder = match settings.security {
        SmtpSecurity::Starttls => builder.tls(Tls::Required(TlsParameters::new(host.to_owned())?)),
        _ => builder,
    };
    let builder = builder.port(settings.port).timeout(Some(SEND_TIMEOUT));
    let builder = match (&settings.username, password) {
        (Some(user), Some(password)) => builder.credentials(Credentials::new(user.clone(), password.expose().clone())),
        _ => builder,
    };
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_judged_as_the_services_document_them() {
        assert_eq!(judge_http(200, None), Verdict::Delivered);
        assert_eq!(judge_http(202, None), Verdict::Delivered, "Teams Workflows");
        assert_eq!(judge_http(204, None), Verdict::Delivered);
        let wait = Some(Duration::from_secs(3));
        assert_eq!(judge_http(429, wait), Verdict::Retry(wait));
        assert_eq!(judge_http(503, None), Verdict::Retry(None));
        assert_eq!(judge_http(407, None), Verdict::Retry(None), "the proxy, not the channel, refused");
        for refused in [301, 400, 401, 403, 404, 410, 413] {
            assert_eq!(judge_http(refused, None), Verdict::Refused, "{refused}");
        }
    }

    #[test]
    fn only_https_urls_or_this_computer_are_accepted() {
        assert!(check_url("https://hooks.slack.com/services/T/B/x").is_ok());
        assert!(check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(check_url("http://hooks.example.com/x").is_err(), "a credential in clear text");
        assert!(check_url("file:///etc/passwd").is_err());
        assert!(check_url("not a url").is_err());
    }

    #[test]
    fn an_ntfy_topic_url_splits_into_its_server_and_topic() {
        let split = |u: &str| {
            let (root, topic) = ntfy_root_and_topic(&url::Url::parse(u).unwrap()).unwrap();
            (root.to_string(), topic)
        };
        assert_eq!(split("https://ntfy.sh/fleet-alerts"), ("https://ntfy.sh/".into(), "fleet-alerts".into()));
        assert_eq!(split("https://example.com/ntfy/fleet"), ("https://example.com/ntfy/".into(), "fleet".into()));
        assert!(ntfy_root_and_topic(&url::Url::parse("https://ntfy.sh/").unwrap()).is_err());
    }

    #[test]
    fn discord_says_how_long_to_wait_in_its_body() {
        assert_eq!(
            discord_retry_after(r#"{"message":"You are being rate limited.","retry_after":64.57,"global":false}"#),
            Some(Duration::from_secs(65))
        );
        assert_eq!(discord_retry_after("ok"), None);
    }
}
