//! Signing in to PACCAR Solutions the way a person does: the app's own login page in Chromium,
//! the credentials typed only on the app's origin (or a sign-in origin the profile names), and the
//! token read from where the app keeps it. A sign-in page anywhere else is left to a person.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use url::Url;

use super::profile::SolutionsProfile;
use crate::browser::{BrowserOptions, BrowserSession, PortalPage};
use crate::portal::error::ConnectorError;
use crate::portal::login::Credentials;
use crate::portal::origin::PortalOrigin;
use crate::secrets::Sensitive;

const POLL: Duration = Duration::from_millis(150);

/// What TruckIQ keeps in the keychain between runs: the app's token and the gateway it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub gateway: String,
}

impl Session {
    pub fn to_secret(&self) -> Sensitive<String> {
        Sensitive::new(serde_json::to_string(self).unwrap_or_default())
    }

    /// A session saved by this version; anything else (e.g. a browser layout's cookies) is none.
    pub fn from_secret(secret: &Sensitive<String>) -> Option<Self> {
        serde_json::from_str::<Self>(secret.expose()).ok().filter(|s| !s.token.is_empty())
    }
}

fn origin_of(url: &str) -> Option<String> {
    Url::parse(url).ok().map(|u| u.origin().ascii_serialization())
}

/// The token as the app stored it: a JSON string (known) or, if the profile says so, bare.
fn parse_token(stored: &str, profile: &SolutionsProfile) -> Option<String> {
    let token =
        if profile.app.token_is_json { serde_json::from_str::<String>(stored).ok()? } else { stored.to_owned() };
    Some(token).filter(|t| !t.trim().is_empty())
}

/// The gateway the app talks to, from its own requests; the profile's address when it made none
/// that the profile's endpoints recognise.
async fn gateway_of(page: &PortalPage, profile: &SolutionsProfile) -> String {
    let fallback = profile.gateway.url.trim_end_matches('/').to_owned();
    if !profile.gateway.discover {
        return fallback;
    }
    let endpoints = [&profile.endpoints.login, &profile.endpoints.search, &profile.endpoints.refresh];
    let seen = page.requested_urls().await.unwrap_or_default();
    seen.iter()
        .filter_map(|u| Url::parse(u).ok())
        .find_map(|u| {
            let path = u.path();
            let endpoint = endpoints.iter().find(|e| path.ends_with(e.as_str()))?;
            // Keep a path prefix the gateway may be mounted under.
            let prefix = &path[..path.len() - endpoint.len()];
            Some(format!("{}{}", u.origin().ascii_serialization(), prefix.trim_end_matches('/')))
        })
        .unwrap_or(fallback)
}

/// Where the sign-in stands, read off the page.
enum Step {
    /// The app holds a token.
    Token(String),
    /// The form is shown on an origin credentials may go to.
    Form,
    /// A page on an origin they may not go to.
    Foreign(String),
    Rejected(String),
    Waiting,
}

async fn step(page: &PortalPage, app: &PortalOrigin, profile: &SolutionsProfile) -> Step {
    let Ok(url) = page.url().await else {
        return Step::Waiting;
    };
    let Some(origin) = origin_of(&url) else {
        return Step::Waiting;
    };
    if origin == app.origin()
        && let Ok(Some(stored)) = page.local_storage(&profile.app.token_key).await
        && let Some(token) = parse_token(&stored, profile)
    {
        return Step::Token(token);
    }
    if let Ok(Some(message)) = page.visible_text(&profile.login.error.css()).await {
        return Step::Rejected(message);
    }
    if app.check_sign_in_page(&url).is_err() {
        return Step::Foreign(origin);
    }
    if page.exists(&profile.login.password.css()).await && page.exists(&profile.login.username.css()).await {
        return Step::Form;
    }
    Step::Waiting
}

/// The session the app just stored, taken out of the browser: TruckIQ keeps it in the keychain,
/// and an app that finds no token in this profile next time starts idle on its login page instead
/// of loading its dashboard (and refreshing the token behind TruckIQ's back).
async fn taken(page: &PortalPage, profile: &SolutionsProfile, token: String) -> Result<Session, ConnectorError> {
    let gateway = gateway_of(page, profile).await;
    page.set_local_storage(&profile.app.token_key, None).await?;
    Ok(Session { token, gateway })
}

/// Opens the app, forgets any token an earlier run left in this browser profile (a sign-in starts
/// afresh), and sends the app to its login route.
async fn open_login(page: &PortalPage, app: &PortalOrigin, profile: &SolutionsProfile) -> Result<(), ConnectorError> {
    page.goto(&app.url("/")?).await?;
    page.set_local_storage(&profile.app.token_key, None).await?;
    page.assign(&app.url(&profile.app.login)?).await?;
    Ok(())
}

