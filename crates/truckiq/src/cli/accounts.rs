//! `truckiq accounts`: the account use cases, with secrets read from a prompt or stdin.

use std::io::{IsTerminal as _, Write};

use anyhow::Context as _;
use truckiq::app::{AccountInput, ApiLoginInput, App, SecretChange};
use truckiq::decisiv_api::{DECISIV_API_URL, DECISIV_LOGIN_URL, SrmAccount};
use truckiq::secrets::{Sensitive, TotpSecret};
use truckiq::store::PortalKind;

use super::prompt::SecretInput;

pub struct AddAccount {
    pub name: String,
    pub portal: PortalKind,
    pub url: String,
    pub username: String,
    pub interval_minutes: u32,
    pub totp: bool,
    pub trust_device: bool,
}

const TOTP_PROMPT: &str = "TOTP secret (base32 or otpauth:// URI)";

pub async fn add(app: &App, add: AddAccount, out: &mut impl Write) -> anyhow::Result<()> {
    // Every secret is read before anything is written, so a typo leaves no half-made account.
    let mut input = SecretInput::stdin();
    let password = input.read("Portal password")?;
    let totp_secret = if add.totp { Some(input.read(TOTP_PROMPT)?.expose().to_owned()) } else { None };
    let name = add.name.trim().to_owned();
    let id = app
        .add_account(AccountInput {
            name: add.name,
            portal_kind: add.portal,
            base_url: add.url,
            username: add.username,
            sync_interval_minutes: add.interval_minutes,
            password: Some(password.expose().to_owned()),
            totp_secret,
            trust_device: add.trust_device,
        })
        .await
        .context("the account was not added")?;
    writeln!(out, "Added {name:?} (id {id}); its password is in the system keychain.")?;
    Ok(())
}

pub struct AddApiLogin {
    pub name: String,
    pub url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: bool,
    pub login_url: Option<String>,
    pub srm_accounts: Vec<String>,
    pub interval_minutes: u32,
}

pub async fn add_api(app: &App, add: AddApiLogin, out: &mut impl Write) -> anyhow::Result<()> {
    let client_id = add.client_id.context("give the client id Decisiv registered TruckIQ under with --client-id")?;
    let client_secret =
        if add.client_secret { Some(SecretInput::stdin().read("Client secret")?.expose().to_owned()) } else { None };
    let input = ApiLoginInput {
        name: add.name,
        client_id,
        client_secret,
        login_url: add.login_url.unwrap_or_else(|| DECISIV_LOGIN_URL.to_owned()),
        api_url: add.url.unwrap_or_else(|| DECISIV_API_URL.to_owned()),
        sync_interval_minutes: add.interval_minutes,
        srm_accounts: Vec::new(),
    };
    let window = app.sign_in_window().await?;
    writeln!(out, "Opening the Decisiv sign-in page in a browser window; sign in there to authorize TruckIQ…")?;
    let pending = app.authorize_api_login(input, &window).await.context("nothing was added")?;
    let chosen = match add.srm_accounts {
        given if !given.is_empty() => given,
        _ if pending.accounts.len() > 1 && std::io::stdin().is_terminal() => choose(&pending.accounts, out)?,
        _ => pending.accounts.iter().map(|a| a.id.clone()).collect(),
    };
    let added = match app.finish_api_login(&pending.id, chosen).await {
        Ok(added) => added,
        Err(error) => {
            app.cancel_api_login(&pending.id).await?;
            return Err(anyhow::Error::new(error).context("nothing was added"));
        }
    };
    for (id, srm) in &added.accounts {
        writeln!(out, "Added SRM account {:?} ({}) as account id {id}.", srm.name, srm.id)?;
    }
    for srm in &added.left_out {
        writeln!(out, "Not added: {:?} ({}); add it with --srm-account {}.", srm.name, srm.id, srm.id)?;
    }
    writeln!(out, "The authorization is kept in the system keychain and shared by these accounts.")?;
    Ok(())
}

/// Asks at the terminal which of the SRM accounts to sync.
fn choose(accounts: &[SrmAccount], out: &mut impl Write) -> anyhow::Result<Vec<String>> {
    writeln!(out, "The authorization reaches {} SRM accounts:", accounts.len())?;
    for (n, srm) in accounts.iter().enumerate() {
        writeln!(out, "  {}. {} ({})", n + 1, srm.name, srm.id)?;
    }
    write!(out, "Which to sync? Numbers separated by commas, or Enter for all: ")?;
    out.flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    pick(accounts, &line).map_err(anyhow::Error::msg)
}

