//! Accounts: add, change, pause and remove them, with their secrets in the keychain.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, AppError, Result, blocking};
use crate::ids::AccountUid;
use crate::paths;
use crate::portal::login::SignIn;
use crate::secrets::{SecretError, SecretKind, SecretOwner, SecretStore, Sensitive, TotpSecret};
use crate::store::{AccountSummary, NewAccount, PortalKind};
use crate::sync::alerts::{NOTIFICATION_PREFS_KEY, NotificationPrefs};

/// An account as a person enters it. Secrets travel only this way, into the keychain: `password`
/// `None` (or empty) keeps the saved one; `totp_secret` `None` keeps it, `Some("")` removes it.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountInput {
    pub name: String,
    pub portal_kind: PortalKind,
    pub base_url: String,
    pub username: String,
    pub sync_interval_minutes: u32,
    pub password: Option<String>,
    pub totp_secret: Option<String>,
    /// Tick the portal's "trust this device" and keep the browser profile between runs. On
    /// unless a person turns it off: it spares them MFA prompts.
    #[serde(default = "trust_by_default")]
    pub trust_device: bool,
}

fn trust_by_default() -> bool {
    true
}

/// Whether a secret was given, never the secret: inputs end up in logs and error reports.
pub(crate) fn redacted(secret: &Option<String>) -> Option<&'static str> {
    secret.as_ref().map(|_| "<redacted>")
}

impl std::fmt::Debug for AccountInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountInput")
            .field("name", &self.name)
            .field("portal_kind", &self.portal_kind)
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("sync_interval_minutes", &self.sync_interval_minutes)
            .field("password", &redacted(&self.password))
            .field("totp_secret", &redacted(&self.totp_secret))
            .field("trust_device", &self.trust_device)
            .finish()
    }
}

/// Which secrets an account has, without the secrets themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SecretsSet {
    pub password: bool,
    pub totp: bool,
}

/// New secrets for an account: `None` keeps what is saved; `totp: Some(None)` removes the TOTP
/// secret.
#[derive(Debug, Clone, Default)]
pub struct SecretChange {
    pub password: Option<Sensitive<String>>,
    pub totp: Option<Option<TotpSecret>>,
}

impl SecretChange {
    /// What to write, in order: `(kind, Some(value))` sets, `(kind, None)` removes.
    fn writes(&self) -> Vec<(SecretKind, Option<Sensitive<String>>)> {
        let mut writes = Vec::new();
        if let Some(password) = &self.password {
            writes.push((SecretKind::Password, Some(password.clone())));
        }
        if let Some(totp) = &self.totp {
            writes.push((SecretKind::TotpSecret, totp.as_ref().map(TotpSecret::stored_form)));
        }
        writes
    }
}

/// An [`AccountInput`] checked and tidied, before anything is written.
#[derive(Debug)]
struct Checked {
    account: NewAccount,
    secrets: SecretChange,
}

/// Everything that can be said about the input without the database: the portal kind, the secrets
/// (a typo in a TOTP secret is caught before anything is saved) and the address's form. The store
/// checks the rest (names, intervals) when it writes.
fn check(input: AccountInput, adding: bool) -> Result<Checked> {
    if input.portal_kind == PortalKind::DecisivApi {
        return Err(AppError::invalid(
            "a Decisiv API login is added with its own authorization: `truckiq accounts add --portal decisiv_api --client-id ID`",
        ));
    }
    let base_url = input.base_url.trim().trim_end_matches('/').to_owned();
    portal_address(&base_url).map_err(|e| AppError::invalid(format!("{e}; nothing was saved")))?;
    let password = input.password.filter(|p| !p.is_empty()).map(Sensitive::new);
    if adding && password.is_none() {
        return Err(AppError::invalid("enter the portal password; nothing was saved"));
    }
    let totp = match input.totp_secret.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(text) => {
            Some(Some(TotpSecret::parse(text).map_err(|e| AppError::invalid(format!("{e}; nothing was saved")))?))
        }
    };
    Ok(Checked {
        account: NewAccount {
            name: input.name,
            portal_kind: input.portal_kind,
            base_url,
            username: input.username,
            sync_interval_minutes: input.sync_interval_minutes,
        },
        secrets: SecretChange { password, totp },
    })
}

/// A portal address TruckIQ may send a password to: `https://`, or `http://` only on this machine
/// (a simulator, a local proxy), where nobody on the network can read it. Returns its origin.
pub fn portal_address(address: &str) -> std::result::Result<url::Origin, String> {
    let url =
        url::Url::parse(address).map_err(|e| format!("the portal address {address:?} is not a web address ({e})"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url.origin()),
        "http" if loopback => Ok(url.origin()),
        "http" => Err(format!(
            "the portal address {address:?} is plain http://: the password would cross the network unencrypted. Use https://"
        )),
        other => Err(format!("the portal address {address:?} must start with https:// (not {other}://)")),
    }
}

