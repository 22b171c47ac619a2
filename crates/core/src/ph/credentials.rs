//! Tokens in the OS keychain: macOS Keychain, Windows Credential Manager, Secret Service
//! on Linux. One entry per environment: service [`SERVICE`], user = environment name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring::credential::CredentialBuilder;
use keyring::Entry;

use super::token::{Token, TokenError};

/// The keychain service name of every PH Client Import token.
pub const SERVICE: &str = "com.ph.client-import";

/// What to do when the keychain cannot be used, for this operating system.
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
const KEYCHAIN_HINT: &str = "unlock your login keyring, or start a Secret Service such as gnome-keyring (without a desktop: run under `dbus-run-session` and start `gnome-keyring-daemon --unlock`)";
#[cfg(target_os = "macos")]
const KEYCHAIN_HINT: &str =
    "unlock your login keychain in Keychain Access and allow access when asked";
#[cfg(target_os = "windows")]
const KEYCHAIN_HINT: &str = "check that Windows Credential Manager is available for your account";
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
const KEYCHAIN_HINT: &str = "this operating system has no supported keychain";

/// Why a token could not be read, stored or deleted.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// No token is stored for the environment.
    #[error("no token is stored for environment `{env}`: run `ph-import login --env {env}`")]
    NotLoggedIn {
        /// The environment.
        env: String,
    },
    /// The keychain exists but refused access (locked, or a prompt was dismissed).
    #[error("the keychain is locked or refused access ({reason}): {hint}", hint = KEYCHAIN_HINT)]
    Locked {
        /// What the keychain said.
        reason: String,
    },
    /// No keychain could be reached (no Secret Service, no session bus, …).
    #[error("the OS keychain could not be reached ({reason}): {hint}", hint = KEYCHAIN_HINT)]
    Unavailable {
        /// What the keychain said.
        reason: String,
    },
    /// The stored value is not a usable token.
    #[error("the token stored for environment `{env}` is unusable ({reason}): run `ph-import login --env {env}` again")]
    Unusable {
        /// The environment.
        env: String,
        /// What is wrong with it (never the value).
        reason: String,
    },
    /// The keychain refused the entry itself (name too long, several matches, …).
    #[error("the keychain refused the entry for environment `{env}` ({reason})")]
    Entry {
        /// The environment.
        env: String,
        /// What the keychain said.
        reason: String,
    },
}

/// Where tokens are kept. The app and CLI use [`KeyringStore`]; tests may use
/// [`KeyringStore::mock`] or their own store. Calls may block on the keychain (D-Bus, a
/// system prompt): from async code, call them in `tokio::task::spawn_blocking`.
pub trait CredentialStore: Send + Sync {
    /// The token of an environment.
    fn get(&self, env: &str) -> Result<Token, CredentialError>;
    /// Stores (or replaces) the token of an environment.
    fn set(&self, env: &str, token: &Token) -> Result<(), CredentialError>;
    /// Forgets the token of an environment; `Ok(false)` when there was none.
    fn delete(&self, env: &str) -> Result<bool, CredentialError>;
}

/// The OS keychain through the `keyring` crate.
pub struct KeyringStore {
    service: String,
    /// None: the platform's keychain. Some: another store, e.g. keyring's mock.
    builder: Option<Box<CredentialBuilder>>,
    /// One entry per environment, kept so that stores without persistence of their own
    /// (the mock) see what was set through them.
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

impl KeyringStore {
    /// The platform keychain under [`SERVICE`].
    pub fn new() -> KeyringStore {
        Self::with_service(SERVICE)
    }

