//! Bearer tokens: who is calling, with which role, for which clinics.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::api::errors::{ApiError, ErrorCode};
use crate::db::db_error;
use crate::SandboxError;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum Role {
    /// May read and write the clinics of the token.
    Importer,
    /// May only read.
    ReadOnly,
}

/// The caller behind a valid token.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    /// SHA-256 of the token: the key its idempotency records are kept under.
    pub id: String,
    pub name: String,
    pub role: Role,
    pub clinics: Vec<String>,
}

impl Principal {
    /// Allows reading a clinic the token names.
    pub fn require_clinic(&self, clinic_id: &str) -> Result<(), ApiError> {
        if self.clinics.iter().any(|c| c == clinic_id) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("this token may not use clinic {clinic_id:?}; it may use: {}. Ask PH for a token that includes the clinic.", self.clinics.join(", ")),
            ))
        }
    }

    /// Allows changing a clinic: the token must be an importer's and name the clinic.
    pub fn require_importer(&self, clinic_id: &str) -> Result<(), ApiError> {
        if self.role != Role::Importer {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "this token is read-only and may not change data; log in with an importer token",
            ));
        }
        self.require_clinic(clinic_id)
    }
}

/// Hex SHA-256 of a token, as the tokens table keeps it.
pub(crate) fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The bearer token of an `Authorization` header value, if it is one.
pub(crate) fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The principal of a token, or None when the sandbox does not know it.
pub(crate) fn lookup(conn: &Connection, token: &str) -> Result<Option<Principal>, SandboxError> {
    let hash = token_hash(token);
    let row = conn
        .query_row(
            "SELECT name, role, clinics FROM tokens WHERE token_sha256 = ?1",
            [&hash],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()
        .map_err(db_error)?;
    let Some((name, role, clinics)) = row else {
        return Ok(None);
    };
    let role = if role == "importer" {
        Role::Importer
    } else {
        Role::ReadOnly
    };
    let clinics: Vec<String> =
        serde_json::from_str(&clinics).map_err(|e| SandboxError::Database {
            reason: format!("the clinics of token {name:?} are unreadable: {e}"),
        })?;
    Ok(Some(Principal {
        id: hash,
        name,
        role,
        clinics,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_takes_the_token_after_the_scheme() {
        assert_eq!(bearer(Some("Bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
