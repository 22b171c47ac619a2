//! Reading clinics, clients and patients from the database for the API.

use std::collections::HashMap;

use async_graphql::ID;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::errors::ApiError;
use super::types::{Client, Clinic, DateTime, Patient};

pub(crate) const CLIENT_COLUMNS: &str = "id, clinic_id, external_id, first_name, last_name, email, phone, phone_alt, address_line1, address_line2, city, state, postal_code, country, active, created_by_import_run, import_run_id, created_at, updated_at";

pub(crate) const PATIENT_COLUMNS: &str = "id, client_id, external_id, name, species, breed, sex, neutered, date_of_birth, weight_kg, color, microchip, deceased, created_by_import_run, import_run_id, created_at, updated_at";

/// A client row (selected with CLIENT_COLUMNS), without its patients yet.
pub(crate) fn client_from_row(r: &Row) -> rusqlite::Result<Client> {
    Ok(Client {
        id: ID(r.get::<_, i64>(0)?.to_string()),
        clinic_id: ID(r.get(1)?),
        external_id: r.get(2)?,
        first_name: r.get(3)?,
        last_name: r.get(4)?,
        email: r.get(5)?,
        phone: r.get(6)?,
        phone_alt: r.get(7)?,
        address1: r.get(8)?,
        address2: r.get(9)?,
        city: r.get(10)?,
        state: r.get(11)?,
        postal_code: r.get(12)?,
        country: r.get(13)?,
        active: r.get(14)?,
        created_by_import_run: r.get(15)?,
        import_run_id: r.get(16)?,
        created_at: DateTime(r.get(17)?),
        updated_at: DateTime(r.get(18)?),
        patients: Vec::new(),
    })
}

/// A patient row (selected with PATIENT_COLUMNS).
pub(crate) fn patient_from_row(r: &Row) -> rusqlite::Result<Patient> {
    Ok(Patient {
        id: ID(r.get::<_, i64>(0)?.to_string()),
        client_id: ID(r.get::<_, i64>(1)?.to_string()),
        external_id: r.get(2)?,
        name: r.get(3)?,
        species: r.get(4)?,
        breed: r.get(5)?,
        sex: r.get(6)?,
        neutered: r.get(7)?,
        date_of_birth: r.get(8)?,
        weight_kg: r.get(9)?,
        color: r.get(10)?,
        microchip: r.get(11)?,
        deceased: r.get(12)?,
        created_by_import_run: r.get(13)?,
        import_run_id: r.get(14)?,
        created_at: DateTime(r.get(15)?),
        updated_at: DateTime(r.get(16)?),
    })
}

/// A clinic with its counts, or None when there is no such clinic.
pub(crate) fn clinic(conn: &Connection, id: &str) -> Result<Option<Clinic>, ApiError> {
    Ok(conn
        .query_row(
            "SELECT id, name, country, requires_email,
                (SELECT COUNT(*) FROM clients WHERE clinic_id = clinics.id),
                (SELECT COUNT(*) FROM patients WHERE clinic_id = clinics.id)
             FROM clinics WHERE id = ?1",
            [id],
            |r| {
                Ok(Clinic {
                    id: ID(r.get(0)?),
                    name: r.get(1)?,
                    country: r.get(2)?,
                    requires_email: r.get(3)?,
                    client_count: r.get(4)?,
                    patient_count: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// The patients of the given clients, by client, each list by ascending id; one query.
pub(crate) fn patients_of(
    conn: &Connection,
    client_ids: &[i64],
) -> Result<HashMap<i64, Vec<Patient>>, ApiError> {
    let mut by_client: HashMap<i64, Vec<Patient>> = HashMap::new();
    if client_ids.is_empty() {
        return Ok(by_client);
    }
    let ids = serde_json::to_string(client_ids)
        .map_err(|e| ApiError::new(super::errors::ErrorCode::Internal, e.to_string()))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {PATIENT_COLUMNS} FROM patients
         WHERE client_id IN (SELECT value FROM json_each(?1)) ORDER BY client_id, id"
    ))?;
    let rows = stmt.query_map([ids], |r| Ok((r.get::<_, i64>(1)?, patient_from_row(r)?)))?;
    for row in rows {
        let (client_id, patient) = row?;
        by_client.entry(client_id).or_default().push(patient);
    }
    Ok(by_client)
}

/// Fills in the patients of the given clients.
pub(crate) fn attach_patients<'a>(
    conn: &Connection,
    clients: impl IntoIterator<Item = &'a mut Client>,
) -> Result<(), ApiError> {
    let mut clients: Vec<&mut Client> = clients.into_iter().collect();
    let ids: Vec<i64> = clients.iter().filter_map(|c| c.id.parse().ok()).collect();
    let by_client = patients_of(conn, &ids)?;
    for client in &mut clients {
        let id: i64 = client.id.parse().unwrap_or_default();
        // A client can appear twice in one batch result; each copy gets the patients.
        client.patients = by_client.get(&id).cloned().unwrap_or_default();
    }
    Ok(())
}

/// One page of a clinic's clients after `after_id`, and whether more follow.
pub(crate) fn client_page(
    conn: &Connection,
    clinic_id: &str,
    after_id: i64,
    first: usize,
    updated_since: Option<&str>,
) -> Result<(Vec<Client>, bool), ApiError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CLIENT_COLUMNS} FROM clients c
         WHERE c.clinic_id = ?1 AND c.id > ?2 AND {SINCE}
         ORDER BY c.id LIMIT ?4"
    ))?;
    let limit = i64::try_from(first).unwrap_or(i64::MAX - 1) + 1;
    let mut clients = stmt
        .query_map(
            params![clinic_id, after_id, updated_since, limit],
            client_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let has_next = clients.len() > first;
    clients.truncate(first);
    attach_patients(conn, clients.iter_mut())?;
    Ok((clients, has_next))
}

/// How many of a clinic's clients match `updated_since` over all pages.
pub(crate) fn client_total(
    conn: &Connection,
    clinic_id: &str,
    updated_since: Option<&str>,
) -> Result<i32, ApiError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT COUNT(*) FROM clients c WHERE c.clinic_id = ?1 AND ?2 IS NOT NULL AND {SINCE}"
    ))?;
    // ?2 is a placeholder so SINCE's ?3 keeps its number.
    Ok(stmt.query_row(params![clinic_id, 0, updated_since], |r| r.get(0))?)
}

/// The `updatedSince` filter: the client's own row, or one of its patients, changed at or
/// after ?3 (timestamps are fixed-width UTC text, so they compare as text).
const SINCE: &str = "(?3 IS NULL OR c.updated_at >= ?3 OR EXISTS (
    SELECT 1 FROM patients p WHERE p.client_id = c.id AND p.updated_at >= ?3))";
