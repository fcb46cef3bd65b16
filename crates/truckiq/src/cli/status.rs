//! `truckiq status`: accounts and their last runs, readable at a glance.

use std::io::Write;

use chrono::{DateTime, Utc};
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use truckiq::app::App;
use truckiq::store::{AccountSummary, PortalKind, RunSummary};

pub async fn print(app: &App, out: &mut impl Write) -> anyhow::Result<()> {
    let accounts = app.list_accounts().await?;
    writeln!(out, "Database: {}", app.engine().config().db_path.display())?;
    if accounts.is_empty() {
        writeln!(out)?;
        writeln!(out, "No portal accounts yet, so nothing has been synced.")?;
        writeln!(out, "Add your PACCAR portal or Decisiv API account to start syncing your fleet.")?;
        return Ok(());
    }
    let now = Utc::now();
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(["Account", "Portal", "User", "Every", "State", "Last run"]);
    for account in &accounts {
        table.add_row([
            account.name.clone(),
            PortalKind::label(account.portal_kind).to_owned(),
            account.username.clone(),
            format_interval(account.sync_interval_minutes),
            state(account),
            account.last_run.as_ref().map_or_else(|| "never synced".to_owned(), |run| describe_run(run, now)),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

fn state(account: &AccountSummary) -> String {
    match (&account.paused_reason, account.enabled, account.stale) {
        (Some(reason), _, _) => format!("paused: {reason}"),
        (None, true, true) => "enabled, data stale".to_owned(),
        (None, true, false) => "enabled".to_owned(),
        (None, false, _) => "disabled".to_owned(),
    }
}

fn describe_run(run: &RunSummary, now: DateTime<Utc>) -> String {
    let when = run.finished_at.unwrap_or(run.started_at);
    let mut text = format!(
        "{} {} ({}) · {} vehicles, {} faults",
        run.status,
        when.format("%Y-%m-%d %H:%M UTC"),
        format_age(now - when),
        run.vehicles_count,
        run.faults_count
    );
    if let Some(kind) = &run.error_kind {
        text.push_str(&format!(" · {kind}"));
        if let Some(message) = &run.error_message {
            text.push_str(&format!(": {message}"));
        }
    }
    text
}

fn format_interval(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// "just now", "5 min ago", "3 h ago", "2 days ago"; a time in the future (clock skew) reads "just now".
fn format_age(age: chrono::TimeDelta) -> String {
    let minutes = age.num_minutes();
    match minutes {
        ..1 => "just now".to_owned(),
        1..60 => format!("{minutes} min ago"),
        60..2880 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(format_age(TimeDelta::seconds(-30)), "just now");
        assert_eq!(format_age(TimeDelta::seconds(59)), "just now");
        assert_eq!(format_age(TimeDelta::minutes(5)), "5 min ago");
        assert_eq!(format_age(TimeDelta::minutes(185)), "3 h ago");
        assert_eq!(format_age(TimeDelta::hours(47)), "47 h ago");
        assert_eq!(format_age(TimeDelta::days(3)), "3 days ago");
    }

    #[test]
    fn intervals_read_naturally() {
        assert_eq!(format_interval(15), "15 min");
        assert_eq!(format_interval(240), "4 h");
        assert_eq!(format_interval(90), "1 h 30 min");
    }
}
