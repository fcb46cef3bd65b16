//! Alert channels end to end: alerts raised in the database, delivered by the worker to real local
//! receivers (HTTP on 127.0.0.1, a small SMTP server), with the real Secret Service (run under
//! scripts/with-keyring.sh), a real SQLite file, and a clock the test moves.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/proxy.rs"]
mod proxy;
#[path = "support/receivers.rs"]
mod receivers;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use futures::future::BoxFuture;
use hmac::{KeyInit, Mac};
use receivers::{HttpReceiver, SmtpSink};
use truckiq::app::{App, ChannelInput, ChannelRef};
use truckiq::delivery::{Round, Router};
use truckiq::j1939::Severity;
use truckiq::secrets::SecretStore;
use truckiq::store::{
    AlertKind, ChannelKind, ChannelRules, DeliveryStatus, EmailSettings, NewAccount, NewAlert, PortalKind, QuietHours,
    RunTrigger, SmtpSecurity, SyncRecord,
};
use truckiq::sync::{Clock, EngineConfig, SyncEngine, SyncSettings};

static NEXT: AtomicU32 = AtomicU32::new(0);

/// A clock the test moves; sleeping is a short real pause, so a worker loop would still turn.
#[derive(Debug)]
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }

    fn sleep(&self, _: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(Duration::from_millis(20)))
    }
}

struct Harness {
    _dir: tempfile::TempDir,
    namespace: String,
    db_path: std::path::PathBuf,
    clock: Arc<TestClock>,
    app: App,
    account: i64,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("truckiq.sqlite3");
        let namespace = format!("test-channels-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
        // Real time to start with, so a `truckiq` process on the same database finds the messages due.
        let clock = Arc::new(TestClock(Mutex::new(Utc::now())));
        let config = EngineConfig::new(db_path.clone(), dir.path().to_path_buf());
        // The service `truckiq` uses with TRUCKIQ_KEYRING_NAMESPACE set to the namespace.
        let secrets = SecretStore::with_service(format!("com.truckiq.fleet.{namespace}"));
        let engine = SyncEngine::with_clock(config, secrets, Arc::clone(&clock) as Arc<dyn Clock>).unwrap();
        let app = App::new(engine);
        let account = truckiq::store::Store::open(&db_path)
            .unwrap()
            .insert_account(&NewAccount {
                name: "Acme".into(),
                portal_kind: PortalKind::TruckTech,
                base_url: "https://paccarsolutions.com".into(),
                username: "ops@acme.example".into(),
                sync_interval_minutes: 240,
            })
            .unwrap();
        Self { _dir: dir, namespace, db_path, clock, app, account }
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    async fn add(
        &self,
        name: &str,
        kind: ChannelKind,
        url: Option<String>,
        rules: ChannelRules,
    ) -> (i64, Option<String>) {
        let added = self
            .app
            .add_channel(ChannelInput {
                name: name.into(),
                kind,
                url,
                signing_secret: None,
                access_token: None,
                email: None,
                smtp_password: None,
                rules,
            })
            .await
            .unwrap();
        (added.channel.id, added.signing_secret)
    }

    /// Raises `alerts` as one sync run of the account records them: in `record_sync`'s transaction,
    /// routed by the rules stored now.
    async fn record_run(&self, alerts: Vec<(AlertKind, Severity)>) -> Vec<truckiq::store::Alert> {
        let (account, now) = (self.account, self.now());
        self.app
            .engine()
            .db(move |store| {
                let run_id = store.start_run(account, RunTrigger::Scheduled, 1, now)?;
                let record = SyncRecord::nothing_observed(account, run_id, now);
                let router = Router::from_store(store, now)?;
                let compose = |_: &truckiq::store::SyncFacts<'_>| {
                    alerts
                        .iter()
                        .enumerate()
                        .map(|(i, (kind, severity))| NewAlert {
                            kind: *kind,
                            severity: *severity,
                            account_id: Some(account),
                            vehicle_id: None,
                            fault_id: None,
                            sync_run_id: Some(run_id),
                            channel_id: None,
                            title: format!("{severity} alert {i}"),
                            message: format!("what happened to truck {i}"),
                        })
                        .collect()
                };
                Ok(store.record_sync(&record, compose, &router)?.alerts)
            })
            .await
            .unwrap()
    }

