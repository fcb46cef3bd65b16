//! `truckiq bench delivery`: alerts from many sync runs delivered to several channels against local
//! receivers that answer at once. Prints deliveries per second and the time from each alert's
//! commit to its receipt (p50, p95, max). Needs a keychain (the channels' URLs are kept there): run
//! it under scripts/with-keyring.sh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::extract::{Request, State};
use tokio_util::sync::CancellationToken;
use truckiq::app::{App, ChannelInput, ChannelRef};
use truckiq::delivery::Router;
use truckiq::j1939::Severity;
use truckiq::secrets::SecretStore;
use truckiq::store::{AlertKind, ChannelKind, ChannelRules, NewAccount, NewAlert, PortalKind, RunTrigger, SyncRecord};
use truckiq::sync::EngineConfig;

pub struct DeliveryBench {
    pub runs: usize,
    pub alerts_per_run: usize,
    /// Between two runs' commits; 0 commits them back to back.
    pub interval_ms: u64,
}

type Receipts = Arc<Mutex<Vec<(String, Instant)>>>;

async fn receive(State(receipts): State<Receipts>, request: Request) -> &'static str {
    let key = request.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    receipts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((key, Instant::now()));
    "ok"
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(rank).copied().unwrap_or_default()
}

pub async fn bench(bench: &DeliveryBench, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let receipts: Receipts = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = axum::Router::new().fallback(receive).with_state(Arc::clone(&receipts));
    tokio::spawn(async move { axum::serve(listener, server).await });

    let dir = tempfile::tempdir()?;
    let db = dir.path().join("truckiq.sqlite3");
    let secrets = SecretStore::with_service(format!("com.truckiq.fleet.bench-delivery-{}", std::process::id()));
    let app = App::open(EngineConfig::new(db, dir.path().to_path_buf()), secrets)?;
    let channels = [
        ("Webhook", ChannelKind::Webhook, "/hook"),
        ("Slack", ChannelKind::Slack, "/slack/T/B/x"),
        ("ntfy", ChannelKind::Ntfy, "/ntfy/fleet"),
    ];
    for (name, kind, path) in channels {
        let input = ChannelInput {
            name: name.into(),
            kind,
            url: Some(format!("{base}{path}")),
            signing_secret: None,
            access_token: None,
            email: None,
            smtp_password: None,
            rules: ChannelRules::default(),
        };
        app.add_channel(input).await.context("adding a channel (is a keychain running? scripts/with-keyring.sh)")?;
    }
    let engine = app.engine().clone();
    let account = engine
        .db(|s| {
            s.insert_account(&NewAccount {
                name: "Bench".into(),
                portal_kind: PortalKind::TruckTech,
                base_url: "https://paccarsolutions.com".into(),
                username: "bench@fleet.example".into(),
                sync_interval_minutes: 240,
            })
        })
        .await?;
    let stop = CancellationToken::new();
    let worker = tokio::spawn(app.deliverer().run(stop.clone()));

    let per_run = bench.alerts_per_run;
    let mut committed: HashMap<String, Instant> = HashMap::new();
    let started = Instant::now();
    for run in 0..bench.runs {
        let alerts = engine
            .db(move |store| {
                let now = chrono::Utc::now();
                let run_id = store.start_run(account, RunTrigger::Scheduled, 1, now)?;
                let record = SyncRecord::nothing_observed(account, run_id, now);
                let router = Router::from_store(store, now)?;
                let compose = |_: &truckiq::store::SyncFacts<'_>| {
                    (0..per_run)
                        .map(|i| NewAlert {
                            kind: AlertKind::NewCriticalFault,
                            severity: Severity::Critical,
                            account_id: Some(account),
                            vehicle_id: None,
                            fault_id: None,
                            sync_run_id: Some(run_id),
                            channel_id: None,
                            title: format!("Critical fault {i} of run {run}"),
                            message: "SPN 100 FMI 1: Engine oil pressure low. Stop Engine Immediately.".into(),
                        })
                        .collect()
                };
                Ok(store.record_sync(&record, compose, &router)?.alerts)
            })
            .await?;
        let at = Instant::now();
        for alert in alerts {
            committed.insert(alert.uid.to_string(), at);
            engine.announce(alert);
        }
        if bench.interval_ms > 0 {
            tokio::time::sleep(Duration::from_millis(bench.interval_ms)).await;
        }
    }
    let expected = committed.len() * channels.len();
    let deadline = Instant::now() + Duration::from_secs(300);
    while receipts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len() < expected {
        anyhow::ensure!(Instant::now() < deadline, "not everything was delivered within 5 minutes");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    stop.cancel();
    worker.await.ok();
    let got = receipts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let mut latencies: Vec<Duration> =
        got.iter().filter_map(|(key, at)| committed.get(key).map(|c| at.saturating_duration_since(*c))).collect();
    latencies.sort();
    let last = got.iter().map(|(_, at)| *at).max().unwrap_or(started);
    let wall = last.saturating_duration_since(started);
    writeln!(
        out,
        "{} alerts from {} sync runs to {} channels: {} deliveries in {:.2} s, {:.0} deliveries/s",
        committed.len(),
        bench.runs,
        channels.len(),
        got.len(),
        wall.as_secs_f64(),
        got.len() as f64 / wall.as_secs_f64()
    )?;
    writeln!(
        out,
        "commit to receipt: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms (target p95 <= 1000 ms)",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.95).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    )?;
    for channel in app.channels().await? {
        app.remove_channel(ChannelRef::Id(channel.id)).await?;
    }
    Ok(())
}
