//! Turning portal reads into stored, trustworthy data and timely alerts: the engine (one run per
//! account at a time, retries, run records), the scheduler, and the pure rules they follow.

pub mod alerts;
pub mod clock;
pub mod engine;
pub mod error;
pub mod proxy;
pub mod schedule;
pub mod scheduler;
pub mod staleness;

pub use clock::{Clock, SystemClock};
pub use engine::{
    DEFAULT_CASE_ALERT_HOURS, EngineConfig, RunReport, RunResult, SYNC_SETTINGS_KEY, StaleAccount, SyncEngine,
    SyncEvent, SyncSettings,
};
pub use error::SyncError;
pub use schedule::RetryPolicy;