    async fn deliver(&self) -> Round {
        self.app.deliverer().deliver_due().await.unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        truckiq::store::Store::open(&self.db_path).unwrap().connection().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let secrets = self.app.engine().secrets().clone();
        for channel in futures::executor::block_on(self.app.channels()).unwrap_or_default() {
            let _ = secrets.delete_all(channel.uid);
        }
    }
}

fn every_tier() -> ChannelRules {
    ChannelRules { tiers: vec![Severity::Critical, Severity::Major, Severity::Minor], ..ChannelRules::default() }
}

/// The Standard Webhooks check a receiver makes: HMAC-SHA256 of `id.timestamp.body` under the key.
fn signature_valid(secret: &str, id: &str, timestamp: &str, body: &[u8], header: &str) -> bool {
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    header.split(' ').any(|candidate| candidate == expected)
}

#[tokio::test]
async fn a_later_sync_sends_its_critical_alerts_one_by_one_and_the_rest_in_one_digest_signed() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    let (_, secret) = h.add("Ops hook", ChannelKind::Webhook, Some(receiver.url("/hook")), every_tier()).await;
    let secret = secret.expect("a webhook gets a signing secret");
    let raised = h
        .record_run(vec![
            (AlertKind::RiskChange, Severity::Minor),
            (AlertKind::NewCriticalFault, Severity::Critical),
            (AlertKind::RiskChange, Severity::Major),
            (AlertKind::NotCommunicating, Severity::Major),
            (AlertKind::NewCriticalFault, Severity::Critical),
            (AlertKind::RiskChange, Severity::Info),
        ])
        .await;
    assert_eq!(h.count("SELECT count(*) FROM outbox"), 3, "two critical, one digest; the info alert is not wanted");
    let round = h.deliver().await;
    assert_eq!((round.delivered, round.retrying, round.failed), (3, 0, 0));

    let got = receiver.accepted("/hook");
    assert_eq!(got.len(), 3);
    for request in &got {
        let (id, timestamp) = (request.header("webhook-id"), request.header("webhook-timestamp"));
        assert!(
            signature_valid(&secret, id, timestamp, &request.body, request.header("webhook-signature")),
            "{request:?}"
        );
        assert_eq!(request.json()["data"]["id"], id, "the body's id is the key");
        assert_eq!(timestamp, h.now().timestamp().to_string());
    }
    let critical: BTreeSet<String> =
        raised.iter().filter(|a| a.severity == Severity::Critical).map(|a| a.uid.to_string()).collect();
    let singles: BTreeSet<String> =
        got.iter().filter(|r| r.json()["type"] == "truckiq.alert").map(|r| r.header("webhook-id").to_owned()).collect();
    assert_eq!(singles, critical, "each critical alert alone, keyed by its uid");
    let digest = got.iter().find(|r| r.json()["type"] == "truckiq.digest").expect("one digest");
    let folded: Vec<String> = digest.json()["data"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["severity"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(folded, ["minor", "major", "major"]);
    assert_eq!(digest.json()["data"]["title"], "3 TruckIQ alerts for Acme");
    assert!(!critical.contains(digest.header("webhook-id")));

    // A tampered body no longer matches its signature: the check above can fail.
    let mut tampered = got[0].body.to_vec();
    tampered[10] ^= 1;
    assert!(!signature_valid(
        &secret,
        got[0].header("webhook-id"),
        got[0].header("webhook-timestamp"),
        &tampered,
        got[0].header("webhook-signature")
    ));
    assert_eq!(h.count("SELECT count(*) FROM outbox WHERE status = 'delivered'"), 3);
    assert_eq!(h.count("SELECT count(*) FROM delivery_attempts WHERE outcome = 'delivered' AND status = 200"), 3);
}

#[tokio::test]
async fn each_service_gets_its_own_format_and_mail_arrives_with_the_link() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    let smtp = SmtpSink::start().await;
    for (name, kind, path) in [
        ("Slack", ChannelKind::Slack, "/slack/T000/B000/XXXX"),
        ("Teams", ChannelKind::Teams, "/teams/workflows/abc?sig=secret"),
        ("Discord", ChannelKind::Discord, "/discord/123/token"),
        ("Phones", ChannelKind::Ntfy, "/ntfy/fleet-alerts"),
    ] {
        h.add(name, kind, Some(receiver.url(path)), ChannelRules::default()).await;
    }
    let mail = h
        .app
        .add_channel(ChannelInput {
            name: "Shop e-mail".into(),
            kind: ChannelKind::Email,
            url: None,
            signing_secret: None,
            access_token: None,
            email: Some(EmailSettings {
                server: "127.0.0.1".into(),
                port: smtp.port,
                security: SmtpSecurity::None,
                username: None,
                from: "TruckIQ <truckiq@fleet.example>".into(),
                to: vec!["shop@fleet.example".into()],
            }),
            smtp_password: None,
            rules: ChannelRules::default(),
        })
        .await
        .unwrap();
    assert_eq!(mail.channel.target, "shop@fleet.example");
    let raised = h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical)]).await;
    let round = h.deliver().await;
    assert_eq!((round.delivered, round.failed), (5, 0), "{round:?}");

    let slack = &receiver.accepted("/slack/")[0];
    assert_eq!(slack.json()["blocks"][0]["type"], "header");
    let teams = &receiver.accepted("/teams/")[0];
    assert_eq!(teams.json()["attachments"][0]["content"]["version"], "1.4");
    let discord = &receiver.accepted("/discord/")[0];
    assert!(discord.path.ends_with("?wait=true"), "{}", discord.path);
    assert_eq!(discord.json()["allowed_mentions"]["parse"], serde_json::json!([]));
    let ntfy = &receiver.accepted("/ntfy/")[0];
    assert_eq!(ntfy.path, "/ntfy/", "JSON goes to the server's root, naming the topic");
    assert_eq!((ntfy.json()["topic"].as_str(), ntfy.json()["priority"].as_i64()), (Some("fleet-alerts"), Some(5)));
    let key = raised[0].uid.to_string();
    for request in [slack, teams, discord, ntfy] {
        assert_eq!(request.header("idempotency-key"), key);
    }
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("Subject: critical alert 0"), "{}", messages[0]);
    assert!(messages[0].contains(&format!("Message-ID: <{key}@truckiq>")), "{}", messages[0]);
    assert!(messages[0].contains("multipart/alternative"));

    // The URLs are credentials: only their origin is in the database, and nothing of the paths.
    let file = std::fs::read(&h.db_path).unwrap();
    let wal = std::fs::read(h.db_path.with_extension("sqlite3-wal")).unwrap_or_default();
    for secret in ["T000/B000/XXXX", "sig=secret", "123/token", "fleet-alerts"] {
        let found = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found(&file) && !found(&wal), "{secret} is in the database");
    }
}

