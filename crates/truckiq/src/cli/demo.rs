//! `truckiq demo`: a simulated PACCAR portal in this process, a demo account on it, one sync, and
//! a summary, so TruckIQ can be tried without a portal login.

use std::io::Write;

use truckiq::app::{App, DemoOptions};
use truckiq::demo::DEMO_ACCOUNT;
use truckiq::portal::run::RunMode;
use truckiq::store::{RunTrigger, VehicleQuery};

pub async fn demo(app: &App, vehicles: usize, out: &mut impl Write) -> anyhow::Result<u8> {
    // The simulator lives only as long as this command: keep the scheduler away from it.
    let demo = app.start_demo(DemoOptions { vehicles, tick: None, scheduled: false }).await?;
    writeln!(out, "Started a simulated PACCAR TruckTech+ portal at {} with {vehicles} trucks.", demo.url)?;
    writeln!(out, "Syncing the {DEMO_ACCOUNT:?} account in headless Chromium…")?;
    let result = app.engine().sync(demo.account_id, RunTrigger::Manual, RunMode::Scheduled).await;
    app.stop_demo().await?;
    let report = result?;
    let account_id = demo.account_id;
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
    let least_healthy = VehicleQuery { account_id: Some(account_id), limit: 5, ..VehicleQuery::default() };
    let worst = app.list_vehicles(least_healthy).await?;
    writeln!(out, "Least healthy trucks:")?;
    for v in worst.rows {
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
