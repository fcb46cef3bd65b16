//! `truckiq accounts`: add, list, remove portal accounts and change their secrets.

use std::io::Write;

use anyhow::Context as _;
use truckiq::secrets::{SecretKind, SecretStore, Sensitive, TotpSecret};
use truckiq::store::{AccountSummary, NewAccount, PortalKind, Store};
use truckiq::sync::SyncEngine;

use super::prompt::SecretInput;

pub struct AddAccount {
    pub name: String,
    pub portal: PortalKind,
    pub url: String,
    pub username: String,
    pub interval_minutes: u32,
    pub totp: bool,
}

pub fn find(store: &Store, name: &str) -> anyhow::Result<AccountSummary> {
    store
        .account_by_name(name)?
        .with_context(|| format!("no account named {name:?}; `truckiq accounts list` shows them"))
}

async fn find_through(engine: &SyncEngine, name: &str) -> anyhow::Result<AccountSummary> {
    let name = name.to_owned();
    engine
        .db(move |s| s.account_by_name(&name))
        .await?
        .with_context(|| "no such account; `truckiq accounts list` shows them")
}

/// Parses a pasted TOTP secret; an empty line means "none".
fn totp_from(input: &Sensitive<String>) -> anyhow::Result<Option<Sensitive<String>>> {
    if input.expose().trim().is_empty() {
        return Ok(None);
    }
    let secret = TotpSecret::parse(input.expose()).context("the TOTP secret was not saved")?;
    Ok(Some(Sensitive::new(secret.expose_base32().to_owned())))
}

pub fn add(store: &Store, secrets: &SecretStore, add: AddAccount, out: &mut impl Write) -> anyhow::Result<()> {
    anyhow::ensure!(
        add.portal != PortalKind::DecisivApi,
        "Decisiv API accounts cannot be synced by this version yet; add the portal login (paccar or decisiv)"
    );
    // Read every secret before writing anything, so a typo leaves no half-made account.
    let mut input = SecretInput::stdin();
    let password = input.read("Portal password")?;
    anyhow::ensure!(!password.expose().is_empty(), "the password is empty; nothing was saved");
    let totp = if add.totp { totp_from(&input.read("TOTP secret (base32 or otpauth:// URI)")?)? } else { None };
    let id = store.insert_account(&NewAccount {
        name: add.name.clone(),
        portal_kind: add.portal,
        base_url: add.url.trim_end_matches('/').to_owned(),
        username: add.username,
        sync_interval_minutes: add.interval_minutes,
    })?;
    let saved = secrets
        .set(id, SecretKind::Password, &password)
        .and_then(|()| totp.as_ref().map_or(Ok(()), |t| secrets.set(id, SecretKind::TotpSecret, t)));
    if let Err(error) = saved {
        // No account without its password: take the row back out.
        store.delete_account(id)?;
        return Err(error).context("the account was not added");
    }
    writeln!(out, "Added {:?} (id {id}); its password is in the system keychain.", add.name.trim())?;
    Ok(())
}

pub fn remove(
    engine_store: &Store,
    secrets: &SecretStore,
    data_dir: &std::path::Path,
    name: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let account = find(engine_store, name)?;
    secrets.delete_account(account.id).context("the keychain entries could not be removed; nothing was deleted")?;
    engine_store.delete_account(account.id)?;
    let profile = data_dir.join("browser").join(format!("account-{}", account.id));
    if profile.exists() {
        std::fs::remove_dir_all(&profile).with_context(|| format!("cannot remove {}", profile.display()))?;
    }
    writeln!(out, "Removed {:?} with its vehicles, faults, runs, alerts, secrets and browser profile.", account.name)?;
    Ok(())
}

pub async fn set_password(engine: &SyncEngine, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = find_through(engine, name).await?;
    let password = SecretInput::stdin().read("New portal password")?;
    anyhow::ensure!(!password.expose().is_empty(), "the password is empty; nothing was changed");
    engine.secrets().set(account.id, SecretKind::Password, &password)?;
    engine.credentials_changed(account.id).await?;
    let resumed = if account.paused_reason.is_some() { " Syncing resumes." } else { "" };
    writeln!(out, "Password for {:?} saved.{resumed}", account.name)?;
    Ok(())
}

pub async fn set_totp(engine: &SyncEngine, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = find_through(engine, name).await?;
    let input = SecretInput::stdin().read("TOTP secret (base32 or otpauth:// URI; empty to remove)")?;
    match totp_from(&input)? {
        Some(secret) => {
            engine.secrets().set(account.id, SecretKind::TotpSecret, &secret)?;
            writeln!(out, "TOTP secret for {:?} saved; codes will be answered automatically.", account.name)?;
        }
        None => {
            engine.secrets().delete(account.id, SecretKind::TotpSecret)?;
            writeln!(out, "TOTP secret for {:?} removed.", account.name)?;
        }
    }
    engine.credentials_changed(account.id).await?;
    Ok(())
}
