//! Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) through `calamine`, with cells rendered as a
//! person sees them: dates as ISO dates, whole numbers without ".0", text kept as typed.
//!
//! The workbook is read on a worker thread that hands rows over a bounded channel. That
//! lets XLSX and XLSB stream (the first rows show before the sheet is parsed, and memory
//! stays bounded), and it contains a panic inside the spreadsheet library to one error
//! instead of taking the app down.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use calamine::{
    open_workbook, Data, DataRef, ExcelDateTime, Ods, Reader, Sheet, SheetType, SheetVisible, Xls,
    Xlsb, Xlsx,
};

use super::error::{display_name, ReadError};
use super::ods_check::SheetScan;
use super::{FileFormat, RawRecord, SheetInfo, Tally};

/// Rows handed over at a time: enough to keep both threads busy, little memory.
const CHANNEL_ROWS: usize = 512;

/// Widest row kept: Excel's own limit is 16,384 columns (XFD). Values further right are
/// counted in a `columns_beyond_limit` note, never dropped silently.
pub(crate) const MAX_COLUMNS: u32 = 16_384;

/// What the reader could not keep: rows with values beyond [`MAX_COLUMNS`], and rows below
/// the last row an ODS sheet keeps (1,048,576), for the `columns_beyond_limit` and
/// `rows_beyond_limit` notes.
#[derive(Default)]
pub(crate) struct Cut {
    columns: Tally,
    rows: Tally,
}

/// An opened workbook: its sheets, the chosen one, and that sheet's rows.
pub(crate) struct Workbook {
    pub sheets: Vec<SheetInfo>,
    pub sheet: String,
    pub rows: SheetSource,
}

/// What the worker says first: the sheets and which one it reads, or why it cannot.
type Opening = Result<(Vec<SheetInfo>, String), ReadError>;

/// What the worker says next: a row, an error, or (None) the clean end of the sheet, so
/// that a worker that died is never mistaken for a sheet that ended.
type Message = Option<Result<RawRecord, ReadError>>;

/// Opens the workbook, lists its sheets, and starts reading the chosen one (or the first
/// visible sheet with data).
pub(crate) fn open(
    path: &Path,
    format: FileFormat,
    sheet: Option<&str>,
) -> Result<Workbook, ReadError> {
    let file = display_name(path);
    let (open_tx, open_rx) = mpsc::sync_channel::<Opening>(1);
    let (row_tx, row_rx) = mpsc::sync_channel::<Message>(CHANNEL_ROWS);
    let cut = Arc::new(Mutex::new(Cut::default()));
    let worker = Worker {
        cut: cut.clone(),
        path: path.to_path_buf(),
        file: file.clone(),
        format,
        wanted: sheet.map(str::to_owned),
        open_tx,
        rows: row_tx,
    };
    std::thread::Builder::new()
        .name("ph-read-workbook".into())
        .spawn(move || worker.run())
        .map_err(|e| ReadError::io(path, &e))?;
    match open_rx.recv() {
        Ok(Ok((sheets, sheet))) => {
            let rows_total = sheets
                .iter()
                .find(|s| s.name == sheet)
                .map_or(0, |s| u64::from(s.rows));
            Ok(Workbook {
                sheets,
                sheet,
                rows: SheetSource {
                    rx: row_rx,
                    file,
                    last_row: 0,
                    rows_total,
                    done: false,
                    cut,
                },
            })
        }
        Ok(Err(e)) => Err(e),
        // The worker ended without a word: the spreadsheet library panicked.
        Err(_) => Err(crashed(&file)),
    }
}

fn crashed(file: &str) -> ReadError {
    ReadError::CorruptWorkbook {
        file: file.to_owned(),
        reason: "the spreadsheet reader stopped on unexpected content".into(),
    }
}

/// The rows of the chosen sheet as the worker sends them, with sheet row numbers
/// (1-based, as Excel shows them).
pub(crate) struct SheetSource {
    rx: Receiver<Message>,
    file: String,
    last_row: u64,
    rows_total: u64,
    done: bool,
    cut: Arc<Mutex<Cut>>,
}

