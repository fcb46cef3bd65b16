//! One browser tab doing portal work: every navigation and wait has a time limit, page HTML is read
//! in one CDP call, and form actions can be paced like a person's.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::emulation::{SetLocaleOverrideParams, SetScriptExecutionDisabledParams};
use chromiumoxide::cdp::browser_protocol::network::{
    BlockPattern, EnableParams, EventResponseReceived, ResourceType, SetBlockedUrLsParams,
};
use chromiumoxide::cdp::browser_protocol::page::{CaptureScreenshotFormat, EventLoadEventFired};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::page::ScreenshotParams;
use futures::{FutureExt, StreamExt};

use super::{BLOCKED_EXTENSIONS, BrowserError, BrowserOptions};

const POLL: Duration = Duration::from_millis(100);

/// What a navigation ended on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Navigation {
    /// HTTP status of the final document; `None` if the browser reported none (e.g. a cached page).
    pub status: Option<u16>,
    pub retry_after: Option<Duration>,
    /// The address after redirects.
    pub url: String,
}

/// What the in-page `fetch()` script returns.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Fetched {
    Page {
        status: u16,
        #[serde(rename = "retryAfter")]
        retry_after: Option<String>,
        url: String,
        html: String,
    },
    Failed {
        error: String,
        message: String,
    },
}

pub struct PortalPage {
    page: Page,
    timeout: Duration,
    human_delays: Option<(Duration, Duration)>,
    /// Set once the proxy refused its password: what a navigation then shows is the proxy's 407.
    proxy_refused: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for PortalPage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalPage").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

fn command_error(error: impl std::fmt::Display) -> BrowserError {
    let text = error.to_string();
    if text.contains("net::ERR_") { BrowserError::Network(text) } else { BrowserError::Command(text) }
}

impl PortalPage {
    pub(super) async fn prepare(
        page: Page,
        options: &BrowserOptions,
        proxy_refused: Option<Arc<AtomicBool>>,
    ) -> Result<Self, BrowserError> {
        let this = Self { page, timeout: options.page_timeout, human_delays: options.human_delays, proxy_refused };
        // Network events tell us each page's HTTP status (429, 5xx), so the domain is always on.
        this.page.execute(EnableParams::default()).await.map_err(command_error)?;
        if options.block_heavy_resources {
            let mut blocked = SetBlockedUrLsParams::builder();
            for ext in BLOCKED_EXTENSIONS {
                blocked = blocked.url_pattern(BlockPattern::new(format!("*://*:*/*.{ext}"), true));
            }
            this.page.execute(blocked.build()).await.map_err(command_error)?;
        }
        if let Some(zone) = &options.timezone {
            this.page.emulate_timezone(zone.clone()).await.map_err(command_error)?;
        }
        if let Some(locale) = &options.locale {
            this.page
                .emulate_locale(SetLocaleOverrideParams { locale: Some(locale.clone()) })
                .await
                .map_err(command_error)?;
        }
        Ok(this)
    }

    fn timeout_error(&self, what: impl Into<String>) -> BrowserError {
        BrowserError::Timeout { what: what.into(), seconds: self.timeout.as_secs() }
    }

    async fn limited<T>(
        &self,
        what: &str,
        future: impl Future<Output = Result<T, chromiumoxide::error::CdpError>>,
    ) -> Result<T, BrowserError> {
        tokio::time::timeout(self.timeout, future).await.map_err(|_| self.timeout_error(what))?.map_err(command_error)
    }

    /// Opens `url` and waits for it to load.
    pub async fn goto(&self, url: &str) -> Result<(), BrowserError> {
        let loaded = self.limited(&format!("{url} to load"), self.page.goto(url)).await;
        if self.proxy_refused.as_ref().is_some_and(|refused| refused.load(Ordering::SeqCst)) {
            return Err(BrowserError::ProxyRefused);
        }
        loaded.map(|_| ()).map_err(|error| match error {
            // Chromium's words for a 4xx/5xx document, which says nothing of which page it was.
            BrowserError::Network(m) if m.contains("ERR_HTTP_RESPONSE_CODE_FAILURE") => {
                BrowserError::Network(format!("{url} answered with an error page ({m})"))
            }
            BrowserError::Network(m) => BrowserError::Network(format!("{url}: {m}")),
            other => other,
        })
    }

