//! Dates: parsing one value in a known order, and detecting a column's order from all of
//! its values.
//!
//! `03/04/2016` is March 4th in Springfield and April 3rd in Sheffield. One value cannot
//! say which; a column usually can (any value with a first part above 12 is day-first).
//! When no value settles it, the detection says so, and the mapping asks the user to
//! confirm rather than guessing silently.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The order of day, month and year in numeric dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum DateOrder {
    /// Year first: 2016-03-14, 2016/3/14.
    Ymd,
    /// Month first (US): 03/14/2016.
    Mdy,
    /// Day first: 14/03/2016.
    Dmy,
}

/// What a column's values say about its date format, with the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DateDetection {
    /// The order to use.
    pub order: DateOrder,
    /// True when the values do not settle the order (every numeric date has day and month
    /// ≤ 12) or contradict each other: the user must confirm.
    pub ambiguous: bool,
    /// Values looked at (non-empty).
    #[ts(type = "number")]
    pub values: u64,
    /// Values whose first part is above 12 (so day-first).
    #[ts(type = "number")]
    pub day_first_evidence: u64,
    /// Values whose second part is above 12 (so month-first).
    #[ts(type = "number")]
    pub month_first_evidence: u64,
    /// Year-first values.
    #[ts(type = "number")]
    pub year_first: u64,
    /// Excel serial numbers (days since 1899-12-30).
    #[ts(type = "number")]
    pub excel_serials: u64,
    /// Values with a two-digit year.
    #[ts(type = "number")]
    pub two_digit_years: u64,
    /// Values that are no date in any order.
    #[ts(type = "number")]
    pub unparseable: u64,
    /// The reasoning, for people.
    pub evidence: String,
}

/// A parsed date: full, or partial (year only, year and month) when that is all the source had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParsedDate {
    /// A full date.
    Full(NaiveDate),
    /// Year and month only.
    YearMonth(i32, u32),
    /// Year only.
    Year(i32),
}

impl ParsedDate {
    /// ISO text: `2016-03-14`, `2016-03`, or `2016`.
    pub fn iso(self) -> String {
        match self {
            // Not `d.format("%Y-%m-%d")`: that parses the pattern on every call, and a
            // million-row file calls this a million times.
            ParsedDate::Full(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
            ParsedDate::YearMonth(y, m) => format!("{y:04}-{m:02}"),
            ParsedDate::Year(y) => format!("{y:04}"),
        }
    }
}

/// Why a value is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not a date in any recognizable shape ("unknown", "Spring 2018").
    Unparseable,
    /// The right shape, but no such day (Feb 30, month 13).
    Impossible,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_name(word: &str) -> Option<u32> {
    let w = word.trim_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let w = if w == "sept" { "sep".to_string() } else { w };
    MONTHS
        .iter()
        .position(|m| w.starts_with(m) && (w.len() == 3 || full_month_prefix(&w)))
        .map(|i| i as u32 + 1)
}

fn full_month_prefix(w: &str) -> bool {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    FULL.iter().any(|f| f.starts_with(w))
}

/// Expands a two-digit year to the century window ending at `pivot_year`
/// (with pivot 2026: `26` → 2026, `27` → 1927).
pub fn expand_year(yy: i32, pivot_year: i32) -> i32 {
    let century = pivot_year - pivot_year.rem_euclid(100);
    let candidate = century + yy;
    if candidate > pivot_year {
        candidate - 100
    } else {
        candidate
    }
}

/// An Excel serial day number (1900 date system) as a date.
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    // Serial 60 is Excel's fictitious 1900-02-29; 1899-12-30 as day 0 is right from day 61 on.
    if !(61.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(Duration::days(serial.trunc() as i64))
}

/// Numeric parts and month names of a date value, with the time of day removed.
#[derive(Debug)]
struct Pieces {
    numbers: Vec<(u32, usize)>, // value, digit count
    month_name: Option<u32>,
    words: usize,
}

fn pieces(value: &str) -> Pieces {
    // Drop a time of day: "2016-03-14T00:00:00", "3/14/2016 12:00:00 AM".
    let mut v = value.trim();
    if let Some(i) = v.find('T').filter(|&i| i >= 8 && v[i + 1..].contains(':')) {
        v = &v[..i];
    }
    let mut kept = Vec::new();
    for word in v.split_whitespace() {
        if word.contains(':')
            || matches!(word.to_lowercase().as_str(), "am" | "pm" | "a.m." | "p.m.")
        {
            continue;
        }
        kept.push(word);
    }
    let mut numbers = Vec::new();
    let mut month_name = None;
    let mut words = 0;
    for word in kept {
        for part in word.split(['/', '-', '.', ',', '_']) {
            if part.is_empty() {
                continue;
            }
            if part.chars().all(|c| c.is_ascii_digit()) {
                numbers.push((part.parse::<u32>().unwrap_or(u32::MAX), part.len()));
            } else if let Some(m) = month_from_name(part) {
                month_name = Some(m);
            } else {
                // Ordinal suffixes: "14th".
                let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
                let rest = &part[digits.len()..];
                if !digits.is_empty()
                    && matches!(rest.to_lowercase().as_str(), "st" | "nd" | "rd" | "th")
                {
                    numbers.push((digits.parse::<u32>().unwrap_or(u32::MAX), digits.len()));
                } else {
                    words += 1;
                }
            }
        }
    }
    Pieces {
        numbers,
        month_name,
        words,
    }
}

fn full(y: i32, m: u32, d: u32) -> Result<ParsedDate, DateError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .map(ParsedDate::Full)
        .ok_or(DateError::Impossible)
}

