//! Logging in to an environment: check a token with PH, then keep it in the keychain; and
//! opening a client with the token kept there. Shared by the CLI and the app.

use std::sync::Arc;

use super::api::PhApi;
use super::credentials::{CredentialError, CredentialStore};
use super::environments::Environment;
use super::error::PhError;
use super::token::Token;
use super::transport::ClientOptions;
use super::types::Principal;

/// Why a login (or opening a client from the keychain) failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The built-in sandbox uses its own demo token.
    #[error("the built-in sandbox needs no login: it uses its own demo importer token")]
    Sandbox,
    /// PH refused the token; nothing was stored.
    #[error("`{env}` refused this token, so it was not stored: check that it is the whole token, and the one for this environment")]
    Refused {
        /// The environment.
        env: String,
    },
    /// Checking the token failed for another reason; nothing was stored.
    #[error("the token could not be checked, so it was not stored: {0}")]
    Verify(PhError),
    /// The client could not be built (URL rule).
    #[error(transparent)]
    Client(PhError),
    /// The keychain failed.
    #[error(transparent)]
    Keychain(#[from] CredentialError),
}

/// Checks `token` with `me` (unless `verify` is false), then stores it in `store` for the
/// environment. Returns who the token belongs to when it was checked.
pub async fn login(
    env: &Environment,
    token: Token,
    store: Arc<dyn CredentialStore>,
    verify: bool,
    options: &ClientOptions,
) -> Result<Option<Principal>, LoginError> {
    if env.is_embedded_sandbox() {
        return Err(LoginError::Sandbox);
    }
    let principal = if verify {
        let api = PhApi::for_environment(env, &token, options).map_err(LoginError::Client)?;
        match api.me().await {
            Ok(principal) => Some(principal),
            Err(PhError::Unauthenticated { .. }) => {
                return Err(LoginError::Refused {
                    env: env.name.clone(),
                })
            }
            Err(e) => return Err(LoginError::Verify(e)),
        }
    } else {
        None
    };
    let name = env.name.clone();
    // The keychain may block on D-Bus or a system prompt.
    tokio::task::spawn_blocking(move || store.set(&name, &token))
        .await
        .map_err(|e| CredentialError::Entry {
            env: env.name.clone(),
            reason: format!("the keychain call did not finish: {e}"),
        })??;
    Ok(principal)
}

/// A client of a configured environment with the token the keychain holds for it.
pub async fn connect(
    env: &Environment,
    store: Arc<dyn CredentialStore>,
    options: &ClientOptions,
) -> Result<PhApi, LoginError> {
    if env.is_embedded_sandbox() {
        return Err(LoginError::Sandbox);
    }
    let name = env.name.clone();
    let token = tokio::task::spawn_blocking(move || store.get(&name))
        .await
        .map_err(|e| CredentialError::Entry {
            env: env.name.clone(),
            reason: format!("the keychain call did not finish: {e}"),
        })??;
    PhApi::for_environment(env, &token, options).map_err(LoginError::Client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ph::{EnvironmentKind, KeyringStore, Settings};

    #[tokio::test]
    async fn unverified_login_stores_the_token_and_connect_reads_it() {
        let store: Arc<dyn CredentialStore> = Arc::new(KeyringStore::mock());
        let mut settings = Settings::default();
        let env = settings
            .add(
                "staging",
                "https://staging.ph.example",
                EnvironmentKind::Staging,
            )
            .unwrap();
        assert!(matches!(
            connect(&env, store.clone(), &ClientOptions::default()).await,
            Err(LoginError::Keychain(CredentialError::NotLoggedIn { .. }))
        ));
        let token = Token::parse("ph_tok_1").unwrap();
        let who = login(
            &env,
            token.clone(),
            store.clone(),
            false,
            &ClientOptions::default(),
        )
        .await
        .unwrap();
        assert!(who.is_none());
        assert_eq!(store.get("staging").unwrap(), token);
        let api = connect(&env, store.clone(), &ClientOptions::default())
            .await
            .unwrap();
        assert_eq!(api.env(), "staging");
    }

    #[tokio::test]
    async fn the_builtin_sandbox_has_no_login() {
        let store: Arc<dyn CredentialStore> = Arc::new(KeyringStore::mock());
        let err = login(
            &Environment::sandbox(),
            Token::parse("x").unwrap(),
            store.clone(),
            false,
            &ClientOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, LoginError::Sandbox));
        assert!(matches!(
            store.get("sandbox"),
            Err(CredentialError::NotLoggedIn { .. })
        ));
    }
}