    /// The platform keychain under another service name (tests that must not touch the
    /// real entries).
    pub fn with_service(service: &str) -> KeyringStore {
        KeyringStore {
            service: service.to_owned(),
            builder: None,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// keyring's in-memory mock store, for unit tests: nothing leaves the process.
    pub fn mock() -> KeyringStore {
        KeyringStore {
            service: SERVICE.to_owned(),
            builder: Some(keyring::mock::default_credential_builder()),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entry(&self, env: &str) -> Result<Arc<Entry>, CredentialError> {
        let mut entries = self.entries.lock().map_err(|_| CredentialError::Entry {
            env: env.to_owned(),
            reason: "an earlier keychain call panicked".into(),
        })?;
        if let Some(entry) = entries.get(env) {
            return Ok(entry.clone());
        }
        let entry = match &self.builder {
            None => Entry::new(&self.service, env),
            Some(builder) => builder
                .build(None, &self.service, env)
                .map(Entry::new_with_credential),
        }
        .map_err(|e| map_error(env, e))?;
        let entry = Arc::new(entry);
        entries.insert(env.to_owned(), entry.clone());
        Ok(entry)
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

impl CredentialStore for KeyringStore {
    fn get(&self, env: &str) -> Result<Token, CredentialError> {
        let secret = self
            .entry(env)?
            .get_password()
            .map_err(|e| map_error(env, e))?;
        Token::parse(&secret).map_err(|e: TokenError| CredentialError::Unusable {
            env: env.to_owned(),
            reason: e.to_string(),
        })
    }

    fn set(&self, env: &str, token: &Token) -> Result<(), CredentialError> {
        self.entry(env)?
            .set_password(token.expose())
            .map_err(|e| map_error(env, e))
    }

    fn delete(&self, env: &str) -> Result<bool, CredentialError> {
        match self.entry(env)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_error(env, e)),
        }
    }
}

/// keyring's errors carry no secret; `BadEncoding` carries the bytes, which are dropped here.
fn map_error(env: &str, error: keyring::Error) -> CredentialError {
    match error {
        keyring::Error::NoEntry => CredentialError::NotLoggedIn {
            env: env.to_owned(),
        },
        keyring::Error::NoStorageAccess(e) => CredentialError::Locked {
            reason: e.to_string(),
        },
        keyring::Error::PlatformFailure(e) => CredentialError::Unavailable {
            reason: e.to_string(),
        },
        keyring::Error::BadEncoding(_) => CredentialError::Unusable {
            env: env.to_owned(),
            reason: "it is not UTF-8 text".into(),
        },
        other => CredentialError::Entry {
            env: env.to_owned(),
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_store_round_trip() {
        let store = KeyringStore::mock();
        assert!(matches!(
            store.get("staging"),
            Err(CredentialError::NotLoggedIn { .. })
        ));
        let token = Token::parse("ph_live_abc123").unwrap();
        store.set("staging", &token).unwrap();
        assert_eq!(store.get("staging").unwrap(), token);
        // Environments are separate entries.
        assert!(matches!(
            store.get("production"),
            Err(CredentialError::NotLoggedIn { .. })
        ));
        let replaced = Token::parse("ph_live_def456").unwrap();
        store.set("staging", &replaced).unwrap();
        assert_eq!(store.get("staging").unwrap(), replaced);
        assert!(store.delete("staging").unwrap());
        assert!(!store.delete("staging").unwrap());
        assert!(matches!(
            store.get("staging"),
            Err(CredentialError::NotLoggedIn { .. })
        ));
    }

    #[test]
    fn keychain_failures_become_errors_that_say_what_to_do() {
        let store = KeyringStore::mock();
        let entry = store.entry("staging").unwrap();
        let mock: &keyring::mock::MockCredential = entry.get_credential().downcast_ref().unwrap();
        mock.set_error(keyring::Error::NoStorageAccess(
            "collection is locked".into(),
        ));
        let err = store.get("staging").unwrap_err();
        assert!(matches!(err, CredentialError::Locked { .. }));
        assert!(err.to_string().contains(KEYCHAIN_HINT));

        mock.set_error(keyring::Error::PlatformFailure("no session bus".into()));
        let err = store
            .set("staging", &Token::parse("x").unwrap())
            .unwrap_err();
        assert!(matches!(err, CredentialError::Unavailable { .. }));
        assert!(err.to_string().contains("no session bus"));

        mock.set_error(keyring::Error::BadEncoding(b"\xff secret".to_vec()));
        let err = store.get("staging").unwrap_err();
        assert!(matches!(err, CredentialError::Unusable { .. }));
        assert!(!err.to_string().contains("secret"));
    }
}
