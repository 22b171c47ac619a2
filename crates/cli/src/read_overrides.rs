//! How the verbs that read export files are told to read them: the sheet's header row, the
//! encoding and the delimiter, for every file (`--header-row 3`) or for one
//! (`--read 'clients.xlsx:sheet=Owners,header-row=3'`). The same overrides as the app's Files
//! step: every sheet with data is read, and a sheet is only named to say whose header row is set.

use std::path::PathBuf;

use clap::Args;
use ph_import_core::read::overrides::{self, file_index, ReadOverride};
use ph_import_core::read::ReadOptions;

/// The keys `--read` takes, as written after `FILE:`.
const KEYS: [&str; 4] = ["sheet", "header-row", "encoding", "delimiter"];

/// The read overrides of a run, parsed from its flags.
#[derive(Args, Debug, Clone, Default)]
pub struct ReadArgs {
    /// The sheet of a workbook whose header row --header-row sets. Every sheet with data is
    /// still read, as in the app.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Header row of every file, 1-based as a spreadsheet program or text editor shows it, or
    /// `none` for files without one (columns are then named A, B, C…); default: detected.
    /// A workbook with several sheets with data needs --sheet (or --read) to say whose it is.
    #[arg(long, value_name = "N|none", value_parser = header_row)]
    pub header_row: Option<u32>,
    /// Text encoding of every text file, e.g. UTF-8, UTF-16LE, windows-1252, ISO-8859-1;
    /// default: detected.
    #[arg(long, value_name = "NAME")]
    pub encoding: Option<String>,
    /// Field delimiter of every text file: one character, or tab, comma, semicolon, pipe,
    /// space; default: detected.
    #[arg(long, value_name = "C", value_parser = delimiter)]
    pub delimiter: Option<char>,
    /// How to read one file, over the flags above: FILE:KEY=VALUE,… with KEY one of sheet,
    /// header-row, encoding, delimiter, e.g. 'clients.xlsx:sheet=Owners,header-row=3' or
    /// 'pets.csv:encoding=windows-1252,delimiter=;'. FILE as given, or its file name.
    /// Repeatable (one per sheet of a workbook).
    #[arg(long = "read", value_name = "FILE:KEY=VALUE,…")]
    pub per_file: Vec<String>,
}

impl ReadArgs {
    /// Each of `files` with the read options these flags give it.
    pub fn inputs(&self, files: &[PathBuf]) -> anyhow::Result<Vec<(PathBuf, ReadOptions)>> {
        let every = ReadOverride {
            sheet: self.sheet.clone(),
            header_row: self.header_row,
            encoding: self.encoding.clone(),
            delimiter: self.delimiter,
        };
        let mut inputs = Vec::with_capacity(files.len());
        for file in files {
            let mut options = ReadOptions::default();
            apply(&every, &mut options, "--sheet")?;
            inputs.push((file.clone(), options));
        }
        for arg in &self.per_file {
            let (file, overrides) = parse_read(arg)?;
            let index =
                file_index(files, file).ok_or_else(|| not_a_file_of_the_run(arg, file, files))?;
            apply(&overrides, &mut inputs[index].1, &format!("--read {arg}"))?;
        }
        Ok(inputs)
    }
}

/// Sets `o` in `options`; `what` names the flag for an error.
fn apply(o: &ReadOverride, options: &mut ReadOptions, what: &str) -> anyhow::Result<()> {
    o.apply_to(options)
        .map_err(|e| anyhow::anyhow!("{what}: {e} (--header-row N, or header-row=N in --read)"))
}

/// A header row as the flags take it: 1-based, or `none` (the core's 0).
pub fn header_row(text: &str) -> Result<u32, String> {
    overrides::header_row_named(text)
}

/// A delimiter as the flags take it: one character or its name.
pub fn delimiter(text: &str) -> Result<char, String> {
    overrides::delimiter_or_why(text)
}

/// Splits `FILE:KEY=VALUE,…` into the file and its overrides. The file ends at the first `:`
/// followed by a key, so a Windows path's drive letter stays in it; a value ends where `,KEY=`
/// begins, so a comma delimiter or a sheet name with a comma in it is read whole.
fn parse_read(arg: &str) -> anyhow::Result<(&str, ReadOverride)> {
    let usage = || {
        anyhow::anyhow!(
            "--read {arg}: write FILE:KEY=VALUE,… with KEY one of {}, e.g. \
             --read 'clients.xlsx:sheet=Owners,header-row=3'",
            KEYS.join(", ")
        )
    };
    let colon = arg
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| key_at(&arg[i + 1..]).is_some())
        .ok_or_else(usage)?;
    let (file, fields) = (&arg[..colon], &arg[colon + 1..]);
    if file.is_empty() {
        return Err(usage());
    }
    // Where each `KEY=` begins: at the start, or right after a comma.
    let starts: Vec<usize> = (0..fields.len())
        .filter(|&i| fields.is_char_boundary(i))
        .filter(|&i| i == 0 || fields.as_bytes()[i - 1] == b',')
        .filter(|&i| key_at(&fields[i..]).is_some())
        .collect();
    let mut overrides = ReadOverride::default();
    for (n, &start) in starts.iter().enumerate() {
        // The value runs to the comma before the next key.
        let end = starts.get(n + 1).map_or(fields.len(), |next| next - 1);
        let key = key_at(&fields[start..]).ok_or_else(usage)?;
        let value = &fields[start + key.len() + 1..end];
        let bad = |reason: String| anyhow::anyhow!("--read {arg}: {key}={value}: {reason}");
        let twice = || anyhow::anyhow!("--read {arg}: {key} is given twice");
        match key {
            "sheet" if overrides.sheet.is_some() => return Err(twice()),
            "sheet" if value.trim().is_empty() => return Err(bad("name the sheet".to_owned())),
            "sheet" => overrides.sheet = Some(value.to_owned()),
            "header-row" if overrides.header_row.is_some() => return Err(twice()),
            "header-row" => overrides.header_row = Some(header_row(value).map_err(bad)?),
            "encoding" if overrides.encoding.is_some() => return Err(twice()),
            "encoding" if value.trim().is_empty() => {
                return Err(bad("name the encoding, e.g. windows-1252".to_owned()))
            }
            "encoding" => overrides.encoding = Some(value.trim().to_owned()),
            "delimiter" if overrides.delimiter.is_some() => return Err(twice()),
            _ => overrides.delimiter = Some(delimiter(value).map_err(bad)?),
        }
    }
    Ok((file, overrides))
}

