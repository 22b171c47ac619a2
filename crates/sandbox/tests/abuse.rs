//! Hostile requests: an alias flood, fragment and bracket bombs, over-deep, over-costly and
//! oversized requests are refused quickly with an error that says which limit was hit and
//! what to do; every operation the client sends still passes at the largest page and batch;
//! and /health stays fast while abusive requests run.

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::*;
use ph_sandbox::{DemoToken, SandboxConfig};
use serde_json::{json, Value};

const TOKEN: &str = "phsb_abuse";

/// A sandbox with a clinic "bulk" of `clients` generated clients, and a token for it.
async fn bulk_sandbox(clients: usize) -> (ph_sandbox::RunningSandbox, Api) {
    let (sandbox, api) = start(SandboxConfig::default()).await;
    sandbox
        .add_clinic("bulk", "Bulk Clinic", "US", false)
        .expect("clinic");
    sandbox
        .add_token(&DemoToken {
            name: "Abuse tests".into(),
            token: TOKEN.into(),
            role: "importer".into(),
            clinics: vec!["bulk".into()],
        })
        .expect("token");
    if clients > 0 {
        sandbox.seed_bulk("bulk", clients).expect("seed");
    }
    (sandbox, api)
}

/// POSTs a body as it is; returns the status and the JSON answer.
async fn post_raw(api: &Api, body: Vec<u8>) -> (u16, Value) {
    let response = api
        .http
        .post(&api.url)
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the sandbox answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

/// The report's attack: 46,000 aliases of `clients(...)`, each spreading an 8-field fragment.
fn alias_flood() -> Vec<u8> {
    let aliases: String = (0..46_000)
        .map(|i| format!("a{i}:clients(clinicId:$c){{...F}} "))
        .collect();
    let query = format!(
        "query($c:ID!){{{aliases}}} fragment F on ClientConnection{{totalCount nodes{{id firstName lastName email phone city}}}}"
    );
    serde_json::to_vec(&json!({ "query": query, "variables": { "c": "bulk" } })).expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn an_alias_flood_is_refused_quickly_with_the_limit_and_what_to_do() {
    let (sandbox, api) = bulk_sandbox(30).await;
    let body = alias_flood();
    assert!(body.len() > 1_500_000 && body.len() < 2 * 1024 * 1024);
    let started = Instant::now();
    let (status, answer) = post_raw(&api, body).await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert!(answer["data"].is_null());
    assert_eq!(
        message(&answer),
        "the query asks for 46008 fields; at most 500 are allowed per request (every alias \
         counts, and so does every field of a fragment each time it is spread): split it into \
         several requests"
    );
    // Before the limits this took 42 s and answered 183 MB; the bound is generous.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    eprintln!("46,000 aliases refused in {took:?}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_costly_and_self_multiplying_queries_are_refused() {
    let (sandbox, api) = bulk_sandbox(0).await;
    let send = |query: String| {
        let api = &api;
        async move {
            let started = Instant::now();
            let answer = api.gql(TOKEN, &query, json!({})).await;
            assert!(started.elapsed() < Duration::from_secs(5));
            assert_eq!(answer.code(), Some("BAD_REQUEST"), "{}", answer.body);
            message(&answer.body).to_owned()
        }
    };

    let deep = format!("{{ {}id{} }}", "me { ".repeat(13), " }".repeat(13));
    assert_eq!(
        send(deep).await,
        "the query nests fields 14 deep; at most 12 levels are allowed: ask for less nested data"
    );

    // 50 pages of 1000 clients, one field each: 50 × (1000 × 2 + 1) = 100,050.
    let pages = |n: usize| -> String {
        let aliases: String = (0..n)
            .map(|i| {
                format!("p{i}: clients(clinicId: \"bulk\", first: 1000) {{ nodes {{ id }} }} ")
            })
            .collect();
        format!("{{ {aliases} }}")
    };
    assert_eq!(
        send(pages(50)).await,
        "the query costs 100050; at most 100000 is allowed per request (every field costs 1, and \
         a page of clients costs its `first`, 500 by default, times the fields selected in it): \
         ask for fewer clients per page (`first` up to apiInfo.maxPageSize, 1000), fewer \
         fields, or split the query into several requests"
    );
    let allowed = api.gql(TOKEN, &pages(49), json!({})).await;
    assert_eq!(allowed.data("p48")["nodes"], json!([]));

    // Each fragment spreads the next twice: 2^24 fields from a 1.5 KB query.
    let mut bomb = String::from("{ ...F0 }");
    for i in 0..24 {
        bomb.push_str(&format!(
            " fragment F{i} on Query {{ ...F{} ...F{} }}",
            i + 1,
            i + 1
        ));
    }
    bomb.push_str(" fragment F24 on Query { apiInfo { version } }");
    assert!(send(bomb)
        .await
        .starts_with("the query asks for 33554432 fields; at most 500"));

    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { me { name } ...A }";
    assert_eq!(
        send(cycle.into()).await,
        "fragment A is spread inside itself (directly or through other fragments); remove the cycle"
    );

    let brackets = format!(
        "{{ clinic(id: {}\"bulk\"{}) {{ id }} }}",
        "[".repeat(500_000),
        "]".repeat(500_000)
    );
    assert_eq!(
        send(brackets).await,
        "the query nests brackets more than 32 deep; at most 32 levels are allowed: ask for \
         less nested data, and pass input values as variables"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_is_refused_with_413_before_it_is_read_whole() {
    let (sandbox, api) = bulk_sandbox(0).await;
    let padding = "x".repeat(3 * 1024 * 1024);
    let body =
        serde_json::to_vec(&json!({ "query": "{ me { name } }", "variables": { "p": padding } }))
            .expect("json");
    let size = body.len();
    let (status, answer) = post_raw(&api, body).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    assert_eq!(
        message(&answer),
        format!(
            "the request body may be at most 2 MiB (2097152 bytes); this one is {size} bytes: \
             send fewer items per batch (apiInfo.maxBatchSize) or split the request"
        )
    );

    // Without a Content-Length (chunked), it is cut off at the limit.
    let addr = sandbox.addr();
    let (status, text) = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let chunk = 3 * 1024 * 1024;
        write!(
            stream,
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{chunk:x}\r\n"
        )
        .expect("headers");
        // Just past the limit; the rest is never needed.
        let _ = stream.write_all(&vec![b' '; 2 * 1024 * 1024 + 64 * 1024]);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status: u16 = text
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, text)
    })
    .await
    .expect("join");
    assert_eq!(status, 413, "{text}");
    assert!(
        text.contains(
            "the request body may be at most 2 MiB (2097152 bytes); this one is larger than that"
        ),
        "{text}"
    );
    sandbox.shutdown().await;
}

/// The client's operation documents, as it sends them (crates/core/src/ph/operations).
fn client_operations() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src/ph/operations");
    let mut operations: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .map(|path| {
            let name = path
                .file_stem()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read_to_string(&path).expect("read"))
        })
        .collect();
    operations.sort();
    assert!(operations.len() >= 9, "{}", dir.display());
    operations
}

