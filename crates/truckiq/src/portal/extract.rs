//! Pulling a fleet out of a portal in the browser: sign in, walk every page of the vehicle list,
//! then read each vehicle's diagnostics, several at once. A vehicle whose page fails is
//! reported as failed (its stored data stays as it was); problems that affect the whole run stop it.

use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::doctor::{PageReport, check_diagnostics, check_vehicle_list};
use super::error::ConnectorError;
use super::login::{Credentials, SignIn, SignInPage, TotpLedger, classify, sign_in};
use super::origin::PortalOrigin;
use super::parse::{DiagnosticsPage, LayoutMismatch, RowProblem, VehicleRow, parse_diagnostics, parse_vehicle_list};
use super::profile::{Profile, ReadWith};
use crate::browser::{BrowserSession, Navigation, PortalPage};
use crate::connector::{PageFailure, Progress};
use crate::failure::FailureReason;

/// Longest `Retry-After` honoured in place; a longer one ends the run as `RateLimited`.
const MAX_INLINE_WAIT: Duration = Duration::from_secs(60);
/// Tries per page while the portal answers 429.
const RATE_LIMIT_TRIES: u32 = 4;
/// Vehicle-list pages after which we assume the "Next" link loops.
const MAX_LIST_PAGES: usize = 2_000;
/// Pages of one truck's faults after which we assume its `more` link loops.
const MAX_FAULT_PAGES: usize = 50;

/// One portal account to read.
#[derive(Debug)]
pub struct PortalSite<'a> {
    /// e.g. `https://paccarsolutions.com` (no trailing slash).
    pub base_url: &'a str,
    pub profile: &'a Profile,
    pub credentials: &'a Credentials,
    pub ledger: &'a TotpLedger,
}

#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Diagnostics pages read at once.
    pub concurrency: usize,
    /// Where a screenshot and the HTML of a page that no longer matches the profile are kept.
    pub artifacts_dir: PathBuf,
}

#[derive(Debug, Clone)]
pub struct VehicleExtract {
    pub vehicle: VehicleRow,
    pub diagnostics: Result<DiagnosticsPage, PageFailure>,
}

#[derive(Debug, Clone)]
pub struct Extraction {
    pub sign_in: SignIn,
    pub vehicles: Vec<VehicleExtract>,
    /// Vehicle-list rows that could not be read.
    pub list_problems: Vec<RowProblem>,
    /// The HTML of the first page with a row that could not be read, where it was kept.
    pub problem_page: Option<PathBuf>,
}

/// Re-signing in when the session expires mid-run: once per run, shared by every reader.
struct Relogin {
    state: tokio::sync::Mutex<(u32, u32)>, // (generation, re-logins done)
}

impl Relogin {
    async fn generation(&self) -> u32 {
        self.state.lock().await.0
    }

    /// Called by a reader that was sent to the sign-in page after loading generation `seen`. Signs
    /// in on a tab of its own: the readers' tabs may have requests in flight.
    async fn recover(&self, browser: &BrowserSession, site: &PortalSite<'_>, seen: u32) -> Result<(), ConnectorError> {
        let mut state = self.state.lock().await;
        if state.0 != seen {
            return Ok(()); // another reader already signed in again
        }
        if state.1 >= 1 {
            return Err(ConnectorError::SessionExpired);
        }
        tracing::info!("portal session expired mid-run; signing in again");
        let tab = browser.new_page().await?;
        let signed_in = sign_in(&tab, site.base_url, site.profile, site.credentials, site.ledger).await;
        tab.close().await;
        signed_in?;
        *state = (state.0 + 1, state.1 + 1);
        Ok(())
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(2u64.pow(attempt))
}

/// How one worker reads pages (see [`ReadWith`]).
#[derive(Clone, Copy)]
enum Reader<'p> {
    /// Navigates this tab, which it has to itself.
    Tab(&'p PortalPage),
    /// `fetch()` inside this tab, which never navigates while readers share it.
    Fetch(&'p PortalPage),
}

impl<'p> Reader<'p> {
    /// A reader on `tab` that reads as `with` says.
    fn on(tab: &'p PortalPage, with: ReadWith) -> Self {
        match with {
            ReadWith::Fetch => Reader::Fetch(tab),
            ReadWith::Navigate => Reader::Tab(tab),
        }
    }

    // Matches copy the tab out before any await: a `match` on a place keeps a borrow of it alive
    // through the arms, which makes the future fail the Send check when a sync is spawned.
    fn parts(self) -> (&'p PortalPage, bool) {
        match self {
            Reader::Tab(tab) => (tab, false),
            Reader::Fetch(tab) => (tab, true),
        }
    }

    async fn load(self, url: &str) -> Result<(Navigation, String), ConnectorError> {
        let (tab, fetch) = self.parts();
        if fetch {
            return Ok(tab.fetch_html(url).await?);
        }
        let nav = tab.navigate(url).await?;
        Ok((nav, tab.html().await?))
    }
}

/// One run's browser, site and mid-run sign-in, shared by every reader.
struct Session<'a> {
    browser: &'a BrowserSession,
    site: &'a PortalSite<'a>,
    relogin: Relogin,
    artifacts_dir: &'a Path,
    /// The first page with a row that could not be read, kept for `truckiq profile check --html`.
    problem_page: Mutex<Option<PathBuf>>,
}

impl<'a> Session<'a> {
    fn new(browser: &'a BrowserSession, site: &'a PortalSite<'a>, artifacts_dir: &'a Path) -> Self {
        Self {
            browser,
            site,
            relogin: Relogin { state: tokio::sync::Mutex::new((0, 0)) },
            artifacts_dir,
            problem_page: Mutex::new(None),
        }
    }

