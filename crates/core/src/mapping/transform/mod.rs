//! Transforms: how the text of one or more source cells becomes one canonical value.
//!
//! A transform never panics and never fails a row: a value it cannot read comes back
//! empty with a [`Problem`] describing why, which the converter turns into a finding.
//! Validation (the next step) builds on the same problems.

pub mod address;
pub mod codes;
pub mod dates;
pub mod names;
pub use crate::canonical::units;
pub use crate::validate::e164 as phone;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub(crate) use crate::canonical::text::collapse;
use crate::canonical::{Field, Severity};
pub use crate::canonical::{Output, Problem};
use codes::CodeEntry;
use dates::{DateError, DateOrder};
use units::WeightUnit;

/// Which part of a split name a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NamePart {
    /// Given name.
    First,
    /// Family name.
    Last,
}

/// Which part of a split one-line address a field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AddressPart {
    /// Street.
    Line1,
    /// Apartment, suite.
    Line2,
    /// City.
    City,
    /// State or province code.
    State,
    /// ZIP or postal code.
    PostalCode,
}

/// How source cells become one canonical value. Serialized with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Transform {
    /// The cell's text, trimmed, inner whitespace collapsed.
    Copy,
    /// The same value on every row (no source column).
    Constant {
        /// The value.
        value: String,
    },
    /// Leave the field empty.
    Ignore,
    /// Non-empty cells of several columns joined.
    Join {
        /// Put between the parts, e.g. `" "`.
        separator: String,
    },
    /// One part of a person's name written in one cell.
    SplitName {
        /// Which part.
        part: NamePart,
    },
    /// One part of a one-line address.
    SplitAddress {
        /// Which part.
        part: AddressPart,
    },
    /// A date in a known order, to ISO.
    Date {
        /// Day/month/year order of numeric dates.
        order: DateOrder,
        /// Two-digit years fall in the hundred years ending at this year.
        pivot_year: i32,
    },
    /// A species code or word, to a canonical species.
    Species {
        /// The user's own codes, checked before the built-in table.
        #[serde(default)]
        codes: Vec<CodeEntry>,
    },
    /// A sex code ("MN", "Spayed Female"), to `patient.sex` or `patient.neutered`.
    Sex {
        /// The user's own codes, checked before the built-in table.
        #[serde(default)]
        codes: Vec<CodeEntry>,
    },
    /// A yes/no value (Y, 1, True, Active, Deceased…), read with the field's own words. A
    /// second column, when given, is a date (of death) whose presence also means `true`:
    /// a flag left at 0 beside a death date, or a date never entered beside a set flag.
    Bool {
        /// Store the opposite ("Inactive" column → `client.active`).
        invert: bool,
        /// The user's own codes (`E` → `true`), checked before the built-in words; the value
        /// is `true` or `false` for the field itself, before any inversion.
        #[serde(default)]
        codes: Vec<CodeEntry>,
    },
    /// `true` when the cell has any value but a plain "no" (`N`, `No`, `0`, `N/A`, `None`):
    /// "Date of death" or "Cause of death" → `patient.deceased`.
    Present,
    /// A weight to kilograms. A second column, when given, holds the unit.
    Weight {
        /// Unit of numbers written without one.
        unit: WeightUnit,
    },
    /// A phone number to E.164.
    Phone {
        /// Country (ISO alpha-2) of numbers written without a country code.
        country: String,
    },
    /// An e-mail address: trimmed, the first of several.
    Email,
    /// A state or province name or code, to the 2-letter code when it is a US/CA one.
    State,
    /// A country name or code, to ISO alpha-2.
    Country,
    /// A microchip number kept as text, with spaces and dashes removed.
    Microchip,
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// Reads a yes/no cell with the words that make sense for the field.
pub fn read_bool(field: Field, text: &str) -> Option<bool> {
    let key = codes::code_key(text);
    plain_yes_no(&key).or(match field {
        // Status codes are often cut short by the vendor: ACT, INA, INACT, ARCH, DEC, DECD.
        Field::ClientActive => match key.as_str() {
            "active" | "a" | "act" | "actv" | "current" | "enabled" => Some(true),
            "inactive" | "i" | "ina" | "inact" | "inactv" | "archived" | "arch" | "deleted"
            | "disabled" | "closed" | "deceased" | "dec" | "decd" => Some(false),
            _ => None,
        },
        Field::PatientDeceased => match key.as_str() {
            "deceased" | "dead" | "died" | "expired" | "euthanized" | "euthanased" | "euth"
            | "d" | "dec" | "decd" | "dcd" | "rip" | "passed" | "passedaway" => Some(true),
            "alive" | "living" | "active" | "a" | "act" | "actv" | "inactive" | "i" | "ina"
            | "inact" | "inactv" | "current" => Some(false),
            _ => None,
        },
        Field::PatientNeutered => match key.as_str() {
            "neutered" | "spayed" | "castrated" | "altered" | "desexed" | "fixed"
            | "sterilized" | "sterilised" | "sn" | "ns" | "s" => Some(true),
            "intact" | "entire" | "unaltered" | "i" | "notneutered" | "notspayed" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

/// A yes/no any flag column may use (`Y`, `No`, `1`, `X`), by its code key; None for the
/// words of one field's own vocabulary.
fn plain_yes_no(key: &str) -> Option<bool> {
    match key {
        "y" | "yes" | "true" | "t" | "1" | "x" | "on" | "ja" | "oui" | "si" => Some(true),
        "n" | "no" | "false" | "f" | "0" | "off" | "nein" | "non" => Some(false),
        _ => None,
    }
}

/// Whether a trimmed cell of a "true when filled" column (a date or cause of death) holds
/// something: not empty and not a plain "no" or "none". Only cells of up to five bytes are
/// keyed, in a stack buffer, so the per-row check allocates nothing.
fn says_something(cell: &str) -> bool {
    const SHORT: usize = 5;
    if cell.is_empty() {
        return false;
    }
    if cell.len() > SHORT {
        return true;
    }
    let mut buf = [0u8; SHORT];
    let mut n = 0;
    for b in cell.bytes().filter(u8::is_ascii_alphanumeric) {
        buf[n] = b.to_ascii_lowercase();
        n += 1;
    }
    let key = std::str::from_utf8(&buf[..n]).unwrap_or("");
    !(plain_yes_no(key) == Some(false) || matches!(key, "na" | "none" | "null" | ""))
}

/// Whether `text` is a yes/no any flag column may use (`Y`, `No`, `1`, `X`), rather than
/// a word of one field's own vocabulary (`Active`, `DEC`).
pub fn is_plain_yes_no(text: &str) -> bool {
    plain_yes_no(&codes::code_key(text)).is_some()
}

pub use crate::canonical::vocab::country_code;

impl Transform {
    /// Applies the transform to the row's cells of its source columns (in mapping order).
    pub fn apply(&self, field: Field, inputs: &[&str]) -> Output {
        let first = inputs.first().map_or("", |s| s.trim());
        match self {
            Transform::Copy => Output::ok(collapse(first)),
            Transform::Constant { value } => Output::ok(value.clone()),
            Transform::Ignore => Output::default(),
            Transform::Join { separator } => Output::ok(
                inputs
                    .iter()
                    .map(|s| collapse(s))
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(separator),
            ),
            Transform::SplitName { part } => split_name(*part, first),
            Transform::SplitAddress { part } => {
                let a = address::split_address(first);
                Output::ok(match part {
                    AddressPart::Line1 => a.line1,
                    AddressPart::Line2 => a.line2,
                    AddressPart::City => a.city,
                    AddressPart::State => a.state,
                    AddressPart::PostalCode => a.postal_code,
                })
            }
            Transform::Date { order, pivot_year } => date(first, *order, *pivot_year),
            Transform::Species { codes } => species(first, codes),
            Transform::Sex { codes } => sex(field, first, codes),
            Transform::Bool { invert, codes } => {
                let dated = inputs.get(1).is_some_and(|d| says_something(d.trim()));
                if first.is_empty() {
                    return if dated {
                        Output::ok(bool_text(true))
                    } else {
                        Output::default()
                    };
                }
                match read_flag(field, first, codes) {
                    Some(b) => Output::ok(bool_text(b != *invert || dated)),
                    None if dated => Output::ok(bool_text(true)),
                    None => Output::problem(
                        "",
                        "invalid_boolean",
                        Severity::Warning,
                        format!("\"{first}\" is not a yes/no value; left empty"),
                    ),
                }
            }
            Transform::Present => Output::ok(bool_text(says_something(first))),
            Transform::Weight { unit } => weight(first, *unit, inputs.get(1).copied()),
            // Several phone columns back each other up: the first filled one is the number.
            Transform::Phone { country } => {
                let filled = inputs.iter().map(|s| s.trim()).find(|s| !s.is_empty());
                phone(filled.unwrap_or(""), country)
            }
            Transform::Email => email(first),
            Transform::State => match address::state_code(first) {
                Some(code) => Output::ok(code),
                None => Output::ok(collapse(first)),
            },
            Transform::Country => {
                if first.is_empty() {
                    return Output::default();
                }
                match country_code(first) {
                    Some(code) => Output::ok(code),
                    None => Output::problem(
                        collapse(first),
                        "unknown_country",
                        Severity::Warning,
                        format!("\"{first}\" is not a country this tool knows; kept as written"),
                    ),
                }
            }
            Transform::Microchip => microchip(first),
        }
    }
}

/// A yes/no cell read with the user's codes first, then the field's own words.
pub fn read_flag(field: Field, text: &str, codes: &[CodeEntry]) -> Option<bool> {
    let key = codes::code_key(text);
    if let Some(e) = codes.iter().find(|e| codes::code_key(&e.code) == key) {
        return match e.value.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
    }
    read_bool(field, text)
}

fn split_name(part: NamePart, text: &str) -> Output {
    let name = names::split_name(text);
    match part {
        NamePart::Last => Output::ok(name.last),
        NamePart::First => {
            let mut out = Output::ok(name.first);
            if out.value.is_empty() && crate::canonical::vocab::is_organisation(&name.last) {
                out.problems
                    .push(crate::validate::names::organisation_problem(&name.last));
            }
            // Reported once per row, from the first-name half of the split.
            if let Some(second) = name.second {
                out.problems.push(Problem::new(
                    "second_owner",
                    Severity::Warning,
                    format!(
                        "\"{text}\" names two people; \"{second}\" is not imported (a client has one name)"
                    ),
                ));
            }
            out
        }
    }
}

fn date(text: &str, order: DateOrder, pivot_year: i32) -> Output {
    if text.is_empty() {
        return Output::default();
    }
    match dates::parse_date(text, order, pivot_year, true) {
        Ok(d) => Output::ok(d.iso()),
        Err(DateError::Impossible) => Output::problem(
            "",
            "impossible_date",
            Severity::Warning,
            format!("\"{text}\" is not a real date; left empty"),
        ),
        Err(DateError::Unparseable) => Output::problem(
            "",
            "unparseable_date",
            Severity::Warning,
            format!("\"{text}\" is not a date; left empty"),
        ),
    }
}

fn species(text: &str, table: &[CodeEntry]) -> Output {
    if text.is_empty() {
        return Output::default();
    }
    match codes::species(text, table) {
        Some(s) => Output::ok(s),
        None => Output::problem(
            "",
            "unknown_species",
            Severity::Error,
            format!("\"{text}\" is not a species this tool knows; map it in the code table"),
        ),
    }
}

fn sex(field: Field, text: &str, table: &[CodeEntry]) -> Output {
    if text.is_empty() {
        return Output::default();
    }
    match codes::sex(text, table) {
        Some(code) if field == Field::PatientNeutered => {
            Output::ok(code.neutered.map_or("", bool_text))
        }
        Some(code) => Output::ok(code.sex),
        // Reported once, from the sex field; the neutered half stays quietly empty.
        None if field == Field::PatientNeutered => Output::default(),
        None => Output::problem(
            "unknown",
            "unknown_sex_code",
            Severity::Warning,
            format!("\"{text}\" is not a sex code this tool knows; set to unknown"),
        ),
    }
}

fn weight(text: &str, unit: WeightUnit, unit_cell: Option<&str>) -> Output {
    if text.is_empty() {
        return Output::default();
    }
    match units::weight_kg(text, unit, unit_cell) {
        Ok(kg) => Output::ok(units::format_kg(kg)),
        Err(_) => Output::problem(
            "",
            "invalid_weight",
            Severity::Warning,
            format!("\"{text}\" is not a weight; left empty"),
        ),
    }
}

fn phone(text: &str, country: &str) -> Output {
    // One implementation for conversion and validation: E.164 via `phonenumber`,
    // placeholders, spreadsheet damage and extensions (see `validate::phone`).
    crate::validate::phone::check_phone(text, country)
}

fn email(text: &str) -> Output {
    crate::validate::email::check_email(text)
}

fn microchip(text: &str) -> Output {
    if text.is_empty() {
        return Output::default();
    }
    let upper = text.to_ascii_uppercase();
    // 9.85E+14: Excel turned the number into a float and the last digits are gone.
    if upper.contains("E+")
        && upper
            .replace("E+", "")
            .replace('.', "")
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        return Output::problem(
            "",
            "excel_mangled_number",
            Severity::Error,
            format!(
                "\"{text}\" was shortened by a spreadsheet program; ask the clinic for a re-export"
            ),
        );
    }
    Output::ok(
        text.chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
            .collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_on_rows() {
        let f = Field::PatientSex;
        let sexcodes = Transform::Sex { codes: vec![] };
        assert_eq!(sexcodes.apply(f, &["MN"]).value, "male");
        assert_eq!(
            sexcodes.apply(Field::PatientNeutered, &["MN"]).value,
            "true"
        );
        assert_eq!(sexcodes.apply(Field::PatientNeutered, &["M"]).value, "");
        let unknown = sexcodes.apply(f, &["Q"]);
        assert_eq!(unknown.problems[0].code, "unknown_sex_code");
        let join = Transform::Join {
            separator: " ".into(),
        };
        assert_eq!(
            join.apply(Field::ClientAddressLine1, &["12", " Elm  St", ""])
                .value,
            "12 Elm St"
        );
        let flag = Transform::Bool {
            invert: false,
            codes: Vec::new(),
        };
        for (cells, want) in [
            (["0", "2024-11-28"], "true"),
            (["1", ""], "true"),
            (["0", ""], "false"),
            (["", "2024-11-28"], "true"),
        ] {
            assert_eq!(
                flag.apply(Field::PatientDeceased, &cells).value,
                want,
                "{cells:?}"
            );
        }
        let inactive = Transform::Bool {
            invert: true,
            codes: Vec::new(),
        };
        assert_eq!(inactive.apply(Field::ClientActive, &["Y"]).value, "false");
        let status = Transform::Bool {
            invert: false,
            codes: Vec::new(),
        };
        assert_eq!(
            status.apply(Field::PatientDeceased, &["Deceased"]).value,
            "true"
        );
        assert_eq!(
            status.apply(Field::PatientDeceased, &["Active"]).value,
            "false"
        );
        assert_eq!(
            status.apply(Field::ClientActive, &["Inactive"]).value,
            "false"
        );
        assert_eq!(
            Transform::Present
                .apply(Field::PatientDeceased, &["2020-01-01"])
                .value,
            "true"
        );
        for (cause, deceased) in [("Renal failure", "true"), ("N/A", "false"), ("No", "false")] {
            assert_eq!(
                Transform::Present
                    .apply(Field::PatientDeceased, &[cause])
                    .value,
                deceased,
                "{cause}"
            );
        }
        let c = Transform::Constant { value: "US".into() };
        assert_eq!(c.apply(Field::ClientCountry, &[]).value, "US");
        assert_eq!(
            Transform::Ignore
                .apply(Field::ClientEmail, &["a@b.c"])
                .value,
            ""
        );
        assert_eq!(
            Transform::Microchip
                .apply(Field::PatientMicrochip, &["985 112-003"])
                .value,
            "985112003"
        );
        assert_eq!(
            Transform::Microchip
                .apply(Field::PatientMicrochip, &["9.85112E+14"])
                .problems[0]
                .code,
            "excel_mangled_number"
        );
        let w = Transform::Weight {
            unit: WeightUnit::Lb,
        };
        assert_eq!(w.apply(Field::PatientWeightKg, &["12.5 lbs"]).value, "5.67");
        assert_eq!(w.apply(Field::PatientWeightKg, &["10", "kg"]).value, "10");
        assert_eq!(
            Transform::Email
                .apply(Field::ClientEmail, &["a@x.com; b@y.com"])
                .value,
            "a@x.com"
        );
    }

    #[test]
    fn transforms_serialize_readably() {
        let t = Transform::Date {
            order: DateOrder::Mdy,
            pivot_year: 2026,
        };
        insta::assert_json_snapshot!([
            t,
            Transform::SplitName {
                part: NamePart::First
            },
            Transform::Sex {
                codes: vec![CodeEntry {
                    code: "Q".into(),
                    value: "female".into()
                }]
            },
            Transform::Weight {
                unit: WeightUnit::Lb
            },
        ]);
    }
}
