//! The export's layout and its two writers, CSV and XLSX, both fed one row at a time.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

use crate::defects::Truth;
use crate::people::{Client, Generator, Pet};
use crate::rng::Rng;

/// Share of rows a faulty join writes twice.
const EXACT_REPEAT_RATE: f64 = 0.005;

/// How a column is typed in an XLSX export; a CSV has text only.
#[derive(Clone, Copy)]
enum Cell {
    Text,
    Integer,
    Date,
    Number,
}

/// The header as a practice-management system writes it, with each column's cell type.
const COLUMNS: [(&str, Cell); 22] = [
    ("Client No", Cell::Integer),
    ("Title", Cell::Text),
    ("First Name", Cell::Text),
    ("Surname", Cell::Text),
    ("Email Address", Cell::Text),
    ("Home Phone", Cell::Text),
    ("Mobile", Cell::Text),
    ("Address 1", Cell::Text),
    ("Address 2", Cell::Text),
    ("Suburb/City", Cell::Text),
    ("State", Cell::Text),
    // Text, so that New England's leading zeros survive.
    ("Post Code", Cell::Text),
    ("Patient No", Cell::Integer),
    ("Patient Name", Cell::Text),
    ("Species", Cell::Text),
    ("Breed", Cell::Text),
    ("Sex", Cell::Text),
    ("Desexed", Cell::Text),
    ("Date of Birth", Cell::Date),
    ("Weight", Cell::Number),
    ("Deceased", Cell::Text),
    ("Last Visit", Cell::Date),
];

/// One row's values, in the order of `COLUMNS`.
pub type Row<'a> = [&'a str; COLUMNS.len()];

/// Where rows go.
pub trait RowSink {
    /// Writes one data row.
    fn row(&mut self, row: &Row) -> Result<()>;
}

/// Writes `clients` clients drawn from `seed` into `sink`, and returns what it injected.
pub fn export(clients: u64, seed: u64, sink: &mut impl RowSink) -> Result<Truth> {
    let mut generator = Generator::new(seed);
    // Its own stream, so that repeating rows does not shift the clients' draws.
    let mut repeats = Rng::new(seed ^ 0x5EED_0F2E_9EA7_ED00);
    for _ in 0..clients {
        let client = generator.next_client();
        let t = &mut generator.truth;
        let (size, index) = client.household;
        t.households += u64::from(size > 0 && index == 0);
        t.clients_in_shared_households += u64::from(size > 1);
        t.shared_household_emails += u64::from(client.shares_email);
        t.clients_without_email += u64::from(client.email.trim().is_empty());
        t.patients += client.pets.len() as u64;

        // A client without pets still gets one row, its pet columns empty.
        for i in 0..client.pets.len().max(1) {
            let pet = client.pets.get(i);
            let row = row(&client, pet);
            let defective = client.defective || pet.is_some_and(|p| p.defective);
            let times = if repeats.chance(EXACT_REPEAT_RATE) {
                2
            } else {
                1
            };
            for _ in 0..times {
                sink.row(&row)?;
            }
            t.rows += times;
            t.exact_repeat_rows += times - 1;
            t.defects.rows += if defective { times } else { 0 };
        }
    }
    let mut truth = generator.truth;
    truth.seed = seed;
    truth.clients = clients;
    Ok(truth)
}

/// The owner's columns, then the pet's (empty for a client without pets).
fn row<'a>(c: &'a Client, pet: Option<&'a Pet>) -> Row<'a> {
    let p = |f: fn(&'a Pet) -> &'a str| pet.map_or("", f);
    [
        &c.client_no,
        c.title,
        &c.first,
        &c.last,
        &c.email,
        &c.home_phone,
        &c.mobile,
        &c.address1,
        &c.address2,
        &c.city,
        &c.state,
        &c.zip,
        p(|p| &p.patient_no),
        p(|p| p.name),
        p(|p| &p.species),
        p(|p| p.breed),
        p(|p| p.sex),
        p(|p| p.desexed),
        p(|p| &p.date_of_birth),
        p(|p| &p.weight),
        p(|p| p.deceased),
        p(|p| &p.last_visit),
    ]
}

/// A CSV export as Windows practice software writes it: CRLF line ends, quotes only where needed.
pub struct CsvSink<W: Write> {
    writer: csv::Writer<W>,
}

impl CsvSink<BufWriter<File>> {
    /// Creates (or replaces) the file and writes the header.
    pub fn create(path: &Path) -> Result<Self> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Self::new(BufWriter::with_capacity(1 << 20, file))
    }
}

impl<W: Write> CsvSink<W> {
    /// Writes the header to `out`.
    pub fn new(out: W) -> Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(COLUMNS.iter().map(|c| c.0))?;
        Ok(CsvSink { writer })
    }

    /// Flushes everything and gives the output back.
    pub fn finish(self) -> Result<W> {
        self.writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot finish the CSV: {}", e.error()))
    }
}