impl SheetSource {
    /// Rows with values beyond the last column kept ([`MAX_COLUMNS`]), so far.
    pub(crate) fn cut_columns(&self) -> Tally {
        self.cut
            .lock()
            .map(|c| c.columns.clone())
            .unwrap_or_default()
    }

    /// Rows with values below the last row kept, which the sheet's reader drops.
    pub(crate) fn cut_rows(&self) -> Tally {
        self.cut.lock().map(|c| c.rows.clone()).unwrap_or_default()
    }

    /// The next non-empty row, or None after the last.
    pub(crate) fn next_record(&mut self) -> Option<Result<RawRecord, ReadError>> {
        if self.done {
            return None;
        }
        match self.rx.recv() {
            Ok(Some(Ok(record))) => {
                self.last_row = record.number;
                Some(Ok(record))
            }
            Ok(Some(Err(e))) => {
                self.done = true;
                Some(Err(e))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(_) => {
                self.done = true;
                Some(Err(crashed(&self.file)))
            }
        }
    }

    /// How far through the sheet the rows read so far are, from 0 to 1.
    pub(crate) fn fraction_read(&self) -> f64 {
        if self.done || self.rows_total == 0 {
            1.0
        } else {
            (self.last_row as f64 / self.rows_total as f64).min(1.0)
        }
    }
}

/// Owns the workbook on its own thread.
struct Worker {
    path: PathBuf,
    file: String,
    format: FileFormat,
    wanted: Option<String>,
    open_tx: SyncSender<Opening>,
    rows: SyncSender<Message>,
    /// What could not be kept, shared with the reading side.
    cut: Arc<Mutex<Cut>>,
}

/// Where a worker's rows go; sending fails once the reader is dropped, which stops the worker.
struct Rows<'a> {
    tx: &'a SyncSender<Message>,
}

impl Rows<'_> {
    fn send(&self, record: Result<RawRecord, ReadError>) -> bool {
        self.tx.send(Some(record)).is_ok()
    }
}

impl Worker {
    fn run(self) {
        let key = FileKey::of(&self.path, self.format);
        let kept = key.as_ref().and_then(take_kept);
        let key = key.as_ref();
        let result = match self.format {
            FileFormat::Xlsx | FileFormat::Xlsm => self.stream_xlsx(key, kept),
            FileFormat::Xlsb => self.stream_xlsb(key, kept),
            FileFormat::Xls => self.whole::<Xls<BufReader<File>>>(key, kept, || {
                match super::xls_check::damage(&self.path) {
                    Some(reason) => Err(self.classify(reason)),
                    None => Ok(Vec::new()),
                }
            }),
            FileFormat::Ods => self.whole::<Ods<BufReader<File>>>(key, kept, || {
                super::ods_check::check(&self.path).map_err(|super::ods_check::TooLarge(reason)| {
                    ReadError::WorkbookTooLarge {
                        file: self.file.clone(),
                        reason,
                    }
                })
            }),
            FileFormat::Csv => Err(ReadError::CorruptWorkbook {
                file: self.file.clone(),
                reason: "not a workbook".into(),
            }),
        };
        match result {
            Ok(last) => {
                let rows = Rows { tx: &self.rows };
                if last.is_none_or(|r| rows.send(r)) {
                    let _ = self.rows.send(None);
                }
            }
            // Before the sheets were announced the error goes on the opening channel.
            Err(e) => {
                let _ = self.open_tx.send(Err(e));
            }
        }
    }

    fn classify(&self, reason: String) -> ReadError {
        classify(&self.file, reason)
    }

    /// Notes a sheet row (1-based) with values beyond the last column kept.
    fn cut_row(&self, number: u64) {
        if let Ok(mut cut) = self.cut.lock() {
            cut.columns.add(number);
        }
    }

    /// Announces the sheets and the one chosen, or fails when there is none to read.
    fn announce(&self, sheets: Vec<SheetInfo>) -> Result<String, ReadError> {
        let chosen = choose(&self.file, &sheets, self.wanted.as_deref())?;
        let _ = self.open_tx.send(Ok((sheets, chosen.clone())));
        Ok(chosen)
    }

