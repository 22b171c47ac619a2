//! Dates of birth: in the future, or implying an age no animal of the species reaches.
//!
//! Reading the text is the date transform's job (impossible and unparseable dates are
//! reported there, with the raw value); this checks the ISO result against today. Partial
//! dates (`2016`, `2016-03`) are kept: a year is worth having.

use chrono::{Datelike, NaiveDate};

use crate::canonical::Problem;
use crate::canonical::Severity;

/// The oldest age (years) a pet of the species plausibly reaches; `None`: no limit known.
pub fn max_age_years(species: &str) -> Option<i32> {
    Some(match species {
        "dog" => 30,
        "cat" => 38,
        "rabbit" => 18,
        "rodent" => 20,
        "ferret" => 15,
        "bird" => 100,
        "horse" => 60,
        "reptile" => 150,
        _ => return None,
    })
}

/// Year, month (1 when absent) and day (1 when absent) of an ISO full or partial date.
pub fn parse_iso(iso: &str) -> Option<(i32, u32, u32)> {
    let mut parts = iso.split('-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next().map_or(Some(1), |m| m.parse().ok())?;
    let d: u32 = parts.next().map_or(Some(1), |d| d.parse().ok())?;
    NaiveDate::from_ymd_opt(y, m, d)?;
    Some((y, m, d))
}

/// Checks a date of birth (ISO, possibly partial) for `species` against `today`. A future
/// date is cleared (`future_date`); an implausible age is kept and reported
/// (`implausible_age`). Returns the value to keep and the problem.
pub fn check_birth_date(iso: &str, species: &str, today: NaiveDate) -> (String, Option<Problem>) {
    let Some((y, m, d)) = parse_iso(iso) else {
        return (iso.to_string(), None);
    };
    let parts = iso.split('-').count();
    let t = (today.year(), today.month(), today.day());
    // A partial date is in the future only when all of it is.
    let future = match parts {
        1 => y > t.0,
        2 => (y, m) > (t.0, t.1),
        _ => (y, m, d) > t,
    };
    if future {
        return (
            String::new(),
            Some(Problem::new(
                "future_date",
                Severity::Warning,
                format!("date of birth {iso} is in the future; left empty"),
            )),
        );
    }
    let mut age = t.0 - y;
    if (m, d) > (t.1, t.2) {
        age -= 1;
    }
    if let Some(max) = max_age_years(species) {
        if age > max {
            return (
                iso.to_string(),
                Some(Problem::new(
                    "implausible_age",
                    Severity::Warning,
                    format!("born {iso}, this {species} would be {age} years old (more than {max}); check the date"),
                )),
            );
        }
    }
    (iso.to_string(), None)
}
