//! The published JSON:API shapes TruckIQ reads, as plain serde types. Everything the published
//! schemas mark nullable or optional is an `Option`; unknown members are ignored, as JSON:API
//! clients must.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Document<T> {
    pub data: T,
}

#[derive(Debug, Deserialize)]
pub struct ErrorDocument {
    pub errors: Vec<ErrorObject>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorObject {
    pub code: Option<String>,
    pub title: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Resource<A> {
    pub id: String,
    pub attributes: A,
    #[serde(default)]
    pub relationships: Option<serde_json::Map<String, serde_json::Value>>,
}

impl<A> Resource<A> {
    /// The id of a to-one relationship, e.g. a fault's `asset`.
    pub fn related(&self, name: &str) -> Option<&str> {
        self.relationships.as_ref()?.get(name)?.get("data")?.get("id")?.as_str()
    }

    /// The ids of a to-many relationship, e.g. a diagnostic reading's `faults`.
    pub fn related_all(&self, name: &str) -> Vec<&str> {
        let data = self.relationships.as_ref().and_then(|r| r.get(name)).and_then(|r| r.get("data"));
        data.and_then(serde_json::Value::as_array)
            .map(|items| items.iter().filter_map(|item| item.get("id")?.as_str()).collect())
            .unwrap_or_default()
    }
}

/// `account_management/v1/accounts`.
#[derive(Debug, Deserialize)]
pub struct AccountAttributes {
    pub name: Option<String>,
    #[serde(default)]
    pub module_subscriptions: Vec<ModuleSubscription>,
}

#[derive(Debug, Deserialize)]
pub struct ModuleSubscription {
    pub key: Option<String>,
}

/// `asset_management/{account}/v1/registered_assets`.
#[derive(Debug, Deserialize)]
pub struct AssetAttributes {
    pub vin: Option<String>,
    pub unit_number: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i64>,
    pub engine: Option<Engine>,
    pub odometer_value: Option<f64>,
    pub odometer_unit: Option<String>,
    pub engine_hours: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct Engine {
    pub make: Option<String>,
    pub model: Option<String>,
}

/// `telematics/{account}/v1/faults`.
#[derive(Debug, Deserialize)]
pub struct FaultAttributes {
    pub triggered_at: Option<String>,
    pub spn: Option<String>,
    pub fmi: Option<String>,
    pub severity: Option<i64>,
    pub active: Option<bool>,
    #[serde(default)]
    pub guidance: Vec<Guidance>,
    pub details: Option<FaultDetails>,
    /// Where the truck was when the fault fired.
    pub location: Option<Location>,
}

/// Published as strings ("-58.28").
#[derive(Debug, Deserialize)]
pub struct Location {
    pub latitude: Option<String>,
    pub longitude: Option<String>,
}

impl Location {
    /// "41.3950, -72.8563", when both are numbers on the globe.
    pub fn text(&self) -> Option<String> {
        let number = |t: &Option<String>| t.as_deref()?.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let (lat, lon) = (number(&self.latitude)?, number(&self.longitude)?);
        ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then(|| format!("{lat:.4}, {lon:.4}"))
    }
}

#[derive(Debug, Deserialize)]
pub struct Guidance {
    pub name: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct FaultDetails {
    pub component: Option<Component>,
    pub occurrences: Option<i64>,
    pub severity_level: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Component {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// `telematics/{account}/v1/diagnostic_readings`: a telematics message, naming the faults it
/// reported.
#[derive(Debug, Deserialize)]
pub struct ReadingAttributes {
    pub triggered_at: Option<String>,
}

/// `asset_management/{account}/v1/cases`: a repair visit. The published case has no relationship
/// to faults; TruckIQ links them by truck and time.
#[derive(Debug, Deserialize)]
pub struct CaseAttributes {
    pub complaint: Option<String>,
    /// "Integer representation of the Case ID inside of the User Interface".
    pub reference_number: Option<f64>,
    pub ro_number: Option<String>,
    pub closed: Option<bool>,
    pub status: Option<String>,
    pub repair_status: Option<String>,
    pub event_timestamps: Option<CaseTimes>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CaseTimes {
    pub started_at: Option<String>,
    pub asset_downtime: Option<String>,
    pub asset_uptime: Option<String>,
    pub closed_at: Option<String>,
}