/// The key that `text` starts with, followed by `=`.
fn key_at(text: &str) -> Option<&'static str> {
    KEYS.into_iter().find(|key| {
        text.strip_prefix(key)
            .is_some_and(|rest| rest.starts_with('='))
    })
}

fn not_a_file_of_the_run(arg: &str, file: &str, files: &[PathBuf]) -> anyhow::Error {
    let listed: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    anyhow::anyhow!(
        "--read {arg}: \"{file}\" is not one of this run's files ({}); write it as given, \
         or its file name when no other file has that name",
        listed.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<PathBuf> {
        vec!["exports/clients.xlsx".into(), "pets.csv".into()]
    }

    fn inputs(read: ReadArgs) -> anyhow::Result<Vec<(PathBuf, ReadOptions)>> {
        read.inputs(&files())
    }

    #[test]
    fn a_read_names_a_file_by_path_or_name_and_sets_a_sheets_header_row() {
        let got = inputs(ReadArgs {
            encoding: Some("utf-8".into()),
            per_file: vec![
                "clients.xlsx:sheet=Owners,header-row=3".into(),
                "exports/clients.xlsx:sheet=Pets, 2024,header-row=none".into(),
                "pets.csv:encoding=windows-1252,delimiter=,".into(),
            ],
            ..ReadArgs::default()
        })
        .expect("parses");
        let book = &got[0].1;
        assert_eq!(book.header_rows.get("Owners"), Some(&3));
        assert_eq!(book.header_rows.get("Pets, 2024"), Some(&0));
        assert_eq!(book.header_row, None);
        assert_eq!(book.encoding.as_deref(), Some("utf-8"));
        let csv = &got[1].1;
        assert_eq!(csv.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(csv.delimiter, Some(','));
        assert!(csv.header_rows.is_empty());
    }

    #[test]
    fn the_flags_apply_to_every_file() {
        let got = inputs(ReadArgs {
            header_row: Some(2),
            delimiter: Some(';'),
            ..ReadArgs::default()
        })
        .expect("parses");
        for (_, options) in got {
            assert_eq!(options.header_row, Some(2));
            assert_eq!(options.delimiter, Some(';'));
        }
    }

    #[test]
    fn a_windows_path_keeps_its_drive_letter() {
        let files = vec![PathBuf::from(r"C:\exports\pets.csv")];
        let read = ReadArgs {
            per_file: vec![r"C:\exports\pets.csv:delimiter=tab".into()],
            ..ReadArgs::default()
        };
        let got = read.inputs(&files).expect("parses");
        assert_eq!(got[0].1.delimiter, Some('\t'));
    }

    fn error(read: ReadArgs) -> String {
        format!("{:#}", inputs(read).expect_err("refused"))
    }

    #[test]
    fn bad_reads_say_what_is_wrong() {
        let read = |arg: &str| ReadArgs {
            per_file: vec![arg.to_owned()],
            ..ReadArgs::default()
        };
        assert_eq!(
            error(read("owners.csv:header-row=2")),
            "--read owners.csv:header-row=2: \"owners.csv\" is not one of this run's files \
             (exports/clients.xlsx, pets.csv); write it as given, or its file name when no \
             other file has that name"
        );
        assert_eq!(
            error(read("pets.csv:header=2")),
            "--read pets.csv:header=2: write FILE:KEY=VALUE,… with KEY one of sheet, \
             header-row, encoding, delimiter, e.g. --read 'clients.xlsx:sheet=Owners,header-row=3'"
        );
        assert_eq!(
            error(read("pets.csv:header-row=0")),
            "--read pets.csv:header-row=0: header-row=0: rows count from 1, as a spreadsheet \
             program shows them; write `none` for a file without a header row"
        );
        assert_eq!(
            error(read("pets.csv:delimiter=;;")),
            "--read pets.csv:delimiter=;;: delimiter=;;: \";;\" is not one character; give \
             one, such as ';' or '|', or one of tab, comma, semicolon, pipe, space"
        );
        assert_eq!(
            error(read("pets.csv:encoding=utf-8,encoding=latin1")),
            "--read pets.csv:encoding=utf-8,encoding=latin1: encoding is given twice"
        );
        assert_eq!(
            error(read("clients.xlsx:sheet=Owners")),
            "--read clients.xlsx:sheet=Owners: the sheet \"Owners\" is named without a header \
             row. Every sheet with data is read (as in the app); a sheet is named only to set \
             its header row, so add one (--header-row N, or header-row=N in --read)"
        );
    }

    #[test]
    fn header_rows_and_delimiters_read_as_people_write_them() {
        assert_eq!(header_row("3"), Ok(3));
        assert_eq!(header_row("None"), Ok(0));
        assert!(header_row("0").is_err());
        assert!(header_row("three").is_err());
        assert_eq!(delimiter("tab"), Ok('\t'));
        assert_eq!(delimiter("semicolon"), Ok(';'));
        assert_eq!(delimiter("|"), Ok('|'));
        assert!(delimiter("||").is_err());
    }
}
