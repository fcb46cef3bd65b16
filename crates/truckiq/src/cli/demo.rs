//! `truckiq demo`: a simulated PACCAR portal in this process, a demo account on it, one sync, and
//! a summary, so TruckIQ can be tried without a portal login.

use std::io::Write;

use portal_sim::{Portal, SimConfig, Simulator, UserSpec};
use truckiq::portal::run::RunMode;
use truckiq::secrets::{SecretKind, Sensitive};
use truckiq::store::{NewAccount, PortalKind, RunTrigger};
use truckiq::sync::SyncEngine;

pub const DEMO_ACCOUNT: &str = "Demo fleet";
const DEMO_USER: &str = "demo@truckiq.example";
const DEMO_PASSWORD: &str = "demo-password";

pub async fn demo(engine: &SyncEngine, vehicles: usize, out: &mut impl Write) -> anyhow::Result<u8> {
    // Find out now, not after creating the account, whether there is a keychain for its password.
    engine.secrets().get_optional(0, SecretKind::Password)?;
    let sim = Simulator::start(SimConfig { vehicles, seed: 2026, ..SimConfig::default() }).await?;
    sim.state().add_user(UserSpec::new(Portal::Paccar, DEMO_USER, DEMO_PASSWORD)).map_err(anyhow::Error::msg)?;
    let url = sim.portal_url(Portal::Paccar);
    writeln!(out, "Started a simulated PACCAR TruckTech+ portal at {url} with {vehicles} trucks.")?;
    let account_id = engine
        .db(move |store| {
            let id = match store.account_by_name(DEMO_ACCOUNT)? {
                // The simulator gets a new port each time.
                Some(existing) => {
                    store.set_base_url(existing.id, &url)?;
                    existing.id
                }
                None => store.insert_account(&NewAccount {
                    name: DEMO_ACCOUNT.into(),
                    portal_kind: PortalKind::Paccar,
                    base_url: url,
                    username: DEMO_USER.into(),
                    sync_interval_minutes: 240,
                })?,
            };
            // The simulator lives only as long as this command: keep the scheduler away from it.
            store.set_enabled(id, false)?;
            Ok(id)
        })
        .await?;
    engine.secrets().set(account_id, SecretKind::Password, &Sensitive::from(DEMO_PASSWORD))?;
    engine.credentials_changed(account_id).await?;
    writeln!(out, "Syncing the {DEMO_ACCOUNT:?} account in headless Chromium…")?;
    let result = engine.sync(account_id, RunTrigger::Manual, RunMode::Scheduled).await;
    sim.stop().await?;
    let report = result?;
    let o = &report.outcome;
    let count = |s| o.active.get(&s).copied().unwrap_or(0);
    use truckiq::j1939::Severity::{Critical, Major, Minor};
    writeln!(
        out,
        "{}: {} trucks, active faults: {} critical, {} major, {} minor; {} alert(s).",
        report.status,
        o.vehicles,
        count(Critical),
        count(Major),
        count(Minor),
        report.alerts.len()
    )?;
    for alert in &report.alerts {
        writeln!(out, "  [{}] {} — {}", alert.severity, alert.title, alert.message)?;
    }
    let worst = engine.db(move |s| s.vehicles_by_health(account_id, 5)).await?;
    writeln!(out, "Least healthy trucks:")?;
    for v in worst {
        let health = v.health_score.map_or_else(|| "?".to_owned(), |s| s.to_string());
        let band = v.health_band.map_or("unknown", |b| b.as_str());
        let unit = v.unit_number.unwrap_or_default();
        writeln!(
            out,
            "  unit {unit:<6} {}  health {health:>3}/100 ({band}), {} active fault(s)",
            v.vin, v.active_faults
        )?;
    }
    writeln!(out, "The data is in the database; `truckiq status` and the desktop app show it.")?;
    Ok(0)
}
