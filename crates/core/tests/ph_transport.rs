//! The client's transport against a scripted HTTP server: retries on dropped connections,
//! 5xx and 429 (waiting Retry-After), none on 4xx, the same body on every retry, and the
//! bearer token in the header only.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ph_import_core::ph::{
    BatchTarget, ClientInput, ClientOptions, CreateClientsInput, PhApi, PhError, RetryPolicy, Token,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does with one connection.
#[derive(Clone)]
enum Step {
    /// Reads the request, then closes without answering.
    Drop,
    /// Answers with this status, extra headers and body.
    Answer(u16, Vec<(&'static str, String)>, String),
    /// Answers `createClients` with one result per client in the request.
    Created,
}

fn json(status: u16, body: serde_json::Value) -> Step {
    Step::Answer(status, vec![], body.to_string())
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    head: String,
    body: String,
    at: Instant,
}

struct Scripted {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// Serves `steps` in order, one per connection; after the last, repeats it.
async fn serve(steps: Vec<Step>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let step = steps[n.min(steps.len() - 1)].clone();
            n += 1;
            let log = log.clone();
            tokio::spawn(async move {
                let Some((head, body)) = read_request(&mut socket).await else {
                    return;
                };
                log.lock().unwrap().push(Seen {
                    head,
                    body: body.clone(),
                    at: Instant::now(),
                });
                let step = match step {
                    Step::Created => {
                        let request: serde_json::Value = serde_json::from_str(&body).unwrap();
                        let n = request["variables"]["input"]["clients"]
                            .as_array()
                            .map_or(0, |c| c.len());
                        created(n)
                    }
                    other => other,
                };
                match step {
                    Step::Drop | Step::Created => drop(socket),
                    Step::Answer(status, headers, body) => {
                        let mut out = format!(
                            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                            body.len()
                        );
                        for (name, value) in headers {
                            out.push_str(&format!("{name}: {value}\r\n"));
                        }
                        out.push_str("\r\n");
                        out.push_str(&body);
                        let _ = socket.write_all(out.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                }
            });
        }
    });
    Scripted { url, seen }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = socket.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string();
            return Some((head, body));
        }
    }
}

fn fast_retries() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        },
        max_concurrency: 2,
    }
}

fn api(url: &str) -> PhApi {
    PhApi::new(
        "test",
        url,
        &Token::parse("tok_secret_123").unwrap(),
        &fast_retries(),
    )
    .unwrap()
}

fn api_info_answer() -> Step {
    json(
        200,
        serde_json::json!({"data": {"apiInfo": {"version": "1", "maxBatchSize": 2, "maxPageSize": 10}}}),
    )
}

fn created(n: usize) -> Step {
    let items: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({"index": i, "status": "ERROR", "client": null,
            "error": {"code": "INVALID_FIELD", "field": "email", "message": "bad"}})
        })
        .collect();
    json(
        200,
        serde_json::json!({"data": {"createClients": {"items": items, "replayed": false}}}),
    )
}

fn create_input() -> CreateClientsInput {
    CreateClientsInput {
        clinic_id: "c1".into(),
        import_run_id: "run-1".into(),
        idempotency_key: "key-1".into(),
        clients: vec![ClientInput {
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            ..ClientInput::default()
        }],
    }
}

#[tokio::test]
async fn dropped_connections_and_5xx_are_retried_with_the_same_body() {
    let server = serve(vec![
        Step::Drop,
        json(503, serde_json::json!({"errors": [{"message": "busy", "extensions": {"code": "INTERNAL"}}]})),
        created(1),
    ])
    .await;
    let result = api(&server.url)
        .create_clients(&create_input())
        .await
        .unwrap();
    assert_eq!(result.items.len(), 1);
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    // Byte-identical bodies: the idempotency key went out unchanged on every retry.
    assert!(seen.iter().all(|s| s.body == seen[0].body));
    assert!(seen[0].body.contains("\"idempotencyKey\":\"key-1\""));
    assert!(seen[0].body.contains("\"operationName\":\"CreateClients\""));
    for s in &seen {
        let auth = s
            .head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
            .unwrap();
        assert_eq!(
            auth.split_once(':').unwrap().1.trim(),
            "Bearer tok_secret_123"
        );
        assert!(!s.body.contains("tok_secret_123"));
    }
}

#[tokio::test]
async fn a_429_waits_its_retry_after() {
    let server = serve(vec![
        Step::Answer(429, vec![("Retry-After", "1".into())], "{}".into()),
        created(1),
    ])
    .await;
    api(&server.url)
        .create_clients(&create_input())
        .await
        .unwrap();
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
}