    /// Opens `url`, waits for it to load, and reports the HTTP status and `Retry-After` of the
    /// document that finally loaded (after redirects).
    pub async fn navigate(&self, url: &str) -> Result<Navigation, BrowserError> {
        let mut responses = self.page.event_listener::<EventResponseReceived>().await.map_err(command_error)?;
        self.goto(url).await?;
        let mut last = None;
        while let Some(Some(event)) = responses.next().now_or_never() {
            if event.r#type == ResourceType::Document {
                last = Some(event);
            }
        }
        let status = last.as_ref().and_then(|e| u16::try_from(e.response.status).ok());
        let retry_after = last.as_ref().and_then(|e| {
            let headers = e.response.headers.inner().as_object()?;
            let value = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))?.1;
            value.as_str()?.trim().parse::<u64>().ok().map(Duration::from_secs)
        });
        Ok(Navigation { status, retry_after, url: self.url().await? })
    }

    pub async fn url(&self) -> Result<String, BrowserError> {
        Ok(self.limited("the page address", self.page.url()).await?.unwrap_or_default())
    }

    /// Runs `script` (an expression, awaited if it is a promise) in the page and returns its value.
    /// The script's own limits end slow work; this one covers a browser that stopped answering.
    async fn evaluate<T: serde::de::DeserializeOwned>(&self, script: String, what: &str) -> Result<T, BrowserError> {
        let params = EvaluateParams::builder()
            .expression(script)
            .await_promise(true)
            .return_by_value(true)
            .build()
            .map_err(command_error)?;
        let outcome =
            tokio::time::timeout(self.timeout + Duration::from_secs(5), self.page.evaluate_expression(params))
                .await
                .map_err(|_| self.timeout_error(what))?
                .map_err(command_error)?;
        outcome.into_value().map_err(command_error)
    }

    /// Reads `url` with `fetch()` inside this page: same cookies and connection pool as a
    /// navigation, but nothing is parsed, styled or laid out, and the tab stays where it is, so many
    /// reads can share one tab. Only for pages the server renders; the HTML is what it sent.
    pub async fn fetch_html(&self, url: &str) -> Result<(Navigation, String), BrowserError> {
        let target = serde_json::to_string(url).map_err(command_error)?;
        let limit_ms = self.timeout.as_millis();
        // Errors come back as values: a rejected promise would only say "Uncaught (in promise)".
        let script = format!(
            "(async () => {{ try {{ \
               const r = await fetch({target}, {{ credentials: 'same-origin', signal: AbortSignal.timeout({limit_ms}) }}); \
               return {{ status: r.status, retryAfter: r.headers.get('retry-after'), url: r.url, html: await r.text() }}; \
             }} catch (e) {{ return {{ error: e.name, message: String(e.message) }}; }} }})()"
        );
        match self.evaluate::<Fetched>(script, url).await? {
            Fetched::Page { status, retry_after, url, html } => {
                let retry_after = retry_after.and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
                Ok((Navigation { status: Some(status), retry_after, url }, html))
            }
            Fetched::Failed { error, .. } if error == "TimeoutError" => Err(self.timeout_error(url)),
            Fetched::Failed { error, message } => Err(BrowserError::Network(format!("{url}: {error}: {message}"))),
        }
    }

    /// Calls an API on another origin with `fetch()` from this page, as the page's own scripts do:
    /// the page's origin, the browser's CORS checks (a preflight for custom headers), no cookies.
    /// Returns the status and the body text; a refused or failed request is a network error.
    pub async fn fetch_api(
        &self,
        url: &str,
        method: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<(u16, String), BrowserError> {
        let init = serde_json::json!({
            "method": method,
            "headers": headers.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v))).collect::<serde_json::Map<_, _>>(),
            "body": body,
            "credentials": "omit",
        });
        let target = serde_json::to_string(url).map_err(command_error)?;
        let limit_ms = self.timeout.as_millis();
        let script = format!(
            "(async () => {{ try {{ \
               const init = {init}; init.signal = AbortSignal.timeout({limit_ms}); if (init.body === null) delete init.body; \
               const r = await fetch({target}, init); \
               return {{ status: r.status, retryAfter: r.headers.get('retry-after'), url: r.url, html: await r.text() }}; \
             }} catch (e) {{ return {{ error: e.name, message: String(e.message) }}; }} }})()"
        );
        match self.evaluate::<Fetched>(script, url).await? {
            Fetched::Page { status, html, .. } => Ok((status, html)),
            Fetched::Failed { error, .. } if error == "TimeoutError" => Err(self.timeout_error(url)),
            Fetched::Failed { error, message } => Err(BrowserError::Network(format!("{url}: {error}: {message}"))),
        }
    }

    /// Makes this a tab that only lends its origin to TruckIQ's own calls: the documents it loads
    /// run none of their scripts (TruckIQ's evaluations still run), and their scripts and styles are
    /// not even fetched, so opening the page costs one request.
    pub async fn lend_origin_only(&self) -> Result<(), BrowserError> {
        let params = SetScriptExecutionDisabledParams::new(true);
        self.limited("the page's scripts to stop", self.page.execute(params)).await?;
        let mut blocked = SetBlockedUrLsParams::builder();
        for ext in BLOCKED_EXTENSIONS.iter().chain(&["css", "js", "mjs"]) {
            blocked = blocked.url_pattern(BlockPattern::new(format!("*://*:*/*.{ext}"), true));
        }
        self.limited("the page's subresources to be blocked", self.page.execute(blocked.build())).await.map(|_| ())
    }

    /// Sends the page to `url` from its own script and returns at once: for a single-page app a
    /// change of the `#` route is no page load, so there is nothing to wait for; callers poll for
    /// what they expect instead.
    pub async fn assign(&self, url: &str) -> Result<(), BrowserError> {
        let url = serde_json::to_string(url).map_err(command_error)?;
        self.evaluate::<bool>(format!("location.assign({url}), true"), "the page to move").await.map(|_| ())
    }

    /// The page's `localStorage` value for `key`, if the page has one.
    pub async fn local_storage(&self, key: &str) -> Result<Option<String>, BrowserError> {
        let key = serde_json::to_string(key).map_err(command_error)?;
        self.evaluate(format!("localStorage.getItem({key})"), "the page's storage").await
    }

    /// Sets (or with `None`, removes) the page's `localStorage` value for `key`.
    pub async fn set_local_storage(&self, key: &str, value: Option<&str>) -> Result<(), BrowserError> {
        let key = serde_json::to_string(key).map_err(command_error)?;
        let script = match value {
            Some(value) => {
                format!("localStorage.setItem({key}, {}), true", serde_json::to_string(value).map_err(command_error)?)
            }
            None => format!("localStorage.removeItem({key}), true"),
        };
        self.evaluate::<bool>(script, "the page's storage").await.map(|_| ())
    }

    /// The addresses this page has requested so far (its resource timing entries): what a script on
    /// it talks to, without seeing any of the requests' contents.
    pub async fn requested_urls(&self) -> Result<Vec<String>, BrowserError> {
        self.evaluate("performance.getEntriesByType('resource').map(e => e.name)".to_owned(), "the page's requests")
            .await
    }

    /// The text of the first element matching `css` that a person can see, if any.
    pub async fn visible_text(&self, css: &str) -> Result<Option<String>, BrowserError> {
        let css = serde_json::to_string(css).map_err(command_error)?;
        let script = format!(
            "(() => {{ for (const e of document.querySelectorAll({css})) {{ \
               const text = (e.innerText || '').trim(); if (!e.hidden && e.offsetParent !== null && text) return text; }} \
               return null; }})()"
        );
        self.evaluate(script, "the page's messages").await
    }

    /// The whole document as HTML, in one CDP call.
    /// The page's HTML, if it is not larger than [`crate::limits::MAX_BODY_BYTES`]: its length is
    /// asked first, so a giant page never crosses into this process.
    pub async fn html(&self) -> Result<String, BrowserError> {
        let script = "document.documentElement ? document.documentElement.outerHTML.length : 0";
        let length: usize = self.evaluate(script.to_owned(), "the page size").await?;
        if length > crate::limits::MAX_BODY_BYTES {
            return Err(BrowserError::TooLarge(self.url().await.unwrap_or_default()));
        }
        self.limited("the page HTML", self.page.content()).await
    }

    pub async fn exists(&self, css: &str) -> bool {
        !css.is_empty() && self.page.find_element(css).await.is_ok()
    }

    /// Waits until something matches `css` (a selector group is fine); errors with a timeout naming
    /// `what`. Waiting on selectors rather than network idle keeps slow analytics from stalling us.
    pub async fn wait_for(&self, css: &str, what: &str) -> Result<(), BrowserError> {
        let deadline = Instant::now() + self.timeout;
        while Instant::now() < deadline {
            if self.exists(css).await {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
        Err(self.timeout_error(what))
    }

    async fn pause(&self) {
        if let Some((low, high)) = self.human_delays {
            use rand::Rng;
            let span = high.saturating_sub(low).as_millis() as u64;
            let extra = if span == 0 { 0 } else { rand::rng().random_range(0..=span) };
            tokio::time::sleep(low + Duration::from_millis(extra)).await;
        }
    }

    /// Replaces the value of the first input matching `css` by typing `text`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<(), BrowserError> {
        self.pause().await;
        let element = self.page.find_element(css).await.map_err(|_| BrowserError::MissingElement(css.into()))?;
        element.call_js_fn("function() { this.value = ''; }", false).await.map_err(command_error)?;
        element.click().await.map_err(command_error)?;
        element.type_str(text).await.map_err(command_error)?;
        Ok(())
    }

    /// Ticks (`on`) or clears a checkbox, clicking it only if it is not that way yet, as a
    /// person would.
    pub async fn set_checked(&self, css: &str, on: bool) -> Result<(), BrowserError> {
        self.pause().await;
        let element = self.page.find_element(css).await.map_err(|_| BrowserError::MissingElement(css.into()))?;
        let toggle = if on {
            "function() { if (!this.checked) { this.click(); } }"
        } else {
            "function() { if (this.checked) { this.click(); } }"
        };
        element.call_js_fn(toggle, false).await.map_err(command_error)?;
        Ok(())
    }

    /// Clicks the first element matching `css`, without waiting for a page load (a single-page
    /// app changes its page in place).
    pub async fn click(&self, css: &str) -> Result<(), BrowserError> {
        self.pause().await;
        let element = self.page.find_element(css).await.map_err(|_| BrowserError::MissingElement(css.into()))?;
        element.click().await.map_err(command_error)?;
        Ok(())
    }

    /// Clicks and waits for the page it leads to. The load listener is subscribed before the click:
    /// `wait_for_navigation` after a click returns at once.
    pub async fn click_and_wait(&self, css: &str) -> Result<(), BrowserError> {
        self.pause().await;
        let mut loaded = self.page.event_listener::<EventLoadEventFired>().await.map_err(command_error)?;
        let element = self.page.find_element(css).await.map_err(|_| BrowserError::MissingElement(css.into()))?;
        element.click().await.map_err(command_error)?;
        tokio::time::timeout(self.timeout, loaded.next())
            .await
            .map_err(|_| self.timeout_error(format!("the page after clicking {css}")))?;
        Ok(())
    }

    /// Raises this tab and its window above the others, for a person who has to act in it.
    pub async fn bring_to_front(&self) -> Result<(), BrowserError> {
        self.limited("the window to come to the front", self.page.bring_to_front()).await.map(|_| ())
    }

    /// Saves a PNG of the visible page.
    pub async fn screenshot(&self, path: &Path) -> Result<(), BrowserError> {
        let params = ScreenshotParams::builder().format(CaptureScreenshotFormat::Png).build();
        let bytes = self.limited("a screenshot", self.page.screenshot(params)).await?;
        crate::artifacts::write_private(path, &bytes)
            .map_err(|e| BrowserError::Command(format!("cannot write {}: {e}", path.display())))
    }

    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.page.close()).await;
    }
}
