//! The message TruckIQ sends, as the generic webhook's JSON body (documented in docs/webhooks.md).
//! Every other channel's format (Slack, Teams, Discord, ntfy, e-mail) is made from it, so all of them
//! say the same thing. Pure.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::AlertUid;
use crate::j1939::Severity;
use crate::j1939::reference::{describe_fault, source_label};
use crate::store::{AlertFacts, AlertKind};

/// The link that opens TruckIQ on a truck (registered by the desktop app).
pub fn vehicle_link(vin: &str) -> String {
    format!("truckiq://vehicle/{vin}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventType {
    /// One alert.
    #[serde(rename = "truckiq.alert")]
    Alert,
    /// Several non-urgent alerts of one sync run, in one message.
    #[serde(rename = "truckiq.digest")]
    Digest,
    /// "Send test": shaped like an alert, so a receiver's parsing is tried, but typed apart so
    /// that nothing acts on it as a fault.
    #[serde(rename = "truckiq.test")]
    Test,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When the message was made (its alerts were raised).
    pub timestamp: DateTime<Utc>,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    /// The idempotency key, also sent as the `webhook-id` header: the alert's uid, or the digest's.
    pub id: Uuid,
    pub title: String,
    /// Critical: sent at once, never folded into a digest.
    pub urgent: bool,
    pub alerts: Vec<EventAlert>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventAlert {
    pub id: AlertUid,
    pub kind: AlertKind,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub raised_at: DateTime<Utc>,
    pub account: Option<String>,
    pub truck: Option<EventTruck>,
    pub fault: Option<EventFault>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventTruck {
    pub vin: String,
    pub unit: Option<String>,
    pub year: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub location: Option<EventLocation>,
    /// `truckiq://vehicle/{vin}`: opens TruckIQ on this truck.
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventLocation {
    pub text: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventFault {
    pub spn: u32,
    pub fmi: u8,
    /// The controller that reported it ("Engine #1 (SA 0)").
    pub source: String,
    /// What the code means: the portal's words, else the J1939 tables'.
    pub meaning: String,
    /// The portal's urgency ("Stop Engine Immediately"), when it gives one.
    pub urgency: Option<String>,
    pub derate: bool,
}

impl EventAlert {
    pub fn from_facts(facts: &AlertFacts) -> Self {
        let a = &facts.alert;
        Self {
            id: a.uid,
            kind: a.kind,
            severity: a.severity,
            title: a.title.clone(),
            message: a.message.clone(),
            raised_at: a.created_at,
            account: facts.account.as_ref().map(|(_, name)| name.clone()),
            truck: facts.truck.as_ref().map(|t| EventTruck {
                vin: t.vin.clone(),
                unit: t.unit_number.clone(),
                year: t.model_year,
                make: t.make.clone(),
                model: t.model.clone(),
                location: (t.location.is_some() || t.latitude.is_some()).then(|| EventLocation {
                    text: t.location.clone(),
                    latitude: t.latitude,
                    longitude: t.longitude,
                    at: t.located_at,
                }),
                link: vehicle_link(&t.vin),
            }),
            fault: facts.fault.as_ref().map(|f| EventFault {
                spn: f.spn,
                fmi: f.fmi,
                source: source_label(f.source_address),
                meaning: f.description.clone().unwrap_or_else(|| describe_fault(f.spn, f.fmi)),
                urgency: f.portal_severity_text.clone(),
                derate: f.derate,
            }),
        }
    }
}

impl Event {
    /// One alert's message, keyed by the alert's uid.
    pub fn single(facts: &AlertFacts, urgent: bool) -> Self {
        let alert = EventAlert::from_facts(facts);
        Self {
            kind: EventType::Alert,
            timestamp: facts.alert.created_at,
            data: EventData { id: facts.alert.uid.as_uuid(), title: alert.title.clone(), urgent, alerts: vec![alert] },
        }
    }

    /// Several alerts in one message, under a key of its own.
    pub fn digest(key: Uuid, alerts: &[&AlertFacts], at: DateTime<Utc>) -> Self {
        let accounts: std::collections::BTreeSet<&str> =
            alerts.iter().filter_map(|f| f.account.as_ref().map(|(_, name)| name.as_str())).collect();
        let whose = match accounts.len() {
            1 => format!(" for {}", accounts.iter().next().copied().unwrap_or_default()),
            _ => String::new(),
        };
        Self {
            kind: EventType::Digest,
            timestamp: at,
            data: EventData {
                id: key,
                title: format!("{} TruckIQ alerts{whose}", alerts.len()),
                urgent: false,
                alerts: alerts.iter().map(|f| EventAlert::from_facts(f)).collect(),
            },
        }
    }
}
