//! The embedded PH sandbox: the app's default environment, started in-process at launch.

use std::sync::Arc;

use serde::Serialize;
use tauri::{AppHandle, Emitter};
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::error::AppError;

/// Where the app sends data, as shown in the always-visible environment badge.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnvironmentStatus {
    /// Environment name, e.g. `Sandbox`.
    pub name: String,
    /// `sandbox`, `staging` or `production`: the UI colours the badge by it.
    pub kind: String,
    /// Base URL once known.
    pub url: Option<String>,
    /// `starting`, `ready` or `failed`.
    pub state: String,
    /// Why it failed, in words a user can act on.
    pub error: Option<String>,
    /// What the environment holds, e.g. "3 clinics, 80 clients, 155 patients (demo data)".
    pub summary: Option<String>,
    /// Who the app acts as there, from the API: name, role and how many clinics.
    pub who: Option<String>,
}

#[derive(Default)]
enum State {
    #[default]
    Starting,
    Ready {
        running: ph_sandbox::RunningSandbox,
        /// Who the app is signed in as, from the API's `me` (None if it did not answer).
        who: Option<String>,
    },
    Failed(String),
}

/// The in-process sandbox server, shared by all commands.
#[derive(Clone, Default)]
pub struct EmbeddedSandbox(Arc<Mutex<State>>);

impl EmbeddedSandbox {
    /// Starts the sandbox with demo data on a free loopback port and tells the UI when it is ready.
    pub async fn start(&self, app: &AppHandle) {
        // The same data folder as the CLI's built-in sandbox, so a rehearsal survives a
        // restart (for resuming and undoing) and both tools see the same PH.
        let data_dir = ph_import_core::ph::environments::data_dir()
            .map(|d| d.join("sandbox"))
            .map_err(|e| tracing::warn!("sandbox data kept in memory: {e}"))
            .ok();
        let config = ph_sandbox::SandboxConfig {
            data_dir,
            seed_demo: true,
            ..ph_sandbox::SandboxConfig::default()
        };
        let next = match ph_sandbox::start(config).await {
            Ok(running) => {
                tracing::info!(url = %running.url(), "embedded sandbox started");
                let who = who_am_i(&running).await;
                State::Ready { running, who }
            }
            Err(e) => {
                tracing::error!("embedded sandbox failed to start: {e}");
                State::Failed(format!("The built-in Sandbox could not start: {e}"))
            }
        };
        *self.0.lock().await = next;
        let _ = app.emit("environment-changed", self.status().await);
    }

    /// The badge's view of the sandbox right now.
    pub async fn status(&self) -> EnvironmentStatus {
        let state = self.0.lock().await;
        let (url, state, error, summary, who) = match &*state {
            State::Starting => (None, "starting", None, None, None),
            State::Ready { running, who } => {
                let summary = running.counts().ok().map(|c| {
                    format!(
                        "{} clinics, {} clients, {} patients (demo data)",
                        c.clinics, c.clients, c.patients
                    )
                });
                (Some(running.url()), "ready", None, summary, who.clone())
            }
            State::Failed(e) => (None, "failed", Some(e.clone()), None, None),
        };
        EnvironmentStatus {
            name: "Sandbox".into(),
            kind: "sandbox".into(),
            url,
            state: state.into(),
            error,
            summary,
            who,
        }
    }
}

impl EmbeddedSandbox {
    /// A PH client for the sandbox, signed in with its demo importer token, and the
    /// sandbox's base URL; an error the person can act on while it is not ready.
    pub async fn api(&self) -> Result<(ph_import_core::ph::PhApi, String), AppError> {
        use ph_import_core::ph::{ClientOptions, PhApi, Token};
        let state = self.0.lock().await;
        let running = match &*state {
            State::Ready { running, .. } => running,
            State::Starting => {
                return Err(AppError::new(
                    "environment",
                    "The built-in Sandbox is still starting; try again in a moment.",
                ))
            }
            State::Failed(e) => return Err(AppError::new("environment", e.clone())),
        };
        let unusable = |what: String| {
            AppError::new(
                "environment",
                format!("The built-in Sandbox cannot be used ({what}); restart the app."),
            )
        };
        let token = running
            .importer_token()
            .ok_or_else(|| unusable("it has no importer token".into()))?;
        let token = Token::parse(&token).map_err(|e| unusable(e.to_string()))?;
        let url = running.url();
        let api = PhApi::new(SANDBOX_ENV, &url, &token, &ClientOptions::default())
            .map_err(|e| unusable(e.to_string()))?;
        Ok((api, url))
    }
}

/// The environment name the sandbox's plans and runs are recorded under (the CLI's name
/// for its built-in sandbox).
pub const SANDBOX_ENV: &str = "sandbox";

/// Asks the sandbox's API who the app is, through the same client an import uses.
async fn who_am_i(running: &ph_sandbox::RunningSandbox) -> Option<String> {
    use ph_import_core::ph::{ClientOptions, PhApi, Token};
    let token = Token::parse(&running.importer_token()?).ok()?;
    let api = PhApi::new(
        SANDBOX_ENV,
        &running.url(),
        &token,
        &ClientOptions::default(),
    )
    .ok()?;
    match api.me().await {
        Ok(me) => Some(format!(
            "{} ({}, {} clinics)",
            me.name,
            me.role.label(),
            me.clinics.len()
        )),
        Err(e) => {
            tracing::warn!("the sandbox did not say who we are: {e}");
            None
        }
    }
}
