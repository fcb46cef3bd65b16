//! Which channel is sent what, and when: the rules of each channel, mutes, quiet hours and digests.
//! Pure: the store calls [`Router::plan`] inside the transaction that raised the alerts.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeDelta, Timelike, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use super::event::Event;
use crate::j1939::Severity;
use crate::store::{
    AlertFacts, AlertKind, Channel, ChannelRules, Dispatch, PlannedMessage, QuietHours, Store, StoreError,
};
use crate::sync::alerts::{NOTIFICATION_PREFS_KEY, NotificationPrefs};

/// The settings key delivery settings are stored under.
pub const DELIVERY_SETTINGS_KEY: &str = "delivery";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct DeliverySettings {
    /// A message still not delivered this long after it was raised is marked failed, and its
    /// channel raises "channel failing".
    pub give_up_after_hours: u32,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self { give_up_after_hours: 24 }
    }
}

/// Urgent alerts are the critical ones: never folded into a digest.
pub fn is_urgent(severity: Severity) -> bool {
    severity == Severity::Critical
}

/// Whether `rules` ask for the alert at all (kind, tier, account). A "channel failing" alert is
/// never pushed: the channel it is about may be the one that would carry it.
pub fn wants(rules: &ChannelRules, facts: &AlertFacts) -> bool {
    let alert = &facts.alert;
    alert.kind != AlertKind::ChannelFailing
        && rules.kinds.contains(&alert.kind)
        && rules.tiers.contains(&alert.severity)
        && (rules.accounts.is_empty() || facts.account.as_ref().is_some_and(|(uid, _)| rules.accounts.contains(uid)))
}

/// When quiet hours that hold `now` end, as a UTC time; `None` outside them. `local` is the offset
/// of the computer's time zone now, which quiet hours are in.
pub fn quiet_until(quiet: QuietHours, now: DateTime<Utc>, local: FixedOffset) -> Option<DateTime<Utc>> {
    let here = now.with_timezone(&local);
    let minute = u16::try_from(here.hour() * 60 + here.minute()).unwrap_or(0);
    if !quiet.contains(minute) {
        return None;
    }
    let end = NaiveTime::from_hms_opt(u32::from(quiet.end_minute / 60), u32::from(quiet.end_minute % 60), 0)?;
    let today = here.date_naive().and_time(end).and_local_timezone(local).single()?;
    let end = if today > here { today } else { today + TimeDelta::days(1) };
    Some(end.with_timezone(&Utc))
}

/// The delivery rules as they stand when alerts are raised.
#[derive(Debug, Clone)]
pub struct Router {
    pub prefs: NotificationPrefs,
    pub settings: DeliverySettings,
    pub now: DateTime<Utc>,
    pub local: FixedOffset,
}

impl Router {
    /// For alerts raised at `now`, with the computer's time zone for quiet hours.
    pub fn new(prefs: NotificationPrefs, settings: DeliverySettings, now: DateTime<Utc>) -> Self {
        let local = *now.with_timezone(&chrono::Local).offset();
        Self { prefs, settings, now, local }
    }

    /// With the mutes and delivery settings stored now.
    pub fn from_store(store: &Store, now: DateTime<Utc>) -> Result<Self, StoreError> {
        Ok(Self::new(store.setting(NOTIFICATION_PREFS_KEY)?, store.setting(DELIVERY_SETTINGS_KEY)?, now))
    }

    fn message(&self, channel: &Channel, event: &Event, alert_ids: Vec<i64>) -> PlannedMessage {
        let urgent = event.data.urgent;
        let through = urgent && channel.rules.urgent_through;
        let held = channel.rules.quiet_hours.filter(|_| !through).and_then(|q| quiet_until(q, self.now, self.local));
        let not_before = held.unwrap_or(self.now);
        PlannedMessage {
            channel_id: channel.id,
            key: event.data.id,
            urgent,
            // Event is plain data: serialising it cannot fail.
            event: serde_json::to_string(event).unwrap_or_default(),
            alert_ids,
            not_before,
            // The wait for quiet hours to end does not count against the delivery's day.
            give_up_at: not_before + Duration::hours(i64::from(self.settings.give_up_after_hours)),
        }
    }
}

