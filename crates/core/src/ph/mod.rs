//! The PH client-import API v1 client: environments, credentials in the OS keychain,
//! and an HTTPS GraphQL client with retries, batching and paging.
//!
//! The contract is `docs/ph-api.graphql`; the documents sent are in `ph/operations/`.
//! Tokens never reach a file, a log line or an error message: [`Token`] redacts itself and
//! only [`credentials`] and the transport's `Authorization` header see its value.

mod api;
pub mod canonical;
pub mod credentials;
pub mod endpoint;
pub mod environments;
mod error;
mod login;
pub mod operations;
pub mod retry;
mod token;
mod transport;
pub mod types;

pub use api::{BatchItem, BatchReport, BatchTarget, ClientPages, FailedBatch, PhApi};
pub use credentials::{CredentialError, CredentialStore, KeyringStore};
pub use endpoint::{parse_base_url, EndpointError};
pub use environments::{Environment, EnvironmentKind, Settings, SettingsError};
pub use error::PhError;
pub use login::{connect, login, LoginError};
pub use retry::RetryPolicy;
pub use token::{Token, TokenError};
pub use transport::{ClientOptions, Operation};
pub use types::*;

/// A fresh idempotency key or import-run id (UUID v4).
pub fn new_key() -> String {
    uuid::Uuid::new_v4().to_string()
}
