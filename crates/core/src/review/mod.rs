//! Reviewing problems: the records of a conversion with their findings, fixed by hand.
//!
//! A [`Session`] keeps every converted client and patient with its findings so a person can
//! page through them, filter by code, severity or field, change a value (validated again at
//! once), apply a fix to all similar records and exclude records. What they did is an
//! [`Edits`] document; `job::write_edited` converts the files again with it applied, which is
//! what both the app's Save and `ph-import convert --edits` do.

pub mod edits;
pub mod pipeline;
pub mod revalidate;
pub mod session;

pub use edits::{Change, Edits, EditsError, RecordRef};
pub(crate) use pipeline::Editor;
pub use revalidate::{editable, Record, TableRules};
pub use session::{
    CodeTally, FieldTally, Filter, Page, ReviewError, ReviewFinding, ReviewRow, Session, Summary,
};
