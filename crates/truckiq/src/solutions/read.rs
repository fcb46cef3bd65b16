//! Reading the gateway once signed in: every vehicle through the search (all pages, known from
//! `totalHits`), then each truck's fault log with bounded concurrency, skipping trucks whose
//! `timestamp` has not moved when the read is incremental. Whatever carries the calls, a 401 gets
//! one renewal of the token for the whole run.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use futures::stream::FuturesUnordered;
use futures::{FutureExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;

use super::doctor;
use super::json::{self, PathProblem};
use super::profile::SolutionsProfile;
use super::token::{Renewal, TokenKeeper};
use super::transport::{Answer, Call, Transport};
use crate::connector::{FleetRead, PageFailure, Progress, TruckFaults, VehicleRead};
use crate::failure::FailureReason;
use crate::portal::doctor::PageReport;
use crate::portal::error::ConnectorError;
use crate::store::VehicleSnapshot;

pub struct Gateway<'a> {
    pub transport: &'a dyn Transport,
    pub keeper: &'a TokenKeeper,
    pub renewal: &'a dyn Renewal,
    pub profile: &'a SolutionsProfile,
    /// Where answers that no longer fit the profile are kept.
    pub artifacts_dir: &'a Path,
}

/// What to read this time.
#[derive(Debug, Clone, Default)]
pub struct ReadPlan {
    /// The change markers stored by the last sync that read each truck's faults, by VIN.
    pub known: HashMap<String, String>,
    /// Read every truck's faults, whatever its marker says.
    pub full: bool,
    pub concurrency: usize,
}

/// A gateway answer that is not data: what it means for the run or for one truck.
enum Refusal {
    /// Ends the run.
    Run(ConnectorError),
    /// Only this call failed (a 5xx, a timeout): the truck keeps what is stored.
    Call(PageFailure),
}

impl Refusal {
    /// For a call whose failure ends the run anyway (the vehicle list, the probe).
    fn into_error(self) -> ConnectorError {
        match self {
            Refusal::Run(error) => error,
            Refusal::Call(failure) => ConnectorError::Network(failure.message),
        }
    }
}

impl From<ConnectorError> for Refusal {
    fn from(error: ConnectorError) -> Self {
        match error {
            ConnectorError::Network(message) => Refusal::Call(PageFailure { kind: FailureReason::Network, message }),
            ConnectorError::Timeout(message) => Refusal::Call(PageFailure { kind: FailureReason::Timeout, message }),
            other => Refusal::Run(other),
        }
    }
}

fn excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 200 { format!("{}…", flat.chars().take(200).collect::<String>()) } else { flat }
}

