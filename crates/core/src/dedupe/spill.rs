//! The duplicate finder's records on disk while a conversion runs: fingerprints, blocking
//! keys and pet summaries written to an unnamed private file as they come and read back
//! once the conversion has freed its own memory, so the two never sit in memory together.
//!
//! The format is private to one run (native field order, little-endian): a tag byte, fixed
//! fields, then the record's text.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use super::blocking::{Keys, KEYS};
use super::fingerprint::{Ends, PARTS};

/// Where a record came from: its table and row.
pub(super) type Place = (u16, u32);

/// A client as spilled: its fingerprint's text and part ends, its blocking keys, its ID.
pub(super) struct SpilledClient<'a> {
    pub text: &'a str,
    pub ends: Ends,
    pub keys: Keys,
    pub id: &'a str,
    pub place: Place,
}

/// A pet as spilled: the hashes compared for equality, the folded name, the ID.
pub(super) struct SpilledPatient<'a> {
    pub owner: u64,
    pub species: u32,
    pub date_of_birth: u32,
    pub name: &'a str,
    pub id: &'a str,
    pub place: Place,
}

/// One record read back.
pub(super) enum Spilled<'a> {
    Client(SpilledClient<'a>),
    Patient(SpilledPatient<'a>),
}

const CLIENT: u8 = b'C';
const PATIENT: u8 = b'P';

/// Records being written; counts them so that reading back sizes its vectors exactly.
pub(super) struct SpillWriter {
    out: BufWriter<File>,
    pub clients: usize,
    pub patients: usize,
    /// The first write that failed (a full disk): reported when the records are read back.
    failed: Option<io::Error>,
}

/// The write buffer: large writes, few system calls.
const BUFFER: usize = 1 << 20;

impl SpillWriter {
    /// Writes into `file` (empty, readable and writable).
    pub fn new(file: File) -> SpillWriter {
        SpillWriter {
            out: BufWriter::with_capacity(BUFFER, file),
            clients: 0,
            patients: 0,
            failed: None,
        }
    }

    pub fn client(&mut self, c: &SpilledClient<'_>) {
        self.clients += 1;
        let mut head = [0u8; 1 + 2 * PARTS + 4 * KEYS + 6 + 8];
        let mut w = Cursor::new(&mut head);
        w.put(&[CLIENT]);
        for e in c.ends {
            w.put(&e.to_le_bytes());
        }
        for k in c.keys {
            w.put(&k.to_le_bytes());
        }
        w.place(c.place);
        w.len(c.text);
        w.len(c.id);
        self.write(&[&head, c.text.as_bytes(), c.id.as_bytes()]);
    }

    pub fn patient(&mut self, p: &SpilledPatient<'_>) {
        self.patients += 1;
        let mut head = [0u8; 1 + 8 + 4 + 4 + 6 + 8];
        let mut w = Cursor::new(&mut head);
        w.put(&[PATIENT]);
        w.put(&p.owner.to_le_bytes());
        w.put(&p.species.to_le_bytes());
        w.put(&p.date_of_birth.to_le_bytes());
        w.place(p.place);
        w.len(p.name);
        w.len(p.id);
        self.write(&[&head, p.name.as_bytes(), p.id.as_bytes()]);
    }

    fn write(&mut self, parts: &[&[u8]]) {
        if self.failed.is_some() {
            return;
        }
        for part in parts {
            if let Err(e) = self.out.write_all(part) {
                self.failed = Some(e);
                return;
            }
        }
    }

    /// Ends the writing: the records, ready to be read back from the start.
    pub fn finish(self) -> io::Result<SpillReader> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(SpillReader {
            input: BufReader::with_capacity(BUFFER, file),
            text: Vec::new(),
        })
    }
}

/// Records being read back, in the order written.
pub(super) struct SpillReader {
    input: BufReader<File>,
    text: Vec<u8>,
}

