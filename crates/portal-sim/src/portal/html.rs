//! Page chrome and value formatting shared by both portal layouts.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::Layout;

const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#222}\
header{background:#1d2d44;color:#fff;padding:12px 24px}main{padding:24px}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}\
.error,.alert-danger{color:#a00;border:1px solid #a00;padding:8px;margin:8px 0}\
.active .severity{font-weight:bold}\
.unit-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:12px}\
.unit-card,.fault-card{border:1px solid #ccc;border-radius:6px;padding:8px 12px;list-style:none;margin:0 0 12px}\
.fault-cards{padding:0}.fact .label{color:#666;display:inline-block;min-width:11em}\
.lamp{display:inline-block;width:10px;height:10px;border-radius:50%;background:#e0b000;margin-right:8px}\
.lamp[title=\"Priority 1\"]{background:#c00}.event[data-state=cleared]{color:#777}";

/// A full HTML page in the portal's branding.
pub fn page(portal: Layout, title: &str, body: Markup) -> Markup {
    let brand = portal.brand();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " - " (brand) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { span.brand { (brand) } }
                main { (body) }
            }
        }
    }
}

pub fn respond(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

/// A 302 Found to this location, as the portals send (not axum's 303).
#[derive(Debug, Clone)]
pub struct Found(pub String);

impl IntoResponse for Found {
    fn into_response(self) -> Response {
        let mut response = StatusCode::FOUND.into_response();
        if let Ok(value) = HeaderValue::from_str(&self.0) {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

pub fn found(location: &str) -> Response {
    Found(location.to_owned()).into_response()
}

/// "123,456"
pub fn thousands(value: f64) -> String {
    let whole = value.round() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

/// "10,234.5"
pub fn thousands_tenths(value: f64) -> String {
    let tenths = (value * 10.0).round() as i64;
    format!("{}.{}", thousands((tenths / 10) as f64), (tenths % 10).abs())
}

/// "Nov 3, 2026 8:05 AM" (UTC), the TruckTech+ style.
pub fn paccar_time(t: DateTime<Utc>) -> String {
    t.format("%b %-d, %Y %-I:%M %p").to_string()
}

/// "11/03/2026 08:05 UTC", the Decisiv style.
pub fn decisiv_time(t: DateTime<Utc>) -> String {
    t.format("%m/%d/%Y %H:%M UTC").to_string()
}

/// `(page, pages, first index)` for a list of `total` items shown `per_page` at a time; pages count
/// from 1 and an out-of-range page is clamped.
pub fn page_bounds(total: usize, per_page: usize, page: usize) -> (usize, usize, usize) {
    let pages = total.div_ceil(per_page).max(1);
    let page = page.clamp(1, pages);
    (page, pages, (page - 1) * per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(123_456.4), "123,456");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands_tenths(10_234.46), "10,234.5");
        let t = DateTime::parse_from_rfc3339("2026-11-03T08:05:00Z").unwrap().to_utc();
        assert_eq!(paccar_time(t), "Nov 3, 2026 8:05 AM");
        assert_eq!(decisiv_time(t), "11/03/2026 08:05 UTC");
        assert_eq!(page_bounds(60, 25, 3), (3, 3, 50));
        assert_eq!(page_bounds(0, 25, 1), (1, 1, 0));
        assert_eq!(page_bounds(60, 25, 99), (3, 3, 50));
    }
}
