//! Which fields a target requires before a record can be imported.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::field::Field;

/// The required-field policy of one import target. PH requires an e-mail address for
/// each client unless the target is configured otherwise, so this is data, not a constant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RequiredPolicy {
    /// Fields every client needs.
    pub client: Vec<Field>,
    /// Fields every patient needs.
    pub patient: Vec<Field>,
}

impl Default for RequiredPolicy {
    fn default() -> Self {
        Self::ph_default()
    }
}

impl RequiredPolicy {
    /// PH's default: first and last name and e-mail for clients; owner link, name and
    /// species for patients.
    pub fn ph_default() -> Self {
        Self {
            client: vec![
                Field::ClientFirstName,
                Field::ClientLastName,
                Field::ClientEmail,
            ],
            patient: vec![
                Field::PatientClientExternalId,
                Field::PatientName,
                Field::PatientSpecies,
            ],
        }
    }

    /// The same without e-mail, for targets that accept clients without one.
    pub fn without_email() -> Self {
        let mut p = Self::ph_default();
        p.client.retain(|f| *f != Field::ClientEmail);
        p
    }

    /// Whether the field is required.
    pub fn requires(&self, field: Field) -> bool {
        self.client.contains(&field) || self.patient.contains(&field)
    }
}