/// `n` characters of a 3-byte UTF-8 letter: the longest text a field allows, in bytes.
fn longest(n: usize) -> String {
    "漢".repeat(n)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_the_client_sends_passes_at_the_largest_page_and_batch() {
    let (sandbox, api) = bulk_sandbox(1000).await;
    let batch = sandbox.limits().max_batch_size;
    let page = sandbox.limits().max_page_size;
    let input = |key: &str, field: &str, items: Vec<Value>| json!({ "input": { "clinicId": "bulk", "importRunId": "run-max", "idempotencyKey": key, field: items } });
    let clients: Vec<Value> = (0..batch)
        .map(|i| {
            json!({
                "externalId": format!("{i:0>100}"),
                "firstName": longest(200), "lastName": longest(200),
                "email": format!("{}@{}.example.com", "a".repeat(90), "b".repeat(90)),
                "phone": "+12175550143", "phoneAlt": "+12175550144",
                "address1": longest(200), "address2": longest(200), "city": longest(200),
                "state": longest(200), "postalCode": longest(200), "country": "US", "active": true,
            })
        })
        .collect();
    let mut sent: Vec<(String, usize)> = Vec::new();
    let mut send = |name: &str, document: &str, variables: Value| {
        let body = serde_json::to_vec(
            &json!({ "query": document, "variables": variables, "operationName": name }),
        )
        .expect("json");
        sent.push((name.to_owned(), body.len()));
        let api = &api;
        let name = name.to_owned();
        async move {
            let (status, answer) = post_raw(api, body).await;
            assert_eq!(status, 200, "{name}: {answer}");
            assert!(answer["errors"].is_null(), "{name}: {}", answer["errors"]);
            answer["data"].clone()
        }
    };
    let operations = client_operations();
    let document = |name: &str| {
        operations
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("the client has no operation {name}"))
    };

    let created = send(
        "CreateClients",
        &document("CreateClients"),
        input("c", "clients", clients),
    )
    .await;
    let items = created["createClients"]["items"].as_array().expect("items");
    assert_eq!(items.len(), batch);
    assert!(
        items.iter().all(|i| i["status"] == "CREATED"),
        "{}",
        items[0]
    );
    let ids: Vec<String> = items
        .iter()
        .map(|i| i["client"]["id"].as_str().expect("id").to_owned())
        .collect();
    let updates: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "id": id, "firstName": longest(199), "city": longest(199), "state": longest(199) }))
        .collect();
    let updated = send(
        "UpdateClients",
        &document("UpdateClients"),
        input("u", "clients", updates),
    )
    .await;
    assert!(updated["updateClients"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|i| i["status"] == "UPDATED"));
    let patients: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({
                "clientId": id, "externalId": format!("p{i:0>99}"), "name": longest(200),
                "species": "dog", "breed": longest(200), "sex": "female", "neutered": true,
                "dateOfBirth": "2019-05-01", "weightKg": 12.5, "color": longest(200),
                "microchip": "9".repeat(32), "deceased": false,
            })
        })
        .collect();
    let created = send(
        "CreatePatients",
        &document("CreatePatients"),
        input("p", "patients", patients),
    )
    .await;
    let pets: Vec<String> = created["createPatients"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["patient"]["id"].as_str().expect("created").to_owned())
        .collect();
    let pet_updates: Vec<Value> = pets
        .iter()
        .map(|id| json!({ "id": id, "name": longest(199), "color": longest(199) }))
        .collect();
    let updated = send(
        "UpdatePatients",
        &document("UpdatePatients"),
        input("q", "patients", pet_updates),
    )
    .await;
    assert!(updated["updatePatients"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|i| i["status"] == "UPDATED"));

    let full = send(
        "ClientsPage",
        &document("ClientsPage"),
        json!({ "clinicId": "bulk", "first": page }),
    )
    .await;
    assert_eq!(
        full["clients"]["nodes"].as_array().map(Vec::len),
        Some(page)
    );
    let last = send(
        "ClientsPage",
        &document("ClientsPage"),
        json!({ "clinicId": "bulk", "first": page, "after": full["clients"]["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(
        last["clients"]["nodes"].as_array().map(Vec::len),
        Some(batch)
    );
    send("Me", &document("Me"), json!({})).await;
    send("ApiInfo", &document("ApiInfo"), json!({})).await;
    send("Clinic", &document("Clinic"), json!({ "id": "bulk" })).await;
    let undone = send(
        "DeleteImportRun",
        &document("DeleteImportRun"),
        json!({ "input": { "clinicId": "bulk", "importRunId": "run-max", "idempotencyKey": "d" } }),
    )
    .await;
    assert_eq!(undone["deleteImportRun"]["clientsDeleted"], batch);
    let (name, largest) = sent.iter().max_by_key(|(_, n)| *n).expect("sent").clone();
    eprintln!("largest body: {name}, {largest} bytes");
    // The largest batch possible, every field at its longest in 3-byte characters, stays
    // well under the 2 MiB limit.
    assert!(largest * 5 / 4 < 2 * 1024 * 1024, "{name}: {largest} bytes");

    // Operations the client may add later: whatever else they hit, not a request limit.
    for (name, document) in &operations {
        let answer = api.gql(TOKEN, document, json!({})).await;
        let text = message(&answer.body);
        for limit in [
            "fields; at most",
            "deep; at most",
            "the query costs",
            "request body",
        ] {
            assert!(!text.contains(limit), "{name}: {text}");
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn health_answers_fast_while_abusive_queries_run() {
    let (sandbox, api) = bulk_sandbox(1000).await;
    let flood = alias_flood();
    // The most a request may ask: 49 pages of 1000 clients (cost 98,049), which holds the
    // database for its whole run.
    let heavy: String = (0..49)
        .map(|i| format!("p{i}: clients(clinicId: \"bulk\", first: 1000) {{ nodes {{ id }} }} "))
        .collect();
    let heavy = serde_json::to_vec(&json!({ "query": format!("{{ {heavy} }}") })).expect("json");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut attackers = Vec::new();
    for n in 0..8 {
        let body = if n % 2 == 0 {
            flood.clone()
        } else {
            heavy.clone()
        };
        let api = Api::new(&sandbox);
        let (stop, sent) = (stop.clone(), sent.clone());
        attackers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let (status, _) = post_raw(&api, body.clone()).await;
                assert_eq!(status, 200);
                sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let health = format!("{}/health", sandbox.url());
    let mut slowest = Duration::ZERO;
    for _ in 0..20 {
        let started = Instant::now();
        let response = api.http.get(&health).send().await.expect("health");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["status"], "ok");
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for attacker in attackers {
        attacker.await.expect("attacker");
    }
    let sent = sent.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("slowest /health {slowest:?} while {sent} abusive requests were answered");
    assert!(sent >= 8, "the abusive requests ran ({sent})");
    assert!(
        slowest < Duration::from_secs(1),
        "slowest /health {slowest:?}"
    );
    sandbox.shutdown().await;
}
