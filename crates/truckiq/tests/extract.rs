//! Extraction on a real Chromium against the simulator, compared with the simulator's ground truth.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use portal_sim::{Layout, Portal, RateLimit, Scenario, SimConfig, Simulator, UserSpec};
use truckiq::browser::{BrowserOptions, BrowserSession};
use truckiq::connector::Progress;
use truckiq::failure::FailureReason;
use truckiq::j1939::Severity;
use truckiq::portal::error::ConnectorError;
use truckiq::portal::extract::{ExtractOptions, Extraction, PortalSite, extract};
use truckiq::portal::login::{Credentials, TotpLedger};
use truckiq::portal::profile::{Profile, ReadWith, ReadingProfile};
use truckiq::secrets::Sensitive;
use truckiq::store::PortalKind;

/// An e-mail address: the TruckTech+ form's `type="email"` field refuses anything else.
const USER: &str = "ops@fleet.example";

struct Run {
    sim: Simulator,
    portal: Portal,
    dir: tempfile::TempDir,
    /// Replaces the profile's way of reading pages (the built-in profiles fetch).
    read_with: Option<ReadWith>,
    /// Trust the simulator's certificate when it serves HTTPS.
    trust_sim: bool,
    /// Another layout than the portal's own, read with this profile.
    layout: Option<(Layout, Profile)>,
}

impl Run {
    async fn new(portal: Portal, vehicles: usize) -> Self {
        Self::start(portal, SimConfig { vehicles, seed: 21, ..SimConfig::default() }).await
    }

    async fn start(portal: Portal, config: SimConfig) -> Self {
        let sim = Simulator::start(config).await.unwrap();
        sim.state().add_user(UserSpec::new(portal, USER, "pw")).unwrap();
        Self { sim, portal, dir: tempfile::tempdir().unwrap(), read_with: None, trust_sim: true, layout: None }
    }

