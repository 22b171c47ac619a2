//! Delimited text (CSV, TSV, semicolon and pipe files): sniffing and streaming.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::Encoding;
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::error::{display_name, ReadError};
use super::{RawRecord, Tally};

/// The delimiters clinic exports use, in order of preference when equally likely.
pub(crate) const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A single field larger than this is a runaway quote, not data.
pub(crate) const FIELD_LIMIT_BYTES: u64 = 32 * 1024 * 1024;

/// A record spanning more lines than this is a runaway quote: an address or a note runs to a
/// few lines, while a quote left open swallows every row after it into one value.
pub(crate) const RECORD_LINE_LIMIT: u64 = 200;

/// Most columns a line may split into: Excel's 16,384 (XFD). Every step after reading is
/// linear in the columns, but a million of them is a wrong delimiter or a crafted file.
pub(crate) const COLUMN_LIMIT: usize = 16_384;

/// Chooses the delimiter that splits the sample into the most rows of one consistent width.
pub(crate) fn sniff_delimiter(sample: &str) -> (u8, String) {
    let mut best: Option<(u8, usize, usize, usize)> = None; // (delimiter, score, width, rows)
    for &d in &CANDIDATES {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(sample.as_bytes());
        let mut widths = Vec::new();
        for record in reader.byte_records().take(200) {
            match record {
                Ok(r) => {
                    let w = r.iter().rposition(|f| !f.is_empty()).map_or(0, |i| i + 1);
                    if w > 0 {
                        widths.push(w);
                    }
                }
                Err(_) => break,
            }
        }
        // Lines of one value (a printed report's titles, page numbers) say nothing about the
        // delimiter: the most common width of the others decides, when they are a good share.
        // (What decided before, when lines of several values were the most common, still does.)
        let split: Vec<usize> = widths.iter().copied().filter(|&w| w >= 2).collect();
        let (width, rows) = mode(&split);
        if width < 2 || (rows * 4 < widths.len() && mode(&widths).0 < 2) {
            continue;
        }
        let score = rows * width;
        if best.is_none_or(|(_, s, _, _)| score > s) {
            best = Some((d, score, width, rows));
        }
    }
    match best {
        Some((d, _, width, rows)) => (
            d,
            format!(
                "{} splits {rows} of the first rows into the same {width} columns",
                delimiter_name(d)
            ),
        ),
        None => (
            b',',
            "no delimiter splits the rows into columns, so the file is read as one column".into(),
        ),
    }
}

fn mode(values: &[usize]) -> (usize, usize) {
    let mut counts = std::collections::BTreeMap::new();
    for &v in values {
        *counts.entry(v).or_insert(0usize) += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(w, n)| (n, w))
        .unwrap_or((0, 0))
}

/// How a delimiter is named to a person.
pub(crate) fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "a comma",
        b';' => "a semicolon",
        b'\t' => "a tab",
        b'|' => "a pipe",
        _ => "the delimiter",
    }
}

/// Counts the bytes taken from the file, for progress reporting.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Where the line breaks are in the bytes read ahead, so that every record gets the line
/// number a text editor shows, blank lines included (the csv crate does not count those).
#[derive(Default)]
struct LineIndex {
    /// Line breaks not yet passed by a record start: (offset, length of `\n`, `\r` or `\r\n`).
    breaks: VecDeque<(u64, u64)>,
    /// Line breaks already passed.
    passed: u64,
    /// Offset of a `\r` at the end of the last chunk, undecided until the next byte.
    pending_cr: Option<u64>,
}

impl LineIndex {
    fn scan(&mut self, start: u64, bytes: &[u8]) {
        let mut from = 0;
        if let Some(cr) = self.pending_cr.take() {
            if bytes.first() == Some(&b'\n') {
                self.breaks.push_back((cr, 2));
                from = 1;
            } else {
                self.breaks.push_back((cr, 1));
            }
        }
        let mut i = from;
        // memchr jumps from line break to line break instead of testing every byte.
        while let Some(found) = bytes
            .get(i..)
            .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
        {
            i += found;
            let at = start + i as u64;
            if bytes[i] == b'\n' {
                self.breaks.push_back((at, 1));
            } else {
                match bytes.get(i + 1) {
                    Some(b'\n') => {
                        self.breaks.push_back((at, 2));
                        i += 1;
                    }
                    Some(_) => self.breaks.push_back((at, 1)),
                    None => self.pending_cr = Some(at),
                }
            }
            i += 1;
        }
    }