impl Dispatch for Router {
    fn plan(&self, channels: &[Channel], alerts: &[AlertFacts]) -> Vec<PlannedMessage> {
        let mut planned = Vec::new();
        for channel in channels {
            let matching: Vec<&AlertFacts> = alerts
                .iter()
                .filter(|f| wants(&channel.rules, f))
                .filter(|f| {
                    let through = is_urgent(f.alert.severity) && channel.rules.urgent_through;
                    through || !self.prefs.mutes(&f.subject())
                })
                .collect();
            let (urgent, rest): (Vec<&AlertFacts>, Vec<&AlertFacts>) =
                matching.into_iter().partition(|f| is_urgent(f.alert.severity));
            for facts in urgent {
                planned.push(self.message(channel, &Event::single(facts, true), vec![facts.alert.id]));
            }
            match rest.as_slice() {
                [] => {}
                [one] => planned.push(self.message(channel, &Event::single(one, false), vec![one.alert.id])),
                several => {
                    let event = Event::digest(Uuid::new_v4(), several, self.now);
                    planned.push(self.message(channel, &event, several.iter().map(|f| f.alert.id).collect()));
                }
            }
        }
        planned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AccountUid, AlertUid, ChannelUid};
    use crate::store::{Alert, ChannelKind, ChannelSettings, FaultFacts, MutedCode, TruckFacts};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn channel(id: i64, rules: ChannelRules) -> Channel {
        Channel {
            id,
            uid: ChannelUid::new(),
            name: format!("c{id}"),
            kind: ChannelKind::Webhook,
            target: "https://example.test".into(),
            settings: ChannelSettings::default(),
            rules,
            enabled: true,
            created_at: at("2026-12-01T00:00:00Z"),
        }
    }

    fn facts(id: i64, kind: AlertKind, severity: Severity, account: AccountUid) -> AlertFacts {
        AlertFacts {
            alert: Alert {
                id,
                uid: AlertUid::new(),
                kind,
                severity,
                account_id: Some(1),
                vehicle_id: Some(id),
                fault_id: Some(id),
                sync_run_id: Some(7),
                channel_id: None,
                title: format!("alert {id}"),
                message: String::new(),
                created_at: at("2026-12-03T02:00:00Z"),
                read_at: None,
                acknowledged_at: None,
                snoozed_until: None,
            },
            account: Some((account, "Acme".into())),
            truck: Some(TruckFacts {
                vin: format!("1XKYD49X0NJ12345{}", id % 10),
                unit_number: Some(id.to_string()),
                model_year: None,
                make: None,
                model: None,
                location: None,
                latitude: None,
                longitude: None,
                located_at: None,
            }),
            fault: Some(FaultFacts {
                source_address: 0,
                spn: 100,
                fmi: 1,
                description: None,
                portal_severity_text: None,
                derate: false,
            }),
        }
    }

    fn router(now: &str) -> Router {
        Router {
            prefs: NotificationPrefs::default(),
            settings: DeliverySettings::default(),
            now: at(now),
            local: FixedOffset::east_opt(0).unwrap(),
        }
    }

    fn all_tiers() -> ChannelRules {
        ChannelRules { tiers: vec![Severity::Critical, Severity::Major, Severity::Minor], ..ChannelRules::default() }
    }

    #[test]
    fn critical_alerts_go_one_by_one_and_the_rest_of_a_run_in_one_digest() {
        let acc = AccountUid::new();
        let alerts = [
            facts(1, AlertKind::NewCriticalFault, Severity::Critical, acc),
            facts(2, AlertKind::NewCriticalFault, Severity::Critical, acc),
            facts(3, AlertKind::RiskChange, Severity::Major, acc),
            facts(4, AlertKind::NotCommunicating, Severity::Major, acc),
            facts(5, AlertKind::RiskChange, Severity::Minor, acc),
        ];
        let planned = router("2026-12-03T02:00:00Z").plan(&[channel(1, all_tiers())], &alerts);
        assert_eq!(planned.len(), 3);
        assert!(planned[0].urgent && planned[1].urgent && !planned[2].urgent);
        assert_eq!(planned[0].key, alerts[0].alert.uid.as_uuid(), "a single alert is keyed by its uid");
        assert_eq!(planned[2].alert_ids, vec![3, 4, 5]);
        let digest: Event = serde_json::from_str(&planned[2].event).unwrap();
        assert_eq!(digest.kind, super::super::event::EventType::Digest);
        assert_eq!(digest.data.title, "3 TruckIQ alerts for Acme");
        assert!(alerts.iter().all(|a| a.alert.uid.as_uuid() != planned[2].key), "a digest has a key of its own");
        assert_eq!(planned[0].give_up_at, at("2026-12-04T02:00:00Z"));
    }