#[tokio::test]
async fn client_errors_are_not_retried_and_map_to_typed_errors() {
    let cases = [
        (
            json(
                401,
                serde_json::json!({"errors": [{"message": "no", "extensions": {"code": "UNAUTHENTICATED"}}]}),
            ),
            "UNAUTHENTICATED",
        ),
        (
            json(
                403,
                serde_json::json!({"errors": [{"message": "read-only token", "extensions": {"code": "FORBIDDEN"}}]}),
            ),
            "FORBIDDEN",
        ),
        (
            json(
                400,
                serde_json::json!({"errors": [{"message": "too many", "extensions": {"code": "BATCH_TOO_LARGE"}}]}),
            ),
            "BATCH_TOO_LARGE",
        ),
        (
            json(
                409,
                serde_json::json!({"errors": [{"message": "other body", "extensions": {"code": "IDEMPOTENCY_KEY_REUSED"}}]}),
            ),
            "IDEMPOTENCY_KEY_REUSED",
        ),
        (Step::Answer(404, vec![], "not here".into()), "BAD_REQUEST"),
        (
            json(
                200,
                serde_json::json!({"data": null, "errors": [{"message": "no clinic x", "extensions": {"code": "NOT_FOUND"}}]}),
            ),
            "NOT_FOUND",
        ),
    ];
    for (step, code) in cases {
        let server = serve(vec![step]).await;
        let err = api(&server.url)
            .create_clients(&create_input())
            .await
            .unwrap_err();
        assert_eq!(err.code(), code, "{err}");
        assert_eq!(server.seen.lock().unwrap().len(), 1, "{code} was retried");
    }
}

#[tokio::test]
async fn unauthenticated_tells_which_login_to_run() {
    let server = serve(vec![Step::Answer(401, vec![], String::new())]).await;
    let err = api(&server.url).me().await.unwrap_err();
    assert!(matches!(err, PhError::Unauthenticated { .. }));
    assert_eq!(
        err.to_string(),
        "the token for environment `test` was refused: run `ph-import login --env test`"
    );
}

#[tokio::test]
async fn persistent_5xx_gives_up_after_the_policy_attempts() {
    let server = serve(vec![Step::Answer(502, vec![], "bad gateway".into())]).await;
    let err = api(&server.url).me().await.unwrap_err();
    match err {
        PhError::Server {
            status, attempts, ..
        } => {
            assert_eq!(status, 502);
            assert_eq!(attempts, 4);
        }
        other => panic!("expected a server error, got {other}"),
    }
    assert_eq!(server.seen.lock().unwrap().len(), 4);
}

#[tokio::test]
async fn batches_are_split_at_max_batch_size_with_keys_per_batch() {
    let server = serve(vec![api_info_answer(), Step::Created]).await;
    let clients: Vec<_> = (0..5)
        .map(|i| ClientInput {
            first_name: format!("F{i}"),
            last_name: "L".into(),
            ..ClientInput::default()
        })
        .collect();
    let target = BatchTarget {
        clinic_id: "c1".into(),
        import_run_id: "run-9".into(),
        key_prefix: "run-9-clients".into(),
    };
    let report = api(&server.url)
        .create_clients_batched(&target, clients)
        .await;
    assert!(report.is_complete(), "{:?}", report.failed);
    let indexes: Vec<_> = report.items.iter().map(|r| r.index).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4]);
    let seen = server.seen.lock().unwrap().clone();
    let mut keys: Vec<String> = seen[1..]
        .iter()
        .map(|s| {
            let body: serde_json::Value = serde_json::from_str(&s.body).unwrap();
            let input = &body["variables"]["input"];
            assert!(input["clients"].as_array().unwrap().len() <= 2);
            input["idempotencyKey"].as_str().unwrap().to_owned()
        })
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["run-9-clients-0", "run-9-clients-1", "run-9-clients-2"]
    );
}

#[test]
fn plain_http_to_another_machine_is_refused_before_any_request() {
    let err = PhApi::new(
        "prod",
        "http://ph.example",
        &Token::parse("t").unwrap(),
        &ClientOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "INSECURE_OR_INVALID_URL");
    assert!(err.to_string().contains("https://"));
}

fn page(cursor: &str, next: bool) -> Step {
    json(
        200,
        serde_json::json!({"data": {"clients": {
            "totalCount": 2,
            "pageInfo": {"endCursor": cursor, "hasNextPage": next},
            "nodes": [{
                "id": "1", "clinicId": "c1", "externalId": null, "firstName": "A", "lastName": "B",
                "email": null, "phone": null, "phoneAlt": null, "address1": null, "address2": null,
                "city": null, "state": null, "postalCode": null, "country": null, "active": true,
                "createdByImportRun": null, "importRunId": null,
                "createdAt": "2026-11-23T10:00:00.000Z", "updatedAt": "2026-11-23T10:00:00.000Z",
                "patients": []
            }]
        }}}),
    )
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_stops_paging_with_an_error() {
    let server = serve(vec![page("c1", true), page("c1", true)]).await;
    let since = chrono::DateTime::parse_from_rfc3339("2026-11-01T08:30:15.123456Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let mut pages = api(&server.url).clients("c1", Some(since)).page_size(1);
    assert_eq!(pages.next_page().await.unwrap().unwrap().len(), 1);
    let err = pages.next_page().await.unwrap_err();
    assert_eq!(err.code(), "UNEXPECTED_RESPONSE", "{err}");
    let seen = server.seen.lock().unwrap().clone();
    let first: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    // The contract's form: milliseconds and Z, never later than asked.
    assert_eq!(
        first["variables"]["updatedSince"],
        "2026-11-01T08:30:15.123Z"
    );
    assert_eq!(first["variables"]["first"], 1);
    assert!(first["variables"]["after"].is_null());
    let second: serde_json::Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(second["variables"]["after"], "c1");
}
