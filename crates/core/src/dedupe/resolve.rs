//! What happens to each matched record: the field policies (keep PH's value, fill blanks,
//! take the file's) and the person's decisions per record (merge, keep both, skip), saved
//! as JSON so they survive a restart and travel with the import plan.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::{Entity, Field};

use super::classify::{Classification, FieldDiff, RecordMatch};

/// What to do with a field where PH and the file differ.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FieldPolicy {
    /// Keep every value PH has; write the file's value only where PH's is empty (default).
    #[default]
    FillBlanks,
    /// Never write this field: PH stays as it is, blanks included.
    KeepPh,
    /// Write the file's value wherever it differs (the file is more recent).
    TakeFile,
}

/// The field policies of an import: one for all fields, and exceptions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldPolicies {
    /// For every field without its own.
    #[serde(default)]
    pub default: FieldPolicy,
    /// Per field.
    #[serde(default)]
    pub fields: BTreeMap<Field, FieldPolicy>,
}

impl FieldPolicies {
    /// The policy for `field`.
    pub fn of(&self, field: Field) -> FieldPolicy {
        self.fields.get(&field).copied().unwrap_or(self.default)
    }
}

/// What the person decided for one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DecisionAction {
    /// Update the matched PH record (for an ambiguous one, the chosen candidate).
    Merge,
    /// Create the file's record as a separate client or pet.
    KeepBoth,
    /// Leave it out of the import.
    Skip,
}

/// One decision, for the record with `external_id` (a client, or a pet of its owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Decision {
    /// Client or pet.
    pub entity: Entity,
    /// The record's ID in the file.
    pub external_id: String,
    /// What to do.
    pub action: DecisionAction,
    /// For merging an ambiguous record: the PH record chosen.
    #[serde(default)]
    pub ph_id: Option<String>,
    /// Field policies for this record only.
    #[serde(default)]
    pub fields: BTreeMap<Field, FieldPolicy>,
}

/// A record of the files that is the same client or pet as another record of the files: it
/// is not imported itself, and a client's pets go to the other client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SameRecord {
    /// Client or pet.
    pub entity: Entity,
    /// The record's ID in the file.
    pub external_id: String,
    /// The ID of the record of the files it is the same as (the one imported).
    pub same_as: String,
}

/// Everything the person decided about duplicates and discrepancies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Decisions {
    /// The field policies.
    #[serde(default)]
    pub policies: FieldPolicies,
    /// Per record.
    #[serde(default)]
    pub records: Vec<Decision>,
    /// Duplicates inside the files found to be one record.
    #[serde(default)]
    pub same: Vec<SameRecord>,
}

/// Why decisions could not be read or saved.
#[derive(Debug, thiserror::Error)]
pub enum DecisionsError {
    /// The file could not be read or written.
    #[error("could not use the decisions file {path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        reason: String,
    },
    /// The file is not a decisions file.
    #[error("{path} is not a decisions file this version understands: {reason}. Save the decisions again, or remove the file to start over.")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A decisions file a person named could not be read (not a regular file, too big).
    #[error(transparent)]
    Named(#[from] crate::small_file::SmallFileError),
}

/// Decisions files larger than this are not decisions (a mistaken path).
const MAX_DECISIONS_BYTES: u64 = 256 * 1024 * 1024;

