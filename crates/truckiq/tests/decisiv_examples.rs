//! Every published example response TruckIQ reads, from Decisiv's OpenAPI documents
//! (`shared/reference/decisiv/`), through the same parser the sync uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use serde_json::Value;
use truckiq::decisiv_api::read;
use truckiq::decisiv_api::types::{
    AccountAttributes, AssetAttributes, CaseAttributes, Document, FaultAttributes, ReadingAttributes, Resource,
};
use truckiq::j1939::Severity;
use truckiq::portal::profile::Words;

fn document(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/decisiv").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Every 200 example of the GET at `path`: the single `example`, or each of `examples`.
fn examples(doc: &Value, path: &str) -> Vec<Value> {
    let content = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/vnd.api+json"];
    if let Some(example) = content.get("example") {
        return vec![example.clone()];
    }
    let all = content["examples"].as_object().unwrap_or_else(|| panic!("{path} has no examples"));
    all.values().map(|e| e["value"].clone()).collect()
}

#[test]
fn the_published_fault_examples_parse_into_observations() {
    let doc = document("decisiv-telematics-openapi.json");
    let words = Words::shared().unwrap();
    let listed = examples(&doc, "/telematics/{srm_account_id}/v1/faults");
    let single = examples(&doc, "/telematics/{srm_account_id}/v1/faults/{uuid}");
    assert!(!listed.is_empty() && !single.is_empty());
    for example in &listed {
        let page: Document<Vec<Resource<FaultAttributes>>> = serde_json::from_value(example.clone()).unwrap();
        assert!(!page.data.is_empty());
        for resource in &page.data {
            let fault = read::fault(resource, &words).expect("an SPN/FMI fault");
            assert_eq!((fault.spn, fault.fmi, fault.active), (3456, 19, false));
            // severity_level "Severe" wins over the score of 2, as portal wording does.
            assert_eq!((fault.severity, fault.portal_severity_score), (Severity::Critical, Some(2)));
            assert_eq!((fault.occurrences, fault.description.as_deref()), (Some(3), Some("Fault description")));
            assert_eq!(resource.related("asset"), Some("73b781e9-d724-4c8c-89fe-b289abade626"));
            assert_eq!(fault.first_seen, "2025-03-11T18:48:34Z".parse().ok());
            let place = resource.attributes.location.as_ref().and_then(|l| l.text());
            assert_eq!(place.as_deref(), Some("-58.2800, 152.4100"), "where the truck was when it fired");
        }
    }
    for example in &single {
        let one: Document<Resource<FaultAttributes>> = serde_json::from_value(example.clone()).unwrap();
        assert!(read::fault(&one.data, &words).is_some());
    }
}

#[test]
fn the_published_asset_examples_parse_into_trucks() {
    let doc = document("decisiv-asset-management-openapi.json");
    for example in examples(&doc, "/asset_management/{srm_account_id}/v1/registered_assets") {
        let page: Document<Vec<Resource<AssetAttributes>>> = serde_json::from_value(example).unwrap();
        let truck = read::vehicle(&page.data[0]).expect("a VIN");
        assert_eq!(truck.vin, "1FDWE3FNXMDC03939");
        assert_eq!(
            (truck.unit_number.as_deref(), truck.make.as_deref(), truck.model.as_deref()),
            (Some("42"), Some("Ford"), Some("E350"))
        );
        assert_eq!(
            (truck.model_year, truck.odometer_mi, truck.engine_hours),
            (Some(2021), Some(61_342.0), Some(1_363.0))
        );
        assert_eq!((truck.engine_make.as_deref(), truck.engine_model.as_deref()), (Some("Ford"), Some("7.3L V-10")));
    }
    for example in examples(&doc, "/asset_management/{srm_account_id}/v1/registered_assets/{id}") {
        let one: Document<Resource<AssetAttributes>> = serde_json::from_value(example).unwrap();
        assert!(read::vehicle(&one.data).is_some());
    }
}

#[test]
fn the_published_account_examples_parse_with_their_modules() {
    let doc = document("decisiv-account-management-openapi.json");
    let all = examples(&doc, "/account_management/v1/accounts");
    assert_eq!(all.len(), 2, "with and without include=roles");
    for example in all {
        let published: Vec<String> = example["data"][0]["attributes"]["module_subscriptions"]
            .as_array()
            .map(|m| m.iter().filter_map(|m| m["key"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let page: Document<Vec<Resource<AccountAttributes>>> = serde_json::from_value(example).unwrap();
        let account = &page.data[0];
        assert_eq!(account.attributes.name.as_deref(), Some("Southbound Trucking"));
        let modules: Vec<String> =
            account.attributes.module_subscriptions.iter().filter_map(|m| m.key.clone()).collect();
        assert_eq!(modules, published, "every module the example lists, none when it lists none");
    }
}

#[test]
fn the_published_reading_examples_name_their_faults_and_time() {
    let doc = document("decisiv-telematics-openapi.json");
    let listed = examples(&doc, "/telematics/{srm_account_id}/v1/diagnostic_readings");
    assert!(!listed.is_empty());
    for example in listed {
        let page: Document<Vec<Resource<ReadingAttributes>>> = serde_json::from_value(example.clone()).unwrap();
        let published: Vec<&str> = example["data"][0]["relationships"]["faults"]["data"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["id"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(page.data[0].related_all("faults"), published, "the faults a reading reports, by id");
        let when = read::latest(page.data.iter().filter_map(|r| r.attributes.triggered_at.as_deref()));
        assert_eq!(when.as_deref(), Some("2025-03-11T18:48:34Z"), "where the next read of changes starts");
    }
}

#[test]
fn the_published_case_examples_parse_into_cases_on_their_trucks() {
    let doc = document("decisiv-asset-management-openapi.json");
    let listed = examples(&doc, "/asset_management/{srm_account_id}/v1/cases");
    let single = examples(&doc, "/asset_management/{srm_account_id}/v1/cases/{id}");
    assert!(!listed.is_empty() && !single.is_empty());
    let vin_of: HashMap<&str, String> =
        [("552fb6b4-bbce-452b-bb60-8f40ca6e8eb3", "1FDWE3FNXMDC03939".to_owned())].into_iter().collect();
    for example in &listed {
        let page: Document<Vec<Resource<CaseAttributes>>> = serde_json::from_value(example.clone()).unwrap();
        let case = read::case(&page.data[0], &vin_of).expect("a case on a listed truck");
        assert_eq!((case.vin.as_str(), case.reference.as_deref()), ("1FDWE3FNXMDC03939", Some("18328893")));
        assert_eq!((case.status.as_deref(), case.repair_status.as_deref()), (Some("Drop-off"), Some("Diagnosing")));
        assert!(!case.closed, "the published flag wins over the example's filled-in closing time");
        assert_eq!(case.opened_at, "2025-04-07T18:58:31Z".parse().ok());
        assert_eq!(case.downtime_at, "2025-04-06T18:58:31Z".parse().ok());
        assert_eq!(case.complaint.as_deref(), Some("Check Engine Light continually on"));
        assert_eq!(read::case(&page.data[0], &HashMap::new()), None, "a case on a truck not listed is not stored");
    }
    for example in &single {
        let one: Document<Resource<CaseAttributes>> = serde_json::from_value(example.clone()).unwrap();
        assert!(one.data.related("registered_asset").is_some());
    }
}
