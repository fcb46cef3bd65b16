//! A person on the simulator's authorize page, for the demo, the benchmark and the tests: a
//! headless Chromium that types the username and password and submits, as someone would in the
//! visible window.

use std::path::PathBuf;
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use tokio::sync::oneshot;

use super::error::ApiError;
use super::oauth::SignInWindow;
use crate::browser::{BrowserOptions, BrowserSession};

pub struct SimulatedPerson {
    pub username: String,
    pub password: String,
    pub browser: BrowserOptions,
    pub profile_dir: PathBuf,
    /// Click "Cancel" on the authorize page instead of signing in.
    pub cancels: bool,
}

impl SignInWindow for SimulatedPerson {
    fn open<'a>(&'a self, url: &'a str, done: oneshot::Receiver<()>) -> BoxFuture<'a, Result<(), ApiError>> {
        async move {
            let failed =
                |e: crate::browser::BrowserError| ApiError::Config(format!("the simulated sign-in failed: {e}"));
            let browser = BrowserSession::launch(&self.browser, &self.profile_dir).await.map_err(failed)?;
            let signed_in = async {
                let page = browser.new_page().await?;
                page.goto(url).await?;
                if self.cancels {
                    return page.click_and_wait("#cancel").await;
                }
                page.fill("#username", &self.username).await?;
                page.fill("#password", &self.password).await?;
                page.click_and_wait("#sign-in").await
            }
            .await;
            if signed_in.is_ok() {
                let _ = tokio::time::timeout(Duration::from_secs(30), done).await;
            }
            browser.close().await;
            signed_in.map_err(failed)
        }
        .boxed()
    }
}