    /// Like [`Worker::announce`], but a workbook with no readable data whose worksheets
    /// failed to parse is damaged, not empty.
    fn announce_or_damage(&self, listing: &Listing) -> Result<String, ReadError> {
        match (&listing.damaged, listing.sheets.iter().any(|s| s.has_data)) {
            (Some(reason), false) if self.wanted.is_none() => Err(self.classify(reason.clone())),
            _ => self.announce(listing.sheets.clone()),
        }
    }

    /// The workbook and its sheets: kept from an earlier open of the same unchanged file
    /// (which passed `check` then), or checked, opened and listed (`list`) now.
    fn book<R>(
        &self,
        key: Option<&FileKey>,
        kept: Option<(Listing, Option<Book>)>,
        check: impl FnOnce() -> Result<Vec<SheetScan>, ReadError>,
        list: impl FnOnce(&mut R, Vec<SheetScan>) -> Listing,
    ) -> Result<(R, Listing), ReadError>
    where
        R: Reader<BufReader<File>> + Keepable,
        R::Error: std::fmt::Display,
    {
        if let Some((listing, book)) = kept {
            let book = match book.and_then(R::unwrap) {
                Some(book) => book,
                None => self.open_book()?,
            };
            return Ok((book, listing));
        }
        let scans = check()?;
        let mut book = self.open_book()?;
        let listing = list(&mut book, scans);
        // Listed now for the opens of the other sheets, before this one is read.
        if let Some(key) = key.filter(|_| listing.several()) {
            keep(key, &listing, None);
        }
        Ok((book, listing))
    }

    fn open_book<R>(&self) -> Result<R, ReadError>
    where
        R: Reader<BufReader<File>>,
        R::Error: std::fmt::Display,
    {
        open_workbook(&self.path).map_err(|e: R::Error| self.classify(e.to_string()))
    }

    /// Hands the workbook back for the next sheet, when there is another sheet to read.
    fn give_back(&self, key: Option<&FileKey>, listing: &Listing, book: impl Keepable) {
        if let Some(key) = key.filter(|_| listing.several()) {
            keep(key, listing, Some(book.wrap()));
        }
    }

    /// XLS and ODS: calamine loads a sheet whole; rows are then handed out one by one.
    fn whole<R>(
        &self,
        key: Option<&FileKey>,
        kept: Option<(Listing, Option<Book>)>,
        check: impl FnOnce() -> Result<Vec<SheetScan>, ReadError>,
    ) -> Result<Option<Result<RawRecord, ReadError>>, ReadError>
    where
        R: Reader<BufReader<File>> + Keepable,
        R::Error: std::fmt::Display,
    {
        let (mut book, listing) = self.book::<R>(key, kept, check, |book, scans| {
            let metadata = book.sheets_metadata().to_vec();
            let mut sheets = Vec::new();
            for meta in &metadata {
                // A sheet that cannot be loaded is listed as empty; it fails only if chosen.
                // Each copy is dropped once listed: the library already holds every sheet,
                // and keeping a second copy of all of them doubled the memory of a large
                // workbook.
                let range = if meta.typ == SheetType::WorkSheet {
                    book.worksheet_range(&meta.name).ok()
                } else {
                    None
                };
                let (rows, has_data) = match &range {
                    Some(r) => (
                        r.end().map_or(0, |(row, _)| row.saturating_add(1)),
                        r.used_cells().any(|(_, _, c)| !matches!(c, Data::Empty)),
                    ),
                    None => (0, false),
                };
                sheets.push(info(meta, rows, has_data));
            }
            Listing {
                sheets,
                damaged: None,
                scans,
            }
        })?;
        let chosen = match self.announce(listing.sheets.clone()) {
            Ok(chosen) => chosen,
            Err(e) => {
                self.give_back(key, &listing, book);
                return Err(e);
            }
        };
        // Calamine keeps the last of two sheets with one name.
        if let Some(scan) = listing.scans.iter().rev().find(|s| s.name == chosen) {
            if let Ok(mut cut) = self.cut.lock() {
                cut.columns = scan.columns_beyond.clone();
                cut.rows = scan.rows_beyond.clone();
            }
        }
        let worksheet = book
            .sheets_metadata()
            .iter()
            .find(|m| m.name == chosen)
            .is_none_or(|m| m.typ == SheetType::WorkSheet);
        let range = match worksheet.then(|| book.worksheet_range(&chosen)) {
            Some(Ok(r)) => Ok(r),
            Some(Err(e)) => Err(e.to_string()),
            None => Err("not a worksheet".into()),
        };
        // The range is a copy: the workbook can serve the next sheet while this one is read.
        self.give_back(key, &listing, book);
        let range = match range {
            Ok(r) => r,
            Err(reason) => return Ok(Some(Err(self.classify(reason)))),
        };
        let rows = Rows { tx: &self.rows };
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        for (i, row) in range.rows().enumerate() {
            if row.iter().all(|c| matches!(c, Data::Empty)) {
                continue;
            }
            let number = u64::from(first_row) + i as u64 + 1;
            let width = MAX_COLUMNS.saturating_sub(first_col) as usize;
            if row.iter().skip(width).any(|c| !matches!(c, Data::Empty)) {
                self.cut_row(number);
            }
            let mut cells = vec![String::new(); first_col.min(MAX_COLUMNS) as usize];
            cells.extend(row.iter().take(width).map(render));
            if !rows.send(Ok(RawRecord { number, cells })) {
                break;
            }
        }
        Ok(None)
    }

