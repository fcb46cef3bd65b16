//! `truckiq channels` and `truckiq outbox`: alert channels, their tests and delivery logs. URLs,
//! tokens and passwords are read from a prompt or stdin, never from the command line.

use std::io::Write;

use anyhow::Context as _;
use comfy_table::Table;
use truckiq::app::{App, ChannelInput, ChannelRef};
use truckiq::delivery::Round;
use truckiq::j1939::Severity;
use truckiq::store::{AlertKind, ChannelKind, ChannelRules, EmailSettings, QuietHours, SmtpSecurity};

use super::prompt::SecretInput;

#[derive(Debug, clap::Args)]
pub struct AddChannel {
    #[arg(long)]
    pub name: String,
    /// webhook (TruckIQ's signed JSON), slack, teams (a Workflows webhook), discord, ntfy or email.
    #[arg(long)]
    pub kind: ChannelKind,
    /// ntfy: the topic is protected; ask for its access token.
    #[arg(long)]
    pub token: bool,
    /// webhook: ask for the signing secret (whsec_…) instead of making one.
    #[arg(long)]
    pub own_secret: bool,
    #[arg(long, value_name = "HOST")]
    pub smtp_server: Option<String>,
    #[arg(long, value_name = "PORT")]
    pub smtp_port: Option<u16>,
    /// starttls (port 587), tls (465), or none (only to this computer).
    #[arg(long, default_value = "starttls")]
    pub smtp_security: SmtpSecurity,
    /// Sign in to the SMTP server as this user (its password is asked for).
    #[arg(long, value_name = "USER")]
    pub smtp_user: Option<String>,
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    #[arg(long, value_name = "ADDRESS")]
    pub to: Vec<String>,
    /// Only these kinds of alert (repeat or comma-separate; default: all that need a person).
    #[arg(long = "alert", value_delimiter = ',')]
    pub kinds: Vec<AlertKind>,
    /// Only these tiers (default: critical,major).
    #[arg(long = "tier", value_delimiter = ',')]
    pub tiers: Vec<Severity>,
    /// Hold alerts raised between these local times until the end, e.g. 22:00-06:00.
    #[arg(long, value_parser = parse_quiet)]
    pub quiet: Option<QuietHours>,
    /// Quiet hours and mutes hold critical alerts too (by default they go through).
    #[arg(long)]
    pub hold_urgent: bool,
}

/// "22:00-06:00" as quiet hours.
pub fn parse_quiet(text: &str) -> Result<QuietHours, String> {
    let minute = |t: &str| -> Option<u16> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    };
    let (start, end) = text.split_once('-').ok_or("write quiet hours as HH:MM-HH:MM, e.g. 22:00-06:00")?;
    match (minute(start), minute(end)) {
        (Some(start_minute), Some(end_minute)) if start_minute != end_minute => {
            Ok(QuietHours { start_minute, end_minute })
        }
        _ => Err(format!("{text:?} is not HH:MM-HH:MM with two different times")),
    }
}

pub async fn add(app: &App, add: AddChannel, out: &mut impl Write) -> anyhow::Result<()> {
    let mut input = SecretInput::stdin();
    let url =
        if add.kind.has_url() { Some(input.read("Channel URL (it is a credential)")?.expose().clone()) } else { None };
    let signing_secret =
        if add.own_secret { Some(input.read("Signing secret (whsec_…)")?.expose().clone()) } else { None };
    let access_token = if add.token { Some(input.read("ntfy access token")?.expose().clone()) } else { None };
    let email = match add.kind {
        ChannelKind::Email => Some(EmailSettings {
            server: add.smtp_server.context("give the SMTP server with --smtp-server")?,
            port: add.smtp_port.unwrap_or(match add.smtp_security {
                SmtpSecurity::Starttls => 587,
                SmtpSecurity::Tls => 465,
                SmtpSecurity::None => 25,
            }),
            security: add.smtp_security,
            username: add.smtp_user.clone(),
            from: add.from.context("give the sender with --from")?,
            to: add.to,
        }),
        _ => None,
    };
    let smtp_password = match (&email, &add.smtp_user) {
        (Some(_), Some(_)) => Some(input.read("SMTP password")?.expose().clone()),
        _ => None,
    };
    let defaults = ChannelRules::default();
    let rules = ChannelRules {
        kinds: if add.kinds.is_empty() { defaults.kinds } else { add.kinds },
        tiers: if add.tiers.is_empty() { defaults.tiers } else { add.tiers },
        accounts: Vec::new(),
        quiet_hours: add.quiet,
        urgent_through: !add.hold_urgent,
    };
    let added = app
        .add_channel(ChannelInput {
            name: add.name,
            kind: add.kind,
            url,
            signing_secret,
            access_token,
            email,
            smtp_password,
            rules,
        })
        .await
        .context("the channel was not added")?;
    writeln!(
        out,
        "Added the {} channel {:?} (id {}) to {}; what reaches it is in the system keychain.",
        added.channel.kind, added.channel.name, added.channel.id, added.channel.target
    )?;
    if let Some(secret) = added.signing_secret.filter(|_| !add.own_secret) {
        writeln!(out, "Its signing secret, for the receiver to check `webhook-signature` (shown once):\n{secret}")?;
    }
    Ok(())
}

