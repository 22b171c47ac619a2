//! Writing `clients.*`, `patients.*` and `findings.*` as CSV or JSON Lines.

use std::path::{Path, PathBuf};

use crate::canonical::{ClientRecord, Entity, Field, Finding, PatientRecord};
use crate::mapping::convert::Sink;
use crate::private_file::{CreateError, FileSet, Overwrite};
use crate::table_file::{file_names, flush, OutputFormat, Writer};

/// Column names of `findings.*`.
pub const FINDING_COLUMNS: [&str; 8] = [
    "file",
    "row",
    "field",
    "code",
    "severity",
    "message",
    "value",
    "suggestion",
];

/// Writes the three output files into a directory, all or none (see [`FileSet`]).
pub struct OutputFiles {
    clients: Writer,
    patients: Writer,
    findings: Writer,
    paths: [PathBuf; 3],
    /// The set the files belong to, when they are the whole of it.
    set: Option<FileSet>,
}

/// The stems of the files [`OutputFiles`] writes.
pub const RECORD_FILES: [&str; 3] = ["clients", "patients", "findings"];

fn record_json(entity: Entity, get: impl Fn(Field) -> String) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for f in Field::of(entity) {
        let v = get(f);
        let value = match f.kind() {
            crate::canonical::FieldKind::Bool => match v.as_str() {
                "true" => serde_json::Value::Bool(true),
                "false" => serde_json::Value::Bool(false),
                _ => serde_json::Value::Null,
            },
            _ => serde_json::Value::String(v),
        };
        map.insert(f.column().to_string(), value);
    }
    serde_json::Value::Object(map)
}

impl OutputFiles {
    /// Creates (or replaces) `clients.*`, `patients.*` and `findings.*` in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> Result<OutputFiles, CreateError> {
        OutputFiles::create_with(dir, format, Overwrite::Replace)
    }

    /// Like [`OutputFiles::create`], files already there handled as `overwrite` says.
    pub fn create_with(
        dir: &Path,
        format: OutputFormat,
        overwrite: Overwrite,
    ) -> Result<OutputFiles, CreateError> {
        let mut set = FileSet::new(dir, &file_names(format, &RECORD_FILES), overwrite)?;
        let mut files = OutputFiles::in_set(&mut set, format)?;
        files.set = Some(set);
        Ok(files)
    }

    /// The three files as part of `set`, which must list them (see [`file_names`]); the set
    /// is committed by its owner once every file in it is finished.
    pub fn in_set(set: &mut FileSet, format: OutputFormat) -> Result<OutputFiles, CreateError> {
        let [clients, patients, findings] = RECORD_FILES.map(|stem| format.file_name(stem));
        let client_cols: Vec<&str> = Field::of(Entity::Client).map(Field::column).collect();
        let patient_cols: Vec<&str> = Field::of(Entity::Patient).map(Field::column).collect();
        let (clients, clients_path) = Writer::in_set(set, &clients, format, &client_cols)?;
        let (patients, patients_path) = Writer::in_set(set, &patients, format, &patient_cols)?;
        let (findings, findings_path) = Writer::in_set(set, &findings, format, &FINDING_COLUMNS)?;
        Ok(OutputFiles {
            clients,
            patients,
            findings,
            paths: [clients_path, patients_path, findings_path],
            set: None,
        })
    }

    /// The paths the files have once written.
    pub fn paths(&self) -> &[PathBuf; 3] {
        &self.paths
    }

    /// Flushes and closes the files; when they are a set of their own, puts them in place.
    pub fn finish(mut self) -> Result<(), CreateError> {
        flush(&mut self.clients, &self.paths[0])?;
        flush(&mut self.patients, &self.paths[1])?;
        flush(&mut self.findings, &self.paths[2])?;
        let OutputFiles {
            clients,
            patients,
            findings,
            set,
            ..
        } = self;
        // Closed before they are moved: Windows cannot rename an open file.
        drop((clients, patients, findings));
        match set {
            Some(set) => set.commit().map(drop),
            None => Ok(()),
        }
    }
}

