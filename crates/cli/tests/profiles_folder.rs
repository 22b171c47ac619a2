//! `ph-import map --save-profile` saves where the app looks (`profile::saved_dir`, the
//! `profiles` folder beside the environments' settings), and the next run recognizes it.

use std::path::Path;

use assert_cmd::Command;

fn riverside() -> String {
    format!(
        "{}/../../fixtures/demo/riverside-clients-pets.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn map(config: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("ph-import")
        .expect("binary")
        .env_remove("PH_IMPORT_PROFILES")
        .env("PH_IMPORT_CONFIG_DIR", config)
        .arg("map")
        .arg(riverside())
        .args(args)
        .output()
        .expect("runs");
    assert!(out.status.success(), "map {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn a_profile_saved_by_the_cli_is_in_the_apps_folder_and_used_next_time() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let config = tmp.path().join("config");
    let saved = map(&config, &["--save-profile", "Riverside Export"]);
    let file = config.join("profiles").join("riverside-export.json");
    assert!(
        saved.contains(&format!("Saved the profile to {}", file.display())),
        "{saved}"
    );
    assert!(file.is_file());

    let json: serde_json::Value = serde_json::from_str(&map(&config, &["--json"])).expect("JSON");
    assert_eq!(
        json["origin"]["name"], "Riverside Export",
        "{}",
        json["origin"]
    );
}