fn year_of(n: u32, digits: usize, pivot_year: i32) -> Option<i32> {
    match digits {
        4 => Some(n as i32),
        2 | 1 => Some(expand_year(n as i32, pivot_year)),
        _ => None,
    }
}

/// Parses one value in the given order. Year-first, month-name and ISO values parse in any
/// order; `allow_serial` accepts Excel serial numbers.
pub fn parse_date(
    value: &str,
    order: DateOrder,
    pivot_year: i32,
    allow_serial: bool,
) -> Result<ParsedDate, DateError> {
    let v = value.trim();
    if allow_serial && looks_like_serial(v) {
        return v
            .parse::<f64>()
            .ok()
            .and_then(from_excel_serial)
            .map(ParsedDate::Full)
            .ok_or(DateError::Unparseable);
    }
    // Compact 20160314.
    if v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()) {
        let n = |r: std::ops::Range<usize>| v[r].parse::<u32>().unwrap_or(0);
        return full(n(0..4) as i32, n(4..6), n(6..8));
    }
    let p = pieces(v);
    if p.words > 0 {
        return Err(DateError::Unparseable);
    }
    let nums = &p.numbers;
    // "00/00/0000" is a placeholder for "no date", not an impossible one.
    if !nums.is_empty() && nums.iter().all(|(n, _)| *n == 0) {
        return Err(DateError::Unparseable);
    }
    if let Some(month) = p.month_name {
        // "14 Mar 2016", "Mar 14, 2016", "March 2016", "14-Mar-16".
        return match nums.as_slice() {
            [(a, ad), (b, bd)] => {
                // The 4-digit number, or the last one, is the year.
                let (day, (year, yd)) = if *ad == 4 {
                    (*b, (*a, *ad))
                } else {
                    (*a, (*b, *bd))
                };
                let y = year_of(year, yd, pivot_year).ok_or(DateError::Unparseable)?;
                full(y, month, day)
            }
            [(y, 4)] => Ok(ParsedDate::YearMonth(*y as i32, month)),
            _ => Err(DateError::Unparseable),
        };
    }
    match nums.as_slice() {
        [(y, 4), (m, md), (d, dd)] if *md <= 2 && *dd <= 2 => full(*y as i32, *m, *d),
        [(a, ad), (b, bd), (y, yd)] if *ad <= 2 && *bd <= 2 => {
            let year = year_of(*y, *yd, pivot_year).ok_or(DateError::Unparseable)?;
            let (m, d) = match order {
                DateOrder::Dmy => (*b, *a),
                DateOrder::Mdy | DateOrder::Ymd => (*a, *b),
            };
            if m == 0 || d == 0 {
                return Err(DateError::Impossible);
            }
            full(year, m, d)
        }
        [(m, md), (y, 4)] if *md <= 2 => {
            if (1..=12).contains(m) {
                Ok(ParsedDate::YearMonth(*y as i32, *m))
            } else {
                Err(DateError::Impossible)
            }
        }
        [(y, 4), (m, md)] if *md <= 2 => {
            if (1..=12).contains(m) {
                Ok(ParsedDate::YearMonth(*y as i32, *m))
            } else {
                Err(DateError::Impossible)
            }
        }
        [(y, 4)] if (1900..=2200).contains(y) => Ok(ParsedDate::Year(*y as i32)),
        _ => Err(DateError::Unparseable),
    }
}