    fn stream_xlsx(
        &self,
        key: Option<&FileKey>,
        kept: Option<(Listing, Option<Book>)>,
    ) -> Result<Option<Result<RawRecord, ReadError>>, ReadError> {
        let check = || match super::xlsx_check::damage(&self.path) {
            Some(reason) => Err(self.classify(reason)),
            None => Ok(Vec::new()),
        };
        let (mut book, listing) =
            self.book::<Xlsx<BufReader<File>>>(key, kept, check, |book, _| {
                let metadata = book.sheets_metadata().to_vec();
                let mut sheets = Vec::new();
                let mut damaged = None;
                for meta in &metadata {
                    let (rows, has_data) = match book.worksheet_cells_reader(&meta.name) {
                        Ok(mut cells) => {
                            let rows = cells.dimensions().end.0.saturating_add(1);
                            let has_data =
                                first_value(|| cells.next_cell().map_err(|e| e.to_string()));
                            (
                                rows,
                                has_data.unwrap_or_else(|e| note_damage(&mut damaged, meta, e)),
                            )
                        }
                        Err(e) => (0, note_damage(&mut damaged, meta, e.to_string())),
                    };
                    sheets.push(info(meta, rows, has_data));
                }
                Listing {
                    sheets,
                    damaged,
                    scans: Vec::new(),
                }
            })?;
        let chosen = match self.announce_or_damage(&listing) {
            Ok(chosen) => chosen,
            Err(e) => {
                self.give_back(key, &listing, book);
                return Err(e);
            }
        };
        let last = match book.worksheet_cells_reader(&chosen) {
            Ok(mut cells) => self.pump(|| cells.next_cell().map_err(|e| e.to_string())),
            Err(e) => Some(Err(self.classify(e.to_string()))),
        };
        self.give_back(key, &listing, book);
        Ok(last)
    }

    fn stream_xlsb(
        &self,
        key: Option<&FileKey>,
        kept: Option<(Listing, Option<Book>)>,
    ) -> Result<Option<Result<RawRecord, ReadError>>, ReadError> {
        let (mut book, listing) = self.book::<Xlsb<BufReader<File>>>(
            key,
            kept,
            || Ok(Vec::new()),
            |book, _| {
                let metadata = book.sheets_metadata().to_vec();
                let mut sheets = Vec::new();
                let mut damaged = None;
                for meta in &metadata {
                    let (rows, has_data) = match book.worksheet_cells_reader(&meta.name) {
                        Ok(mut cells) => {
                            let rows = cells.dimensions().end.0.saturating_add(1);
                            let has_data =
                                first_value(|| cells.next_cell().map_err(|e| e.to_string()));
                            (
                                rows,
                                has_data.unwrap_or_else(|e| note_damage(&mut damaged, meta, e)),
                            )
                        }
                        Err(e) => (0, note_damage(&mut damaged, meta, e.to_string())),
                    };
                    sheets.push(info(meta, rows, has_data));
                }
                Listing {
                    sheets,
                    damaged,
                    scans: Vec::new(),
                }
            },
        )?;
        let chosen = match self.announce_or_damage(&listing) {
            Ok(chosen) => chosen,
            Err(e) => {
                self.give_back(key, &listing, book);
                return Err(e);
            }
        };
        let last = match book.worksheet_cells_reader(&chosen) {
            Ok(mut cells) => self.pump(|| cells.next_cell().map_err(|e| e.to_string())),
            Err(e) => Some(Err(self.classify(e.to_string()))),
        };
        self.give_back(key, &listing, book);
        Ok(last)
    }

