//! What can go wrong talking to PH, each case with what to do about it.

use super::endpoint::EndpointError;

/// A failed call to the PH API. Messages never contain the token or personal data sent.
#[derive(Debug, thiserror::Error)]
pub enum PhError {
    /// The environment's URL breaks the transport rule.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// 401 / UNAUTHENTICATED: the token is missing, wrong, expired or revoked.
    #[error("the token for environment `{env}` was refused: run `ph-import login --env {env}`")]
    Unauthenticated {
        /// The environment.
        env: String,
    },
    /// 403 / FORBIDDEN: the token's role or clinics do not allow this.
    // A read (dedupe, plan, clients) only needs the clinic in the token; a write needs the
    // importer role too. The server's message says which of the two was missing.
    #[error("the token for environment `{env}` may not do this ({message}): reading a clinic needs a token that includes it, and importing into it one with the importer role too")]
    Forbidden {
        /// The environment.
        env: String,
        /// What the server said.
        message: String,
    },
    /// NOT_FOUND: the clinic or record does not exist (or is not visible to the token).
    #[error("not found: {message}")]
    NotFound {
        /// What the server said.
        message: String,
    },
    /// BATCH_TOO_LARGE: more items than the server's maxBatchSize.
    #[error("the batch was too large for the server ({message}): send at most apiInfo.maxBatchSize items per request")]
    BatchTooLarge {
        /// What the server said.
        message: String,
    },
    /// IDEMPOTENCY_KEY_REUSED: the same key came with a different request.
    #[error("the idempotency key was already used for a different request ({message}): the data changed since the first attempt; start a new import run")]
    IdempotencyKeyReused {
        /// What the server said.
        message: String,
    },
    /// 429 after every retry.
    #[error("environment `{env}` kept rate-limiting after {attempts} attempts: wait a few minutes and try again, or lower the concurrency")]
    RateLimited {
        /// The environment.
        env: String,
        /// Attempts made.
        attempts: u32,
    },
    /// 5xx after every retry (or INTERNAL).
    #[error("environment `{env}` failed with HTTP {status} after {attempts} attempts ({message}): try again later; if it persists, tell PH")]
    Server {
        /// The environment.
        env: String,
        /// The last HTTP status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// What the server said, shortened.
        message: String,
    },
    /// The server could not be reached or the connection broke, after every retry.
    #[error("could not reach environment `{env}` after {attempts} attempts ({reason}): check the network and the environment's URL (`ph-import env list`)")]
    Network {
        /// The environment.
        env: String,
        /// Attempts made.
        attempts: u32,
        /// What went wrong on the last attempt.
        reason: String,
    },
    /// BAD_REQUEST or another 4xx: the request itself is wrong.
    #[error("the server refused the `{operation}` request ({message}); if PH's API names differ, adapt crates/core/src/ph/operations/{operation}.graphql")]
    BadRequest {
        /// The operation.
        operation: String,
        /// What the server said.
        message: String,
    },
    /// Another error code.
    #[error("the server answered `{operation}` with error {code}: {message}")]
    Api {
        /// The operation.
        operation: String,
        /// `extensions.code`.
        code: String,
        /// What the server said.
        message: String,
    },
    /// The answer was not what the contract promises.
    #[error("the server's answer to `{operation}` does not match the PH client-import API v1 ({reason}): check that the environment's URL points at a PH import API")]
    UnexpectedResponse {
        /// The operation.
        operation: String,
        /// What did not match.
        reason: String,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("the HTTP client could not be set up: {reason}")]
    Setup {
        /// What failed.
        reason: String,
    },
}

impl PhError {
    /// A machine-readable code for the UI and JSON output.
    pub fn code(&self) -> &str {
        match self {
            PhError::Endpoint(_) => "INSECURE_OR_INVALID_URL",
            PhError::Unauthenticated { .. } => "UNAUTHENTICATED",
            PhError::Forbidden { .. } => "FORBIDDEN",
            PhError::NotFound { .. } => "NOT_FOUND",
            PhError::BatchTooLarge { .. } => "BATCH_TOO_LARGE",
            PhError::IdempotencyKeyReused { .. } => "IDEMPOTENCY_KEY_REUSED",
            PhError::RateLimited { .. } => "RATE_LIMITED",
            PhError::Server { .. } => "INTERNAL",
            PhError::Network { .. } => "NETWORK",
            PhError::BadRequest { .. } => "BAD_REQUEST",
            PhError::Api { code, .. } => code,
            PhError::UnexpectedResponse { .. } => "UNEXPECTED_RESPONSE",
            PhError::Setup { .. } => "SETUP",
        }
    }

    /// Maps a GraphQL error's `extensions.code` to the typed error.
    pub(crate) fn from_code(env: &str, operation: &str, code: &str, message: String) -> PhError {
        match code {
            "UNAUTHENTICATED" => PhError::Unauthenticated {
                env: env.to_owned(),
            },
            "FORBIDDEN" => PhError::Forbidden {
                env: env.to_owned(),
                message,
            },
            "NOT_FOUND" => PhError::NotFound { message },
            "BATCH_TOO_LARGE" => PhError::BatchTooLarge { message },
            "IDEMPOTENCY_KEY_REUSED" => PhError::IdempotencyKeyReused { message },
            "RATE_LIMITED" => PhError::RateLimited {
                env: env.to_owned(),
                attempts: 1,
            },
            "BAD_REQUEST" | "" => PhError::BadRequest {
                operation: operation.to_owned(),
                message,
            },
            other => PhError::Api {
                operation: operation.to_owned(),
                code: other.to_owned(),
                message,
            },
        }
    }
}
