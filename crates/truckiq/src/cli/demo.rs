//! `truckiq demo`: simulated PACCAR portals in this process, the demo accounts on them, one sync
//! of each, and a summary, so TruckIQ can be tried without a portal login.

use std::io::Write;

use truckiq::app::{App, DemoOptions};
use truckiq::portal::run::RunMode;
use truckiq::store::{RunTrigger, TruckStatus, VehicleQuery};

pub async fn demo(app: &App, vehicles: usize, out: &mut impl Write) -> anyhow::Result<u8> {
    // The simulators live only as long as this command: keep the scheduler away from them.
    let demo = app.start_demo(DemoOptions { vehicles, tick: None, scheduled: false }).await?;
    writeln!(out, "Started simulated PACCAR portals in this process (TruckTech+ pages at {}).", demo.url)?;
    let mut results = Vec::new();
    for &account_id in &demo.account_ids {
        let name = app.engine().account(account_id).await?.name;
        writeln!(out, "Syncing the {name:?} account in headless Chromium…")?;
        results.push((account_id, name, app.engine().sync(account_id, RunTrigger::Manual, RunMode::Scheduled).await));
    }
    app.stop_demo().await?;
    for (account_id, name, result) in results {
        summarise(app, account_id, &name, result?, out).await?;
    }
    writeln!(out, "The data is in the database; `truckiq status` and the desktop app show it.")?;
    Ok(0)
}

async fn summarise(
    app: &App,
    account_id: i64,
    name: &str,
    report: truckiq::sync::RunReport,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let o = &report.outcome;
    let count = |s| o.active.get(&s).copied().unwrap_or(0);
    use truckiq::j1939::Severity::{Critical, Major, Minor};
    writeln!(
        out,
        "{name}: {}: {} trucks, active faults: {} critical, {} major, {} minor; {} alert(s).",
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
    for status in [TruckStatus::NotCommunicating, TruckStatus::InRepair] {
        let query =
            VehicleQuery { account_id: Some(account_id), status: Some(status), limit: 0, ..VehicleQuery::default() };
        let matching = app.list_vehicles(query).await?.matching;
        if matching > 0 {
            writeln!(out, "  {matching} truck(s) {}", status.as_str().replace('_', " "))?;
        }
    }
    let least_healthy = VehicleQuery { account_id: Some(account_id), limit: 5, ..VehicleQuery::default() };
    let worst = app.list_vehicles(least_healthy).await?;
    writeln!(out, "  Least healthy trucks:")?;
    for v in worst.rows {
        let health = v.health_score.map_or_else(|| "?".to_owned(), |s| s.to_string());
        let band = v.health_band.map_or("unknown", |b| b.as_str());
        let unit = v.unit_number.unwrap_or_default();
        writeln!(
            out,
            "    unit {unit:<6} {}  health {health:>3}/100 ({band}), {} active fault(s)",
            v.vin, v.active_faults
        )?;
    }
    Ok(())
}
