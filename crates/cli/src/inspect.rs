//! `ph-import inspect`: how a file is read, as text for people or JSON for scripts.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use clap::Args;
use ph_import_core::read::{self, Inspection, ReadOptions};
use serde::Serialize;

use crate::read_overrides;
use crate::visible::{visible, write_json};

/// Arguments of `ph-import inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The export file: CSV/TSV/TXT in any encoding, or XLSX, XLSM, XLSB, XLS, ODS.
    pub file: PathBuf,
    /// Sheet to read (workbooks); default: the first sheet with data.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Header row, 1-based as shown by a spreadsheet program or text editor, or `none` for a
    /// file without one; default: detected.
    #[arg(long, value_name = "N|none", value_parser = read_overrides::header_row)]
    pub header_row: Option<u32>,
    /// Text encoding, e.g. UTF-8, UTF-16LE, windows-1252, ISO-8859-1; default: detected.
    #[arg(long, value_name = "E")]
    pub encoding: Option<String>,
    /// Field delimiter: one character, or tab, comma, semicolon, pipe, space; default: detected.
    #[arg(long, value_name = "C", value_parser = read_overrides::delimiter)]
    pub delimiter: Option<char>,
    /// Print JSON (keys documented in docs/inspect-json.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also print data rows: a number, or `all`.
    #[arg(long, value_name = "N|all")]
    pub rows: Option<String>,
}

/// The JSON document: the inspection plus, with `--rows`, the rows themselves.
#[derive(Serialize)]
struct Output<'a> {
    #[serde(flatten)]
    inspection: &'a Inspection,
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<Vec<Vec<String>>>,
}

/// Runs `ph-import inspect`.
pub fn run(args: &InspectArgs) -> anyhow::Result<()> {
    let options = ReadOptions {
        sheet: args.sheet.clone(),
        header_row: args.header_row,
        encoding: args.encoding.clone(),
        delimiter: args.delimiter,
        sample_rows: 10,
        ..ReadOptions::default()
    };
    let limit = match args.rows.as_deref() {
        None => None,
        Some("all") => Some(u64::MAX),
        Some(n) => Some(
            n.parse::<u64>()
                .with_context(|| format!("--rows takes a number or `all`, not \"{n}\""))?,
        ),
    };
    let never = AtomicBool::new(false);
    // A person waiting on a big file sees how far the read is; scripts and pipes see nothing.
    let show_progress = std::io::stderr().is_terminal();
    let progress = |p: read::Progress| {
        if show_progress {
            let percent = p
                .bytes_total
                .filter(|&t| t > 0)
                .map_or(0, |t| p.bytes_read.saturating_mul(100) / t);
            eprint!("\rReading… {percent:>3}%  {} rows", p.rows_read);
        }
    };
    let inspection = read::inspect(&args.file, &options, &progress, &never);
    if show_progress {
        // Clears the progress line.
        eprint!("\r\x1b[2K");
    }
    let inspection = inspection?;
    let rows = match limit {
        None => None,
        Some(n) => {
            let mut rows = Vec::new();
            for row in
                read::open_rows(&args.file, &options)?.take(n.min(usize::MAX as u64) as usize)
            {
                rows.push(row?.cells);
            }
            Some(rows)
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        write_json(
            &mut out,
            &Output {
                inspection: &inspection,
                rows,
            },
        )?;
    } else {
        print_text(&mut out, &inspection, rows.as_deref())?;
    }
    Ok(())
}

fn print_text(
    out: &mut impl Write,
    i: &Inspection,
    rows: Option<&[Vec<String>]>,
) -> std::io::Result<()> {
    writeln!(out, "File:        {}", visible(&i.file))?;
    writeln!(
        out,
        "Format:      {}",
        format!("{:?}", i.format).to_uppercase()
    )?;
    if let Some(e) = &i.encoding {
        writeln!(
            out,
            "Encoding:    {} ({})",
            visible(e),
            visible(i.encoding_reason.as_deref().unwrap_or(""))
        )?;
    }
    if let Some(d) = &i.delimiter {
        let name = match d.as_str() {
            "\t" => "tab".to_owned(),
            other => format!("\"{}\"", visible(other)),
        };
        writeln!(
            out,
            "Delimiter:   {name} ({})",
            visible(i.delimiter_reason.as_deref().unwrap_or(""))
        )?;
    }
    if !i.sheets.is_empty() {
        let names: Vec<String> = i
            .sheets
            .iter()
            .map(|s| {
                let mark = if Some(&s.name) == i.sheet.as_ref() {
                    " [read]"
                } else {
                    ""
                };
                let empty = if s.has_data { "" } else { " (empty)" };
                let hidden = if s.hidden { " (hidden)" } else { "" };
                format!("{}{empty}{hidden}{mark}", visible(&s.name))
            })
            .collect();
        writeln!(out, "Sheets:      {}", names.join(", "))?;
    }
    match i.header_row {
        Some(n) => writeln!(out, "Header row:  {n} ({})", visible(&i.header_reason))?,
        None => writeln!(out, "Header row:  none ({})", visible(&i.header_reason))?,
    }
    writeln!(out, "Data rows:   {}", i.row_count.unwrap_or(0))?;
    writeln!(out, "Columns:     {}", i.columns.len())?;
    let width = i
        .columns
        .iter()
        .map(|c| visible(&c.name).to_string().chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    for c in &i.columns {
        writeln!(
            out,
            "  {:>3}  {:<width$}  {:<6}  {}",
            c.index + 1,
            visible(&c.name),
            format!("{:?}", c.kind).to_lowercase(),
            visible(&c.samples.join(" | "))
        )?;
    }
    for n in &i.notes {
        writeln!(out, "Note: {}", visible(&n.message))?;
    }
    if let Some(rows) = rows {
        writeln!(out)?;
        for row in rows {
            writeln!(out, "{}", visible(&row.join(" | ")))?;
        }
    }
    Ok(())
}