#[tokio::test]
async fn quiet_hours_hold_a_minor_alert_until_they_end_and_let_a_critical_one_through() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    // Quiet from an hour ago until an hour from now, in the computer's time zone.
    let local = h.now().with_timezone(&chrono::Local);
    let minute = |t: DateTime<chrono::Local>| {
        u16::try_from(chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t)).unwrap()
    };
    let quiet = QuietHours {
        start_minute: minute(local - TimeDelta::hours(1)),
        end_minute: minute(local + TimeDelta::hours(1)),
    };
    let rules = ChannelRules { quiet_hours: Some(quiet), ..every_tier() };
    h.add("Night hook", ChannelKind::Webhook, Some(receiver.url("/hook")), rules).await;
    h.record_run(vec![(AlertKind::RiskChange, Severity::Minor), (AlertKind::NewCriticalFault, Severity::Critical)])
        .await;
    h.deliver().await;
    let got = receiver.accepted("/hook");
    assert_eq!(got.len(), 1, "only the critical one goes through");
    assert_eq!(got[0].json()["data"]["urgent"], true);

    h.clock.advance(TimeDelta::minutes(59));
    h.deliver().await;
    assert_eq!(receiver.accepted("/hook").len(), 1, "still quiet");
    h.clock.advance(TimeDelta::minutes(2));
    h.deliver().await;
    let got = receiver.accepted("/hook");
    assert_eq!(got.len(), 2, "the minor alert once quiet hours ended");
    assert_eq!(got[1].json()["data"]["alerts"][0]["severity"], "minor");
}

