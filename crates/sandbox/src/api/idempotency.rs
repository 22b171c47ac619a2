//! Idempotency keys: the first result of a mutation is stored under the caller's key and
//! replayed for a repeat; a different request under the same key is refused.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::errors::{ApiError, ErrorCode};
use super::types::Replayable;

/// Longest idempotency key accepted.
const MAX_KEY: usize = 200;

/// What identifies "the same request": the mutation and its whole input, serialized from
/// the parsed input so that key order, whitespace and defaults in the body do not matter.
pub(crate) fn request_hash(operation: &str, input: &impl Serialize) -> Result<String, ApiError> {
    let json = serde_json::to_string(input).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("could not hash the request: {e}"),
        )
    })?;
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update(b"\n");
    hasher.update(json.as_bytes());
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Checks a key's shape before any work.
pub(crate) fn check_key(key: &str) -> Result<(), ApiError> {
    if key.trim().is_empty() || key.chars().count() > MAX_KEY {
        return Err(ApiError::bad_request(format!(
            "idempotencyKey must be 1 to {MAX_KEY} characters; use a fresh random value (e.g. a UUID) per request"
        )));
    }
    Ok(())
}

/// Runs `apply` in one write transaction unless the key was used before: then the stored
/// result is replayed (same request) or the request refused (different request). The
/// transaction is taken before the key is looked up, so concurrent repeats wait for the
/// first and then replay it. A refused request stores nothing under the key.
pub(crate) fn run<R: Replayable>(
    conn: &mut Connection,
    principal: &str,
    key: &str,
    request_hash: &str,
    apply: impl FnOnce(&rusqlite::Transaction) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored: Option<(String, String)> = tx
        .query_row(
            "SELECT request_sha256, response FROM idempotency WHERE principal = ?1 AND key = ?2",
            params![principal, key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((hash, response)) = stored {
        if hash != request_hash {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                format!("idempotency key {key:?} was already used for a different request; nothing was changed. Use a new key for a new request"),
            ));
        }
        let mut result: R = serde_json::from_str(&response).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("the stored result of key {key:?} is unreadable: {e}"),
            )
        })?;
        result.mark_replayed();
        return Ok(result);
    }
    let result = apply(&tx)?;
    let response = serde_json::to_string(&result).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("could not store the result: {e}"),
        )
    })?;
    tx.execute(
        "INSERT INTO idempotency (principal, key, request_sha256, response, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![principal, key, request_hash, response, crate::db::now()],
    )?;
    tx.commit()?;
    Ok(result)
}
