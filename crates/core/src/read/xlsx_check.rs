//! A look inside an XLSX file before calamine opens it. Calamine reserves memory for as many
//! shared strings as `sharedStrings.xml` declares in its `uniqueCount`; a crafted 2 KB file
//! declares trillions, and a failed allocation aborts the whole program instead of returning
//! an error (Rust cannot catch it). So the declared count is checked against the bytes the
//! part really holds first.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use quick_xml::events::Event;

/// The smallest shared string entry is `<si/>`: a part of N bytes holds at most N / 5.
const MIN_ENTRY_BYTES: u64 = 5;

/// Bytes of the part read to find its `<sst>` start tag; it opens every real part.
const START_TAG_LIMIT: u64 = 64 * 1024;

/// Why the file is damaged, if a shared strings part declares more strings than it can hold.
pub(crate) fn damage(path: &Path) -> Option<String> {
    // A ZIP that cannot be opened is left for calamine to report in its own words.
    let file = File::open(path).ok()?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).ok()?;
    // Calamine finds parts ignoring case and backslashes, and under whatever folder the
    // workbook's relationships name: every member that could be its part is checked.
    (0..archive.len()).find_map(|i| {
        let member = archive.by_index(i).ok()?;
        let name = String::from_utf8_lossy(member.name_raw())
            .replace('\\', "/")
            .to_ascii_lowercase();
        if name.ends_with("sharedstrings.xml") {
            check_shared_strings(member)
        } else {
            None
        }
    })
}

/// Checks one shared strings part, read as a stream (never held whole in memory).
fn check_shared_strings(part: impl Read) -> Option<String> {
    let mut counted = Counted {
        inner: part,
        bytes: 0,
    };
    let declared = declared_unique_count(&mut counted)?;
    let needed = declared.saturating_mul(MIN_ENTRY_BYTES);
    if counted.bytes >= needed {
        return None;
    }
    // Read on only as far as the declared strings would need: a real part is that long.
    let wanted = needed - counted.bytes;
    let rest = io::copy(&mut (&mut counted).take(wanted), &mut io::sink());
    if rest.is_err() {
        // A part that cannot be decompressed is calamine's to report.
        return None;
    }
    (counted.bytes < needed).then(|| {
        format!(
            "its shared text table claims {declared} entries but has room for at most {}",
            counted.bytes / MIN_ENTRY_BYTES
        )
    })
}

/// The `uniqueCount` of the `<sst>` element, as calamine reads it (leading zeros skipped;
/// a number too large for any count is reported as the largest).
fn declared_unique_count(part: &mut impl Read) -> Option<u64> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(part.take(START_TAG_LIMIT)));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                let value = e.try_get_attribute("uniqueCount").ok()??.value;
                let digits: &[u8] = value.as_bytes();
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                let digits = match digits.iter().position(|&d| d != b'0') {
                    Some(i) => &digits[i..],
                    None => return Some(0),
                };
                let parsed = std::str::from_utf8(digits).ok()?.parse::<u64>();
                return Some(parsed.unwrap_or(u64::MAX));
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Counts the decompressed bytes read from a part.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#;

    fn part(count: &str, entries: usize) -> Vec<u8> {
        let mut xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {NS} count="{count}" uniqueCount="{count}">"#
        );
        for i in 0..entries {
            xml.push_str(&format!("<si><t>Name {i}</t></si>"));
        }
        xml.push_str("</sst>");
        xml.into_bytes()
    }

    #[test]
    fn a_count_the_part_can_hold_passes() {
        assert_eq!(check_shared_strings(&part("3", 3)[..]), None);
        assert_eq!(check_shared_strings(&part("0", 0)[..]), None);
        assert_eq!(check_shared_strings(&part("0003", 3)[..]), None);
        // A part without a count, or with one calamine ignores, is left alone.
        assert_eq!(
            check_shared_strings(&b"<sst><si><t>a</t></si></sst>"[..]),
            None
        );
        assert_eq!(check_shared_strings(&part("-5", 1)[..]), None);
    }

    #[test]
    fn a_count_beyond_the_parts_size_is_damage() {
        let reason = check_shared_strings(&part("10000000000000", 2)[..]);
        assert!(
            reason
                .as_deref()
                .is_some_and(|r| r.contains("claims 10000000000000 entries")),
            "{reason:?}"
        );
        assert!(check_shared_strings(&part("99999999999999999999999999", 2)[..]).is_some());
        // A namespace prefix is still the same element.
        let prefixed = br#"<x:sst xmlns:x="urn:x" uniqueCount="5000000"><x:si/></x:sst>"#;
        assert!(check_shared_strings(&prefixed[..]).is_some());
    }

    #[test]
    fn the_clinic_fixtures_pass() {
        for name in ["clinic.xlsx", "clinic.xlsm", "dates-1904.xlsx"] {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/read")
                .join(name);
            assert_eq!(damage(&path), None, "{name}");
        }
    }
}
