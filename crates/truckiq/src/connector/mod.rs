//! The seam between the sync engine and the places fleets are read from. The engine drives a
//! [`Connector`] and knows nothing of Chromium pages, JSON gateways or OAuth: a connector signs in
//! (keeping its session or token under whoever holds it), lists the account's trucks and reads
//! their faults, truck by truck or for the whole account at once, reporting progress and typed
//! errors ([`ConnectorError`]).
//!
//! Implementations: the browser layouts (`portal::BrowserConnector`). The PACCAR Solutions gateway
//! read after a browser sign-in and the Decisiv SRM REST API come next; both fit this shape (the
//! API lists faults fleet-wide, and one OAuth grant may serve several accounts).

mod fleet;

pub use fleet::{FleetFault, FleetFaults, FleetRead, RowCount, TruckFaults, VehicleRead, assess, observations};

use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;

use crate::failure::FailureReason;
use crate::portal::error::ConnectorError;
use crate::portal::login::SignIn;
use crate::portal::run::RunMode;
#[cfg(doc)]
use crate::secrets::SecretOwner;

/// Where a read is, for progress bars and the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    SigningIn,
    /// A visible window is open for a person to finish signing in.
    WaitingForPerson,
    ListingVehicles {
        page: usize,
        found: usize,
    },
    ReadingDiagnostics {
        done: usize,
        total: usize,
    },
}

/// Why one truck's faults could not be read; it keeps what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFailure {
    pub kind: FailureReason,
    pub message: String,
}

/// What a connector is given for one read.
#[derive(Debug, Clone, Copy)]
pub struct ReadContext<'a> {
    pub mode: RunMode,
    pub progress: &'a UnboundedSender<Progress>,
}

/// One way of reading an account's fleet. Its session or token is kept under a [`SecretOwner`]
/// the engine chooses for the account's kind: the account itself for a portal login, or a grant
/// that several accounts share.
pub trait Connector: Send + Sync {
    /// Signs in (reusing a saved session where it can) and nothing more, to check credentials.
    fn sign_in<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<SignIn, ConnectorError>>;

    /// Signs in, lists the account's trucks and reads their faults. A truck whose faults could not
    /// be read is reported as such and keeps its stored ones; a failure that affects the whole
    /// account ends the read with an error.
    fn read_fleet<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<FleetRead, ConnectorError>>;
}