    /// Returns the HTML of `url`, riding out 429s and recovering an expired session.
    async fn read(&self, reader: Reader<'_>, url: &str) -> Result<String, ConnectorError> {
        let mut rate_limited = 0;
        let mut recovered = false;
        loop {
            let generation = self.relogin.generation().await;
            let (nav, html) = reader.load(url).await?;
            match nav.status {
                Some(429) => {
                    rate_limited += 1;
                    let wait = nav.retry_after.unwrap_or_else(|| backoff(rate_limited));
                    if rate_limited >= RATE_LIMIT_TRIES || wait > MAX_INLINE_WAIT {
                        return Err(ConnectorError::RateLimited { retry_after: nav.retry_after });
                    }
                    tracing::info!(seconds = wait.as_secs(), "portal rate limit; waiting");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Some(status) if status >= 500 => {
                    return Err(ConnectorError::Network(format!("the portal answered {status} for {url}")));
                }
                _ => {}
            }
            if matches!(classify(&html, self.site.profile), SignInPage::Login { .. }) {
                if recovered {
                    return Err(ConnectorError::SessionExpired);
                }
                recovered = true;
                self.relogin.recover(self.browser, self.site, generation).await?;
                continue;
            }
            return Ok(html);
        }
    }

    /// Keeps the HTML of the run's first page with an unreadable row (only the first: a changed
    /// layout makes every page so).
    fn keep_first_problem_page(&self, url: &str, html: &str) {
        let mut kept = lock(&self.problem_page);
        if kept.is_some() {
            return;
        }
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let name = format!("unreadable-rows-{stamp}.html");
        match crate::artifacts::keep(self.artifacts_dir, &name, crate::artifacts::redact_html(html).as_bytes()) {
            Ok(path) => *kept = Some(path),
            Err(error) => tracing::warn!(%url, %error, "could not keep a page with unreadable rows"),
        }
    }

    /// Keeps a screenshot and the HTML of a page the profile no longer describes. A fetched page
    /// was never shown, so it is opened in a tab of its own for the screenshot.
    async fn portal_changed(
        &self,
        reader: Reader<'_>,
        url: &str,
        html: &str,
        mismatch: LayoutMismatch,
    ) -> ConnectorError {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let name = mismatch.page.replace(' ', "-");
        let dir = self.artifacts_dir;
        let screenshot = dir.join(format!("portal-changed-{name}-{stamp}.png"));
        let saved_html = crate::artifacts::keep(
            dir,
            &format!("portal-changed-{name}-{stamp}.html"),
            crate::artifacts::redact_html(html).as_bytes(),
        );
        let kept = saved_html.is_ok();
        let (tab, fetched) = reader.parts();
        let shot = if !kept {
            false
        } else if !fetched {
            tab.screenshot(&screenshot).await.is_ok()
        } else if let Ok(shown) = self.browser.new_page().await {
            let shot = shown.goto(url).await.is_ok() && shown.screenshot(&screenshot).await.is_ok();
            shown.close().await;
            shot
        } else {
            false
        };
        let saved_html = saved_html.ok();
        ConnectorError::PortalChanged {
            page: mismatch.page.to_owned(),
            selector: mismatch.selector,
            screenshot: shot.then_some(screenshot),
            html: saved_html,
        }
    }
}

/// Resolves a link from a portal page against the page it was on.
fn resolve(current: &str, href: &str) -> Option<String> {
    url::Url::parse(current).ok()?.join(href).ok().map(String::from)
}

/// Shared between the list walker and the diagnostics tabs.
struct Work {
    /// Vehicles found so far, in list order; `None` result = not read yet.
    vehicles: Vec<(VehicleRow, Option<Result<DiagnosticsPage, PageFailure>>)>,
    /// Indexes waiting for a tab.
    queue: VecDeque<usize>,
    listing_done: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One extraction's shared state, between the list walker and the diagnostics readers.
struct Run<'a> {
    site: &'a PortalSite<'a>,
    portal: PortalOrigin,
    session: Session<'a>,
    work: Mutex<Work>,
    more_work: tokio::sync::Notify,
    done: AtomicUsize,
    /// Set when a fatal error stops the run, so every reader stops taking work.
    stop: std::sync::atomic::AtomicBool,
    progress: &'a UnboundedSender<Progress>,
}

impl Run<'_> {
    fn stop_on_error(&self, failed: bool) {
        if failed {
            self.stop.store(true, Ordering::SeqCst);
            self.more_work.notify_waiters();
        }
    }

