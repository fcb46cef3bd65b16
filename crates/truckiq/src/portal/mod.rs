//! Portal connectors: how TruckIQ reads vehicles and faults out of the PACCAR portals.

pub mod error;
pub mod extract;
pub mod login;
pub mod parse;
pub mod profile;
pub mod run;
