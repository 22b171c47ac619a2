//! The cohort manifest: the week's clinics, each one import run (PH clinic, environment,
//! files, profile, settings, decisions), and how the cohort runs (its name, how many clinics
//! at once, where its state is kept). Written in TOML; `docs/cohort.md` describes it and
//! `docs/cohort.schema.json` is its JSON Schema (the TOML read as JSON).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::job::ImportSettings;
use crate::ph::environments::SANDBOX;
use crate::read::overrides::{delimiter_or_why, header_row_named, ReadOverride};

use super::CohortError;

/// Clinics imported at once when the manifest does not say.
pub const DEFAULT_MAX_PARALLEL: usize = 2;

/// The most clinics a manifest may import at once (each holds its files' records in memory).
pub const MAX_PARALLEL_LIMIT: usize = 16;

/// The suffix of the default state folder, beside the manifest (`week-49.toml` →
/// `week-49.cohort/`).
pub const STATE_DIR_SUFFIX: &str = ".cohort";

/// A cohort: the clinics to import in one batch and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "CohortManifest")]
pub struct Manifest {
    /// The cohort's name ("Week 49"): shown in the status, and typed to confirm production.
    pub name: String,
    /// How many clinics are imported at once.
    #[serde(default = "default_max_parallel")]
    pub max_parallel: usize,
    /// The folder of the cohort's state; relative paths are from the manifest's folder.
    /// Default: `<manifest name>.cohort` beside the manifest.
    #[serde(default)]
    #[ts(optional)]
    pub state_dir: Option<PathBuf>,
    /// The clinics, in the order they are checked, planned and applied.
    #[serde(rename = "clinic")]
    pub clinics: Vec<ClinicEntry>,
}

/// One clinic of a cohort: one import run of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "CohortClinicEntry")]
pub struct ClinicEntry {
    /// The clinic's PH id (`ph-import whoami` lists them).
    pub clinic_id: String,
    /// The environment (as `--env`); the built-in sandbox by default.
    #[serde(default = "default_env")]
    pub env: String,
    /// The clinic's export files; relative paths are from the manifest's folder.
    pub files: Vec<PathBuf>,
    /// A mapping profile, as `--profile`: a saved profile's name, or a profile file (relative
    /// to the manifest's folder).
    #[serde(default)]
    #[ts(optional)]
    pub profile: Option<String>,
    /// Field policies and per-record decisions, as `--decisions` (docs/dedupe.md).
    #[serde(default)]
    #[ts(optional)]
    pub decisions: Option<PathBuf>,
    /// Leave out the records that wait for a decision, as `--skip-undecided`; without it a
    /// plan with such records fails its checks.
    #[serde(default)]
    pub skip_undecided: bool,
    /// The import's settings (country, e-mail rule, weight unit, deceased and inactive records,
    /// table roles): the app's settings panel and the CLI's flags, one core type.
    #[serde(default)]
    pub settings: ImportSettings,
    /// How some of its files (or sheets) are read, over what is detected, as `--read`.
    #[serde(default)]
    pub read: Vec<FileRead>,
}

/// How one of a clinic's files (or one sheet of a workbook) is read, over what is detected:
/// what `--read FILE:KEY=VALUE,…` says on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "CohortFileRead")]
pub struct FileRead {
    /// The file, as written in `files`, or its name when no other file has it.
    pub file: String,
    /// The sheet of a workbook whose header row is set (every sheet with data is read).
    #[serde(default)]
    #[ts(optional)]
    pub sheet: Option<String>,
    /// The header row: its number from 1, as a spreadsheet shows it, or `"none"`.
    #[serde(default)]
    #[ts(optional)]
    pub header_row: Option<HeaderRow>,
    /// The text encoding, e.g. `windows-1252`.
    #[serde(default)]
    #[ts(optional)]
    pub encoding: Option<String>,
    /// The field delimiter: one character, or tab, comma, semicolon, pipe, space.
    #[serde(default)]
    #[ts(optional)]
    pub delimiter: Option<String>,
}

/// A header row as a manifest gives it: a number, or `"none"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, rename = "CohortHeaderRow")]
pub enum HeaderRow {
    /// Its number from 1.
    Number(u32),
    /// `"none"` (or a number written as text).
    Named(String),
}

