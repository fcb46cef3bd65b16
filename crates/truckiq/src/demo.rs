//! The demo fleet: simulated PACCAR portals (portal-sim) running inside this process, with three
//! demo accounts pointed at them, so TruckIQ can be tried without a portal login: one on the
//! TruckTech+ pages (source addresses and derates), one on PACCAR Solutions (truck statuses:
//! not communicating, in repair) and one on the Decisiv SRM API (service cases), authorized by a
//! simulated person on the simulator's sign-in page. The CLI's `truckiq demo` and the app's "Try
//! the demo fleet" both use it.

use std::time::Duration;

use std::path::PathBuf;

use portal_sim::api::{ApiClientSpec, ApiUserSpec, Module};
use portal_sim::{Portal, SimConfig, Simulator, UserSpec};

use crate::app::ApiLoginInput;
use crate::browser::BrowserOptions;
use crate::decisiv_api::simulated::SimulatedPerson;
use crate::secrets::{SecretKind, Sensitive};
use crate::store::{NewAccount, PortalKind};
use crate::sync::{SyncEngine, SyncError};

pub const DEMO_ACCOUNT: &str = "Demo fleet";
pub const DEMO_SOLUTIONS_ACCOUNT: &str = "Demo fleet — PACCAR Solutions";
pub const DEMO_API_ACCOUNT: &str = "Demo fleet — Decisiv API";
const DEMO_API_CLIENT: &str = "truckiq-demo";
const DEMO_USER: &str = "demo@truckiq.example";
/// Public on purpose: it only opens the simulator in this process.
const DEMO_PASSWORD: &str = "demo-password";
/// The same seed always gives the same trucks, so the demo looks the same on every machine.
const DEMO_SEED: u64 = 2026;

/// The running simulators behind the demo accounts. Dropping it stops them.
#[derive(Debug)]
pub struct DemoPortal {
    sim: Simulator,
    /// Fleets of their own, so the demo accounts do not list the same trucks.
    solutions: Simulator,
    api: Simulator,
}

impl DemoPortal {
    /// Starts the simulated portal. With `tick_every`, its fleet lives one hour at that pace, so
    /// faults appear and clear while the app runs, stamped with the wall clock's times.
    pub async fn start(vehicles: usize, tick_every: Option<Duration>) -> std::io::Result<Self> {
        let config = |seed, vehicles| SimConfig {
            vehicles,
            seed,
            tick_every,
            tick_minutes: 60,
            wall_clock: true,
            ..SimConfig::default()
        };
        let sim = Simulator::start(config(DEMO_SEED, vehicles)).await?;
        sim.state().add_user(UserSpec::new(Portal::Paccar, DEMO_USER, DEMO_PASSWORD)).map_err(std::io::Error::other)?;
        let solutions = Simulator::start(config(DEMO_SEED + 1, (vehicles / 2).max(5))).await?;
        solutions
            .state()
            .add_user(UserSpec::new(Portal::PaccarSolutions, DEMO_USER, DEMO_PASSWORD))
            .map_err(std::io::Error::other)?;
        let api = Simulator::start(config(DEMO_SEED + 2, (vehicles / 2).max(5))).await?;
        let client = ApiClientSpec {
            client_id: DEMO_API_CLIENT.into(),
            client_secret: None,
            redirect_hosts: vec!["127.0.0.1".into()],
        };
        api.state().api.add_client(client).map_err(std::io::Error::other)?;
        let user = ApiUserSpec {
            username: DEMO_USER.into(),
            password: DEMO_PASSWORD.into(),
            modules: Module::ALL.to_vec(),
            account_name: Some("Demo fleet".into()),
        };
        api.state().api.add_user(user).map_err(std::io::Error::other)?;
        Ok(Self { sim, solutions, api })
    }

    /// The Decisiv API demo login, as a person would enter it.
    pub fn api_login(&self) -> ApiLoginInput {
        let base = self.api.base_url();
        ApiLoginInput {
            name: DEMO_API_ACCOUNT.into(),
            client_id: DEMO_API_CLIENT.into(),
            client_secret: None,
            login_url: format!("{base}/decisiv-login"),
            api_url: format!("{base}/srm-api"),
            sync_interval_minutes: 240,
            srm_accounts: Vec::new(),
        }
    }

    /// The demo's person on the simulated sign-in page, in a headless browser.
    pub fn api_person(&self, browser: BrowserOptions, profile_dir: PathBuf) -> SimulatedPerson {
        SimulatedPerson {
            username: DEMO_USER.into(),
            password: DEMO_PASSWORD.into(),
            browser,
            profile_dir,
            cancels: false,
        }
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
        let secrets = engine.secrets().clone();
        crate::secrets::off_thread(move || secrets.probe()).await?;
        let mut ids = Vec::new();
        for (name, portal_kind, url) in self.accounts() {
            let account_id = engine
                .db(move |store| {
                    // Found by its flag: an account a person named "Demo fleet" is theirs.
                    let id = match store.demo_account(portal_kind)? {
                        Some(existing) => {
                            store.set_base_url(existing.id, &url)?;
                            existing.id
                        }
                        None => {
                            let id = store.insert_account(&NewAccount {
                                name: store.free_name(name)?,
                                portal_kind,
                                base_url: url,
                                username: DEMO_USER.into(),
                                sync_interval_minutes: 240,
                            })?;
                            store.mark_demo(id)?;
                            id
                        }
                    };
                    store.set_enabled(id, scheduled)?;
                    Ok(id)
                })
                .await?;
            let uid = engine.account(account_id).await?.uid;
            let secrets = engine.secrets().clone();
            crate::secrets::off_thread(move || secrets.set(uid, SecretKind::Password, &Sensitive::from(DEMO_PASSWORD)))
                .await?;
            // The session saved for an earlier simulator means nothing to this one.
            engine.credentials_changed(account_id).await?;
            ids.push(account_id);
        }
        Ok(ids)
    }

    pub async fn stop(self) {
        for sim in [self.sim, self.solutions, self.api] {
            if let Err(error) = sim.stop().await {
                tracing::warn!(%error, "a demo portal did not stop cleanly");
            }
        }
    }
}

/// The demo accounts that exist.
pub async fn demo_accounts(engine: &SyncEngine) -> Result<Vec<i64>, SyncError> {
    Ok(engine.read(|store| store.demo_account_ids()).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's faults churn at an hour a tick, but every portal's clock stays on the wall clock:
    /// no time the app shows from the demo can lie after now.
    #[tokio::test]
    async fn the_demo_portals_keep_the_wall_clock_while_their_faults_churn() {
        let demo = DemoPortal::start(20, Some(Duration::from_millis(5))).await.expect("the demo starts");
        tokio::time::sleep(Duration::from_millis(400)).await;
        for sim in [&demo.sim, &demo.solutions, &demo.api] {
            let fleet = sim.state().fleet_snapshot();
            let now = chrono::Utc::now();
            assert!(fleet.ticks >= 10, "the fleet lived {} hours", fleet.ticks);
            assert!(fleet.now <= now && now - fleet.now < chrono::Duration::seconds(5), "{} vs {now}", fleet.now);
            for fault in fleet.vehicles.iter().flat_map(|v| &v.faults) {
                assert!(fault.first_seen <= now && fault.last_seen <= now, "{fault:?} after {now}");
            }
        }
    }
}
