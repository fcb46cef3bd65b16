//! `truckiq sync` and `truckiq check-stale`: for cron jobs and people at a terminal alike.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use truckiq::app::App;
use truckiq::connector::Progress;
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::store::{Alert, RunStatus, RunTrigger};
use truckiq::sync::schedule::recently_synced;
use truckiq::sync::scheduler::times;
use truckiq::sync::{RunResult, SyncEvent};

use super::{EXIT_FAILURE, EXIT_NEEDS_PERSON, EXIT_PARTIAL, EXIT_STALE};

pub struct SyncArgs {
    pub account: Option<String>,
    pub force: bool,
    pub json: bool,
    /// Read every truck, also those the portal marks unchanged.
    pub full: bool,
}

/// A person can finish an MFA challenge only with a terminal and a screen to show a window on.
fn run_mode() -> RunMode {
    let screen = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if std::io::stdin().is_terminal() && (screen || cfg!(not(target_os = "linux"))) {
        RunMode::Interactive { mfa_wait: MFA_WAIT }
    } else {
        RunMode::Scheduled
    }
}

fn bar_for(name: &str) -> ProgressBar {
    let bar = ProgressBar::new(0).with_prefix(name.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{prefix:.bold} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn show(bar: &ProgressBar, progress: &Progress) {
    match progress {
        Progress::SigningIn => bar.set_message("signing in"),
        Progress::WaitingForPerson => bar.set_message("finish signing in in the browser window"),
        Progress::ListingVehicles { page, found } => {
            bar.set_length(*found as u64);
            bar.set_message(format!("listing vehicles (page {page})"));
        }
        Progress::ReadingDiagnostics { done, total } => {
            bar.set_length(*total as u64);
            bar.set_position(*done as u64);
            bar.set_message("reading diagnostics");
        }
    }
}

fn alert_json(alert: &Alert) -> serde_json::Value {
    json!({ "event": "alert", "alert": alert })
}

fn summary(name: &str, result: &RunResult) -> (String, serde_json::Value) {
    match result {
        Ok(report) => {
            let o = &report.outcome;
            let active: usize = o.active.values().sum();
            let text = format!(
                "{name}: {} · {} vehicles ({} new), {active} active faults, {} opened, {} cleared, {} alerts{}",
                report.status,
                o.vehicles,
                o.new_vehicles,
                o.opened.len(),
                o.closed,
                report.alerts.len(),
                if report.attempts > 1 { format!(" (after {} attempts)", report.attempts) } else { String::new() }
            );
            let value = json!({
                "event": "result", "account": name, "status": report.status, "runId": report.run_id,
                "vehicles": o.vehicles, "newVehicles": o.new_vehicles, "activeFaults": active,
                "faultsOpened": o.opened.len(), "faultsClosed": o.closed, "alerts": report.alerts.len(),
                "attempts": report.attempts,
            });
            (text, value)
        }
        Err(error) => (
            format!("{name}: failed ({}): {error}", error.reason()),
            json!({ "event": "result", "account": name, "status": "failed", "error": { "code": error.reason(), "message": error.to_string() } }),
        ),
    }
}

/// Exit code for a batch: the worst outcome wins.
fn exit_code(results: &[RunResult]) -> u8 {
    results.iter().fold(0, |worst, result| {
        let code = match result {
            Ok(r) if r.status == RunStatus::Partial => EXIT_PARTIAL,
            Ok(_) => 0,
            Err(e) if e.needs_person() => EXIT_NEEDS_PERSON,
            Err(_) => EXIT_FAILURE,
        };
        // Failures outrank a person being needed, which outranks partial data.
        let rank = |c: u8| match c {
            0 => 0,
            EXIT_PARTIAL => 1,
            EXIT_NEEDS_PERSON => 2,
            _ => 3,
        };
        if rank(code) > rank(worst) { code } else { worst }
    })
}

pub async fn sync(app: &App, args: SyncArgs, out: &mut impl Write) -> anyhow::Result<u8> {
    let chosen = app.accounts_to_sync(args.account.as_deref()).await?;
    let engine = app.engine();
    let now = engine.clock().now();
    if chosen.is_empty() {
        writeln!(out, "No accounts to sync. Add one with `truckiq accounts add` or try `truckiq demo`.")?;
        deliver(app, args.json, out).await?;
        return Ok(0);
    }
    let mut events = engine.subscribe_events();
    let mut alerts = engine.subscribe_alerts();
    let terminal = std::io::stderr().is_terminal();
    let mode = run_mode();
    let mut results = Vec::new();
    for row in chosen {
        if !args.force && recently_synced(&times(&row), now) {
            let message = format!("{}: skipped, synced within its interval (use --force to sync anyway)", row.name);
            if args.json {
                writeln!(out, "{}", json!({ "event": "skipped", "account": row.name, "reason": "recent" }))?;
            } else {
                writeln!(out, "{message}")?;
            }
            continue;
        }
        if args.full {
            app.request_full_read(row.id).await?;
        }
        let bar = (terminal && !args.json).then(|| bar_for(&row.name));
        let run = engine.sync(row.id, RunTrigger::Manual, mode);
        tokio::pin!(run);
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                Ok(event) = events.recv() => match (&bar, event) {
                    (Some(bar), SyncEvent::Progress { account_id, progress }) if account_id == row.id => show(bar, &progress),
                    (Some(bar), SyncEvent::Retrying { account_id, wait, error, .. }) if account_id == row.id => {
                        bar.set_message(format!("retrying in {} s: {error}", wait.as_secs()));
                    }
                    _ => {}
                },
            }
        };
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        while let Ok(alert) = alerts.try_recv() {
            if args.json {
                writeln!(out, "{}", alert_json(&alert))?;
            } else {
                writeln!(out, "  [{}] {} — {}", alert.severity, alert.title, alert.message)?;
            }
        }
        let (text, value) = summary(&row.name, &result);
        writeln!(out, "{}", if args.json { value.to_string() } else { text })?;
        results.push(result);
    }
    deliver(app, args.json, out).await?;
    Ok(exit_code(&results))
}

