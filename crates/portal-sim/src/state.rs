//! Everything a running simulator holds, shared by the portals, the API and the admin endpoints.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::fleet::Fleet;
use crate::scenario::Scenario;
use crate::users::{Mfa, Portal, UserSpec, UserState};

/// Where a signed-in browser is in the sign-in sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Conflict,
    Mfa,
    Policies,
    SignedIn,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub portal: Portal,
    pub username: String,
    pub stage: Stage,
    pub expires_at: Instant,
    pub page_views: u32,
}

#[derive(Debug, Clone)]
pub struct TrustedDevice {
    pub portal: Portal,
    pub username: String,
    pub expires_at: Instant,
}

/// One request as the simulator saw it; tests use the log to assert what a client did.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub method: String,
    /// The server the request went to (`127.0.0.1:PORT`): PACCAR Solutions' app and gateway are
    /// on their own.
    pub host: String,
    /// The browser's `Origin` header, when it sent one (cross-origin calls and preflights).
    pub origin: Option<String>,
    pub path: String,
    pub status: u16,
    /// The signed-in user the request was served for, when there was one.
    pub user: Option<String>,
}

/// The signed-in user behind a response, attached by handlers for the request log.
#[derive(Debug, Clone)]
pub struct ServedUser(pub String);

#[derive(Debug)]
pub struct RateWindow {
    pub started: Instant,
    pub count: u32,
}

/// Keeps the log from growing without bound in long benchmark runs.
const MAX_LOG_ENTRIES: usize = 500_000;

#[derive(Debug)]
pub struct SimState {
    pub seed: u64,
    pub fleet: RwLock<Fleet>,
    pub users: Mutex<HashMap<(Portal, String), UserState>>,
    pub sessions: Mutex<HashMap<String, Session>>,
    pub trusted: Mutex<HashMap<String, TrustedDevice>>,
    pub scenario: RwLock<Scenario>,
    pub rate_window: Mutex<RateWindow>,
    pub log: Mutex<Vec<LogEntry>>,
    pub api: crate::api::ApiState,
    pub solutions: crate::solutions::SolutionsState,
    /// Flips to true when the simulator stops, releasing hung responses.
    pub stopping: tokio::sync::watch::Sender<bool>,
}

/// A poisoned lock only means another request panicked; the data is still usable for a simulator.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

pub fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

pub fn user_key(portal: Portal, username: &str) -> (Portal, String) {
    (portal, username.trim().to_lowercase())
}

impl SimState {
    pub fn new(seed: u64, fleet: Fleet) -> Self {
        Self {
            seed,
            fleet: RwLock::new(fleet),
            users: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            trusted: Mutex::new(HashMap::new()),
            scenario: RwLock::new(Scenario::default()),
            rate_window: Mutex::new(RateWindow { started: Instant::now(), count: 0 }),
            log: Mutex::new(Vec::new()),
            api: crate::api::ApiState::default(),
            solutions: crate::solutions::SolutionsState::default(),
            stopping: tokio::sync::watch::channel(false).0,
        }
    }

    /// Adds `entry` to the log, numbering it.
    pub fn record(&self, mut entry: LogEntry) {
        let mut log = lock(&self.log);
        if log.len() >= MAX_LOG_ENTRIES {
            log.drain(..MAX_LOG_ENTRIES / 10);
        }
        entry.seq = log.last().map_or(1, |e| e.seq + 1);
        log.push(entry);
    }
}

/// A random token for cookies and codes.
pub fn random_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The operations behind `/__sim/*`, for in-process use.
impl SimState {
    pub fn add_user(&self, spec: UserSpec) -> Result<(), String> {
        if spec.username.trim().is_empty() || spec.password.is_empty() {
            return Err("username and password must not be empty".into());
        }
        if spec.mfa == Mfa::Totp {
            match spec.totp_secret.as_deref() {
                Some(secret) if crate::users::totp_for(secret).is_some() => {}
                _ => return Err("a TOTP user needs a valid base32 totp_secret of at least 128 bits".into()),
            }
        }
        lock(&self.users).insert(user_key(spec.portal, &spec.username), UserState::new(spec));
        Ok(())
    }

    pub fn user(&self, portal: Portal, username: &str) -> Option<UserState> {
        lock(&self.users).get(&user_key(portal, username)).cloned()
    }

    pub fn users(&self) -> Vec<UserState> {
        lock(&self.users).values().cloned().collect()
    }

    pub fn scenario(&self) -> Scenario {
        read(&self.scenario).clone()
    }

    pub fn set_scenario(&self, scenario: Scenario) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", scenario.error_rate),
            ("hang_rate", scenario.hang_rate),
            ("malformed_rate", scenario.malformed_rate),
            ("missing_rate", scenario.missing_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1 (got {rate})"));
            }
        }
        self.solutions.unauthorized_left.store(scenario.unauthorized_storm, std::sync::atomic::Ordering::SeqCst);
        self.solutions.data_calls.store(0, std::sync::atomic::Ordering::SeqCst);
        *write(&self.scenario) = scenario;
        *lock(&self.rate_window) = RateWindow { started: Instant::now(), count: 0 };
        Ok(())
    }

    pub fn requests(&self, since: u64) -> Vec<LogEntry> {
        lock(&self.log).iter().filter(|e| e.seq > since).cloned().collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    pub fn fleet_snapshot(&self) -> Fleet {
        read(&self.fleet).clone()
    }

    /// Advances the simulated clock; returns the new time and tick count.
    pub fn tick(&self, minutes: u32) -> (DateTime<Utc>, u64) {
        let mut fleet = write(&self.fleet);
        fleet.tick(minutes);
        (fleet.now, fleet.ticks)
    }

    /// Moves the fleet on by `minutes` with the clock at `now` (see [`Fleet::tick_at`]).
    pub fn tick_at(&self, minutes: u32, now: DateTime<Utc>) -> (DateTime<Utc>, u64) {
        let mut fleet = write(&self.fleet);
        fleet.tick_at(minutes, now);
        (fleet.now, fleet.ticks)
    }

    /// Ends every browser session (as a portal restart would); returns how many there were.
    pub fn expire_sessions(&self) -> usize {
        let mut sessions = lock(&self.sessions);
        let count = sessions.len();
        sessions.clear();
        count
    }
}
