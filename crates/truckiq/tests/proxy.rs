//! A real Chromium behind an authenticating proxy: it signs in through the proxy's auth challenge,
//! the password is never on a command line, a site's own challenge never gets it, and a password
//! the proxy refused is sent once and never again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/proxy.rs"]
mod proxy;

use std::time::Duration;

use proxy::TestProxy;
use truckiq::browser::{BrowserError, BrowserOptions, BrowserSession, ProxyCredentials, profile_processes};

const PASSWORD: &str = "Corp-Proxy-2026!";

fn options(proxy: &TestProxy, password: &str) -> BrowserOptions {
    BrowserOptions {
        proxy: Some(proxy.url.clone()),
        proxy_credentials: Some(ProxyCredentials { username: "fleet".into(), password: password.into() }),
        page_timeout: Duration::from_secs(10),
        ..BrowserOptions::default()
    }
}

#[tokio::test]
async fn chromium_signs_in_to_the_proxy_through_its_challenge_and_never_on_its_command_line() {
    let proxy = TestProxy::start("fleet", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-1");
    let (html, command_lines) = BrowserSession::with(&options(&proxy, PASSWORD), &profile, async |browser| {
        let page = browser.new_page().await?;
        page.goto("http://portal.test/page").await?;
        let html = page.html().await?;
        let command_lines: Vec<String> = profile_processes(&profile)
            .into_iter()
            .filter_map(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).ok())
            .map(|raw| String::from_utf8_lossy(&raw).into_owned())
            .collect();
        // A site that asks for its own sign-in gets nothing of the proxy's.
        let _ = page.goto("http://portal.test/basic").await;
        page.close().await;
        Ok::<_, BrowserError>((html, command_lines))
    })
    .await
    .unwrap();
    assert!(html.contains("through the proxy"), "the page came through the proxy: {html}");
    assert!(!command_lines.is_empty(), "Chromium's processes were found");
    assert!(command_lines.iter().any(|line| line.contains(&proxy.url)), "the proxy is on the command line");
    assert!(command_lines.iter().all(|line| !line.contains(PASSWORD) && !line.contains("fleet")), "{command_lines:?}");
    let seen = proxy.seen();
    let first = seen.iter().find(|s| s.url.ends_with("/page")).unwrap();
    assert_eq!(first.proxy_sign_in, None, "the password waited for the proxy's challenge");
    assert!(
        seen.iter().any(|s| s.url.ends_with("/page") && s.proxy_sign_in.as_deref() == Some("fleet:Corp-Proxy-2026!"))
    );
    let basic: Vec<_> = seen.iter().filter(|s| s.url.ends_with("/basic")).collect();
    assert!(!basic.is_empty(), "the site's page was asked for");
    assert!(basic.iter().all(|s| s.site_sign_in.is_none()), "a site's challenge got credentials: {basic:?}");
}

#[tokio::test]
async fn a_password_the_proxy_refuses_is_sent_once_and_never_again() {
    let proxy = TestProxy::start("fleet", PASSWORD).await;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("account-1");
    let (first, second) = BrowserSession::with(&options(&proxy, "wrong-password"), &profile, async |browser| {
        let page = browser.new_page().await?;
        let first = page.goto("http://portal.test/page").await;
        let second = page.goto("http://portal.test/other").await;
        page.close().await;
        Ok::<_, BrowserError>((first, second))
    })
    .await
    .unwrap();
    assert!(matches!(first, Err(BrowserError::ProxyRefused)), "{first:?}");
    assert!(matches!(second, Err(BrowserError::ProxyRefused)), "{second:?}");
    assert!(first.unwrap_err().to_string().contains("Settings → Sync"), "it says where to fix it");
    assert_eq!(proxy.signed_in_requests(), 1, "the refused password was tried once: {:?}", proxy.seen());
}
