//! Re-validating one record after a person changed some of its values.
//!
//! A typed value goes through the transform its field's kind calls for (the user's code
//! tables and date order included), then the whole record is validated again. Its findings
//! are rebuilt from the ones the conversion gave it: those about a changed field go, those
//! validation keeps producing are produced afresh (so a fixed ZIP drops its state mismatch),
//! and everything else (normalizations already applied, links between rows) stays.
//! The app's review and `convert --edits` both go through here, so they agree.

use std::collections::HashSet;

use crate::canonical::{
    ClientRecord, Entity, Field, FieldKind, Finding, PatientRecord, RequiredPolicy, Severity,
};
use crate::mapping::transform::dates::DateOrder;
use crate::mapping::transform::units::WeightUnit;
use crate::mapping::transform::{Problem, Transform};
use crate::mapping::{Mapping, TableMapping, TableRole};
use crate::validate::{self, policy, Context, Issue};

/// How typed values of each field are read for one source table.
#[derive(Debug, Clone)]
pub struct TableRules {
    label: String,
    role: TableRole,
    transforms: Vec<(Field, Transform)>,
}

/// What re-validation needs beyond the record: the rules of its table, the clinic's
/// context, the target's required fields, and which client IDs exist.
pub struct Checks<'a> {
    /// The record's table.
    pub table: &'a TableRules,
    /// Country and today.
    pub context: &'a Context,
    /// Required fields.
    pub policy: &'a RequiredPolicy,
    /// Whether the run has client tables (else pets link to clients already in PH).
    pub expects_clients: bool,
    /// Whether a client with this ID is in the run.
    pub client_exists: &'a dyn Fn(&str) -> bool,
}

impl TableRules {
    /// The rules of every table of `mapping`, by position.
    pub fn of(mapping: &Mapping) -> Vec<TableRules> {
        mapping
            .tables
            .iter()
            .map(|t| TableRules::new(t, &mapping.country))
            .collect()
    }

    fn new(table: &TableMapping, country: &str) -> Self {
        let default_order = if country.eq_ignore_ascii_case("US") {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        };
        let mapped = |field: Field| table.fields.iter().find(|f| f.field == field);
        let transforms = Field::ALL
            .iter()
            .map(|&field| {
                let chosen = mapped(field).map(|f| &f.transform);
                let t = match field.kind() {
                    FieldKind::Email => Transform::Email,
                    FieldKind::Phone => Transform::Phone {
                        country: country.to_string(),
                    },
                    FieldKind::State => Transform::State,
                    FieldKind::Country => Transform::Country,
                    FieldKind::Bool => Transform::Bool {
                        invert: false,
                        codes: Vec::new(),
                    },
                    FieldKind::Microchip => Transform::Microchip,
                    FieldKind::WeightKg => Transform::Weight {
                        unit: WeightUnit::Kg,
                    },
                    // The person's own code tables apply to what they type, too.
                    FieldKind::Species => match chosen {
                        Some(t @ Transform::Species { .. }) => t.clone(),
                        _ => Transform::Species { codes: Vec::new() },
                    },
                    FieldKind::Sex => match chosen {
                        Some(t @ Transform::Sex { .. }) => t.clone(),
                        _ => Transform::Sex { codes: Vec::new() },
                    },
                    FieldKind::Date => match chosen {
                        Some(t @ Transform::Date { .. }) => t.clone(),
                        _ => Transform::Date {
                            order: default_order,
                            pivot_year: 2030,
                        },
                    },
                    FieldKind::Id | FieldKind::Name | FieldKind::Text | FieldKind::PostalCode => {
                        Transform::Copy
                    }
                };
                (field, t)
            })
            .collect();
        TableRules {
            label: table.table.clone(),
            role: table.role,
            transforms,
        }
    }

    /// The table's label as in findings.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// What the table holds.
    pub fn role(&self) -> TableRole {
        self.role
    }

    fn read(&self, field: Field, typed: &str) -> (String, Vec<Problem>) {
        let out = self
            .transforms
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, t)| t.apply(field, &[typed]))
            .unwrap_or_default();
        (out.value, out.problems)
    }
}

/// Whether a person may change this field of a record from a table with `role`. IDs link
/// records to each other (and to the next run), so only the owner link of a pet from a
/// patients table can be changed (in a combined table the owner is the row's client).
pub fn editable(field: Field, role: TableRole) -> bool {
    match field {
        Field::ClientExternalId | Field::PatientExternalId => false,
        Field::PatientClientExternalId => role == TableRole::Patients,
        _ => true,
    }
}

/// A record of either kind, as re-validation handles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A client.
    Client(ClientRecord),
    /// A patient.
    Patient(PatientRecord),
}

