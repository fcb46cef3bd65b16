//! The tray icon: TruckIQ keeps syncing with its window closed, and from here a person opens the
//! window, syncs every account now, sees when data last arrived and how many critical faults are
//! active, or quits.

use chrono::{DateTime, Utc};
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager as _, Wry};
use truckiq::portal::run::{MFA_WAIT, RunMode};
use truckiq::store::FleetSummary;

use crate::error::IpcError;
use crate::state::AppState;

/// The status lines of the tray menu, updated after every sync and whenever alerts change.
pub struct TrayStatus {
    last_sync: MenuItem<Wry>,
    critical: MenuItem<Wry>,
    unread: MenuItem<Wry>,
}

/// The menu line for unread alerts; it opens the Alerts page, and its words are the tooltip too.
pub fn unread_line(unread: u32) -> String {
    match unread {
        0 => "No unread alerts".to_owned(),
        1 => "1 unread alert".to_owned(),
        n => format!("{n} unread alerts"),
    }
}

/// The status lines for `summary` as of `now`.
pub fn status_lines(summary: &FleetSummary, now: DateTime<Utc>) -> (String, String) {
    let last = match summary.last_success {
        None => "Last sync: never".to_owned(),
        Some(at) => {
            let minutes = (now - at).num_minutes().max(0);
            match minutes {
                0 => "Last sync: just now".to_owned(),
                1..=59 => format!("Last sync: {minutes} min ago"),
                60..=2879 => format!("Last sync: {} h ago", minutes / 60),
                _ => format!("Last sync: {} days ago", minutes / 1440),
            }
        }
    };
    let last = match summary.stale_accounts {
        0 => last,
        1 => format!("{last} · 1 account stale"),
        n => format!("{last} · {n} accounts stale"),
    };
    (last, format!("Active critical faults: {}", summary.active_critical))
}

fn sync_all(handle: &AppHandle) {
    let handle = handle.clone();
    tauri::async_runtime::spawn(async move {
        let state = handle.state::<AppState>();
        let started = match state.app() {
            Ok(app) => app.sync_now(None, RunMode::Interactive { mfa_wait: MFA_WAIT }).await.map_err(IpcError::from),
            Err(error) => Err(error),
        };
        if let Err(error) = started {
            tracing::warn!(%error, "tray: sync now failed to start");
        }
    });
}

/// Puts the icon in the tray. Fails on desktops without a tray; the app then quits when its
/// window closes instead of hiding.
pub fn install(app: &AppHandle) -> tauri::Result<TrayStatus> {
    let open = MenuItem::with_id(app, "open", "Open TruckIQ", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync all now", true, None::<&str>)?;
    let last_sync = MenuItem::with_id(app, "last-sync", "Last sync: never", false, None::<&str>)?;
    let critical = MenuItem::with_id(app, "critical", "Active critical faults: 0", false, None::<&str>)?;
    let unread = MenuItem::with_id(app, "alerts", unread_line(0), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit TruckIQ", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &sync,
            &PredefinedMenuItem::separator(app)?,
            &last_sync,
            &critical,
            &unread,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut tray = TrayIconBuilder::with_id("main").menu(&menu).tooltip("TruckIQ").on_menu_event(|app, event| {
        match event.id().as_ref() {
            "open" => crate::window::open(app, None),
            "alerts" => crate::window::open(app, Some("#/alerts")),
            "sync" => sync_all(app),
            "quit" => app.exit(0),
            _ => {}
        }
    });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(TrayStatus { last_sync, critical, unread })
}

/// Whether the app stays running when its last window closes: only with a tray icon to come back
/// through; on a desktop without one, closing the window quits.
pub fn keep_running_without_window(app: &AppHandle) -> bool {
    app.try_state::<TrayStatus>().is_some()
}

/// Re-reads the fleet and updates the tray's status lines and tooltip.
pub async fn refresh(app: &AppHandle) {
    let Some(status) = app.try_state::<TrayStatus>() else { return };
    let state = app.state::<AppState>();
    let summary = match state.app() {
        Ok(core) => core.fleet_summary(0).await.map_err(IpcError::from),
        Err(error) => Err(error),
    };
    match summary {
        Ok(summary) => {
            let (last, critical) = status_lines(&summary, Utc::now());
            let _ = status.last_sync.set_text(last);
            let _ = status.critical.set_text(critical);
            let unread = unread_line(summary.unread_alerts);
            let _ = status.unread.set_text(&unread);
            if let Some(tray) = app.tray_by_id("main") {
                let _ = tray.set_tooltip(Some(format!("TruckIQ · {unread}")));
            }
        }
        Err(error) => tracing::warn!(%error, "tray: cannot read the fleet"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_say_when_and_how_many() {
        let now: DateTime<Utc> = "2026-11-23T12:00:00Z".parse().unwrap();
        let mut summary = FleetSummary::default();
        assert_eq!(status_lines(&summary, now).0, "Last sync: never");
        summary.last_success = Some(now - chrono::Duration::minutes(12));
        summary.active_critical = 3;
        assert_eq!(status_lines(&summary, now), ("Last sync: 12 min ago".into(), "Active critical faults: 3".into()));
        summary.last_success = Some(now - chrono::Duration::hours(5));
        assert_eq!(status_lines(&summary, now).0, "Last sync: 5 h ago");
        summary.last_success = Some(now - chrono::Duration::days(3));
        assert_eq!(status_lines(&summary, now).0, "Last sync: 3 days ago");
        summary.stale_accounts = 2;
        assert_eq!(status_lines(&summary, now).0, "Last sync: 3 days ago · 2 accounts stale");
        assert_eq!(
            [unread_line(0), unread_line(1), unread_line(12)],
            ["No unread alerts", "1 unread alert", "12 unread alerts"]
        );
    }
}
