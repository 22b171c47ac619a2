//! Printed reports saved as CSV or a sheet: a client line, then its pets on lines whose
//! first cells are blank (or indented), each kind under its own heading line, with the
//! report's title, headings, "Page N of M" footers and printed dates repeated on every page.
//!
//! Read as one row per pet (the client's cells, then the pet's), a client without pets as
//! a row of its own, the page lines left out: the combined layout every later step knows.

use std::collections::{HashSet, VecDeque};

use super::header::{header_word_count, is_labelish};
use super::RawRecord;

/// Where a line's first value sits: its column, and whether the value is indented with
/// spaces inside that cell. A pet line sits further right than its client's.
type Level = (usize, bool);

/// How a report's lines are read, and the client line being read.
#[derive(Debug)]
pub(crate) struct Report {
    /// Lines that repeat on every page (title block, headings), by [`line_key`].
    furniture: HashSet<String>,
    /// The client columns' range in a client line.
    client: (usize, usize),
    /// The pet columns' range in a pet line.
    pet: (usize, usize),
    /// Lines at this level or further right are pet lines.
    pet_level: Level,
    /// The client line being read (its number and client cells), and whether one of its
    /// pets gave a row yet.
    current: Option<(u64, Vec<String>, bool)>,
    /// Rows ready to hand on.
    ready: VecDeque<RawRecord>,
    /// Page lines left out: how many, and the first few line numbers.
    pub(crate) dropped: super::Tally,
    /// The heading lines' numbers (client, pet).
    pub(crate) headings: (u64, u64),
}

/// Recognizes a printed report whose client heading is `top[header]`: the next line is a
/// heading further right (the pets'), and below them are lines of both kinds. Returns the
/// reading and the combined column names (the client's, then the pet's).
pub(crate) fn detect(top: &[RawRecord], header: usize) -> Option<(Report, Vec<String>)> {
    let client_heading = top.get(header)?;
    let pet_heading = top.get(header + 1)?;
    let client_level = level(&client_heading.cells)?;
    let pet_level = level(&pet_heading.cells)?;
    let pet_names: Vec<&String> = pet_heading.cells.iter().skip(pet_level.0).collect();
    if pet_level <= client_level
        || filled(&pet_heading.cells) < 2
        || !is_labelish(&pet_heading.cells)
        || header_word_count(&pet_heading.cells) < 2
    {
        return None;
    }
    let below = &top[header + 2..];
    let pets = below
        .iter()
        .filter(|r| level(&r.cells).is_some_and(|l| l >= pet_level))
        .count();
    let clients = below
        .iter()
        .filter(|r| level(&r.cells).is_some_and(|l| l < pet_level))
        .count();
    if pets == 0 || clients == 0 {
        return None;
    }
    let client = (client_level.0, end(&client_heading.cells));
    let pet = (pet_level.0, end(&pet_heading.cells));
    let mut names: Vec<String> = client_heading.cells[client.0..client.1]
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    names.extend(
        pet_names
            .iter()
            .take(pet.1 - pet.0)
            .map(|name| pet_column(name.trim())),
    );
    let furniture = top[..header + 2]
        .iter()
        .map(|r| line_key(&r.cells))
        .collect();
    let report = Report {
        furniture,
        client,
        pet,
        pet_level,
        current: None,
        ready: VecDeque::new(),
        dropped: super::Tally::default(),
        headings: (client_heading.number, pet_heading.number),
    };
    Some((report, names))
}

/// A pet heading as a column of the combined table: named the pet's unless it says so
/// already (`Species` → `Pet Species`, `Patient` stays), so it never reads as the client's.
fn pet_column(name: &str) -> String {
    let lower = name.to_lowercase();
    let says_pet = lower.split(|c: char| !c.is_alphanumeric()).any(|w| {
        matches!(
            w,
            "pet" | "patient" | "animal" | "pets" | "patients" | "animals"
        )
    });
    if says_pet || name.is_empty() {
        name.to_string()
    } else {
        format!("Pet {name}")
    }
}

