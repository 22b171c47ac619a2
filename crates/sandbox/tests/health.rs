//! The sandbox starts, in-process and as a binary, and answers its health check over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// A plain HTTP/1.1 GET, so the test depends on no HTTP client of ours.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[tokio::test(flavor = "multi_thread")]
async fn in_process_sandbox_answers_health() {
    let running = ph_sandbox::start(ph_sandbox::SandboxConfig::default())
        .await
        .expect("starts");
    assert!(running.url().starts_with("http://127.0.0.1:"));
    let addr = running.addr().to_string();
    let (status, body) = tokio::task::spawn_blocking(move || get(&addr, "/health"))
        .await
        .expect("join");
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["status"], "ok");
    assert_eq!(json["service"], "ph-sandbox");
    assert_eq!(json["counts"]["clinics"], 3);
    assert!(json["counts"]["clients"].as_u64().is_some_and(|n| n >= 50));
    assert_eq!(running.demo_tokens().len(), 3);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_survives_a_restart_when_a_data_folder_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = ph_sandbox::SandboxConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..ph_sandbox::SandboxConfig::default()
    };
    let first = ph_sandbox::start(config.clone()).await.expect("starts");
    let before = first.counts().expect("counts");
    first.shutdown().await;
    // Seeding again must not double the demo data.
    let second = ph_sandbox::start(config).await.expect("restarts");
    let after = second.counts().expect("counts");
    assert_eq!(
        (before.clinics, before.clients, before.patients),
        (after.clinics, after.clients, after.patients)
    );
    second.shutdown().await;
    let empty = ph_sandbox::start(ph_sandbox::SandboxConfig {
        seed_demo: false,
        ..Default::default()
    })
    .await
    .expect("starts empty");
    assert_eq!(empty.counts().expect("counts").clients, 0);
    assert!(empty.demo_tokens().is_empty());
    empty.shutdown().await;
}

#[test]
fn the_binary_prints_its_url_and_answers_health() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .args(["--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let first = BufReader::new(stdout)
        .lines()
        .next()
        .expect("a line")
        .expect("text");
    let url = first.rsplit(' ').next().expect("url").to_owned();
    let addr = url.trim_start_matches("http://").to_owned();
    let (status, body) = get(&addr, "/health");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{first}");
    assert!(body.contains("\"ok\""), "{body}");
}

#[test]
fn help_describes_the_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .arg("--help")
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--addr",
        "--data-dir",
        "--no-seed",
        "--max-batch-size",
        "--max-page-size",
        "--error-rate",
        "--latency-ms",
        "--drop-rate",
        "--rate-limit",
        "--fault-seed",
        "--print-schema",
    ] {
        assert!(text.contains(option), "{text}");
    }
}

#[test]
fn the_binary_prints_the_schema_and_refuses_a_rate_outside_0_to_1() {
    let out = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .arg("--print-schema")
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ph_sandbox::schema_sdl()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .args(["--error-rate", "1.5"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("between 0.0 and 1.0"));
}

#[test]
fn the_binary_prints_its_tokens_and_injects_faults_from_its_flags() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--error-rate",
            "1",
            "--fault-seed",
            "3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let lines: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|l| !l.starts_with("Press Ctrl+C"))
        .collect();
    let url = lines[0].rsplit(' ').next().expect("url").to_owned();
    let addr = url.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&addr).expect("connect");
    let body = r#"{"query":"{ me { name } }"}"#;
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer phsb_importer_demo\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let _ = child.kill();
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(text.contains("/graphql"), "{text}");
    assert!(text.contains("Injecting faults: error rate 1"), "{text}");
    for token in [
        "phsb_importer_demo",
        "phsb_readonly_demo",
        "phsb_importer_harbor",
    ] {
        assert!(text.contains(token), "{text}");
    }
    assert!(response.starts_with("HTTP/1.1 503"), "{response}");
    assert!(response.contains("UNAVAILABLE"), "{response}");
}

/// A plain HTTP/1.1 POST of a GraphQL query with a bearer token.
fn graphql(addr: &str, token: &str, query: &str) -> String {
    let body = serde_json::json!({ "query": query }).to_string();
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn the_binary_adds_a_clinic_and_a_token_from_its_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .args(["--addr", "127.0.0.1:0", "--no-seed", "--data-dir"])
        .arg(dir.path())
        .args([
            "--add-clinic",
            "lakeside",
            "--clinic-name",
            "Lakeside Vets",
            "--clinic-country",
            "ca",
            "--requires-email",
            "--add-token",
            "phsb_lakeside_reader",
            "--token-role",
            "read_only",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("text");
    let addr = first
        .rsplit(' ')
        .next()
        .expect("url")
        .trim_start_matches("http://")
        .to_owned();
    let printed: Vec<String> = lines.by_ref().take(4).map(|l| l.expect("text")).collect();
    let answer = graphql(
        &addr,
        "phsb_lakeside_reader",
        "{ me { name role clinics { id name country requiresEmail } } }",
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        printed
            .iter()
            .any(|l| l.contains("Added clinic lakeside (Lakeside Vets, CA, e-mail required)")),
        "{printed:?}"
    );
    assert!(
        printed
            .iter()
            .any(|l| l.contains("Added token phsb_lakeside_reader (read_only) for lakeside")),
        "{printed:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    for part in [
        "READ_ONLY",
        "\"lakeside\"",
        "Lakeside Vets",
        "\"CA\"",
        "\"requiresEmail\":true",
    ] {
        assert!(answer.contains(part), "{part} not in {answer}");
    }
    // A token needs clinics.
    let out = Command::new(env!("CARGO_BIN_EXE_ph-sandbox"))
        .args([
            "--addr",
            "127.0.0.1:0",
            "--no-seed",
            "--add-token",
            "phsb_lonely_token",
        ])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token-clinic"));
}
