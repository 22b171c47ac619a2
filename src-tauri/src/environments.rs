//! Commands of the environment picker and the Settings screen: thin adapters over the
//! core's environments (`Settings`), keychain (`KeyringStore`) and login (`login`, `connect`),
//! the same functions the CLI's `env`, `login`, `logout` and `whoami` use.
//!
//! A token comes in once (`store_token`), goes to the keychain, and is never returned,
//! logged or written anywhere else.

use std::sync::Arc;

use ph_import_core::ph::environments::TokenRemoval;
use ph_import_core::ph::{
    connect, environments, login, ClientOptions, CredentialError, CredentialStore, Environment,
    EnvironmentKind, KeyringStore, LoginError, PhApi, PhError, Principal, Settings, SettingsError,
    Token,
};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::AppError;
use crate::sandbox::EmbeddedSandbox;

/// An environment as the picker and the Settings screen show it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnvironmentEntry {
    /// Its name, e.g. `staging`; `sandbox` is the built-in one.
    pub name: String,
    /// Its base URL (the built-in Sandbox's once it is running).
    pub base_url: String,
    /// Sandbox, staging, production or custom.
    pub kind: EnvironmentKind,
    /// Whether it is the built-in Sandbox (no token, cannot be changed).
    pub built_in: bool,
    /// Whether the keychain holds a token for it (the built-in Sandbox needs none).
    pub token_stored: bool,
}

impl From<SettingsError> for AppError {
    fn from(e: SettingsError) -> Self {
        AppError::new("settings", e.to_string())
    }
}

impl From<CredentialError> for AppError {
    fn from(e: CredentialError) -> Self {
        match e {
            CredentialError::NotLoggedIn { env } => AppError::new(
                "no_token",
                format!("No token is stored for `{env}`: open Settings and paste its token."),
            ),
            other => AppError::new("keychain", other.to_string()),
        }
    }
}

impl From<LoginError> for AppError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Keychain(e) => e.into(),
            LoginError::Refused { env } => AppError::new(
                "bad_token",
                format!("`{env}` refused this token, so it was not stored: check that it is the whole token, and the one for this environment."),
            ),
            LoginError::Verify(e) | LoginError::Client(e) => ph_error(e),
            LoginError::Sandbox => AppError::new("sandbox", e.to_string()),
        }
    }
}

/// A PH error in the app's words (the core's messages name CLI commands for some).
fn ph_error(e: PhError) -> AppError {
    match e {
        PhError::Unauthenticated { env } => AppError::new(
            "bad_token",
            format!("The token for `{env}` was refused (expired, revoked or mistyped): open Settings and paste a new one."),
        ),
        PhError::Network { env, reason, .. } => AppError::new(
            "unreachable",
            format!("`{env}` could not be reached ({reason}): check the network and the environment's URL in Settings."),
        ),
        other => AppError::new("ph", other.to_string()),
    }
}

pub(crate) fn load_settings() -> Result<(std::path::PathBuf, Settings), AppError> {
    let dir = environments::config_dir()?;
    let settings = Settings::load(&dir)?;
    Ok((dir, settings))
}

fn keychain() -> Arc<dyn CredentialStore> {
    Arc::new(KeyringStore::new())
}

/// Runs a keychain call off the async runtime (it may block on D-Bus or a system prompt).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CredentialError> + Send + 'static,
) -> Result<T, AppError> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new("keychain", format!("The keychain call did not finish: {e}")))?
        .map_err(AppError::from)
}

/// A client of the named environment, with its base URL and settings entry: the built-in
/// Sandbox with its demo token, any other with the token the keychain holds for it.
pub async fn open(
    name: &str,
    sandbox: &EmbeddedSandbox,
) -> Result<(PhApi, String, Environment), AppError> {
    let (_, settings) = load_settings()?;
    let env = settings.get(name)?;
    if env.is_embedded_sandbox() {
        let (api, url) = sandbox.api().await?;
        return Ok((api, url, env));
    }
    let api = connect(&env, keychain(), &ClientOptions::default()).await?;
    Ok((api, env.base_url.clone(), env))
}

