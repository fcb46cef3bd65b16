//! What each alert says. Pure: the engine decides when, these functions decide the words, so a
//! notification reads the same from the desktop app, the CLI and the JSON output.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::failure::FailureReason;
use crate::j1939::Severity;
use crate::j1939::health::HealthBand;
use crate::j1939::reference::{describe_fault, source_label};
pub use crate::store::QuietHours;
use crate::store::{
    Alert, AlertKind, AlertSubject, BandChange, CriticalEpisode, MutedCode, MutedTruckCode, MutedVehicle, NewAlert,
    SyncFacts,
};

/// "Unit 1042 (1XKYD49X0NJ123456)", or the VIN alone: the truck's name, wherever it stands.
pub fn truck_label(unit: Option<&str>, vin: &str) -> String {
    match unit.filter(|u| !u.trim().is_empty()) {
        Some(unit) => format!("Unit {unit} ({vin})"),
        None => vin.to_owned(),
    }
}

/// One alert per event: `band`, the truck's move to critical that the fault caused, is said in the
/// fault's alert rather than in one of its own.
fn new_critical_fault(account_id: i64, run_id: i64, e: &CriticalEpisode, band: Option<&BandChange>) -> NewAlert {
    let what = e.description.clone().unwrap_or_else(|| describe_fault(e.spn, e.fmi));
    let urgency = e.portal_severity_text.clone().unwrap_or_else(|| "Critical".to_owned());
    let derate = if e.derate { " Engine derate active." } else { "" };
    let health = band
        .map(|c| format!(" The truck went from {} to {} (health {} of 100).", c.from, c.health.band, c.health.score))
        .unwrap_or_default();
    NewAlert {
        kind: AlertKind::NewCriticalFault,
        severity: Severity::Critical,
        account_id: Some(account_id),
        vehicle_id: Some(e.vehicle_id),
        fault_id: Some(e.fault_id),
        sync_run_id: Some(run_id),
        channel_id: None,
        title: format!("Critical fault on {}", truck_label(e.unit_number.as_deref(), &e.vin)),
        message: format!(
            "SPN {} FMI {}: {what}. {urgency}.{derate} Source: {}.{health}",
            e.spn,
            e.fmi,
            source_label(e.source_address)
        ),
    }
}

/// A critical fault nobody has opened a service case for, long after it appeared.
fn without_case(account_id: i64, run_id: i64, e: &CriticalEpisode) -> NewAlert {
    let what = e.description.clone().unwrap_or_else(|| describe_fault(e.spn, e.fmi));
    NewAlert {
        kind: AlertKind::CriticalWithoutCase,
        severity: Severity::Major,
        account_id: Some(account_id),
        vehicle_id: Some(e.vehicle_id),
        fault_id: Some(e.fault_id),
        sync_run_id: Some(run_id),
        channel_id: None,
        title: format!("No service case for the critical fault on {}", truck_label(e.unit_number.as_deref(), &e.vin)),
        message: format!(
            "SPN {} FMI {}: {what}. Still active, and no service case is open for this truck in Decisiv: call the \
             dealer, or open a case.",
            e.spn, e.fmi
        ),
    }
}

/// A summary, not an alarm: its tier is `info` whatever it counts (each critical fault after it
/// is its own alert).
fn first_sync(account_id: i64, account_name: &str, facts: &SyncFacts<'_>) -> NewAlert {
    let count = |s: Severity| facts.outcome.active.get(&s).copied().unwrap_or(0);
    let (critical, major, minor) = (count(Severity::Critical), count(Severity::Major), count(Severity::Minor));
    let severity = Severity::Info;
    let trucks = facts.new_critical.iter().map(|e| &e.vin).collect::<std::collections::HashSet<_>>().len();
    let uncased = match facts.without_case.iter().map(|e| &e.vin).collect::<std::collections::HashSet<_>>().len() {
        0 => String::new(),
        n => format!(" {n} trucks have a critical fault and no open service case."),
    };
    NewAlert {
        kind: AlertKind::FirstSync,
        severity,
        account_id: Some(account_id),
        vehicle_id: None,
        fault_id: None,
        sync_run_id: Some(facts.run_id),
        channel_id: None,
        title: format!("{account_name}: first sync found {} trucks", facts.outcome.vehicles),
        message: format!(
            "Active faults: {critical} critical (on {trucks} trucks), {major} major, {minor} minor.{uncased} \
             From now on, each new critical fault is reported on its own."
        ),
    }
}