    /// The 1-based line just past the line breaks before `offset`, without passing them
    /// (the next record's start still steps over blank lines with [`LineIndex::line_of`]).
    fn line_at(&self, offset: u64) -> u64 {
        let before = self
            .breaks
            .iter()
            .take_while(|&&(at, _)| at < offset)
            .count() as u64;
        self.passed + before + 1
    }

    /// The 1-based line where a record reported at `offset` really starts. The csv crate
    /// reports a record after blank lines as starting at the first blank line, so line
    /// breaks right at the start are stepped over. Offsets must not go backwards.
    fn line_of(&mut self, mut offset: u64) -> u64 {
        while let Some(&(at, len)) = self.breaks.front() {
            if at < offset {
                self.passed += 1;
                self.breaks.pop_front();
                // Reported at the LF of a blank line's CRLF: the record starts after it.
                offset = offset.max(at + len);
            } else if at == offset {
                self.passed += 1;
                self.breaks.pop_front();
                offset += len;
            } else {
                break;
            }
        }
        self.passed + 1
    }
}

/// The text read since the current record began, so that a record spanning lines can be
/// read again line by line (see [`DelimitedSource::split_stray_quote`]).
#[derive(Default)]
struct Retained {
    /// Offset in the text of `bytes[0]`.
    base: u64,
    bytes: Vec<u8>,
}

impl Retained {
    /// The text from `start` to `end`, if still held.
    fn slice(&self, start: u64, end: u64) -> Option<&[u8]> {
        let from = usize::try_from(start.checked_sub(self.base)?).ok()?;
        let to = usize::try_from(end.checked_sub(self.base)?).ok()?;
        self.bytes.get(from..to)
    }
}

/// The DOS end-of-file mark (Ctrl-Z) old programs write after the last line.
const DOS_EOF: u8 = 0x1A;

/// Stops a runaway field (an unclosed quote) before it eats all memory, indexes lines, keeps
/// the current record's text, and drops a DOS end-of-file mark at the very end.
struct Guard<R> {
    inner: R,
    consumed: u64,
    record_start: Rc<Cell<u64>>,
    lines: Rc<RefCell<LineIndex>>,
    retained: Rc<RefCell<Retained>>,
    /// Ctrl-Z bytes held back from the end of the last read: dropped if the text ends there.
    held_eof_marks: usize,
}

impl<R: Read> Guard<R> {
    fn read_inner(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // Held marks go out first when more text follows them.
            let held = self.held_eof_marks.min(buf.len());
            if held > 0 && held == buf.len() {
                // No room to look ahead: they are data.
                buf[..held].fill(DOS_EOF);
                self.held_eof_marks -= held;
                return Ok(held);
            }
            let n = self.inner.read(&mut buf[held..])?;
            if n == 0 {
                // The end of the text: held marks are dropped.
                self.held_eof_marks = 0;
                return Ok(0);
            }
            buf[..held].fill(DOS_EOF);
            self.held_eof_marks -= held;
            let total = held + n;
            let trailing = buf[..total]
                .iter()
                .rev()
                .take_while(|&&b| b == DOS_EOF)
                .count();
            self.held_eof_marks += trailing;
            if total > trailing {
                return Ok(total - trailing);
            }
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let record_start = self.record_start.get();
        if self.consumed.saturating_sub(record_start) > FIELD_LIMIT_BYTES {
            return Err(io::Error::other(RUNAWAY));
        }
        let n = self.read_inner(buf)?;
        self.lines.borrow_mut().scan(self.consumed, &buf[..n]);
        let mut retained = self.retained.borrow_mut();
        // What lies before the current record is dropped once it is half the buffer, so the
        // copying stays linear in the file's size.
        let dead = usize::try_from(record_start.saturating_sub(retained.base))
            .unwrap_or(usize::MAX)
            .min(retained.bytes.len());
        if dead > 0 && dead >= retained.bytes.len() / 2 {
            retained.bytes.drain(..dead);
            retained.base += dead as u64;
        }
        retained.bytes.extend_from_slice(&buf[..n]);
        self.consumed += n as u64;
        Ok(n)
    }
}

const RUNAWAY: &str = "runaway field";

