//! `POST /v2vehicles`: a search over vehicle documents. Known: `page` (0-based) and `pageSize`, sent
//! as strings; `version: 2`; `sort` with dotted paths, `-` for descending; `exclude` with dotted
//! paths and `.*` wildcards; any other key is a dotted-path equality filter. The answer is
//! `{data, responseDescription: {totalHits}}`. Pure: documents in, page out.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// The largest page the gateway serves (a guess; the app itself asks for 10, 25 or 50).
pub const MAX_PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub page: usize,
    pub page_size: usize,
    pub sort: Vec<String>,
    pub exclude: Vec<String>,
    pub filters: Vec<(String, Value)>,
}

fn count(body: &Map<String, Value>, key: &str, default: usize) -> Result<usize, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| format!("{key} must be a number, got {s:?}")),
        Some(Value::Number(n)) => {
            n.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| format!("{key} must be 0 or more"))
        }
        Some(other) => Err(format!("{key} must be a number, got {other}")),
    }
}

fn paths(body: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(|| format!("{key} must list dotted paths")))
            .collect(),
        Some(other) => Err(format!("{key} must list dotted paths, got {other}")),
    }
}

impl Search {
    pub fn parse(body: &Value) -> Result<Self, String> {
        let body = body.as_object().ok_or("the search body must be a JSON object")?;
        if let Some(version) = body.get("version")
            && version.as_u64() != Some(2)
            && version.as_str() != Some("2")
        {
            return Err(format!("unsupported search version {version}"));
        }
        let page_size = count(body, "pageSize", 10)?;
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(format!("pageSize must be between 1 and {MAX_PAGE_SIZE}"));
        }
        let filters = body
            .iter()
            .filter(|(key, _)| !["page", "pageSize", "version", "sort", "exclude"].contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Ok(Self {
            page: count(body, "page", 0)?,
            page_size,
            sort: paths(body, "sort")?,
            exclude: paths(body, "exclude")?,
            filters,
        })
    }

    /// The page asked for and the number of documents that match.
    pub fn run(&self, documents: Vec<Value>) -> (Vec<Value>, usize) {
        let mut hits: Vec<Value> = documents.into_iter().filter(|doc| self.matches(doc)).collect();
        if !self.sort.is_empty() {
            hits.sort_by(|a, b| self.compare(a, b));
        }
        let total = hits.len();
        let page: Vec<Value> = hits
            .into_iter()
            .skip(self.page.saturating_mul(self.page_size))
            .take(self.page_size)
            .map(|mut doc| {
                for pattern in &self.exclude {
                    exclude(&mut doc, &pattern.split('.').collect::<Vec<_>>());
                }
                doc
            })
            .collect();
        (page, total)
    }

    fn matches(&self, doc: &Value) -> bool {
        self.filters.iter().all(|(path, wanted)| {
            let found = lookup(doc, path);
            match wanted {
                Value::Array(any) => any.iter().any(|w| same(found, w)),
                one => same(found, one),
            }
        })
    }

    fn compare(&self, a: &Value, b: &Value) -> Ordering {
        for key in &self.sort {
            let (path, descending) = match key.strip_prefix('-') {
                Some(path) => (path, true),
                None => (key.as_str(), false),
            };
            let order = compare_values(lookup(a, path), lookup(b, path));
            let order = if descending { order.reverse() } else { order };
            if order != Ordering::Equal {
                return order;
            }
        }
        Ordering::Equal
    }
}

/// The value at a dotted path (`chassisInfo.make`).
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |value, key| value.get(key))
}

/// Equality as a filter means it: `"2022"` finds the number 2022 too.
fn same(found: Option<&Value>, wanted: &Value) -> bool {
    match (found, wanted) {
        (Some(Value::String(a)), Value::String(b)) => a.eq_ignore_ascii_case(b),
        (Some(Value::Number(n)), Value::String(b)) => b.trim().parse::<f64>().ok() == n.as_f64(),
        (Some(Value::Bool(x)), Value::String(b)) => b.trim().parse::<bool>().ok() == Some(*x),
        (Some(found), wanted) => found == wanted,
        (None, wanted) => wanted.is_null(),
    }
}

/// Numbers by value, strings alphabetically; missing values sort last.
fn compare_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).partial_cmp(&y.as_f64().unwrap_or(0.0)).unwrap_or(Ordering::Equal)
        }
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Null) | None, Some(Value::Null) | None) => Ordering::Equal,
        (Some(Value::Null) | None, _) => Ordering::Greater,
        (_, Some(Value::Null) | None) => Ordering::Less,
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

