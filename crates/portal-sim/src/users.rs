//! Portal users and how each one signs in: the behaviours tests switch on per user.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// Which portal a user belongs to. Each has its own sign-in, sessions and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Portal {
    /// PACCAR TruckTech+ layout (spec v1): e-mail login, `/vehicles`.
    Paccar,
    /// PACCAR Solutions on Decisiv SRM (spec v2): `#auth_key` login, `/assets`.
    Decisiv,
    /// PACCAR Solutions as it really is (paccarsolutions.com): a single-page app on its own origin
    /// over a JSON API gateway on another; sign-in gives a token, not a cookie.
    PaccarSolutions,
}

/// The second factor a user has set up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mfa {
    #[default]
    None,
    /// Authenticator app (RFC 6238: SHA1, 6 digits, 30 s) with the user's base32 secret.
    Totp,
    /// A code sent by text message; readable only through the admin API.
    Sms,
    /// A code sent by e-mail; readable only through the admin API.
    Email,
}

/// A user as a test creates it (`POST /__sim/users`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSpec {
    pub portal: Portal,
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub mfa: Mfa,
    /// Base32 TOTP secret; required when `mfa` is `totp`.
    #[serde(default)]
    pub totp_secret: Option<String>,
    /// Shows the Policies & Agreements page until the user accepts it once.
    #[serde(default)]
    pub policies_pending: bool,
    /// Shows "already logged in elsewhere — Continue" after every password sign-in.
    #[serde(default)]
    pub conflict_dialog: bool,
    /// Wrong passwords in a row before the account locks.
    #[serde(default = "default_lockout_after")]
    pub lockout_after: u32,
    /// Lifetime of a signed-in session (PACCAR Solutions: of a token, until it is refreshed).
    #[serde(default = "default_session_ttl")]
    pub session_ttl_secs: u64,
    /// PACCAR Solutions: how long after sign-in a token can still be refreshed (the hard expiry).
    #[serde(default = "default_refresh_until")]
    pub refresh_until_secs: u64,
}

impl UserSpec {
    /// A plain user: no MFA, no policies page, no dialog, lockout after 5, a 24 h session.
    pub fn new(portal: Portal, username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            portal,
            username: username.into(),
            password: password.into(),
            mfa: Mfa::None,
            totp_secret: None,
            policies_pending: false,
            conflict_dialog: false,
            lockout_after: default_lockout_after(),
            session_ttl_secs: default_session_ttl(),
            refresh_until_secs: default_refresh_until(),
        }
    }
}

fn default_lockout_after() -> u32 {
    5
}

fn default_session_ttl() -> u64 {
    24 * 60 * 60
}

/// A guess: nothing public says how long PACCAR Solutions lets a token be refreshed.
fn default_refresh_until() -> u64 {
    7 * 24 * 60 * 60
}

/// What the portal knows about a user beyond the spec: counters tests assert on.
#[derive(Debug, Clone, Serialize)]
pub struct UserState {
    pub spec: UserSpec,
    /// Every POST of the password form for this user, right or wrong.
    pub login_attempts: u32,
    pub failed_in_a_row: u32,
    pub locked: bool,
    pub successful_logins: u32,
    pub mfa_prompts: u32,
    /// PACCAR Solutions: tokens refreshed (`POST /refreshToken` that succeeded).
    pub token_refreshes: u32,
    pub policies_accepted: bool,
    /// The last SMS/e-mail code "sent" to the user.
    pub last_sent_code: Option<String>,
    #[serde(skip)]
    pub used_totp_steps: HashSet<u64>,
}

impl UserState {
    pub fn new(spec: UserSpec) -> Self {
        let policies_accepted = !spec.policies_pending;
        Self {
            spec,
            login_attempts: 0,
            failed_in_a_row: 0,
            locked: false,
            successful_logins: 0,
            mfa_prompts: 0,
            token_refreshes: 0,
            policies_accepted,
            last_sent_code: None,
            used_totp_steps: HashSet::new(),
        }
    }

    /// One password attempt, counted whatever its outcome: a locked account stays locked even for
    /// the right password, and `lockout_after` wrong ones in a row lock it.
    pub fn try_password(&mut self, password: &str) -> PasswordCheck {
        self.login_attempts += 1;
        if self.locked {
            return PasswordCheck::Locked;
        }
        if self.spec.password != password {
            self.failed_in_a_row += 1;
            if self.failed_in_a_row >= self.spec.lockout_after {
                self.locked = true;
                return PasswordCheck::Locked;
            }
            return PasswordCheck::Wrong;
        }
        self.failed_in_a_row = 0;
        PasswordCheck::Accepted
    }

    /// Checks a TOTP code against the current or the previous 30 s step; each step is accepted once
    /// (RFC 6238 §5.2), so a replayed code fails.
    pub fn accept_totp(&mut self, code: &str, unix_time: u64) -> bool {
        let Some(totp) = self.spec.totp_secret.as_deref().and_then(totp_for) else {
            return false;
        };
        let step = [unix_time, unix_time.saturating_sub(30)].into_iter().find_map(|t| totp.check(code.trim(), t));
        match step {
            Some(step) => self.used_totp_steps.insert(step),
            None => false,
        }
    }
}

/// How a password attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    Accepted,
    Wrong,
    Locked,
}

/// A TOTP checker with no skew: [`UserState::accept_totp`] decides which steps count.
pub fn totp_for(secret: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret.trim()).ok()?;
    totp_rs::Builder::new().with_secret(secret).with_skew(0).build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn user() -> UserState {
        UserState::new(UserSpec {
            mfa: Mfa::Totp,
            totp_secret: Some(SECRET.into()),
            session_ttl_secs: 60,
            ..UserSpec::new(Portal::Paccar, "a@b.c", "pw")
        })
    }

    #[test]
    fn totp_accepts_current_and_previous_step_once_each() {
        let totp = totp_for(SECRET).unwrap();
        let now = 1_700_000_015;
        let mut user = user();
        let current = totp.generate(now).to_string();
        let previous = totp.generate(now - 30).to_string();
        let older = totp.generate(now - 60).to_string();
        assert!(user.accept_totp(&current, now));
        assert!(!user.accept_totp(&current, now), "replay refused");
        assert!(user.accept_totp(&previous, now));
        assert!(!user.accept_totp(&older, now), "two steps back is too old");
        assert!(!user.accept_totp("000000x", now));
    }
}