impl Report {
    /// The next row ready to hand on.
    pub(crate) fn next_ready(&mut self) -> Option<RawRecord> {
        self.ready.pop_front()
    }

    /// Reads one line with values: page lines are left out, a client line starts a client,
    /// a pet line gives a row with its client's cells.
    pub(crate) fn feed(&mut self, record: RawRecord) {
        if self.is_page_line(&record.cells) {
            self.dropped.add(record.number);
            return;
        }
        let Some(at) = level(&record.cells) else {
            return;
        };
        if at >= self.pet_level {
            let mut cells = match &mut self.current {
                Some((_, client, given)) => {
                    *given = true;
                    client.clone()
                }
                // A pet before any client: its row has no owner, which conversion reports.
                None => vec![String::new(); self.client.1 - self.client.0],
            };
            cells.extend(take(&record.cells, self.pet));
            self.ready.push_back(RawRecord {
                number: record.number,
                cells,
            });
            return;
        }
        let client = take(&record.cells, self.client);
        // A client line repeated at the top of a page ("continued") is the same client.
        if self
            .current
            .as_ref()
            .is_some_and(|(_, c, _)| same_cells(c, &client))
        {
            self.dropped.add(record.number);
            return;
        }
        self.finish();
        self.current = Some((record.number, client, false));
    }

    /// Ends the client being read: a client without pets gives a row of its own.
    pub(crate) fn finish(&mut self) {
        if let Some((number, client, false)) = self.current.take() {
            let mut cells = client;
            cells.resize(cells.len() + (self.pet.1 - self.pet.0), String::new());
            self.ready.push_back(RawRecord { number, cells });
        }
    }

    /// A line repeated on every page (title, headings, printed date), a page number, a
    /// "printed"/"continued" line, or a lone value where client lines start.
    fn is_page_line(&self, cells: &[String]) -> bool {
        if self.furniture.contains(&line_key(cells)) {
            return true;
        }
        let values: Vec<&str> = cells
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .collect();
        // Rules under headings (`------`), a page's printed date beside its number, a
        // totals line: nothing in it is a value of a record.
        if !values.is_empty()
            && values
                .iter()
                .all(|v| is_rule(v) || is_page_number(v) || is_page_note(v) || is_total(v))
        {
            return true;
        }
        if values.iter().any(|v| is_total(v))
            && values
                .iter()
                .all(|v| is_total(v) || v.bytes().all(|b| b.is_ascii_digit() || b == b','))
        {
            return true;
        }
        let [only] = values[..] else {
            return false;
        };
        // One value where a client line starts (a printed date, a total, a section title)
        // is no client: a client line has its ID and name at least.
        let at_client_level = level(cells).is_some_and(|l| l < self.pet_level);
        at_client_level || is_page_number(only) || is_page_note(only)
    }
}

/// `Page 3`, `Page 3 of 12`, `Page: 3/12`, `- 3 -`.
fn is_page_number(text: &str) -> bool {
    let lower = text.to_lowercase();
    let rest = lower.strip_prefix("page").unwrap_or(&lower);
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || c == ':' || c == '-');
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || c == '/')
        .filter(|w| !w.is_empty() && *w != "of")
        .collect();
    !words.is_empty()
        && words.len() <= 2
        && words.iter().all(|w| w.bytes().all(|b| b.is_ascii_digit()))
        && (lower.starts_with("page") || text.trim_start().starts_with('-'))
}

/// A rule drawn with characters: `------`, `=====`, `___`, `* * *`.
fn is_rule(text: &str) -> bool {
    text.chars().any(|c| !c.is_whitespace())
        && text.chars().all(|c| {
            c.is_whitespace() || matches!(c, '-' | '=' | '_' | '*' | '~' | '+' | '|' | '.')
        })
}

