//! Each channel's own form of a message, made from the generic [`Event`]. Pure: what goes over the
//! wire is decided here and tested byte for byte; `send` only carries it.

use serde_json::{Value, json};

use super::event::{Event, EventAlert};
use crate::j1939::Severity;

/// Teams refuses posts over 28 KB; a margin is kept.
const TEAMS_LIMIT: usize = 26 * 1024;
/// Discord takes up to 10 embeds a message.
const DISCORD_EMBEDS: usize = 10;
/// Slack takes up to 50 blocks a message (a header, a divider and two per alert here).
const SLACK_ALERTS: usize = 20;
/// ntfy turns a message over 4 096 bytes into an attachment.
const NTFY_LIMIT: usize = 3_500;

/// The lines that describe one alert, in plain words: what, the truck, the fault, where, the link.
pub fn alert_lines(alert: &EventAlert) -> Vec<String> {
    let mut lines = vec![alert.message.clone()];
    if let Some(truck) = &alert.truck {
        let what: Vec<String> = [truck.year.map(|y| y.to_string()), truck.make.clone(), truck.model.clone()]
            .into_iter()
            .flatten()
            .collect();
        let unit = truck.unit.as_deref().map(|u| format!("Unit {u}, ")).unwrap_or_default();
        let what = if what.is_empty() { String::new() } else { format!(" ({})", what.join(" ")) };
        lines.push(format!("Truck: {unit}VIN {}{what}", truck.vin));
        if let Some(location) = &truck.location {
            let place = match (&location.text, location.latitude, location.longitude) {
                (Some(text), Some(lat), Some(lon)) => format!("{text} ({lat:.5}, {lon:.5})"),
                (Some(text), _, _) => text.clone(),
                (None, Some(lat), Some(lon)) => format!("{lat:.5}, {lon:.5}"),
                _ => String::new(),
            };
            let when = location.at.map(|t| format!(", as of {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default();
            if !place.is_empty() {
                lines.push(format!("Location: {place}{when}"));
            }
        }
    }
    if let Some(fault) = &alert.fault {
        let urgency = fault.urgency.as_deref().map(|u| format!(", portal urgency: {u}")).unwrap_or_default();
        let derate = if fault.derate { ", engine derate active" } else { "" };
        lines.push(format!(
            "Fault: SPN {} FMI {}, {} (from {}){urgency}{derate}",
            fault.spn, fault.fmi, fault.meaning, fault.source
        ));
    }
    lines.push(format!("Urgency: {}", tier_word(alert.severity)));
    if let Some(truck) = &alert.truck {
        lines.push(format!("Open in TruckIQ: {}", truck.link));
    }
    lines
}

pub fn tier_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Major => "major",
        Severity::Minor => "minor",
        Severity::Info => "information",
    }
}

/// Plain text for every channel that has no richer form: the title, then each alert.
pub fn plain_text(event: &Event) -> String {
    let mut text = String::new();
    for (i, alert) in event.data.alerts.iter().enumerate() {
        if event.data.alerts.len() > 1 || i > 0 {
            text.push_str(&format!("\n{}. {}\n", i + 1, alert.title));
        }
        for line in alert_lines(alert) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text.trim().to_owned()
}

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn slack(event: &Event) -> Value {
    let mut blocks = vec![json!({"type": "header", "text": {"type": "plain_text", "text": event.data.title}})];
    for alert in event.data.alerts.iter().take(SLACK_ALERTS) {
        let body = alert_lines(alert).iter().map(|l| slack_escape(l)).collect::<Vec<_>>().join("\n");
        blocks.push(json!({"type": "divider"}));
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*\n{body}", slack_escape(&alert.title))}}));
    }
    if let Some(more) = event.data.alerts.len().checked_sub(SLACK_ALERTS).filter(|n| *n > 0) {
        blocks.push(
            json!({"type": "context", "elements": [{"type": "mrkdwn", "text": format!("and {more} more in TruckIQ")}]}),
        );
    }
    json!({"text": slack_escape(&event.data.title), "blocks": blocks})
}

/// An Adaptive Card 1.4 in the envelope a Teams Workflows webhook trigger reads.
pub fn teams(event: &Event) -> Value {
    let card = |alerts: &[EventAlert], more: usize| {
        let mut body = vec![json!({
            "type": "TextBlock", "text": event.data.title, "weight": "Bolder", "size": "Medium", "wrap": true,
            "color": if event.data.urgent { "Attention" } else { "Default" }
        })];
        for alert in alerts {
            body.push(
                json!({"type": "TextBlock", "text": alert.title, "weight": "Bolder", "wrap": true, "separator": true}),
            );
            for line in alert_lines(alert) {
                body.push(json!({"type": "TextBlock", "text": line, "wrap": true, "spacing": "Small"}));
            }
        }
        if more > 0 {
            body.push(json!({"type": "TextBlock", "text": format!("and {more} more in TruckIQ"), "isSubtle": true}));
        }
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard", "version": "1.4", "body": body
                }
            }]
        })
    };
    let alerts = &event.data.alerts;
    // The largest head of the list that fits under the limit.
    (0..=alerts.len())
        .rev()
        .map(|n| card(&alerts[..n], alerts.len() - n))
        .find(|c| c.to_string().len() <= TEAMS_LIMIT)
        .unwrap_or_else(|| card(&[], alerts.len()))
}