fn rejected(message: String, profile: &SolutionsProfile) -> ConnectorError {
    let lower = message.to_lowercase();
    let locked = profile.login.locked_text.iter().any(|w| lower.contains(&w.to_lowercase()));
    ConnectorError::LoginRejected { message, locked }
}

/// Types the credentials and submits, checking where the page really is before each field. An
/// app may show its own form for a moment and then send the browser to a hosted sign-in; a page
/// that moved is not typed into (`false`) and is looked at again by the caller, which then finds
/// the foreign origin and asks for a person.
async fn fill_where_trusted(
    page: &PortalPage,
    app: &PortalOrigin,
    profile: &SolutionsProfile,
    credentials: &Credentials,
) -> Result<bool, ConnectorError> {
    let moved = |error: ConnectorError| {
        tracing::debug!(%error, "the sign-in page moved before its form was filled");
        Ok(false)
    };
    if let Err(error) = app.check_sign_in_page(&page.url().await?) {
        return moved(error);
    }
    page.fill(&profile.login.username.css(), &credentials.username).await?;
    if let Err(error) = app.check_sign_in_page(&page.url().await?) {
        return moved(error);
    }
    page.fill(&profile.login.password.css(), credentials.password.expose()).await?;
    page.click(&profile.login.submit.css()).await?;
    Ok(true)
}

/// Signs in on `page` with one password attempt and returns the app's token and gateway. A
/// rejection is returned, never retried; a sign-in page on an origin the profile does not trust is
/// [`ConnectorError::SignInNeedsPerson`].
pub async fn sign_in(
    page: &PortalPage,
    app: &PortalOrigin,
    profile: &SolutionsProfile,
    credentials: &Credentials,
) -> Result<Session, ConnectorError> {
    open_login(page, app, profile).await?;
    let deadline = Instant::now() + Duration::from_secs(profile.app.wait_seconds);
    let mut typed = false;
    loop {
        match step(page, app, profile).await {
            Step::Token(token) => return taken(page, profile, token).await,
            Step::Rejected(message) if typed => return Err(rejected(message, profile)),
            Step::Foreign(origin) => return Err(ConnectorError::SignInNeedsPerson { origin }),
            Step::Form if !typed => typed = fill_where_trusted(page, app, profile, credentials).await?,
            Step::Rejected(_) | Step::Form | Step::Waiting => {}
        }
        if Instant::now() >= deadline {
            let waited = if typed { "the token after signing in" } else { "the sign-in form" };
            return Err(ConnectorError::PortalChanged {
                page: "sign-in".into(),
                selector: format!(
                    "{waited} (localStorage {:?}, form {})",
                    profile.app.token_key,
                    profile.login.username.css()
                ),
                screenshot: None,
                html: None,
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Opens a visible window on the app's sign-in and waits, up to `wait`, for a person to finish it
/// wherever it leads; TruckIQ types nothing.
pub async fn person_signs_in(
    browser: &BrowserOptions,
    profile_dir: &std::path::Path,
    app: &PortalOrigin,
    profile: &SolutionsProfile,
    wait: Duration,
) -> Result<Session, ConnectorError> {
    let visible = BrowserOptions { headless: false, block_heavy_resources: false, ..browser.clone() };
    let session = BrowserSession::launch(&visible, profile_dir).await?;
    let result = async {
        let page = session.new_page().await?;
        open_login(&page, app, profile).await?;
        if let Err(error) = page.bring_to_front().await {
            tracing::warn!(%error, "could not raise the sign-in window");
        }
        tracing::warn!("waiting up to {} s for a person to sign in to PACCAR Solutions", wait.as_secs());
        let deadline = Instant::now() + wait;
        loop {
            if let Step::Token(token) = step(&page, app, profile).await {
                return taken(&page, profile, token).await;
            }
            if Instant::now() >= deadline {
                return Err(ConnectorError::MfaRequired);
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    .await;
    session.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_as_the_app_stores_it() {
        let p = SolutionsProfile::builtin().unwrap();
        assert_eq!(parse_token("\"pnet.abc\"", &p).as_deref(), Some("pnet.abc"));
        assert_eq!(parse_token("pnet.abc", &p), None, "the app stores JSON; a bare value is not its token");
        assert_eq!(parse_token("\"\"", &p), None);
        let bare = SolutionsProfile::with_override("[app]\ntoken_is_json = false\n", "t").unwrap();
        assert_eq!(parse_token("pnet.abc", &bare).as_deref(), Some("pnet.abc"));
    }

    #[test]
    fn sessions_round_trip_and_cookies_are_not_a_session() {
        let s = Session { token: "t".into(), gateway: "https://gw.example".into() };
        assert_eq!(Session::from_secret(&s.to_secret()), Some(s));
        assert_eq!(Session::from_secret(&Sensitive::new("[{\"name\":\"sid\"}]".to_owned())), None);
    }
}