#[tokio::test]
async fn a_receiver_down_for_ten_minutes_gets_everything_after_and_nothing_twice() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    h.add("Ops hook", ChannelKind::Webhook, Some(receiver.url("/hook")), every_tier()).await;
    receiver.answer(503);
    let mut keys = BTreeSet::new();
    for _ in 0..5 {
        let raised = h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical); 4]).await;
        keys.extend(raised.iter().map(|a| a.uid.to_string()));
    }
    let started = h.now();
    while h.now() - started < TimeDelta::minutes(10) {
        let round = h.deliver().await;
        assert_eq!(round.delivered, 0);
        h.clock.advance(TimeDelta::seconds(15));
    }
    assert!(receiver.received().len() >= 40, "retried while down: {}", receiver.received().len());
    assert_eq!(h.count("SELECT count(*) FROM outbox WHERE status = 'pending'"), 20, "nothing given up or lost");
    receiver.answer(200);
    // Back: every retry comes due within the longest back-off.
    for _ in 0..80 {
        h.deliver().await;
        if h.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0 {
            break;
        }
        h.clock.advance(TimeDelta::seconds(30));
    }
    assert_eq!(h.count("SELECT count(*) FROM outbox WHERE status = 'delivered'"), 20);
    let mut seen: HashMap<String, usize> = HashMap::new();
    for request in receiver.accepted("/hook") {
        *seen.entry(request.header("webhook-id").to_owned()).or_default() += 1;
    }
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), keys, "every alert delivered");
    assert!(seen.values().all(|n| *n == 1), "accepted once each: {seen:?}");
    let attempts = h.count("SELECT max(attempts) FROM outbox");
    assert!(attempts >= 4, "backed off and retried: {attempts}");
}

#[tokio::test]
async fn a_day_of_failures_marks_the_messages_failed_and_raises_one_channel_failing_alert() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    let (channel, _) = h.add("Broken hook", ChannelKind::Webhook, Some(receiver.url("/hook")), every_tier()).await;
    receiver.answer(502);
    h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical); 2]).await;
    let mut alerts = h.app.engine().subscribe_alerts();
    for _ in 0..200 {
        h.deliver().await;
        if h.count("SELECT count(*) FROM outbox WHERE status = 'pending'") == 0 {
            break;
        }
        h.clock.advance(TimeDelta::minutes(20));
    }
    assert_eq!(h.count("SELECT count(*) FROM outbox WHERE status = 'failed'"), 2);
    let failing = h.count(&format!(
        "SELECT count(*) FROM alerts WHERE kind = 'channel_failing' AND channel_id = {channel} AND severity = 'major'"
    ));
    assert_eq!(failing, 1, "one alert for the channel, not one per message");
    let told = alerts.try_recv().unwrap();
    assert_eq!(told.kind, AlertKind::ChannelFailing);
    assert_eq!(told.title, "Alerts to Broken hook are not getting through");
    assert!(told.message.contains("kept trying for 24 h") && told.message.contains("HTTP 502"), "{}", told.message);
    let log = h.app.channel_deliveries(ChannelRef::Typed("Broken hook".into()), 10).await.unwrap();
    assert!(log.iter().all(|d| d.message.status == DeliveryStatus::Failed && d.attempts.len() > 5));
    let last = log[0].attempts.last().unwrap();
    assert!(last.at >= log[0].message.created_at + TimeDelta::hours(24), "the last try is at the deadline");
}