    async fn walk_list(&self, reader: Reader<'_>) -> Result<Vec<RowProblem>, ConnectorError> {
        let site = self.site;
        let mut problems = Vec::new();
        let mut url = self.portal.url(&site.profile.urls.vehicle_list)?;
        // A "load more" page repeats the rows before it, and a page-number walk meets them again
        // if the portal ignores the number: each VIN is taken once.
        let mut seen = HashSet::new();
        for page_no in 1..=MAX_LIST_PAGES {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let html = self.session.read(reader, &url).await?;
            let page = match parse_vehicle_list(&html, site.profile) {
                Ok(page) => page,
                Err(mismatch) => return Err(self.session.portal_changed(reader, &url, &html, mismatch).await),
            };
            if !page.problems.is_empty() {
                self.session.keep_first_problem_page(&url, &html);
            }
            let (found, added) = {
                let mut work = lock(&self.work);
                let before = work.vehicles.len();
                for vehicle in page.vehicles.into_iter().filter(|v| seen.insert(v.vin.clone())) {
                    let index = work.vehicles.len();
                    work.vehicles.push((vehicle, None));
                    work.queue.push_back(index);
                }
                (work.vehicles.len(), work.vehicles.len() - before)
            };
            self.more_work.notify_waiters();
            problems.extend(
                page.problems
                    .into_iter()
                    .map(|p| RowProblem { reason: format!("page {page_no}, row {}: {}", p.row + 1, p.reason), ..p }),
            );
            let _ = self.progress.send(Progress::ListingVehicles { page: page_no, found });
            if added == 0 {
                break; // past the end, or a link that leads back
            }
            let next = match site.profile.list_page_path(page_no + 1) {
                Some(path) => Some(self.portal.url(&path)?),
                None => page.next.and_then(|href| resolve(&url, &href)),
            };
            match next {
                Some(next) if !self.portal.is_own(&next) => {
                    // Only the portal's own pages are read in its signed-in tab.
                    tracing::warn!(%next, "the vehicle list's next-page link leaves the portal; not followed");
                    problems.push(RowProblem {
                        row: 0,
                        reason: format!(
                            "the next-page link leads off the portal, to {next}; the rest of the list was not read"
                        ),
                    });
                    break;
                }
                Some(next) if next != url => url = next,
                _ => break,
            }
        }
        Ok(problems)
    }

    /// The whole list; the readers stop waiting for more once it is done.
    async fn walk_all(&self, reader: Reader<'_>) -> Result<Vec<RowProblem>, ConnectorError> {
        let result = self.walk_list(reader).await;
        lock(&self.work).listing_done = true;
        self.more_work.notify_waiters();
        self.stop_on_error(result.is_err());
        result
    }