impl Record {
    /// Client or patient.
    pub fn entity(&self) -> Entity {
        match self {
            Record::Client(_) => Entity::Client,
            Record::Patient(_) => Entity::Patient,
        }
    }

    /// A field as canonical text.
    pub fn get(&self, field: Field) -> &str {
        match self {
            Record::Client(c) => c.get(field),
            Record::Patient(p) => p.get(field),
        }
    }

    fn set(&mut self, field: Field, value: String) {
        match self {
            Record::Client(c) => c.set(field, value),
            Record::Patient(p) => p.set(field, value),
        }
    }

    fn validate(&mut self, context: &Context) -> Vec<Issue> {
        match self {
            Record::Client(c) => validate::client(c, context),
            Record::Patient(p) => validate::patient(p, context),
        }
    }

    fn missing(&self, policy: &RequiredPolicy) -> Vec<Field> {
        match self {
            Record::Client(c) => policy::missing_client_fields(c, policy),
            Record::Patient(p) => policy::missing_patient_fields(p, policy),
        }
    }
}

/// The record with `changes` (field, typed value) applied, validated again, and its new
/// findings. `findings` are the findings the conversion gave this record; `row` is its
/// source row.
pub fn revalidate(
    original: &Record,
    findings: &[Finding],
    row: u64,
    changes: &[(Field, &str)],
    checks: &Checks,
) -> (Record, Vec<Finding>) {
    let entity = original.entity();
    let key = |f: &Finding| (f.field.clone(), f.code.clone());
    // What validation keeps saying about the converted record (it is idempotent on its own
    // output): these are produced again below, from the changed record.
    let mut standing = original.clone();
    let standing: HashSet<(String, String)> = standing
        .validate(checks.context)
        .into_iter()
        .map(|i| (i.field.key().to_string(), i.problem.code))
        .collect();
    let changed: HashSet<&str> = changes.iter().map(|(f, _)| f.key()).collect();
    let new_finding = |field: Field, p: Problem, value: &str| Finding {
        file: checks.table.label.clone(),
        row,
        field: field.key().into(),
        code: p.code,
        severity: p.severity,
        message: p.message,
        value: value.into(),
        suggestion: p.suggestion,
        source: String::new(),
    };

    let mut record = original.clone();
    let mut read_problems = Vec::new();
    for &(field, typed) in changes {
        if field.entity() != entity || !editable(field, checks.table.role) {
            continue;
        }
        let (value, problems) = checks.table.read(field, typed);
        record.set(field, value);
        read_problems.extend(problems.into_iter().map(|p| new_finding(field, p, typed)));
    }
    // A typed e-mail follows the conversion's rule for the target.
    if let Record::Client(c) = &mut record {
        policy::excuse_invalid_email(c, &mut read_problems, checks.policy);
    }
    let link = Field::PatientClientExternalId.key();
    let mut out: Vec<Finding> = findings
        .iter()
        .filter(|f| !changed.contains(f.field.as_str()))
        .filter(|f| !standing.contains(&key(f)))
        // Required fields are checked again below (an ID's absence is not: IDs are fixed).
        .filter(|f| !(f.code == "missing_required" && f.field != Field::ClientExternalId.key()))
        .cloned()
        .collect();
    out.extend(read_problems);
    for issue in record.validate(checks.context) {
        let f = new_finding(issue.field, issue.problem, &issue.value);
        if !out.iter().any(|x| key(x) == key(&f)) {
            out.push(f);
        }
    }
    for field in record.missing(checks.policy) {
        // A pet's value that could not be read already says why it is empty.
        if entity == Entity::Patient && out.iter().any(|x| x.field == field.key()) {
            continue;
        }
        out.push(Finding {
            file: checks.table.label.clone(),
            row,
            field: field.key().into(),
            code: "missing_required".into(),
            severity: Severity::Error,
            message: format!("{} is required", field.key()),
            value: String::new(),
            suggestion: String::new(),
            source: String::new(),
        });
    }
    if let Record::Patient(p) = &record {
        if changed.contains(link)
            && checks.table.role == TableRole::Patients
            && checks.expects_clients
            && !p.client_external_id.is_empty()
            && !(checks.client_exists)(&p.client_external_id)
        {
            out.push(Finding {
                file: checks.table.label.clone(),
                row,
                field: link.into(),
                code: "orphan_patient".into(),
                severity: Severity::Error,
                message: format!("no client has the ID \"{}\"", p.client_external_id),
                value: p.client_external_id.clone(),
                suggestion: String::new(),
                source: String::new(),
            });
        }
    }
    (record, out)
}
