//! A token stored with `ph-import login` must appear nowhere but in the OS keychain: not in
//! the settings, the data folder, written files, stdout/stderr or debug logs — through
//! login, whoami, a clients listing and a batch of creates against a running sandbox.
//! Needs a real Secret Service (scripts/test.sh provides one under dbus-run-session).

#![cfg(target_os = "linux")]

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use ph_import_core::ph::{
    BatchTarget, ClientInput, ClientOptions, CredentialError, CredentialStore, ItemStatus,
    KeyringStore, PhApi,
};
use ph_sandbox::{DemoToken, SandboxConfig};

fn has_session_bus() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "SKIPPED: no D-Bus session bus, so no Secret Service. Run under \
             `dbus-run-session` with `gnome-keyring-daemon --unlock` (scripts/test.sh does)."
        );
        return false;
    }
    true
}

struct Run<'a> {
    config: &'a Path,
    data: &'a Path,
    transcripts: Vec<(String, Vec<u8>)>,
}

impl Run<'_> {
    fn ph_import(&mut self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::cargo_bin("ph-import").expect("binary");
        cmd.env("PH_IMPORT_CONFIG_DIR", self.config)
            .env("PH_IMPORT_DATA_DIR", self.data)
            // Everything the tool logs, at the most verbose level.
            .env("PH_IMPORT_LOG", "trace")
            .args(args);
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let out = cmd.output().expect("runs");
        let name = args.join(" ");
        self.transcripts
            .push((format!("stdout of {name}"), out.stdout.clone()));
        self.transcripts
            .push((format!("stderr of {name}"), out.stderr.clone()));
        out
    }
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_appears_nowhere_but_in_the_keychain() {
    if !has_session_bus() {
        return;
    }
    let sandbox = ph_sandbox::start(SandboxConfig::default()).await.unwrap();
    // A token no file of the project contains, so any hit is a leak.
    let secret = format!(
        "leakcheck_{}",
        ph_import_core::ph::new_key().replace('-', "")
    );
    sandbox
        .add_token(&DemoToken {
            name: "Leak check".into(),
            token: secret.clone(),
            role: "importer".into(),
            clinics: vec!["riverside".into()],
        })
        .unwrap();
    let config = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let outputs = tempfile::tempdir().unwrap();
    let env = format!("leak{}", std::process::id());
    let mut run = Run {
        config: config.path(),
        data: data.path(),
        transcripts: Vec::new(),
    };

    let url = sandbox.url();
    let out = run.ph_import(&["env", "add", &env, &url], None);
    assert!(out.status.success());
    let out = run.ph_import(
        &["login", "--env", &env, "--token-stdin"],
        Some(&format!("{secret}\n")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Leak check (importer)"));

    // It is in the keychain, read back by a fresh store.
    let stored = KeyringStore::new().get(&env).unwrap();
    assert_eq!(stored.expose(), secret);

    let out = run.ph_import(&["whoami", "--env", &env, "--json"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = outputs.path().join("clients.csv");
    let csv_arg = csv.to_string_lossy().to_string();
    let out = run.ph_import(
        &[
            "clients",
            "--env",
            &env,
            "--clinic",
            "riverside",
            "--out",
            &csv_arg,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run.ph_import(
        &["clients", "--env", &env, "--clinic", "riverside", "--json"],
        None,
    );
    assert!(out.status.success());

    // A batch of creates with the stored token, logging at trace level into a file.
    let log_path = outputs.path().join("import.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(std::sync::Mutex::new(log_file))
        .with_ansi(false)
        .finish();
    let report = {
        let _guard = tracing::subscriber::set_default(subscriber);
        let api = PhApi::new(&env, &url, &stored, &ClientOptions::default()).unwrap();
        tracing::debug!(?stored, "token as Debug");
        api.create_clients_batched(
            &BatchTarget {
                clinic_id: "riverside".into(),
                import_run_id: "leak-run".into(),
                key_prefix: "leak-run-clients".into(),
            },
            (0..5)
                .map(|i| ClientInput {
                    first_name: format!("Lena{i}"),
                    last_name: "Leak".into(),
                    email: Some(format!("lena{i}@example.com")),
                    ..ClientInput::default()
                })
                .collect(),
        )
        .await
    };
    assert!(report.is_complete(), "{:?}", report.failed);
    assert!(report.items.iter().all(|i| i.status == ItemStatus::Created));
    let log = std::fs::read(&log_path).unwrap();
    assert!(contains(&log, "Token(***)"), "the log was not written");
    assert!(contains(&log, "PH answered"), "the client logged nothing");

    // Logout removes it from the keychain; a refused token names the login to run.
    let out = run.ph_import(&["logout", "--env", &env], None);
    assert!(out.status.success());
    assert!(matches!(
        KeyringStore::new().get(&env),
        Err(CredentialError::NotLoggedIn { .. })
    ));
    let out = run.ph_import(&["whoami", "--env", &env], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("ph-import login --env {env}")));

    // The search: every file written and every byte printed.
    let mut files = Vec::new();
    for dir in [config.path(), data.path(), outputs.path()] {
        files_under(dir, &mut files);
    }
    assert!(files.iter().any(|f| f.ends_with("settings.json")));
    assert!(files.iter().any(|f| f.ends_with("clients.csv")));
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !contains(&bytes, &secret),
            "the token leaked into {}",
            file.display()
        );
    }
    let logged: usize = run.transcripts.iter().map(|(_, b)| b.len()).sum();
    assert!(logged > 1000, "the commands printed almost nothing");
    for (what, bytes) in &run.transcripts {
        assert!(
            !contains(bytes, &secret),
            "the token leaked into the {what}"
        );
    }
}
