//! What to send when asking for help: the version, the system, whether the browser, the database
//! and the keychain are in place, and how each account's last runs went. Never a secret: no
//! password, code, token, cookie or proxy credential is read for it.

use chrono::{DateTime, Duration, Utc};

use super::{App, Result};
use crate::browser::{candidates, find_browser};

/// One check, passed or failed, with what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub ok: bool,
    pub what: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostics {
    pub version: &'static str,
    pub os: String,
    pub log_dir: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub checks: Vec<Check>,
}

impl Diagnostics {
    pub fn problems(&self) -> usize {
        self.checks.iter().filter(|c| !c.ok).count()
    }

    /// The lines `truckiq health` prints and "Copy diagnostics" copies.
    pub fn check_lines(&self) -> Vec<String> {
        self.checks
            .iter()
            .map(|c| format!("{} {:<22} {}", if c.ok { "ok  " } else { "FAIL" }, c.what, c.detail))
            .collect()
    }

    /// Everything, as plain text to paste into an e-mail or a ticket.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "TruckIQ {}\nsystem: {}\nlogs: {}\ngenerated: {}\n\n",
            self.version,
            self.os,
            self.log_dir.as_deref().unwrap_or("none"),
            self.generated_at.format("%Y-%m-%d %H:%M:%S UTC"),
        );
        for line in self.check_lines() {
            text.push_str(&line);
            text.push('\n');
        }
        text
    }
}

impl App {
    /// Checks what a sync needs, with the browser Settings name (or the one found on the system).
    pub async fn diagnostics(&self) -> Result<Diagnostics> {
        let mut checks = Vec::new();
        let mut check = |ok: bool, what: &str, detail: String| checks.push(Check { ok, what: what.to_owned(), detail });
        let settings = self.engine.sync_settings().await?;
        let configured = settings.browser_path.as_deref().filter(|p| !p.trim().is_empty()).map(std::path::Path::new);
        match find_browser(configured, &candidates()) {
            Ok(path) => check(true, "browser", path.display().to_string()),
            Err(e) => check(false, "browser", e.to_string()),
        }
        let now = self.engine.clock().now();
        let (integrity, failures) = self
            .engine
            .read(move |store| {
                let integrity: String = store.connection().query_row("PRAGMA quick_check", [], |r| r.get(0))?;
                Ok((integrity, store.failed_runs_since(now - Duration::hours(24))?))
            })
            .await?;
        check(integrity == "ok", "database", format!("{} ({integrity})", self.engine.config().db_path.display()));
        let secrets = self.engine.secrets().clone();
        let service = secrets.service().to_owned();
        match crate::secrets::off_thread(move || secrets.probe()).await {
            Ok(()) => check(true, "keychain", format!("reachable ({service})")),
            Err(e) => check(false, "keychain", e.to_string()),
        }
        check(failures == 0, "failed runs (24 h)", failures.to_string());
        for account in self.list_accounts().await? {
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
            let run = account.last_run.as_ref().map_or_else(String::new, |run| {
                let reason = run.error_kind.map_or_else(String::new, |kind| format!(" ({})", kind.as_str()));
                format!("; last run {}{reason}, {} trucks", run.status.as_str(), run.vehicles_count)
            });
            check(
                !paused && !account.stale,
                &format!("account {}", account.name),
                format!("{state}{last}{run} [{}]", account.portal_kind.as_str()),
            );
        }
        Ok(Diagnostics {
            version: env!("CARGO_PKG_VERSION"),
            os: format!("{} {} ({})", std::env::consts::OS, os_release(), std::env::consts::ARCH),
            log_dir: crate::paths::log_dir().map(|dir| dir.display().to_string()),
            generated_at: now,
            checks,
        })
    }
}

/// The distribution's name and version where the system says (Linux's os-release).
fn os_release() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_owned())
        })
        .unwrap_or_default()
}