/// Streams the records of a delimited file, decoded to UTF-8.
pub(crate) struct DelimitedSource {
    file: String,
    reader: csv::Reader<Guard<Box<dyn Read>>>,
    record: csv::ByteRecord,
    record_start: Rc<Cell<u64>>,
    lines: Rc<RefCell<LineIndex>>,
    bytes: Arc<AtomicU64>,
    /// Where invalid UTF-8 is decoded instead of replaced: the file's UTF-8 was only
    /// detected, and legacy bytes further down mean a mixed or mis-detected file.
    fallback: Option<&'static Encoding>,
    /// Rows with bytes not valid in the chosen encoding (shown as U+FFFD).
    pub replaced: Tally,
    /// Rows with values read through the fallback encoding.
    pub fell_back: Tally,
    /// Rows from which NUL characters were removed.
    pub nuls: Tally,
    /// What the current record's fields needed: (replaced, fell back, NUL removed).
    flags: (bool, bool, bool),
    retained: Rc<RefCell<Retained>>,
    delimiter: u8,
    /// Fields of the last record on one line: how wide a row of this file is.
    width: usize,
    /// Lines of a stray-quoted record still to be given out as rows: (line, fields).
    split: VecDeque<(u64, Vec<Vec<u8>>)>,
    /// Quoted values that ran over lines looking like rows of their own, which were read
    /// as rows: the line where each opened (a count and the first few lines).
    pub stray_quotes: Tally,
    /// The first few of those: (line where the quote opened, last line it ran to, rows kept).
    pub stray_spans: Vec<(u64, u64, u64)>,
}