/// A report's count: `Total clients: 13`, `Grand total`, `Count: 21`, `Number of patients: 4`.
fn is_total(text: &str) -> bool {
    let lower = text.trim().to_lowercase();
    [
        "total",
        "grand total",
        "subtotal",
        "sub-total",
        "count:",
        "number of",
        "record count",
    ]
    .iter()
    .any(|w| {
        lower
            .strip_prefix(w)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ':', 's']))
    })
}

/// `Printed: 12/01/2026 4:32 PM`, `Run date …`, `(continued)`.
fn is_page_note(text: &str) -> bool {
    let lower = text.to_lowercase();
    let lower = lower.trim_start_matches(['(', '*', ' ']);
    [
        "printed",
        "print date",
        "date printed",
        "run date",
        "run on",
        "report date",
        "continued",
        "cont'd",
        "end of report",
    ]
    .iter()
    .any(|w| lower.starts_with(w))
}

/// A line as compared with the page lines: its values trimmed (form feeds too), without
/// the empty cells at its end.
fn line_key(cells: &[String]) -> String {
    let values: Vec<&str> = cells.iter().map(|c| c.trim()).collect();
    let n = values
        .iter()
        .rposition(|v| !v.is_empty())
        .map_or(0, |i| i + 1);
    values[..n].join("\u{1f}")
}

fn level(cells: &[String]) -> Option<Level> {
    let i = cells.iter().position(|c| !c.trim().is_empty())?;
    let indented = cells[i].starts_with([' ', '\t']);
    Some((i, indented))
}

fn filled(cells: &[String]) -> usize {
    cells.iter().filter(|c| !c.trim().is_empty()).count()
}

/// One past the last cell with a value.
fn end(cells: &[String]) -> usize {
    cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1)
}

/// The cells of `range`, trimmed, padded with empty cells.
fn take(cells: &[String], (from, to): (usize, usize)) -> Vec<String> {
    (from..to)
        .map(|i| cells.get(i).map_or(String::new(), |c| c.trim().to_string()))
        .collect()
}

/// The same client line, a "(continued)" mark aside.
fn same_cells(a: &[String], b: &[String]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| without_continued(x) == without_continued(y))
}

