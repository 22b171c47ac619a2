//! Decides how the bytes of a text export become characters, and says why.
//!
//! Old practice systems still write Windows-1252; Excel's "Unicode text" is UTF-16 with a
//! byte-order mark; newer systems write UTF-8, with or without a BOM. Guessing wrong turns
//! "José Müller" into "JosÃ© MÃ¼ller", so the choice and its reason are always reported.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use super::error::ReadError;

/// The encoding chosen for a text file and the reason, for the user to check.
pub(crate) struct Detected {
    pub encoding: &'static Encoding,
    pub reason: String,
    /// Bytes of byte-order mark at the start, to skip.
    pub bom_len: usize,
    /// How to read bytes that turn out invalid further down, when UTF-8 was only
    /// inferred from the start of the file (never when the user or a BOM said so).
    pub fallback: Option<&'static Encoding>,
}

/// Looks up an encoding the user named for `file`, e.g. `latin1`, `cp1252`, `utf-16le`.
pub(crate) fn from_label(label: &str, file: &str) -> Result<&'static Encoding, ReadError> {
    let normalized = label.trim().to_ascii_lowercase();
    let alias = match normalized.as_str() {
        "cp1252" | "ansi" | "windows1252" => "windows-1252",
        "latin-1" => "latin1",
        "utf16le" | "unicode" => "utf-16le",
        "utf16be" => "utf-16be",
        "utf8" => "utf-8",
        "mac" | "macroman" | "mac-roman" => "macintosh",
        other => other,
    };
    Encoding::for_label(alias.as_bytes()).ok_or_else(|| ReadError::UnknownEncoding {
        file: file.to_owned(),
        label: label.to_owned(),
    })
}

/// Why the user's choice is used, for the same report as a detected one.
pub(crate) fn chosen(encoding: &'static Encoding, head: &[u8]) -> Detected {
    let (bom, bom_len) = match Encoding::for_bom(head) {
        Some((e, len)) if e == encoding => (true, len),
        _ => (false, 0),
    };
    Detected {
        encoding,
        reason: if bom {
            "chosen by you (the file's byte-order mark agrees)".into()
        } else {
            "chosen by you".into()
        },
        bom_len,
        fallback: None,
    }
}

/// Detects the encoding from the first bytes of the file. `complete` is true when `head`
/// is the whole file, so a multi-byte character cut at the end is not held against UTF-8.
pub(crate) fn detect(head: &[u8], complete: bool) -> Detected {
    if let Some((encoding, bom_len)) = Encoding::for_bom(head) {
        return Detected {
            encoding,
            reason: format!("the file starts with a {} byte-order mark", encoding.name()),
            bom_len,
            fallback: None,
        };
    }
    if let Some(encoding) = utf16_without_bom(head) {
        return Detected {
            encoding,
            reason: format!(
                "every other byte is zero, the pattern of {} text without a byte-order mark",
                encoding.name()
            ),
            bom_len: 0,
            fallback: None,
        };
    }
    if is_utf8(head, complete) {
        let reason = if head.is_ascii() {
            "only plain ASCII characters in the first 64 KB, so UTF-8 (any later text that is not valid UTF-8 is read as windows-1252 and noted)"
        } else {
            "all accented characters are valid UTF-8"
        };
        return Detected {
            encoding: UTF_8,
            reason: reason.into(),
            bom_len: 0,
            fallback: Some(encoding_rs::WINDOWS_1252),
        };
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(head, complete);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Deny);
    Detected {
        encoding,
        reason: format!(
            "the text is not valid UTF-8; its accented characters fit {} best (the usual encoding of older Windows programs)",
            encoding.name()
        ),
        bom_len: 0,
        fallback: None,
    }
}

fn is_utf8(head: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A character cut by the 64 KB window is fine; a wrong byte elsewhere is not.
        Err(e) => !complete && e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let n = head.len().min(4096) & !1;
    if n < 8 {
        return None;
    }
    let (mut even_zero, mut odd_zero) = (0usize, 0usize);
    for pair in head[..n].chunks_exact(2) {
        even_zero += usize::from(pair[0] == 0);
        odd_zero += usize::from(pair[1] == 0);
    }
    let pairs = n / 2;
    // Latin text in UTF-16 has a zero in the high byte of nearly every character.
    if odd_zero * 10 >= pairs * 7 && even_zero * 10 <= pairs {
        Some(UTF_16LE)
    } else if even_zero * 10 >= pairs * 7 && odd_zero * 10 <= pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether decoded text is binary data rather than an export: too many control characters.
pub(crate) fn looks_binary(text: &str) -> bool {
    let sample: Vec<char> = text.chars().take(16 * 1024).collect();
    if sample.is_empty() {
        return false;
    }
    let control = sample
        .iter()
        .filter(|&&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0C')) || c == '\u{FFFD}')
        .count();
    control * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins() {
        let d = detect(b"\xEF\xBB\xBFName\n", true);
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.bom_len, 3);
        let d = detect(b"\xFF\xFEN\0a\0", true);
        assert_eq!(d.encoding, UTF_16LE);
        assert_eq!(d.bom_len, 2);
    }

    #[test]
    fn latin1_bytes_are_windows_1252() {
        let d = detect("Name;City\nJosé Müller;Zoë\n".as_bytes(), true);
        assert_eq!(d.encoding, UTF_8);
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Name;City\nJosé Müller;Zoë\n");
        let d = detect(&bytes, true);
        assert_eq!(d.encoding, encoding_rs::WINDOWS_1252);
        assert!(d.reason.contains("not valid UTF-8"));
    }

    #[test]
    fn utf16_without_bom_is_recognized() {
        let le: Vec<u8> = "Name,City\nAna,Miami\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(detect(&le, true).encoding, UTF_16LE);
        let be: Vec<u8> = "Name,City\nAna,Miami\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        assert_eq!(detect(&be, true).encoding, UTF_16BE);
    }

    #[test]
    fn utf8_cut_mid_character_at_window_end_is_still_utf8() {
        let text = "Zoë".as_bytes();
        assert!(is_utf8(&text[..3], false));
        assert!(!is_utf8(&text[..3], true));
    }

    #[test]
    fn labels_and_aliases() {
        assert_eq!(
            from_label("cp1252", "a.csv").ok(),
            Some(encoding_rs::WINDOWS_1252)
        );
        assert_eq!(from_label("UTF-16LE", "a.csv").ok(), Some(UTF_16LE));
        assert!(from_label("klingon", "a.csv").is_err());
    }
}