/// Writes only `findings.*` (`ph-import validate`): records given to it are dropped.
pub struct FindingsOnly {
    findings: Writer,
    path: PathBuf,
    set: FileSet,
}

impl FindingsOnly {
    /// Creates (or replaces) `findings.*` in `dir`.
    pub fn create(dir: &Path, format: OutputFormat) -> Result<FindingsOnly, CreateError> {
        FindingsOnly::create_with(dir, format, Overwrite::Replace)
    }

    /// Like [`FindingsOnly::create`], a file already there handled as `overwrite` says.
    pub fn create_with(
        dir: &Path,
        format: OutputFormat,
        overwrite: Overwrite,
    ) -> Result<FindingsOnly, CreateError> {
        let name = format.file_name("findings");
        let mut set = FileSet::new(dir, std::slice::from_ref(&name), overwrite)?;
        let (findings, path) = Writer::in_set(&mut set, &name, format, &FINDING_COLUMNS)?;
        Ok(FindingsOnly {
            findings,
            path,
            set,
        })
    }

    /// The path written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and closes the file, and puts it in place.
    pub fn finish(mut self) -> Result<(), CreateError> {
        flush(&mut self.findings, &self.path)?;
        let FindingsOnly { findings, set, .. } = self;
        // Closed before it is moved: Windows cannot rename an open file.
        drop(findings);
        set.commit().map(drop)
    }
}

/// Where a conversion writes its rows, each record lent rather than given: once written,
/// it goes on to the duplicate finder.
pub(crate) trait WriteRecords {
    /// A new client.
    fn client(&mut self, record: &ClientRecord) -> std::io::Result<()>;
    /// A patient.
    fn patient(&mut self, record: &PatientRecord) -> std::io::Result<()>;
    /// A problem.
    fn finding(&mut self, finding: &Finding) -> std::io::Result<()>;
}

impl WriteRecords for FindingsOnly {
    fn client(&mut self, _: &ClientRecord) -> std::io::Result<()> {
        Ok(())
    }

    fn patient(&mut self, _: &PatientRecord) -> std::io::Result<()> {
        Ok(())
    }

    fn finding(&mut self, f: &Finding) -> std::io::Result<()> {
        write_finding(&mut self.findings, f)
    }
}

impl Sink for FindingsOnly {
    fn client(&mut self, r: ClientRecord) -> std::io::Result<()> {
        WriteRecords::client(self, &r)
    }

    fn patient(&mut self, r: PatientRecord) -> std::io::Result<()> {
        WriteRecords::patient(self, &r)
    }

    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        WriteRecords::finding(self, &f)
    }
}

fn write_finding(w: &mut Writer, f: &Finding) -> std::io::Result<()> {
    let row = f.row.to_string();
    let cells = [
        f.file.as_str(),
        row.as_str(),
        f.field.as_str(),
        f.code.as_str(),
        f.severity.as_str(),
        f.message.as_str(),
        f.value.as_str(),
        f.suggestion.as_str(),
    ];
    w.write(&cells, || serde_json::to_value(f).unwrap_or_default())
}

impl WriteRecords for OutputFiles {
    fn client(&mut self, r: &ClientRecord) -> std::io::Result<()> {
        let json = || record_json(Entity::Client, |f| r.get(f).to_string());
        self.clients.write(&r.cells(), json)
    }

    fn patient(&mut self, r: &PatientRecord) -> std::io::Result<()> {
        let json = || record_json(Entity::Patient, |f| r.get(f).to_string());
        self.patients.write(&r.cells(), json)
    }

    fn finding(&mut self, f: &Finding) -> std::io::Result<()> {
        write_finding(&mut self.findings, f)
    }
}

impl Sink for OutputFiles {
    fn client(&mut self, r: ClientRecord) -> std::io::Result<()> {
        WriteRecords::client(self, &r)
    }

    fn patient(&mut self, r: PatientRecord) -> std::io::Result<()> {
        WriteRecords::patient(self, &r)
    }

    fn finding(&mut self, f: Finding) -> std::io::Result<()> {
        WriteRecords::finding(self, &f)
    }
}
