//! `ph-sandbox`: a local server that speaks the PH client-import API, for tests and
//! rehearsals. Start it in-process with [`start`], or run the `ph-sandbox` binary.
#![deny(missing_docs)]

mod api;
mod auth;
mod db;
mod faults;
mod http;
mod seed;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use tokio::sync::oneshot;

pub use api::schema_sdl;
pub use db::Counts;
pub use faults::{FaultCounts, Faults};
pub use seed::{demo_tokens, DemoToken};

use db::Db;

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port. Loopback by default.
    pub addr: SocketAddr,
    /// Where the database lives; None keeps it in memory for this run only.
    pub data_dir: Option<PathBuf>,
    /// Whether to load the demo clinics, clients and pets.
    pub seed_demo: bool,
    /// Batch and page sizes the API allows.
    pub limits: Limits,
    /// Faults to inject from the start; see [`RunningSandbox::set_faults`] to change them.
    pub faults: Faults,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: None,
            seed_demo: true,
            limits: Limits::default(),
            faults: Faults::default(),
        }
    }
}

/// Sizes the API allows, as `apiInfo` reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most items per create/update mutation; more is refused whole with BATCH_TOO_LARGE.
    pub max_batch_size: usize,
    /// Largest `first` of a page of clients.
    pub max_page_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_batch_size: 200,
            max_page_size: 1000,
        }
    }
}

/// Why a sandbox could not start, or refused a change made through [`RunningSandbox`].
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
    /// A test or tool asked the running sandbox for something it cannot hold.
    #[error("the sandbox refused the change: {reason}")]
    Invalid {
        /// What is wrong and what to give instead.
        reason: String,
    },
}

/// A sandbox running in this process; dropping it (or [`RunningSandbox::shutdown`]) stops it.
pub struct RunningSandbox {
    addr: SocketAddr,
    seeded: bool,
    db: Db,
    limits: Limits,
    faults: faults::FaultControl,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningSandbox {
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The API endpoint, e.g. `http://127.0.0.1:40123/graphql`.
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The sizes the API allows.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The faults in force now.
    pub fn faults(&self) -> Faults {
        self.faults.get()
    }

    /// How many requests the injected faults have refused since the start.
    pub fn fault_counts(&self) -> FaultCounts {
        self.faults.counts()
    }

    /// Replaces the injected faults from the next request on, restarting the fault
    /// generator from `faults.seed` (so a test sees the same sequence every run).
    pub fn set_faults(&self, faults: Faults) {
        self.faults.set(faults);
    }

    /// Adds `n` generated clients (with one or two patients each) to an existing clinic,
    /// e.g. for paging tests; returns how many were added.
    pub fn seed_bulk(&self, clinic_id: &str, n: usize) -> Result<usize, SandboxError> {
        self.db.sync(|conn| seed::bulk(conn, clinic_id, n))
    }

    /// Adds a clinic, or changes the one with this id.
    pub fn add_clinic(
        &self,
        id: &str,
        name: &str,
        country: &str,
        requires_email: bool,
    ) -> Result<(), SandboxError> {
        self.db
            .sync(|conn| seed::add_clinic(conn, id, name, country, requires_email))
    }

    /// Adds a token (role `importer` or `read_only`) for the given clinics.
    pub fn add_token(&self, token: &DemoToken) -> Result<(), SandboxError> {
        if token.role != "importer" && token.role != "read_only" {
            return Err(SandboxError::Invalid {
                reason: format!("role {:?} is not one of importer, read_only", token.role),
            });
        }
        self.db.sync(|conn| seed::add_token(conn, token))
    }

    /// The demo tokens, when the sandbox was started with demo data.
    pub fn demo_tokens(&self) -> Vec<DemoToken> {
        if self.seeded {
            demo_tokens()
        } else {
            Vec::new()
        }
    }

    /// The demo token that may import into every demo clinic: what the app and the CLI use
    /// for the built-in Sandbox environment. `None` when started without demo data.
    pub fn importer_token(&self) -> Option<String> {
        self.demo_tokens()
            .into_iter()
            .find(|t| t.role == "importer" && t.clinics.len() > 1)
            .map(|t| t.token)
    }

    /// How many clinics, clients and patients the sandbox holds now.
    pub fn counts(&self) -> Result<Counts, SandboxError> {
        let conn = self.db.lock()?;
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

/// What the HTTP handlers share.
pub(crate) struct AppState {
    db: Db,
    schema: api::ApiSchema,
    faults: faults::FaultControl,
    /// What one request may send and ask for.
    guard: api::guard::QueryLimits,
    /// Bounds how many GraphQL requests run at once (not /health).
    gate: Arc<tokio::sync::Semaphore>,
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    service: &'static str,
    version: &'static str,
    counts: Counts,
}

/// GET /health: answered from the counts as of the last change, without the database
/// connection or the GraphQL gate, so it stays fast however busy /graphql is.
async fn health(State(app): State<Arc<AppState>>) -> Json<Health> {
    Json(Health {
        status: "ok",
        service: "ph-sandbox",
        version: env!("CARGO_PKG_VERSION"),
        counts: app.db.cached_counts(),
    })
}

fn router(app: Arc<AppState>) -> Router {
    let body_limit = DefaultBodyLimit::max(app.guard.max_body_bytes);
    Router::new()
        .route("/health", get(health))
        .route("/graphql", post(http::graphql).layer(body_limit))
        .with_state(app)
}

/// Starts a sandbox on `config.addr` and returns once it accepts connections.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    let mut conn = db::open(config.data_dir.as_deref())?;
    if config.seed_demo {
        seed::seed(&mut conn)?;
    }
    let db = Db::new(conn);
    let faults = faults::FaultControl::new(config.faults.clone());
    let guard = api::guard::QueryLimits::for_api(config.limits);
    let app = Arc::new(AppState {
        db: db.clone(),
        schema: api::schema(Some(api::ApiState {
            db: db.clone(),
            limits: config.limits,
        })),
        faults: faults.clone(),
        guard,
        gate: Arc::new(tokio::sync::Semaphore::new(api::guard::CONCURRENT_REQUESTS)),
    });
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
    let task = tokio::spawn(async move {
        let service = router(app).into_make_service_with_connect_info::<http::ConnectionHandle>();
        let serve =
            axum::serve(http::DroppableListener(listener), service).with_graceful_shutdown(async {
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
        limits: config.limits,
        faults,
        stop: Some(stop),
        task: Some(task),
    })
}