impl FileRead {
    /// The override it gives, or why it cannot be used (in the words of `--read`).
    pub fn to_override(&self) -> Result<ReadOverride, String> {
        let header_row = match &self.header_row {
            None => None,
            Some(HeaderRow::Number(n)) => Some(header_row_named(&n.to_string())?),
            Some(HeaderRow::Named(text)) => Some(header_row_named(text)?),
        };
        let delimiter = self
            .delimiter
            .as_deref()
            .map(delimiter_or_why)
            .transpose()?;
        let encoding = match self.encoding.as_deref().map(str::trim) {
            Some("") => return Err("name the encoding, e.g. windows-1252".to_owned()),
            other => other.map(str::to_owned),
        };
        if self.sheet.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err("name the sheet".to_owned());
        }
        Ok(ReadOverride {
            sheet: self.sheet.clone(),
            header_row,
            encoding,
            delimiter,
        })
    }
}

impl ClinicEntry {
    /// How the clinic is named in messages: `riverside on sandbox`.
    pub fn label(&self) -> String {
        format!("{} on {}", self.clinic_id, self.env)
    }
}

fn default_max_parallel() -> usize {
    DEFAULT_MAX_PARALLEL
}

fn default_env() -> String {
    SANDBOX.to_owned()
}

/// A manifest read from its file, its paths made absolute.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedManifest {
    /// The manifest, every path in it absolute (`state_dir` set).
    pub manifest: Manifest,
    /// Its file.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes: the state remembers what it was planned from.
    pub sha256: String,
}

impl LoadedManifest {
    /// The folder of the cohort's state.
    pub fn state_dir(&self) -> PathBuf {
        self.manifest
            .state_dir
            .clone()
            .unwrap_or_else(|| default_state_dir(&self.path))
    }

    /// The environments its clinics use, each once.
    pub fn envs(&self) -> BTreeSet<String> {
        self.manifest
            .clinics
            .iter()
            .map(|c| c.env.clone())
            .collect()
    }
}

/// `week-49.toml` → `week-49.cohort` beside it.
fn default_state_dir(manifest: &Path) -> PathBuf {
    let stem = manifest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cohort".to_owned());
    manifest.with_file_name(format!("{stem}{STATE_DIR_SUFFIX}"))
}

/// Reads and checks the manifest at `path`.
pub fn load(path: &Path) -> Result<LoadedManifest, CohortError> {
    let text = crate::small_file::read(
        path,
        "cohort manifest",
        "give the cohort's TOML file, written as docs/cohort.md describes",
    )?;
    let path = std::path::absolute(path).map_err(|e| CohortError::Manifest {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let base = path.parent().unwrap_or(Path::new("/")).to_path_buf();
    let mut manifest = parse(&text).map_err(|reason| CohortError::Manifest {
        path: path.display().to_string(),
        reason,
    })?;
    resolve_paths(&mut manifest, &base);
    let mut loaded = LoadedManifest {
        sha256: hex(&Sha256::digest(text.as_bytes())),
        path,
        manifest,
    };
    loaded.manifest.state_dir = Some(loaded.state_dir());
    Ok(loaded)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest in `text` (TOML), checked; paths as written. The error says where and what.
pub fn parse(text: &str) -> Result<Manifest, String> {
    let mut json = to_json(text)?;
    settings_keys(&mut json)?;
    let manifest: Manifest = serde_path_to_error::deserialize(json).map_err(|e| {
        let at = e.path().to_string();
        if at == "." {
            e.into_inner().to_string()
        } else {
            format!("{at}: {}", e.into_inner())
        }
    })?;
    check(&manifest)?;
    Ok(manifest)
}

/// The TOML document as JSON, so the manifest's types and its JSON Schema read the same
/// value.
pub fn to_json(text: &str) -> Result<serde_json::Value, String> {
    // One line, with where: the parser's own rendering draws the line over several.
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let at = e.span().map(|span| {
            let before = text.get(..span.start).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: ")
        });
        format!("{}{}", at.unwrap_or_default(), e.message().trim())
    })?;
    table_json(doc.as_table().iter())
}

fn table_json<'a>(
    entries: impl Iterator<Item = (&'a str, &'a toml_edit::Item)>,
) -> Result<serde_json::Value, String> {
    let mut map = serde_json::Map::new();
    for (key, item) in entries {
        if let Some(v) = item_json(item)? {
            map.insert(key.to_owned(), v);
        }
    }
    Ok(serde_json::Value::Object(map))
}