    #[test]
    fn one_non_urgent_alert_is_sent_as_itself_and_tiers_kinds_and_accounts_filter() {
        let (mine, theirs) = (AccountUid::new(), AccountUid::new());
        let alerts = [
            facts(1, AlertKind::RiskChange, Severity::Major, mine),
            facts(2, AlertKind::RiskChange, Severity::Minor, mine),
            facts(3, AlertKind::FirstSync, Severity::Info, mine),
            facts(4, AlertKind::NewCriticalFault, Severity::Critical, theirs),
            facts(5, AlertKind::ChannelFailing, Severity::Major, mine),
        ];
        let rules = ChannelRules { accounts: vec![mine], ..ChannelRules::default() };
        let planned = router("2026-12-03T02:00:00Z").plan(&[channel(1, rules)], &alerts);
        assert_eq!(planned.len(), 1, "{planned:?}");
        assert_eq!((planned[0].alert_ids.clone(), planned[0].urgent), (vec![1], false));
        let event: Event = serde_json::from_str(&planned[0].event).unwrap();
        assert_eq!(event.kind, super::super::event::EventType::Alert);
    }

    #[test]
    fn quiet_hours_hold_a_minor_alert_till_they_end_and_let_a_critical_one_through() {
        let acc = AccountUid::new();
        let quiet = QuietHours { start_minute: 22 * 60, end_minute: 6 * 60 };
        let rules = ChannelRules { quiet_hours: Some(quiet), ..all_tiers() };
        let alerts = [
            facts(1, AlertKind::RiskChange, Severity::Minor, acc),
            facts(2, AlertKind::NewCriticalFault, Severity::Critical, acc),
        ];
        let planned = router("2026-12-03T02:00:00Z").plan(&[channel(1, rules.clone())], &alerts);
        let minor = planned.iter().find(|m| !m.urgent).unwrap();
        let critical = planned.iter().find(|m| m.urgent).unwrap();
        assert_eq!(minor.not_before, at("2026-12-03T06:00:00Z"));
        assert_eq!(minor.give_up_at, at("2026-12-04T06:00:00Z"), "the wait does not count against the day");
        assert_eq!(critical.not_before, at("2026-12-03T02:00:00Z"));
        let hold_all = ChannelRules { urgent_through: false, ..rules };
        let planned = router("2026-12-03T23:30:00Z").plan(&[channel(1, hold_all)], &alerts);
        assert!(planned.iter().all(|m| m.not_before == at("2026-12-04T06:00:00Z")), "{planned:?}");
    }

    #[test]
    fn quiet_hours_are_in_local_time_and_may_not_cross_midnight() {
        let evening = QuietHours { start_minute: 18 * 60, end_minute: 20 * 60 + 30 };
        let plus_two = FixedOffset::east_opt(2 * 3600).unwrap();
        assert_eq!(quiet_until(evening, at("2026-12-03T17:00:00Z"), plus_two), Some(at("2026-12-03T18:30:00Z")));
        assert_eq!(quiet_until(evening, at("2026-12-03T19:00:00Z"), plus_two), None);
    }

    #[test]
    fn mutes_hold_for_channels_unless_urgent_alerts_go_through() {
        let acc = AccountUid::new();
        let mut r = router("2026-12-03T12:00:00Z");
        r.prefs.muted_codes.push(MutedCode { spn: 100, fmi: 1 });
        let alerts = [
            facts(1, AlertKind::RiskChange, Severity::Major, acc),
            facts(2, AlertKind::NewCriticalFault, Severity::Critical, acc),
        ];
        let planned = r.plan(&[channel(1, ChannelRules::default())], &alerts);
        assert_eq!(planned.iter().map(|m| m.alert_ids[0]).collect::<Vec<_>>(), vec![2]);
        let strict = ChannelRules { urgent_through: false, ..ChannelRules::default() };
        assert!(r.plan(&[channel(1, strict)], &alerts).is_empty());
    }
}
