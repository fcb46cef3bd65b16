//! Secrets live only in the OS keychain (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows), never in the database. Entries are namespaced by the app identifier plus a
//! profile, so development, test and release builds never read each other's credentials.

mod sensitive;
pub mod totp;

pub use sensitive::Sensitive;
pub use totp::{TotpSecret, TotpSecretError};

use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use crate::failure::FailureReason;
use crate::ids::{AccountUid, ChannelUid};
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
    /// The Decisiv API application's client secret, where the dealer was given one.
    ApiClientSecret,
    /// The portal's session cookies, so the next run does not sign in again.
    PortalSession,
    /// The password of the proxy every run goes through (Settings → Sync).
    ProxyPassword,
    /// An alert channel's URL (webhook, Slack, Teams, Discord, ntfy topic): whoever has it can post.
    ChannelUrl,
    /// The key a webhook channel signs its messages with.
    SigningSecret,
    /// An ntfy access token.
    AccessToken,
    /// An e-mail channel's SMTP password.
    SmtpPassword,
}

impl SecretKind {
    fn key(self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::TotpSecret => "totp-secret",
            SecretKind::ApiRefreshToken => "api-refresh-token",
            SecretKind::ApiClientSecret => "api-client-secret",
            SecretKind::PortalSession => "portal-session",
            SecretKind::ProxyPassword => "proxy-password",
            SecretKind::ChannelUrl => "channel-url",
            SecretKind::SigningSecret => "signing-secret",
            SecretKind::AccessToken => "access-token",
            SecretKind::SmtpPassword => "smtp-password",
        }
    }
}

/// Whose secrets an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretOwner {
    /// One account: its password, TOTP secret and portal session.
    Account(AccountUid),
    /// A sign-in that several accounts share, such as one OAuth grant serving every account a
    /// dealer was given: its token belongs to the grant, not to any one of them.
    Grant(uuid::Uuid),
    /// The app's own settings, such as the proxy every account's runs go through.
    Settings,
    /// An alert channel: how to reach it.
    Channel(ChannelUid),
}

impl SecretOwner {
    fn entry_name(self, kind: SecretKind) -> String {
        match self {
            SecretOwner::Account(uid) => format!("account-{uid}/{}", kind.key()),
            SecretOwner::Grant(grant) => format!("grant-{grant}/{}", kind.key()),
            SecretOwner::Settings => format!("settings/{}", kind.key()),
            SecretOwner::Channel(channel) => format!("channel-{channel}/{}", kind.key()),
        }
    }
}

impl From<AccountUid> for SecretOwner {
    fn from(uid: AccountUid) -> Self {
        SecretOwner::Account(uid)
    }
}

impl From<ChannelUid> for SecretOwner {
    fn from(uid: ChannelUid) -> Self {
        SecretOwner::Channel(uid)
    }
}

/// Where TruckIQ 0.1 kept an account's secret: under its row number, which is not unique.
fn row_entry_name(row_id: i64, kind: SecretKind) -> String {
    format!("account-{row_id}/{}", kind.key())
}

/// Every kind an account has, for removing all of its entries.
const ALL_KINDS: [SecretKind; 4] =
    [SecretKind::Password, SecretKind::TotpSecret, SecretKind::ApiRefreshToken, SecretKind::PortalSession];

/// Every kind a channel has.
const CHANNEL_KINDS: [SecretKind; 4] =
    [SecretKind::ChannelUrl, SecretKind::SigningSecret, SecretKind::AccessToken, SecretKind::SmtpPassword];