impl SpillReader {
    /// The next record; `None` at the end.
    pub fn next(&mut self) -> io::Result<Option<Spilled<'_>>> {
        let mut tag = [0u8; 1];
        if self.input.read(&mut tag)? == 0 {
            return Ok(None);
        }
        match tag[0] {
            CLIENT => {
                let mut head = [0u8; 2 * PARTS + 4 * KEYS + 6 + 8];
                self.input.read_exact(&mut head)?;
                let mut r = Cursor::new(&mut head);
                let mut ends = [0u16; PARTS];
                for e in &mut ends {
                    *e = u16::from_le_bytes(r.take());
                }
                let mut keys = [0u32; KEYS];
                for k in &mut keys {
                    *k = u32::from_le_bytes(r.take());
                }
                let place = r.place_back();
                let (text_len, id_len) = (r.len_back(), r.len_back());
                let (text, id) = self.texts(text_len, id_len)?;
                Ok(Some(Spilled::Client(SpilledClient {
                    text,
                    ends,
                    keys,
                    id,
                    place,
                })))
            }
            PATIENT => {
                let mut head = [0u8; 8 + 4 + 4 + 6 + 8];
                self.input.read_exact(&mut head)?;
                let mut r = Cursor::new(&mut head);
                let owner = u64::from_le_bytes(r.take());
                let species = u32::from_le_bytes(r.take());
                let date_of_birth = u32::from_le_bytes(r.take());
                let place = r.place_back();
                let (name_len, id_len) = (r.len_back(), r.len_back());
                let (name, id) = self.texts(name_len, id_len)?;
                Ok(Some(Spilled::Patient(SpilledPatient {
                    owner,
                    species,
                    date_of_birth,
                    name,
                    id,
                    place,
                })))
            }
            other => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the duplicate finder's scratch file is damaged (record tag {other})"),
            )),
        }
    }

    /// Two texts of `a` and `b` bytes, end to end in the input.
    fn texts(&mut self, a: usize, b: usize) -> io::Result<(&str, &str)> {
        self.text.resize(a + b, 0);
        self.input.read_exact(&mut self.text)?;
        let text = std::str::from_utf8(&self.text)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        match (text.get(..a), text.get(a..)) {
            (Some(x), Some(y)) => Ok((x, y)),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the duplicate finder's scratch file is damaged (a text is cut inside a character)",
            )),
        }
    }
}

/// Fixed-size fields in and out of a header buffer.
struct Cursor<'a> {
    buf: &'a mut [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a mut [u8]) -> Cursor<'a> {
        Cursor { buf, at: 0 }
    }

    fn put(&mut self, bytes: &[u8]) {
        self.buf[self.at..self.at + bytes.len()].copy_from_slice(bytes);
        self.at += bytes.len();
    }

    fn place(&mut self, (table, row): Place) {
        self.put(&table.to_le_bytes());
        self.put(&row.to_le_bytes());
    }

    /// A text's length (a text past 4 GB, which no cell reaches, is cut by the reader).
    fn len(&mut self, text: &str) {
        self.put(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes());
    }

    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.buf[self.at..self.at + N]);
        self.at += N;
        out
    }

    fn place_back(&mut self) -> Place {
        (
            u16::from_le_bytes(self.take()),
            u32::from_le_bytes(self.take()),
        )
    }

    fn len_back(&mut self) -> usize {
        u32::from_le_bytes(self.take()) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_as_written() {
        let file = tempfile::tempfile().expect("temp file");
        let mut w = SpillWriter::new(file);
        let mut ends = [0u16; PARTS];
        ends[0] = 4;
        ends[PARTS - 1] = 9;
        let mut keys = [0u32; KEYS];
        keys[0] = 1;
        keys[KEYS - 1] = u32::MAX;
        w.client(&SpilledClient {
            text: "annélee…",
            ends,
            keys,
            id: "C-1",
            place: (0, 2),
        });
        w.patient(&SpilledPatient {
            owner: u64::MAX,
            species: 7,
            date_of_birth: 0,
            name: "rex",
            id: "",
            place: (1, u32::MAX),
        });
        assert_eq!((w.clients, w.patients), (1, 1));
        let mut r = w.finish().expect("finish");
        match r.next().expect("read") {
            Some(Spilled::Client(c)) => {
                assert_eq!(
                    (c.text, c.id, c.ends, c.keys, c.place),
                    ("annélee…", "C-1", ends, keys, (0, 2))
                );
            }
            _ => panic!("a client first"),
        }
        match r.next().expect("read") {
            Some(Spilled::Patient(p)) => {
                assert_eq!(
                    (p.owner, p.species, p.date_of_birth, p.name, p.id, p.place),
                    (u64::MAX, 7, 0, "rex", "", (1, u32::MAX))
                );
            }
            _ => panic!("then a pet"),
        }
        assert!(r.next().expect("read").is_none());
    }
}
