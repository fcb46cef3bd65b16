//! portal-sim: a stand-in for the PACCAR portals and the Decisiv SRM API, served on 127.0.0.1.
//!
//! The real portals cannot be reached from tests, benchmarks or the app's demo mode, so this
//! simulator serves them instead. It runs in-process ([`Simulator::start`]) or as the `portal-sim`
//! binary.

mod admin;
pub mod api;
pub mod fleet;
mod inject;
pub mod portal;
pub mod scenario;
pub mod solutions;
pub mod state;
mod tls;
pub mod users;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware::from_fn_with_state;
use chrono::{DateTime, Timelike, Utc};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use fleet::{Fleet, Recommendation};
pub use portal::Layout;
pub use scenario::{RateLimit, Scenario};
pub use state::{LogEntry, SimState};
pub use tls::SimCertificate;
pub use users::{Mfa, Portal, UserSpec, UserState};

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Same seed, same fleet.
    pub seed: u64,
    /// Fleet size, 1 to 20 000.
    pub vehicles: usize,
    /// The simulated clock's starting time; `None` = now, to the minute.
    pub start_time: Option<DateTime<Utc>>,
    /// Advance the clock by `tick_minutes` this often, in the background.
    pub tick_every: Option<Duration>,
    pub tick_minutes: u32,
    /// With `tick_every`: each tick moves the fleet on by `tick_minutes` but sets the clock to the
    /// wall clock, so faults churn fast and are still stamped with real times (the demo).
    pub wall_clock: bool,
    /// Serve HTTPS with HTTP/2 (a fresh self-signed certificate) instead of plain HTTP/1.1.
    pub tls: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            port: 0,
            seed: 1,
            vehicles: 50,
            start_time: None,
            tick_every: None,
            tick_minutes: 60,
            wall_clock: false,
            tls: false,
        }
    }
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct Simulator {
    addr: SocketAddr,
    state: Arc<SimState>,
    certificate: Option<SimCertificate>,
    solutions: Arc<solutions::Origins>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
    ticker: Option<JoinHandle<()>>,
}

async fn bind(port: u16) -> std::io::Result<TcpListener> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await
}

fn origin(certificate: Option<&SimCertificate>, addr: SocketAddr) -> String {
    let scheme = if certificate.is_some() { "https" } else { "http" };
    format!("{scheme}://{addr}")
}

/// Serves `app` on `listener` (HTTPS with HTTP/2 when there is a certificate) until the
/// simulator stops.
fn serve(
    listener: TcpListener,
    app: Router,
    certificate: Option<&SimCertificate>,
    state: &SimState,
) -> std::io::Result<JoinHandle<std::io::Result<()>>> {
    let mut stopping = state.stopping.subscribe();
    Ok(match certificate {
        None => tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopping.wait_for(|stop| *stop).await;
                })
                .await
        }),
        Some(certificate) => {
            let handle = axum_server::Handle::new();
            let server = axum_server::from_tcp_rustls(
                listener.into_std()?,
                axum_server::tls_rustls::RustlsConfig::from_config(Arc::clone(&certificate.server_config)),
            )?
            .handle(handle.clone());
            tokio::spawn(async move {
                let stopper = tokio::spawn(async move {
                    let _ = stopping.wait_for(|stop| *stop).await;
                    handle.graceful_shutdown(None);
                });
                let served = server.serve(app.into_make_service()).await;
                stopper.abort();
                served
            })
        }
    })
}