    async fn extract(
        &self,
        concurrency: usize,
        timeout: Duration,
    ) -> (Result<Extraction, ConnectorError>, Vec<Progress>) {
        let kind = if self.portal == Portal::Paccar { PortalKind::TruckTech } else { PortalKind::DecisivSrm };
        let (mut profile, base) = match &self.layout {
            Some((layout, profile)) => (profile.clone(), self.sim.layout_url(*layout)),
            None => (Profile::builtin(kind).unwrap(), self.sim.portal_url(self.portal)),
        };
        if let Some(read_with) = self.read_with {
            profile.reading = ReadingProfile { vehicle_list: read_with, diagnostics: read_with };
        }
        let credentials =
            Credentials { username: USER.into(), password: Sensitive::from("pw"), totp: None, trust_device: true };
        let ledger = TotpLedger::default();
        let site = PortalSite { base_url: &base, profile: &profile, credentials: &credentials, ledger: &ledger };
        let options = ExtractOptions { concurrency, artifacts_dir: self.dir.path().join("artifacts") };
        let trusted = self.sim.certificate().filter(|_| self.trust_sim).map(|c| c.spki_sha256().to_owned());
        let browser_options = BrowserOptions {
            page_timeout: timeout,
            trusted_spki: trusted.into_iter().collect(),
            ..BrowserOptions::default()
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let result = BrowserSession::with(&browser_options, &self.dir.path().join("profile"), async |browser| {
            extract(browser, &site, &options, &tx).await
        })
        .await;
        drop(tx);
        let mut steps = Vec::new();
        while let Some(step) = rx.recv().await {
            steps.push(step);
        }
        (result, steps)
    }
}

fn assert_matches_ground_truth(extraction: &Extraction, sim: &Simulator) {
    let truth = sim.state().fleet_snapshot();
    assert_eq!(extraction.vehicles.len(), truth.vehicles.len());
    assert!(extraction.list_problems.is_empty());
    for (got, want) in extraction.vehicles.iter().zip(&truth.vehicles) {
        assert_eq!(got.vehicle.vin, want.vin);
        assert_eq!(got.vehicle.unit_number.as_deref(), Some(want.unit_number.as_str()));
        assert_eq!(
            (got.vehicle.year, got.vehicle.make.as_deref(), got.vehicle.model.as_deref()),
            (Some(want.year), Some(want.make), Some(want.model))
        );
        let diagnostics = got.diagnostics.as_ref().unwrap_or_else(|e| panic!("{}: {e:?}", want.vin));
        assert_eq!(diagnostics.odometer_mi, Some(want.odometer_mi), "{}", want.vin);
        assert_eq!(diagnostics.engine_hours, Some(want.engine_hours), "{}", want.vin);
        let faults: Vec<_> = diagnostics
            .faults
            .iter()
            .map(|f| (f.source_address, f.spn, f.fmi, f.active, f.derate, f.severity_text.clone().unwrap_or_default()))
            .collect();
        let expected: Vec<_> = want
            .faults
            .iter()
            .map(|f| (f.source_address, f.spn, f.fmi, f.active, f.derate, f.urgency.text().to_owned()))
            .collect();
        assert_eq!(faults, expected, "faults of {}", want.vin);
    }
}

#[tokio::test]
async fn a_200_vehicle_paccar_fleet_over_8_pages_matches_the_ground_truth() {
    let run = Run::new(Portal::Paccar, 200).await;
    let (result, progress) = run.extract(4, Duration::from_secs(15)).await;
    let extraction = result.unwrap();
    assert_matches_ground_truth(&extraction, &run.sim);
    assert!(progress.contains(&Progress::ListingVehicles { page: 8, found: 200 }), "8 list pages");
    assert_eq!(progress.last(), Some(&Progress::ReadingDiagnostics { done: 200, total: 200 }));

    let log = run.sim.state().requests(0);
    let diagnostics: Vec<_> = log.iter().filter(|e| e.path.contains("/diagnostics")).map(|e| e.path.clone()).collect();
    let unique: std::collections::HashSet<_> = diagnostics.iter().collect();
    assert_eq!((diagnostics.len(), unique.len()), (200, 200), "every diagnostics page fetched exactly once");
    assert_eq!(run.sim.state().user(Portal::Paccar, USER).unwrap().login_attempts, 1);
}

#[tokio::test]
async fn a_decisiv_fleet_matches_the_ground_truth() {
    let run = Run::new(Portal::Decisiv, 120).await;
    let (result, _) = run.extract(4, Duration::from_secs(15)).await;
    assert_matches_ground_truth(&result.unwrap(), &run.sim);
}

#[tokio::test]
async fn layout_drift_is_portal_changed_with_a_screenshot_and_the_html() {
    let run = Run::new(Portal::Paccar, 10).await;
    run.sim.state().set_scenario(Scenario { layout_drift: true, ..Scenario::default() }).unwrap();
    let (result, _) = run.extract(2, Duration::from_secs(10)).await;
    match result {
        Err(ConnectorError::PortalChanged { page, selector, screenshot, html }) => {
            assert_eq!(page, "vehicle list");
            assert!(selector.contains(".vehicle-row"), "{selector}");
            let screenshot = screenshot.expect("a screenshot");
            assert!(std::fs::metadata(&screenshot).unwrap().len() > 1000, "a real PNG");
            let html = std::fs::read_to_string(html.expect("the page HTML")).unwrap();
            assert!(html.contains("fleet-item") && !html.contains("pw"), "the page, and no password");
        }
        other => panic!("expected PortalChanged, got {other:?}"),
    }
}

#[tokio::test]
async fn rate_limits_are_honoured_and_the_run_completes() {
    let run = Run::new(Portal::Paccar, 30).await;
    run.sim
        .state()
        .set_scenario(Scenario {
            rate_limit: Some(RateLimit { max_requests: 12, window_secs: 2, retry_after: true }),
            ..Scenario::default()
        })
        .unwrap();
    let (result, _) = run.extract(4, Duration::from_secs(15)).await;
    let extraction = result.unwrap();
    assert!(extraction.vehicles.iter().all(|v| v.diagnostics.is_ok()));
    let limited = run.sim.state().requests(0).iter().filter(|e| e.status == 429).count();
    assert!(limited > 0, "the portal did rate-limit us");
}

#[tokio::test]
async fn navigating_tabs_reads_the_same_fleet_as_fetching() {
    let mut run = Run::new(Portal::Paccar, 60).await;
    run.read_with = Some(ReadWith::Navigate);
    let (result, _) = run.extract(3, Duration::from_secs(15)).await;
    assert_matches_ground_truth(&result.unwrap(), &run.sim);
}

#[tokio::test]
async fn over_https_and_http2_only_the_simulators_own_key_is_trusted() {
    let config = SimConfig { vehicles: 30, seed: 21, tls: true, ..SimConfig::default() };
    let run = Run::start(Portal::Decisiv, config.clone()).await;
    let (result, _) = run.extract(4, Duration::from_secs(15)).await;
    assert_matches_ground_truth(&result.unwrap(), &run.sim);

    let mut untrusted = Run::start(Portal::Decisiv, config).await;
    untrusted.trust_sim = false;
    let (result, _) = untrusted.extract(4, Duration::from_secs(15)).await;
    match result {
        Err(ConnectorError::Network(message)) => assert!(message.contains("ERR_CERT"), "{message}"),
        other => panic!("a self-signed certificate must be refused unless trusted, got {other:?}"),
    }
}

#[tokio::test]
async fn failing_and_hung_diagnostics_fail_only_their_vehicles() {
    for read_with in [ReadWith::Fetch, ReadWith::Navigate] {
        failing_and_hung_diagnostics_with(read_with).await;
    }
}

async fn failing_and_hung_diagnostics_with(read_with: ReadWith) {
    let mut run = Run::new(Portal::Paccar, 40).await;
    run.read_with = Some(read_with);
    run.sim
        .state()
        .set_scenario(Scenario {
            error_rate: 0.1,
            hang_rate: 0.05,
            fail_paths: Some("/diagnostics".into()),
            ..Scenario::default()
        })
        .unwrap();
    let started = std::time::Instant::now();
    let (result, _) = run.extract(4, Duration::from_secs(3)).await;
    let extraction = result.unwrap();
    let failures: HashMap<FailureReason, usize> =
        extraction.vehicles.iter().filter_map(|v| v.diagnostics.as_ref().err()).fold(HashMap::new(), |mut m, f| {
            *m.entry(f.kind).or_default() += 1;
            m
        });
    assert!(failures.get(&FailureReason::Network).copied().unwrap_or(0) > 0, "{read_with:?}: {failures:?}");
    assert!(failures.get(&FailureReason::Timeout).copied().unwrap_or(0) > 0, "{read_with:?}: {failures:?}");
    assert!(extraction.vehicles.iter().filter(|v| v.diagnostics.is_ok()).count() >= 25);
    assert!(started.elapsed() < Duration::from_secs(60), "timeouts, not hangs");
    run.sim.stop().await.unwrap();
}

#[tokio::test]
async fn a_session_expiring_mid_run_is_recovered_with_one_login() {
    let run = Run::new(Portal::Decisiv, 30).await;
    run.sim.state().set_scenario(Scenario { expire_session_after_requests: Some(20), ..Scenario::default() }).unwrap();
    // Four readers meet the expired session at once; only one signs in again.
    let (result, _) = run.extract(4, Duration::from_secs(10)).await;
    let extraction = result.unwrap();
    assert!(extraction.vehicles.iter().all(|v| v.diagnostics.is_ok()));
    assert_eq!(run.sim.state().user(Portal::Decisiv, USER).unwrap().login_attempts, 2, "one re-login");
}

/// What a family's page says of a fault's urgency, from the simulator's lamp or urgency word.
fn tier(urgency: portal_sim::fleet::catalog::Urgency) -> Severity {
    match urgency {
        portal_sim::fleet::catalog::Urgency::StopEngine => Severity::Critical,
        portal_sim::fleet::catalog::Urgency::SeekService => Severity::Major,
        portal_sim::fleet::catalog::Urgency::ServiceAdvised => Severity::Minor,
    }
}

/// Reads a layout family with nothing but a profile file written from its pages, and compares
/// every vehicle field and every fault's code, source, description, tier, state and first sighting
/// (and its derate, where the family shows one) with the ground truth.
async fn assert_family_reads_completely(layout: Layout, profile: &str, vehicles: usize, shows_derate: bool) {
    let mut run = Run::new(Portal::Paccar, vehicles).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("trucktech.toml"), profile).unwrap();
    run.layout = Some((layout, Profile::load(PortalKind::TruckTech, dir.path()).unwrap()));
    let (result, _) = run.extract(4, Duration::from_secs(15)).await;
    let extraction = result.unwrap();
    let truth = run.sim.state().fleet_snapshot();
    let read = truckiq::portal::convert::fleet_read(&extraction);
    assert_eq!(read.vehicles.len(), truth.vehicles.len(), "every page of the list");
    assert_eq!((read.list_problems, read.list_problem), (0, None));
    let mut faults = 0;
    for ((got, extracted), want) in read.vehicles.iter().zip(&extraction.vehicles).zip(&truth.vehicles) {
        let v = &got.vehicle;
        assert_eq!(v.vin, want.vin);
        assert_eq!(
            (v.unit_number.as_deref(), v.model_year, v.make.as_deref(), v.model.as_deref()),
            (Some(want.unit_number.as_str()), Some(want.year), Some(want.make), Some(want.model))
        );
        assert_eq!(
            (v.engine_make.as_deref(), v.engine_model.as_deref()),
            (Some(want.engine_make), Some(want.engine_model))
        );
        assert_eq!(
            (v.odometer_mi, v.engine_hours),
            (Some(want.odometer_mi.round()), Some((want.engine_hours * 10.0).round() / 10.0))
        );
        assert_eq!(v.location_text.as_deref(), Some(want.location));
        let page = extracted.diagnostics.as_ref().unwrap_or_else(|e| panic!("{}: {e:?}", want.vin));
        assert!(page.problems.is_empty(), "{}: {:?}", want.vin, page.problems);
        let got: Vec<_> = page
            .faults
            .iter()
            .map(|f| {
                let derate = shows_derate.then_some(f.derate);
                (f.source_address, f.spn, f.fmi, f.description.clone(), f.tier, derate, f.active, f.first_seen)
            })
            .collect();
        let expected: Vec<_> = want
            .faults
            .iter()
            .map(|f| {
                let first = chrono::Timelike::with_nanosecond(&f.first_seen, 0).unwrap();
                let derate = shows_derate.then_some(f.derate);
                let description = Some(f.description.to_owned());
                (f.source_address, f.spn, f.fmi, description, Some(tier(f.urgency)), derate, f.active, Some(first))
            })
            .collect();
        assert_eq!(got, expected, "faults of {}", want.vin);
        faults += got.len();
    }
    assert!(faults > 40, "{faults} faults compared");
}

#[tokio::test]
async fn the_ledger_family_syncs_completely_from_a_profile_file_alone() {
    assert_family_reads_completely(Layout::Ledger, LEDGER_PROFILE, 45, false).await;
}

#[tokio::test]
async fn the_cards_family_syncs_completely_from_a_profile_file_alone() {
    assert_family_reads_completely(Layout::Cards, CARDS_PROFILE, 45, true).await;
}

#[tokio::test]
async fn the_bulletin_family_syncs_completely_from_a_profile_file_alone() {
    assert_family_reads_completely(Layout::Bulletin, BULLETIN_PROFILE, 45, true).await;
}

// Written from each family's pages as a new user would (docs/PROFILES.md).
const LEDGER_PROFILE: &str = include_str!("../../../tests/fixtures/profiles/ledger.toml");
const CARDS_PROFILE: &str = include_str!("../../../tests/fixtures/profiles/cards.toml");
const BULLETIN_PROFILE: &str = include_str!("../../../tests/fixtures/profiles/bulletin.toml");