pub fn discord(event: &Event) -> Value {
    let color = |s: Severity| match s {
        Severity::Critical => 0xD9_2D_20,
        Severity::Major => 0xE0_8A_00,
        Severity::Minor => 0xC9_B2_00,
        Severity::Info => 0x2F_6F_DE,
    };
    let embeds: Vec<Value> = event
        .data
        .alerts
        .iter()
        .take(DISCORD_EMBEDS)
        .map(|a| json!({"title": truncate(&a.title, 256), "description": truncate(&alert_lines(a).join("\n"), 4000), "color": color(a.severity)}))
        .collect();
    let more = event.data.alerts.len().saturating_sub(DISCORD_EMBEDS);
    let content =
        if more > 0 { format!("{} (and {more} more in TruckIQ)", event.data.title) } else { event.data.title.clone() };
    // No @everyone or role pings from text that came from a portal.
    json!({"content": truncate(&content, 2000), "embeds": embeds, "allowed_mentions": {"parse": []}})
}

/// An ntfy JSON publish: the topic is the topic URL's last segment, posted to the server's root.
pub fn ntfy(event: &Event, topic: &str) -> Value {
    let worst =
        event.data.alerts.iter().map(|a| a.severity).min_by_key(|s| severity_rank(*s)).unwrap_or(Severity::Info);
    let (priority, tag) = match worst {
        Severity::Critical => (5, "rotating_light"),
        Severity::Major => (4, "warning"),
        Severity::Minor => (3, "wrench"),
        Severity::Info => (2, "information_source"),
    };
    let mut message = json!({
        "topic": topic,
        "title": event.data.title,
        "message": truncate(&plain_text(event), NTFY_LIMIT),
        "priority": priority,
        "tags": [tag, "truck"],
    });
    let trucks: Vec<&str> =
        event.data.alerts.iter().filter_map(|a| a.truck.as_ref().map(|t| t.link.as_str())).collect();
    if let ([link], Some(fields)) = (trucks.as_slice(), message.as_object_mut()) {
        fields.insert("click".into(), json!(link));
    }
    message
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
        Severity::Info => 3,
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// An e-mail's subject, plain text and HTML body.
pub fn email(event: &Event) -> (String, String, String) {
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let mut html = format!("<h2 style=\"font-family:sans-serif\">{}</h2>", escape(&event.data.title));
    for alert in &event.data.alerts {
        html.push_str(&format!(
            "<h3 style=\"font-family:sans-serif\">{}</h3><ul style=\"font-family:sans-serif\">",
            escape(&alert.title)
        ));
        for line in alert_lines(alert) {
            html.push_str(&format!("<li>{}</li>", escape(&line)));
        }
        html.push_str("</ul>");
        if let Some(truck) = &alert.truck {
            html.push_str(&format!(
                "<p style=\"font-family:sans-serif\"><a href=\"{}\">Open this truck in TruckIQ</a></p>",
                escape(&truck.link)
            ));
        }
    }
    (event.data.title.clone(), format!("{}\n\n{}\n", event.data.title, plain_text(event)), html)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;
    use crate::delivery::event::{EventData, EventFault, EventLocation, EventTruck, EventType};
    use crate::ids::AlertUid;
    use crate::store::AlertKind;

    fn alert(severity: Severity, title: &str) -> EventAlert {
        EventAlert {
            id: AlertUid::new(),
            kind: AlertKind::NewCriticalFault,
            severity,
            title: title.into(),
            message: "SPN 100 FMI 1: Engine oil pressure low. Stop Engine Immediately.".into(),
            raised_at: Utc::now(),
            account: Some("Acme".into()),
            truck: Some(EventTruck {
                vin: "1XKYD49X0NJ123456".into(),
                unit: Some("1042".into()),
                year: Some(2022),
                make: Some("Kenworth".into()),
                model: Some("T680".into()),
                location: Some(EventLocation {
                    text: Some("I-80 near Laramie, WY".into()),
                    latitude: Some(41.3114),
                    longitude: Some(-105.5911),
                    at: None,
                }),
                link: "truckiq://vehicle/1XKYD49X0NJ123456".into(),
            }),
            fault: Some(EventFault {
                spn: 100,
                fmi: 1,
                source: "Engine #1 (SA 0)".into(),
                meaning: "Engine oil pressure - below normal".into(),
                urgency: Some("Stop Engine Immediately".into()),
                derate: true,
            }),
        }
    }

    fn event(alerts: Vec<EventAlert>) -> Event {
        Event {
            kind: EventType::Alert,
            timestamp: Utc::now(),
            data: EventData { id: Uuid::new_v4(), title: "Critical fault on Unit 1042".into(), urgent: true, alerts },
        }
    }

    #[test]
    fn the_plain_words_name_truck_fault_meaning_urgency_location_and_link() {
        let text = plain_text(&event(vec![alert(Severity::Critical, "Critical fault on Unit 1042")]));
        for expected in [
            "Truck: Unit 1042, VIN 1XKYD49X0NJ123456 (2022 Kenworth T680)",
            "Location: I-80 near Laramie, WY (41.31140, -105.59110)",
            "Fault: SPN 100 FMI 1, Engine oil pressure - below normal (from Engine #1 (SA 0)), portal urgency: Stop Engine Immediately, engine derate active",
            "Urgency: critical",
            "Open in TruckIQ: truckiq://vehicle/1XKYD49X0NJ123456",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
        }
    }

    #[test]
    fn teams_gets_an_adaptive_card_in_a_message_envelope_under_its_size_limit() {
        let big = event((0..400).map(|i| alert(Severity::Major, &format!("Alert {i}"))).collect());
        let body = teams(&big);
        assert_eq!(body["type"], "message");
        let card = &body["attachments"][0];
        assert_eq!(card["contentType"], "application/vnd.microsoft.card.adaptive");
        assert_eq!(
            (card["content"]["type"].as_str(), card["content"]["version"].as_str()),
            (Some("AdaptiveCard"), Some("1.4"))
        );
        assert!(body.to_string().len() <= TEAMS_LIMIT);
        let last = card["content"]["body"].as_array().unwrap().last().unwrap()["text"].as_str().unwrap().to_owned();
        assert!(last.starts_with("and ") && last.ends_with(" more in TruckIQ"), "{last}");
    }

    #[test]
    fn slack_escapes_its_control_characters_and_discord_pings_nobody() {
        let e = event(vec![alert(Severity::Critical, "Oil <low> & @everyone")]);
        let s = slack(&e);
        assert!(s["blocks"][2]["text"]["text"].as_str().unwrap().starts_with("*Oil &lt;low&gt; &amp; @everyone*"));
        let d = discord(&e);
        assert_eq!(d["allowed_mentions"]["parse"], json!([]));
        assert_eq!(d["embeds"][0]["color"], 0xD9_2D_20);
    }

    #[test]
    fn ntfy_priority_and_tags_follow_the_worst_tier_and_one_truck_is_clickable() {
        let one = ntfy(&event(vec![alert(Severity::Critical, "a")]), "fleet-alerts");
        assert_eq!((one["topic"].as_str(), one["priority"].as_i64()), (Some("fleet-alerts"), Some(5)));
        assert_eq!(one["tags"], json!(["rotating_light", "truck"]));
        assert_eq!(one["click"], "truckiq://vehicle/1XKYD49X0NJ123456");
        let two = ntfy(&event(vec![alert(Severity::Minor, "a"), alert(Severity::Major, "b")]), "t");
        assert_eq!(two["priority"], 4);
        assert!(two.get("click").is_none(), "two trucks: no one link");
    }

    #[test]
    fn the_email_has_the_link_and_escapes_html() {
        let (subject, text, html) = email(&event(vec![alert(Severity::Critical, "Oil <b>low</b>")]));
        assert_eq!(subject, "Critical fault on Unit 1042");
        assert!(text.contains("Open in TruckIQ: truckiq://vehicle/1XKYD49X0NJ123456"));
        assert!(html.contains("<a href=\"truckiq://vehicle/1XKYD49X0NJ123456\">Open this truck in TruckIQ</a>"));
        assert!(html.contains("Oil &lt;b&gt;low&lt;/b&gt;"));
    }
}
