//! CORS as the gateway answers it: the app's origin, and only it, may read the answers. A browser
//! on any other origin gets no `Access-Control-Allow-Origin` and refuses the response; a client
//! that sends no `Origin` (a script, TruckIQ's direct mode) is not a browser and is served as is.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Origins;

const ALLOW_METHODS: &str = "GET, POST, OPTIONS";
const ALLOW_HEADERS: &str = "Content-Type, X-Auth-Token, X-OEM, Authorization, Accept";

pub async fn cors(State(origins): State<Arc<Origins>>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let allowed = origin.as_ref().filter(|o| o.as_bytes() == origins.app.as_bytes()).cloned();
    let preflight =
        request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight {
        match allowed {
            Some(_) => {
                let mut response = StatusCode::NO_CONTENT.into_response();
                let headers = response.headers_mut();
                headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
                headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
                response
            }
            None => StatusCode::FORBIDDEN.into_response(),
        }
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if origin.is_some() {
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    if let Some(origin) = allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}
