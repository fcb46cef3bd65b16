//! Alert channels: adding one (its secrets to the keychain), testing it, removing it, and what the
//! outbox holds for each.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, AppError, Result, blocking};
use crate::delivery::send::{self, Verdict};
use crate::delivery::{Deliverer, signing};
use crate::ids::ChannelUid;
use crate::secrets::{SecretKind, Sensitive};
use crate::store::{
    AttemptEntry, Channel, ChannelKind, ChannelRules, ChannelSettings, EmailSettings, NewChannel, OutboxEntry,
    QuietHours, SmtpSecurity,
};

/// Which channel a caller means: the window knows ids; a person at the CLI types a name, or the id
/// `channels list` shows when no channel has that name.
#[derive(Debug, Clone)]
pub enum ChannelRef {
    Id(i64),
    Typed(String),
}

impl std::fmt::Display for ChannelRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Id(id) => write!(f, "with id {id}"),
            Self::Typed(text) => write!(f, "named {text:?}"),
        }
    }
}

/// A channel as a person describes it. The secrets are kept only in the keychain.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChannelInput {
    pub name: String,
    pub kind: ChannelKind,
    /// The webhook or ntfy topic URL (every kind but e-mail).
    pub url: Option<String>,
    /// A webhook's signing secret ("whsec_…"); one is made when none is given.
    pub signing_secret: Option<String>,
    /// An ntfy access token, for a protected topic.
    pub access_token: Option<String>,
    pub email: Option<EmailSettings>,
    pub smtp_password: Option<String>,
    #[serde(default)]
    pub rules: ChannelRules,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChannelAdded {
    pub channel: Channel,
    /// A webhook's signing secret, shown once so the receiver can check signatures.
    pub signing_secret: Option<String>,
}

/// What the other side answered a test message.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TestAnswer {
    pub delivered: bool,
    pub status: Option<u16>,
    pub answer: String,
    pub duration_ms: u32,
}

/// One message in a channel's delivery log, with its attempts.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub message: OutboxEntry,
    pub attempts: Vec<AttemptEntry>,
}

/// Where a URL goes, as can be shown: scheme and host, never the path or query that hold the token.
fn origin_of(url: &url::Url) -> String {
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!("{}://{}{port}", url.scheme(), url.host_str().unwrap_or_default())
}

fn check_email(email: &EmailSettings) -> Result<()> {
    let local = matches!(email.server.trim(), "127.0.0.1" | "localhost" | "::1");
    if email.server.trim().is_empty() {
        return Err(AppError::invalid("give the SMTP server's host name"));
    }
    if email.security == SmtpSecurity::None && !local {
        return Err(AppError::invalid(
            "an SMTP server on another computer needs STARTTLS or TLS: without them the password and alerts cross the network in clear",
        ));
    }
    if email.to.is_empty() {
        return Err(AppError::invalid("give at least one recipient"));
    }
    for address in std::iter::once(&email.from).chain(&email.to) {
        address
            .trim()
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| AppError::invalid(format!("{address:?} is not an e-mail address")))?;
    }
    Ok(())
}

/// What adding a channel saves: its row, its keychain entries, and the signing secret to show.
struct Prepared {
    channel: NewChannel,
    secrets: Vec<(SecretKind, Sensitive<String>)>,
    signing_secret: Option<String>,
}

/// Checks `input` and says what to save.
fn prepare(input: &ChannelInput) -> Result<Prepared> {
    let uid = ChannelUid::new();
    let mut secrets = Vec::new();
    let mut shown_secret = None;
    let (target, settings) = if input.kind.has_url() {
        let url = input.url.as_deref().unwrap_or_default();
        if url.trim().is_empty() {
            return Err(AppError::invalid(
                "the channel needs its URL: paste the one the service gives for posting to it",
            ));
        }
        let parsed = send::check_url(url).map_err(|e| AppError::invalid(e.to_string()))?;
        if input.kind == ChannelKind::Ntfy {
            send::ntfy_root_and_topic(&parsed)
                .map_err(|_| AppError::invalid("an ntfy URL ends with its topic, as in https://ntfy.sh/my-fleet"))?;
        }
        secrets.push((SecretKind::ChannelUrl, Sensitive::new(url.trim().to_owned())));
        (origin_of(&parsed), ChannelSettings::default())
    } else {
        let email = input
            .email
            .clone()
            .ok_or_else(|| AppError::invalid("an e-mail channel needs its SMTP server and addresses"))?;
        check_email(&email)?;
        if let Some(password) = input.smtp_password.as_deref().filter(|p| !p.is_empty()) {
            secrets.push((SecretKind::SmtpPassword, Sensitive::new(password.to_owned())));
        }
        (email.to.join(", "), ChannelSettings { email: Some(email) })
    };
    if input.kind == ChannelKind::Webhook {
        let secret = match input.signing_secret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(given) => {
                signing::key(given).map_err(|e| AppError::invalid(e.to_string()))?;
                Sensitive::new(given.to_owned())
            }
            None => signing::new_secret(),
        };
        shown_secret = Some(secret.expose().clone());
        secrets.push((SecretKind::SigningSecret, secret));
    }
    if let Some(token) = input.access_token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        secrets.push((SecretKind::AccessToken, Sensitive::new(token.to_owned())));
    }
    check_rules(&input.rules)?;
    let channel = NewChannel {
        uid,
        name: input.name.trim().to_owned(),
        kind: input.kind,
        target,
        settings,
        rules: input.rules.clone(),
    };
    Ok(Prepared { channel, secrets, signing_secret: shown_secret })
}

