//! What is sent to the target: required fields (the target's [`RequiredPolicy`]) and
//! which deceased pets and inactive clients are sent at all ([`ImportPolicy`]).
//!
//! Both are data, not constants: a clinic whose old system never collected e-mail gets
//! counted `missing_required` errors it can act on (or a target configured without the
//! requirement), never a crash.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Field, PatientRecord, RequiredPolicy};

/// Which records flagged deceased or inactive are sent. They are always carried in the
/// canonical files with their flags; this decides the import.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportPolicy {
    /// Send pets flagged deceased (default: no).
    pub send_deceased_patients: bool,
    /// Send clients flagged inactive (default: no).
    pub send_inactive_clients: bool,
}

impl ImportPolicy {
    /// Whether the client is sent.
    pub fn sends_client(&self, c: &ClientRecord) -> bool {
        self.send_inactive_clients || c.active != Some(false)
    }

    /// Whether the patient is sent.
    pub fn sends_patient(&self, p: &PatientRecord) -> bool {
        self.send_deceased_patients || p.deceased != Some(true)
    }
}

/// Records carried but not sent under the import policy, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Skipped {
    /// Inactive clients not sent.
    #[ts(type = "number")]
    pub inactive_clients: u64,
    /// Deceased patients not sent.
    #[ts(type = "number")]
    pub deceased_patients: u64,
}

/// The required client fields that are empty.
pub fn missing_client_fields(c: &ClientRecord, policy: &RequiredPolicy) -> Vec<Field> {
    policy
        .client
        .iter()
        .copied()
        .filter(|&f| c.get(f).trim().is_empty())
        .collect()
}

/// The required patient fields that are empty.
pub fn missing_patient_fields(p: &PatientRecord, policy: &RequiredPolicy) -> Vec<Field> {
    policy
        .patient
        .iter()
        .copied()
        .filter(|&f| p.get(f).trim().is_empty())
        .collect()
}
