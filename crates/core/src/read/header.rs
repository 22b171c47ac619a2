//! Finds the row that names the columns. Exports often start with a clinic name, a
//! "printed on" line or blank rows; some have no header at all.

use super::kinds::{classify, ValueKind};
use super::RawRecord;

/// How many non-blank rows from the top are considered as the header.
pub(crate) const LOOKAHEAD: usize = 30;

/// Words that appear in column names of clinic exports: a row holding several is a header.
const HEADER_WORDS: &[&str] = &[
    "id",
    "no",
    "number",
    "name",
    "first",
    "last",
    "surname",
    "given",
    "client",
    "owner",
    "customer",
    "patient",
    "pet",
    "animal",
    "species",
    "breed",
    "sex",
    "gender",
    "dob",
    "birth",
    "birthdate",
    "birthday",
    "age",
    "weight",
    "color",
    "colour",
    "microchip",
    "chip",
    "email",
    "e-mail",
    "mail",
    "phone",
    "tel",
    "telephone",
    "mobile",
    "cell",
    "home",
    "work",
    "address",
    "addr",
    "street",
    "city",
    "town",
    "state",
    "province",
    "zip",
    "postal",
    "postcode",
    "country",
    "status",
    "active",
    "deceased",
    "date",
    "code",
    "type",
    "notes",
];

/// The outcome of header detection.
pub(crate) struct HeaderChoice {
    /// Index into the looked-at records of the header, or None for a file without one.
    pub index: Option<usize>,
    /// Index of the first record that may be data.
    pub data_start: usize,
    /// Why this row was chosen, for the user.
    pub reason: String,
}

/// Picks the header among the first non-blank records.
pub(crate) fn detect(records: &[RawRecord]) -> HeaderChoice {
    let widths: Vec<usize> = records.iter().map(|r| filled(&r.cells)).collect();
    let modal = modal_width(&widths);
    let needed = (modal / 2).max(if modal >= 2 { 2 } else { 1 });
    let Some(first_wide) = widths.iter().position(|&w| w >= needed) else {
        return HeaderChoice {
            index: None,
            data_start: 0,
            reason: "no row at the top looks like column names".into(),
        };
    };
    let candidate = &records[first_wide];
    let below = &records[first_wide + 1..];
    let skipped = if first_wide > 0 {
        format!(
            " ({} row{} above it {} skipped as a title or notes)",
            first_wide,
            if first_wide == 1 { "" } else { "s" },
            if first_wide == 1 { "was" } else { "were" }
        )
    } else {
        String::new()
    };
    if !is_labelish(&candidate.cells) {
        return HeaderChoice {
            index: None,
            data_start: first_wide,
            reason: "the first full row already holds data (numbers, dates or e-mails), so the file has no header row".into(),
        };
    }
    let words = header_word_count(&candidate.cells);
    let contrast = kind_contrast(&candidate.cells, below);
    if words >= 2 || contrast || below.is_empty() {
        HeaderChoice {
            index: Some(first_wide),
            data_start: first_wide + 1,
            reason: format!("row {} holds column names{}", candidate.number, skipped),
        }
    } else if looks_like_same_data(&candidate.cells, below) {
        HeaderChoice {
            index: None,
            data_start: first_wide,
            reason: "the first full row looks like the rows below it, so the file seems to have no header row; check this".into(),
        }
    } else {
        HeaderChoice {
            index: Some(first_wide),
            data_start: first_wide + 1,
            reason: format!(
                "row {} was taken as column names{}, but its names are unusual: check this",
                candidate.number, skipped
            ),
        }
    }
}

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

fn modal_width(widths: &[usize]) -> usize {
    // Lines of one value (titles, a printed report's page numbers) are banners when other
    // lines have several: they never set the table's width.
    let least = if widths.iter().any(|&w| w >= 2) { 2 } else { 1 };
    let mut counts = std::collections::BTreeMap::new();
    for &w in widths.iter().filter(|&&w| w >= least) {
        *counts.entry(w).or_insert(0usize) += 1;
    }
    // The most frequent width; the widest among equals, since banners are narrow.
    counts
        .iter()
        .max_by_key(|(w, n)| (**n, **w))
        .map(|(w, _)| *w)
        .unwrap_or(0)
}

/// Column names are short text, not numbers, dates or e-mails, and mostly distinct.
pub(crate) fn is_labelish(cells: &[String]) -> bool {
    let values: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if values.is_empty() {
        return false;
    }
    let labels = values
        .iter()
        .filter(|v| {
            v.chars().count() <= 64
                && v.chars().any(char::is_alphabetic)
                && classify(v) == ValueKind::Text
        })
        .count();
    let mut distinct: Vec<String> = values.iter().map(|v| v.to_lowercase()).collect();
    distinct.sort();
    distinct.dedup();
    // Exports do repeat names ("Phone", "Phone"), so distinctness is only a weak test.
    labels * 10 >= values.len() * 8 && distinct.len() * 2 >= values.len()
}