#[tokio::test]
async fn a_refused_message_is_not_retried_and_send_test_says_what_the_receiver_answered() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    h.add("Gone hook", ChannelKind::Slack, Some(receiver.url("/gone")), every_tier()).await;
    receiver.answer(410);
    let test = h.app.test_channel(ChannelRef::Typed("Gone hook".into())).await.unwrap();
    assert!(!test.delivered);
    assert_eq!(test.status, Some(410));
    assert_eq!(test.answer, "HTTP 410 Gone: down for maintenance");
    h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical)]).await;
    let round = h.deliver().await;
    assert_eq!((round.delivered, round.retrying, round.failed), (0, 0, 1), "refused: failed at once");
    assert_eq!(receiver.received().len(), 2, "the test and one attempt");
    assert_eq!(h.count("SELECT count(*) FROM alerts WHERE kind = 'channel_failing'"), 1);
    receiver.answer(200);
    let test = h.app.test_channel(ChannelRef::Typed("Gone hook".into())).await.unwrap();
    assert!(test.delivered, "{test:?}");
    assert_eq!(receiver.accepted("/gone")[0].json()["text"], "Test from TruckIQ");
}

#[tokio::test]
async fn a_paused_channel_gets_no_new_alerts_and_changed_rules_apply_from_then_on() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    let (id, _) = h.add("Shop", ChannelKind::Slack, Some(receiver.url("/shop")), every_tier()).await;
    h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical)]).await;
    let paused = h.app.update_channel(ChannelRef::Id(id), None, Some(false)).await.unwrap();
    assert!(!paused.enabled);
    assert_eq!(paused.rules, every_tier(), "pausing keeps the rules");
    h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical)]).await;
    let round = h.deliver().await;
    assert_eq!(round.delivered, 1, "what was queued before the pause still goes, nothing raised since");
    assert_eq!(h.count("SELECT count(*) FROM outbox"), 1);

    let critical_only = ChannelRules { tiers: vec![Severity::Critical], ..every_tier() };
    let resumed =
        h.app.update_channel(ChannelRef::Typed("Shop".into()), Some(critical_only.clone()), Some(true)).await.unwrap();
    assert!(resumed.enabled);
    assert_eq!(resumed.rules, critical_only);
    h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical), (AlertKind::RiskChange, Severity::Major)])
        .await;
    h.deliver().await;
    let sent: Vec<String> =
        receiver.accepted("/shop").iter().map(|r| r.json()["text"].as_str().unwrap_or_default().to_owned()).collect();
    assert_eq!(sent.len(), 2, "the major alert is no longer for this channel: {sent:?}");
    assert!(sent.iter().all(|text| !text.contains("major alert")), "{sent:?}");

    let refused =
        |rules| async { h.app.update_channel(ChannelRef::Id(id), Some(rules), None).await.unwrap_err().to_string() };
    let e = refused(ChannelRules { kinds: vec![], ..every_tier() }).await;
    assert!(e.contains("at least one kind of alert and one tier"), "{e}");
    let e =
        refused(ChannelRules { quiet_hours: Some(QuietHours { start_minute: 60, end_minute: 60 }), ..every_tier() })
            .await;
    assert!(e.contains("quiet hours run from one time of day to another"), "{e}");
    assert_eq!(h.app.channels().await.unwrap()[0].rules, critical_only, "a refused change changes nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_go_through_the_proxy_set_for_syncs_and_a_password_it_refused_is_not_sent_again() {
    const PROXY_PASSWORD: &str = "Corp-Proxy-2026!";
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    let proxy = proxy::TestProxy::start("fleet", PROXY_PASSWORD).await;
    let pasted = proxy.url.replace("http://", "http://fleet:mistyped@");
    h.app.set_sync_settings(SyncSettings { proxy: Some(pasted), ..SyncSettings::default() }, None).await.unwrap();
    h.add("Shop", ChannelKind::Slack, Some(receiver.url("/shop")), every_tier()).await;
    h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical)]).await;

    let round = h.deliver().await;
    assert_eq!((round.delivered, round.retrying, round.failed), (0, 1, 0), "the alert waits for the proxy to be fixed");
    assert_eq!(proxy.signed_in_requests(), 1, "{:?}", proxy.seen());
    assert!(h.app.sync_settings().await.unwrap().proxy_password_refused, "syncs will not send it either");
    h.clock.advance(TimeDelta::minutes(5));
    let e = h.app.deliverer().deliver_due().await.unwrap_err().to_string();
    assert!(e.contains("proxy"), "{e}");
    assert_eq!(proxy.signed_in_requests(), 1, "the refused password is not sent again");
    assert!(receiver.received().is_empty());

    let settings = h.app.sync_settings().await.unwrap();
    h.app.set_sync_settings(settings, Some(PROXY_PASSWORD.into())).await.unwrap();
    let round = h.deliver().await;
    assert_eq!(round.delivered, 1);
    assert_eq!(receiver.accepted("/shop").len(), 1);
    let through: Vec<_> = proxy.seen().into_iter().filter(|s| s.url.ends_with("/shop")).collect();
    assert_eq!(through.len(), 2, "both attempts went through the proxy: {through:?}");
    assert_eq!(through[1].proxy_sign_in.as_deref(), Some("fleet:Corp-Proxy-2026!"));
    let test = h.app.test_channel(ChannelRef::Typed("Shop".into())).await.unwrap();
    assert!(test.delivered, "Send test goes the same way: {test:?}");
    assert_eq!(proxy.seen().iter().filter(|s| s.url.ends_with("/shop")).count(), 3);
}