    /// A reader's whole share of the work; its failure stops the others.
    async fn read_and_report(&self, reader: Reader<'_>) -> Result<(), ConnectorError> {
        let result = self.read_diagnostics(reader).await;
        self.stop_on_error(result.is_err());
        result
    }

    /// One truck's faults: its diagnostics page and every page its `more` link leads to.
    async fn read_truck(&self, reader: Reader<'_>, first: &str) -> Result<DiagnosticsPage, ConnectorError> {
        let profile = self.site.profile;
        let mut url = first.to_owned();
        let mut truck: Option<DiagnosticsPage> = None;
        for _ in 0..MAX_FAULT_PAGES {
            let html = self.session.read(reader, &url).await?;
            let page = match parse_diagnostics(&html, profile) {
                Ok(page) => page,
                Err(mismatch) => return Err(self.session.portal_changed(reader, &url, &html, mismatch).await),
            };
            if !page.problems.is_empty() {
                self.session.keep_first_problem_page(&url, &html);
            }
            let more = page.more.as_deref().and_then(|href| resolve(&url, href));
            match truck.as_mut() {
                None => truck = Some(page),
                Some(truck) => truck.absorb(page, profile.diagnostics.cumulative),
            }
            match more {
                Some(next) if self.portal.is_own(&next) && next != url => url = next,
                _ => break,
            }
        }
        Ok(truck.unwrap_or_default())
    }

    async fn read_diagnostics(&self, reader: Reader<'_>) -> Result<(), ConnectorError> {
        let site = self.site;
        loop {
            let waiting = self.more_work.notified();
            let next = {
                let mut work = lock(&self.work);
                match work.queue.pop_front() {
                    Some(index) => Some((index, work.vehicles[index].0.vin.clone())),
                    None if work.listing_done => return Ok(()),
                    None => None,
                }
            };
            if self.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            let Some((index, vin)) = next else {
                waiting.await;
                continue;
            };
            let url = self.portal.url(&site.profile.diagnostics_path(&vin))?;
            let outcome = match self.read_truck(reader, &url).await {
                Ok(page) => Ok(page),
                // One vehicle's page failing does not sink the run: it keeps its stored data.
                Err(e @ (ConnectorError::Network(_) | ConnectorError::Timeout(_))) => {
                    Err(PageFailure { kind: e.reason(), message: e.to_string() })
                }
                Err(fatal) => return Err(fatal),
            };
            let total = {
                let mut work = lock(&self.work);
                work.vehicles[index].1 = Some(outcome);
                work.vehicles.len()
            };
            let finished = self.done.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = self.progress.send(Progress::ReadingDiagnostics { done: finished, total });
        }
    }
}

/// Reads the whole fleet of one account. The diagnostics readers start on the first list page's
/// vehicles while the rest of the list is still being walked, so a long list costs little extra.
/// `progress` receives steps as they happen.
pub async fn extract(
    browser: &BrowserSession,
    site: &PortalSite<'_>,
    options: &ExtractOptions,
    progress: &UnboundedSender<Progress>,
) -> Result<Extraction, ConnectorError> {
    let portal = PortalOrigin::new(site.base_url, &site.profile.login.sign_in_origins)?;
    let list_tab = browser.new_page().await?;
    let _ = progress.send(Progress::SigningIn);
    let signed_in = sign_in(&list_tab, site.base_url, site.profile, site.credentials, site.ledger).await?;
    let run = Run {
        site,
        portal,
        session: Session::new(browser, site, &options.artifacts_dir),
        work: Mutex::new(Work { vehicles: Vec::new(), queue: VecDeque::new(), listing_done: false }),
        more_work: tokio::sync::Notify::new(),
        done: AtomicUsize::new(0),
        stop: std::sync::atomic::AtomicBool::new(false),
        progress,
    };

    let concurrency = options.concurrency.clamp(1, 16);
    // Fetch readers share a tab that stays on a portal page (fetch() is same-origin): the list tab
    // when the list is fetched too, else one more. Tab readers each need their own.
    let list_reader = Reader::on(&list_tab, site.profile.reading.vehicle_list);
    let tab_count = match (site.profile.reading.diagnostics, site.profile.reading.vehicle_list) {
        (ReadWith::Fetch, ReadWith::Fetch) => 0,
        (ReadWith::Fetch, ReadWith::Navigate) => 1,
        (ReadWith::Navigate, _) => concurrency,
    };
    let mut tabs = Vec::with_capacity(tab_count);
    for _ in 0..tab_count {
        tabs.push(browser.new_page().await?);
    }
    if let (ReadWith::Fetch, [tab]) = (site.profile.reading.diagnostics, tabs.as_slice()) {
        tab.goto(&run.portal.url(&site.profile.urls.dashboard)?).await?;
    }
    let readers: Vec<Reader<'_>> = match site.profile.reading.diagnostics {
        ReadWith::Fetch if tabs.is_empty() => vec![Reader::Fetch(&list_tab); concurrency],
        ReadWith::Fetch => tabs.iter().cycle().take(concurrency).map(Reader::Fetch).collect(),
        ReadWith::Navigate => tabs.iter().map(Reader::Tab).collect(),
    };
    let listing = run.walk_all(list_reader);
    let reading = futures::future::join_all(readers.into_iter().map(|reader| run.read_and_report(reader)));
    let (list_problems, outcomes) = futures::join!(listing, reading);
    list_tab.close().await;
    for tab in tabs {
        tab.close().await;
    }
    let list_problems = list_problems?;
    outcomes.into_iter().collect::<Result<Vec<()>, _>>()?;