pub async fn list(app: &App, out: &mut impl Write) -> anyhow::Result<()> {
    let channels = app.channels().await?;
    if channels.is_empty() {
        writeln!(out, "No alert channels. Add one with `truckiq channels add --name NAME --kind slack` (see --help).")?;
        return Ok(());
    }
    let mut table = Table::new();
    table.set_header(["Id", "Name", "Kind", "Goes to", "Alerts", "Tiers", "Quiet hours"]);
    for c in channels {
        let quiet = c.rules.quiet_hours.map(|q| {
            let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
            let urgent = if c.rules.urgent_through { ", critical goes through" } else { "" };
            format!("{}-{}{urgent}", hm(q.start_minute), hm(q.end_minute))
        });
        let kinds = c.rules.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
        let tiers = c.rules.tiers.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        table.add_row([
            c.id.to_string(),
            c.name,
            c.kind.to_string(),
            c.target,
            kinds,
            tiers,
            quiet.unwrap_or_else(|| "none".into()),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

pub async fn test(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<u8> {
    let answer = app.test_channel(ChannelRef::Typed(name.to_owned())).await?;
    let verdict = if answer.delivered { "delivered" } else { "NOT delivered" };
    writeln!(out, "Test message {verdict} in {} ms. The channel answered: {}", answer.duration_ms, answer.answer)?;
    Ok(if answer.delivered { 0 } else { 1 })
}

/// Pauses or resumes a channel, keeping its rules.
pub async fn set_enabled(app: &App, name: &str, enabled: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let channel = app.update_channel(ChannelRef::Typed(name.to_owned()), None, Some(enabled)).await?;
    let what = if enabled { "resumed: new alerts go to it again" } else { "paused: new alerts are not sent to it" };
    writeln!(out, "The channel {:?} is {what}.", channel.name)?;
    Ok(())
}

pub async fn remove(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    let channel = app.remove_channel(ChannelRef::Typed(name.to_owned())).await?;
    writeln!(out, "Removed the channel {:?}, its delivery log and its keychain entries.", channel.name)?;
    Ok(())
}

pub async fn log(app: &App, name: &str, out: &mut impl Write) -> anyhow::Result<()> {
    for delivery in app.channel_deliveries(ChannelRef::Typed(name.to_owned()), 50).await? {
        let m = &delivery.message;
        writeln!(
            out,
            "{} {} [{}] {} (key {})",
            m.created_at.format("%Y-%m-%d %H:%M:%S"),
            m.status,
            if m.urgent { "urgent" } else { "normal" },
            m.title,
            m.key
        )?;
        for a in &delivery.attempts {
            writeln!(
                out,
                "    {} {}: {} ({} ms)",
                a.at.format("%Y-%m-%d %H:%M:%S"),
                a.outcome,
                a.answer,
                a.duration_ms
            )?;
        }
    }
    Ok(())
}

pub async fn outbox(app: &App, all: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let entries = app.outbox(!all, 200).await?;
    if entries.is_empty() {
        writeln!(out, "{}", if all { "The outbox is empty." } else { "Nothing is waiting to be sent." })?;
        return Ok(());
    }
    let mut table = Table::new();
    table.set_header(["Id", "Channel", "Message", "Alerts", "Status", "Attempts", "Next try", "Last answer"]);
    for e in entries {
        let next = if e.status.as_str() == "pending" {
            e.next_attempt_at.format("%Y-%m-%d %H:%M:%S").to_string()
        } else {
            String::new()
        };
        table.add_row([
            e.id.to_string(),
            e.channel_name,
            e.title,
            e.alerts.to_string(),
            e.status.to_string(),
            e.attempts.to_string(),
            next,
            e.last_answer.unwrap_or_default(),
        ]);
    }
    writeln!(out, "{table}")?;
    Ok(())
}

/// What a round of delivery after `truckiq sync` did, in one line (nothing when there was nothing).
pub fn round_line(round: &Round) -> Option<String> {
    if round.elsewhere {
        return Some(
            "Alert channels: another TruckIQ process is delivering (the app, or one that stopped: its turn runs \
             out within a minute)."
                .into(),
        );
    }
    let pending =
        round.next_at.map(|at| format!("; the next retry at {}", at.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default();
    (round.delivered + round.retrying + round.failed > 0 || round.next_at.is_some()).then(|| {
        format!(
            "Alert channels: {} delivered, {} to retry, {} failed{pending}.",
            round.delivered, round.retrying, round.failed
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_read_as_two_times() {
        assert_eq!(parse_quiet("22:00-06:30"), Ok(QuietHours { start_minute: 1320, end_minute: 390 }));
        assert!(parse_quiet("22-6").is_err());
        assert!(parse_quiet("10:00-10:00").is_err());
        assert!(parse_quiet("25:00-06:00").is_err());
    }
}