#[tokio::test]
async fn bad_channels_are_refused_with_what_to_change_and_leave_nothing_behind() {
    let h = Harness::new();
    let input = |kind, url: &str| ChannelInput {
        name: "x".into(),
        kind,
        url: Some(url.into()),
        signing_secret: None,
        access_token: None,
        email: None,
        smtp_password: None,
        rules: ChannelRules::default(),
    };
    let refused = |e: truckiq::app::AppError| e.to_string();
    let e = refused(h.app.add_channel(input(ChannelKind::Slack, "http://hooks.slack.com/x")).await.unwrap_err());
    assert!(e.contains("is http:// to hooks.slack.com: it must be a valid https:// URL"), "{e}");
    assert!(!e.contains("/x"), "the URL is a credential: not repeated in an error: {e}");
    let e = refused(h.app.add_channel(input(ChannelKind::Ntfy, "https://ntfy.sh/")).await.unwrap_err());
    assert!(e.contains("ends with its topic"), "{e}");
    let no_tiers = ChannelInput {
        rules: ChannelRules { tiers: vec![], ..ChannelRules::default() },
        ..input(ChannelKind::Discord, "https://discord.com/api/webhooks/1/t")
    };
    let e = refused(h.app.add_channel(no_tiers).await.unwrap_err());
    assert!(e.contains("at least one kind of alert and one tier"), "{e}");
    h.add("Dup", ChannelKind::Slack, Some("https://hooks.slack.com/services/a".into()), ChannelRules::default()).await;
    let again = ChannelInput { name: "Dup".into(), ..input(ChannelKind::Slack, "https://hooks.slack.com/services/b") };
    let e = refused(h.app.add_channel(again).await.unwrap_err());
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(h.app.channels().await.unwrap().len(), 1);
    // A channel may be named like another's id: a typed name and the window's ids never mix up.
    let dup = h.app.channels().await.unwrap()[0].id.to_string();
    h.add(&dup, ChannelKind::Slack, Some("https://hooks.slack.com/services/c".into()), ChannelRules::default()).await;
    let removed = h.app.remove_channel(ChannelRef::Typed(dup.clone())).await.unwrap();
    assert_eq!(removed.name, dup, "a typed name wins over an id");
    let id = dup.parse().unwrap();
    assert_eq!(h.app.remove_channel(ChannelRef::Id(id)).await.unwrap().name, "Dup");
    let e = refused(h.app.remove_channel(ChannelRef::Id(id)).await.unwrap_err());
    assert_eq!(e, format!("there is no alert channel with id {id}"));
}