    let work = run.work.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let vehicles = work
        .vehicles
        .into_iter()
        .map(|(vehicle, diagnostics)| VehicleExtract {
            vehicle,
            diagnostics: diagnostics.unwrap_or_else(|| {
                Err(PageFailure {
                    kind: FailureReason::Cancelled,
                    message: "the run stopped before this vehicle".into(),
                })
            }),
        })
        .collect();
    let problem_page = run.session.problem_page.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(Extraction { sign_in: signed_in, vehicles, list_problems, problem_page })
}

/// Trucks whose pages the doctor reads at most, looking for ones with fault rows.
const CHECK_TRUCKS: usize = 12;

/// For the doctor: signs in, reads the first vehicle-list page and `pages` trucks' diagnostics
/// pages (those with fault rows first, among the first dozen trucks), and reports what the profile
/// finds on each. Reads only; keeps nothing.
pub async fn check_pages(
    browser: &BrowserSession,
    site: &PortalSite<'_>,
    pages: usize,
) -> Result<Vec<PageReport>, ConnectorError> {
    let profile = site.profile;
    let portal = PortalOrigin::new(site.base_url, &profile.login.sign_in_origins)?;
    let tab = browser.new_page().await?;
    let result = async {
        sign_in(&tab, site.base_url, profile, site.credentials, site.ledger).await?;
        // The doctor keeps no pages: it shows them.
        let nowhere = PathBuf::new();
        let session = Session::new(browser, site, &nowhere);
        let reader = |with: ReadWith| Reader::on(&tab, with);
        let url = portal.url(&profile.urls.vehicle_list)?;
        let html = session.read(reader(profile.reading.vehicle_list), &url).await?;
        let mut reports = vec![check_vehicle_list(&html, &url, profile)];
        let vins: Vec<String> = parse_vehicle_list(&html, profile)
            .map(|page| page.vehicles.into_iter().map(|v| v.vin).take(CHECK_TRUCKS).collect())
            .unwrap_or_default();
        let (mut with_rows, mut without) = (Vec::new(), Vec::new());
        for vin in vins {
            if with_rows.len() >= pages {
                break;
            }
            let url = portal.url(&profile.diagnostics_path(&vin))?;
            let html = session.read(reader(profile.reading.diagnostics), &url).await?;
            let report = check_diagnostics(&html, &url, profile);
            if report.rows > 0 { with_rows.push(report) } else { without.push(report) }
        }
        let short = pages.saturating_sub(with_rows.len());
        reports.extend(with_rows.into_iter().chain(without.into_iter().take(short)));
        Ok(reports)
    }
    .await;
    tab.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_resolve_against_the_current_page() {
        let here = "http://127.0.0.1:8080/paccar/vehicles?page=1";
        assert_eq!(
            resolve(here, "/paccar/vehicles?page=2").as_deref(),
            Some("http://127.0.0.1:8080/paccar/vehicles?page=2")
        );
        assert_eq!(resolve(here, "?page=3").as_deref(), Some("http://127.0.0.1:8080/paccar/vehicles?page=3"));
        assert_eq!(backoff(1), Duration::from_secs(2));
    }
}
