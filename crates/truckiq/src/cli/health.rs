//! `truckiq health`: is everything a sync needs in place, and is the data fresh? The same checks
//! the window's "Copy diagnostics" copies.

use std::io::Write;

use truckiq::app::App;

use super::EXIT_STALE;

pub async fn print(app: &App, out: &mut impl Write) -> anyhow::Result<u8> {
    let diagnostics = app.diagnostics().await?;
    for line in diagnostics.check_lines() {
        writeln!(out, "{line}")?;
    }
    Ok(if diagnostics.problems() == 0 { 0 } else { EXIT_STALE })
}
