//! Signing in and tokens. Known: the app POSTs `{username, password, clientId}` to `/userLogin`
//! and gets `encodedToken`; `/refreshToken` trades a token for a new one. Guessed: the lifetimes
//! (24 h, refreshable for 7 days after sign-in), that a refresh retires the old token, and the
//! error bodies.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::state::{SimState, lock, random_token, user_key};
use crate::users::{PasswordCheck, Portal};

/// The error texts the real app shows (known).
pub const WRONG_PASSWORD: &str = "The username or password you entered is not correct. Please try again.";
pub const LOCKED: &str = "Your account is locked. Please contact the administrator.";

#[derive(Debug, Clone)]
struct Token {
    username: String,
    expires_at: Instant,
    /// After this even a refresh is refused: the person must sign in again.
    hard_expires_at: Instant,
}

#[derive(Debug, Default)]
pub struct SolutionsState {
    tokens: Mutex<HashMap<String, Token>>,
    /// One-time codes from the hosted sign-in page, for the app to trade at `/userLogin`.
    codes: Mutex<HashMap<String, String>>,
    /// Data calls still to answer 401 whatever the token (a "401 storm").
    pub(crate) unauthorized_left: AtomicU32,
    /// Data calls since the scenario was set.
    pub(crate) data_calls: AtomicU32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefused {
    WrongPassword,
    Locked,
}

impl SignInRefused {
    pub fn message(self) -> &'static str {
        match self {
            SignInRefused::WrongPassword => WRONG_PASSWORD,
            SignInRefused::Locked => LOCKED,
        }
    }
}

/// The signed-in user and the token's state, as the gateway sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    /// Past its lifetime but still refreshable.
    Expired,
    /// Unknown, retired by a refresh, or past its hard expiry.
    Invalid,
}

impl SimState {
    /// A password attempt on PACCAR Solutions; on success, the username as stored (the uid).
    pub(crate) fn solutions_password(&self, username: &str, password: &str) -> Result<String, SignInRefused> {
        let mut users = lock(&self.users);
        let Some(user) = users.get_mut(&user_key(Portal::PaccarSolutions, username)) else {
            return Err(SignInRefused::WrongPassword);
        };
        match user.try_password(password) {
            PasswordCheck::Accepted => Ok(user.spec.username.clone()),
            PasswordCheck::Wrong => Err(SignInRefused::WrongPassword),
            PasswordCheck::Locked => Err(SignInRefused::Locked),
        }
    }

    /// A fresh token for a user who just signed in.
    pub(crate) fn solutions_issue(&self, username: &str) -> String {
        let (ttl, refresh_until) = {
            let mut users = lock(&self.users);
            match users.get_mut(&user_key(Portal::PaccarSolutions, username)) {
                Some(user) => {
                    user.successful_logins += 1;
                    (user.spec.session_ttl_secs, user.spec.refresh_until_secs)
                }
                None => (0, 0),
            }
        };
        let now = Instant::now();
        let token = Token {
            username: username.to_owned(),
            expires_at: now + Duration::from_secs(ttl),
            hard_expires_at: now + Duration::from_secs(refresh_until.max(ttl)),
        };
        let encoded = format!("pnet.{}", random_token());
        lock(&self.solutions.tokens).insert(encoded.clone(), token);
        encoded
    }

    /// Who a token belongs to, and whether it still opens the gateway.
    pub(crate) fn solutions_token(&self, token: &str) -> (TokenCheck, Option<String>) {
        let tokens = lock(&self.solutions.tokens);
        let now = Instant::now();
        match tokens.get(token) {
            Some(t) if now < t.expires_at => (TokenCheck::Valid, Some(t.username.clone())),
            Some(t) if now < t.hard_expires_at => (TokenCheck::Expired, Some(t.username.clone())),
            _ => (TokenCheck::Invalid, None),
        }
    }

    /// Trades a token that is valid or expired-but-refreshable for a new one with a full
    /// lifetime and the same hard expiry. The old token stops working, so a client that refreshes
    /// twice with it gets a 401 the second time.
    pub(crate) fn solutions_refresh(&self, token: &str) -> Option<String> {
        let mut tokens = lock(&self.solutions.tokens);
        let now = Instant::now();
        let old = tokens.get(token).filter(|t| now < t.hard_expires_at)?.clone();
        tokens.remove(token);
        let ttl = {
            let mut users = lock(&self.users);
            let user = users.get_mut(&user_key(Portal::PaccarSolutions, &old.username))?;
            user.token_refreshes += 1;
            user.spec.session_ttl_secs
        };
        let encoded = format!("pnet.{}", random_token());
        let expires_at = (now + Duration::from_secs(ttl)).min(old.hard_expires_at);
        tokens.insert(encoded.clone(), Token { expires_at, ..old });
        Some(encoded)
    }

    pub(crate) fn solutions_new_code(&self, username: &str) -> String {
        let code = random_token();
        lock(&self.solutions.codes).insert(code.clone(), username.to_owned());
        code
    }

    /// A hosted sign-in code works once.
    pub(crate) fn solutions_take_code(&self, code: &str) -> Option<String> {
        lock(&self.solutions.codes).remove(code)
    }

    /// Ends every token's lifetime now (`hard`: also its refreshability), as time passing would.
    pub fn expire_solutions_tokens(&self, hard: bool) -> usize {
        let mut tokens = lock(&self.solutions.tokens);
        let now = Instant::now();
        for token in tokens.values_mut() {
            token.expires_at = now;
            if hard {
                token.hard_expires_at = now;
            }
        }
        tokens.len()
    }

    /// Counts a data call, ending every token's lifetime at the one the scenario names.
    pub(crate) fn solutions_count_call(&self, expire_after: Option<u32>, hard: bool) {
        let call = self.solutions.data_calls.fetch_add(1, Ordering::SeqCst) + 1;
        if expire_after == Some(call) {
            self.expire_solutions_tokens(hard);
        }
    }

    /// Whether this data call falls in a 401 storm (and uses up one of its calls).
    pub(crate) fn solutions_storm_hit(&self) -> bool {
        self.solutions
            .unauthorized_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1))
            .is_ok()
    }
}
