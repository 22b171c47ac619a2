//! The column-mapping engine: from any vendor's columns to canonical fields.
//!
//! [`suggest`] proposes a mapping from a file's headers and sampled values; a
//! [`Mapping`] is what the user confirms (or loads from a [`profile`]); [`convert`]
//! applies it to every row and yields canonical records plus findings.

pub mod code_tables;
pub mod convert;
pub mod country;
mod crosstable;
mod draft;
mod groups;
pub mod header;
mod lines;
pub mod model;
pub mod profile;
pub mod resolve;
pub mod row;
pub mod settings_sheet;
pub mod sniff;
pub mod source;
mod status;
pub mod suggest;
pub mod table;
pub mod transform;
pub mod vocab;
mod weights;

pub use convert::{Collected, Converter, RepeatKind, Repeated, Sink};
pub use model::{
    FieldMapping, GroupColumn, IgnoredColumn, Mapping, MappingError, PetGroup, TableMapping,
    TableRole,
};
pub use profile::{Profile, ProfileMatch};
pub use suggest::{suggest, SuggestOptions, Suggestion};
pub use table::{SourceRow, SourceTable};
