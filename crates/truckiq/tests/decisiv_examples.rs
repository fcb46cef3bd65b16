//! Every published example response TruckIQ reads, from Decisiv's OpenAPI documents
//! (`shared/reference/decisiv/`), through the same parser the sync uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use truckiq::decisiv_api::read;
use truckiq::decisiv_api::types::{AccountAttributes, AssetAttributes, Document, FaultAttributes, Resource};
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
