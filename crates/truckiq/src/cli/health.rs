//! `truckiq health`: is everything a sync needs in place, and is the data fresh?

use std::io::Write;

use chrono::{Duration, Utc};
use truckiq::app::App;
use truckiq::browser::{candidates, find_browser};

use super::EXIT_STALE;

pub async fn print(app: &App, browser: Option<&std::path::Path>, out: &mut impl Write) -> anyhow::Result<u8> {
    let mut problems = 0;
    let mut line = |ok: bool, what: &str, detail: String, out: &mut dyn Write| -> std::io::Result<()> {
        if !ok {
            problems += 1;
        }
        writeln!(out, "{} {what:<22} {detail}", if ok { "ok  " } else { "FAIL" })
    };
    match find_browser(browser, &candidates()) {
        Ok(path) => line(true, "browser", path.display().to_string(), out)?,
        Err(e) => line(false, "browser", e.to_string(), out)?,
    }
    let engine = app.engine();
    let now = Utc::now();
    let (integrity, failures) = engine
        .read(move |store| {
            let integrity: String = store.connection().query_row("PRAGMA quick_check", [], |r| r.get(0))?;
            Ok((integrity, store.failed_runs_since(now - Duration::hours(24))?))
        })
        .await?;
    line(integrity == "ok", "database", format!("{} ({integrity})", engine.config().db_path.display()), out)?;
    let secrets = engine.secrets().clone();
    match tokio::task::spawn_blocking(move || secrets.probe()).await? {
        Ok(()) => line(true, "keychain", format!("reachable ({})", engine.secrets().service()), out)?,
        Err(e) => line(false, "keychain", e.to_string(), out)?,
    }
    line(failures == 0, "failed runs (24 h)", failures.to_string(), out)?;
    for account in app.list_accounts().await? {
        let last = account.last_success_at.map_or_else(
            || "never synced".to_owned(),
            |t| format!("last success {} ({} h ago)", t.format("%Y-%m-%d %H:%M UTC"), (now - t).num_hours()),
        );
        let paused = account.paused_reason.is_some();
        let state = match (paused, account.enabled, account.stale) {
            (true, _, _) => "paused until its password is set again; ",
            (false, false, _) => "disabled; ",
            (false, true, true) => "STALE; ",
            (false, true, false) => "",
        };
        line(!paused && !account.stale, &format!("account {}", account.name), format!("{state}{last}"), out)?;
    }
    Ok(if problems == 0 { 0 } else { EXIT_STALE })
}
