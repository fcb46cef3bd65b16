//! `truckiq profile`: the effective portal profile, and the doctor that shows what it finds.

use std::io::Write;
use std::path::Path;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use truckiq::app::{App, LayoutCheck};
use truckiq::portal::doctor::{FieldReport, PageKind, PageReport};
use truckiq::store::PortalKind;

/// `profile show`: the profile an account (or a portal kind) reads with, comments included.
pub async fn show(app: &App, portal: PortalKind, account: Option<&str>, out: &mut impl Write) -> anyhow::Result<()> {
    let account = match account {
        Some(name) => Some(app.account_named(name).await?),
        None => None,
    };
    let kind = account.as_ref().map_or(portal, |a| a.portal_kind);
    write!(out, "{}", app.show_profile(kind, account.as_ref())?)?;
    Ok(())
}

pub struct CheckArgs<'a> {
    pub account: Option<&'a str>,
    pub html: Option<&'a Path>,
    pub portal: PortalKind,
    pub json: bool,
}

/// `profile check`: signs in and reads a few pages, or reads a saved page. Exit code 0 when every
/// page fits the profile and every row was read, else 1.
pub async fn check(app: &App, args: &CheckArgs<'_>, out: &mut impl Write) -> anyhow::Result<u8> {
    let account = match args.account {
        Some(name) => Some(app.account_named(name).await?),
        None => None,
    };
    let check = match (args.html, &account) {
        (Some(file), _) => app.check_saved_page(file, account.as_ref(), args.portal).await?,
        (None, Some(account)) => {
            if !args.json {
                writeln!(out, "Signing in to {} to read a vehicle list page and three trucks' pages…", account.name)?;
            }
            app.check_layout(account.id).await?
        }
        (None, None) => {
            anyhow::bail!("say which account to check (--account NAME), or give a saved page (--html FILE)")
        }
    };
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&check)?)?;
    } else {
        print(&check, out)?;
    }
    let fits = check.pages.iter().all(|p| p.mismatch.is_none() && p.failed.is_empty());
    Ok(if fits { 0 } else { super::EXIT_FAILURE })
}

fn print(check: &LayoutCheck, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "Profile: {}", check.profile)?;
    writeln!(out, "Override files go in {}", check.override_folder)?;
    for page in &check.pages {
        writeln!(out)?;
        page_report(page, out)?;
    }
    Ok(())
}

fn page_report(page: &PageReport, out: &mut impl Write) -> anyhow::Result<()> {
    let title = match page.kind {
        PageKind::VehicleList => "Vehicle list",
        PageKind::Diagnostics => "Truck page",
    };
    writeln!(out, "{title}: {}", page.source)?;
    writeln!(out, "  rows ({}): {} found, {} read", page.row_selector, page.rows, page.rows_read())?;
    if let Some(mismatch) = &page.mismatch {
        writeln!(out, "  PAGE DOES NOT FIT: {mismatch}")?;
        return Ok(());
    }
    if page.rows == 0 && page.empty_marker {
        let what = if page.kind == PageKind::VehicleList { "no vehicles" } else { "no faults" };
        writeln!(out, "  the page says there are {what}")?;
    }
    if page.rows > 0 {
        writeln!(out, "{}", table(&page.fields, page.rows))?;
    }
    if !page.truck_fields.is_empty() {
        writeln!(out, "  the truck, anywhere on the page:")?;
        writeln!(out, "{}", table(&page.truck_fields, 1))?;
    }
    let link = if page.kind == PageKind::VehicleList { "next page" } else { "more faults" };
    writeln!(out, "  {link} link: {}", page.next.as_deref().unwrap_or("none found"))?;
    if !page.failed.is_empty() {
        writeln!(out, "  rows that could not be read:")?;
        for problem in &page.failed {
            writeln!(out, "    row {}: {}", problem.row + 1, problem.reason)?;
        }
    }
    Ok(())
}

fn table(fields: &[FieldReport], rows: usize) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120)
        .set_header(["Field", "Looks at", "Found", "Samples"]);
    for field in fields {
        let found = match field.unmatched {
            0 => format!("{}/{rows}", field.matched),
            n => format!("{}/{rows} ({n} not matching)", field.matched),
        };
        let samples = field.samples.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
        table.add_row([field.name.as_str(), field.looks.as_str(), found.as_str(), samples.as_str()]);
    }
    table
}