fn risk_change(account_id: i64, run_id: i64, change: &BandChange) -> NewAlert {
    let to = change.health.band;
    let worse = to.is_worse_than(change.from);
    let severity = match (worse, to) {
        (true, HealthBand::Critical) => Severity::Critical,
        (true, _) => Severity::Major,
        (false, _) => Severity::Info,
    };
    let reasons =
        if change.health.reasons.is_empty() { "no active faults".to_owned() } else { change.health.reasons.join("; ") };
    NewAlert {
        kind: AlertKind::RiskChange,
        severity,
        account_id: Some(account_id),
        vehicle_id: Some(change.vehicle_id),
        fault_id: None,
        sync_run_id: Some(run_id),
        channel_id: None,
        title: format!(
            "{} went from {} to {}",
            truck_label(change.unit_number.as_deref(), &change.vin),
            change.from,
            to
        ),
        message: format!("Health {}/100: {reasons}.", change.health.score),
    }
}

fn not_communicating(account_id: i64, run_id: i64, truck: &crate::store::StoppedCommunicating) -> NewAlert {
    let since = truck.since.map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default();
    NewAlert {
        kind: AlertKind::NotCommunicating,
        severity: Severity::Major,
        account_id: Some(account_id),
        vehicle_id: Some(truck.vehicle_id),
        fault_id: None,
        sync_run_id: Some(run_id),
        channel_id: None,
        title: format!("{} stopped communicating", truck_label(truck.unit_number.as_deref(), &truck.vin)),
        message: format!(
            "The portal has had no report from its telematics device{since}. Its faults are as last reported; \
             new ones will not show until it reports again."
        ),
    }
}

/// The alerts one stored sync raises. The first sync of an account raises one summary instead of
/// an alert per fault (everything is "new" then) and no band changes (there was no band before).
pub fn for_sync(account_id: i64, account_name: &str, facts: &SyncFacts<'_>) -> Vec<NewAlert> {
    if facts.first_sync {
        return vec![first_sync(account_id, account_name, facts)];
    }
    let changes = &facts.outcome.band_changes;
    // A truck's first new critical fault carries its move to critical; its other new ones stand
    // alone, and so does a band change no new critical fault explains.
    let mut explained = std::collections::HashSet::new();
    let faults = facts.new_critical.iter().map(|e| {
        let band = changes
            .iter()
            .find(|c| c.vehicle_id == e.vehicle_id && c.health.band == HealthBand::Critical)
            .filter(|_| explained.insert(e.vehicle_id));
        new_critical_fault(account_id, facts.run_id, e, band)
    });
    let faults: Vec<NewAlert> = faults.collect();
    let bands = changes
        .iter()
        .filter(|c| !(c.health.band == HealthBand::Critical && explained.contains(&c.vehicle_id)))
        .map(|c| risk_change(account_id, facts.run_id, c));
    let silent = facts.outcome.stopped_communicating.iter().map(|t| not_communicating(account_id, facts.run_id, t));
    let unattended = facts.without_case.iter().map(|e| without_case(account_id, facts.run_id, e));
    faults.into_iter().chain(bands).chain(silent).chain(unattended).collect()
}

/// A run that ended without storing anything.
pub fn sync_failed(account_id: i64, account_name: &str, run_id: i64, reason: FailureReason, message: &str) -> NewAlert {
    let (severity, title) = match reason {
        FailureReason::LoginRejected => {
            (Severity::Major, format!("{account_name}: the portal refused the password; syncing is paused"))
        }
        FailureReason::MfaRejected => {
            (Severity::Major, format!("{account_name}: the portal refused the TOTP code; syncing is paused"))
        }
        FailureReason::MfaRequired => (
            Severity::Major,
            format!(
                "{account_name}: signing in needs you (a verification code, or a sign-in page TruckIQ may not fill in); use Sync now"
            ),
        ),
        other => (Severity::Minor, format!("{account_name}: sync failed ({})", other.as_str().replace('_', " "))),
    };
    let kind = if reason == FailureReason::MfaRequired { AlertKind::MfaNeeded } else { AlertKind::SyncFailed };
    NewAlert {
        kind,
        severity,
        account_id: Some(account_id),
        vehicle_id: None,
        fault_id: None,
        sync_run_id: Some(run_id),
        channel_id: None,
        title,
        message: message.to_owned(),
    }
}