impl Gateway<'_> {
    /// One call with the run's token. A 401 renews the token (once per run, shared by every
    /// reader) and tries again; so does a 404 where the call cannot legitimately be missing,
    /// which is how the gateway is seen to answer a token it does not take.
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        never_missing: bool,
    ) -> Result<Answer, Refusal> {
        let mut held = self.keeper.current().await;
        loop {
            let call = Call { method, path, body, token: &held.token, bearer: false };
            let answer = self.transport.send(call).await?;
            let refused = answer.status == 401 || (never_missing && answer.status == 404);
            if !refused {
                return Ok(answer);
            }
            held = match self.keeper.renew(&held, self.renewal).await {
                Ok(renewed) => renewed,
                Err(ConnectorError::SessionExpired) if answer.status == 404 => {
                    return Err(Refusal::Run(self.changed(
                        path,
                        "answers 404 Not Found to every call, even after a refresh and a new sign-in".into(),
                        None,
                    )));
                }
                Err(error) => return Err(Refusal::Run(error)),
            };
        }
    }

    /// The data of a 2xx answer; anything else is what it means.
    fn data(&self, path: &str, answer: Answer) -> Result<Value, Refusal> {
        match answer.status {
            200..=299 => serde_json::from_str(&answer.body).map_err(|e| {
                Refusal::Run(self.changed(path, format!("is not JSON ({e}): {}", excerpt(&answer.body)), None))
            }),
            429 => Err(Refusal::Run(ConnectorError::RateLimited { retry_after: None })),
            status @ 500..=599 => Err(Refusal::Call(PageFailure {
                kind: FailureReason::Network,
                message: format!("the gateway answered {status} for {path}"),
            })),
            404 => Err(Refusal::Call(PageFailure {
                kind: FailureReason::PortalChanged,
                message: format!("the gateway has no {path}"),
            })),
            status => {
                Err(Refusal::Run(self.changed(path, format!("answered {status}: {}", excerpt(&answer.body)), None)))
            }
        }
    }

    /// `PortalChanged` for `path`, keeping `answer` (tokens redacted) beside the account's other
    /// kept pages.
    fn changed(&self, path: &str, problem: String, answer: Option<&Value>) -> ConnectorError {
        let endpoint = path.split('?').next().unwrap_or(path).to_owned();
        let response = answer.and_then(|answer| {
            let name = format!(
                "gateway-{}-{}.json",
                endpoint.trim_matches('/').replace('/', "_"),
                chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f")
            );
            let text = serde_json::to_string_pretty(&json::redact(answer)).ok()?;
            crate::artifacts::keep(self.artifacts_dir, &name, text.as_bytes()).ok()
        });
        ConnectorError::GatewayChanged { endpoint, problem, response }
    }

    fn changed_at(&self, path: &str, problem: &PathProblem, answer: &Value) -> ConnectorError {
        self.changed(path, problem.to_string(), Some(answer))
    }

    /// The list in an answer (`data`) and its total (`responseDescription.totalHits`).
    fn hits<'v>(&self, path: &str, answer: &'v Value) -> Result<(&'v [Value], Option<usize>), ConnectorError> {
        let data = answer.get("data").and_then(Value::as_array).ok_or_else(|| {
            let problem = PathProblem { path: "data".into(), problem: "finds no list".into(), missing: true };
            self.changed_at(path, &problem, answer)
        })?;
        let total = json::lookup(answer, "responseDescription.totalHits")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok());
        Ok((data, total))
    }

    async fn search_page(&self, page: usize) -> Result<Value, Refusal> {
        self.search(page, self.profile.endpoints.page_size).await
    }

    async fn search(&self, page: usize, page_size: usize) -> Result<Value, Refusal> {
        let e = &self.profile.endpoints;
        let body = json!({
            "page": page.to_string(),
            "pageSize": page_size.to_string(),
            "version": e.search_version,
            "sort": e.search_sort,
            "exclude": e.search_exclude,
        });
        let answer = self.call("POST", &e.search, Some(&body), true).await?;
        self.data(&e.search, answer)
    }

    /// Checks that the gateway takes the run's token (renewing it once if not) with the smallest
    /// search there is.
    pub async fn probe(&self) -> Result<(), ConnectorError> {
        self.search(0, 1).await.map(|_| ()).map_err(Refusal::into_error)
    }

    /// The vehicles on one page of the list not already `seen`, and how many rows could not be read.
    fn listed(
        &self,
        answer: &Value,
        seen: &mut HashSet<String>,
    ) -> Result<(Vec<VehicleSnapshot>, u32), ConnectorError> {
        let path = self.profile.endpoints.search.as_str();
        let (rows, _) = self.hits(path, answer)?;
        let mut missing: Option<PathProblem> = None;
        let mut read_any = false;
        let mut vehicles = Vec::new();
        let mut problems = 0u32;
        for row in rows {
            match json::vehicle(row, self.profile) {
                Ok(vehicle) => {
                    read_any = true;
                    if seen.insert(vehicle.vin.clone()) {
                        vehicles.push(vehicle);
                    }
                }
                Err(problem) => {
                    tracing::warn!(%problem, "a vehicle the gateway listed could not be read");
                    problems += 1;
                    if problem.missing {
                        missing.get_or_insert(problem);
                    }
                }
            }
        }
        // Not one vehicle on the page has a required field: the answer's shape changed.
        if !read_any && let Some(problem) = missing {
            return Err(self.changed_at(path, &problem, answer));
        }
        Ok((vehicles, problems))
    }

    /// One truck's whole fault log.
    async fn faults(&self, vin: &str) -> Result<TruckFaults, ConnectorError> {
        let endpoints = &self.profile.endpoints;
        let mut observed = Vec::new();
        let mut listed = 0usize;
        for page in 0.. {
            let path = endpoints.faults_path(vin, page);
            let answer = match self.call("GET", &path, None, false).await.and_then(|a| self.data(&path, a)) {
                Ok(answer) => answer,
                Err(Refusal::Run(error)) => return Err(error),
                Err(Refusal::Call(failure)) => return Ok(TruckFaults::Unread(failure)),
            };
            let (entries, total) = self.hits(&path, &answer)?;
            for entry in entries {
                match json::fault(entry, self.profile) {
                    Ok(Some(fault)) => observed.push(fault),
                    Ok(None) => {}
                    Err(problem) if problem.missing => return Err(self.changed_at(&path, &problem, &answer)),
                    Err(problem) => {
                        return Ok(TruckFaults::Unread(PageFailure {
                            kind: FailureReason::PortalChanged,
                            message: format!("{path}: {problem}"),
                        }));
                    }
                }
            }
            listed += entries.len();
            let done = match total {
                Some(total) => listed >= total,
                None => entries.len() < endpoints.fault_page_size,
            };
            if entries.is_empty() || done {
                break;
            }
        }
        Ok(TruckFaults::Read(json::merge_duplicates(observed)))
    }

    /// For the doctor: the first page of the vehicle search and the first page of `pages` trucks'
    /// fault logs (those with entries first, among the first dozen trucks), each with what the
    /// profile's fields find in it. Reads only.
    pub async fn check(&self, pages: usize) -> Result<Vec<PageReport>, ConnectorError> {
        const TRUCKS: usize = 12;
        let search = &self.profile.endpoints.search;
        let first = self.search_page(0).await.map_err(Refusal::into_error)?;
        let mut reports = vec![doctor::check_vehicles(&first, &format!("POST {search} (page 0)"), self.profile)];
        let documents = first.get("data").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let vins = documents.iter().filter_map(|doc| json::vehicle(doc, self.profile).ok()).map(|v| v.vin);
        let (mut with_rows, mut without) = (Vec::new(), Vec::new());
        for vin in vins.take(TRUCKS) {
            if with_rows.len() >= pages {
                break;
            }
            let path = self.profile.endpoints.faults_path(&vin, 0);
            let source = format!("GET {path}");
            let report = match self.call("GET", &path, None, false).await.and_then(|a| self.data(&path, a)) {
                Ok(answer) => doctor::check_faults(&answer, &source, self.profile),
                Err(Refusal::Run(error)) => return Err(error),
                Err(Refusal::Call(failure)) => {
                    let mut report = doctor::check_faults(&Value::Null, &source, self.profile);
                    report.mismatch = Some(failure.message);
                    report
                }
            };
            if report.rows > 0 { with_rows.push(report) } else { without.push(report) }
        }
        let short = pages.saturating_sub(with_rows.len());
        reports.extend(with_rows.into_iter().chain(without.into_iter().take(short)));
        Ok(reports)
    }

    /// One step of a read.
    async fn run(&self, job: Job) -> Result<Step, ConnectorError> {
        match job {
            Job::List(page) => {
                let answer = self.search_page(page).await.map_err(Refusal::into_error)?;
                Ok(Step::Listed { page, answer })
            }
            Job::Faults(place, vehicle) => {
                let faults = self.faults(&vehicle.vin).await?;
                Ok(Step::Read(place, Box::new(VehicleRead { vehicle: *vehicle, faults })))
            }
        }
    }

    /// The whole fleet as `plan` asks. The first page of the list says how many there are; the
    /// other pages and the fault logs of the trucks already listed then share the readers, so no
    /// reader waits for the list to end (list pages go first, as each brings more work).
    pub async fn read(
        &self,
        plan: &ReadPlan,
        progress: &UnboundedSender<Progress>,
    ) -> Result<FleetRead, ConnectorError> {
        let path = self.profile.endpoints.search.as_str();
        let page_size = self.profile.endpoints.page_size.max(1);
        let unchanged = |v: &VehicleSnapshot| {
            !plan.full && v.portal_timestamp.is_some() && plan.known.get(&v.vin) == v.portal_timestamp.as_ref()
        };
        let first = self.search_page(0).await.map_err(Refusal::into_error)?;
        let hits = self.hits(path, &first)?.1;
        let mut queue = VecDeque::new();
        // Without a total, the list is read page by page until a short one.
        queue.extend((1..hits.map_or(1, |total| total.div_ceil(page_size))).map(Job::List));
        let mut running = FuturesUnordered::new();
        running.push(futures::future::ready(Ok(Step::Listed { page: 0, answer: first })).boxed());
        let (mut seen, mut list_problems, mut pages_listed) = (HashSet::new(), 0u32, 0usize);
        let (mut found, mut done) = (0usize, 0usize);
        let mut reads: Vec<((usize, usize), VehicleRead)> = Vec::new();
        let concurrency = plan.concurrency.max(1);
        while let Some(step) = running.next().await {
            match step? {
                Step::Listed { page, answer } => {
                    let (vehicles, problems) = self.listed(&answer, &mut seen)?;
                    list_problems += problems;
                    pages_listed += 1;
                    if hits.is_none() && self.hits(path, &answer)?.0.len() >= page_size {
                        queue.push_front(Job::List(page + 1));
                    }
                    found += vehicles.len();
                    let _ = progress.send(Progress::ListingVehicles { page: pages_listed, found });
                    for (row, vehicle) in vehicles.into_iter().enumerate() {
                        if unchanged(&vehicle) {
                            done += 1;
                            reads.push(((page, row), VehicleRead { vehicle, faults: TruckFaults::Unchanged }));
                        } else {
                            queue.push_back(Job::Faults((page, row), Box::new(vehicle)));
                        }
                    }
                }
                Step::Read(place, read) => {
                    done += 1;
                    reads.push((place, *read));
                }
            }
            // While pages are still to come, the total is the list's own count.
            let listing = pages_listed < hits.map_or(0, |total| total.div_ceil(page_size));
            let total = if listing { hits.unwrap_or(found).max(found) } else { found };
            let _ = progress.send(Progress::ReadingDiagnostics { done, total });
            while running.len() < concurrency
                && let Some(job) = queue.pop_front()
            {
                running.push(self.run(job).boxed());
            }
        }
        reads.sort_by_key(|(place, _)| *place);
        let vehicles = reads.into_iter().map(|(_, read)| read).collect();
        Ok(FleetRead { vehicles, list_problems, ..FleetRead::default() })
    }
}

/// Work for a reader.
enum Job {
    /// A page of the vehicle list.
    List(usize),
    /// A truck's fault log, with its place in the list (page, row).
    Faults((usize, usize), Box<VehicleSnapshot>),
}

enum Step {
    Listed { page: usize, answer: Value },
    Read((usize, usize), Box<VehicleRead>),
}