impl<W: Write> RowSink for CsvSink<W> {
    fn row(&mut self, row: &Row) -> Result<()> {
        self.writer
            .write_record(row)
            .context("cannot write a CSV row")
    }
}

/// An XLSX export with typed cells (numbers, dates) where values allow, text elsewhere,
/// as a spreadsheet saved by a person would have. Rows stream to temporary files.
pub struct XlsxSink {
    workbook: Workbook,
    date: Format,
    next_row: u32,
}

/// Rows an XLSX sheet holds, the header included.
const XLSX_MAX_ROWS: u32 = 1_048_576;

impl XlsxSink {
    /// A workbook with one sheet, "Clients", holding the header.
    pub fn new() -> Result<Self> {
        let mut workbook = Workbook::new();
        // A fixed creation time keeps the file identical for a given seed.
        let created = ExcelDateTime::from_ymd(2025, 6, 30)?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        sheet.set_name("Clients")?;
        for (col, (name, _)) in COLUMNS.iter().enumerate() {
            sheet.write_string(0, col as u16, *name)?;
        }
        Ok(XlsxSink {
            workbook,
            date: Format::new().set_num_format("mm/dd/yyyy"),
            next_row: 1,
        })
    }

    /// Writes the workbook to `path`.
    pub fn save(mut self, path: &Path) -> Result<()> {
        self.workbook
            .save(path)
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

impl RowSink for XlsxSink {
    fn row(&mut self, row: &Row) -> Result<()> {
        if self.next_row >= XLSX_MAX_ROWS {
            bail!(
                "an XLSX sheet holds at most {XLSX_MAX_ROWS} rows; \
                 use --format csv or fewer --clients (about 550,000 fit)"
            );
        }
        let r = self.next_row;
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (col, (value, (_, cell))) in row.iter().zip(COLUMNS.iter()).enumerate() {
            let col = col as u16;
            if value.is_empty() {
                continue;
            }
            match cell {
                Cell::Integer | Cell::Number if value.parse::<f64>().is_ok() => {
                    sheet.write_number(r, col, value.parse::<f64>()?)?;
                }
                Cell::Date => match us_date(value) {
                    Some(date) => {
                        sheet.write_datetime_with_format(r, col, &date, &self.date)?;
                    }
                    // Impossible dates stay text, as a spreadsheet keeps what it cannot read.
                    None => {
                        sheet.write_string(r, col, *value)?;
                    }
                },
                _ => {
                    sheet.write_string(r, col, *value)?;
                }
            }
        }
        self.next_row += 1;
        Ok(())
    }
}

/// MM/DD/YYYY as an Excel date, if it is a real day.
fn us_date(text: &str) -> Option<ExcelDateTime> {
    let mut parts = text.split('/').map(|p| p.parse::<u16>().ok());
    let (m, d, y) = (parts.next()??, parts.next()??, parts.next()??);
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(clients: u64, seed: u64) -> (Vec<u8>, Truth) {
        let mut sink = CsvSink::new(Vec::new()).unwrap();
        let truth = export(clients, seed, &mut sink).unwrap();
        (sink.finish().unwrap(), truth)
    }

    #[test]
    fn a_seed_always_gives_the_same_file() {
        assert_eq!(csv(2_000, 9).0, csv(2_000, 9).0);
        assert_ne!(csv(2_000, 9).0, csv(2_000, 10).0);
    }

    #[test]
    fn the_file_has_the_promised_shape() {
        let (bytes, truth) = csv(20_000, 1);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap().len(), COLUMNS.len());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len() as u64, truth.rows);

        let clients: std::collections::HashSet<&str> = records.iter().map(|r| &r[0]).collect();
        assert_eq!(clients.len() as u64, truth.clients);
        let pets_per_client = truth.patients as f64 / truth.clients as f64;
        assert!((1.45..1.8).contains(&pets_per_client), "{pets_per_client}");

        let share = |n: u64| n as f64 / truth.clients as f64;
        assert!((0.12..0.18).contains(&share(truth.clients_in_shared_households)));
        assert!((0.025..0.035).contains(&share(truth.duplicates.clients)));
        assert!((0.07..0.12).contains(&share(truth.clients_without_email)));
        let defect_rows = truth.defects.rows as f64 / truth.rows as f64;
        assert!((0.04..0.07).contains(&defect_rows), "{defect_rows}");
        let repeats = truth.exact_repeat_rows as f64 / truth.rows as f64;
        assert!((0.003..0.007).contains(&repeats), "{repeats}");
    }

    #[test]
    fn dates_become_excel_dates_only_when_real() {
        assert!(us_date("02/28/2019").is_some());
        assert!(us_date("02/30/2019").is_none());
        assert!(us_date("13/05/2019").is_none());
        assert!(us_date("").is_none());
    }
}