/// Cron runs `truckiq sync` and nothing else: what was raised is sent now, and what is due for a
/// retry, or left for the next round (or the app) to retry.
async fn deliver(app: &App, json_out: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let round = app.deliverer().deliver_due().await?;
    // Nothing is said about channels when there was nothing to send.
    let Some(line) = super::channels::round_line(&round) else { return Ok(()) };
    if json_out {
        let value = json!({ "event": "delivery", "delivered": round.delivered, "retrying": round.retrying,
                            "failed": round.failed, "elsewhere": round.elsewhere, "nextAt": round.next_at });
        writeln!(out, "{value}")?;
    } else {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub async fn check_stale(app: &App, hours: Option<u32>, json_out: bool, out: &mut impl Write) -> anyhow::Result<u8> {
    let stale = app.check_stale(hours).await?;
    let now = Utc::now();
    for account in &stale {
        let last = account.last_success.map_or_else(
            || "never".to_owned(),
            |t| format!("{} ({} h ago)", t.format("%Y-%m-%d %H:%M UTC"), (now - t).num_hours()),
        );
        if json_out {
            writeln!(
                out,
                "{}",
                json!({ "event": "stale", "account": account.name, "lastSuccess": account.last_success })
            )?;
        } else {
            writeln!(out, "{}: no successful sync for over {} h; last success {last}", account.name, account.hours)?;
        }
    }
    if stale.is_empty() && !json_out {
        let within = hours.map_or_else(|| "the time Settings allow".to_owned(), |h| format!("{h} h"));
        writeln!(out, "Every enabled account synced successfully within {within}.")?;
    }
    Ok(if stale.is_empty() { 0 } else { EXIT_STALE })
}

#[cfg(test)]
mod tests {
    use super::*;
    use truckiq::store::SyncOutcome;
    use truckiq::sync::{RunReport, SyncError};

    fn ok(status: RunStatus) -> RunResult {
        Ok(RunReport { account_id: 1, run_id: 1, status, attempts: 1, outcome: SyncOutcome::default(), alerts: vec![] })
    }

    #[test]
    fn the_worst_outcome_sets_the_exit_code() {
        assert_eq!(exit_code(&[ok(RunStatus::Completed)]), 0);
        assert_eq!(exit_code(&[ok(RunStatus::Completed), ok(RunStatus::Partial)]), EXIT_PARTIAL);
        let paused = Err(SyncError::Paused { name: "A".into(), reason: "refused".into() });
        assert_eq!(exit_code(&[ok(RunStatus::Partial), paused.clone()]), EXIT_NEEDS_PERSON);
        assert_eq!(exit_code(&[paused, Err(SyncError::Cancelled), ok(RunStatus::Partial)]), EXIT_FAILURE);
    }
}