/// Removes what a dotted pattern names; `*` stands for any key at its level.
fn exclude(value: &mut Value, pattern: &[&str]) {
    let Some((first, rest)) = pattern.split_first() else {
        return;
    };
    let Some(object) = value.as_object_mut() else {
        return;
    };
    let keys: Vec<String> = if *first == "*" { object.keys().cloned().collect() } else { vec![(*first).to_owned()] };
    for key in keys {
        if rest.is_empty() {
            object.remove(&key);
        } else if let Some(child) = object.get_mut(&key) {
            exclude(child, rest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs() -> Vec<Value> {
        (0..25)
            .map(|i| {
                json!({
                    "vin": format!("VIN{i:02}"),
                    "chassisInfo": { "make": if i % 3 == 0 { "DAF" } else { "Kenworth" }, "chassisModelYear": 2010 + i },
                    "recommendation": { "faultGuidance": { "RecommendedAction": if i % 5 == 0 { "STOP_NOW" } else { "NO_ACTION" }, "localizations": [] } },
                    "health": { "activeFaultCount": i % 4, "faults": [1, 2] },
                })
            })
            .collect()
    }

    fn search(body: Value) -> Search {
        Search::parse(&body).unwrap()
    }

    #[test]
    fn pages_are_zero_based_with_string_numbers_and_total_hits_counts_every_match() {
        let s = search(json!({"page": "2", "pageSize": "10", "version": 2, "sort": ["vin"]}));
        let (page, total) = s.run(docs());
        assert_eq!(total, 25);
        assert_eq!(page.len(), 5, "the last page is short");
        assert_eq!(page[0]["vin"], "VIN20");
        let (beyond, total) = search(json!({"page": 3, "pageSize": 10})).run(docs());
        assert!(beyond.is_empty() && total == 25, "past the end: an empty page");
    }

    #[test]
    fn sort_descends_with_a_minus_and_breaks_ties_with_the_next_key() {
        let (page, _) = search(json!({"pageSize": "3", "sort": ["-chassisInfo.chassisModelYear"]})).run(docs());
        assert_eq!(page[0]["vin"], "VIN24");
        let (page, _) = search(json!({"pageSize": "25", "sort": ["chassisInfo.make", "-vin"]})).run(docs());
        assert_eq!(page[0]["vin"], "VIN24", "DAF first, then the highest VIN among them");
        assert_eq!(page[0]["chassisInfo"]["make"], "DAF");
    }

    #[test]
    fn dotted_filters_match_equal_values() {
        let body = json!({"pageSize": "50", "recommendation.faultGuidance.RecommendedAction": "STOP_NOW"});
        let (page, total) = search(body).run(docs());
        assert_eq!(total, 5);
        assert!(page.iter().all(|d| d["recommendation"]["faultGuidance"]["RecommendedAction"] == "STOP_NOW"));
        let (_, total) = search(json!({"chassisInfo.chassisModelYear": "2012"})).run(docs());
        assert_eq!(total, 1, "a number matches its text");
    }

    #[test]
    fn exclude_removes_paths_and_wildcards_empty_a_branch() {
        let body = json!({"pageSize": "1", "exclude": ["health.*", "recommendation.faultGuidance.localizations"]});
        let (page, _) = search(body).run(docs());
        assert_eq!(page[0]["health"], json!({}));
        assert!(page[0]["recommendation"]["faultGuidance"].get("localizations").is_none());
        assert!(page[0]["recommendation"]["faultGuidance"].get("RecommendedAction").is_some());
        let (page, _) = search(json!({"pageSize": "1", "exclude": ["*.make"]})).run(docs());
        assert!(
            page[0]["chassisInfo"].get("make").is_none() && page[0]["chassisInfo"].get("chassisModelYear").is_some()
        );
    }

    #[test]
    fn bad_bodies_say_what_is_wrong() {
        assert!(Search::parse(&json!({"pageSize": "lots"})).unwrap_err().contains("pageSize"));
        assert!(Search::parse(&json!({"pageSize": 500})).unwrap_err().contains("between 1 and 100"));
        assert!(Search::parse(&json!({"version": 1})).unwrap_err().contains("version"));
        assert!(Search::parse(&json!([])).is_err());
    }
}
