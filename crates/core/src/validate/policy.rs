//! What is sent to the target: required fields (the target's [`RequiredPolicy`]) and
//! which deceased pets and inactive clients are sent at all ([`ImportPolicy`]).
//!
//! Both are data, not constants: a clinic whose old system never collected e-mail gets
//! counted `missing_required` errors it can act on (or a target configured without the
//! requirement), never a crash.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{ClientRecord, Field, Finding, PatientRecord, RequiredPolicy, Severity};

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
        // An organisation has no first name: PH takes a client with a last name only.
        .filter(|&f| {
            !(f == Field::ClientFirstName && crate::canonical::vocab::is_organisation(&c.last_name))
        })
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

/// Where the target does not require an e-mail, an unusable one counts as missing: the
/// client is sent without it, and its `invalid_email` finding (whose value keeps the cell as
/// written) becomes a warning to follow up. Where e-mail is required it stays an error.
pub fn excuse_invalid_email(
    client: &mut ClientRecord,
    findings: &mut [Finding],
    policy: &RequiredPolicy,
) {
    if policy.requires(Field::ClientEmail) {
        return;
    }
    let mut excused = false;
    for f in findings.iter_mut().filter(|f| {
        f.code == "invalid_email"
            && f.field == Field::ClientEmail.key()
            && f.severity == Severity::Error
    }) {
        f.severity = Severity::Warning;
        f.message = format!(
            "\"{}\" is not a valid e-mail address; the client is imported without one, as this clinic does not require it: ask the owner for the right address",
            client.email
        );
        excused = true;
    }
    if excused {
        client.email.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(value: &str) -> Finding {
        Finding {
            file: "export.csv".into(),
            row: 2,
            field: Field::ClientEmail.key().into(),
            code: "invalid_email".into(),
            severity: Severity::Error,
            message: "not valid".into(),
            value: value.into(),
            suggestion: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn an_invalid_email_is_dropped_only_where_email_is_not_required() {
        let mut client = ClientRecord {
            email: "mary@".into(),
            ..ClientRecord::default()
        };
        let mut findings = vec![invalid("mary@")];
        excuse_invalid_email(&mut client, &mut findings, &RequiredPolicy::ph_default());
        assert_eq!(client.email, "mary@");
        assert_eq!(findings[0].severity, Severity::Error);

        excuse_invalid_email(&mut client, &mut findings, &RequiredPolicy::without_email());
        assert_eq!(client.email, "");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(
            findings[0].value, "mary@",
            "the finding keeps the value as written"
        );
        assert!(
            findings[0].message.contains("\"mary@\""),
            "{}",
            findings[0].message
        );
    }
}