impl DelimitedSource {
    /// Opens `path` for streaming with the chosen encoding and delimiter;
    /// `file` is the file sniffed, read again from its start: opening it once more would
    /// be another system call per pass, and could open a file replaced in between.
    pub(crate) fn open(
        path: &Path,
        mut file: File,
        encoding: &'static Encoding,
        bom_len: usize,
        delimiter: u8,
        fallback: Option<&'static Encoding>,
    ) -> Result<Self, ReadError> {
        file.seek(io::SeekFrom::Start(0))
            .map_err(|e| ReadError::io(path, &e))?;
        let bytes = Arc::new(AtomicU64::new(0));
        let counted = Counting {
            inner: file,
            count: bytes.clone(),
        };
        let buffered = BufReader::with_capacity(256 * 1024, counted);
        let decoded: Box<dyn Read> = if encoding == encoding_rs::UTF_8 {
            // UTF-8 needs no transcoding: skip the BOM and check each field below, which is
            // faster and lets invalid bytes be counted rather than silently replaced.
            let mut reader = buffered;
            io::copy(&mut (&mut reader).take(bom_len as u64), &mut io::sink())
                .map_err(|e| ReadError::io(path, &e))?;
            Box::new(reader)
        } else {
            Box::new(
                DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding))
                    .bom_override(true)
                    .strip_bom(true)
                    .build(buffered),
            )
        };
        let record_start = Rc::new(Cell::new(0));
        let lines = Rc::new(RefCell::new(LineIndex::default()));
        let retained = Rc::new(RefCell::new(Retained::default()));
        let guarded = Guard {
            inner: decoded,
            consumed: 0,
            record_start: record_start.clone(),
            lines: lines.clone(),
            retained: retained.clone(),
            held_eof_marks: 0,
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(256 * 1024)
            .from_reader(guarded);
        Ok(Self {
            file: display_name(path),
            reader,
            record: csv::ByteRecord::new(),
            record_start,
            lines,
            bytes,
            fallback,
            replaced: Tally::default(),
            fell_back: Tally::default(),
            nuls: Tally::default(),
            flags: (false, false, false),
            retained,
            delimiter,
            width: 0,
            split: VecDeque::new(),
            stray_quotes: Tally::default(),
            stray_spans: Vec::new(),
        })
    }

    /// Bytes of the file read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The next record, or None at the end of the file.
    pub(crate) fn next_record(&mut self) -> Option<Result<RawRecord, ReadError>> {
        let mut record = RawRecord {
            number: 0,
            cells: Vec::new(),
        };
        match self.next_record_into(&mut record)? {
            Ok(()) => Some(Ok(record)),
            Err(e) => Some(Err(e)),
        }
    }

    /// The next record written over `out`, whose cells' memory is reused (a million rows
    /// of twenty cells would otherwise be twenty million allocations); None at the end.
    pub(crate) fn next_record_into(
        &mut self,
        out: &mut RawRecord,
    ) -> Option<Result<(), ReadError>> {
        if let Some((number, fields)) = self.split.pop_front() {
            self.flags = (false, false, false);
            self.fields_into(fields.iter().map(Vec::as_slice), out);
            self.tally_flags(number);
            out.number = number;
            return Some(Ok(()));
        }
        // Only for an error's message: passing line breaks here would pass the blank lines
        // read so far, and the record's own start could no longer step over the rest of them
        // (a run of blank lines across a buffer boundary was then counted as record lines).
        let line = self.lines.borrow().line_at(self.reader.position().byte());
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => None,
            Ok(true) => {
                self.record_start.set(self.reader.position().byte());
                let start = self.record.position().map_or(0, |p| p.byte());
                let number = self.lines.borrow_mut().line_of(start);
                let spans = self
                    .lines
                    .borrow()
                    .line_at(self.reader.position().byte())
                    .saturating_sub(number);
                if spans > RECORD_LINE_LIMIT {
                    return Some(Err(ReadError::RunawayQuote {
                        file: self.file.clone(),
                        line: number,
                        lines: spans,
                    }));
                }
                if self.record.len() > COLUMN_LIMIT {
                    return Some(Err(ReadError::TooManyColumns {
                        file: self.file.clone(),
                        line: number,
                        columns: self.record.len() as u64,
                    }));
                }
                if spans > 1 && self.split_stray_quote(start, self.reader.position().byte(), number)
                {
                    return self.next_record_into(out);
                }
                if spans <= 1 && self.record.iter().any(|f| !f.is_empty()) {
                    self.width = self.record.len();
                }
                let record = std::mem::take(&mut self.record);
                self.flags = (false, false, false);
                self.fields_into(record.iter(), out);
                self.record = record;
                self.tally_flags(number);
                out.number = number;
                Some(Ok(()))
            }
            Err(e) => Some(Err(self.error(e, line))),
        }
    }

    /// Writes `fields` as text over `out`'s cells, reusing their memory.
    fn fields_into<'f>(
        &mut self,
        fields: impl ExactSizeIterator<Item = &'f [u8]>,
        out: &mut RawRecord,
    ) {
        let len = fields.len();
        out.cells.truncate(len);
        out.cells.reserve(len - out.cells.len());
        for (i, field) in fields.enumerate() {
            match out.cells.get_mut(i) {
                Some(cell) => self.field_text_into(field, cell),
                None => {
                    // Room to spare: the cell is reused for other rows' values.
                    let mut cell = String::with_capacity(field.len().max(24));
                    self.field_text_into(field, &mut cell);
                    out.cells.push(cell);
                }
            }
        }
    }

    fn tally_flags(&mut self, number: u64) {
        let (replaced, fell_back, nul) = self.flags;
        for (flag, tally) in [
            (replaced, &mut self.replaced),
            (fell_back, &mut self.fell_back),
            (nul, &mut self.nuls),
        ] {
            if flag {
                tally.add(number);
            }
        }
    }

    /// A record from `start` to `end` that spans lines: when the lines inside its quoted value
    /// look like rows of their own (as wide as the file's rows), a stray quote has swallowed
    /// them. Then each line is queued as its own row, the quote read as a plain character,
    /// and the span noted; returns whether it did so.
    fn split_stray_quote(&mut self, start: u64, end: u64, number: u64) -> bool {
        if self.width < 2 {
            return false;
        }
        let retained = Rc::clone(&self.retained);
        let retained = retained.borrow();
        let Some(text) = retained.slice(start, end) else {
            return false;
        };
        let lines = split_lines(text);
        // The csv crate starts a record after blank lines at the first of them.
        let lines: Vec<&[u8]> = lines.into_iter().skip_while(|l| l.is_empty()).collect();
        if lines.len() < 2 {
            return false;
        }
        let quotes = text.iter().filter(|&&b| b == b'"').count();
        // Lines wholly inside the value: all but the first, and the last too when the quote
        // never closed (an odd count of quotes).
        let inside = if quotes % 2 == 1 {
            &lines[1..]
        } else {
            &lines[1..lines.len() - 1]
        };
        // As wide as the file's rows, and filled like a row: two values at least (an ID and
        // a name), and no more than half of them empty.
        let rowlike = |l: &[u8]| {
            let fields = parse_line(l, self.delimiter);
            let filled = fields
                .iter()
                .filter(|f| f.iter().any(|&b| !b.is_ascii_whitespace() && b != b'"'))
                .count();
            fields.len() == self.width && filled >= 2 && filled * 2 >= fields.len()
        };
        // A value that really spans lines leaves its first line short of a row (the rest of
        // the row follows the closing quote), and an address or a note between holds no
        // delimiters, or not a row's worth. A stray quote's own line is a whole row.
        let inside_rows = inside.iter().filter(|l| rowlike(l)).count();
        if !rowlike(lines[0]) || inside_rows == 0 || inside_rows * 2 < inside.len() {
            return false;
        }
        let parsed: Vec<(u64, Vec<Vec<u8>>)> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| (number + i as u64, parse_line(l, self.delimiter)))
            .collect();
        let last = number + lines.len() as u64 - 1;
        self.stray_quotes.add(number);
        if self.stray_spans.len() < 5 {
            self.stray_spans
                .push((number, last, parsed.len().saturating_sub(1) as u64));
        }
        self.split.extend(parsed);
        true
    }

    /// A field's text, written over `text`.
    fn field_text_into(&mut self, field: &[u8], text: &mut String) {
        text.clear();
        match (std::str::from_utf8(field), self.fallback) {
            (Ok(s), _) => {
                // Transcoders replace what they cannot decode with U+FFFD. (Searching for it
                // costs more than the rest of reading a cell: ASCII text cannot hold it.)
                if !s.is_ascii() && s.contains('\u{FFFD}') {
                    self.flags.0 = true;
                }
                text.push_str(s);
            }
            (Err(_), Some(legacy)) => {
                self.flags.1 = true;
                text.push_str(&legacy.decode_without_bom_handling(field).0);
            }
            (Err(_), None) => {
                self.flags.0 = true;
                text.push_str(&String::from_utf8_lossy(field));
            }
        }
        if text.contains('\0') {
            self.flags.2 = true;
            text.retain(|c| c != '\0');
        }
    }

    fn error(&self, e: csv::Error, line: u64) -> ReadError {
        match e.kind() {
            csv::ErrorKind::Io(io) if io.to_string() == RUNAWAY => ReadError::FieldTooLarge {
                file: self.file.clone(),
                line,
                limit_mb: FIELD_LIMIT_BYTES / (1024 * 1024),
            },
            _ => ReadError::Malformed {
                file: self.file.clone(),
                line,
                reason: e.to_string(),
            },
        }
    }
}