/// Accumulates evidence about a date column, one value at a time (so a million rows cost no memory).
#[derive(Debug, Clone, Default)]
pub struct DateDetector {
    values: u64,
    day_first: u64,
    month_first: u64,
    year_first: u64,
    serials: u64,
    two_digit: u64,
    unparseable: u64,
}

impl DateDetector {
    /// Looks at one value.
    pub fn add(&mut self, value: &str) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        self.values += 1;
        if looks_like_serial(v) {
            self.serials += 1;
            return;
        }
        if v.len() == 8 && v.chars().all(|c| c.is_ascii_digit()) {
            self.year_first += 1;
            return;
        }
        let p = pieces(v);
        if p.words > 0 {
            self.unparseable += 1;
            return;
        }
        if p.month_name.is_some() {
            return;
        }
        match p.numbers.as_slice() {
            [(_, 4), _, _] => self.year_first += 1,
            [(a, ad), (b, bd), (_, yd)] if *ad <= 2 && *bd <= 2 => {
                if *yd <= 2 {
                    self.two_digit += 1;
                }
                if *a > 12 && *b <= 12 {
                    self.day_first += 1;
                } else if *b > 12 && *a <= 12 {
                    self.month_first += 1;
                } else if *a > 12 && *b > 12 {
                    self.unparseable += 1;
                }
            }
            [_, _] | [_] => {}
            _ => self.unparseable += 1,
        }
    }

    /// Whether values so far look like dates at all (most of them parse in some order).
    pub fn mostly_dates(&self) -> bool {
        self.values > 0 && self.unparseable * 5 <= self.values
    }

    /// The decision. `default_order` is used, flagged ambiguous, when nothing settles it
    /// (month-first for a US clinic).
    pub fn detect(&self, default_order: DateOrder) -> DateDetection {
        let (order, ambiguous, evidence) = if self.day_first > 0 && self.month_first > 0 {
            let order = if self.day_first >= self.month_first {
                DateOrder::Dmy
            } else {
                DateOrder::Mdy
            };
            (
                order,
                true,
                format!(
                    "contradictory: {} values can only be day-first and {} only month-first; check the column",
                    self.day_first, self.month_first
                ),
            )
        } else if self.day_first > 0 {
            (
                DateOrder::Dmy,
                false,
                format!(
                    "{} values have a first part above 12, so day/month/year",
                    self.day_first
                ),
            )
        } else if self.month_first > 0 {
            (
                DateOrder::Mdy,
                false,
                format!(
                    "{} values have a second part above 12, so month/day/year",
                    self.month_first
                ),
            )
        } else if self.values > 0
            && self.year_first + self.serials >= self.values - self.unparseable.min(self.values)
        {
            (DateOrder::Ymd, false, "year-first (ISO) dates".to_string())
        } else if self.values == 0 {
            (default_order, false, "no values".to_string())
        } else {
            (
                default_order,
                true,
                format!(
                    "every numeric date has day and month both 12 or less, so the order cannot be told from the data; {} assumed",
                    match default_order {
                        DateOrder::Mdy => "month/day/year",
                        DateOrder::Dmy => "day/month/year",
                        DateOrder::Ymd => "year/month/day",
                    }
                ),
            )
        };
        let mut evidence = evidence;
        if self.serials > 0 {
            evidence.push_str(&format!("; {} Excel serial numbers", self.serials));
        }
        if self.two_digit > 0 {
            evidence.push_str(&format!("; {} two-digit years", self.two_digit));
        }
        DateDetection {
            order,
            ambiguous,
            values: self.values,
            day_first_evidence: self.day_first,
            month_first_evidence: self.month_first,
            year_first: self.year_first,
            excel_serials: self.serials,
            two_digit_years: self.two_digit,
            unparseable: self.unparseable,
            evidence,
        }
    }
}