/// Refuses rules that could never send anything, or quiet hours that are not a span of the day.
fn check_rules(rules: &ChannelRules) -> Result<()> {
    if rules.kinds.is_empty() || rules.tiers.is_empty() {
        return Err(AppError::invalid("choose at least one kind of alert and one tier for the channel"));
    }
    if let Some(QuietHours { start_minute, end_minute }) = rules.quiet_hours
        && (start_minute == end_minute || start_minute >= 24 * 60 || end_minute >= 24 * 60)
    {
        return Err(AppError::invalid("quiet hours run from one time of day to another, different one"));
    }
    Ok(())
}

impl App {
    /// Adds a channel: its secrets to the keychain first, then its row, so a channel never exists
    /// without the means to reach it.
    pub async fn add_channel(&self, input: ChannelInput) -> Result<ChannelAdded> {
        let Prepared { channel, secrets, signing_secret } = prepare(&input)?;
        let store = self.engine.secrets().clone();
        let uid = channel.uid;
        blocking(move || secrets.iter().try_for_each(|(kind, value)| store.set(uid, *kind, value))).await?;
        let now = self.engine.clock().now();
        let added = self.write(move |s| s.insert_channel(&channel, now)).await;
        match added {
            Ok(channel) => {
                tracing::info!(channel = %channel.name, kind = %channel.kind, "alert channel added");
                Ok(ChannelAdded { channel, signing_secret })
            }
            Err(error) => {
                let store = self.engine.secrets().clone();
                // Nothing of a channel that was not added stays behind.
                let _ = blocking(move || store.delete_all(uid)).await;
                Err(error)
            }
        }
    }

    pub async fn channels(&self) -> Result<Vec<Channel>> {
        self.read(|s| s.channels()).await
    }

    async fn find_channel(&self, which: ChannelRef) -> Result<Channel> {
        let missing = which.to_string();
        self.read(move |s| match &which {
            ChannelRef::Id(id) => s.channel(*id),
            ChannelRef::Typed(text) => s.channel_by_name(text),
        })
        .await?
        .ok_or_else(|| AppError::not_found(format!("there is no alert channel {missing}")))
    }

    /// Changes which alerts a channel is sent (`rules`), or pauses or resumes it (`enabled`); what
    /// is `None` stays as it is. Only alerts raised from now on follow the change: what is already
    /// queued for the channel is still delivered.
    pub async fn update_channel(
        &self,
        which: ChannelRef,
        rules: Option<ChannelRules>,
        enabled: Option<bool>,
    ) -> Result<Channel> {
        if let Some(rules) = &rules {
            check_rules(rules)?;
        }
        let channel = self.find_channel(which).await?;
        let (id, name) = (channel.id, channel.name.clone());
        let rules = rules.unwrap_or(channel.rules);
        let enabled = enabled.unwrap_or(channel.enabled);
        let updated = self
            .write(move |s| {
                s.set_channel_rules(id, &rules, enabled)?;
                s.channel(id)
            })
            .await?
            .ok_or_else(|| AppError::not_found(format!("the alert channel {name:?} was removed meanwhile")))?;
        tracing::info!(channel = %updated.name, enabled, "alert channel changed");
        Ok(updated)
    }

    /// Removes a channel, its outbox and log, and its keychain entries.
    pub async fn remove_channel(&self, which: ChannelRef) -> Result<Channel> {
        let channel = self.find_channel(which).await?;
        let store = self.engine.secrets().clone();
        let uid = channel.uid;
        blocking(move || store.delete_all(uid)).await?;
        let id = channel.id;
        self.write(move |s| s.remove_channel(id)).await?;
        Ok(channel)
    }

    /// Sends a test message now and says exactly what the channel answered.
    pub async fn test_channel(&self, which: ChannelRef) -> Result<TestAnswer> {
        let channel = self.find_channel(which).await?;
        let answer = self.deliverer().send_test(&channel).await;
        Ok(TestAnswer {
            delivered: answer.verdict == Verdict::Delivered,
            status: answer.status,
            answer: answer.text,
            duration_ms: u32::try_from(answer.duration.as_millis()).unwrap_or(u32::MAX),
        })
    }

    pub async fn outbox(&self, pending_only: bool, limit: u32) -> Result<Vec<OutboxEntry>> {
        self.read(move |s| s.outbox(pending_only, limit)).await
    }

    /// A channel's delivery log: its latest messages and every attempt at each.
    pub async fn channel_deliveries(&self, which: ChannelRef, limit: u32) -> Result<Vec<Delivery>> {
        let channel = self.find_channel(which).await?;
        self.read(move |s| {
            s.channel_deliveries(channel.id, limit)?
                .into_iter()
                .map(|message| Ok(Delivery { attempts: s.delivery_attempts(message.id)?, message }))
                .collect()
        })
        .await
    }

    /// The delivery worker for this database.
    pub fn deliverer(&self) -> Deliverer {
        Deliverer::new(self.engine.clone())
    }
}
