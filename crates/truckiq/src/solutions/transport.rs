//! How gateway calls travel: from inside the signed-in app page (`fetch()` with the app's origin,
//! so the browser's CORS rules apply as they do for the app) or straight from TruckIQ with the
//! app's headers. Either way a call is a method, a path, an optional JSON body and the token.

use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::profile::GatewayProfile;
use crate::browser::PortalPage;
use crate::portal::error::ConnectorError;

/// What the gateway answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// One gateway request.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub method: &'a str,
    /// Under the gateway, e.g. `/v2vehicles`.
    pub path: &'a str,
    pub body: Option<&'a serde_json::Value>,
    pub token: &'a str,
    /// `/refreshToken` also carries the token as a bearer (known).
    pub bearer: bool,
}

pub trait Transport: Send + Sync {
    fn send<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Result<Answer, ConnectorError>>;
}

/// The headers the app sends (known: `X-Auth-Token`, `X-OEM`, `Accept`).
fn app_headers<'a>(profile: &'a GatewayProfile, call: &Call<'a>, bearer: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut headers =
        vec![("Accept", profile.accept.as_str()), ("X-Auth-Token", call.token), ("X-OEM", profile.oem.as_str())];
    if call.body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    if call.bearer {
        headers.push(("Authorization", bearer));
    }
    headers
}

/// Calls made by the signed-in app page.
pub struct PageTransport<'p> {
    pub page: &'p PortalPage,
    pub gateway: String,
    pub profile: GatewayProfile,
}

impl Transport for PageTransport<'_> {
    fn send<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Result<Answer, ConnectorError>> {
        async move {
            let bearer = format!("Bearer {}", call.token);
            let headers = app_headers(&self.profile, &call, &bearer);
            let body = call.body.map(serde_json::Value::to_string);
            let url = format!("{}{}", self.gateway, call.path);
            let (status, body) = self.page.fetch_api(&url, call.method, &headers, body.as_deref()).await?;
            Ok(Answer { status, body })
        }
        .boxed()
    }
}

/// Calls made by TruckIQ itself: no `Origin`, so no preflights; HTTP/2 where the gateway offers it.
pub struct HttpTransport {
    client: reqwest::Client,
    gateway: String,
    profile: GatewayProfile,
}

impl HttpTransport {
    pub fn new(
        gateway: String,
        profile: GatewayProfile,
        proxy: Option<reqwest::Proxy>,
        timeout: Duration,
        trusted_der: &[Vec<u8>],
    ) -> Result<Self, ConnectorError> {
        let mut client = reqwest::Client::builder().timeout(timeout).connect_timeout(Duration::from_secs(10));
        for der in trusted_der {
            let certificate = reqwest::Certificate::from_der(der)
                .map_err(|e| ConnectorError::InvalidAddress(format!("a trusted certificate is not valid: {e}")))?;
            client = client.add_root_certificate(certificate);
        }
        if let Some(proxy) = proxy {
            client = client.proxy(proxy);
        }
        let client = client.build().map_err(|e| ConnectorError::Network(format!("cannot set up HTTPS: {e}")))?;
        Ok(Self { client, gateway, profile })
    }
}

impl Transport for HttpTransport {
    fn send<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Result<Answer, ConnectorError>> {
        async move {
            let url = format!("{}{}", self.gateway, call.path);
            let method = reqwest::Method::from_bytes(call.method.as_bytes())
                .map_err(|e| ConnectorError::InvalidAddress(format!("{}: {e}", call.method)))?;
            let bearer = format!("Bearer {}", call.token);
            let mut request = self.client.request(method, &url);
            for (name, value) in app_headers(&self.profile, &call, &bearer) {
                request = request.header(name, value);
            }
            if let Some(body) = call.body {
                request = request.body(body.to_string());
            }
            let response = request.send().await.map_err(|e| {
                if e.is_timeout() {
                    ConnectorError::Timeout(format!("timed out waiting for {url}"))
                } else {
                    ConnectorError::Network(format!("{url}: {e}"))
                }
            })?;
            let status = response.status().as_u16();
            // The proxy's, not the gateway's: its saved password was refused.
            if status == 407 {
                return Err(ConnectorError::ProxyRefused(crate::browser::BrowserError::ProxyRefused.to_string()));
            }
            let body = crate::limits::body_text(response).await.map_err(|e| match e {
                crate::limits::BodyError::TooLarge => {
                    ConnectorError::GatewayChanged { endpoint: url.to_string(), problem: e.to_string(), response: None }
                }
                crate::limits::BodyError::Network(e) => ConnectorError::Network(format!("{url}: {e}")),
            })?;
            Ok(Answer { status, body })
        }
        .boxed()
    }
}
