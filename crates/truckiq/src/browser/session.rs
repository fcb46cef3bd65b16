//! One Chromium process for one run: launched with a per-account profile, its CDP handler
//! supervised for the browser's whole life, and always closed and reaped.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chromiumoxide::browser::Browser;
use chromiumoxide::handler::HandlerConfig;
use futures::StreamExt;
use tokio::task::JoinHandle;

use chromiumoxide::cdp::browser_protocol::network::CookieParam;
use serde::{Deserialize, Serialize};

use super::page::PortalPage;
use super::process::{ChromiumProcess, clear_stale_lock};
use super::proxy_auth::ProxySignIn;
use super::{BrowserError, BrowserOptions, candidates, find_browser, launch_args};
use crate::secrets::Sensitive;

const LAUNCH_TIMEOUT: Duration = Duration::from_secs(20);
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Serialize, Deserialize)]
struct SavedCookie {
    name: String,
    value: String,
    domain: String,
    path: String,
    secure: bool,
    http_only: bool,
}

pub struct BrowserSession {
    /// Shared with the proxy sign-in, which answers challenges for as long as the browser lives.
    browser: Arc<Browser>,
    /// The DevTools bridge's one-time address (closed once connected).
    devtools_url: String,
    handler: JoinHandle<()>,
    proxy_sign_in: Option<ProxySignIn>,
    dead: Arc<AtomicBool>,
    options: BrowserOptions,
    process: ChromiumProcess,
}

impl std::fmt::Debug for BrowserSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSession").field("dead", &self.dead).finish_non_exhaustive()
    }
}

/// Creates (mode 0700 on Unix) the profile folder that keeps one account's portal session between
/// runs. Each account has its own; they are never shared.
pub fn prepare_profile_dir(dir: &Path) -> Result<(), BrowserError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| BrowserError::Launch(format!("cannot create the profile folder {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| BrowserError::Launch(format!("cannot restrict the profile folder {}: {e}", dir.display())))?;
    }
    Ok(())
}