impl Decisions {
    /// Reads decisions saved with [`Decisions::save`].
    pub fn load(path: &Path) -> Result<Decisions, DecisionsError> {
        let io = |e: std::io::Error| DecisionsError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let size = std::fs::metadata(path).map_err(io)?.len();
        if size > MAX_DECISIONS_BYTES {
            return Err(DecisionsError::Invalid {
                path: path.display().to_string(),
                reason: format!("it is {size} bytes"),
            });
        }
        let text = std::fs::read_to_string(path).map_err(io)?;
        serde_json::from_str(&text).map_err(|e| DecisionsError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Reads a decisions file a person named for a run (`--decisions`, a cohort manifest's
    /// `decisions`): a regular file of a sane size, else a sentence saying what to give.
    pub fn read_named(path: &Path) -> Result<Decisions, DecisionsError> {
        let text = crate::small_file::read(
            path,
            "decisions file",
            "give the decisions file the app saved, or one written as docs/dedupe.md describes",
        )?;
        serde_json::from_str(&text).map_err(|e| DecisionsError::Invalid {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Writes the decisions as JSON, replacing the file in one step so a crash never leaves
    /// half of them.
    pub fn save(&self, path: &Path) -> Result<(), DecisionsError> {
        let io = |e: std::io::Error| DecisionsError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let json = serde_json::to_vec_pretty(self).map_err(|e| io(std::io::Error::other(e)))?;
        let tmp = path.with_extension("json.partial");
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The record of the files `external_id` is the same as, followed to the end (a chain
    /// that comes back on itself counts as none).
    pub fn same_as(&self, entity: Entity, external_id: &str) -> Option<&str> {
        let next = |id: &str| {
            self.same
                .iter()
                .rev()
                .find(|s| s.entity == entity && s.external_id == id)
                .map(|s| s.same_as.as_str())
        };
        let mut at = next(external_id)?;
        for _ in 0..self.same.len() {
            match next(at) {
                Some(further) if further == external_id => return None,
                Some(further) => at = further,
                None => return Some(at),
            }
        }
        None
    }

    /// The decision for a record, if any.
    pub fn for_record(&self, entity: Entity, external_id: &str) -> Option<&Decision> {
        self.records
            .iter()
            .rev()
            .find(|d| d.entity == entity && d.external_id == external_id)
    }
}

/// What importing one record will do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "op")]
#[ts(export)]
pub enum Outcome {
    /// Create it in PH.
    Create,
    /// Write `set` (the file's values) onto the PH record `ph_id`.
    Update {
        /// The PH record.
        ph_id: String,
        /// The fields written, with PH's value before and the file's value.
        set: Vec<FieldDiff>,
    },
    /// PH already has it as wanted.
    Unchanged {
        /// The PH record.
        ph_id: String,
    },
    /// Left out by the person's decision.
    Skip,
    /// Several PH records may be it and nobody chose: the import waits for a decision.
    Undecided,
}

/// What importing a list of records would do, counted by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OutcomeCounts {
    /// Records to create.
    #[ts(type = "number")]
    pub create: u64,
    /// Records to update.
    #[ts(type = "number")]
    pub update: u64,
    /// Records PH already has as wanted.
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Records left out by a decision.
    #[ts(type = "number")]
    pub skip: u64,
    /// Records waiting for a decision.
    #[ts(type = "number")]
    pub undecided: u64,
    /// Records not imported because of their errors (matched all the same).
    #[serde(default)]
    #[ts(type = "number")]
    pub excluded: u64,
}

impl OutcomeCounts {
    /// The outcomes of `matches` under `decisions`, counted.
    pub fn of(matches: &[RecordMatch], decisions: &Decisions) -> Self {
        let mut counts = OutcomeCounts::default();
        for m in matches {
            if !m.errors.is_empty() {
                counts.excluded += 1;
                continue;
            }
            let n = match resolve(m, decisions) {
                Outcome::Create => &mut counts.create,
                Outcome::Update { .. } => &mut counts.update,
                Outcome::Unchanged { .. } => &mut counts.unchanged,
                Outcome::Skip => &mut counts.skip,
                Outcome::Undecided => &mut counts.undecided,
            };
            *n += 1;
        }
        counts
    }
}

/// What importing `m` will do under `decisions`.
pub fn resolve(m: &RecordMatch, decisions: &Decisions) -> Outcome {
    let decision = decisions.for_record(m.entity, &m.external_id);
    let ph_id = match (decision.map(|d| d.action), &m.ph_id) {
        (Some(DecisionAction::Skip), _) => return Outcome::Skip,
        (Some(DecisionAction::KeepBoth), _) => return Outcome::Create,
        (Some(DecisionAction::Merge), _) if m.classification == Classification::Ambiguous => {
            match decision
                .and_then(|d| d.ph_id.clone())
                .filter(|id| m.candidates.contains(id))
            {
                Some(id) => id,
                None => return Outcome::Undecided,
            }
        }
        (_, Some(id)) => id.clone(),
        (_, None) if m.classification == Classification::Ambiguous => return Outcome::Undecided,
        (_, None) => return Outcome::Create,
    };
    let policy = |f: Field| {
        decision
            .and_then(|d| d.fields.get(&f).copied())
            .unwrap_or_else(|| decisions.policies.of(f))
    };
    // An ambiguous record merged into a chosen candidate has no diffs yet: the plan
    // re-classifies against that candidate; here its known diffs (none) apply.
    let set: Vec<FieldDiff> = m
        .diffs
        .iter()
        .filter(|d| match policy(d.field) {
            FieldPolicy::KeepPh => false,
            FieldPolicy::FillBlanks => d.fills_blank(),
            FieldPolicy::TakeFile => true,
        })
        .cloned()
        .collect();
    if set.is_empty() {
        Outcome::Unchanged { ph_id }
    } else {
        Outcome::Update { ph_id, set }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedupe::classify::MatchedBy;

    fn conflict() -> RecordMatch {
        RecordMatch {
            entity: Entity::Client,
            external_id: "100".into(),
            client_external_id: String::new(),
            classification: Classification::Conflict,
            ph_id: Some("ph-1".into()),
            matched_by: Some(MatchedBy::ExternalId),
            score: 1.0,
            reasons: vec![],
            candidates: vec![],
            diffs: vec![
                FieldDiff {
                    field: Field::ClientAddressLine1,
                    ph: "4 Elm Rd".into(),
                    file: "90 Pine Ave".into(),
                },
                FieldDiff {
                    field: Field::ClientPhoneAlt,
                    ph: String::new(),
                    file: "+12175550100".into(),
                },
            ],
            errors: String::new(),
        }
    }

    #[test]
    fn by_default_ph_keeps_its_values_and_blanks_are_filled() {
        let m = conflict();
        let Outcome::Update { ph_id, set } = resolve(&m, &Decisions::default()) else {
            panic!("expected an update");
        };
        assert_eq!(ph_id, "ph-1");
        assert_eq!(
            set.iter().map(|d| d.field).collect::<Vec<_>>(),
            [Field::ClientPhoneAlt]
        );
    }

    #[test]
    fn policies_and_decisions_change_the_outcome() {
        let m = conflict();
        let mut d = Decisions::default();
        d.policies
            .fields
            .insert(Field::ClientAddressLine1, FieldPolicy::TakeFile);
        let Outcome::Update { set, .. } = resolve(&m, &d) else {
            panic!()
        };
        assert_eq!(set.len(), 2);
        d.policies.default = FieldPolicy::KeepPh;
        d.policies.fields.clear();
        assert_eq!(
            resolve(&m, &d),
            Outcome::Unchanged {
                ph_id: "ph-1".into()
            }
        );
        d.records.push(Decision {
            entity: Entity::Client,
            external_id: "100".into(),
            action: DecisionAction::KeepBoth,
            ph_id: None,
            fields: BTreeMap::new(),
        });
        assert_eq!(resolve(&m, &d), Outcome::Create);
    }

    #[test]
    fn an_ambiguous_record_waits_for_a_choice_among_its_candidates() {
        let mut m = conflict();
        m.classification = Classification::Ambiguous;
        m.ph_id = None;
        m.diffs.clear();
        m.candidates = vec!["ph-3".into(), "ph-4".into()];
        assert_eq!(resolve(&m, &Decisions::default()), Outcome::Undecided);
        let mut d = Decisions::default();
        d.records.push(Decision {
            entity: Entity::Client,
            external_id: "100".into(),
            action: DecisionAction::Merge,
            ph_id: Some("ph-9".into()),
            fields: BTreeMap::new(),
        });
        assert_eq!(resolve(&m, &d), Outcome::Undecided, "ph-9 is no candidate");
        d.records[0].ph_id = Some("ph-4".into());
        assert_eq!(
            resolve(&m, &d),
            Outcome::Unchanged {
                ph_id: "ph-4".into()
            }
        );
    }

    #[test]
    fn decisions_survive_a_save_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("decisions.json");
        let mut d = Decisions::default();
        d.policies
            .fields
            .insert(Field::PatientDeceased, FieldPolicy::TakeFile);
        d.records.push(Decision {
            entity: Entity::Patient,
            external_id: "p1".into(),
            action: DecisionAction::Skip,
            ph_id: None,
            fields: BTreeMap::new(),
        });
        d.save(&path).unwrap();
        assert_eq!(Decisions::load(&path).unwrap(), d);
        std::fs::write(&path, "{not json").unwrap();
        let e = Decisions::load(&path).unwrap_err().to_string();
        assert!(e.contains("is not a decisions file"), "{e}");
    }
}