/// The SRM accounts a line of numbers names (1-based); an empty line names them all.
fn pick(accounts: &[SrmAccount], line: &str) -> Result<Vec<String>, String> {
    if line.trim().is_empty() {
        return Ok(accounts.iter().map(|a| a.id.clone()).collect());
    }
    line.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| match n.parse::<usize>() {
            Ok(i) if (1..=accounts.len()).contains(&i) => Ok(accounts[i - 1].id.clone()),
            _ => Err(format!("{n:?} is not one of the numbers 1 to {}; nothing was added", accounts.len())),
        })
        .collect()
}

pub async fn reauthorize(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    let window = app.sign_in_window().await?;
    writeln!(out, "Opening the Decisiv sign-in page in a browser window; sign in there to authorize TruckIQ again…")?;
    app.reauthorize_api(account.id, &window).await.context("the authorization was not renewed")?;
    writeln!(out, "Authorized again; {:?} and the other accounts of its authorization sync again.", account.name)?;
    Ok(())
}

pub async fn remove(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    app.remove_account(account.id).await.context("nothing was deleted")?;
    writeln!(out, "Removed {:?} with its vehicles, faults, runs, alerts, secrets and browser profile.", account.name)?;
    Ok(())
}

pub async fn set_password(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    let password = SecretInput::stdin().read("New portal password")?;
    anyhow::ensure!(!password.expose().is_empty(), "the password is empty; nothing was changed");
    let paused = app.change_secrets(account.id, SecretChange { password: Some(password), totp: None }).await?;
    let resumed = if paused { " Syncing resumes." } else { "" };
    writeln!(out, "Password for {:?} saved.{resumed}", account.name)?;
    Ok(())
}

pub async fn set_totp(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    let input = SecretInput::stdin().read(&format!("{TOTP_PROMPT}; empty to remove"))?;
    let totp = totp_from(&input)?;
    let saved = totp.is_some();
    app.change_secrets(account.id, SecretChange { password: None, totp: Some(totp) }).await?;
    if saved {
        writeln!(out, "TOTP secret for {:?} saved; codes will be answered automatically.", account.name)?;
    } else {
        writeln!(out, "TOTP secret for {:?} removed.", account.name)?;
    }
    Ok(())
}

/// Parses a pasted TOTP secret; an empty line means "none".
fn totp_from(input: &Sensitive<String>) -> anyhow::Result<Option<TotpSecret>> {
    if input.expose().trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(TotpSecret::parse(input.expose()).context("the TOTP secret was not saved")?))
}

/// `pause` (`enabled` false) or `resume` (true) scheduled syncing.
pub async fn set_enabled(app: &App, name: &str, enabled: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    app.set_account_enabled(account.id, enabled).await?;
    let what = if enabled { "resumes with the scheduler" } else { "is left out of scheduled syncs" };
    writeln!(out, "{:?} {what}.", account.name)?;
    Ok(())
}

pub async fn set_trust_device(app: &App, name: &str, trust: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    app.set_trust_device(account.id, trust).await?;
    if trust {
        writeln!(out, "{:?} ticks the portal's \"trust this device\" and keeps its browser profile.", account.name)?;
    } else {
        writeln!(
            out,
            "{:?} keeps nothing of the portal on disk between runs; its browser profile was removed.",
            account.name
        )?;
    }
    Ok(())
}

pub async fn test_sign_in(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    writeln!(out, "{}", app.test_sign_in(account.id).await?)?;
    Ok(())
}

pub async fn set_profile(
    app: &App,
    name: &str,
    file: Option<&std::path::Path>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let account = app.account_named(name).await?;
    app.set_profile_file(account.id, file).await?;
    let account = app.account_named(name).await?;
    match &account.profile_file {
        Some(file) => writeln!(out, "{} now reads with the profile {file}.", account.name)?,
        None => writeln!(out, "{} reads with the {} profile again.", account.name, account.portal_kind)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_numbers_picks_srm_accounts_and_a_wrong_one_adds_nothing() {
        let srm = |id: &str| SrmAccount { id: id.into(), name: format!("Division {id}"), modules: Vec::new() };
        let accounts = [srm("a"), srm("b"), srm("c")];
        assert_eq!(pick(&accounts, "\n"), Ok(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(pick(&accounts, " 3, 1\n"), Ok(vec!["c".into(), "a".into()]));
        assert!(pick(&accounts, "0").unwrap_err().contains("1 to 3"));
        assert!(pick(&accounts, "2, x").unwrap_err().contains("\"x\""));
    }
}