/// A cell without a trailing `(continued)`, `(cont'd)` or `- continued` mark.
fn without_continued(cell: &str) -> &str {
    let cell = cell.trim();
    let lower = cell.to_lowercase();
    for mark in [
        "(continued)",
        "(cont'd)",
        "(cont.)",
        "- continued",
        "continued",
    ] {
        if lower.ends_with(mark) && lower.len() == cell.len() {
            return cell[..cell.len() - mark.len()].trim_end();
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<RawRecord> {
        text.lines()
            .enumerate()
            .map(|(i, l)| RawRecord {
                number: i as u64 + 1,
                cells: l.split(',').map(str::to_string).collect(),
            })
            .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
            .collect()
    }

    /// The rows a report reads to, as `number: cells`.
    fn read(text: &str, header: usize) -> Option<(Vec<String>, Vec<String>)> {
        let recs = records(text);
        let (mut report, names) = detect(&recs, header)?;
        for r in recs.into_iter().skip(header + 2) {
            report.feed(r);
        }
        report.finish();
        let mut rows = Vec::new();
        while let Some(r) = report.next_ready() {
            rows.push(format!("{}: {}", r.number, r.cells.join("|")));
        }
        Some((names, rows))
    }

    #[test]
    fn pet_lines_join_the_client_above_across_a_page_break() {
        let text = "Clinic\nPrinted: 01/02/2026\nID,Owner,Phone\n,Pet,Species\n\
            1,Ann Lee,555-0101\n,Rex,Dog\nPage 1 of 2\n\u{c}Clinic\nPrinted: 01/02/2026\n\
            ID,Owner,Phone\n,Pet,Species\n,Tib,Cat\n2,Bo Diaz,555-0102\n3,Cy Ng,555-0103\n,Max,Dog\n\
            Page 2 of 2\n";
        let (names, rows) = read(text, 2).expect("a report");
        assert_eq!(names, ["ID", "Owner", "Phone", "Pet", "Pet Species"]);
        assert_eq!(
            rows,
            [
                "6: 1|Ann Lee|555-0101|Rex|Dog",
                "12: 1|Ann Lee|555-0101|Tib|Cat",
                "13: 2|Bo Diaz|555-0102||",
                "15: 3|Cy Ng|555-0103|Max|Dog",
            ]
        );
    }

    #[test]
    fn a_client_line_repeated_as_continued_at_the_top_of_a_page_is_the_same_client() {
        let text = "ID,Owner,Phone\n,Pet,Species\n1,Ann Lee,555-0101\n,Rex,Dog\nPage 1\n\
            ID,Owner,Phone\n,Pet,Species\n1,Ann Lee (continued),555-0101\n,Tib,Cat\n";
        let (_, rows) = read(text, 0).expect("a report");
        assert_eq!(
            rows,
            [
                "4: 1|Ann Lee|555-0101|Rex|Dog",
                "9: 1|Ann Lee|555-0101|Tib|Cat"
            ]
        );
    }

    #[test]
    fn a_lone_value_where_clients_start_is_no_client() {
        let text = "ID,Owner,Phone\n,Pet,Species\n1,Ann Lee,555-0101\n,Rex,Dog\n\
            12/01/2026\nTotal clients: 1\n";
        let (_, rows) = read(text, 0).expect("a report");
        assert_eq!(rows, ["4: 1|Ann Lee|555-0101|Rex|Dog"]);
    }

    #[test]
    fn pets_indented_with_spaces_in_the_first_column_are_pets() {
        let text = "Client,Phone\n  Patient,Species\nAnn Lee,555-0101\n  Rex,Dog\n  Tib,Cat\n";
        let (_, rows) = read(text, 0).expect("a report");
        assert_eq!(
            rows,
            ["4: Ann Lee|555-0101|Rex|Dog", "5: Ann Lee|555-0101|Tib|Cat"]
        );
    }

    #[test]
    fn a_plain_table_is_no_report() {
        // One heading, rows all alike.
        assert!(read("ID,Owner,Pet\n1,Ann,Rex\n2,Bo,Tib\n", 0).is_none());
        // A second line further right that is data, not a heading.
        assert!(read("ID,Owner,Pet\n,Ann,Rex\n2,Bo,Tib\n", 0).is_none());
    }

    #[test]
    fn rules_totals_and_a_printed_date_beside_the_page_number_are_page_lines() {
        assert!(is_rule("------") && is_rule("== ==") && is_rule("* * *"));
        assert!(!is_rule("Smith-Jones") && !is_rule("") && !is_rule("  "));
        assert!(is_total("Total clients: 13") && is_total("Totals") && is_total("Grand total"));
        assert!(!is_total("Totally Pets LLC") && !is_total("Countess Road"));
        let text = "ID,Owner,Phone\n,Pet,Species\n---,-----,-----\n\
            1,Ann Lee,555-0101\n,Rex,Dog\nPrinted: 01/02/2026 4:32 PM,,Page 1 of 2\n\
            2,Bo Ray,555-0102\n,Tom,Cat\nTotal clients: 2,Total patients: 2,\nTotal:,2\n";
        let (_, rows) = read(text, 0).expect("a report");
        assert_eq!(
            rows,
            [
                "5: 1|Ann Lee|555-0101|Rex|Dog",
                "8: 2|Bo Ray|555-0102|Tom|Cat"
            ]
        );
    }

    #[test]
    fn page_numbers_and_notes_are_page_lines() {
        for t in ["Page 3", "Page 3 of 12", "page: 3/12", "- 3 -"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["Pages", "3", "Paget Street 3", "Page Turner"] {
            assert!(!is_page_number(t), "{t}");
        }
        for t in [
            "Printed: 12/01/2026 4:32 PM",
            "(continued)",
            "Run date 2026-01-02",
        ] {
            assert!(is_page_note(t), "{t}");
        }
        assert!(!is_page_note("Rex"));
    }
}