impl Simulator {
    /// Builds the fleet, binds 127.0.0.1 (never another interface) and starts serving in the
    /// background: the main port, and two more for PACCAR Solutions' app and gateway.
    pub async fn start(config: SimConfig) -> std::io::Result<Self> {
        let start = config.start_time.unwrap_or_else(|| {
            let now = Utc::now();
            now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now)
        });
        let fleet = Fleet::generate(config.seed, config.vehicles, start);
        let state = Arc::new(SimState::new(config.seed, fleet));
        let certificate = config.tls.then(SimCertificate::generate).transpose()?;
        let (main, app, gateway) = (bind(config.port).await?, bind(0).await?, bind(0).await?);
        let addr = main.local_addr()?;
        let solutions = Arc::new(solutions::Origins {
            app: origin(certificate.as_ref(), app.local_addr()?),
            gateway: origin(certificate.as_ref(), gateway.local_addr()?),
            hosted_login: origin(certificate.as_ref(), addr),
        });
        let log = |router: Router| router.layer(from_fn_with_state(Arc::clone(&state), inject::log_requests));
        let app_routes = solutions::app_router(Arc::clone(&state), Arc::clone(&solutions))
            .layer(from_fn_with_state(Arc::clone(&state), inject::inject_app_failures));
        let gateway_routes = solutions::gateway_router(Arc::clone(&state), Arc::clone(&solutions))
            .layer(from_fn_with_state(Arc::clone(&state), inject::inject_gateway_failures));
        let servers = vec![
            serve(main, router(Arc::clone(&state), &solutions), certificate.as_ref(), &state)?,
            serve(app, log(app_routes), certificate.as_ref(), &state)?,
            serve(gateway, log(gateway_routes), certificate.as_ref(), &state)?,
        ];
        let ticker = config.tick_every.map(|every| {
            let state = Arc::clone(&state);
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(every);
                interval.tick().await;
                loop {
                    interval.tick().await;
                    if config.wall_clock {
                        state.tick_at(config.tick_minutes, Utc::now());
                    } else {
                        state.tick(config.tick_minutes);
                    }
                }
            })
        });
        tracing::info!(%addr, app = %solutions.app, gateway = %solutions.gateway, vehicles = config.vehicles, seed = config.seed, "portal-sim listening");
        Ok(Self { addr, state, certificate, solutions, servers, ticker })
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS), without a trailing slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.certificate.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// With TLS, the certificate clients must trust.
    pub fn certificate(&self) -> Option<&SimCertificate> {
        self.certificate.as_ref()
    }

    /// The base URL a client uses for one browser portal, e.g. `http://127.0.0.1:PORT/paccar`;
    /// for PACCAR Solutions, its app's origin.
    pub fn portal_url(&self, portal: Portal) -> String {
        match portal {
            Portal::Paccar => format!("{}{}", self.base_url(), Layout::Paccar.prefix()),
            Portal::Decisiv => format!("{}{}", self.base_url(), Layout::Decisiv.prefix()),
            Portal::PaccarSolutions => self.solutions.app.clone(),
        }
    }

    /// The base URL of one server-rendered layout, e.g. `http://127.0.0.1:PORT/cards` for a family
    /// whose pages TruckTech+ users sign in to.
    pub fn layout_url(&self, layout: Layout) -> String {
        format!("{}{}", self.base_url(), layout.prefix())
    }

    /// PACCAR Solutions' three origins: the app, its API gateway and the hosted sign-in page.
    pub fn solutions(&self) -> &solutions::Origins {
        &self.solutions
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// In-process access to everything `/__sim/*` offers.
    pub fn state(&self) -> &Arc<SimState> {
        &self.state
    }

    /// Stops accepting connections, releases hung responses and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        self.signal_stop();
        for server in std::mem::take(&mut self.servers) {
            server.await.map_err(std::io::Error::other)??;
        }
        Ok(())
    }

    fn signal_stop(&mut self) {
        self.state.stopping.send_replace(true);
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

/// Portals and API go through the scenario's failures and the request log; `/__sim` does not, so
/// test bookkeeping never shows up in what the client did.
fn router(state: Arc<SimState>, solutions: &Arc<solutions::Origins>) -> Router {
    let served = Router::new()
        .nest("/paccar", portal::router(Arc::clone(&state), Layout::Paccar))
        .nest("/decisiv", portal::router(Arc::clone(&state), Layout::Decisiv))
        .nest("/cards", portal::router(Arc::clone(&state), Layout::Cards))
        .nest("/ledger", portal::router(Arc::clone(&state), Layout::Ledger))
        .nest("/bulletin", portal::router(Arc::clone(&state), Layout::Bulletin))
        .merge(api::router(Arc::clone(&state)))
        .merge(solutions::hosted_router(Arc::clone(&state), Arc::clone(solutions)))
        .layer(from_fn_with_state(Arc::clone(&state), inject::inject_failures))
        .layer(from_fn_with_state(Arc::clone(&state), inject::log_requests));
    let control = admin::router(Arc::clone(&state))
        .merge(api::admin_router(Arc::clone(&state)))
        .merge(solutions::admin_router(Arc::clone(&state), Arc::clone(solutions)));
    Router::new().nest("/__sim", control).merge(served)
}