    /// Gathers streamed cells (row by row, as workbooks store them) into records.
    fn pump<'a>(
        &self,
        mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, String>,
    ) -> Option<Result<RawRecord, ReadError>> {
        let rows = Rows { tx: &self.rows };
        let mut current: Option<(u32, Vec<String>)> = None;
        let mut last_cut = None;
        loop {
            let cell = match next() {
                Ok(Some(cell)) => cell,
                Ok(None) => break,
                Err(reason) => {
                    let row = current.as_ref().map_or(0, |(r, _)| r + 1);
                    if let Some((r, cells)) = current.take() {
                        if !rows.send(Ok(record(r, cells))) {
                            return None;
                        }
                    }
                    return Some(Err(ReadError::CorruptWorkbook {
                        file: self.file.clone(),
                        reason: format!("after sheet row {row}: {reason}"),
                    }));
                }
            };
            let (row, col) = cell.get_position();
            let text = render_ref(cell.get_value());
            if text.is_empty() {
                continue;
            }
            if col >= MAX_COLUMNS {
                if last_cut != Some(row) {
                    last_cut = Some(row);
                    self.cut_row(u64::from(row) + 1);
                }
                continue;
            }
            match &mut current {
                Some((r, cells)) if *r == row => put(cells, col, text),
                _ => {
                    if let Some((r, cells)) = current.take() {
                        if !rows.send(Ok(record(r, cells))) {
                            return None;
                        }
                    }
                    let mut cells = Vec::new();
                    put(&mut cells, col, text);
                    current = Some((row, cells));
                }
            }
        }
        current.map(|(r, cells)| Ok(record(r, cells)))
    }
}

/// A workbook's sheets as listed when it was opened, and what its checks found.
#[derive(Clone)]
struct Listing {
    sheets: Vec<SheetInfo>,
    /// The first worksheet that failed to parse (XLSX, XLSB).
    damaged: Option<String>,
    /// What calamine drops from each sheet (ODS).
    scans: Vec<SheetScan>,
}

impl Listing {
    /// Whether more than one sheet holds data: then the workbook is opened once per sheet,
    /// and is worth keeping between opens.
    fn several(&self) -> bool {
        self.sheets.iter().filter(|s| s.has_data).count() > 1
    }
}

/// A workbook as calamine opened it.
enum Book {
    Xlsx(Xlsx<BufReader<File>>),
    Xlsb(Xlsb<BufReader<File>>),
    Xls(Xls<BufReader<File>>),
    Ods(Ods<BufReader<File>>),
}

/// A calamine workbook type that can be kept between opens.
trait Keepable: Sized {
    fn wrap(self) -> Book;
    fn unwrap(book: Book) -> Option<Self>;
}

macro_rules! keepable {
    ($($variant:ident),*) => {$(
        impl Keepable for $variant<BufReader<File>> {
            fn wrap(self) -> Book {
                Book::$variant(self)
            }
            fn unwrap(book: Book) -> Option<Self> {
                match book {
                    Book::$variant(b) => Some(b),
                    _ => None,
                }
            }
        }
    )*};
}
keepable!(Xlsx, Xlsb, Xls, Ods);

