//! Vendor profiles: a finished mapping saved under a name, recognized again when a new
//! export has the same layout.
//!
//! A profile stores the mapping plus the headers it was made for. A new file is matched
//! by header overlap (names compared after normalization, so "Client ID" and "client_id"
//! agree), and a match that lacks columns the mapping uses is reported as schema drift
//! instead of failing silently later.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ph::environments::{config_dir, SettingsError};

use super::header::tokenize;
use super::model::{check_header, Mapping, MappingError};

/// The `format` value of profile files.
pub const PROFILE_FORMAT: &str = "ph-import-profile";
/// The profile file version written by this build.
pub const PROFILE_VERSION: u32 = 1;

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Profile {
    /// Always `ph-import-profile`.
    pub format: String,
    /// The profile format version.
    pub version: u32,
    /// Its name, e.g. the clinic's PIMS ("Cornerstone patient list").
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// Whether it ships with the tool.
    #[serde(default)]
    pub builtin: bool,
    /// The mapping.
    pub mapping: Mapping,
}

/// How well a profile fits a set of tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProfileMatch {
    /// The profile's name.
    pub name: String,
    /// 0–1: the average header overlap of its tables with the files' tables.
    pub score: f32,
    /// For each profile table, the index of the input table it was matched to.
    pub tables: Vec<u32>,
    /// Columns the mapping uses that the files lack (schema drift).
    pub missing_columns: Vec<String>,
}

impl Profile {
    /// A profile around a (confirmed) mapping.
    pub fn new(name: &str, description: &str, mut mapping: Mapping) -> Profile {
        mapping.confirm_all();
        Profile {
            format: PROFILE_FORMAT.into(),
            version: PROFILE_VERSION,
            name: name.into(),
            description: description.into(),
            builtin: false,
            mapping,
        }
    }

    /// Parses a profile file, checking format and version.
    pub fn from_json(text: &str) -> Result<Profile, MappingError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| MappingError::Json(e.to_string()))?;
        check_header(&value, PROFILE_FORMAT, PROFILE_VERSION)?;
        serde_json::from_value(value).map_err(|e| MappingError::Json(e.to_string()))
    }

    /// The profile as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// How well the profile fits tables with these headers; `None` when a table finds no partner.
    pub fn fit(&self, inputs: &[Vec<String>]) -> Option<ProfileMatch> {
        if self.mapping.tables.len() != inputs.len() {
            return None;
        }
        let input_sets: Vec<HashSet<String>> = inputs.iter().map(|h| header_set(h)).collect();
        let mut used = HashSet::new();
        let mut total = 0.0;
        let mut tables = Vec::new();
        let mut missing = Vec::new();
        for t in &self.mapping.tables {
            let own = header_set(&t.headers);
            let best = input_sets
                .iter()
                .enumerate()
                .filter(|(i, _)| !used.contains(i))
                .map(|(i, s)| (i, jaccard(&own, s)))
                .max_by(|a, b| a.1.total_cmp(&b.1))?;
            used.insert(best.0);
            total += best.1;
            tables.push(best.0 as u32);
            let have: HashSet<&str> = inputs[best.0].iter().map(String::as_str).collect();
            for c in t.used_columns() {
                if !have.contains(c.as_str()) && !missing.contains(c) {
                    missing.push(c.clone());
                }
            }
        }
        Some(ProfileMatch {
            name: self.name.clone(),
            score: total / self.mapping.tables.len().max(1) as f32,
            tables,
            missing_columns: missing,
        })
    }

    /// The profile's mapping rebound to these input tables (names and order of the inputs).
    pub fn mapping_for(
        &self,
        names: &[String],
        inputs: &[Vec<String>],
    ) -> Result<Mapping, MappingError> {
        let fit = self
            .fit(inputs)
            .ok_or_else(|| MappingError::NoTable(self.name.clone()))?;
        let first_table = fit
            .tables
            .first()
            .map(|&i| names.get(i as usize).cloned().unwrap_or_default())
            .unwrap_or_default();
        if !fit.missing_columns.is_empty() {
            return Err(MappingError::MissingColumns {
                table: first_table,
                columns: fit.missing_columns,
            });
        }
        let mut mapping = self.mapping.clone();
        let mut tables = vec![None; inputs.len()];
        for (t, &i) in mapping.tables.drain(..).zip(&fit.tables) {
            let mut t = t;
            t.table = names.get(i as usize).cloned().unwrap_or_default();
            t.headers = inputs[i as usize].clone();
            tables[i as usize] = Some(t);
        }
        mapping.tables = tables.into_iter().flatten().collect();
        Ok(mapping)
    }
}

fn header_set(headers: &[String]) -> HashSet<String> {
    headers
        .iter()
        .map(|h| tokenize(h).concat())
        .filter(|h| !h.is_empty())
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f32 / union as f32
}

/// The profiles shipped with the tool, one per fixture layout.
pub fn builtin_profiles() -> Vec<Profile> {
    const SOURCES: &[&str] = &[
        include_str!("profiles/cornerstone-patient-list.json"),
        include_str!("profiles/avimark-clients-animals.json"),
        include_str!("profiles/ezyvet-contacts.json"),
        include_str!("profiles/impromed-owner-pet.json"),
        include_str!("profiles/vetspire-patients.json"),
        include_str!("profiles/pulse-conversion.json"),
        include_str!("profiles/provet-workbook.json"),
    ];
    SOURCES
        .iter()
        .filter_map(|s| Profile::from_json(s).ok())
        .map(|mut p| {
            p.builtin = true;
            p
        })
        .collect()
}

/// The best profile for these headers, when one fits well (≥ 0.8 overlap).
pub fn best_match(profiles: &[Profile], inputs: &[Vec<String>]) -> Option<ProfileMatch> {
    profiles
        .iter()
        .filter_map(|p| p.fit(inputs))
        .filter(|m| m.score >= 0.8)
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

/// The folder of saved profiles, one for the CLI and the app: `PH_IMPORT_PROFILES` if set,
/// else `profiles` in the app's config folder, beside the environments' settings file
/// (e.g. `~/.config/client-import/profiles` on Linux).
pub fn saved_dir() -> Result<PathBuf, SettingsError> {
    if let Some(dir) = std::env::var_os("PH_IMPORT_PROFILES") {
        return Ok(PathBuf::from(dir));
    }
    Ok(config_dir()?.join("profiles"))
}

/// Loads every `*.json` profile of a directory; unreadable files are skipped.
pub fn load_dir(dir: &Path) -> Vec<Profile> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<Profile> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| Profile::from_json(&t).ok())
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Saves a profile as `<dir>/<slug of name>.json`, returning the path.
pub fn save(dir: &Path, profile: &Profile) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let slug: String = profile
        .name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let path = dir.join(format!(
        "{}.json",
        if slug.is_empty() { "profile" } else { &slug }
    ));
    std::fs::write(&path, profile.to_json())?;
    Ok(path)
}
