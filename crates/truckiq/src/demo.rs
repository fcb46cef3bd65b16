//! The demo fleet: a simulated PACCAR portal (portal-sim) running inside this process, with a
//! "Demo fleet" account pointed at it, so TruckIQ can be tried without a portal login. The CLI's
//! `truckiq demo` and the app's "Try the demo fleet" both use it.

use std::time::Duration;

use portal_sim::{Portal, SimConfig, Simulator, UserSpec};

use crate::secrets::{SecretKind, Sensitive};
use crate::store::{NewAccount, PortalKind};
use crate::sync::{SyncEngine, SyncError};

pub const DEMO_ACCOUNT: &str = "Demo fleet";
const DEMO_USER: &str = "demo@truckiq.example";
/// Public on purpose: it only opens the simulator in this process.
const DEMO_PASSWORD: &str = "demo-password";
/// The same seed always gives the same trucks, so the demo looks the same on every machine.
const DEMO_SEED: u64 = 2026;

/// The running simulator behind the demo account. Dropping it stops the simulator.
#[derive(Debug)]
pub struct DemoPortal {
    sim: Simulator,
}

impl DemoPortal {
    /// Starts the simulated portal. With `tick_every`, its clock moves one simulated hour at that
    /// pace, so faults appear and clear while the app runs.
    pub async fn start(vehicles: usize, tick_every: Option<Duration>) -> std::io::Result<Self> {
        let sim = Simulator::start(SimConfig {
            vehicles,
            seed: DEMO_SEED,
            tick_every,
            tick_minutes: 60,
            ..SimConfig::default()
        })
        .await?;
        sim.state().add_user(UserSpec::new(Portal::Paccar, DEMO_USER, DEMO_PASSWORD)).map_err(std::io::Error::other)?;
        Ok(Self { sim })
    }

    pub fn url(&self) -> String {
        self.sim.portal_url(Portal::Paccar)
    }

    pub fn simulator(&self) -> &Simulator {
        &self.sim
    }

    /// Creates the demo account, or points the existing one at this simulator (its port changes
    /// at every start), and saves its password. `scheduled`: whether the scheduler may sync it,
    /// which only makes sense while this simulator keeps running.
    pub async fn attach(&self, engine: &SyncEngine, scheduled: bool) -> Result<i64, SyncError> {
        // Find out now, not after creating the account, whether there is a keychain for its password.
        engine.secrets().probe()?;
        let url = self.url();
        let account_id = engine
            .db(move |store| {
                let id = match store.account_by_name(DEMO_ACCOUNT)? {
                    Some(existing) => {
                        store.set_base_url(existing.id, &url)?;
                        existing.id
                    }
                    None => store.insert_account(&NewAccount {
                        name: DEMO_ACCOUNT.into(),
                        portal_kind: PortalKind::TruckTech,
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
        Ok(account_id)
    }

    pub async fn stop(self) {
        if let Err(error) = self.sim.stop().await {
            tracing::warn!(%error, "the demo portal did not stop cleanly");
        }
    }
}

/// The demo account's id, if one exists.
pub async fn demo_account(engine: &SyncEngine) -> Result<Option<i64>, SyncError> {
    Ok(engine.read(|store| Ok(store.account_by_name(DEMO_ACCOUNT)?.map(|a| a.id))).await?)
}