/// Which file, as it is now: a file changed or replaced since is another key.
#[derive(Clone, PartialEq, Eq)]
struct FileKey {
    path: PathBuf,
    format: FileFormat,
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl FileKey {
    fn of(path: &Path, format: FileFormat) -> Option<Self> {
        let meta = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        Some(Self {
            path: path.to_path_buf(),
            format,
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode,
        })
    }
}

/// The last workbook of several sheets opened, kept a few seconds for the next open of the
/// same file. `map` and `convert` open a workbook once per sheet; opened afresh each time,
/// its shared strings were parsed and every one of its sheets probed again, so the time
/// grew with the square of the sheets (800 sheets: 150 s).
struct Kept {
    key: FileKey,
    listing: Listing,
    /// None while a worker reads a sheet with it.
    book: Option<Book>,
    used: Instant,
}

struct Cache {
    kept: Option<Kept>,
    /// Whether a thread is there to drop the workbook once it is no longer used.
    reaper: bool,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    kept: None,
    reaper: false,
});

/// How long a workbook is kept after its last use (it may hold hundreds of MB).
const KEEP_FOR: Duration = Duration::from_secs(10);

/// The kept listing of this file, with its workbook unless another reader has it. That
/// reader may hold it for long (a stream kept open, not read), so it is not waited for:
/// the workbook is opened again, still without probing its sheets.
fn take_kept(key: &FileKey) -> Option<(Listing, Option<Book>)> {
    let mut cache = CACHE.lock().ok()?;
    let kept = cache.kept.as_mut().filter(|k| k.key == *key)?;
    kept.used = Instant::now();
    Some((kept.listing.clone(), kept.book.take()))
}

/// Keeps the listing of this file, and its workbook when given.
fn keep(key: &FileKey, listing: &Listing, book: Option<Book>) {
    let Ok(mut cache) = CACHE.lock() else {
        return;
    };
    let mut dropped = None;
    match &mut cache.kept {
        Some(kept) if kept.key == *key => {
            if book.is_some() {
                dropped = std::mem::replace(&mut kept.book, book);
            }
            kept.used = Instant::now();
        }
        other => {
            dropped = other.take().and_then(|k| k.book);
            *other = Some(Kept {
                key: key.clone(),
                listing: listing.clone(),
                book,
                used: Instant::now(),
            });
        }
    }
    if !cache.reaper {
        cache.reaper = std::thread::Builder::new()
            .name("ph-read-workbook-keep".into())
            .spawn(reap)
            .is_ok();
        if !cache.reaper {
            dropped = dropped.or_else(|| cache.kept.take().and_then(|k| k.book));
        }
    }
    drop(cache);
    // A workbook is freed outside the lock: that can take a while.
    drop(dropped);
}

/// Drops the kept workbook once it has not been used for [`KEEP_FOR`].
fn reap() {
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let Ok(mut cache) = CACHE.lock() else {
            return;
        };
        if cache
            .kept
            .as_ref()
            .is_none_or(|k| k.used.elapsed() > KEEP_FOR)
        {
            let old = cache.kept.take();
            cache.reaper = false;
            drop(cache);
            drop(old);
            return;
        }
    }
}

fn record(row: u32, cells: Vec<String>) -> RawRecord {
    RawRecord {
        number: u64::from(row) + 1,
        cells,
    }
}

fn put(cells: &mut Vec<String>, col: u32, text: String) {
    let col = col as usize;
    if cells.len() <= col {
        cells.resize(col + 1, String::new());
    }
    cells[col] = text;
}

/// Whether a sheet holds any value, reading only as far as the first one; why not, when
/// its XML is broken before any value.
fn first_value<'a>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, String>,
) -> Result<bool, String> {
    while let Some(cell) = next()? {
        if !render_ref(cell.get_value()).is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Keeps the first worksheet's parse error (chart and macro sheets have no cells to parse);
/// the sheet is then listed without data.
fn note_damage(damaged: &mut Option<String>, meta: &Sheet, reason: String) -> bool {
    if meta.typ == SheetType::WorkSheet && damaged.is_none() {
        *damaged = Some(format!(
            "sheet \"{}\" could not be read: {reason}",
            meta.name
        ));
    }
    false
}

fn info(meta: &Sheet, rows: u32, has_data: bool) -> SheetInfo {
    SheetInfo {
        name: meta.name.clone(),
        rows,
        has_data,
        hidden: meta.visible != SheetVisible::Visible,
    }
}

/// The sheet named `wanted`: exactly, else ignoring case and surrounding spaces.
pub(crate) fn find_sheet<'a>(sheets: &'a [SheetInfo], wanted: &str) -> Option<&'a SheetInfo> {
    sheets.iter().find(|s| s.name == wanted).or_else(|| {
        sheets
            .iter()
            .find(|s| s.name.trim().eq_ignore_ascii_case(wanted.trim()))
    })
}