/// The Decisiv API refused the grant's refresh token: one alert for the grant (its accounts are
/// paused), saying how to authorize again. `Sync now` cannot: the authorize page needs a person.
pub fn api_authorization_refused(account_id: i64, account_name: &str, run_id: i64, message: &str) -> NewAlert {
    NewAlert {
        kind: AlertKind::MfaNeeded,
        severity: Severity::Major,
        account_id: Some(account_id),
        vehicle_id: None,
        fault_id: None,
        sync_run_id: Some(run_id),
        channel_id: None,
        title: format!("{account_name}: the Decisiv API authorization was refused; sign in to Decisiv again"),
        message: message.to_owned(),
    }
}

pub fn stale_data(account_id: i64, account_name: &str, hours: u32, last_success: Option<&str>) -> NewAlert {
    NewAlert {
        kind: AlertKind::StaleData,
        severity: Severity::Major,
        account_id: Some(account_id),
        vehicle_id: None,
        fault_id: None,
        sync_run_id: None,
        channel_id: None,
        title: format!("{account_name}: no fresh data for over {hours} h"),
        message: match last_success {
            Some(at) => format!("The last successful sync was at {at}. Faults since then are not shown."),
            None => "This account has never synced successfully.".to_owned(),
        },
    }
}

/// Whether an alert deserves a desktop notification: new critical faults, a person being needed,
/// failures and stale data do; a truck moving to a better band or a minor one does not.
pub fn notifies(kind: AlertKind, severity: Severity) -> bool {
    match kind {
        AlertKind::NewCriticalFault
        | AlertKind::MfaNeeded
        | AlertKind::SyncFailed
        | AlertKind::StaleData
        | AlertKind::FirstSync
        | AlertKind::CriticalWithoutCase
        | AlertKind::ChannelFailing => true,
        AlertKind::RiskChange => severity == Severity::Critical,
        // Only for people who asked ([`NotificationPrefs::not_communicating`]).
        AlertKind::NotCommunicating => false,
    }
}

/// The settings key the notification preferences are stored under.
pub const NOTIFICATION_PREFS_KEY: &str = "notifications";

/// When desktop notifications stay quiet. Alerts are always kept and shown in the app.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct NotificationPrefs {
    pub quiet_hours: Option<QuietHours>,
    /// Quiet hours hold critical faults too. Off unless asked for: a truck told to stop at 2 a.m.
    /// is the one notification nobody wants held till morning.
    pub quiet_hours_hold_critical: bool,
    /// Also a notification when a truck stops communicating (off unless asked for).
    pub not_communicating: bool,
    pub muted_codes: Vec<MutedCode>,
    pub muted_vehicles: Vec<MutedVehicle>,
    /// Codes muted on one truck only.
    pub muted_truck_codes: Vec<MutedTruckCode>,
}

/// Whether `alert` pops up a desktop notification now: it must be worth one, outside quiet hours,
/// and not about a muted truck or fault code.
pub fn should_notify(alert: &Alert, subject: &AlertSubject, prefs: &NotificationPrefs, minute_of_day: u16) -> bool {
    let wanted =
        notifies(alert.kind, alert.severity) || (alert.kind == AlertKind::NotCommunicating && prefs.not_communicating);
    let breaks_through = alert.severity == Severity::Critical && !prefs.quiet_hours_hold_critical;
    wanted
        && (breaks_through || !prefs.quiet_hours.is_some_and(|quiet| quiet.contains(minute_of_day)))
        && !prefs.mutes(subject)
}

