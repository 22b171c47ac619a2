//! The token store against the real OS keychain (Secret Service on Linux). scripts/test.sh
//! runs the tests under `dbus-run-session` with an unlocked gnome-keyring.

#![cfg(target_os = "linux")]

use ph_import_core::ph::{CredentialError, CredentialStore, KeyringStore, Token};

/// None when there is no session bus, after saying why the test is skipped.
fn secret_service() -> Option<()> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "SKIPPED: no D-Bus session bus, so no Secret Service. Run under \
             `dbus-run-session` with `gnome-keyring-daemon --unlock` (scripts/test.sh does)."
        );
        return None;
    }
    Some(())
}

#[test]
fn tokens_round_trip_through_the_secret_service() {
    let Some(()) = secret_service() else { return };
    // A service of its own, so the test never touches real entries.
    let service = format!("com.ph.client-import.test-{}", uuid_like());
    let store = KeyringStore::with_service(&service);
    let token = Token::parse("ph_staging_7f3a9c").unwrap();
    store.set("staging", &token).unwrap();

    // A fresh store has nothing cached: the value really comes from the keychain.
    let reader = KeyringStore::with_service(&service);
    assert_eq!(reader.get("staging").unwrap(), token);
    assert!(matches!(
        reader.get("production"),
        Err(CredentialError::NotLoggedIn { .. })
    ));

    let replaced = Token::parse("ph_staging_new").unwrap();
    store.set("staging", &replaced).unwrap();
    assert_eq!(
        KeyringStore::with_service(&service).get("staging").unwrap(),
        replaced
    );

    assert!(store.delete("staging").unwrap());
    assert!(matches!(
        KeyringStore::with_service(&service).get("staging"),
        Err(CredentialError::NotLoggedIn { .. })
    ));
    assert!(!store.delete("staging").unwrap());
}

fn uuid_like() -> String {
    ph_import_core::ph::new_key()
}