fn item_json(item: &toml_edit::Item) -> Result<Option<serde_json::Value>, String> {
    Ok(match item {
        toml_edit::Item::None => None,
        toml_edit::Item::Value(v) => Some(value_json(v)?),
        toml_edit::Item::Table(t) => Some(table_json(t.iter())?),
        toml_edit::Item::ArrayOfTables(a) => Some(serde_json::Value::Array(
            a.iter()
                .map(|t| table_json(t.iter()))
                .collect::<Result<_, _>>()?,
        )),
    })
}

fn value_json(value: &toml_edit::Value) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match value {
        toml_edit::Value::String(s) => J::String(s.value().clone()),
        toml_edit::Value::Integer(i) => J::from(*i.value()),
        toml_edit::Value::Float(f) => serde_json::Number::from_f64(*f.value())
            .map(J::Number)
            .ok_or_else(|| format!("{} is not a number a manifest can hold", f.value()))?,
        toml_edit::Value::Boolean(b) => J::Bool(*b.value()),
        // No manifest field is a date: kept as written, so the field's check names it.
        toml_edit::Value::Datetime(d) => J::String(d.value().to_string()),
        toml_edit::Value::Array(a) => J::Array(a.iter().map(value_json).collect::<Result<_, _>>()?),
        toml_edit::Value::InlineTable(t) => {
            let mut map = serde_json::Map::new();
            for (k, v) in t.iter() {
                map.insert(k.to_owned(), value_json(v)?);
            }
            J::Object(map)
        }
    })
}

/// `ImportSettings` takes what it knows and ignores the rest (the app's saved settings grow
/// over versions), so a misspelt setting in a manifest would be dropped silently: its keys
/// are checked here against the type's own, wherever the default has named keys. A group
/// given in part (`import = { send_deceased_patients = true }`) gets the rest from the
/// default, as a setting left out does.
fn settings_keys(json: &mut serde_json::Value) -> Result<(), String> {
    let known = serde_json::to_value(ImportSettings::default()).map_err(|e| e.to_string())?;
    let clinics = json.get_mut("clinic").and_then(|c| c.as_array_mut());
    for (i, clinic) in clinics.into_iter().flatten().enumerate() {
        if let Some(settings) = clinic.get_mut("settings") {
            same_keys(settings, &known, &format!("clinic[{i}].settings"))?;
        }
    }
    Ok(())
}

