//! Signing in to a portal in the browser: reuse a live session, else username/password, then
//! whatever the portal asks next ("already logged in", MFA, Policies & Agreements) until the
//! signed-in pages open. TOTP is answered automatically; a code sent by text or e-mail needs a person.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scraper::Html;

use super::error::ConnectorError;
use super::origin::PortalOrigin;
use super::parse::{cell, present};
use super::profile::{Profile, Selectors};
use crate::browser::PortalPage;
use crate::secrets::totp::submit_time;
use crate::secrets::{Sensitive, TotpSecret};

/// Seconds a TOTP code must still be valid for when we submit it.
const MIN_TOTP_REMAINING: u64 = 5;
/// Sign-in steps after the password form; more means the portal is going in circles.
const MAX_STEPS: usize = 6;

pub struct Credentials {
    pub username: String,
    pub password: Sensitive<String>,
    pub totp: Option<TotpSecret>,
    /// Tick the portal's "trust this device" box (the account's choice).
    pub trust_device: bool,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// The saved session was still valid: no password was sent.
    Reused,
    SignedIn,
}

/// The TOTP steps already submitted, per account, so no code is ever sent twice.
#[derive(Debug, Default)]
pub struct TotpLedger(Mutex<HashMap<String, u64>>);

impl TotpLedger {
    fn last(&self, key: &str) -> Option<u64> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(key).copied()
    }

    fn record(&self, key: &str, step: u64) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(key.to_owned(), step);
    }
}

/// What a page in the sign-in sequence is asking for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInPage {
    /// The password form, with the portal's error text if it showed one.
    Login {
        error: Option<String>,
    },
    /// "You are already logged in elsewhere — Continue".
    Conflict,
    /// A verification code; `by_message` when it was sent by text or e-mail.
    Mfa {
        by_message: bool,
        error: Option<String>,
    },
    Policies,
    /// None of the above: the portal's own pages (showing the profile's signed-in marker, when it
    /// has one).
    SignedIn,
    /// None of the above, and without the profile's signed-in marker: not a page the profile knows.
    Unrecognised,
}

