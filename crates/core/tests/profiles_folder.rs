//! One folder of saved profiles for the CLI and the app: `PH_IMPORT_PROFILES` when set, else
//! `profiles` beside the environments' settings file. One test, as it sets the process's
//! environment.

use ph_import_core::mapping::profile;
use ph_import_core::ph::environments;

#[test]
fn saved_profiles_live_beside_the_settings_unless_the_environment_says_otherwise() {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::env::remove_var("PH_IMPORT_PROFILES");
    std::env::set_var("PH_IMPORT_CONFIG_DIR", tmp.path().join("config"));
    assert_eq!(
        profile::saved_dir().expect("a folder"),
        environments::config_dir().expect("config").join("profiles")
    );
    assert_eq!(
        profile::saved_dir().expect("a folder"),
        tmp.path().join("config").join("profiles")
    );

    std::env::set_var("PH_IMPORT_PROFILES", tmp.path().join("shared"));
    assert_eq!(
        profile::saved_dir().expect("a folder"),
        tmp.path().join("shared")
    );
}
