//! Signing in to an authenticating proxy through Chromium's own auth challenge (CDP `Fetch` on the
//! browser target, so every tab is covered), never through its command line, which every local
//! user can read in `/proc`.
//!
//! Only the proxy's own challenge gets the proxy's password, and only once: a portal's (or any
//! other site's) server challenge never does, and a password the proxy refused is not tried again
//! by this browser. A company proxy checks passwords against the person's directory account, which
//! locks after a few wrong tries, just as a portal does.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chromiumoxide::browser::Browser;
use chromiumoxide::cdp::browser_protocol::fetch::{
    AuthChallenge, AuthChallengeResponse, AuthChallengeResponseResponse, AuthChallengeSource, ContinueRequestParams,
    ContinueWithAuthParams, EnableParams, EventAuthRequired, EventRequestPaused, RequestPattern,
};
use futures::StreamExt;
use tokio::task::JoinHandle;

use super::BrowserError;
use crate::secrets::Sensitive;

/// A proxy's user name and password, from the keychain.
#[derive(Clone, PartialEq)]
pub struct ProxyCredentials {
    pub username: String,
    pub password: Sensitive<String>,
}

impl std::fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyCredentials").field("username", &self.username).field("password", &self.password).finish()
    }
}

/// How one auth challenge is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Provide,
    /// Give up on this request: the page gets the 407 (or 401) itself.
    Cancel,
    /// Chromium's own behaviour: in a visible window a person may type into its dialog; headless
    /// it cancels. For server challenges, which TruckIQ has no credentials for.
    Default,
}

/// The answer to `challenge` from the proxy at `proxy_origin` (e.g. `http://proxy.example:3128`):
/// the password goes only to that proxy, and only while it has not refused it.
pub fn answer(challenge: &AuthChallenge, proxy_origin: &str, already_refused: bool) -> Answer {
    if challenge.source != Some(AuthChallengeSource::Proxy) {
        return Answer::Default;
    }
    let same_proxy =
        url::Url::parse(&challenge.origin).ok().zip(url::Url::parse(proxy_origin).ok()).is_some_and(|(asked, ours)| {
            asked.host_str() == ours.host_str() && asked.port_or_known_default() == ours.port_or_known_default()
        });
    if !same_proxy || already_refused { Answer::Cancel } else { Answer::Provide }
}

/// Answers the proxy's challenges for one browser until it closes. [`Self::refused`] turns true
/// once the proxy has refused the password.
pub(super) struct ProxySignIn {
    task: JoinHandle<()>,
    refused: Arc<AtomicBool>,
}

impl ProxySignIn {
    pub(super) async fn start(
        browser: Arc<Browser>,
        proxy: &str,
        credentials: ProxyCredentials,
    ) -> Result<Self, BrowserError> {
        let command = |e: chromiumoxide::error::CdpError| BrowserError::Command(format!("proxy sign-in: {e}"));
        let mut paused = browser.event_listener::<EventRequestPaused>().await.map_err(command)?;
        let mut challenges = browser.event_listener::<EventAuthRequired>().await.map_err(command)?;
        let enable = EnableParams::builder()
            .handle_auth_requests(true)
            .pattern(RequestPattern::builder().url_pattern("*").build())
            .build();
        browser.execute(enable).await.map_err(command)?;
        let refused = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&refused);
        let proxy = proxy.to_owned();
        let task = tokio::spawn(async move {
            // A request challenged again after it was given the password: the proxy refused it.
            let mut answered = HashSet::new();
            loop {
                tokio::select! {
                    Some(event) = paused.next() => {
                        let _ = browser.execute(ContinueRequestParams::new(event.request_id.clone())).await;
                    }
                    Some(event) = challenges.next() => {
                        let id: String = event.request_id.as_ref().to_owned();
                        if answered.contains(&id) && event.auth_challenge.source == Some(AuthChallengeSource::Proxy) {
                            flag.store(true, Ordering::SeqCst);
                        }
                        let decision = answer(&event.auth_challenge, &proxy, flag.load(Ordering::SeqCst));
                        let mut response = AuthChallengeResponse::new(match decision {
                            Answer::Provide => AuthChallengeResponseResponse::ProvideCredentials,
                            Answer::Cancel => AuthChallengeResponseResponse::CancelAuth,
                            Answer::Default => AuthChallengeResponseResponse::Default,
                        });
                        if decision == Answer::Provide {
                            answered.insert(id);
                            response.username = Some(credentials.username.clone());
                            response.password = Some(credentials.password.expose().clone());
                        }
                        tracing::debug!(origin = %event.auth_challenge.origin, ?decision, "auth challenge");
                        let _ = browser.execute(ContinueWithAuthParams::new(event.request_id.clone(), response)).await;
                    }
                    else => break,
                }
            }
        });
        Ok(Self { task, refused })
    }

    pub(super) fn refused(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.refused)
    }

    /// Stops answering and waits until the task, and its handle on the browser, are gone.
    pub(super) async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for ProxySignIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(source: AuthChallengeSource, origin: &str) -> AuthChallenge {
        AuthChallenge { source: Some(source), origin: origin.into(), scheme: "basic".into(), realm: "corp".into() }
    }

    #[test]
    fn only_the_proxy_itself_gets_the_password_and_only_until_it_refuses() {
        let ours = "http://proxy.example:3128";
        assert_eq!(
            answer(&challenge(AuthChallengeSource::Proxy, "http://proxy.example:3128"), ours, false),
            Answer::Provide
        );
        assert_eq!(
            answer(&challenge(AuthChallengeSource::Server, "https://portal.example"), ours, false),
            Answer::Default,
            "a site's own challenge never gets the proxy's password"
        );
        assert_eq!(
            answer(&challenge(AuthChallengeSource::Proxy, "http://other.example:3128"), ours, false),
            Answer::Cancel,
            "another proxy"
        );
        assert_eq!(
            answer(&challenge(AuthChallengeSource::Proxy, "http://proxy.example:8080"), ours, false),
            Answer::Cancel
        );
        assert_eq!(
            answer(&challenge(AuthChallengeSource::Proxy, "http://proxy.example:3128"), ours, true),
            Answer::Cancel,
            "a refused password is not tried again"
        );
    }
}
