//! The delivery worker: sends what the outbox holds when it is due, records every answer, retries
//! with back-off, and gives up after the channel's day with one "channel failing" alert. The app
//! runs it all the time; `truckiq sync` runs one round after its syncs. A lease in the database
//! keeps the two from sending at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt as _;
use tokio_util::sync::CancellationToken;

use super::event::{Event, EventAlert, EventData, EventType};
use super::retry::next_attempt_at;
use super::send::{self, Answer, ChannelSecrets, SendError, Verdict};
use crate::ids::{AlertUid, ChannelUid};
use crate::j1939::Severity;
use crate::secrets::{SecretError, SecretKind, SecretStore, off_thread};
use crate::store::{
    AlertKind, Attempt, AttemptOutcome, AttemptRecord, Channel, DELIVERY_LEASE, DueMessage, NewAlert, StoreError,
};
use crate::sync::{SyncEngine, SyncError};

/// How long a lease is held without renewal: well over one batch's longest wait (one send's
/// timeout); also how long a process that died holding it keeps others from delivering.
const LEASE: TimeDelta = TimeDelta::seconds(45);
/// Messages sent at once, and recorded together.
const IN_FLIGHT: usize = 16;
/// How often the running app looks for messages another process queued (`truckiq sync` from cron).
pub const POLL: Duration = Duration::from_secs(30);
/// How soon to look again while another process holds the delivery lease.
const ELSEWHERE_RETRY: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot make the HTTP client: {0}")]
    Client(String),
    /// The proxy set in Settings → Sync cannot be used (its password is missing or was refused).
    #[error("{0}")]
    Proxy(#[from] SyncError),
}

/// What one round of delivering did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub retrying: usize,
    pub failed: usize,
    /// Another process has the lease and is delivering.
    pub elsewhere: bool,
    /// When the next pending message is due.
    pub next_at: Option<DateTime<Utc>>,
}

/// Sends the outbox of one database.
#[derive(Clone)]
pub struct Deliverer {
    engine: SyncEngine,
    /// This process's name on the lease.
    holder: String,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer").field("holder", &self.holder).finish_non_exhaustive()
    }
}

fn channel_secrets(secrets: &SecretStore, uid: ChannelUid) -> Result<ChannelSecrets, SecretError> {
    let get = |kind| secrets.get_optional(uid, kind);
    Ok(ChannelSecrets {
        url: get(SecretKind::ChannelUrl)?,
        signing_secret: get(SecretKind::SigningSecret)?,
        access_token: get(SecretKind::AccessToken)?,
        smtp_password: get(SecretKind::SmtpPassword)?,
    })
}

/// The alert raised when a channel's message is given up on.
pub fn channel_failing(channel: &Channel, answer: &str, gave_up_after: Option<TimeDelta>) -> NewAlert {
    let why = match gave_up_after {
        Some(spell) => format!("TruckIQ kept trying for {} h; the last answer: {answer}", spell.num_hours()),
        None => format!("It refused the message: {answer}"),
    };
    NewAlert {
        kind: AlertKind::ChannelFailing,
        severity: Severity::Major,
        account_id: None,
        vehicle_id: None,
        fault_id: None,
        sync_run_id: None,
        channel_id: Some(channel.id),
        title: format!("Alerts to {} are not getting through", channel.name),
        message: format!(
            "{why}. Check the channel in Settings → Alert channels (Send test shows what it answers); \
             the alerts are all in TruckIQ."
        ),
    }
}

/// What a failed attempt comes to: a retry at its time, or failed.
pub fn settle(
    message: &DueMessage,
    answer: &Answer,
    now: DateTime<Utc>,
    jitter: f64,
) -> (AttemptOutcome, Option<DateTime<Utc>>) {
    match answer.verdict {
        Verdict::Delivered => (AttemptOutcome::Delivered, None),
        Verdict::Refused => (AttemptOutcome::Failed, None),
        Verdict::Retry(asked) => match next_attempt_at(now, message.attempts + 1, asked, message.give_up_at, jitter) {
            Some(at) => (AttemptOutcome::Retry, Some(at)),
            None => (AttemptOutcome::Failed, None),
        },
    }
}