/// Every environment, the built-in Sandbox first, with whether a token is stored.
#[tauri::command]
pub async fn list_environments(
    sandbox: State<'_, EmbeddedSandbox>,
) -> Result<Vec<EnvironmentEntry>, AppError> {
    let (_, settings) = load_settings()?;
    let sandbox_url = sandbox.status().await.url;
    let mut out = Vec::new();
    for env in settings.environments() {
        let built_in = env.is_embedded_sandbox();
        let token_stored = if built_in {
            true
        } else {
            let name = env.name.clone();
            blocking(move || match KeyringStore::new().get(&name) {
                Ok(_) => Ok(true),
                Err(CredentialError::NotLoggedIn { .. }) => Ok(false),
                Err(e) => Err(e),
            })
            .await?
        };
        out.push(EnvironmentEntry {
            base_url: match (&sandbox_url, built_in) {
                (Some(url), true) => url.clone(),
                _ => env.base_url.clone(),
            },
            name: env.name,
            kind: env.kind,
            built_in,
            token_stored,
        });
    }
    Ok(out)
}

/// Adds an environment, or changes the URL and kind of one (`existing` true).
#[tauri::command]
pub async fn save_environment(
    name: String,
    base_url: String,
    kind: EnvironmentKind,
    existing: bool,
) -> Result<(), AppError> {
    let (dir, mut settings) = load_settings()?;
    if existing {
        settings.edit(&name, &base_url, kind)?;
    } else {
        settings.add(&name, &base_url, kind)?;
    }
    settings.save(&dir)?;
    Ok(())
}

/// Checks a token with PH's `me`, then keeps it in the keychain (only there); returns who
/// it belongs to. A refused token is not stored.
#[tauri::command]
pub async fn store_token(name: String, token: String) -> Result<Principal, AppError> {
    let (_, settings) = load_settings()?;
    let env = settings.get(&name)?;
    // The parse error says what is wrong with it, never its value.
    let token = Token::parse(&token).map_err(|e| AppError::new("token", e.to_string()))?;
    let who = login(&env, token, keychain(), true, &ClientOptions::default()).await?;
    who.ok_or_else(|| AppError::new("internal", "PH did not say who the token belongs to."))
}

/// Removes an environment's token from the keychain; false when none was stored.
#[tauri::command]
pub async fn forget_token(name: String) -> Result<bool, AppError> {
    let (_, settings) = load_settings()?;
    let env = settings.get(&name)?;
    if env.is_embedded_sandbox() {
        return Err(AppError::new(
            "sandbox",
            "The built-in Sandbox has no stored token to forget.",
        ));
    }
    blocking(move || KeyringStore::new().delete(&env.name)).await
}

/// What removing an environment did, for the Settings screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnvironmentRemoved {
    /// The environment removed.
    pub name: String,
    /// Whether its token was deleted from the keychain, none was stored, or it may be left.
    pub token: TokenRemoval,
}

/// Removes an environment the person added (never the built-in Sandbox), and its token
/// from the keychain.
#[tauri::command]
pub async fn remove_environment(name: String) -> Result<EnvironmentRemoved, AppError> {
    let dir = environments::config_dir()?;
    // The keychain may block on D-Bus or a system prompt: off the async runtime.
    let (env, token) = tauri::async_runtime::spawn_blocking(move || {
        environments::remove_with_token(&dir, &name, &KeyringStore::new())
    })
    .await
    .map_err(|e| AppError::new("keychain", format!("The keychain call did not finish: {e}")))??;
    Ok(EnvironmentRemoved {
        name: env.name,
        token,
    })
}

/// Asks the environment who the app is there (name, role, clinics).
#[tauri::command]
pub async fn test_connection(
    sandbox: State<'_, EmbeddedSandbox>,
    name: String,
) -> Result<Principal, AppError> {
    let (api, _, _) = open(&name, &sandbox).await?;
    api.me().await.map_err(ph_error)
}
