//! Driving a real Chromium through the DevTools protocol (`chromiumoxide`): finding it, launching
//! it with the flags a closed network needs, supervising its event handler, timing out every wait,
//! and always closing and reaping it.

mod locate;
mod page;
mod pipe;
mod process;
mod proxy_auth;
mod session;

use std::path::PathBuf;
use std::time::Duration;

pub use locate::{candidates, find_browser};
pub use page::{Navigation, PortalPage};
pub use process::{kill_profile_processes, profile_processes, user_data_dir_arg};
pub use proxy_auth::{Answer, ProxyCredentials, answer as proxy_answer};
pub use session::BrowserSession;

/// A `tracing` filter directive for programs that drive Chromium: chromiumoxide warns about every
/// CDP event a newer Chromium sends that it has no type for, which is noise to a user, so only its
/// errors show unless RUST_LOG asks for more.
pub const QUIET_CDP_NOISE: &str = "chromiumoxide::handler=error";

#[derive(Debug, Clone, thiserror::Error)]
pub enum BrowserError {
    #[error("{0}; install Chromium or set the browser path in Settings")]
    Unavailable(String),
    #[error("Chromium could not start: {0}")]
    Launch(String),
    #[error("timed out after {seconds} s waiting for {what}")]
    Timeout { what: String, seconds: u64 },
    #[error("the browser stopped responding: {0}")]
    Crashed(String),
    #[error("browser command failed: {0}")]
    Command(String),
    #[error("the page has no element matching {0}")]
    MissingElement(String),
    #[error("cannot reach the portal: {0}")]
    Network(String),
    /// A page beyond [`crate::limits::MAX_BODY_BYTES`]: not read.
    #[error("the page {0} is larger than 20 MiB; TruckIQ does not read it")]
    TooLarge(String),
    /// The proxy refused the saved user name and password. Not tried again.
    #[error(
        "the proxy refused the user name and password saved for it; enter the proxy password again in Settings → Sync"
    )]
    ProxyRefused,
}

/// How to run the browser. Defaults suit a scheduled, headless sync.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// Browser binary; `None` searches the standard places.
    pub executable: Option<PathBuf>,
    /// Off for the visible window a person finishes an MFA challenge in.
    pub headless: bool,
    /// `http://host:port`, never with credentials in it: Chromium's command line is readable by
    /// every local user.
    pub proxy: Option<String>,
    /// The proxy's sign-in, answered through Chromium's auth challenge.
    pub proxy_credentials: Option<ProxyCredentials>,
    pub user_agent: Option<String>,
    pub viewport: (u32, u32),
    /// IANA zone the pages see, e.g. "America/Chicago".
    pub timezone: Option<String>,
    /// e.g. "en-US".
    pub locale: Option<String>,
    /// Random pause between form actions, to type like a person (the specs ask for 0.5-1.5 s).
    pub human_delays: Option<(Duration, Duration)>,
    /// Limit for each navigation and each wait for an element.
    pub page_timeout: Duration,
    /// Skip images, fonts and media: the data is in the HTML.
    pub block_heavy_resources: bool,
    /// Extra certificate keys to trust (base64 SHA-256 of the SubjectPublicKeyInfo): only for a
    /// local portal simulator serving HTTPS under a self-signed certificate. Empty for real portals.
    pub trusted_spki: Vec<String>,
    /// The same local simulator's certificates (DER), for TruckIQ's own HTTPS calls (a gateway
    /// read directly after a browser sign-in). Empty for real portals.
    pub trusted_der: Vec<Vec<u8>>,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            executable: None,
            headless: true,
            proxy: None,
            proxy_credentials: None,
            user_agent: None,
            viewport: (1366, 900),
            timezone: None,
            locale: Some("en-US".to_owned()),
            human_delays: None,
            page_timeout: Duration::from_secs(30),
            block_heavy_resources: true,
            trusted_spki: Vec::new(),
            trusted_der: Vec::new(),
        }
    }
}

