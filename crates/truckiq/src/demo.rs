//! The demo fleet: simulated PACCAR portals (portal-sim) running inside this process, with two
//! demo accounts pointed at them, so TruckIQ can be tried without a portal login: one on the
//! TruckTech+ pages (source addresses and derates) and one on PACCAR Solutions (truck statuses:
//! not communicating, in repair). The CLI's `truckiq demo` and the app's "Try the demo fleet" both
//! use it.

use std::time::Duration;

use portal_sim::{Portal, SimConfig, Simulator, UserSpec};

use crate::secrets::{SecretKind, Sensitive};
use crate::store::{NewAccount, PortalKind};
use crate::sync::{SyncEngine, SyncError};

pub const DEMO_ACCOUNT: &str = "Demo fleet";
pub const DEMO_SOLUTIONS_ACCOUNT: &str = "Demo fleet — PACCAR Solutions";
const DEMO_USER: &str = "demo@truckiq.example";
/// Public on purpose: it only opens the simulator in this process.
const DEMO_PASSWORD: &str = "demo-password";
/// The same seed always gives the same trucks, so the demo looks the same on every machine.
const DEMO_SEED: u64 = 2026;

/// The running simulators behind the demo accounts. Dropping it stops them.
#[derive(Debug)]
pub struct DemoPortal {
    sim: Simulator,
    /// A fleet of its own, so the two demo accounts do not list the same trucks.
    solutions: Simulator,
}

impl DemoPortal {
    /// Starts the simulated portal. With `tick_every`, its clock moves one simulated hour at that
    /// pace, so faults appear and clear while the app runs.
    pub async fn start(vehicles: usize, tick_every: Option<Duration>) -> std::io::Result<Self> {
        let config =
            |seed, vehicles| SimConfig { vehicles, seed, tick_every, tick_minutes: 60, ..SimConfig::default() };
        let sim = Simulator::start(config(DEMO_SEED, vehicles)).await?;
        sim.state().add_user(UserSpec::new(Portal::Paccar, DEMO_USER, DEMO_PASSWORD)).map_err(std::io::Error::other)?;
        let solutions = Simulator::start(config(DEMO_SEED + 1, (vehicles / 2).max(5))).await?;
        solutions
            .state()
            .add_user(UserSpec::new(Portal::PaccarSolutions, DEMO_USER, DEMO_PASSWORD))
            .map_err(std::io::Error::other)?;
        Ok(Self { sim, solutions })
    }

    /// The TruckTech+ demo portal's address.
    pub fn url(&self) -> String {
        self.sim.portal_url(Portal::Paccar)
    }

    /// Each demo account's name, portal kind and address.
    fn accounts(&self) -> [(&'static str, PortalKind, String); 2] {
        [
            (DEMO_ACCOUNT, PortalKind::TruckTech, self.url()),
            (DEMO_SOLUTIONS_ACCOUNT, PortalKind::PaccarSolutions, self.solutions.portal_url(Portal::PaccarSolutions)),
        ]
    }

    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// Creates the demo accounts, or points the existing ones at these simulators (their ports
    /// change at every start), and saves their password. `scheduled`: whether the scheduler may
    /// sync them, which only makes sense while these simulators keep running.
    pub async fn attach(&self, engine: &SyncEngine, scheduled: bool) -> Result<Vec<i64>, SyncError> {
        // Find out now, not after creating an account, whether there is a keychain for its password.
        engine.secrets().probe()?;
        let mut ids = Vec::new();
        for (name, portal_kind, url) in self.accounts() {
            let account_id = engine
                .db(move |store| {
                    let id = match store.account_by_name(name)? {
                        Some(existing) => {
                            store.set_base_url(existing.id, &url)?;
                            existing.id
                        }
                        None => store.insert_account(&NewAccount {
                            name: name.into(),
                            portal_kind,
                            base_url: url,
                            username: DEMO_USER.into(),
                            sync_interval_minutes: 240,
                        })?,
                    };
                    store.set_enabled(id, scheduled)?;
                    Ok(id)
                })
                .await?;
            let uid = engine.account(account_id).await?.uid;
            engine.secrets().set(uid, SecretKind::Password, &Sensitive::from(DEMO_PASSWORD))?;
            // The session saved for an earlier simulator means nothing to this one.
            engine.credentials_changed(account_id).await?;
            ids.push(account_id);
        }
        Ok(ids)
    }

    pub async fn stop(self) {
        for sim in [self.sim, self.solutions] {
            if let Err(error) = sim.stop().await {
                tracing::warn!(%error, "a demo portal did not stop cleanly");
            }
        }
    }
}

/// The demo accounts that exist.
pub async fn demo_accounts(engine: &SyncEngine) -> Result<Vec<i64>, SyncError> {
    Ok(engine
        .read(|store| {
            let mut ids = Vec::new();
            for name in [DEMO_ACCOUNT, DEMO_SOLUTIONS_ACCOUNT] {
                ids.extend(store.account_by_name(name)?.map(|a| a.id));
            }
            Ok(ids)
        })
        .await?)
}