impl BrowserSession {
    /// Launches Chromium on `profile_dir` (created if needed), after clearing what a run that was
    /// killed left on it, and connects to it.
    pub async fn launch(options: &BrowserOptions, profile_dir: &Path) -> Result<Self, BrowserError> {
        let executable = find_browser(options.executable.as_deref(), &candidates())?;
        prepare_profile_dir(profile_dir)?;
        clear_stale_lock(profile_dir).await?;
        // Chromium's scratch files (`$TMPDIR/org.chromium.*`), removed with it. Its own short
        // folder in the system temp: Chromium puts its singleton socket there, and a Unix socket
        // path longer than 107 bytes (easily reached inside a data folder in a long home
        // directory) stops it.
        let scratch = tempfile::Builder::new()
            .prefix("truckiq-")
            .tempdir()
            .map_err(|e| BrowserError::Launch(format!("cannot create a scratch folder for Chromium: {e}")))?;
        prepare_profile_dir(scratch.path())?;
        let args = launch_args(options).into_iter().map(|arg| format!("--{arg}")).collect();
        let (process, url) = ChromiumProcess::start(&executable, profile_dir, args, scratch, LAUNCH_TIMEOUT).await?;
        let config = HandlerConfig {
            // chromiumoxide ignores certificate errors unless told otherwise; a portal password
            // must never go to a server that fails TLS validation.
            ignore_https_errors: false,
            viewport: None,
            request_timeout: options.page_timeout,
            ..HandlerConfig::default()
        };
        let devtools_url = url.clone();
        let (browser, mut handler) = match Browser::connect_with_config(url, config).await {
            Ok(connected) => connected,
            Err(error) => {
                let printed = process.printed();
                process.stop(Duration::ZERO).await;
                return Err(BrowserError::Launch(format!("cannot connect to Chromium: {error} {printed}")));
            }
        };
        // A portal page (or a page that took its place) must not write files on the person's
        // machine: every download is refused. Asked once the handler runs, below.
        let deny = chromiumoxide::cdp::browser_protocol::browser::SetDownloadBehaviorParams::new(
            chromiumoxide::cdp::browser_protocol::browser::SetDownloadBehaviorBehavior::Deny,
        );

        // The handler must be polled for as long as the browser lives or every command hangs.
        // Protocol noise from a newer Chromium is logged and skipped; the stream ending means the
        // connection is gone.
        let dead = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&dead);
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                if let Err(error) = event {
                    tracing::debug!(%error, "CDP handler");
                }
            }
            flag.store(true, Ordering::SeqCst);
        });
        // The first command: where a browser that could not start says so.
        if let Err(error) = browser.execute(deny).await {
            handler.abort();
            let printed = process.printed();
            process.stop(Duration::ZERO).await;
            return Err(BrowserError::Launch(format!(
                "Chromium did not answer its first command ({error}): {printed}"
            )));
        }
        let browser = Arc::new(browser);
        let proxy_sign_in = match (&options.proxy, &options.proxy_credentials) {
            (Some(proxy), Some(credentials)) => {
                match ProxySignIn::start(Arc::clone(&browser), proxy, credentials.clone()).await {
                    Ok(sign_in) => Some(sign_in),
                    Err(error) => {
                        handler.abort();
                        process.stop(Duration::ZERO).await;
                        return Err(error);
                    }
                }
            }
            _ => None,
        };
        Ok(Self { browser, devtools_url, handler, proxy_sign_in, dead, options: options.clone(), process })
    }

    /// Runs `work` with a launched browser and closes it afterwards, whether `work` succeeded or not.
    pub async fn with<T, E>(
        options: &BrowserOptions,
        profile_dir: &Path,
        work: impl AsyncFnOnce(&BrowserSession) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<BrowserError>,
    {
        let session = Self::launch(options, profile_dir).await?;
        let result = work(&session).await;
        session.close().await;
        result
    }

    pub fn is_alive(&self) -> bool {
        !self.dead.load(Ordering::SeqCst)
    }

    /// Where chromiumoxide connected to Chromium's DevTools: a bridge that took that one
    /// connection and no longer listens.
    pub fn devtools_url(&self) -> &str {
        &self.devtools_url
    }

    pub fn options(&self) -> &BrowserOptions {
        &self.options
    }

    /// A new tab, set up for portal work (timeouts, blocked resources, locale, time zone).
    pub async fn new_page(&self) -> Result<PortalPage, BrowserError> {
        if !self.is_alive() {
            return Err(BrowserError::Crashed("the browser connection closed".into()));
        }
        let page = tokio::time::timeout(self.options.page_timeout, self.browser.new_page("about:blank"))
            .await
            .map_err(|_| BrowserError::Timeout {
                what: "a new tab".into(),
                seconds: self.options.page_timeout.as_secs(),
            })?
            .map_err(|e| BrowserError::Command(e.to_string()))?;
        let proxy_refused = self.proxy_sign_in.as_ref().map(ProxySignIn::refused);
        PortalPage::prepare(page, &self.options, proxy_refused).await
    }

    /// The browser's session cookies (those without an expiry) as JSON. Chromium drops them when it
    /// exits even with a persistent profile, so a portal session survives between runs only if
    /// they are saved elsewhere (the keychain: they are as good as a password while they last).
    pub async fn session_cookies(&self) -> Result<Sensitive<String>, BrowserError> {
        let cookies = self.browser.get_cookies().await.map_err(|e| BrowserError::Command(e.to_string()))?;
        let saved: Vec<SavedCookie> = cookies
            .into_iter()
            .filter(|c| c.session)
            .map(|c| SavedCookie {
                name: c.name,
                value: c.value,
                domain: c.domain,
                path: c.path,
                secure: c.secure,
                http_only: c.http_only,
            })
            .collect();
        serde_json::to_string(&saved).map(Sensitive::new).map_err(|e| BrowserError::Command(e.to_string()))
    }

    /// Puts back cookies saved by [`Self::session_cookies`]. Unreadable input is ignored: the
    /// worst case is signing in again.
    pub async fn restore_cookies(&self, saved: &Sensitive<String>) -> Result<(), BrowserError> {
        let Ok(cookies) = serde_json::from_str::<Vec<SavedCookie>>(saved.expose()) else {
            tracing::warn!("saved portal session is unreadable; signing in again");
            return Ok(());
        };
        if cookies.is_empty() {
            return Ok(());
        }
        let params = cookies
            .into_iter()
            .map(|c| {
                let mut param = CookieParam::new(c.name, c.value);
                param.domain = Some(c.domain);
                param.path = Some(c.path);
                param.secure = Some(c.secure);
                param.http_only = Some(c.http_only);
                param
            })
            .collect();
        self.browser.set_cookies(params).await.map_err(|e| BrowserError::Command(e.to_string()))?;
        Ok(())
    }

    /// Closes the browser politely, then forcibly if it does not go, and waits until no process of
    /// it is left.
    pub async fn close(mut self) {
        if let Some(sign_in) = self.proxy_sign_in.take() {
            sign_in.stop().await;
        }
        // The proxy sign-in held the other handle; should anything still hold one, the browser is
        // asked to close over CDP instead.
        let closed = match Arc::get_mut(&mut self.browser) {
            Some(browser) => tokio::time::timeout(CLOSE_TIMEOUT, browser.close()).await.is_ok_and(|r| r.is_ok()),
            None => tokio::time::timeout(
                CLOSE_TIMEOUT,
                self.browser.execute(chromiumoxide::cdp::browser_protocol::browser::CloseParams::default()),
            )
            .await
            .is_ok_and(|r| r.is_ok()),
        };
        if !closed {
            tracing::warn!("browser did not close on request");
        }
        self.process.stop(CLOSE_TIMEOUT).await;
        self.handler.abort();
    }
}
