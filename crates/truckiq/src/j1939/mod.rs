//! J1939 knowledge: what fault codes mean and how urgent they are.

pub mod health;
pub mod reference;
pub mod severity;

pub use severity::{Severity, derive_severity, judge_severity};