impl Deliverer {
    pub fn new(engine: SyncEngine) -> Self {
        Self { engine, holder: uuid::Uuid::new_v4().to_string() }
    }

    /// An HTTP client through the proxy set in Settings → Sync, signed in to it, as syncs go: made
    /// for each round that has something to send, so a changed proxy applies from the next one.
    async fn http(&self) -> Result<reqwest::Client, DeliveryError> {
        let browser = self.engine.browser_options().await?;
        let proxy = browser.http_proxy().map_err(DeliveryError::Client)?;
        send::http_client(proxy).map_err(|e| DeliveryError::Client(e.to_string()))
    }

    /// Sends everything due now, until nothing is; one process at a time. Up to [`IN_FLIGHT`]
    /// messages are sent at once, each recorded as soon as it is answered.
    pub async fn deliver_due(&self) -> Result<Round, DeliveryError> {
        let clock = Arc::clone(self.engine.clock());
        let mut round = Round::default();
        let mut secrets: HashMap<ChannelUid, Result<ChannelSecrets, String>> = HashMap::new();
        let mut http = None;
        loop {
            let now = clock.now();
            // Renewed per batch: a batch takes at most one send's timeout, well inside the lease.
            let (holder, until) = (self.holder.clone(), now + LEASE);
            if !self.engine.db(move |s| s.take_lease(DELIVERY_LEASE, &holder, now, until)).await? {
                round.elsewhere = true;
                break;
            }
            let due = self.engine.read(move |s| s.due_messages(now, IN_FLIGHT as u32)).await?;
            if due.is_empty() {
                break;
            }
            let client = match http.take() {
                Some(client) => client,
                None => match self.http().await {
                    Ok(client) => client,
                    Err(error) => {
                        // Nothing was sent: the messages wait, and another process may try.
                        let holder = self.holder.clone();
                        self.engine.db(move |s| s.release_lease(DELIVERY_LEASE, &holder)).await?;
                        return Err(error);
                    }
                },
            };
            for message in &due {
                let uid = message.channel.uid;
                if let std::collections::hash_map::Entry::Vacant(slot) = secrets.entry(uid) {
                    let store = self.engine.secrets().clone();
                    let found = off_thread(move || channel_secrets(&store, uid)).await;
                    slot.insert(found.map_err(|e| e.to_string()));
                }
            }
            let sends = due.into_iter().map(|message| {
                let found = secrets[&message.channel.uid].clone();
                self.deliver_one(&client, message, found)
            });
            let records: Vec<AttemptRecord> = futures::stream::iter(sends).buffer_unordered(IN_FLIGHT).collect().await;
            if records.iter().any(|r| r.attempt.status == Some(PROXY_AUTHENTICATION_REQUIRED)) {
                // Like a sync, delivery never sends a password the proxy refused again.
                self.engine.refuse_proxy_password().await?;
            }
            http = Some(client);
            let holder = self.holder.clone();
            let batch = records.clone();
            let Some(raised) = self.engine.db(move |s| s.record_attempts(&holder, &batch)).await? else {
                // The lease ran out while sending (the computer slept): another process may be
                // delivering now. The receiver drops the duplicates by their keys.
                tracing::warn!("the delivery lease ran out during a batch; stopping this round");
                round.elsewhere = true;
                break;
            };
            for record in &records {
                match record.attempt.outcome {
                    AttemptOutcome::Delivered => round.delivered += 1,
                    AttemptOutcome::Retry => round.retrying += 1,
                    AttemptOutcome::Failed => round.failed += 1,
                }
            }
            for alert in raised {
                // The window shows it, and notifies.
                self.engine.announce(alert);
            }
        }
        if !round.elsewhere {
            let holder = self.holder.clone();
            self.engine.db(move |s| s.release_lease(DELIVERY_LEASE, &holder)).await?;
        }
        round.next_at = self.engine.read(|s| s.next_delivery_at()).await?;
        Ok(round)
    }