/// Writes `change` under `uid`. If one write fails, the ones before it are put back as they were,
/// so an account never ends up with half of what the person entered.
fn write_secrets(secrets: &SecretStore, uid: AccountUid, change: &SecretChange) -> Result<(), SecretError> {
    let mut done: Vec<(SecretKind, Option<Sensitive<String>>)> = Vec::new();
    for (kind, value) in change.writes() {
        let before = match secrets.get_optional(uid, kind) {
            Ok(before) => before,
            Err(error) => return Err(undo(secrets, uid, done, error)),
        };
        let written = match &value {
            Some(value) => secrets.set(uid, kind, value),
            None => secrets.delete(uid, kind),
        };
        if let Err(error) = written {
            return Err(undo(secrets, uid, done, error));
        }
        done.push((kind, before));
    }
    Ok(())
}

fn undo(
    secrets: &SecretStore,
    uid: AccountUid,
    done: Vec<(SecretKind, Option<Sensitive<String>>)>,
    error: SecretError,
) -> SecretError {
    for (kind, before) in done.into_iter().rev() {
        let restored = match &before {
            Some(value) => secrets.set(uid, kind, value),
            None => secrets.delete(uid, kind),
        };
        if let Err(e) = restored {
            tracing::error!(error = %e, "could not put a secret back after a failed save");
        }
    }
    error
}

/// How long removing an account waits for its running sync to stop.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

impl App {
    /// Adds an account with its secrets; returns its id. Nothing is kept if any part fails.
    pub async fn add_account(&self, input: AccountInput) -> Result<i64> {
        let trust = input.trust_device;
        let Checked { account, secrets: change } = check(input, true)?;
        let id = self
            .write(move |store| {
                let id = store.insert_account(&account)?;
                store.set_trust_device(id, trust)?;
                Ok(id)
            })
            .await?;
        let uid = self.engine.account(id).await?.uid;
        let secrets = self.engine.secrets().clone();
        if let Err(error) = blocking(move || write_secrets(&secrets, uid, &change)).await {
            // No account without its password.
            if let Err(e) = self.write(move |store| store.delete_account(id)).await {
                tracing::error!(error = %e, "could not take back an account whose secrets were not saved");
            }
            return Err(error);
        }
        Ok(id)
    }

    /// Changes an account and, where given, its secrets. New credentials or a new address forget
    /// the saved portal session and lift a pause. Nothing changes if any part fails.
    pub async fn update_account(&self, account_id: i64, input: AccountInput) -> Result<()> {
        let before = self.account_or_gone(account_id).await?;
        if before.portal_kind == PortalKind::DecisivApi {
            return self.update_api_account(before, input).await;
        }
        let trust = input.trust_device;
        let trusted_before = before.trust_device;
        let Checked { account, secrets: change } = check(input, false)?;
        // The saved password goes only to the origin it was entered for: a new one (say from a
        // window that was tampered with) needs the password typed again.
        if change.password.is_none() && portal_address(&before.base_url).ok() != portal_address(&account.base_url).ok()
        {
            return Err(AppError::invalid(
                "the portal address is on another site now: enter the password again for it; nothing was saved",
            ));
        }
        self.engine.adopt_legacy_secrets(account_id).await?;
        if !self.write(move |store| store.update_account(account_id, &account)).await? {
            return Err(gone(account_id));
        }
        let secrets = self.engine.secrets().clone();
        if let Err(error) = blocking(move || write_secrets(&secrets, before.uid, &change)).await {
            let previous = NewAccount {
                name: before.name,
                portal_kind: before.portal_kind,
                base_url: before.base_url,
                username: before.username,
                sync_interval_minutes: before.sync_interval_minutes,
            };
            if let Err(e) = self.write(move |store| store.update_account(account_id, &previous)).await {
                tracing::error!(error = %e, "could not put an account back after its secrets were not saved");
            }
            return Err(error);
        }
        self.engine.credentials_changed(account_id).await?;
        if trust != trusted_before {
            self.set_trust_device(account_id, trust).await?;
        }
        Ok(())
    }

