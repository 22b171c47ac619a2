//! Contract tests: the PH client against the real sandbox server over loopback — every
//! operation, 401/403, idempotent repeats (also after an answer lost on the wire), paging
//! over 10,000+ clients, 429 and 5xx handling, batching at the server's limit.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ph_import_core::ph::{
    BatchTarget, ClientInput, ClientOptions, ClientUpdate, CreateClientsInput, CreatePatientsInput,
    DeleteImportRunInput, ItemStatus, PatientInput, PatientUpdate, PhApi, PhError, RetryPolicy,
    Role, Token, UpdateClientsInput, UpdatePatientsInput,
};
use ph_sandbox::{Faults, Limits, RunningSandbox, SandboxConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const IMPORTER: &str = "phsb_importer_demo";
const READ_ONLY: &str = "phsb_readonly_demo";
const HARBOR_ONLY: &str = "phsb_importer_harbor";

async fn sandbox() -> RunningSandbox {
    sandbox_with(Limits::default()).await
}

async fn sandbox_with(limits: Limits) -> RunningSandbox {
    ph_sandbox::start(SandboxConfig {
        limits,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(20),
        retry: RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        max_concurrency: 4,
    }
}

fn api(url: &str, token: &str) -> PhApi {
    PhApi::new(
        "sandbox-test",
        url,
        &Token::parse(token).unwrap(),
        &options(),
    )
    .unwrap()
}

fn person(external_id: &str, first: &str, last: &str) -> ClientInput {
    ClientInput {
        external_id: Some(external_id.into()),
        first_name: first.into(),
        last_name: last.into(),
        email: Some(format!("{}.{}@example.com", first, last).to_lowercase()),
        phone: Some("+12175550199".into()),
        city: Some("Springfield".into()),
        country: Some("US".into()),
        ..ClientInput::default()
    }
}

#[tokio::test]
async fn every_operation_through_the_client() {
    let server = sandbox().await;
    let api = api(&server.url(), IMPORTER);

    let me = api.me().await.unwrap();
    assert_eq!(me.role, Role::Importer);
    let clinic_ids: HashSet<_> = me.clinics.iter().map(|c| c.id.as_str()).collect();
    assert!(clinic_ids.contains("riverside"));

    let info = api.api_info().await.unwrap();
    assert!(info.max_batch_size >= 1 && info.max_page_size >= 1);

    let before = api.clinic("riverside").await.unwrap();
    assert_eq!(before.name, "Riverside Animal Hospital");
    let existing = api.clients("riverside", None).collect_all().await.unwrap();
    assert_eq!(existing.len() as u64, before.client_count);
    // The demo data was written when the sandbox started: let the clock move past it.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let start = chrono::Utc::now();

    // Create two clients, then a patient for each.
    let created = api
        .create_clients(&CreateClientsInput {
            clinic_id: "riverside".into(),
            import_run_id: "run-every-op".into(),
            idempotency_key: "every-op-clients".into(),
            clients: vec![
                person("T-1", "Tess", "Tester"),
                person("T-2", "Theo", "Tester"),
            ],
        })
        .await
        .unwrap();
    assert!(!created.replayed);
    assert_eq!(created.items.len(), 2);
    let mut ids = Vec::new();
    for (i, item) in created.items.iter().enumerate() {
        assert_eq!(item.index, i);
        assert_eq!(item.status, ItemStatus::Created, "{:?}", item.error);
        let client = item.client.as_ref().unwrap();
        assert_eq!(client.import_run_id.as_deref(), Some("run-every-op"));
        assert_eq!(
            client.created_by_import_run.as_deref(),
            Some("run-every-op")
        );
        ids.push(client.id.clone());
    }
    let patients = api
        .create_patients(&CreatePatientsInput {
            clinic_id: "riverside".into(),
            import_run_id: "run-every-op".into(),
            idempotency_key: "every-op-patients".into(),
            patients: ids
                .iter()
                .map(|id| PatientInput {
                    client_id: id.clone(),
                    external_id: Some(format!("P-{id}")),
                    name: "Biscuit".into(),
                    species: "dog".into(),
                    date_of_birth: Some("2019-04".into()),
                    weight_kg: Some(12.5),
                    ..PatientInput::default()
                })
                .collect(),
        })
        .await
        .unwrap();
    assert!(patients
        .items
        .iter()
        .all(|p| p.status == ItemStatus::Created));
    let patient_id = patients.items[0].patient.as_ref().unwrap().id.clone();

    // Update: a change, an identical value (unchanged), and an unknown id (per-item error).
    let updated = api
        .update_clients(&UpdateClientsInput {
            clinic_id: "riverside".into(),
            import_run_id: "run-every-op".into(),
            idempotency_key: "every-op-update".into(),
            clients: vec![
                ClientUpdate {
                    id: ids[0].clone(),
                    city: Some("Shelbyville".into()),
                    ..ClientUpdate::default()
                },
                ClientUpdate {
                    id: ids[1].clone(),
                    city: Some("Springfield".into()),
                    ..ClientUpdate::default()
                },
                ClientUpdate {
                    id: "999999999".into(),
                    city: Some("Nowhere".into()),
                    ..ClientUpdate::default()
                },
            ],
        })
        .await
        .unwrap();
    let statuses: Vec<_> = updated.items.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        [
            ItemStatus::Updated,
            ItemStatus::Unchanged,
            ItemStatus::Error
        ]
    );
    assert_eq!(
        updated.items[0].client.as_ref().unwrap().city.as_deref(),
        Some("Shelbyville")
    );
    assert!(updated.items[2].error.is_some());

    let patient_update = api
        .update_patients(&UpdatePatientsInput {
            clinic_id: "riverside".into(),
            import_run_id: "run-every-op".into(),
            idempotency_key: "every-op-patient-update".into(),
            patients: vec![PatientUpdate {
                id: patient_id,
                neutered: Some(true),
                ..PatientUpdate::default()
            }],
        })
        .await
        .unwrap();
    assert_eq!(patient_update.items[0].status, ItemStatus::Updated);
    assert_eq!(
        patient_update.items[0].patient.as_ref().unwrap().neutered,
        Some(true)
    );

    // updatedSince returns exactly what this test touched.
    let changed = api
        .clients("riverside", Some(start))
        .collect_all()
        .await
        .unwrap();
    let changed_ids: HashSet<_> = changed.iter().map(|c| c.id.clone()).collect();
    assert_eq!(changed_ids, ids.iter().cloned().collect());
    assert!(changed.iter().all(|c| c.patients.len() == 1));

    // Undo removes what the run created, nothing else.
    let undone = api
        .delete_import_run(&DeleteImportRunInput {
            clinic_id: "riverside".into(),
            import_run_id: "run-every-op".into(),
            idempotency_key: "every-op-undo".into(),
        })
        .await
        .unwrap();
    assert_eq!((undone.clients_deleted, undone.patients_deleted), (2, 2));
    let after = api.clinic("riverside").await.unwrap();
    assert_eq!(after.client_count, before.client_count);
    assert_eq!(after.patient_count, before.patient_count);
}

#[tokio::test]
async fn refused_tokens_map_to_typed_errors() {
    let server = sandbox().await;
    let unknown = api(&server.url(), "not_a_token").me().await.unwrap_err();
    assert!(
        matches!(unknown, PhError::Unauthenticated { .. }),
        "{unknown}"
    );
    assert!(unknown
        .to_string()
        .contains("run `ph-import login --env sandbox-test`"));

    let input = CreateClientsInput {
        clinic_id: "riverside".into(),
        import_run_id: "run-forbidden".into(),
        idempotency_key: "forbidden-1".into(),
        clients: vec![person("F-1", "Fay", "Forbidden")],
    };
    let read_only = api(&server.url(), READ_ONLY)
        .create_clients(&input)
        .await
        .unwrap_err();
    assert!(
        matches!(read_only, PhError::Forbidden { .. }),
        "{read_only}"
    );
    let other_clinic = api(&server.url(), HARBOR_ONLY)
        .create_clients(&input)
        .await
        .unwrap_err();
    assert!(
        matches!(other_clinic, PhError::Forbidden { .. }),
        "{other_clinic}"
    );
    let reading_other_clinic = api(&server.url(), HARBOR_ONLY)
        .clinic("riverside")
        .await
        .unwrap_err();
    assert!(matches!(reading_other_clinic, PhError::Forbidden { .. }));
    // Read-only may read.
    assert!(api(&server.url(), READ_ONLY)
        .clinic("riverside")
        .await
        .is_ok());
}

#[tokio::test]
async fn repeating_a_mutation_with_its_key_changes_nothing() {
    let server = sandbox().await;
    let api = api(&server.url(), IMPORTER);
    let before = server.counts().unwrap();
    let input = CreateClientsInput {
        clinic_id: "maple-grove".into(),
        import_run_id: "run-repeat".into(),
        idempotency_key: "repeat-1".into(),
        clients: vec![
            person("R-1", "Rita", "Repeat"),
            person("R-2", "Rob", "Repeat"),
        ],
    };
    let first = api.create_clients(&input).await.unwrap();
    let second = api.create_clients(&input).await.unwrap();
    assert!(!first.replayed);
    assert!(second.replayed);
    assert_eq!(first.items, second.items);
    assert_eq!(server.counts().unwrap().clients, before.clients + 2);

    let mut changed = input.clone();
    changed.clients[0].first_name = "Rosa".into();
    let err = api.create_clients(&changed).await.unwrap_err();
    assert!(matches!(err, PhError::IdempotencyKeyReused { .. }), "{err}");
    assert_eq!(server.counts().unwrap().clients, before.clients + 2);
}

/// A proxy in front of the sandbox that forwards request number `lose` (1-based) but throws
/// its answer away and closes the connection: the mutation is applied, the client never
/// hears of it, and must retry.
async fn answer_losing_proxy(
    upstream: std::net::SocketAddr,
    lose: usize,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let Some(request) = read_message(&mut client).await else {
                    return;
                };
                let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
                let mut server = TcpStream::connect(upstream).await.unwrap();
                server.write_all(&request).await.unwrap();
                let Some(answer) = read_message(&mut server).await else {
                    return;
                };
                if n == lose {
                    return; // dropping `client` closes the connection unanswered
                }
                // One request per connection keeps the proxy simple.
                let answer = String::from_utf8_lossy(&answer).replacen(
                    "\r\n",
                    "\r\nconnection: close\r\n",
                    1,
                );
                let _ = client.write_all(answer.as_bytes()).await;
                let _ = client.shutdown().await;
            });
        }
    });
    (url, count)
}