    /// Sends one message and says what to record of it.
    async fn deliver_one(
        &self,
        http: &reqwest::Client,
        message: DueMessage,
        secrets: Result<ChannelSecrets, String>,
    ) -> AttemptRecord {
        let clock = self.engine.clock();
        let answer = match &secrets {
            Ok(found) => attempt(http, &message, found, clock.now()).await,
            // A locked keychain may be unlocked by the next try.
            Err(problem) => Answer::not_sent(format!("cannot read the channel's secrets: {problem}")),
        };
        let at = clock.now();
        let (outcome, next) = settle(&message, &answer, at, rand::random::<f64>());
        let failing = (outcome == AttemptOutcome::Failed).then(|| {
            let spell = (answer.verdict != Verdict::Refused).then(|| message.give_up_at - message.created_at);
            channel_failing(&message.channel, &answer.text, spell)
        });
        tracing::info!(channel = %message.channel.name, message = message.id, %outcome, answer = %answer.text, "delivery attempt");
        AttemptRecord {
            id: message.id,
            attempt: Attempt {
                at,
                outcome,
                status: answer.status,
                answer: answer.text,
                duration_ms: u32::try_from(answer.duration.as_millis()).unwrap_or(u32::MAX),
                next_attempt_at: next,
            },
            failing,
        }
    }

    /// Delivers until `stop`: at once when an alert is committed, when the next retry is due, and
    /// every [`POLL`] for what another process queued.
    pub async fn run(self, stop: CancellationToken) {
        let mut alerts = self.engine.subscribe_alerts();
        loop {
            let now = self.engine.clock().now();
            let wait = match self.deliver_due().await {
                // Another process holds the lease (or a killed one did): ask again a little later,
                // not at once, though its messages are due.
                Ok(round) if round.elsewhere => ELSEWHERE_RETRY,
                Ok(round) => round.next_at.map_or(POLL, |at| (at - now).to_std().unwrap_or_default().min(POLL)),
                Err(error) => {
                    tracing::warn!(%error, "delivering alerts failed; trying again shortly");
                    POLL
                }
            };
            tokio::select! {
                () = stop.cancelled() => break,
                _ = alerts.recv() => {}
                () = self.engine.clock().sleep(wait) => {}
            }
            // A sync raises its alerts together: one round sends them all.
            while alerts.try_recv().is_ok() {}
        }
    }

    /// Sends a test message to `channel` now, outside the outbox, and returns what it answered.
    pub async fn send_test(&self, channel: &Channel) -> Answer {
        let now = self.engine.clock().now();
        let store = self.engine.secrets().clone();
        let uid = channel.uid;
        let secrets = match off_thread(move || channel_secrets(&store, uid)).await {
            Ok(found) => found,
            Err(problem) => return Answer::not_sent(format!("cannot read the channel's secrets: {problem}")),
        };
        let http = match self.http().await {
            Ok(http) => http,
            Err(problem) => return Answer::not_sent(format!("not sent: {problem}")),
        };
        let key = uuid::Uuid::new_v4();
        let event = test_event(key, now);
        let body = serde_json::to_string(&event).unwrap_or_default();
        match send::send(&http, channel, &secrets, key, &body, now).await {
            Ok(answer) => answer,
            Err(problem) => refused(&problem),
        }
    }
}

async fn attempt(http: &reqwest::Client, message: &DueMessage, secrets: &ChannelSecrets, now: DateTime<Utc>) -> Answer {
    match send::send(http, &message.channel, secrets, message.key, &message.event, now).await {
        Ok(answer) => answer,
        Err(problem) => refused(&problem),
    }
}

const PROXY_AUTHENTICATION_REQUIRED: u16 = 407;

fn refused(problem: &SendError) -> Answer {
    Answer { verdict: Verdict::Refused, status: None, text: problem.to_string(), duration: Duration::ZERO }
}

/// The message "Send test" sends: plainly a test, about no truck.
pub fn test_event(key: uuid::Uuid, now: DateTime<Utc>) -> Event {
    let title = "Test from TruckIQ".to_owned();
    Event {
        kind: EventType::Test,
        timestamp: now,
        data: EventData {
            id: key,
            title: title.clone(),
            urgent: false,
            alerts: vec![EventAlert {
                id: AlertUid::new(),
                kind: AlertKind::NewCriticalFault,
                severity: Severity::Info,
                title,
                message: "This channel is set up: TruckIQ alerts will arrive here.".into(),
                raised_at: now,
                account: None,
                truck: None,
                fault: None,
            }],
        },
    }
}
