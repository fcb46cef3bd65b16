//! Authorization as a native app does it (RFC 8252): authorization code with PKCE (S256) on a
//! loopback redirect with a random port, `state` checked, the code exchanged once; then refresh
//! tokens, which the server rotates on every use. The deprecated password grant is not offered.

use std::time::Duration;

use futures::future::BoxFuture;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    RedirectUrl, RefreshToken, RequestTokenError, TokenResponse as _, TokenUrl,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::error::ApiError;
use crate::secrets::Sensitive;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The application TruckIQ is registered as with the dealer's authorization server.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    /// Only where the dealer was given one; a desktop app is normally a public client.
    pub client_secret: Option<Sensitive<String>>,
    /// e.g. `https://login.decisiv.net`: `/auth/api_gateway` and `/oauth/token` are under it.
    pub login_url: String,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp").field("client_id", &self.client_id).field("login_url", &self.login_url).finish()
    }
}

/// What the token endpoint gave.
pub struct Tokens {
    pub access: Sensitive<String>,
    pub refresh: Sensitive<String>,
    pub expires_in: Option<Duration>,
}

/// Where a person signs in on the authorize page: a visible Chromium, or a test's stand-in. It
/// keeps the page open until `done` fires (the redirect came back) or fails.
pub trait SignInWindow: Send + Sync {
    fn open<'a>(&'a self, url: &'a str, done: oneshot::Receiver<()>) -> BoxFuture<'a, Result<(), ApiError>>;
}

impl OAuthApp {
    fn client(&self) -> Result<Client, ApiError> {
        let base = self.login_url.trim_end_matches('/');
        let bad = |e: url::ParseError| ApiError::Config(format!("the sign-in address {base:?} is not usable: {e}"));
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(AuthUrl::new(format!("{base}/auth/api_gateway")).map_err(bad)?)
            .set_token_uri(TokenUrl::new(format!("{base}/oauth/token")).map_err(bad)?);
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
        }
        Ok(client)
    }
}

/// The HTTP client for the authorization server and the API: never following redirects (RFC 6749
/// §10.12 and the `oauth2` crate's advice: following them opens the client to request forgery),
/// through the proxy Settings name, if any.
pub fn http_client(timeout: Duration, proxy: Option<reqwest::Proxy>) -> Result<reqwest::Client, ApiError> {
    let mut client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(timeout);
    if let Some(proxy) = proxy {
        client = client.proxy(proxy);
    }
    client.build().map_err(|e| ApiError::Network(e.to_string()))
}

/// Runs the whole authorization: a loopback listener on a random port, the authorize page in
/// `window`, the redirect checked for its `state`, the code exchanged once.
pub async fn authorize(
    app: &OAuthApp,
    http: &reqwest::Client,
    window: &dyn SignInWindow,
    wait: Duration,
) -> Result<Tokens, ApiError> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| ApiError::Network(e.to_string()))?;
    let port = listener.local_addr().map_err(|e| ApiError::Network(e.to_string()))?.port();
    let redirect =
        RedirectUrl::new(format!("http://127.0.0.1:{port}/callback")).map_err(|e| ApiError::Config(e.to_string()))?;
    let client = app.client()?.set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state) = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge).url();
    let (done, closed) = oneshot::channel();
    let mut person = window.open(url.as_str(), closed);
    let callback = tokio::time::timeout(wait, receive_code(&listener, state.secret()));
    // The window failing (or closing) ends the wait; the redirect arriving closes the window.
    let code = tokio::select! {
        code = callback => code,
        opened = &mut person => {
            opened?;
            return Err(ApiError::AuthorizationDenied("the sign-in window closed before signing in finished".into()));
        }
    };
    let _ = done.send(());
    let opened = person.await;
    let code = code.map_err(|_| ApiError::SignInTimedOut(wait.as_secs()))??;
    opened?;
    let answer =
        client.exchange_code(AuthorizationCode::new(code)).set_pkce_verifier(verifier).request_async(http).await;
    tokens(answer.map_err(token_error)?)
}