    /// An API account's name and schedule: its SRM account, its API and its authorization are what
    /// it was added with (a new authorization is "Authorize again").
    async fn update_api_account(&self, before: AccountSummary, input: AccountInput) -> Result<()> {
        if input.portal_kind != PortalKind::DecisivApi {
            return Err(AppError::invalid("a Decisiv API account stays one; add the portal login as a new account"));
        }
        let account = NewAccount {
            name: input.name.trim().to_owned(),
            portal_kind: PortalKind::DecisivApi,
            base_url: before.base_url,
            username: before.username,
            sync_interval_minutes: input.sync_interval_minutes,
        };
        let id = before.id;
        if !self.write(move |store| store.update_account(id, &account)).await? {
            return Err(gone(id));
        }
        Ok(())
    }

    /// Saves new secrets for an account (the CLI's `set-password` and `set-totp`), forgets its
    /// portal session and lifts a pause. Returns whether it was paused.
    pub async fn change_secrets(&self, account_id: i64, change: SecretChange) -> Result<bool> {
        let account = self.engine.account(account_id).await?;
        self.engine.adopt_legacy_secrets(account_id).await?;
        let secrets = self.engine.secrets().clone();
        blocking(move || write_secrets(&secrets, account.uid, &change)).await?;
        self.engine.credentials_changed(account_id).await?;
        Ok(account.paused_reason.is_some())
    }

    /// Which secrets an account has saved (never the secrets).
    pub async fn account_secrets(&self, account_id: i64) -> Result<SecretsSet> {
        self.engine.adopt_legacy_secrets(account_id).await?;
        let uid = self.engine.account(account_id).await?.uid;
        let secrets = self.engine.secrets().clone();
        blocking(move || {
            Ok::<_, SecretError>(SecretsSet {
                password: secrets.get_optional(uid, SecretKind::Password)?.is_some(),
                totp: secrets.get_optional(uid, SecretKind::TotpSecret)?.is_some(),
            })
        })
        .await
    }

    /// Includes (`true`) or leaves out (`false`) the account in scheduled syncs.
    pub async fn set_account_enabled(&self, account_id: i64, enabled: bool) -> Result<()> {
        self.account_or_gone(account_id).await?;
        self.write(move |store| store.set_enabled(account_id, enabled)).await
    }

    /// Whether TruckIQ ticks the portal's "trust this device" for the account and keeps its browser
    /// profile between runs. Turned off, the profile (with any trust cookie in it) is removed now,
    /// or when a running sync ends.
    pub async fn set_trust_device(&self, account_id: i64, trust: bool) -> Result<()> {
        let account = self.account_or_gone(account_id).await?;
        self.write(move |store| store.set_trust_device(account_id, trust)).await?;
        if !trust && !self.engine.is_running(account_id) {
            paths::remove_folder(&paths::browser_profile_dir(&self.engine.config().data_dir, account.uid));
        }
        Ok(())
    }

    /// Deletes an account with its trucks, faults, runs and alerts, its keychain entries, browser
    /// profile and kept pages. It is paused first, so no new sync starts, and a running one is
    /// stopped. Secrets go before the row: if the row cannot be deleted then, removing it again
    /// finishes the job (deleting a secret that is gone is no error).
    pub async fn remove_account(&self, account_id: i64) -> Result<()> {
        let account = self.account_or_gone(account_id).await?;
        self.write(move |store| store.set_paused(account_id, Some("being removed"))).await?;
        self.engine.cancel_and_wait(account_id, STOP_WAIT).await;
        let secrets = self.engine.secrets().clone();
        let forgotten = match self.engine.adopt_legacy_secrets(account_id).await {
            Ok(()) => blocking(move || secrets.delete_all(account.uid)).await,
            Err(error) => Err(error.into()),
        };
        if let Err(error) = forgotten {
            // Nothing was deleted: the account goes on as it was.
            let reason = account.paused_reason;
            self.write(move |store| store.set_paused(account_id, reason.as_deref())).await?;
            return Err(error);
        }
        let (uid, grant_id) = (account.uid, account.grant_id);
        let unused_grant = self
            .write(move |store| {
                store.delete_account(account_id)?;
                // Its trucks are gone, and so are their mutes.
                let mut prefs: NotificationPrefs = store.setting(NOTIFICATION_PREFS_KEY)?;
                prefs.muted_vehicles.retain(|truck| truck.account != uid);
                store.set_setting(NOTIFICATION_PREFS_KEY, &prefs)?;
                // The last account of an API grant takes the grant with it.
                let grant = grant_id.map(|id| store.grant(id)).transpose()?.flatten();
                Ok(match grant {
                    Some(grant) if store.delete_unused_grant(grant.id)? => Some(grant.uid),
                    _ => None,
                })
            })
            .await?;
        if let Some(grant) = unused_grant {
            self.engine.forget_grant(grant);
            let secrets = self.engine.secrets().clone();
            blocking(move || {
                secrets.delete(SecretOwner::Grant(grant), SecretKind::ApiRefreshToken)?;
                secrets.delete(SecretOwner::Grant(grant), SecretKind::ApiClientSecret)
            })
            .await?;
        }
        let data_dir = &self.engine.config().data_dir;
        paths::remove_folder(&paths::browser_profile_dir(data_dir, account.uid));
        paths::remove_folder(&paths::artifacts_dir(data_dir, account.uid));
        Ok(())
    }

