//! What the portal tests share: a browser-like HTTP client.
#![allow(clippy::unwrap_used, dead_code)]

use std::time::Duration;

use portal_sim::Simulator;
use reqwest::StatusCode;
use reqwest::header::{LOCATION, RETRY_AFTER, SET_COOKIE};

/// A cookie-keeping client that does not follow redirects, so each 302 can be checked.
pub struct Browser {
    pub client: reqwest::Client,
    pub base: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl Browser {
    pub fn new(sim: &Simulator) -> Self {
        let mut client = reqwest::Client::builder();
        if let Some(certificate) = sim.certificate() {
            // Trust exactly the simulator's key, as the app's Chromium does; nothing else. Rustls
            // by name: in a workspace build reqwest may also have native TLS.
            client = client
                .use_rustls_tls()
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_der(certificate.der()).unwrap());
        }
        let client = client
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        Self { client, base: sim.base_url() }
    }

    pub async fn page(response: reqwest::Response) -> Page {
        let header =
            |name| response.headers().get(name).map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap().to_owned());
        let location = header(LOCATION);
        let retry_after = header(RETRY_AFTER);
        let set_cookie =
            response.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        Page { status: response.status(), location, set_cookie, retry_after, body: response.text().await.unwrap() }
    }

    pub async fn get(&self, path: &str) -> Page {
        Self::page(self.client.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Self::page(self.client.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()).await
    }
}
