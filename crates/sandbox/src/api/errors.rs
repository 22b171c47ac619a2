//! Errors of whole requests, with the machine-readable code clients act on.

use async_graphql::ErrorExtensions;

use crate::SandboxError;

/// Values of `extensions.code` on GraphQL errors (documentation only; the field is a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ErrorCode {
    /// No token, or a token the server does not know (HTTP 401).
    Unauthenticated,
    /// The token's role or clinics do not allow this (HTTP 403).
    Forbidden,
    /// The clinic (or other named object) does not exist.
    NotFound,
    /// The request is malformed: a bad argument, cursor, query or body.
    BadRequest,
    /// A batch holds more items than `apiInfo.maxBatchSize`; nothing was changed.
    BatchTooLarge,
    /// The idempotency key was used before with a different request; nothing was changed.
    IdempotencyKeyReused,
    /// Too many requests; wait for the `Retry-After` seconds (HTTP 429).
    RateLimited,
    /// The server cannot answer now; retry later (HTTP 503).
    Unavailable,
    /// The server failed; retrying the same request with the same idempotency key is safe.
    Internal,
}

impl ErrorCode {
    /// The code as it appears in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadRequest => "BAD_REQUEST",
            Self::BatchTooLarge => "BATCH_TOO_LARGE",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::RateLimited => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal => "INTERNAL",
        }
    }
}

/// A request-level failure: the whole operation was refused and nothing changed.
/// Deliberately not `Display`: async-graphql turns any `Display` error into one without a
/// code, so the only way into a GraphQL error is the `From` below, which keeps the code.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
}

impl From<SandboxError> for ApiError {
    fn from(e: SandboxError) -> Self {
        tracing::error!("sandbox request failed: {e}");
        Self::new(ErrorCode::Internal, e.to_string())
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        Self::from(crate::db::db_error(e))
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let code = e.code.as_str();
        async_graphql::Error::new(e.message).extend_with(|_, ext| ext.set("code", code))
    }
}

/// The GraphQL error body of a response refused before the schema ran (401, 429, 503).
pub(crate) fn error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    serde_json::json!({
        "data": null,
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }],
    })
}
