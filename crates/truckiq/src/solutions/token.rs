//! The gateway token during one run, shared by every concurrent reader. A 401 gets, once per run,
//! a refresh, and if that does not help, one new sign-in; then the run fails. Only one renewal is
//! in flight: a refreshed token retires the old one, so the others wait and use the new one.

use futures::future::BoxFuture;
use tokio::sync::Mutex;

use crate::portal::error::ConnectorError;

/// What renews a token: the gateway's refresh, and a new sign-in in the browser.
pub trait Renewal: Send + Sync {
    /// `Ok(None)` when the gateway refused the refresh.
    fn refresh<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Option<String>, ConnectorError>>;
    fn sign_in_again(&self) -> BoxFuture<'_, Result<String, ConnectorError>>;
    /// Keeps a renewed token for the next run.
    fn keep<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>>;
}

#[derive(Debug)]
struct State {
    token: String,
    generation: u64,
    refreshed: bool,
    signed_in_again: bool,
}

#[derive(Debug)]
pub struct TokenKeeper {
    state: Mutex<State>,
}

/// A token and which renewal it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub token: String,
    pub generation: u64,
}

impl TokenKeeper {
    pub fn new(token: String) -> Self {
        Self { state: Mutex::new(State { token, generation: 0, refreshed: false, signed_in_again: false }) }
    }

    pub async fn current(&self) -> Held {
        let state = self.state.lock().await;
        Held { token: state.token.clone(), generation: state.generation }
    }

    /// After `refused` got a 401: a newer token if another reader already renewed it, else one
    /// renewal (refresh, then sign-in), else the error that ends the run.
    pub async fn renew(&self, refused: &Held, renewal: &dyn Renewal) -> Result<Held, ConnectorError> {
        let mut state = self.state.lock().await;
        if state.generation != refused.generation {
            return Ok(Held { token: state.token.clone(), generation: state.generation });
        }
        let mut renewed = None;
        if !state.refreshed {
            state.refreshed = true;
            renewed = renewal.refresh(&state.token).await?;
        }
        if renewed.is_none() && !state.signed_in_again {
            state.signed_in_again = true;
            renewed = Some(renewal.sign_in_again().await?);
        }
        let Some(token) = renewed else {
            return Err(ConnectorError::SessionExpired);
        };
        renewal.keep(&token).await?;
        state.token = token;
        state.generation += 1;
        Ok(Held { token: state.token.clone(), generation: state.generation })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use futures::FutureExt as _;

    use super::*;

    #[derive(Default)]
    struct Counting {
        refreshes: AtomicU32,
        sign_ins: AtomicU32,
        refresh_works: bool,
    }

    impl Renewal for Counting {
        fn refresh<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Option<String>, ConnectorError>> {
            let n = self.refreshes.fetch_add(1, Ordering::SeqCst);
            let works = self.refresh_works;
            async move {
                tokio::task::yield_now().await;
                Ok(works.then(|| format!("{token}+r{n}")))
            }
            .boxed()
        }

        fn sign_in_again(&self) -> BoxFuture<'_, Result<String, ConnectorError>> {
            let n = self.sign_ins.fetch_add(1, Ordering::SeqCst);
            async move { Ok(format!("fresh{n}")) }.boxed()
        }

        fn keep<'a>(&'a self, _token: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>> {
            async { Ok(()) }.boxed()
        }
    }

    #[tokio::test]
    async fn four_readers_refused_at_once_cause_one_refresh() {
        let keeper = TokenKeeper::new("t".into());
        let renewal = Counting { refresh_works: true, ..Counting::default() };
        let held = keeper.current().await;
        let renewed = futures::future::join_all((0..4).map(|_| keeper.renew(&held, &renewal))).await;
        assert!(renewed.iter().all(|r| r.as_ref().is_ok_and(|h| h.token == "t+r0")));
        assert_eq!(renewal.refreshes.load(Ordering::SeqCst), 1);
        assert_eq!(renewal.sign_ins.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_refused_refresh_signs_in_once_and_a_third_refusal_ends_the_run() {
        let keeper = TokenKeeper::new("t".into());
        let renewal = Counting::default();
        let first = keeper.renew(&keeper.current().await, &renewal).await.unwrap();
        assert_eq!(first.token, "fresh0");
        let again = keeper.renew(&first, &renewal).await;
        assert!(matches!(again, Err(ConnectorError::SessionExpired)), "{again:?}");
        assert_eq!((renewal.refreshes.load(Ordering::SeqCst), renewal.sign_ins.load(Ordering::SeqCst)), (1, 1));
    }
}
