//! Secrets live only in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows), never in the database. Entries are namespaced by the app identifier plus a
//! profile, so development, test and release builds never read each other's credentials.

mod sensitive;
pub mod totp;

pub use sensitive::Sensitive;
pub use totp::{TotpSecret, TotpSecretError};

use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use crate::paths::APP_IDENTIFIER;

/// Overrides the keychain namespace, e.g. a per-run value in tests.
pub const NAMESPACE_ENV: &str = "TRUCKIQ_KEYRING_NAMESPACE";

/// Which secret of an account an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Password,
    TotpSecret,
    /// OAuth refresh token for the Decisiv API.
    ApiRefreshToken,
    /// The portal's session cookies, so the next run does not sign in again.
    PortalSession,
}

impl SecretKind {
    fn key(self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::TotpSecret => "totp-secret",
            SecretKind::ApiRefreshToken => "api-refresh-token",
            SecretKind::PortalSession => "portal-session",
        }
    }
}

/// Keychain failures, with stable codes the UI can act on.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no {what} is saved for this account; enter it in Accounts")]
    Missing { what: &'static str },
    #[error(
        "the system keychain is locked or refused access ({0}); unlock it (on Linux: your login keyring) and try again"
    )]
    Locked(String),
    #[error("no system keychain is available ({0}); on Linux install and start a Secret Service such as gnome-keyring")]
    Unavailable(String),
    #[error("the system keychain failed: {0}")]
    Platform(String),
}

impl SecretError {
    /// Stable machine-readable code (IPC, CLI JSON).
    pub fn code(&self) -> &'static str {
        match self {
            SecretError::Missing { .. } => "keychain_missing_secret",
            SecretError::Locked(_) => "keychain_locked",
            SecretError::Unavailable(_) => "keychain_unavailable",
            SecretError::Platform(_) => "keychain_error",
        }
    }
}

fn classify(error: keyring::Error, what: &'static str) -> SecretError {
    use keyring::Error as K;
    match error {
        K::NoEntry => SecretError::Missing { what },
        K::NoStorageAccess(e) => SecretError::Locked(e.to_string()),
        K::NoDefaultStore => SecretError::Unavailable("no credential store could be opened".into()),
        K::PlatformFailure(e) => {
            let text = e.to_string();
            // The Secret Service reports a missing daemon or bus as a platform failure.
            if text.contains("org.freedesktop.DBus") || text.contains("ServiceUnknown") || text.contains("dbus") {
                SecretError::Unavailable(text)
            } else {
                SecretError::Platform(text)
            }
        }
        other => SecretError::Platform(other.to_string()),
    }
}

/// How long a keychain call waits for a person to answer the keychain's unlock prompt.
pub const UNLOCK_WAIT: Duration = Duration::from_secs(2 * 60);

/// The keychain service name: the app identifier, plus the namespace for non-release builds.
pub fn service_name() -> String {
    let namespace = std::env::var(NAMESPACE_ENV)
        .ok()
        .filter(|n| !n.is_empty())
        .or_else(|| cfg!(debug_assertions).then(|| "dev".to_owned()));
    match namespace {
        Some(ns) => format!("{APP_IDENTIFIER}.{ns}"),
        None => APP_IDENTIFIER.to_owned(),
    }
}

/// Reads and writes one account's secrets. Cheap to create; every call goes to the keychain, so
/// nothing secret is cached in memory longer than the caller holds it.
#[derive(Debug, Clone)]
pub struct SecretStore {
    service: String,
    unlock_wait: Duration,
}

impl Default for SecretStore {
    fn default() -> Self {
        Self::with_service(service_name())
    }
}

impl SecretStore {
    pub fn with_service(service: impl Into<String>) -> Self {
        Self { service: service.into(), unlock_wait: UNLOCK_WAIT }
    }

    /// How long each call waits for someone to unlock a locked keychain (default [`UNLOCK_WAIT`]).
    pub fn with_unlock_wait(self, unlock_wait: Duration) -> Self {
        Self { unlock_wait, ..self }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    /// Runs one keychain call on its own thread and gives up after the unlock wait. A locked Secret
    /// Service asks the person to unlock it and the call waits for the answer; a scheduled run may
    /// have nobody there, and must fail (and try again next time) rather than hang with the prompt.
    fn call<T: Send + 'static>(
        &self,
        account_id: i64,
        kind: SecretKind,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, SecretError> {
        let (service, user) = (self.service.clone(), format!("account-{account_id}/{}", kind.key()));
        let (sender, answer) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || {
                // The receiver is gone if the caller gave up waiting; nothing is left to tell.
                let _ = sender.send(keyring::Entry::new(&service, &user).and_then(|entry| op(&entry)));
            })
            .map_err(|e| SecretError::Platform(format!("cannot start the keychain call: {e}")))?;
        match answer.recv_timeout(self.unlock_wait) {
            Ok(result) => result.map_err(|e| classify(e, kind.key())),
            Err(RecvTimeoutError::Timeout) => Err(SecretError::Locked(format!(
                "no answer to its unlock prompt within {} s",
                self.unlock_wait.as_secs()
            ))),
            Err(RecvTimeoutError::Disconnected) => {
                Err(SecretError::Platform("the keychain call stopped without an answer".into()))
            }
        }
    }

    pub fn set(&self, account_id: i64, kind: SecretKind, value: &Sensitive<String>) -> Result<(), SecretError> {
        let value = value.clone();
        self.call(account_id, kind, move |entry| entry.set_password(value.expose()))
    }

    pub fn get(&self, account_id: i64, kind: SecretKind) -> Result<Sensitive<String>, SecretError> {
        self.call(account_id, kind, |entry| entry.get_password().map(Sensitive::new))
    }

    /// `None` when no such secret is saved (e.g. an account without TOTP).
    pub fn get_optional(&self, account_id: i64, kind: SecretKind) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.get(account_id, kind) {
            Ok(value) => Ok(Some(value)),
            Err(SecretError::Missing { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes a secret; removing one that is not there is not an error.
    pub fn delete(&self, account_id: i64, kind: SecretKind) -> Result<(), SecretError> {
        self.call(account_id, kind, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
    }

    /// Removes every secret of an account (when the account is removed).
    pub fn delete_account(&self, account_id: i64) -> Result<(), SecretError> {
        for kind in
            [SecretKind::Password, SecretKind::TotpSecret, SecretKind::ApiRefreshToken, SecretKind::PortalSession]
        {
            self.delete(account_id, kind)?;
        }
        Ok(())
    }
}
