//! Contract tests of the PH client-import API v1 against the real sandbox over loopback:
//! every operation, auth failures, idempotency, paging over 10,000+ clients, limits,
//! injected faults, restarts and undo.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ph_sandbox::{DemoToken, Faults, Limits, SandboxConfig};
use serde_json::{json, Value};

fn client_input(external: &str, first: &str, last: &str) -> Value {
    json!({ "externalId": external, "firstName": first, "lastName": last })
}

fn batch(clinic: &str, run: &str, key: &str, field: &str, items: Value) -> Value {
    json!({ "input": { "clinicId": clinic, "importRunId": run, "idempotencyKey": key, field: items } })
}

fn is_rfc3339_utc(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|t| t.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(t).is_ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_read_operation_answers() {
    let (sandbox, api) = start(SandboxConfig::default()).await;

    let me = api
        .gql(IMPORTER, "{ me { name role clinics { id name country requiresEmail clientCount patientCount } } }", json!({}))
        .await;
    let me = me.data("me");
    assert_eq!(me["role"], "IMPORTER");
    assert_eq!(me["name"], "Importer, all demo clinics");
    let clinics: Vec<&str> = me["clinics"]
        .as_array()
        .expect("clinics")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(clinics, ["riverside", "maple-grove", "harbor-cats"]);
    let total: i64 = me["clinics"]
        .as_array()
        .expect("clinics")
        .iter()
        .map(|c| c["clientCount"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(total as u64, sandbox.counts().expect("counts").clients);

    let read_only = api
        .gql(READ_ONLY, "{ me { role clinics { id } } }", json!({}))
        .await;
    assert_eq!(read_only.data("me")["role"], "READ_ONLY");
    let harbor = api
        .gql(HARBOR, "{ me { clinics { id } } }", json!({}))
        .await;
    assert_eq!(
        harbor.data("me")["clinics"],
        json!([{ "id": "harbor-cats" }])
    );

    let info = api
        .gql(
            READ_ONLY,
            "{ apiInfo { version maxBatchSize maxPageSize } }",
            json!({}),
        )
        .await;
    assert_eq!(
        info.data("apiInfo"),
        &json!({ "version": "1", "maxBatchSize": 200, "maxPageSize": 1000 })
    );

    let clinic = api
        .gql(READ_ONLY, "query($id: ID!) { clinic(id: $id) { id name country requiresEmail clientCount patientCount } }", json!({ "id": "maple-grove" }))
        .await;
    assert_eq!(
        clinic.data("clinic"),
        &json!({ "id": "maple-grove", "name": "Maple Grove Veterinary Clinic", "country": "US",
                 "requiresEmail": true, "clientCount": 30, "patientCount": 60 })
    );
    let missing = api
        .gql(
            IMPORTER,
            "{ clinic(id: \"riverside-2\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!((missing.status, missing.code()), (403, Some("FORBIDDEN")));

    let page = api
        .gql(
            READ_ONLY,
            &format!("query($c: ID!) {{ clients(clinicId: $c, first: 5) {{ totalCount pageInfo {{ endCursor hasNextPage }} nodes {{ {CLIENT_FIELDS} }} }} }}"),
            json!({ "c": "riverside" }),
        )
        .await;
    let page = page.data("clients");
    assert_eq!(page["totalCount"], 30);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let nodes = page["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 5);
    // The near-duplicate of the Riverside export, with its pet.
    assert_eq!(nodes[0]["externalId"], "10023");
    assert_eq!(nodes[0]["firstName"], "José");
    assert_eq!(nodes[0]["patients"][0]["name"], "Biscuit");
    assert!(is_rfc3339_utc(&nodes[0]["createdAt"]));
    assert!(nodes[0]["createdByImportRun"].is_null());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_or_an_unknown_token_is_401() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let none = api
        .send(None, "{ me { name } }", json!({}))
        .await
        .expect("answer");
    assert_eq!((none.status, none.code()), (401, Some("UNAUTHENTICATED")));
    assert_eq!(
        none.headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    let unknown = api
        .send(Some("phsb_not_a_token"), "{ me { name } }", json!({}))
        .await
        .expect("answer");
    assert_eq!(
        (unknown.status, unknown.code()),
        (401, Some("UNAUTHENTICATED"))
    );
    // A mutation without a token changes nothing.
    let before = counts(&sandbox);
    let refused = api
        .send(
            None,
            &create_clients_query(),
            batch(
                "riverside",
                "r",
                "k",
                "clients",
                json!([client_input("N1", "A", "B")]),
            ),
        )
        .await
        .expect("answer");
    assert_eq!(refused.status, 401);
    assert_eq!(counts(&sandbox), before);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_mutations_and_clinics_outside_the_token_are_403() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let before = counts(&sandbox);
    let one = json!([client_input("N1", "Ann", "Lee")]);

    let read_only = api
        .gql(
            READ_ONLY,
            &create_clients_query(),
            batch("riverside", "r1", "k1", "clients", one.clone()),
        )
        .await;
    assert_eq!(
        (read_only.status, read_only.code()),
        (403, Some("FORBIDDEN"))
    );
    let undo = api
        .gql(READ_ONLY, DELETE_RUN, json!({ "input": { "clinicId": "riverside", "importRunId": "r1", "idempotencyKey": "k2" } }))
        .await;
    assert_eq!((undo.status, undo.code()), (403, Some("FORBIDDEN")));

    let other_clinic = api
        .gql(
            HARBOR,
            &create_clients_query(),
            batch("riverside", "r1", "k3", "clients", one),
        )
        .await;
    assert_eq!(
        (other_clinic.status, other_clinic.code()),
        (403, Some("FORBIDDEN"))
    );
    let read_other = api
        .gql(HARBOR, CLIENTS_PAGE, json!({ "clinic": "riverside" }))
        .await;
    assert_eq!(
        (read_other.status, read_other.code()),
        (403, Some("FORBIDDEN"))
    );
    let clinic_other = api
        .gql(HARBOR, "{ clinic(id: \"maple-grove\") { id } }", json!({}))
        .await;
    assert_eq!(clinic_other.status, 403);

    // The clinic of the token is fine, for reading and writing.
    let own = api
        .gql(HARBOR, CLIENTS_PAGE, json!({ "clinic": "harbor-cats" }))
        .await;
    assert_eq!(own.data("clients")["totalCount"], 20);
    assert_eq!(counts(&sandbox), before);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn client_and_patient_batches_answer_per_item_in_input_order() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let (_, clients_before, patients_before) = counts(&sandbox);

    // createClients: created, empty name, duplicate of a stored and of an earlier item, bad phone.
    let created = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch("riverside", "run-1", "c1", "clients", json!([
                { "externalId": "N-1", "firstName": " Ann ", "lastName": "Lee", "email": "ann@example.com",
                  "phone": "+12175550101", "country": "us", "city": "Springfield" },
                { "externalId": "N-2", "firstName": "", "lastName": "  " },
                { "externalId": "10023", "firstName": "José", "lastName": "Müller" },
                { "externalId": "N-1", "firstName": "Again", "lastName": "Lee" },
                { "externalId": "N-3", "firstName": "Bo", "lastName": "Ek", "phone": "217-555-0101" },
                { "firstName": "No", "lastName": "External", "active": false },
            ])),
        )
        .await;
    let result = created.data("createClients");
    assert_eq!(result["replayed"], false);
    assert_eq!(
        statuses(result),
        ["CREATED", "ERROR", "ERROR", "ERROR", "ERROR", "CREATED"]
    );
    assert_eq!(
        error_codes(result),
        [
            None,
            Some("INVALID_FIELD".into()),
            Some("DUPLICATE_EXTERNAL_ID".into()),
            Some("DUPLICATE_EXTERNAL_ID".into()),
            Some("INVALID_FIELD".into()),
            None
        ]
    );
    let items = result["items"].as_array().expect("items");
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["index"], i);
    }
    assert_eq!(items[4]["error"]["field"], "phone");
    let ann = &items[0]["client"];
    assert_eq!(ann["firstName"], "Ann");
    assert_eq!(ann["country"], "US");
    assert_eq!(ann["clinicId"], "riverside");
    assert_eq!(ann["createdByImportRun"], "run-1");
    assert_eq!(ann["importRunId"], "run-1");
    assert_eq!(ann["patients"], json!([]));
    assert!(is_rfc3339_utc(&ann["createdAt"]) && ann["createdAt"] == ann["updatedAt"]);
    assert_eq!(items[5]["client"]["active"], false);
    assert_eq!(counts(&sandbox).1, clients_before + 2);
    let ann_id = ann["id"].as_str().expect("id").to_owned();

    // A clinic that requires e-mail refuses a client without one.
    let maple = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch(
                "maple-grove",
                "run-1",
                "c2",
                "clients",
                json!([client_input("M-1", "No", "Mail")]),
            ),
        )
        .await;
    let maple = maple.data("createClients");
    assert_eq!(error_codes(maple), [Some("INVALID_FIELD".into())]);
    assert_eq!(maple["items"][0]["error"]["field"], "email");

    // A client of another clinic, to update and to hang a pet on.
    let harbor_page = api
        .gql(
            IMPORTER,
            CLIENTS_PAGE,
            json!({ "clinic": "harbor-cats", "first": 1 }),
        )
        .await;
    let harbor_client = harbor_page.data("clients")["nodes"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let harbor_patient = harbor_page.data("clients")["nodes"][0]["patients"][0]["id"]
        .as_str()
        .expect("patient id")
        .to_owned();

    // updateClients: changed, same values, unknown, other clinic, emptied name, taken externalId.
    let updated = api
        .gql(
            IMPORTER,
            &update_clients_query(),
            batch(
                "riverside",
                "run-2",
                "u1",
                "clients",
                json!([
                    { "id": ann_id, "city": "Chicago", "address1": "1 Main St" },
                    { "id": ann_id, "firstName": "Ann", "city": "Chicago" },
                    { "id": "999999" },
                    { "id": harbor_client, "city": "Boston" },
                    { "id": ann_id, "firstName": "", "lastName": "" },
                    { "id": ann_id, "externalId": "10044" },
                    { "id": ann_id, "email": "" },
                ]),
            ),
        )
        .await;
    let result = updated.data("updateClients");
    assert_eq!(
        statuses(result),
        [
            "UPDATED",
            "UNCHANGED",
            "ERROR",
            "ERROR",
            "ERROR",
            "ERROR",
            "UPDATED"
        ]
    );
    assert_eq!(
        error_codes(result),
        [
            None,
            None,
            Some("NOT_FOUND".into()),
            Some("WRONG_CLINIC".into()),
            Some("INVALID_FIELD".into()),
            Some("DUPLICATE_EXTERNAL_ID".into()),
            None
        ]
    );
    let after = &result["items"][0]["client"];
    assert_eq!(after["city"], "Chicago");
    assert_eq!(after["email"], "ann@example.com");
    assert_eq!(after["createdByImportRun"], "run-1");
    assert_eq!(after["importRunId"], "run-2");
    assert!(after["updatedAt"].as_str() >= ann["updatedAt"].as_str());
    // An empty text clears an optional field.
    assert!(result["items"][6]["client"]["email"].is_null());

    // createPatients: created, bad species, unknown owner, other clinic's owner, taken externalId.
    let pets = api
        .gql(
            IMPORTER,
            &create_patients_query(),
            batch("riverside", "run-1", "p1", "patients", json!([
                { "clientId": ann_id, "externalId": "PN-1", "name": "Rex", "species": "Dog", "sex": "MALE",
                  "dateOfBirth": "2019-04", "weightKg": 31.5, "neutered": true, "microchip": "985112003456789" },
                { "clientId": ann_id, "name": "Nessie", "species": "dragon" },
                { "clientId": "424242", "name": "Ghost", "species": "cat" },
                { "clientId": harbor_client, "name": "Stray", "species": "cat" },
                { "clientId": ann_id, "externalId": "P-501", "name": "Copy", "species": "dog" },
                { "clientId": ann_id, "name": "Old", "species": "cat", "dateOfBirth": "2019-02-30" },
            ])),
        )
        .await;
    let result = pets.data("createPatients");
    assert_eq!(
        statuses(result),
        ["CREATED", "ERROR", "ERROR", "ERROR", "ERROR", "ERROR"]
    );
    assert_eq!(
        error_codes(result),
        [
            None,
            Some("INVALID_FIELD".into()),
            Some("NOT_FOUND".into()),
            Some("WRONG_CLINIC".into()),
            Some("DUPLICATE_EXTERNAL_ID".into()),
            Some("INVALID_FIELD".into())
        ]
    );
    assert_eq!(result["items"][1]["error"]["field"], "species");
    assert_eq!(result["items"][5]["error"]["field"], "dateOfBirth");
    let rex = &result["items"][0]["patient"];
    assert_eq!(rex["species"], "dog");
    assert_eq!(rex["sex"], "male");
    assert_eq!(rex["clientId"], ann_id.as_str());
    assert_eq!(rex["deceased"], false);
    assert_eq!(rex["createdByImportRun"], "run-1");
    let rex_id = rex["id"].as_str().expect("id").to_owned();
    assert_eq!(counts(&sandbox).2, patients_before + 1);

    // updatePatients: changed, same values, unknown, other clinic's patient, bad weight.
    let changed = api
        .gql(
            IMPORTER,
            &update_patients_query(),
            batch(
                "riverside",
                "run-2",
                "p2",
                "patients",
                json!([
                    { "id": rex_id, "weightKg": 30.0, "deceased": true },
                    { "id": rex_id, "name": "Rex", "species": "dog" },
                    { "id": "777777", "name": "X" },
                    { "id": harbor_patient, "name": "X" },
                    { "id": rex_id, "weightKg": -1.0 },
                ]),
            ),
        )
        .await;
    let result = changed.data("updatePatients");
    assert_eq!(
        statuses(result),
        ["UPDATED", "UNCHANGED", "ERROR", "ERROR", "ERROR"]
    );
    assert_eq!(
        error_codes(result),
        [
            None,
            None,
            Some("NOT_FOUND".into()),
            Some("WRONG_CLINIC".into()),
            Some("INVALID_FIELD".into())
        ]
    );
    let rex = &result["items"][0]["patient"];
    assert_eq!(
        (rex["weightKg"].as_f64(), &rex["deceased"]),
        (Some(30.0), &json!(true))
    );
    assert_eq!(rex["importRunId"], "run-2");
    assert_eq!(rex["createdByImportRun"], "run-1");

    // The client now lists the patient when paged.
    let page = api
        .gql(IMPORTER, &format!("query($c: ID!) {{ clients(clinicId: $c, first: 1000) {{ nodes {{ {CLIENT_FIELDS} }} }} }}"), json!({ "c": "riverside" }))
        .await;
    let listed = page.data("clients")["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|c| c["id"] == ann_id.as_str())
        .cloned()
        .expect("ann is listed");
    assert_eq!(
        listed["patients"],
        json!([{ "id": rex_id, "externalId": "PN-1", "name": "Rex" }])
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idempotent_repeat_returns_the_first_result_and_changes_nothing() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let variables = batch(
        "riverside",
        "run-1",
        "same-key",
        "clients",
        json!([
            client_input("I-1", "Ida", "One"),
            client_input("I-2", "Ivo", "Two"),
        ]),
    );
    let first = api
        .gql(IMPORTER, &create_clients_query(), variables.clone())
        .await;
    let first = first.data("createClients").clone();
    assert_eq!(first["replayed"], false);
    let after_first = counts(&sandbox);

    // The same request again, even with other query text and variable key order.
    let again = api
        .gql(
            IMPORTER,
            "mutation($input: CreateClientsInput!) { createClients(input: $input) { replayed items { index status client { id externalId createdAt } } } }",
            json!({ "input": { "clients": variables["input"]["clients"].clone(), "idempotencyKey": "same-key",
                               "importRunId": "run-1", "clinicId": "riverside" } }),
        )
        .await;
    let again = again.data("createClients");
    assert_eq!(again["replayed"], true);
    for i in 0..2 {
        assert_eq!(again["items"][i]["status"], "CREATED");
        assert_eq!(
            again["items"][i]["client"]["id"],
            first["items"][i]["client"]["id"]
        );
        assert_eq!(
            again["items"][i]["client"]["createdAt"],
            first["items"][i]["client"]["createdAt"]
        );
    }
    assert_eq!(counts(&sandbox), after_first);

    // Concurrent duplicates of a new request: one applies it, the others replay it.
    let concurrent = batch(
        "riverside",
        "run-1",
        "burst",
        "clients",
        json!([client_input("B-1", "Bea", "Burst")]),
    );
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = api.http.clone();
        let url = api.url.clone();
        let body = json!({ "query": create_clients_query(), "variables": concurrent.clone() });
        tasks.push(tokio::spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(IMPORTER)
                .json(&body)
                .send()
                .await
                .expect("send");
            response.json::<Value>().await.expect("json")
        }));
    }
    let mut ids = Vec::new();
    let mut fresh = 0;
    for task in tasks {
        let body = task.await.expect("join");
        let result = &body["data"]["createClients"];
        assert_eq!(result["items"][0]["status"], "CREATED", "{body}");
        if result["replayed"] == false {
            fresh += 1;
        }
        ids.push(result["items"][0]["client"]["id"].clone());
    }
    assert_eq!(fresh, 1, "exactly one request applies the change");
    assert!(ids.iter().all(|id| *id == ids[0]));
    assert_eq!(counts(&sandbox).1, after_first.1 + 1);

    // Keys belong to a token: another token's same key is a request of its own.
    let harbor = api
        .gql(
            HARBOR,
            &create_clients_query(),
            batch(
                "harbor-cats",
                "run-h",
                "same-key",
                "clients",
                json!([client_input("H-1", "Hal", "Harbor")]),
            ),
        )
        .await;
    assert_eq!(harbor.data("createClients")["replayed"], false);

    // The undo is idempotent too.
    let undo = json!({ "input": { "clinicId": "riverside", "importRunId": "run-1", "idempotencyKey": "undo-1" } });
    let first_undo = api.gql(IMPORTER, DELETE_RUN, undo.clone()).await;
    assert_eq!(first_undo.data("deleteImportRun")["clientsDeleted"], 3);
    let after_undo = counts(&sandbox);
    let second_undo = api.gql(IMPORTER, DELETE_RUN, undo).await;
    let second_undo = second_undo.data("deleteImportRun");
    assert_eq!(
        (
            second_undo["clientsDeleted"].as_i64(),
            &second_undo["replayed"]
        ),
        (Some(3), &json!(true))
    );
    assert_eq!(counts(&sandbox), after_undo);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_key_with_another_request_is_refused() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let first = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch(
                "riverside",
                "run-1",
                "k",
                "clients",
                json!([client_input("K-1", "Kim", "Key")]),
            ),
        )
        .await;
    assert_eq!(first.data("createClients")["items"][0]["status"], "CREATED");
    let before = counts(&sandbox);
    for (query, variables) in [
        (
            create_clients_query(),
            batch(
                "riverside",
                "run-1",
                "k",
                "clients",
                json!([client_input("K-2", "Kai", "Key")]),
            ),
        ),
        (
            create_clients_query(),
            batch(
                "riverside",
                "run-OTHER",
                "k",
                "clients",
                json!([client_input("K-1", "Kim", "Key")]),
            ),
        ),
        (
            update_clients_query(),
            batch(
                "riverside",
                "run-1",
                "k",
                "clients",
                json!([{ "id": "1", "city": "X" }]),
            ),
        ),
    ] {
        let refused = api.gql(IMPORTER, &query, variables).await;
        assert_eq!(
            (refused.status, refused.code()),
            (200, Some("IDEMPOTENCY_KEY_REUSED")),
            "{}",
            refused.body
        );
        assert!(refused.body["data"].is_null());
    }
    assert_eq!(counts(&sandbox), before);
    let empty_key = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch("riverside", "run-1", " ", "clients", json!([])),
        )
        .await;
    assert_eq!(empty_key.code(), Some("BAD_REQUEST"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_visits_10000_clients_once_in_stable_order_and_updated_since_finds_changes() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    const N: usize = 10_500;
    sandbox
        .add_clinic("bulk", "Bulk Test Clinic", "US", false)
        .expect("clinic");
    sandbox
        .add_token(&DemoToken {
            name: "Bulk importer".into(),
            token: "phsb_bulk".into(),
            role: "importer".into(),
            clinics: vec!["bulk".into()],
        })
        .expect("token");
    assert_eq!(sandbox.seed_bulk("bulk", N).expect("seed"), N);

    // Pages through the clinic; returns each client's id with its patients' ids.
    let page_all = |since: Option<String>, first: usize| {
        let api = &api;
        async move {
            let mut seen: Vec<(i64, Vec<String>)> = Vec::new();
            let mut after: Option<String> = None;
            let mut pages = 0;
            let mut total;
            loop {
                let answer = api
                    .gql(
                        "phsb_bulk",
                        CLIENTS_PAGE,
                        json!({ "clinic": "bulk", "first": first, "after": after, "since": since }),
                    )
                    .await;
                let page = answer.data("clients");
                total = page["totalCount"].as_u64().expect("total");
                for node in page["nodes"].as_array().expect("nodes") {
                    let id = node["id"]
                        .as_str()
                        .and_then(|s| s.parse().ok())
                        .expect("numeric id");
                    let pets = node["patients"]
                        .as_array()
                        .expect("patients")
                        .iter()
                        .filter_map(|p| p["id"].as_str().map(str::to_owned))
                        .collect();
                    seen.push((id, pets));
                }
                pages += 1;
                if page["pageInfo"]["hasNextPage"] == false {
                    break;
                }
                after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
                assert!(after.is_some());
            }
            (seen, pages, total)
        }
    };

    let started = Instant::now();
    let (seen, pages, total) = page_all(None, 1000).await;
    let ids: Vec<i64> = seen.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), N);
    assert_eq!(total as usize, N);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ascending ids, so each once"
    );
    assert_eq!(pages, N.div_ceil(1000));
    let patients: usize = seen.iter().map(|(_, pets)| pets.len()).sum();
    let clinic = api
        .gql(
            "phsb_bulk",
            "{ clinic(id: \"bulk\") { clientCount patientCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        clinic.data("clinic")["patientCount"].as_u64(),
        Some(patients as u64)
    );
    // Paging again, with another page size, gives the same sequence.
    let (again, ..) = page_all(None, 777).await;
    assert_eq!(again, seen);
    eprintln!("paged {N} clients twice in {:?}", started.elapsed());
    let too_big = api
        .gql(
            "phsb_bulk",
            CLIENTS_PAGE,
            json!({ "clinic": "bulk", "first": 1001 }),
        )
        .await;
    assert_eq!(
        too_big.code(),
        Some("BAD_REQUEST"),
        "first above maxPageSize"
    );

    // Change three clients and one other client's patient; only those four come back.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let updates: Vec<Value> = [17, 5000, N - 1]
        .iter()
        .map(|i| json!({ "id": ids[*i].to_string(), "city": "Changed" }))
        .collect();
    let updated = api
        .gql(
            "phsb_bulk",
            &update_clients_query(),
            batch("bulk", "run-u", "u", "clients", json!(updates)),
        )
        .await;
    assert_eq!(statuses(updated.data("updateClients")), ["UPDATED"; 3]);
    let (pet_owner, pets) = &seen[9000];
    let pet = api
        .gql(
            "phsb_bulk",
            &update_patients_query(),
            batch(
                "bulk",
                "run-u",
                "p",
                "patients",
                json!([{ "id": pets[0], "weightKg": 4.2 }]),
            ),
        )
        .await;
    assert_eq!(statuses(pet.data("updatePatients")), ["UPDATED"]);

    let (recent, _, total) = page_all(Some(since.clone()), 2).await;
    let recent: Vec<i64> = recent.iter().map(|(id, _)| *id).collect();
    let mut expected: Vec<i64> = vec![ids[17], ids[5000], ids[N - 1], *pet_owner];
    expected.sort_unstable();
    assert_eq!(recent, expected);
    assert_eq!(total, 4);

    // A cursor this server never gave is refused.
    let bad = api
        .gql(
            "phsb_bulk",
            CLIENTS_PAGE,
            json!({ "clinic": "bulk", "after": "not-a-cursor" }),
        )
        .await;
    assert_eq!(bad.code(), Some("BAD_REQUEST"));
    let bad_time = api
        .gql(
            "phsb_bulk",
            CLIENTS_PAGE,
            json!({ "clinic": "bulk", "since": "yesterday" }),
        )
        .await;
    assert_eq!(bad_time.code(), Some("BAD_REQUEST"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_over_the_limit_is_refused_whole() {
    let (sandbox, api) = start(SandboxConfig {
        limits: Limits {
            max_batch_size: 5,
            max_page_size: 50,
        },
        ..SandboxConfig::default()
    })
    .await;
    let info = api
        .gql(
            IMPORTER,
            "{ apiInfo { maxBatchSize maxPageSize } }",
            json!({}),
        )
        .await;
    assert_eq!(
        info.data("apiInfo"),
        &json!({ "maxBatchSize": 5, "maxPageSize": 50 })
    );
    let before = counts(&sandbox);
    let six: Vec<Value> = (0..6)
        .map(|i| client_input(&format!("L-{i}"), "Lim", "It"))
        .collect();
    let refused = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch("riverside", "run-1", "big", "clients", json!(six)),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (200, Some("BATCH_TOO_LARGE"))
    );
    assert_eq!(counts(&sandbox), before);
    // Nothing was stored under the key: the right-sized batch may use it.
    let five = json!(six[..5].to_vec());
    let accepted = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch("riverside", "run-1", "big", "clients", five),
        )
        .await;
    assert_eq!(statuses(accepted.data("createClients")), ["CREATED"; 5]);
    let pets: Vec<Value> = (0..6)
        .map(|_| json!({ "clientId": "1", "name": "P", "species": "cat" }))
        .collect();
    let refused = api
        .gql(
            IMPORTER,
            &create_patients_query(),
            batch("riverside", "run-1", "bigp", "patients", json!(pets)),
        )
        .await;
    assert_eq!(refused.code(), Some("BATCH_TOO_LARGE"));
    let page = api
        .gql(
            IMPORTER,
            CLIENTS_PAGE,
            json!({ "clinic": "riverside", "first": 51 }),
        )
        .await;
    assert_eq!(page.code(), Some("BAD_REQUEST"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_rate_limit_errors_drops_and_latency() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let query = "{ apiInfo { version } }";

    sandbox.set_faults(Faults {
        rate_limit_per_sec: Some(3),
        ..Faults::default()
    });
    let mut limited = None;
    let mut served = 0;
    for _ in 0..10 {
        let answer = api.gql(IMPORTER, query, json!({})).await;
        if answer.status == 429 {
            limited = Some(answer);
            break;
        }
        served += 1;
    }
    let limited = limited.expect("a 429 within 10 quick requests");
    assert!(
        (3..=6).contains(&served),
        "{served} served before the limit"
    );
    assert_eq!(limited.code(), Some("RATE_LIMITED"));
    let retry_after: u64 = limited
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After in seconds");
    assert_eq!(retry_after, 1);
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(api.gql(IMPORTER, query, json!({})).await.status, 200);

    sandbox.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let unavailable = api.gql(IMPORTER, query, json!({})).await;
    assert_eq!(
        (unavailable.status, unavailable.code()),
        (503, Some("UNAVAILABLE"))
    );
    // Mutations are refused before they change anything.
    let before = counts(&sandbox);
    let refused = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch(
                "riverside",
                "r",
                "f1",
                "clients",
                json!([client_input("F-1", "F", "F")]),
            ),
        )
        .await;
    assert_eq!(refused.status, 503);
    assert_eq!(counts(&sandbox), before);
    // The health check is never faulted.
    let health = api
        .http
        .get(format!("{}/health", sandbox.url()))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);

    sandbox.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    // The connection closes before any response: `send` itself fails.
    let dropped = api
        .http
        .post(&api.url)
        .bearer_auth(IMPORTER)
        .json(&json!({ "query": query }))
        .send()
        .await;
    let error = dropped.expect_err("no response on a dropped connection");
    assert!(error.is_request() && error.status().is_none(), "{error:?}");
    eprintln!("dropped connection: {error:?}");

    // A seeded half-and-half error rate fails the same requests on every run.
    let outcomes = || async {
        sandbox.set_faults(Faults {
            error_rate: 0.5,
            seed: 42,
            ..Faults::default()
        });
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(api.gql(IMPORTER, query, json!({})).await.status);
        }
        statuses
    };
    let first = outcomes().await;
    assert_eq!(first, outcomes().await);
    assert!(first.contains(&200) && first.contains(&503), "{first:?}");

    sandbox.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    assert_eq!(sandbox.faults().latency_ms, 150);
    let started = Instant::now();
    assert_eq!(api.gql(IMPORTER, query, json!({})).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));

    sandbox.set_faults(Faults::default());
    assert_eq!(api.gql(IMPORTER, query, json!({})).await.status, 200);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn api_data_and_idempotency_keys_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = SandboxConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..SandboxConfig::default()
    };
    let variables = batch(
        "riverside",
        "run-keep",
        "keep-1",
        "clients",
        json!([client_input("S-1", "Sue", "Stays")]),
    );
    let (first, api) = start(config.clone()).await;
    let created = api
        .gql(IMPORTER, &create_clients_query(), variables.clone())
        .await;
    let id = created.data("createClients")["items"][0]["client"]["id"].clone();
    let before = counts(&first);
    first.shutdown().await;

    let (second, api) = start(config).await;
    assert_eq!(counts(&second), before);
    let page = api
        .gql(
            IMPORTER,
            CLIENTS_PAGE,
            json!({ "clinic": "riverside", "first": 1000 }),
        )
        .await;
    let found = page.data("clients")["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .any(|n| n["id"] == id && n["externalId"] == "S-1");
    assert!(found, "the created client is still there");
    let replay = api.gql(IMPORTER, &create_clients_query(), variables).await;
    let replay = replay.data("createClients");
    assert_eq!(
        (
            replay["replayed"].as_bool(),
            &replay["items"][0]["client"]["id"]
        ),
        (Some(true), &id)
    );
    assert_eq!(counts(&second), before);
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_import_run_removes_exactly_what_the_run_created() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let start_counts = counts(&sandbox);

    // Run A creates three clients (one invalid), pets for two of them and one for a stored
    // client, and updates a stored client.
    let created = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch(
                "riverside",
                "run-A",
                "a1",
                "clients",
                json!([
                    client_input("A-1", "Al", "One"),
                    client_input("A-2", "Amy", "Two"),
                    client_input("A-3", "Abe", "Three"),
                    client_input("A-4", "", ""),
                ]),
            ),
        )
        .await;
    let created = created.data("createClients");
    let id = |i: usize| {
        created["items"][i]["client"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (a1, a2, a3) = (id(0), id(1), id(2));
    let pets = api
        .gql(
            IMPORTER,
            &create_patients_query(),
            batch(
                "riverside",
                "run-A",
                "a2",
                "patients",
                json!([
                    { "clientId": a1, "name": "Pip", "species": "dog" },
                    { "clientId": a2, "name": "Pia", "species": "cat" },
                    { "clientId": "1", "name": "Pod", "species": "rabbit" },
                ]),
            ),
        )
        .await;
    assert_eq!(statuses(pets.data("createPatients")), ["CREATED"; 3]);
    let update = api
        .gql(
            IMPORTER,
            &update_clients_query(),
            batch(
                "riverside",
                "run-A",
                "a3",
                "clients",
                json!([{ "id": "1", "city": "Decatur" }]),
            ),
        )
        .await;
    assert_eq!(statuses(update.data("updateClients")), ["UPDATED"]);
    // Run B adds a pet to one of run A's clients, and a run in another clinic adds a client.
    let other = api
        .gql(
            IMPORTER,
            &create_patients_query(),
            batch(
                "riverside",
                "run-B",
                "b1",
                "patients",
                json!([{ "clientId": a2, "name": "Bee", "species": "bird" }]),
            ),
        )
        .await;
    assert_eq!(statuses(other.data("createPatients")), ["CREATED"]);
    let harbor = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch(
                "harbor-cats",
                "run-A",
                "h1",
                "clients",
                json!([client_input("HA-1", "Hu", "Harbor")]),
            ),
        )
        .await;
    assert_eq!(statuses(harbor.data("createClients")), ["CREATED"]);
    let (clinics, clients, patients) = counts(&sandbox);
    assert_eq!(
        (clients, patients),
        (start_counts.1 + 4, start_counts.2 + 4)
    );

    let undo = api
        .gql(IMPORTER, DELETE_RUN, json!({ "input": { "clinicId": "riverside", "importRunId": "run-A", "idempotencyKey": "undo-A" } }))
        .await;
    assert_eq!(
        undo.data("deleteImportRun"),
        &json!({ "clientsDeleted": 2, "patientsDeleted": 3, "clientsKept": 1, "replayed": false })
    );
    // Left: a2 (holds run B's pet) with that pet, the harbor client, the stored client's update.
    assert_eq!(
        counts(&sandbox),
        (clinics, start_counts.1 + 2, start_counts.2 + 1)
    );
    let page = api
        .gql(IMPORTER, &format!("query($c: ID!) {{ clients(clinicId: $c, first: 1000) {{ nodes {{ {CLIENT_FIELDS} }} }} }}"), json!({ "c": "riverside" }))
        .await;
    let nodes = page.data("clients")["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    let find = |id: &str| nodes.iter().find(|n| n["id"] == id).cloned();
    assert!(find(&a1).is_none() && find(&a3).is_none());
    let kept = find(&a2).expect("a2 kept");
    assert_eq!(
        kept["patients"],
        json!([{ "id": kept["patients"][0]["id"], "externalId": null, "name": "Bee" }])
    );
    let stored = find("1").expect("the stored client stays");
    assert_eq!(stored["city"], "Decatur", "updates are not undone");
    assert!(stored["patients"]
        .as_array()
        .expect("pets")
        .iter()
        .all(|p| p["name"] != "Pod"));

    // Undoing a run that created nothing deletes nothing.
    let nothing = api
        .gql(IMPORTER, DELETE_RUN, json!({ "input": { "clinicId": "riverside", "importRunId": "run-none", "idempotencyKey": "undo-none" } }))
        .await;
    assert_eq!(nothing.data("deleteImportRun")["clientsDeleted"], 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_bad_request_codes() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    let unknown_field = api.gql(IMPORTER, "{ nope }", json!({})).await;
    assert_eq!(
        (unknown_field.status, unknown_field.code()),
        (200, Some("BAD_REQUEST"))
    );
    let missing_input = api
        .gql(
            IMPORTER,
            "mutation { createClients { replayed } }",
            json!({}),
        )
        .await;
    assert_eq!(missing_input.code(), Some("BAD_REQUEST"));
    let not_json = api
        .http
        .post(&api.url)
        .bearer_auth(IMPORTER)
        .body("query=me")
        .send()
        .await
        .expect("answer");
    assert_eq!(not_json.status(), 400);
    let body: Value = not_json.json().await.expect("json");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    let empty_run = api
        .gql(
            IMPORTER,
            &create_clients_query(),
            batch("riverside", "", "k", "clients", json!([])),
        )
        .await;
    assert_eq!(empty_run.code(), Some("BAD_REQUEST"));
    let no_clinic = api
        .gql(
            IMPORTER,
            "{ clients(clinicId: \"riverside\", first: 0) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(no_clinic.code(), Some("BAD_REQUEST"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinic_named_by_the_token_but_missing_is_not_found() {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    sandbox
        .add_token(&DemoToken {
            name: "Ghost clinic".into(),
            token: "phsb_ghost".into(),
            role: "importer".into(),
            clinics: vec!["ghost".into()],
        })
        .expect("token");
    let read = api
        .gql("phsb_ghost", "{ clinic(id: \"ghost\") { id } }", json!({}))
        .await;
    assert_eq!((read.status, read.code()), (200, Some("NOT_FOUND")));
    let write = api
        .gql(
            "phsb_ghost",
            &create_clients_query(),
            batch(
                "ghost",
                "r",
                "k",
                "clients",
                json!([client_input("G", "G", "G")]),
            ),
        )
        .await;
    assert_eq!(write.code(), Some("NOT_FOUND"));
    let me = api
        .gql("phsb_ghost", "{ me { clinics { id } } }", json!({}))
        .await;
    assert_eq!(me.data("me")["clinics"], json!([]));
    assert!(sandbox
        .add_token(&DemoToken {
            name: "bad".into(),
            token: "x".into(),
            role: "admin".into(),
            clinics: vec![],
        })
        .is_err());
    sandbox.shutdown().await;
}