/// The sheet asked for (exactly, else ignoring case and surrounding spaces), or the first
/// visible sheet with data, or any sheet with data.
fn choose(file: &str, sheets: &[SheetInfo], wanted: Option<&str>) -> Result<String, ReadError> {
    let found = match wanted {
        Some(w) => find_sheet(sheets, w),
        None => sheets
            .iter()
            .find(|s| s.has_data && !s.hidden)
            .or_else(|| sheets.iter().find(|s| s.has_data)),
    };
    match (found, wanted) {
        (Some(s), _) => Ok(s.name.clone()),
        (None, Some(w)) => Err(ReadError::NoSuchSheet {
            file: file.to_owned(),
            sheet: w.to_owned(),
            available: sheets
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
        (None, None) => Err(ReadError::NoData {
            file: file.to_owned(),
        }),
    }
}

/// A cell as a person sees it in the spreadsheet.
pub(crate) fn render(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => render_float(*f),
        Data::Bool(b) => render_bool(*b),
        Data::DateTime(dt) => render_datetime(dt),
        Data::DateTimeIso(s) => render_iso_datetime(s),
        Data::DurationIso(s) => render_iso_duration(s),
        Data::Error(e) => e.to_string(),
    }
}

/// A streamed cell as a person sees it; the same rules as [`render`].
pub(crate) fn render_ref(cell: &DataRef<'_>) -> String {
    match cell {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => render_float(*f),
        DataRef::Bool(b) => render_bool(*b),
        DataRef::DateTime(dt) => render_datetime(dt),
        DataRef::DateTimeIso(s) => render_iso_datetime(s),
        DataRef::DurationIso(s) => render_iso_duration(s),
        DataRef::Error(e) => e.to_string(),
    }
}

fn render_bool(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_owned()
}

/// Dates as `YYYY-MM-DD`, date-times as `YYYY-MM-DDTHH:MM:SS`, times of day as
/// `HH:MM:SS` and durations as `[h]:MM:SS` (what Excel shows for `[h]:mm:ss`).
fn render_datetime(dt: &ExcelDateTime) -> String {
    let serial = dt.as_f64();
    if !serial.is_finite() {
        return String::new();
    }
    if dt.is_duration() {
        return clock(serial * 86_400.0, true);
    }
    // Calamine applies the workbook's 1900 or 1904 date system here.
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if (0.0..1.0).contains(&serial) {
        // A time with no date: Excel's day zero is not a date anyone typed.
        format!("{h:02}:{mi:02}:{s:02}")
    } else if h == 0 && mi == 0 && s == 0 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    }
}