impl NotificationPrefs {
    /// Whether a mute covers what an alert is about: its truck, its fault code, or that code on
    /// that truck. Mutes hold for desktop notifications and alert channels alike.
    pub fn mutes(&self, subject: &AlertSubject) -> bool {
        subject.vehicle.as_ref().is_some_and(|vehicle| self.muted_vehicles.contains(vehicle))
            || subject.code.is_some_and(|code| self.muted_codes.contains(&code))
            || self
                .muted_truck_codes
                .iter()
                .any(|m| subject.code == Some(m.code) && subject.vehicle.as_ref() == Some(&m.vehicle))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::j1939::health::Health;
    use crate::store::{BandChange, SyncOutcome};

    fn episode() -> CriticalEpisode {
        CriticalEpisode {
            fault_id: 9,
            vehicle_id: 3,
            vin: "1XKYD49X0NJ123456".into(),
            unit_number: Some("1042".into()),
            source_address: 0,
            spn: 100,
            fmi: 1,
            description: None,
            portal_severity_text: Some("Stop Engine Immediately".into()),
            derate: true,
        }
    }

    #[test]
    fn a_new_critical_fault_names_the_truck_the_code_and_the_urgency() {
        let outcome = SyncOutcome::default();
        let episodes = [episode()];
        let facts =
            SyncFacts { first_sync: false, outcome: &outcome, new_critical: &episodes, without_case: &[], run_id: 5 };
        let alerts = for_sync(1, "Acme", &facts);
        assert_eq!(alerts.len(), 1);
        let a = &alerts[0];
        assert_eq!(
            (a.kind, a.severity, a.fault_id, a.vehicle_id),
            (AlertKind::NewCriticalFault, Severity::Critical, Some(9), Some(3))
        );
        assert_eq!(a.title, "Critical fault on Unit 1042 (1XKYD49X0NJ123456)");
        assert!(
            a.message.starts_with("SPN 100 FMI 1: Engine oil pressure - Reading valid but below normal range"),
            "{}",
            a.message
        );
        assert!(
            a.message.contains("Stop Engine Immediately. Engine derate active. Source: Engine #1 (SA 0)."),
            "{}",
            a.message
        );
    }

    #[test]
    fn the_first_sync_is_one_summary_and_no_band_changes() {
        let mut outcome = SyncOutcome { vehicles: 12, ..SyncOutcome::default() };
        outcome.active.insert(Severity::Critical, 2);
        outcome.active.insert(Severity::Minor, 5);
        outcome.band_changes.push(BandChange {
            vehicle_id: 1,
            vin: "V".into(),
            unit_number: None,
            from: HealthBand::Good,
            health: Health { score: 10, band: HealthBand::Critical, reasons: vec![] },
        });
        let episodes = [episode(), CriticalEpisode { fault_id: 10, ..episode() }];
        let facts =
            SyncFacts { first_sync: true, outcome: &outcome, new_critical: &episodes, without_case: &[], run_id: 1 };
        let alerts = for_sync(1, "Acme", &facts);
        assert_eq!(alerts.len(), 1);
        assert_eq!((alerts[0].kind, alerts[0].severity), (AlertKind::FirstSync, Severity::Info), "a summary");
        assert!(alerts[0].arrives_read());
        assert_eq!(alerts[0].title, "Acme: first sync found 12 trucks");
        assert!(alerts[0].message.starts_with("Active faults: 2 critical (on 1 trucks), 0 major, 5 minor."));
    }

    #[test]
    fn band_changes_are_graded_by_direction() {
        let change = |from, to| BandChange {
            vehicle_id: 1,
            vin: "1XKYD49X0NJ123456".into(),
            unit_number: None,
            from,
            health: Health { score: 40, band: to, reasons: vec!["Major: SPN 1 (-25)".into()] },
        };
        let outcome = SyncOutcome {
            band_changes: vec![
                change(HealthBand::Good, HealthBand::Critical),
                change(HealthBand::Critical, HealthBand::Attention),
            ],
            ..SyncOutcome::default()
        };
        let facts = SyncFacts { first_sync: false, outcome: &outcome, new_critical: &[], without_case: &[], run_id: 2 };
        let alerts = for_sync(1, "Acme", &facts);
        assert_eq!(alerts.iter().map(|a| a.severity).collect::<Vec<_>>(), [Severity::Critical, Severity::Info]);
        assert_eq!(alerts[0].title, "1XKYD49X0NJ123456 went from good to critical");
        assert_eq!(alerts[0].message, "Health 40/100: Major: SPN 1 (-25).");
        assert!(!alerts[0].arrives_read() && alerts[1].arrives_read(), "getting better is no alarm");
    }

    #[test]
    fn a_new_critical_fault_that_makes_its_truck_critical_is_one_alert() {
        let to_critical = BandChange {
            vehicle_id: 3,
            vin: "1XKYD49X0NJ123456".into(),
            unit_number: Some("1042".into()),
            from: HealthBand::Good,
            health: Health { score: 30, band: HealthBand::Critical, reasons: vec![] },
        };
        let other_truck = BandChange { vehicle_id: 4, vin: "1XPBD49X1MD765432".into(), ..to_critical.clone() };
        let outcome = SyncOutcome { band_changes: vec![to_critical, other_truck], ..SyncOutcome::default() };
        let episodes = [episode(), CriticalEpisode { fault_id: 10, spn: 110, ..episode() }];
        let facts =
            SyncFacts { first_sync: false, outcome: &outcome, new_critical: &episodes, without_case: &[], run_id: 5 };
        let alerts = for_sync(1, "Acme", &facts);
        let kinds: Vec<_> = alerts.iter().map(|a| (a.kind, a.vehicle_id)).collect();
        assert_eq!(
            kinds,
            [
                (AlertKind::NewCriticalFault, Some(3)),
                (AlertKind::NewCriticalFault, Some(3)),
                (AlertKind::RiskChange, Some(4)),
            ],
            "the band change of truck 3 folds into its first fault's alert; truck 4's stands"
        );
        assert!(
            alerts[0].message.ends_with("The truck went from good to critical (health 30 of 100)."),
            "{}",
            alerts[0].message
        );
        assert!(!alerts[1].message.contains("went from"), "said once");
    }

    #[test]
    fn critical_news_and_needed_people_notify_improvements_do_not() {
        assert!(notifies(AlertKind::NewCriticalFault, Severity::Critical));
        assert!(notifies(AlertKind::MfaNeeded, Severity::Major));
        assert!(notifies(AlertKind::RiskChange, Severity::Critical));
        assert!(!notifies(AlertKind::RiskChange, Severity::Info), "a truck getting better");
        assert!(!notifies(AlertKind::RiskChange, Severity::Major));
    }

    #[test]
    fn quiet_hours_and_mutes_silence_notifications_only() {
        let alert = Alert {
            id: 1,
            uid: crate::ids::AlertUid::new(),
            kind: AlertKind::NewCriticalFault,
            severity: Severity::Critical,
            account_id: Some(1),
            vehicle_id: Some(7),
            fault_id: Some(9),
            sync_run_id: None,
            channel_id: None,
            title: String::new(),
            message: String::new(),
            created_at: chrono::Utc::now(),
            read_at: None,
            acknowledged_at: None,
            snoozed_until: None,
        };
        let none = NotificationPrefs::default();
        let truck = MutedVehicle { account: crate::ids::AccountUid::new(), vin: "1XKYD49X0NJ123456".into() };
        let about = |code: Option<(u32, u8)>| AlertSubject {
            code: code.map(|(spn, fmi)| MutedCode { spn, fmi }),
            vehicle: Some(truck.clone()),
        };
        assert!(should_notify(&alert, &about(Some((100, 1))), &none, 12 * 60));
        let night = NotificationPrefs {
            quiet_hours: Some(QuietHours { start_minute: 22 * 60, end_minute: 6 * 60 }),
            ..none.clone()
        };
        assert!(should_notify(&alert, &about(None), &night, 23 * 60), "a critical fault breaks through quiet hours");
        let held = NotificationPrefs { quiet_hours_hold_critical: true, ..night.clone() };
        assert!(!should_notify(&alert, &about(None), &held, 23 * 60), "23:00 is quiet");
        assert!(!should_notify(&alert, &about(None), &held, 5 * 60 + 59), "05:59 is quiet");
        assert!(should_notify(&alert, &about(None), &held, 6 * 60), "06:00 is not");
        let failed = Alert { kind: AlertKind::SyncFailed, severity: Severity::Major, ..alert.clone() };
        assert!(!should_notify(&failed, &about(None), &night, 23 * 60), "the rest waits for morning");
        let lunch = QuietHours { start_minute: 12 * 60, end_minute: 13 * 60 };
        assert!(lunch.contains(12 * 60 + 30) && !lunch.contains(13 * 60));
        let muted_truck = NotificationPrefs { muted_vehicles: vec![truck.clone()], ..none.clone() };
        assert!(!should_notify(&alert, &about(None), &muted_truck, 600));
        let same_vin_elsewhere = MutedVehicle { account: crate::ids::AccountUid::new(), vin: truck.vin.clone() };
        let other_account = NotificationPrefs { muted_vehicles: vec![same_vin_elsewhere], ..none.clone() };
        assert!(should_notify(&alert, &about(None), &other_account, 600), "the VIN under another login is not muted");
        let muted_code = NotificationPrefs { muted_codes: vec![MutedCode { spn: 100, fmi: 1 }], ..none.clone() };
        assert!(!should_notify(&alert, &about(Some((100, 1))), &muted_code, 600));
        assert!(
            should_notify(&alert, &about(Some((100, 18))), &muted_code, 600),
            "another FMI of the same SPN still notifies"
        );
        let on_this_truck = MutedTruckCode { vehicle: truck.clone(), code: MutedCode { spn: 100, fmi: 1 } };
        let muted_here = NotificationPrefs { muted_truck_codes: vec![on_this_truck], ..none.clone() };
        assert!(!should_notify(&alert, &about(Some((100, 1))), &muted_here, 600), "the code on this truck");
        let elsewhere = AlertSubject {
            vehicle: Some(MutedVehicle { vin: "1XP00000000000002".into(), ..truck.clone() }),
            ..about(Some((100, 1)))
        };
        assert!(should_notify(&alert, &elsewhere, &muted_here, 600), "the same code on another truck still notifies");
        let silent = Alert { kind: AlertKind::NotCommunicating, severity: Severity::Major, fault_id: None, ..alert };
        assert!(!should_notify(&silent, &about(None), &none, 600), "a silent truck notifies only when asked");
        let asked = NotificationPrefs { not_communicating: true, ..none.clone() };
        assert!(should_notify(&silent, &about(None), &asked, 600));
        assert!(!should_notify(
            &silent,
            &about(None),
            &NotificationPrefs { quiet_hours: night.quiet_hours, ..asked },
            23 * 60
        ));
    }

    #[test]
    fn a_truck_that_goes_silent_is_named_with_its_last_report() {
        let outcome = SyncOutcome {
            stopped_communicating: vec![crate::store::StoppedCommunicating {
                vehicle_id: 3,
                vin: "1XKYD49X0NJ123456".into(),
                unit_number: Some("1042".into()),
                since: "2026-11-30T08:00:00Z".parse().ok(),
            }],
            ..SyncOutcome::default()
        };
        let facts = SyncFacts { first_sync: false, outcome: &outcome, new_critical: &[], without_case: &[], run_id: 5 };
        let alerts = for_sync(1, "Acme", &facts);
        assert_eq!(alerts.len(), 1);
        assert_eq!((alerts[0].kind, alerts[0].vehicle_id), (AlertKind::NotCommunicating, Some(3)));
        assert_eq!(alerts[0].title, "Unit 1042 (1XKYD49X0NJ123456) stopped communicating");
        assert!(alerts[0].message.contains("since 2026-11-30 08:00 UTC"), "{}", alerts[0].message);
    }

    #[test]
    fn failures_say_what_to_do() {
        let rejected = sync_failed(1, "Acme", 4, FailureReason::LoginRejected, "Invalid email or password.");
        assert_eq!(rejected.kind, AlertKind::SyncFailed);
        assert!(rejected.title.contains("paused"));
        assert_eq!(sync_failed(1, "Acme", 4, FailureReason::MfaRequired, "x").kind, AlertKind::MfaNeeded);
        assert_eq!(stale_data(1, "Acme", 23, None).message, "This account has never synced successfully.");
    }
}