fn same_keys(
    given: &mut serde_json::Value,
    known: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    let (Some(given), Some(known)) = (given.as_object_mut(), known.as_object()) else {
        return Ok(());
    };
    // An empty map by default (`roles`) has the person's keys, not the type's.
    if known.is_empty() {
        return Ok(());
    }
    for (key, value) in given.iter_mut() {
        match known.get(key) {
            Some(k) => same_keys(value, k, &format!("{at}.{key}"))?,
            None => {
                let names: Vec<&str> = known.keys().map(String::as_str).collect();
                return Err(format!(
                    "{at}: unknown setting `{key}`, expected one of {}",
                    names.join(", ")
                ));
            }
        }
    }
    for (key, value) in known {
        if !given.contains_key(key) {
            given.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}

/// What the types cannot say: a name, at least one clinic with files, a sane parallelism,
/// and no clinic twice.
fn check(m: &Manifest) -> Result<(), String> {
    if m.name.trim().is_empty() {
        return Err("name: give the cohort a name (e.g. \"Week 49\")".to_owned());
    }
    if m.max_parallel == 0 || m.max_parallel > MAX_PARALLEL_LIMIT {
        return Err(format!(
            "max_parallel: {} is not between 1 and {MAX_PARALLEL_LIMIT}",
            m.max_parallel
        ));
    }
    if m.clinics.is_empty() {
        return Err(
            "clinic: the manifest names no clinic; add a [[clinic]] table per clinic".to_owned(),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, c) in m.clinics.iter().enumerate() {
        if c.clinic_id.trim().is_empty() {
            return Err(format!("clinic[{i}].clinic_id: give the clinic's PH id"));
        }
        if c.env.trim().is_empty() {
            return Err(format!(
                "clinic[{i}].env: give an environment, or leave it out for the built-in sandbox"
            ));
        }
        if c.files.is_empty() {
            return Err(format!("clinic[{i}].files: give the clinic's export files"));
        }
        if !seen.insert((c.env.as_str(), c.clinic_id.as_str())) {
            return Err(format!(
                "clinic[{i}]: {} is in the manifest twice; one run per clinic (list all its files in one entry)",
                c.label()
            ));
        }
    }
    Ok(())
}

/// Paths made absolute from the manifest's folder; a profile is a path only when such a
/// file exists there (otherwise it is a saved profile's name).
fn resolve_paths(m: &mut Manifest, base: &Path) {
    let at = |p: &Path| {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            base.join(p)
        }
    };
    if let Some(dir) = &m.state_dir {
        m.state_dir = Some(at(dir));
    }
    for c in &mut m.clinics {
        c.files = c.files.iter().map(|f| at(f)).collect();
        c.decisions = c.decisions.as_deref().map(at);
        // A read written with the path as in `files` names that file; else it is a name.
        for r in &mut c.read {
            let file = at(Path::new(&r.file));
            if c.files.contains(&file) {
                r.file = file.display().to_string();
            }
        }
        if let Some(p) = &c.profile {
            let file = at(Path::new(p));
            if file.is_file() {
                c.profile = Some(file.display().to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
name = "Week 49"

[[clinic]]
clinic_id = "riverside"
files = ["riverside.csv"]

[[clinic]]
clinic_id = "lakeside"
env = "staging"
files = ["lakeside-owners.xlsx", "lakeside-pets.csv"]
profile = "avimark"
skip_undecided = true
settings = { country = "CA", email_required = false, import = { send_deceased_patients = true } }
"#;

    #[test]
    fn a_manifest_is_read_with_its_defaults() {
        let m = parse(SMALL).expect("parses");
        assert_eq!(m.name, "Week 49");
        assert_eq!(m.max_parallel, DEFAULT_MAX_PARALLEL);
        assert_eq!(m.clinics[0].env, SANDBOX);
        assert_eq!(m.clinics[1].env, "staging");
        assert!(m.clinics[1].skip_undecided);
        assert_eq!(m.clinics[1].settings.country.as_deref(), Some("CA"));
        assert_eq!(m.clinics[1].settings.email_required, Some(false));
        assert!(m.clinics[1].settings.import.send_deceased_patients);
        assert!(!m.clinics[1].settings.import.send_inactive_clients);
    }

    #[test]
    fn mistakes_are_named_with_where_they_are() {
        let cases = [
            (
                SMALL.replace("skip_undecided", "skip_undecide"),
                "clinic[1].skip_undecide: unknown field `skip_undecide`",
            ),
            (
                SMALL.replace("email_required", "email_requried"),
                "clinic[1].settings: unknown setting `email_requried`",
            ),
            (
                SMALL.replace("send_deceased_patients", "send_dead"),
                "clinic[1].settings.import: unknown setting `send_dead`",
            ),
            (
                SMALL.replace("files = [\"riverside.csv\"]", "files = \"riverside.csv\""),
                "clinic[0].files: invalid type",
            ),
            (
                SMALL.replace("name = \"Week 49\"", "name = \"Week 49\"\nmax_parallel = 0"),
                "max_parallel: 0 is not between",
            ),
            (
                SMALL
                    .replace("lakeside", "riverside")
                    .replace("env = \"staging\"", ""),
                "is in the manifest twice",
            ),
            (
                "name = \"x\"\n[[clinic]]\nclinic_id = \"a\"\nfiles = []\n".to_owned(),
                "clinic[0].files: give",
            ),
            ("name = ".to_owned(), "line 1, column 8: "),
            (
                "name = \"x\"\nthis is not toml [[[".to_owned(),
                "line 2, column 6: ",
            ),
        ];
        for (text, expected) in cases {
            let e = parse(&text).expect_err(expected);
            assert!(e.contains(expected), "{expected:?} not in {e:?}");
            assert!(!e.contains('\n'), "one line: {e:?}");
        }
    }

    #[test]
    fn paths_are_from_the_manifest_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("mine.json"), "{}").expect("profile");
        let text = SMALL.replace("\"avimark\"", "\"mine.json\"") + "decisions = \"decided.json\"\n";
        let path = dir.path().join("week-49.toml");
        std::fs::write(&path, text).expect("manifest");
        let loaded = load(&path).expect("loads");
        let m = &loaded.manifest;
        assert_eq!(m.clinics[0].files, vec![dir.path().join("riverside.csv")]);
        assert_eq!(
            m.clinics[1].profile.as_deref(),
            Some(dir.path().join("mine.json").to_str().expect("utf-8"))
        );
        assert_eq!(
            m.clinics[1].decisions,
            Some(dir.path().join("decided.json"))
        );
        assert_eq!(loaded.state_dir(), dir.path().join("week-49.cohort"));
        assert_eq!(loaded.sha256.len(), 64);
    }
}