/// Seconds as `H:MM:SS` (hours unbounded when `hours_unbounded`, else `HH` within a day).
fn clock(seconds: f64, hours_unbounded: bool) -> String {
    let total = seconds.round();
    let sign = if total < 0.0 { "-" } else { "" };
    let total = total.abs().min(9.0e15) as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if hours_unbounded {
        format!("{sign}{h}:{m:02}:{s:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

/// ODS date cells: midnight is a plain date.
fn render_iso_datetime(s: &str) -> String {
    s.strip_suffix("T00:00:00").unwrap_or(s).to_owned()
}

/// ODS stores times of day and durations as ISO 8601 durations (`PT10H10M10S`): shown as
/// `10:10:10`, as LibreOffice does. Anything else is kept as written.
fn render_iso_duration(s: &str) -> String {
    let Some(rest) = s
        .strip_prefix("PT")
        .or_else(|| s.strip_prefix("-PT"))
        .filter(|r| !r.is_empty())
    else {
        return s.to_owned();
    };
    let mut seconds = 0.0;
    let mut number = String::new();
    for c in rest.chars() {
        let unit = match c {
            '0'..='9' | '.' => {
                number.push(c);
                continue;
            }
            'H' => 3600.0,
            'M' => 60.0,
            'S' => 1.0,
            _ => return s.to_owned(),
        };
        match number.parse::<f64>() {
            Ok(n) => seconds += n * unit,
            Err(_) => return s.to_owned(),
        }
        number.clear();
    }
    if !number.is_empty() {
        return s.to_owned();
    }
    clock(
        if s.starts_with('-') {
            -seconds
        } else {
            seconds
        },
        false,
    )
}

/// Whole numbers without ".0" and never in scientific notation, so IDs, phones and
/// microchips keep every digit the cell holds.
fn render_float(f: f64) -> String {
    if !f.is_finite() {
        String::new()
    } else if f.fract() == 0.0 && f.abs() < 1e17 {
        // `+ 0.0` turns -0 into 0: a spreadsheet never shows "-0".
        format!("{:.0}", f + 0.0)
    } else {
        // Spreadsheets show at most 15 significant digits ("General" format): 0.1 + 0.2
        // is 0.3 to a person, not 0.30000000000000004.
        let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
        format!("{}", rounded + 0.0)
    }
}

fn classify(file: &str, reason: String) -> ReadError {
    let lower = reason.to_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        ReadError::PasswordProtected {
            file: file.to_owned(),
        }
    } else {
        ReadError::CorruptWorkbook {
            file: file.to_owned(),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    #[test]
    fn floats_render_like_a_spreadsheet() {
        assert_eq!(render_float(2134.0), "2134");
        assert_eq!(render_float(985112345678901.0), "985112345678901");
        assert_eq!(render_float(72.4), "72.4");
        assert_eq!(render_float(0.1 + 0.2), "0.3");
        assert_eq!(render_float(1e-7), "0.0000001");
        assert_eq!(render_float(-0.0), "0");
        assert_eq!(render_float(1e20), "100000000000000000000");
        assert_eq!(render_float(f64::NAN), "");
    }

    #[test]
    fn cells_render_as_seen() {
        assert_eq!(render(&Data::String("02134".into())), "02134");
        assert_eq!(render(&Data::Int(42)), "42");
        assert_eq!(render(&Data::Bool(true)), "TRUE");
        assert_eq!(render(&Data::Empty), "");
        assert_eq!(
            render(&Data::Error(calamine::CellErrorType::Div0)),
            "#DIV/0!"
        );
        assert_eq!(
            render(&Data::DateTimeIso("2016-03-14T00:00:00".into())),
            "2016-03-14"
        );
        assert_eq!(render_ref(&DataRef::SharedString("Zoë")), "Zoë");
    }

    #[test]
    fn dates_times_and_durations() {
        let at = |v: f64, t: ExcelDateTimeType, is_1904: bool| {
            render(&Data::DateTime(ExcelDateTime::new(v, t, is_1904)))
        };
        use ExcelDateTimeType::{DateTime, TimeDelta};
        assert_eq!(at(42443.0, DateTime, false), "2016-03-14");
        assert_eq!(at(40981.0, DateTime, true), "2016-03-14");
        assert_eq!(at(42443.75, DateTime, false), "2016-03-14T18:00:00");
        assert_eq!(at(0.5, DateTime, false), "12:00:00");
        assert_eq!(at(10.6320601851852, TimeDelta, false), "255:10:10");
        assert_eq!(render_iso_duration("PT10H10M10S"), "10:10:10");
        assert_eq!(render_iso_duration("PT10H10M10.123456S"), "10:10:10");
        assert_eq!(render_iso_duration("P1D"), "P1D");
    }

    #[test]
    fn the_first_visible_sheet_with_data_is_chosen() {
        let sheet = |name: &str, has_data: bool, hidden: bool| SheetInfo {
            name: name.into(),
            rows: 1,
            has_data,
            hidden,
        };
        let sheets = [
            sheet("Notes", false, false),
            sheet("Lookup", true, true),
            sheet("Clients", true, false),
        ];
        assert_eq!(choose("f", &sheets, None).ok().as_deref(), Some("Clients"));
        assert_eq!(
            choose("f", &sheets, Some(" clients ")).ok().as_deref(),
            Some("Clients")
        );
        assert_eq!(
            choose("f", &sheets[..2], None).ok().as_deref(),
            Some("Lookup")
        );
        assert!(matches!(
            choose("f", &sheets[..1], None),
            Err(ReadError::NoData { .. })
        ));
    }
}
