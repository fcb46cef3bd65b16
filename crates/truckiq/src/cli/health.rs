//! `truckiq health`: is everything a sync needs in place, and is the data fresh?

use std::io::Write;

use chrono::{Duration, Utc};
use truckiq::browser::{candidates, find_browser};
use truckiq::secrets::{SecretKind, SecretStore};
use truckiq::store::Store;

use super::EXIT_STALE;

const STALE_HOURS: i64 = 23;

pub fn print(
    store: &Store,
    secrets: &SecretStore,
    browser: Option<&std::path::Path>,
    out: &mut impl Write,
) -> anyhow::Result<u8> {
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
    let integrity: String = store.connection().query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    line(integrity == "ok", "database", format!("{} ({integrity})", store.path().display()), out)?;
    // Reading an entry that does not exist still has to reach the keychain.
    match secrets.get_optional(0, SecretKind::Password) {
        Ok(_) => line(true, "keychain", format!("reachable ({})", secrets.service()), out)?,
        Err(e) => line(false, "keychain", e.to_string(), out)?,
    }
    let now = Utc::now();
    let failures = store.failed_runs_since(now - Duration::hours(24))?;
    line(failures == 0, "failed runs (24 h)", failures.to_string(), out)?;
    for row in store.schedule_rows()? {
        let last = row.last_success.map_or_else(
            || "never synced".to_owned(),
            |t| format!("last success {} ({} h ago)", t.format("%Y-%m-%d %H:%M UTC"), (now - t).num_hours()),
        );
        let stale = row.enabled && now - row.last_success.unwrap_or(row.created_at) > Duration::hours(STALE_HOURS);
        let state = match (row.paused, row.enabled, stale) {
            (true, _, _) => "paused until its password is set again; ",
            (false, false, _) => "disabled; ",
            (false, true, true) => "STALE; ",
            (false, true, false) => "",
        };
        line(!row.paused && !stale, &format!("account {}", row.name), format!("{state}{last}"), out)?;
    }
    Ok(if problems == 0 { 0 } else { EXIT_STALE })
}
