//! `ph-sandbox`: a local server that speaks the PH client-import API, for tests and
//! rehearsals. Start it in-process with [`start`], or run the `ph-sandbox` binary.
#![deny(missing_docs)]

mod db;
mod seed;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tokio::sync::oneshot;

pub use db::Counts;
pub use seed::{demo_tokens, DemoToken};

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port. Loopback by default.
    pub addr: SocketAddr,
    /// Where the database lives; None keeps it in memory for this run only.
    pub data_dir: Option<PathBuf>,
    /// Whether to load the demo clinics, clients and pets.
    pub seed_demo: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            seed_demo: true,
        }
    }
}

/// Why a sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The address could not be bound (in use, or not allowed).
    #[error("could not listen on {addr}: {reason}. Choose another port with --addr, or stop the program using it.")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        reason: String,
    },
    /// The database could not be opened, created or used.
    #[error("the sandbox database failed: {reason}. If a data folder was given, check that it is writable, or start without --data-dir.")]
    Database {
        /// What SQLite reported.
        reason: String,
    },
}

/// A sandbox running in this process; dropping it (or [`RunningSandbox::shutdown`]) stops it.
pub struct RunningSandbox {
    addr: SocketAddr,
    seeded: bool,
    db: Db,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The demo tokens, when the sandbox was started with demo data.
    pub fn demo_tokens(&self) -> Vec<DemoToken> {
        if self.seeded {
            demo_tokens()
        } else {
            Vec::new()
        }
    }

    /// How many clinics, clients and patients the sandbox holds now.
    pub fn counts(&self) -> Result<Counts, SandboxError> {
        let conn = self.db.lock().map_err(|_| SandboxError::Database {
            reason: "the database is unusable after an earlier failure".into(),
        })?;
        db::counts(&conn)
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The one database connection, shared by all requests; SQLite serializes writes anyway.
type Db = Arc<Mutex<rusqlite::Connection>>;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    service: &'static str,
    version: &'static str,
    counts: Counts,
}

async fn health(State(db): State<Db>) -> Result<Json<Health>, (StatusCode, String)> {
    let unavailable = |e: SandboxError| (StatusCode::SERVICE_UNAVAILABLE, e.to_string());
    let conn = db.lock().map_err(|_| {
        unavailable(SandboxError::Database {
            reason: "the database is unusable after an earlier failure".into(),
        })
    })?;
    let counts = db::counts(&conn).map_err(unavailable)?;
    Ok(Json(Health {
        status: "ok",
        service: "ph-sandbox",
        version: env!("CARGO_PKG_VERSION"),
        counts,
    }))
}

fn router(db: Db) -> Router {
    Router::new().route("/health", get(health)).with_state(db)
}

/// Starts a sandbox on `config.addr` and returns once it accepts connections.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    let mut conn = db::open(config.data_dir.as_deref())?;
    if config.seed_demo {
        seed::seed(&mut conn)?;
    }
    let db: Db = Arc::new(Mutex::new(conn));
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| SandboxError::Bind {
            addr: config.addr,
            reason: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| SandboxError::Bind {
        addr: config.addr,
        reason: e.to_string(),
    })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app_db = db.clone();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, router(app_db)).with_graceful_shutdown(async {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    Ok(RunningSandbox {
        addr,
        seeded: config.seed_demo,
        db,
        stop: Some(stop),
        task: Some(task),
    })
}