/// The lines of `text`, split at LF, CRLF or CR, without their line breaks.
fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut from = 0;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' => {
                lines.push(&text[from..i]);
                from = i + 1;
            }
            b'\r' => {
                lines.push(&text[from..i]);
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if from < text.len() {
        lines.push(&text[from..]);
    }
    lines
}

/// The fields of one line read on its own: quotes are honoured when they pair up on the line,
/// and read as plain characters when one is left open (the stray quote itself).
fn parse_line(line: &[u8], delimiter: u8) -> Vec<Vec<u8>> {
    let paired = line.iter().filter(|&&b| b == b'"').count() % 2 == 0;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(paired)
        .delimiter(delimiter)
        .from_reader(line);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => record.iter().map(<[u8]>::to_vec).collect(),
        _ => vec![line.to_vec()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_lf_crlf_and_lone_cr_across_chunks() {
        let text = b"a\r\nb\rc\n\r\nd";
        for split in 0..text.len() {
            let mut index = LineIndex::default();
            index.scan(0, &text[..split]);
            index.scan(split as u64, &text[split..]);
            assert_eq!(index.line_of(0), 1);
            assert_eq!(index.line_of(3), 2, "split at {split}");
            assert_eq!(index.line_of(5), 3, "split at {split}");
            // Reported at the blank line's CRLF: the record is on the line after it.
            assert_eq!(index.line_of(7), 5, "split at {split}");
        }
        for reported in [7, 8] {
            let mut index = LineIndex::default();
            index.scan(0, text);
            assert_eq!(index.line_of(reported), 5, "reported at {reported}");
        }
    }

    #[test]
    fn sniffs_each_delimiter() {
        for (text, d) in [
            ("a,b,c\n1,2,3\n4,5,6\n", b','),
            ("a;b;c\n1,5;2;3\n4;5,5;6\n", b';'),
            ("a\tb\tc\n1, x\t2\t3\n", b'\t'),
            ("a|b|c\n1|2|3\n", b'|'),
        ] {
            assert_eq!(sniff_delimiter(text).0, d, "{text:?}");
        }
    }

    #[test]
    fn quoted_delimiters_do_not_fool_the_sniffer() {
        let text = "name;note\n\"Smith, John\";\"a, b, c\"\n\"Doe, Jane\";\"x, y\"\n";
        assert_eq!(sniff_delimiter(text).0, b';');
    }
}