/// Whether a value is an Excel serial day number in a plausible range (1927–2064).
pub fn looks_like_serial(v: &str) -> bool {
    let int = v.split('.').next().unwrap_or("");
    int.len() == 5
        && int.chars().all(|c| c.is_ascii_digit())
        && v.parse::<f64>()
            .is_ok_and(|n| (10_000.0..60_000.0).contains(&n))
}

/// The current year, from the system clock (used as the two-digit-year pivot).
pub fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(Duration::days((secs / 86_400) as i64)))
        .map_or(2026, |d| d.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &str, order: DateOrder) -> String {
        match parse_date(v, order, 2026, true) {
            Ok(d) => d.iso(),
            Err(e) => format!("{e:?}"),
        }
    }

    #[test]
    fn parses_many_shapes() {
        let cases = [
            "03/14/2016",
            "3/4/2016",
            "2016-03-14",
            "2016-03-14T00:00:00",
            "3/14/2016 12:00:00 AM",
            "14-Mar-16",
            "Mar 14, 2016",
            "14 March 2016",
            "March 2016",
            "20160314",
            "42443",
            "42443.5",
            "3/14/98",
            "3/14/26",
            "3/14/27",
            "2016",
            "03/2016",
            "02/30/2016",
            "13/13/2016",
            "unknown",
            "Spring 2018",
            "00/00/0000",
            "",
            "March 14th, 2016",
        ];
        let out: Vec<(String, String, String)> = cases
            .iter()
            .map(|c| (c.to_string(), p(c, DateOrder::Mdy), p(c, DateOrder::Dmy)))
            .collect();
        insta::assert_debug_snapshot!(out);
    }

    fn detect(values: &[&str]) -> DateDetection {
        let mut d = DateDetector::default();
        for v in values {
            d.add(v);
        }
        d.detect(DateOrder::Mdy)
    }

    #[test]
    fn detection_over_all_values() {
        let us = detect(&["03/04/2016", "01/02/2015", "12/25/2019"]);
        assert_eq!((us.order, us.ambiguous), (DateOrder::Mdy, false));
        let eu = detect(&["03/04/2016", "25/12/2019", "01/02/2015"]);
        assert_eq!((eu.order, eu.ambiguous), (DateOrder::Dmy, false));
        let unsure = detect(&["03/04/2016", "01/02/2015"]);
        assert_eq!((unsure.order, unsure.ambiguous), (DateOrder::Mdy, true));
        let mixed = detect(&["25/12/2019", "12/25/2019"]);
        assert!(mixed.ambiguous);
        let iso = detect(&["2016-03-04", "2015-01-02"]);
        assert_eq!((iso.order, iso.ambiguous), (DateOrder::Ymd, false));
        let serial = detect(&["42443", "43000"]);
        assert_eq!(serial.excel_serials, 2);
        assert!(!serial.ambiguous);
        insta::assert_debug_snapshot!(unsure);
    }

    #[test]
    fn two_digit_years_use_the_pivot() {
        assert_eq!(expand_year(26, 2026), 2026);
        assert_eq!(expand_year(27, 2026), 1927);
        assert_eq!(expand_year(5, 2026), 2005);
    }
}
