//! Alerts pushed to the channels people already watch: webhooks (generic, Slack, Teams, Discord),
//! ntfy and e-mail. Alerts and their messages are written in one transaction ([`rules::Router`]
//! decides the messages); the [`worker::Deliverer`] sends them, at least once, with retries.

pub mod event;
pub mod formats;
pub mod retry;
pub mod rules;
pub mod send;
pub mod signing;
pub mod worker;

pub use rules::{DELIVERY_SETTINGS_KEY, DeliverySettings, Router};
pub use worker::{Deliverer, DeliveryError, Round};