impl BrowserOptions {
    /// The same proxy for TruckIQ's own HTTP calls (the gateway, the Decisiv API), signing in with
    /// `Proxy-Authorization`, which goes to the proxy only.
    pub fn http_proxy(&self) -> Result<Option<reqwest::Proxy>, String> {
        let Some(url) = &self.proxy else { return Ok(None) };
        let proxy = reqwest::Proxy::all(url).map_err(|e| format!("the proxy {url:?}: {e}"))?;
        Ok(Some(match &self.proxy_credentials {
            Some(sign_in) => proxy.basic_auth(&sign_in.username, sign_in.password.expose()),
            None => proxy,
        }))
    }
}

/// File endings blocked (as `Network.setBlockedURLs` URL patterns) when heavy resources are skipped.
const BLOCKED_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "avif", "svg", "ico", "bmp", "woff", "woff2", "ttf", "otf", "eot", "mp4",
    "webm", "ogg", "mp3", "wav", "m4a", "mov",
];

/// Command-line switches (without their leading `--`) for a closed network: without the
/// background-networking ones Chromium stalls on connections it cannot make. The rest keep a
/// headless browser from throttling, prompting or phoning home.
pub fn launch_args(options: &BrowserOptions) -> Vec<String> {
    let mut args: Vec<String> = [
        // DevTools on fds 3 and 4, no port: see `pipe`.
        "remote-debugging-pipe",
        "disable-gpu",
        "disable-background-networking",
        "disable-component-update",
        "disable-sync",
        "no-first-run",
        "disable-default-apps",
        "disable-extensions",
        "disable-features=Translate,TranslateUI,MediaRouter,OptimizationHints",
        "disable-background-timer-throttling",
        "disable-backgrounding-occluded-windows",
        "disable-renderer-backgrounding",
        "disable-breakpad",
        "disable-client-side-phishing-detection",
        "disable-component-extensions-with-background-pages",
        "disable-dev-shm-usage",
        "disable-hang-monitor",
        "disable-ipc-flooding-protection",
        "disable-popup-blocking",
        "disable-prompt-on-repost",
        "force-color-profile=srgb",
        "metrics-recording-only",
        "no-default-browser-check",
        "password-store=basic",
        "use-mock-keychain",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    // Chromium's sandbox cannot start as root; for anyone else it stays on.
    if running_as_root() {
        args.push("no-sandbox".to_owned());
    }
    args.push(format!("window-size={},{}", options.viewport.0, options.viewport.1));
    if options.headless {
        args.extend(["headless=new", "hide-scrollbars", "mute-audio"].map(str::to_owned));
    }
    if let Some(proxy) = &options.proxy {
        args.push(format!("proxy-server={proxy}"));
    }
    if let Some(agent) = &options.user_agent {
        args.push(format!("user-agent={agent}"));
    }
    if let Some(locale) = &options.locale {
        args.push(format!("lang={locale}"));
    }
    // Chromium honours this only together with --user-data-dir, which every session sets.
    if !options.trusted_spki.is_empty() {
        args.push(format!("ignore-certificate-errors-spki-list={}", options.trusted_spki.join(",")));
    }
    args
}

#[cfg(unix)]
fn running_as_root() -> bool {
    rustix::process::getuid().is_root()
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_have_no_leading_dashes_and_carry_the_options() {
        let options = BrowserOptions {
            proxy: Some("http://127.0.0.1:3128".into()),
            user_agent: Some("TruckIQ".into()),
            trusted_spki: vec!["a=".into(), "b=".into()],
            ..BrowserOptions::default()
        };
        let args = launch_args(&options);
        assert!(args.iter().all(|a| !a.starts_with('-')), "chromiumoxide adds the dashes: {args:?}");
        assert_eq!(args.iter().any(|a| a == "no-sandbox"), running_as_root(), "the sandbox is off only for root");
        for expected in [
            "headless=new",
            "window-size=1366,900",
            "disable-background-networking",
            "proxy-server=http://127.0.0.1:3128",
            "user-agent=TruckIQ",
            "lang=en-US",
            "ignore-certificate-errors-spki-list=a=,b=",
        ] {
            assert!(args.iter().any(|a| a == expected), "missing {expected}");
        }
    }
}
