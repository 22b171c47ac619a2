//! Text from files, headers, cells, PH and the settings shown on a terminal with its control
//! characters made visible, so a crafted value cannot move the cursor, clear the screen, set
//! the window title or reverse the line it is printed in.
//!
//! Every human-readable line that quotes such text goes through [`visible`]. `--json` output
//! goes through [`write_json`]: the values stay exact, and the characters JSON would leave raw
//! (C1 and direction controls) are written as `\u` escapes, which every parser reads back.

use std::fmt;
use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// `text` as it should reach a terminal: see [`Visible`].
pub(crate) fn visible(text: &str) -> Visible<'_> {
    Visible(text)
}

/// Shows C0 controls, DEL and C1 controls (U+0080–U+009F) as `\xNN`, and the Unicode
/// direction controls and line separators as `\u{NNNN}`; everything else as it is. Newlines
/// and tabs are escaped too: in a cell they would break the layout or fake a line.
#[derive(Clone, Copy)]
pub(crate) struct Visible<'a>(&'a str);

/// Whether `c` changes what a terminal shows rather than being shown itself.
fn is_hidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}'
        // Bidi marks, embeddings, overrides and isolates: they reorder the rest of the line.
        | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        // Line and paragraph separators: some terminals and editors break the line there.
        | '\u{2028}' | '\u{2029}')
}

/// A run of text shown as it is, or one character to show escaped.
enum Piece<'a> {
    Shown(&'a str),
    Hidden(char),
}

/// `text` cut at its hidden characters: the one scan behind both [`Visible`] and [`write_json`].
fn pieces(text: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = text;
    let mut next_hidden = None;
    std::iter::from_fn(move || {
        if let Some(c) = next_hidden.take() {
            return Some(Piece::Hidden(c));
        }
        if rest.is_empty() {
            return None;
        }
        match rest.char_indices().find(|&(_, c)| is_hidden(c)) {
            None => Some(Piece::Shown(std::mem::take(&mut rest))),
            Some((at, c)) => {
                let shown = &rest[..at];
                rest = &rest[at + c.len_utf8()..];
                if shown.is_empty() {
                    Some(Piece::Hidden(c))
                } else {
                    next_hidden = Some(c);
                    Some(Piece::Shown(shown))
                }
            }
        }
    })
}

impl Visible<'_> {
    fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        for piece in pieces(self.0) {
            match piece {
                Piece::Shown(text) => out.write_str(text)?,
                Piece::Hidden(c) if u32::from(c) <= 0xFF => write!(out, "\\x{:02x}", u32::from(c))?,
                Piece::Hidden(c) => write!(out, "\\u{{{:04x}}}", u32::from(c))?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Visible<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_none() && f.precision().is_none() {
            return self.write_to(f);
        }
        // Padding counts the characters shown, escapes included.
        let mut shown = String::with_capacity(self.0.len());
        self.write_to(&mut shown)?;
        f.pad(&shown)
    }
}

/// Writes `value` to `out` as pretty JSON and a newline (see the module's note on escapes).
pub(crate) fn write_json(out: &mut impl io::Write, value: &impl Serialize) -> anyhow::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut *out, TerminalSafe(PrettyFormatter::new()));
    value.serialize(&mut serializer)?;
    writeln!(out)?;
    Ok(())
}

/// serde_json's pretty layout; string contents with the hidden characters `\u` escaped.
struct TerminalSafe(PrettyFormatter<'static>);

/// Each method is PrettyFormatter's own: its layout state lives inside it.
macro_rules! pretty {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl Formatter for TerminalSafe {
    pretty! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for piece in pieces(fragment) {
            match piece {
                Piece::Shown(text) => w.write_all(text.as_bytes())?,
                // Every hidden character is in the Basic Multilingual Plane: one \uXXXX each.
                Piece::Hidden(c) => write!(w, "\\u{:04x}", u32::from(c))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_and_text_is_kept() {
        for (text, shown) in [
            ("Ann", "Ann"),
            ("Zoë Ørsted 李", "Zoë Ørsted 李"),
            ("\x1b]0;pwned\x07\x1b[2J", "\\x1b]0;pwned\\x07\\x1b[2J"),
            ("a\r\nb\tc\0", "a\\x0d\\x0ab\\x09c\\x00"),
            ("\u{7f}\u{85}\u{9b}", "\\x7f\\x85\\x9b"),
            ("abc\u{202e}fed", "abc\\u{202e}fed"),
            ("\u{2066}x\u{2069}\u{2028}", "\\u{2066}x\\u{2069}\\u{2028}"),
            ("C:\\Users\\vet", "C:\\Users\\vet"),
        ] {
            assert_eq!(visible(text).to_string(), shown, "{text:?}");
        }
    }

    #[test]
    fn padding_counts_what_is_shown() {
        assert_eq!(format!("[{:<6}]", visible("a\x07")), "[a\\x07 ]");
        assert_eq!(format!("[{:>4}]", visible("ab")), "[  ab]");
    }

    #[test]
    fn json_keeps_values_exact_and_escapes_what_it_would_leave_raw() {
        let value = serde_json::json!({
            "k\u{202e}": ["\x1b[2J\u{9b}1m", "Zoë", 1, null, {}, []],
            "e": {}
        });
        let mut out = Vec::new();
        write_json(&mut out, &value).expect("written");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.chars().any(|c| c != '\n' && is_hidden(c)), "{text:?}");
        assert!(
            text.contains("\\u202e") && text.contains("\\u009b"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(back, value);
        assert_eq!(
            text,
            format!(
                "{}\n",
                serde_json::to_string_pretty(&value).expect("pretty")
            )
            .replace('\u{202e}', "\\u202e")
            .replace('\u{9b}', "\\u009b")
        );
    }
}