/// Reads which sign-in step a page shows. Pure: page HTML in, answer out.
pub fn classify(html: &str, profile: &Profile) -> SignInPage {
    let doc = Html::parse_document(html);
    if present(&doc, &profile.conflict.detect) {
        return SignInPage::Conflict;
    }
    if present(&doc, &profile.mfa.detect) {
        let text = doc.root_element().text().collect::<String>().to_lowercase();
        let by_message = profile.mfa.sent_by_message.iter().any(|w| text.contains(&w.to_lowercase()));
        return SignInPage::Mfa { by_message, error: cell(doc.root_element(), &profile.login.error) };
    }
    if present(&doc, &profile.policies.detect) {
        return SignInPage::Policies;
    }
    if present(&doc, &profile.login.password) && present(&doc, &profile.login.username) {
        return SignInPage::Login { error: cell(doc.root_element(), &profile.login.error) };
    }
    let marker = &profile.login.signed_in;
    if marker.is_empty() || present(&doc, marker) { SignInPage::SignedIn } else { SignInPage::Unrecognised }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Signs in on `page`, whose portal lives at `base_url`.
///
/// Exactly one password attempt is made; a rejection is returned, never retried. With a TOTP
/// secret the code is computed and submitted; a code sent by text or e-mail returns
/// [`ConnectorError::MfaRequired`] for the caller to hand to a person.
pub async fn sign_in(
    page: &PortalPage,
    base_url: &str,
    profile: &Profile,
    credentials: &Credentials,
    ledger: &TotpLedger,
) -> Result<SignIn, ConnectorError> {
    let portal = PortalOrigin::new(base_url, &profile.login.sign_in_origins)?;
    page.goto(&portal.url(&profile.urls.dashboard)?).await?;
    match classify(&page.html().await?, profile) {
        SignInPage::SignedIn => return Ok(SignIn::Reused),
        SignInPage::Login { .. } => {
            // Where the page really is, not what its form looks like, decides whether to type.
            portal.check_sign_in_page(&page.url().await?)?;
            page.fill(&profile.login.username.css(), &credentials.username).await?;
            portal.check_sign_in_page(&page.url().await?)?;
            page.fill(&profile.login.password.css(), credentials.password.expose()).await?;
            page.click_and_wait(&profile.login.submit.css()).await?;
        }
        // Half-way through an earlier sign-in (e.g. a saved session stopped at MFA): carry on
        // from that step rather than sending the password again.
        SignInPage::Conflict | SignInPage::Mfa { .. } | SignInPage::Policies => {}
        SignInPage::Unrecognised => return Err(changed("dashboard", &profile.login.signed_in)),
    }

    let ledger_key = format!("{base_url}|{}", credentials.username.to_lowercase());
    let mut totp_tried = false;
    for _ in 0..MAX_STEPS {
        match classify(&page.html().await?, profile) {
            SignInPage::SignedIn => return Ok(SignIn::SignedIn),
            SignInPage::Unrecognised => return Err(changed("signed-in", &profile.login.signed_in)),
            SignInPage::Login { error } => {
                let message = error.unwrap_or_else(|| "the portal returned to the sign-in form".to_owned());
                let lower = message.to_lowercase();
                let locked = profile.login.locked_text.iter().any(|w| lower.contains(&w.to_lowercase()));
                return Err(ConnectorError::LoginRejected { message, locked });
            }
            SignInPage::Conflict => page.click_and_wait(&profile.conflict.continue_button.css()).await?,
            SignInPage::Policies => {
                page.set_checked(&profile.policies.accept.css(), true).await?;
                page.click_and_wait(&profile.policies.submit.css()).await?;
            }
            SignInPage::Mfa { by_message, error } => {
                let Some(secret) = credentials.totp.as_ref().filter(|_| !by_message) else {
                    return Err(ConnectorError::MfaRequired);
                };
                if totp_tried {
                    return Err(ConnectorError::MfaRejected(error.unwrap_or_else(|| "code refused".into())));
                }
                totp_tried = true;
                portal.check_sign_in_page(&page.url().await?)?;
                submit_totp(page, profile, secret, credentials.trust_device, ledger, &ledger_key).await?;
            }
        }
    }
    Err(changed("sign-in", &profile.login.submit))
}

async fn submit_totp(
    page: &PortalPage,
    profile: &Profile,
    secret: &TotpSecret,
    trust_device: bool,
    ledger: &TotpLedger,
    key: &str,
) -> Result<(), ConnectorError> {
    let now = unix_now();
    let period = secret.params().period;
    let at = submit_time(now, ledger.last(key), MIN_TOTP_REMAINING, period);
    if at > now {
        tokio::time::sleep(Duration::from_secs(at - now)).await;
    }
    let code =
        secret.code_at(at).ok_or_else(|| ConnectorError::MfaRejected("the saved TOTP secret is invalid".into()))?;
    page.fill(&profile.mfa.code.css(), code.expose()).await?;
    // Set either way: a portal may tick it already.
    if page.exists(&profile.mfa.trust_device.css()).await {
        page.set_checked(&profile.mfa.trust_device.css(), trust_device).await?;
    }
    ledger.record(key, at / period);
    page.click_and_wait(&profile.mfa.submit.css()).await?;
    Ok(())
}

fn changed(page: &str, selectors: &Selectors) -> ConnectorError {
    ConnectorError::PortalChanged { page: page.to_owned(), selector: selectors.css(), screenshot: None, html: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PortalKind;

    fn profile() -> Profile {
        Profile::builtin(PortalKind::TruckTech).unwrap()
    }

    #[test]
    fn classifies_each_sign_in_page() {
        let p = profile();
        let login = r#"<form><input name="email"><input type="password" name="password"><button type="submit">Sign In</button></form>"#;
        assert_eq!(classify(login, &p), SignInPage::Login { error: None });
        let rejected =
            format!(r#"<div class="error alert-danger" role="alert">Invalid email or password.</div>{login}"#);
        assert_eq!(classify(&rejected, &p), SignInPage::Login { error: Some("Invalid email or password.".into()) });
        let conflict = r#"<div class="modal session-conflict"><button name="continue">Continue</button></div>"#;
        assert_eq!(classify(conflict, &p), SignInPage::Conflict);
        let totp = r#"<p>Enter the 6-digit verification code from your authenticator app.</p><input name="code">"#;
        assert_eq!(classify(totp, &p), SignInPage::Mfa { by_message: false, error: None });
        let sms = r#"<p>We sent a 6-digit verification code by text message.</p><input name="code">"#;
        assert_eq!(classify(sms, &p), SignInPage::Mfa { by_message: true, error: None });
        let policies = r#"<h1>Policies &amp; Agreements</h1><input id="accept_policies" type="checkbox">"#;
        assert_eq!(classify(policies, &p), SignInPage::Policies);
        assert_eq!(classify("<h1>Dashboard</h1>", &p), SignInPage::SignedIn);
        let marked = Profile::with_override(PortalKind::TruckTech, "[login]\nsigned_in = ['.account-menu']\n", "t");
        let marked = marked.unwrap();
        assert_eq!(classify("<h1>Dashboard</h1>", &marked), SignInPage::Unrecognised, "no marker: not known");
        let home = r#"<div class="account-menu">Signed in as <b>ops</b></div>"#;
        assert_eq!(classify(home, &marked), SignInPage::SignedIn);
        assert_eq!(classify(login, &marked), SignInPage::Login { error: None });
    }
}