pub(crate) fn header_word_count(cells: &[String]) -> usize {
    cells
        .iter()
        .filter(|c| {
            c.to_lowercase()
                .split(|ch: char| !ch.is_alphanumeric() && ch != '-')
                .any(|token| HEADER_WORDS.contains(&token))
        })
        .count()
}

/// True when some column is text in the candidate but numbers, dates, e-mails or phones below.
fn kind_contrast(candidate: &[String], below: &[RawRecord]) -> bool {
    (0..candidate.len()).any(|col| {
        let values: Vec<&str> = below
            .iter()
            .filter_map(|r| r.cells.get(col).map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .collect();
        if values.is_empty() {
            return false;
        }
        let typed = values
            .iter()
            .filter(|v| classify(v) != ValueKind::Text)
            .count();
        typed * 2 > values.len() && classify(candidate[col].trim()) == ValueKind::Text
    })
}

/// True when the candidate's values repeat in the rows below, as data values do.
fn looks_like_same_data(candidate: &[String], below: &[RawRecord]) -> bool {
    candidate.iter().enumerate().any(|(col, v)| {
        let v = v.trim();
        !v.is_empty()
            && below.iter().any(|r| {
                r.cells
                    .get(col)
                    .is_some_and(|c| c.trim().eq_ignore_ascii_case(v))
            })
    })
}

/// Column names for the user: trimmed, blanks named by letter, duplicates numbered.
pub(crate) fn column_names(header: Option<&[String]>, width: usize) -> Vec<String> {
    let mut names: Vec<String> = (0..width)
        .map(|i| {
            let raw = header
                .and_then(|h| h.get(i))
                .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            if raw.is_empty() {
                if header.is_some() {
                    format!("Column {}", letters(i))
                } else {
                    letters(i)
                }
            } else {
                raw
            }
        })
        .collect();
    // Number repeated names in order of appearance: "Phone", "Phone (2)". Sets, not scans:
    // a crafted header repeats one name a million times.
    let mut taken: std::collections::HashSet<String> =
        names.iter().map(|n| n.to_ascii_lowercase()).collect();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for name in &mut names {
        let key = name.to_ascii_lowercase();
        let next = seen.entry(key).or_insert(1);
        if *next == 1 {
            *next = 2;
            continue;
        }
        let mut candidate = format!("{name} ({next})");
        while !taken.insert(candidate.to_ascii_lowercase()) {
            *next += 1;
            candidate = format!("{name} ({next})");
        }
        *next += 1;
        *name = candidate;
    }
    names
}

/// Spreadsheet-style column letters: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(number: u64, cells: &[&str]) -> RawRecord {
        RawRecord {
            number,
            cells: cells.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn skips_a_banner_and_a_note() {
        let rows = vec![
            rec(1, &["Riverside Animal Hospital"]),
            rec(2, &["Printed 11/20/2026"]),
            rec(4, &["Client ID", "Last Name", "First Name", "E-mail"]),
            rec(5, &["10023", "Müller", "José", "j@example.com"]),
        ];
        let choice = detect(&rows);
        assert_eq!(choice.index, Some(2));
        assert_eq!(choice.data_start, 3);
        assert!(choice.reason.contains("row 4"), "{}", choice.reason);
    }

    #[test]
    fn data_in_the_first_row_means_no_header() {
        let rows = vec![
            rec(1, &["10023", "Müller", "José", "j@example.com"]),
            rec(2, &["10031", "O'Brien", "Siobhán", "s@example.org"]),
        ];
        let choice = detect(&rows);
        assert_eq!(choice.index, None);
        assert_eq!(choice.data_start, 0);
    }

    #[test]
    fn repeated_text_rows_mean_no_header() {
        let rows = vec![
            rec(1, &["Smith", "John", "Springfield"]),
            rec(2, &["Doe", "Jane", "Springfield"]),
        ];
        assert_eq!(detect(&rows).index, None);
    }

    #[test]
    fn names_are_unique_and_never_blank() {
        let header: Vec<String> = ["Phone", "", "phone", "Name ", "Phone (2)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            column_names(Some(&header), 6),
            [
                "Phone",
                "Column B",
                "phone (3)",
                "Name",
                "Phone (2)",
                "Column F"
            ]
        );
        assert_eq!(column_names(None, 3), ["A", "B", "C"]);
        assert_eq!(letters(27), "AB");
    }
}
