//! Secrets live only in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows), never in the database. Entries are namespaced by the app identifier plus a
//! profile, so development, test and release builds never read each other's credentials.

mod sensitive;
pub mod totp;

pub use sensitive::Sensitive;
pub use totp::{TotpSecret, TotpSecretError};

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

/// How long a read waits for a person to answer the keychain's unlock prompt.
pub const UNLOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2 * 60);

/// Runs a keychain `read` on its own thread and gives up after `wait`. A locked Secret Service asks
/// the person to unlock it and the read waits for the answer; a scheduled run may have nobody there,
/// and must fail (and try again next time) rather than hang with the prompt.
pub fn within<T: Send + 'static>(
    wait: std::time::Duration,
    read: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    let (sender, answer) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keychain-read".into())
        .spawn(move || {
            // The receiver is gone if we gave up waiting; nothing is left to tell.
            let _ = sender.send(read());
        })
        .map_err(|e| SecretError::Platform(format!("cannot start the keychain read: {e}")))?;
    match answer.recv_timeout(wait) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            Err(SecretError::Locked(format!("no answer to its unlock prompt within {} s", wait.as_secs())))
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            Err(SecretError::Platform("the keychain read stopped without an answer".into()))
        }
    }
}

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
}

impl Default for SecretStore {
    fn default() -> Self {
        Self { service: service_name() }
    }
}

impl SecretStore {
    pub fn with_service(service: impl Into<String>) -> Self {
        Self { service: service.into() }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, account_id: i64, kind: SecretKind) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, &format!("account-{account_id}/{}", kind.key()))
            .map_err(|e| classify(e, kind.key()))
    }

    pub fn set(&self, account_id: i64, kind: SecretKind, value: &Sensitive<String>) -> Result<(), SecretError> {
        self.entry(account_id, kind)?.set_password(value.expose()).map_err(|e| classify(e, kind.key()))
    }

    pub fn get(&self, account_id: i64, kind: SecretKind) -> Result<Sensitive<String>, SecretError> {
        self.entry(account_id, kind)?.get_password().map(Sensitive::new).map_err(|e| classify(e, kind.key()))
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
        match self.entry(account_id, kind)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e, kind.key())),
        }
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