/// A new access token for `refresh`; the answer carries the next refresh token (rotation).
pub async fn refresh(app: &OAuthApp, http: &reqwest::Client, refresh: &str) -> Result<Tokens, ApiError> {
    let token = RefreshToken::new(refresh.to_owned());
    let answer = app.client()?.exchange_refresh_token(&token).request_async(http).await;
    let mut tokens = tokens(answer.map_err(token_error)?)?;
    if tokens.refresh.expose().is_empty() {
        // A server that does not rotate keeps the one it took.
        tokens.refresh = Sensitive::from(refresh);
    }
    Ok(tokens)
}

fn tokens(answer: oauth2::basic::BasicTokenResponse) -> Result<Tokens, ApiError> {
    Ok(Tokens {
        access: Sensitive::new(answer.access_token().secret().clone()),
        refresh: Sensitive::new(answer.refresh_token().map(|r| r.secret().clone()).unwrap_or_default()),
        expires_in: answer.expires_in(),
    })
}

fn token_error<RE: std::error::Error + 'static>(
    error: RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> ApiError {
    match error {
        // invalid_grant, invalid_client…: the server said no. Never retried: a person signs in again.
        RequestTokenError::ServerResponse(response) => ApiError::GrantRefused(response.to_string()),
        RequestTokenError::Request(e) => ApiError::Network(e.to_string()),
        RequestTokenError::Parse(e, _) => ApiError::Protocol(format!("the token endpoint's answer is not OAuth: {e}")),
        RequestTokenError::Other(e) => ApiError::Protocol(e),
    }
}

/// Waits for the authorization server's redirect on `listener` and returns its code. Anything else
/// on the port (a favicon request) gets a 404 and is waited past; a redirect whose `state` is not
/// ours, or that carries an `error`, ends the authorization.
async fn receive_code(listener: &TcpListener, state: &str) -> Result<String, ApiError> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| ApiError::Network(e.to_string()))?;
        let mut buffer = vec![0u8; 8192];
        let read = stream.read(&mut buffer).await.unwrap_or(0);
        let request = String::from_utf8_lossy(&buffer[..read]).into_owned();
        let outcome = callback(&request, state);
        let (status, page) = match &outcome {
            Some(Ok(_)) => ("200 OK", "Signed in. You can close this window and go back to TruckIQ."),
            Some(Err(_)) => {
                ("400 Bad Request", "TruckIQ did not accept this sign-in. Go back to TruckIQ and try again.")
            }
            None => ("404 Not Found", "Not found."),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
}

/// What one request to the loopback listener says: `None` when it is not the redirect. Pure.
pub(crate) fn callback(request: &str, state: &str) -> Option<Result<String, ApiError>> {
    let target = request.lines().next()?.strip_prefix("GET ")?.split(' ').next()?;
    let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != "/callback" {
        return None;
    }
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    if param("state").as_deref() != Some(state) {
        return Some(Err(ApiError::StateMismatch));
    }
    if let Some(error) = param("error") {
        let detail = param("error_description").map(|d| format!(": {d}")).unwrap_or_default();
        return Some(Err(ApiError::AuthorizationDenied(format!("{error}{detail}"))));
    }
    Some(param("code").filter(|c| !c.is_empty()).ok_or(ApiError::Protocol("the redirect carried no code".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_redirect_is_taken_only_with_our_state() {
        let get = |target: &str| format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assert_eq!(callback(&get("/callback?code=abc&state=s1"), "s1").unwrap().unwrap(), "abc");
        assert!(matches!(callback(&get("/callback?code=abc&state=evil"), "s1"), Some(Err(ApiError::StateMismatch))));
        assert!(matches!(callback(&get("/callback?code=abc"), "s1"), Some(Err(ApiError::StateMismatch))));
        let denied = callback(&get("/callback?error=access_denied&error_description=Cancelled&state=s1"), "s1");
        assert!(matches!(denied, Some(Err(ApiError::AuthorizationDenied(d))) if d == "access_denied: Cancelled"));
        assert!(callback(&get("/favicon.ico"), "s1").is_none(), "waited past");
        assert!(callback("POST /callback HTTP/1.1\r\n\r\n", "s1").is_none());
    }
}
