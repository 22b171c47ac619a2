//! PH's canonical client and patient records, format v1: the one shape every vendor's
//! export is mapped into, documented in `docs/canonical-format.md`.
//!
//! The canonical types hold text exactly as it will be written to `clients.csv` and
//! `patients.csv` (booleans as `Option<bool>`: `None` is "unknown", written empty), so
//! that what the mapping produced and what the user sees are the same thing.

mod field;
mod finding;
mod id;
mod policy;
mod problem;
mod record;
pub mod text;
pub mod units;
pub mod vocab;

pub use field::{Entity, Field, FieldKind, SPECIES};
pub use finding::{CodeCount, Finding, Severity};
pub use id::{derive_client_id, derive_patient_id, DERIVED_ID_PREFIX};
pub use policy::RequiredPolicy;
pub use problem::{Output, Problem};
pub use record::{ClientRecord, PatientRecord};

/// Version of the canonical format written by this build.
pub const FORMAT_VERSION: u32 = 1;