#[tokio::test]
async fn a_sigkill_mid_delivery_then_a_restart_delivers_everything_and_no_key_twice_after_dedup() {
    let h = Harness::new();
    let receiver = HttpReceiver::start().await;
    const TOKEN: &str = "T0K3N-in-the-path";
    let (_, secret) =
        h.add("Ops hook", ChannelKind::Webhook, Some(receiver.url(&format!("/hook/{TOKEN}"))), every_tier()).await;
    let secret = secret.unwrap();
    let mut keys = BTreeSet::new();
    for _ in 0..3 {
        let raised = h.record_run(vec![(AlertKind::NewCriticalFault, Severity::Critical); 10]).await;
        keys.extend(raised.iter().map(|a| a.uid.to_string()));
    }
    // Slow answers, so the process is killed with a batch in flight: answered, not yet recorded.
    receiver.delay(Duration::from_millis(600));
    let sync = || {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_truckiq"));
        command
            .args(["--db".as_ref(), h.db_path.as_os_str(), "sync".as_ref()])
            .env("TRUCKIQ_KEYRING_NAMESPACE", &h.namespace)
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command
    };
    let mut child = sync().spawn().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while receiver.received().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the first delivery never came");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The receiver logs a request once it answers, 600 ms after reading it: what the killed process
    // had already sent is counted once nothing more has come for longer than that.
    let mut answered_before = receiver.received().len();
    loop {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let now = receiver.received().len();
        if now == answered_before {
            break;
        }
        answered_before = now;
    }
    assert!(h.count("SELECT count(*) FROM outbox WHERE status = 'pending'") > 0, "killed mid-delivery");

    // At once, the dead process's lease still holds: nothing is sent twice meanwhile, and it says so.
    let early = sync().output().unwrap();
    let said = String::from_utf8_lossy(&early.stdout).into_owned();
    assert!(said.contains("another TruckIQ process is delivering"), "{said}");
    assert_eq!(receiver.received().len(), answered_before);
    // Once the lease has run out, a restart takes over and sends the rest.
    receiver.delay(Duration::ZERO);
    tokio::time::sleep(Duration::from_secs(46)).await;
    // At the highest verbosity, with its log files: neither the URL's token nor the signing secret
    // is written anywhere.
    let logs = tempfile::tempdir().unwrap();
    let late = sync().env("RUST_LOG", "trace").env("TRUCKIQ_LOG_DIR", logs.path()).output().unwrap();
    assert!(late.status.success(), "{}", String::from_utf8_lossy(&late.stderr));
    let mut logged = String::from_utf8_lossy(&late.stderr).into_owned() + &String::from_utf8_lossy(&late.stdout);
    for file in std::fs::read_dir(logs.path()).unwrap() {
        logged.push_str(&std::fs::read_to_string(file.unwrap().path()).unwrap());
    }
    assert!(logged.contains("delivery attempt"), "the trace was logged: {}", &logged[..logged.len().min(2000)]);
    assert!(!logged.contains(TOKEN), "the channel URL's token is in the logs");
    assert!(!logged.contains(secret.trim_start_matches("whsec_")), "the signing secret is in the logs");
    assert_eq!(
        h.count("SELECT count(*) FROM outbox WHERE status = 'delivered'"),
        30,
        "{}",
        String::from_utf8_lossy(&late.stdout)
    );
    let mut seen: HashMap<String, usize> = HashMap::new();
    for request in receiver.accepted("/hook") {
        *seen.entry(request.header("webhook-id").to_owned()).or_default() += 1;
    }
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), keys, "every alert delivered");
    let repeats: usize = seen.values().map(|n| n - 1).sum();
    assert!(repeats <= answered_before, "only what the killed process had sent is sent again ({repeats})");
    let deduplicated: BTreeSet<&String> = seen.keys().collect();
    assert_eq!(deduplicated.len(), 30, "after dropping duplicates by key, each alert once");
}
