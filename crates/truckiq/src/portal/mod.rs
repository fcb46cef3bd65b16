//! Portal connectors: how TruckIQ reads vehicles and faults out of the PACCAR portals.

mod connector;
pub mod convert;
pub mod doctor;
pub mod error;
pub mod extract;
pub mod field;
pub mod login;
pub mod origin;
pub mod parse;
pub mod profile;
pub mod run;

pub use connector::BrowserConnector;