/// Keychain failures, with stable codes the UI can act on.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("no {what} is saved for this account; enter it in Accounts")]
    Missing { what: &'static str },
    /// The account's secrets were saved by TruckIQ 0.1 under its row number, which accounts in
    /// other databases have too; only the app's own database takes such entries over.
    #[error(
        "this account's {what} was saved by an earlier TruckIQ under the account's row number, which \
         accounts in other databases share; only the app's own database takes those entries over, so \
         for this database enter the {what} (and TOTP secret, if it has one) again"
    )]
    NotCarriedOver { what: &'static str },
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
    pub fn reason(&self) -> FailureReason {
        match self {
            SecretError::Missing { .. } | SecretError::NotCarriedOver { .. } => FailureReason::KeychainMissingSecret,
            SecretError::Locked(_) => FailureReason::KeychainLocked,
            SecretError::Unavailable(_) => FailureReason::KeychainUnavailable,
            SecretError::Platform(_) => FailureReason::KeychainError,
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
        user: String,
        kind: SecretKind,
        op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
    ) -> Result<T, SecretError> {
        let service = self.service.clone();
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

    pub fn set(
        &self,
        owner: impl Into<SecretOwner>,
        kind: SecretKind,
        value: &Sensitive<String>,
    ) -> Result<(), SecretError> {
        let value = value.clone();
        self.call(owner.into().entry_name(kind), kind, move |entry| entry.set_password(value.expose()))
    }

    pub fn get(&self, owner: impl Into<SecretOwner>, kind: SecretKind) -> Result<Sensitive<String>, SecretError> {
        self.call(owner.into().entry_name(kind), kind, |entry| entry.get_password().map(Sensitive::new))
    }

    /// `None` when no such secret is saved (e.g. an account without TOTP).
    pub fn get_optional(
        &self,
        owner: impl Into<SecretOwner>,
        kind: SecretKind,
    ) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.get(owner, kind) {
            Ok(value) => Ok(Some(value)),
            Err(SecretError::Missing { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes a secret; removing one that is not there is not an error.
    pub fn delete(&self, owner: impl Into<SecretOwner>, kind: SecretKind) -> Result<(), SecretError> {
        self.delete_entry(owner.into().entry_name(kind), kind)
    }

    fn delete_entry(&self, user: String, kind: SecretKind) -> Result<(), SecretError> {
        self.call(user, kind, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
    }

    /// Removes every secret of an owner (when an account is removed).
    pub fn delete_all(&self, owner: impl Into<SecretOwner>) -> Result<(), SecretError> {
        let owner = owner.into();
        let kinds = if matches!(owner, SecretOwner::Channel(_)) { CHANNEL_KINDS } else { ALL_KINDS };
        kinds.into_iter().try_for_each(|kind| self.delete(owner, kind))
    }

    /// Reaches the keychain without reading anything that exists, to learn early whether it is
    /// there and unlocked.
    pub fn probe(&self) -> Result<(), SecretError> {
        self.call("probe/none".to_owned(), SecretKind::Password, |entry| match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
    }

    /// Moves what TruckIQ 0.1 saved under an account's row number (`account-{row}/…`) to its
    /// identity, and returns how many entries moved. A value already under the identity wins.
    /// Only the app's own database may call this: any other database's account with the same row
    /// number would take another login's secrets.
    pub fn adopt_row_entries(&self, row_id: i64, uid: AccountUid) -> Result<usize, SecretError> {
        let mut moved = 0;
        for kind in ALL_KINDS {
            let old = row_entry_name(row_id, kind);
            let found = self.call(old.clone(), kind, |entry| entry.get_password().map(Sensitive::new));
            let value = match found {
                Ok(value) => value,
                Err(SecretError::Missing { .. }) => continue,
                Err(e) => return Err(e),
            };
            if self.get_optional(uid, kind)?.is_none() {
                self.set(uid, kind, &value)?;
                moved += 1;
            }
            self.delete_entry(old, kind)?;
        }
        Ok(moved)
    }
}

/// Runs a keychain call on a blocking thread: a Secret Service that is slow or waits for an
/// unlock prompt must not stall the async workers every sync shares.
pub(crate) async fn off_thread<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    tokio::task::spawn_blocking(call).await.map_err(|e| SecretError::Platform(e.to_string()))?
}
