//! The three layout families over real HTTP: each signs in through its own form, lists every truck
//! its own way of paging, and shows each truck's facts and faults as the ground truth has them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use portal_sim::fleet::Vehicle;
use portal_sim::fleet::catalog::Urgency;
use portal_sim::{Layout, Portal, SimConfig, Simulator, UserSpec};
use reqwest::StatusCode;
use scraper::{ElementRef, Html, Selector};
use support::Browser;

mod support;

const USER: &str = "fleet.ops";
const PASSWORD: &str = "correct horse";

async fn sim(vehicles: usize) -> Simulator {
    let sim = Simulator::start(SimConfig { vehicles, seed: 31, ..SimConfig::default() }).await.unwrap();
    sim.state().add_user(UserSpec::new(Portal::Paccar, USER, PASSWORD)).unwrap();
    sim
}

/// Signs in through the layout's own form and returns the browser and the page it landed on.
async fn sign_in(sim: &Simulator, layout: Layout, fields: [&str; 2]) -> (Browser, String) {
    let browser = Browser::new(sim);
    let form = layout.sign_in();
    let login = browser.get(&format!("{}{}", layout.prefix(), form.path)).await;
    assert_eq!(login.status, StatusCode::OK);
    for field in fields {
        assert!(login.body.contains(&format!(r#"name="{field}""#)), "{layout:?} asks for {field}");
    }
    let path = format!("{}{}", layout.prefix(), form.path);
    let wrong = browser.post(&path, &[(fields[0], USER), (fields[1], "nope")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains(form.bad_credentials));
    let answer = browser.post(&path, &[(fields[0], USER), (fields[1], PASSWORD)]).await;
    assert_eq!(answer.status, StatusCode::FOUND);
    let home = answer.location.unwrap();
    assert_eq!(home, format!("{}{}", layout.prefix(), form.home));
    let landed = browser.get(&home).await;
    assert_eq!(landed.status, StatusCode::OK);
    (browser, landed.body)
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value beside `label` in a card's label/value spans.
fn fact(scope: ElementRef<'_>, label: &str) -> String {
    let facts = Selector::parse(".fact").unwrap();
    let pair = scope
        .select(&facts)
        .find(|f| text(f.select(&Selector::parse(".label").unwrap()).next().unwrap()) == label)
        .unwrap_or_else(|| panic!("no {label}"));
    text(pair.select(&Selector::parse(".value").unwrap()).next().unwrap())
}

fn miles(value: f64) -> String {
    let digits = (value.round() as i64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn with_faults(truth: &[Vehicle]) -> &Vehicle {
    truth.iter().max_by_key(|v| v.faults.len()).unwrap()
}

#[tokio::test]
async fn cards_pages_by_number_and_shows_labelled_pairs_in_local_time() {
    let sim = sim(30).await;
    let truth = sim.state().fleet_snapshot().vehicles;
    let (browser, home) = sign_in(&sim, Layout::Cards, ["user_id", "passcode"]).await;
    assert!(home.contains("Signed in as"));

    let mut vins = Vec::new();
    for page in 1.. {
        let doc = Html::parse_document(&browser.get(&format!("/cards/units?page={page}")).await.body);
        let cards = select(&doc, "article.unit-card");
        if cards.is_empty() {
            assert_eq!(select(&doc, ".empty-page").len(), 1, "a page past the end says so");
            assert_eq!(page, 4, "30 units at 12 a page");
            break;
        }
        assert!(select(&doc, "a[rel=next]").is_empty(), "no next link: pages are numbered");
        for card in cards {
            let vin_row = card.select(&Selector::parse("tr").unwrap()).next().unwrap();
            vins.push(text(vin_row.select(&Selector::parse("td").unwrap()).next().unwrap()));
            let truck = truth.iter().find(|v| Some(&v.vin) == vins.last()).unwrap();
            assert_eq!(
                text(card.select(&Selector::parse(".ymm").unwrap()).next().unwrap()),
                format!("{} {} {}", truck.year, truck.make, truck.model)
            );
        }
    }
    assert_eq!(vins, truth.iter().map(|v| v.vin.clone()).collect::<Vec<_>>());

    let truck = with_faults(&truth);
    let doc = Html::parse_document(&browser.get(&format!("/cards/units/{}", truck.vin)).await.body);
    let facts = select(&doc, ".facts-grid")[0];
    assert_eq!(fact(facts, "Odometer"), format!("{} mi", miles(truck.odometer_mi)));
    assert_eq!(fact(facts, "Last known location"), truck.location);
    let cards = select(&doc, "li.fault-card");
    assert_eq!(cards.len(), truck.faults.len());
    for (card, fault) in cards.into_iter().zip(&truck.faults) {
        assert_eq!(fact(card, "Code"), format!("{}/{}", fault.spn, fault.fmi));
        assert!(fact(card, "Module").ends_with(&format!("({})", fault.source_address)));
        let word = match fault.urgency {
            Urgency::StopEngine => "Stop Now",
            Urgency::SeekService => "Service Now",
            Urgency::ServiceAdvised => "Service Soon",
        };
        assert_eq!(fact(card, "Urgency"), word);
        assert_eq!(fact(card, "State"), if fault.active { "Open" } else { "Closed" });
        let local = fault.first_seen.with_timezone(&chrono_tz::America::Chicago);
        assert_eq!(fact(card, "First reported"), local.format("%Y-%m-%d %H:%M").to_string());
    }
    assert!(doc.root_element().html().contains("All times are Central Time."));
}

#[tokio::test]
async fn ledger_follows_a_cursor_and_lists_codes_in_a_table() {
    let sim = sim(45).await;
    let truth = sim.state().fleet_snapshot().vehicles;
    let (browser, mut body) = sign_in(&sim, Layout::Ledger, ["login[name]", "login[secret]"]).await;
    let mut lines = Vec::new();
    loop {
        let doc = Html::parse_document(&body);
        lines.extend(select(&doc, "ul.roster li").into_iter().map(text));
        match select(&doc, "a[rel=next]").first() {
            Some(next) => body = browser.get(next.value().attr("href").unwrap()).await.body,
            None => break,
        }
    }
    assert_eq!(lines.len(), truth.len(), "every truck once, over three pages");
    for (line, truck) in lines.iter().zip(&truth) {
        let want = format!(
            "Unit {} — {} {} {} — VIN {} — {} miles",
            truck.unit_number,
            truck.year,
            truck.make,
            truck.model,
            truck.vin,
            miles(truck.odometer_mi)
        );
        assert_eq!(line, &want);
    }

    let truck = with_faults(&truth);
    let doc = Html::parse_document(&browser.get(&format!("/ledger/fleet/{}", truck.vin)).await.body);
    let labels: Vec<_> = select(&doc, "dl.truck dt").into_iter().map(text).collect();
    let values: Vec<_> = select(&doc, "dl.truck dd").into_iter().map(text).collect();
    let value = |label: &str| values[labels.iter().position(|l| l == label).unwrap()].clone();
    assert_eq!(value("Chassis number (VIN)"), truck.vin);
    assert_eq!(value("Engine"), format!("{} {}", truck.engine_make, truck.engine_model));
    let rows = select(&doc, "table.codes tbody tr");
    assert_eq!(rows.len(), truck.faults.len());
    for (row, fault) in rows.into_iter().zip(&truck.faults) {
        let cells: Vec<_> = row.select(&Selector::parse("td").unwrap()).map(text).collect();
        assert_eq!(cells[0], if fault.active { "Active" } else { "Previously active" });
        assert_eq!(
            (cells[2].as_str(), cells[3].as_str()),
            (fault.spn.to_string().as_str(), fault.fmi.to_string().as_str())
        );
        assert!(cells[4].ends_with(&format!("SA {}", fault.source_address)));
        assert_eq!(cells[5], fault.description);
        let first = DateTime::parse_from_rfc2822(&cells[6]).unwrap().to_utc();
        assert_eq!(first, fault.first_seen.with_nanosecond_zero());
    }
}

trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

impl NoNanos for DateTime<Utc> {
    fn with_nanosecond_zero(self) -> Self {
        chrono::Timelike::with_nanosecond(&self, 0).unwrap()
    }
}

#[tokio::test]
async fn bulletin_grows_with_load_more_and_tells_events_in_sentences() {
    let sim = sim(40).await;
    let truth = sim.state().fleet_snapshot().vehicles;
    let (browser, home) = sign_in(&sim, Layout::Bulletin, ["uid", "pwd"]).await;
    assert!(home.contains(r#"id="signed-on""#));

    let mut path = "/bulletin/trucks".to_owned();
    let mut sizes = Vec::new();
    let last = loop {
        let doc = Html::parse_document(&browser.get(&path).await.body);
        sizes.push(select(&doc, "tr.truck").len());
        match select(&doc, "a.load-more").first() {
            Some(more) => path = more.value().attr("href").unwrap().to_owned(),
            None => break doc,
        }
    };
    assert_eq!(sizes, [15, 30, 40], "each step shows the earlier rows again");
    let vins: Vec<_> =
        select(&last, "tr.truck").into_iter().map(|r| r.value().attr("data-vin").unwrap().to_owned()).collect();
    assert_eq!(vins, truth.iter().map(|v| v.vin.clone()).collect::<Vec<_>>());

    let truck = with_faults(&truth);
    assert!(truck.faults.len() > 2, "the busiest truck needs more than one step");
    let mut path = format!("/bulletin/trucks/{}/events", truck.vin);
    let doc = loop {
        let doc = Html::parse_document(&browser.get(&path).await.body);
        match select(&doc, "a.load-more").first() {
            Some(more) => path = more.value().attr("href").unwrap().to_owned(),
            None => break doc,
        }
    };
    let report = text(select(&doc, "p.last-report")[0]);
    assert!(report.starts_with(&format!("Last report from {} with {} mi", truck.location, miles(truck.odometer_mi))));
    let events = select(&doc, "li.event");
    assert_eq!(events.len(), truck.faults.len());
    for (event, fault) in events.into_iter().zip(&truck.faults) {
        assert_eq!(event.value().attr("data-state"), Some(if fault.active { "open" } else { "cleared" }));
        let sentence = text(event);
        let code = format!(
            "(SA {}) reported SPN {} FMI {}: {}",
            fault.source_address, fault.spn, fault.fmi, fault.description
        );
        assert!(sentence.contains(&code), "{sentence}");
        let lamp = event.select(&Selector::parse(".lamp").unwrap()).next().unwrap();
        let priority = match fault.urgency {
            Urgency::StopEngine => "Priority 1",
            Urgency::SeekService => "Priority 2",
            Urgency::ServiceAdvised => "Priority 3",
        };
        assert_eq!(lamp.value().attr("title"), Some(priority));
        let time = event.select(&Selector::parse("time").unwrap()).next().unwrap();
        let first = DateTime::parse_from_rfc3339(time.value().attr("datetime").unwrap()).unwrap().to_utc();
        assert_eq!(first, fault.first_seen);
    }
}