/// One HTTP/1.1 message with a Content-Length body.
async fn read_message(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                buf.truncate(end + 4 + length);
                return Some(buf);
            }
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn a_lost_answer_is_retried_without_creating_twice() {
    let server = sandbox().await;
    let (url, requests) = answer_losing_proxy(server.addr(), 1).await;
    let before = server.counts().unwrap();
    let result = api(&url, IMPORTER)
        .create_clients(&CreateClientsInput {
            clinic_id: "riverside".into(),
            import_run_id: "run-lost".into(),
            idempotency_key: "lost-answer-1".into(),
            clients: vec![person("L-1", "Lou", "Lost"), person("L-2", "Lea", "Lost")],
        })
        .await
        .unwrap();
    assert_eq!(
        requests.load(Ordering::SeqCst),
        2,
        "one lost answer, one retry"
    );
    // The retry was answered from the first, applied, request.
    assert!(result.replayed);
    assert!(result.items.iter().all(|i| i.status == ItemStatus::Created));
    assert_eq!(server.counts().unwrap().clients, before.clients + 2);
}

#[tokio::test]
async fn dropped_connections_are_retried_and_batches_create_each_client_once() {
    let server = sandbox_with(Limits {
        max_batch_size: 25,
        max_page_size: 1000,
    })
    .await;
    server.set_faults(Faults {
        drop_rate: 0.3,
        error_rate: 0.2,
        seed: 7,
        ..Faults::default()
    });
    let api = api(&server.url(), IMPORTER);
    let before = server.counts().unwrap();
    let clients: Vec<_> = (0..110)
        .map(|i| person(&format!("B-{i}"), &format!("Bea{i}"), "Batch"))
        .collect();
    let target = BatchTarget {
        clinic_id: "harbor-cats".into(),
        import_run_id: "run-batched".into(),
        key_prefix: "run-batched-clients".into(),
    };
    let report = api.create_clients_batched(&target, clients.clone()).await;
    assert!(report.is_complete(), "{:?}", report.failed);
    assert_eq!(report.items.len(), 110);
    assert!(report
        .items
        .iter()
        .enumerate()
        .all(|(i, r)| r.index == i && r.status == ItemStatus::Created));
    assert_eq!(server.counts().unwrap().clients, before.clients + 110);

    // Sending the same list again with the same keys (a resumed run) creates nothing.
    let again = api.create_clients_batched(&target, clients).await;
    assert!(again.is_complete(), "{:?}", again.failed);
    assert_eq!(server.counts().unwrap().clients, before.clients + 110);
    let first_ids: Vec<_> = report
        .items
        .iter()
        .map(|r| r.client.as_ref().unwrap().id.clone())
        .collect();
    let again_ids: Vec<_> = again
        .items
        .iter()
        .map(|r| r.client.as_ref().unwrap().id.clone())
        .collect();
    assert_eq!(first_ids, again_ids);

    // One request over the limit is refused whole.
    server.set_faults(Faults::default());
    let err = api
        .create_clients(&CreateClientsInput {
            clinic_id: "harbor-cats".into(),
            import_run_id: "run-too-big".into(),
            idempotency_key: "too-big".into(),
            clients: (0..26)
                .map(|i| person(&format!("X-{i}"), "X", "Big"))
                .collect(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, PhError::BatchTooLarge { .. }), "{err}");
}

#[tokio::test]
async fn paging_walks_more_than_ten_thousand_clients_once_each() {
    let server = sandbox().await;
    server.seed_bulk("maple-grove", 10_200).unwrap();
    let api = api(&server.url(), IMPORTER);
    let expected = api.clinic("maple-grove").await.unwrap().client_count;
    assert!(expected > 10_000);

    let mut pages = api.clients("maple-grove", None);
    let mut seen = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        page_count += 1;
        seen.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(pages.total_count(), Some(expected));
    assert_eq!(seen.len() as u64, expected);
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a client came twice");
    let info = api.api_info().await.unwrap();
    assert_eq!(
        page_count,
        expected.div_ceil(info.max_page_size as u64) as usize
    );

    // Smaller pages give the same clients in the same (stable) order.
    let small = api
        .clients("maple-grove", None)
        .page_size(777)
        .collect_all()
        .await
        .unwrap();
    let small_ids: Vec<_> = small.into_iter().map(|c| c.id).collect();
    assert_eq!(small_ids, seen);
}

#[tokio::test]
async fn rate_limits_are_waited_out_per_retry_after() {
    let server = sandbox().await;
    server.set_faults(Faults {
        rate_limit_per_sec: Some(2),
        ..Faults::default()
    });
    let api = api(&server.url(), IMPORTER);
    let started = Instant::now();
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let api = api.clone();
        calls.spawn(async move { api.clinic("riverside").await });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap().unwrap();
    }
    // 6 requests at 2 a second need at least two more windows.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn server_errors_are_retried_until_answered() {
    let server = sandbox().await;
    server.set_faults(Faults {
        error_rate: 0.5,
        seed: 3,
        ..Faults::default()
    });
    let api = api(&server.url(), IMPORTER);
    for _ in 0..20 {
        api.clinic("riverside").await.unwrap();
    }

    // Without retries the injected 503 surfaces as a server error.
    server.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let no_retry = PhApi::new(
        "sandbox-test",
        &server.url(),
        &Token::parse(IMPORTER).unwrap(),
        &ClientOptions {
            retry: RetryPolicy::none(),
            ..options()
        },
    )
    .unwrap();
    let err = no_retry.clinic("riverside").await.unwrap_err();
    assert!(
        matches!(
            err,
            PhError::Server {
                status: 503,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
}