    /// Signs in once to check the credentials; says how it went in words a person can act on.
    pub async fn test_sign_in(&self, account_id: i64) -> Result<String> {
        Ok(match self.engine.test_sign_in(account_id).await? {
            SignIn::Reused => "Signed in: the saved session is still valid.".into(),
            SignIn::SignedIn => "Signed in: the portal accepted the credentials.".into(),
        })
    }

    /// The account named `name` (ignoring case), for the CLI.
    pub async fn account_named(&self, name: &str) -> Result<AccountSummary> {
        let wanted = name.to_owned();
        self.read(move |store| store.account_by_name(&wanted)).await?.ok_or_else(|| {
            AppError::not_found(format!("no account named {name:?}; `truckiq accounts list` shows them"))
        })
    }
}

impl App {
    /// The account, or `not_found` saying it was removed; any other failure as it is.
    async fn account_or_gone(&self, account_id: i64) -> Result<AccountSummary> {
        match self.engine.account(account_id).await {
            Err(crate::sync::SyncError::UnknownAccount(_)) => Err(gone(account_id)),
            other => Ok(other?),
        }
    }
}

fn gone(account_id: i64) -> AppError {
    AppError::not_found(format!("account {account_id} was removed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            name: "Acme".into(),
            portal_kind: PortalKind::TruckTech,
            base_url: " https://paccarsolutions.com/ ".into(),
            username: "ops@acme.example".into(),
            sync_interval_minutes: 240,
            password: Some("pw".into()),
            totp_secret: None,
            trust_device: true,
        }
    }

    #[test]
    fn passwords_go_over_https_or_stay_on_this_machine() {
        for fine in ["https://paccarsolutions.com", "http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9"]
        {
            assert!(portal_address(fine).is_ok(), "{fine}");
        }
        assert!(portal_address("http://paccarsolutions.com").unwrap_err().contains("plain http://"));
        assert!(portal_address("http://10.0.0.5").unwrap_err().contains("plain http://"), "a LAN is a network");
        assert!(portal_address("ftp://example.com").unwrap_err().contains("must start with https://"));
        assert!(portal_address("paccarsolutions.com").unwrap_err().contains("not a web address"));
        assert_eq!(
            portal_address("https://paccarsolutions.com/a").ok(),
            portal_address("https://paccarsolutions.com/b").ok(),
            "one origin, whatever the path"
        );
    }

    #[test]
    fn input_is_tidied_and_refused_before_anything_is_written() {
        let checked = check(input(), true).unwrap();
        assert_eq!(checked.account.base_url, "https://paccarsolutions.com");
        assert_eq!(checked.secrets.writes().len(), 1, "the password, and the TOTP secret is kept");
        let no_password = AccountInput { password: Some(String::new()), ..input() };
        assert!(check(no_password.clone(), true).unwrap_err().to_string().contains("enter the portal password"));
        assert!(check(no_password, false).unwrap().secrets.password.is_none(), "an edit keeps the saved one");
        let typo = AccountInput { totp_secret: Some("not-base32!".into()), ..input() };
        assert_eq!(check(typo, true).unwrap_err().code(), super::super::ErrorCode::InvalidInput);
        let removed = check(AccountInput { totp_secret: Some("  ".into()), ..input() }, false).unwrap();
        assert!(matches!(
            removed.secrets.writes().as_slice(),
            [(SecretKind::Password, Some(_)), (SecretKind::TotpSecret, None)]
        ));
        let secret = AccountInput {
            password: Some("Hunter2-Secret".into()),
            totp_secret: Some("JBSWY3DPEHPK3PXP".into()),
            ..input()
        };
        let shown = format!("{secret:?}");
        assert!(!shown.contains("Hunter2") && !shown.contains("JBSWY3DP"), "{shown}");
        assert!(shown.contains("password: Some(\"<redacted>\")"), "{shown}");
        let api = AccountInput { portal_kind: PortalKind::DecisivApi, ..input() };
        assert!(check(api, true).unwrap_err().to_string().contains("is added with its own authorization"));
    }
}
