//! Weights written with or without units ("12.5 lbs", "5.2kg", "12 lb 4 oz", "350 g", "8#")
//! converted to kilograms.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A unit of weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum WeightUnit {
    /// Kilograms.
    Kg,
    /// Pounds.
    Lb,
    /// Ounces.
    Oz,
    /// Grams.
    G,
}

impl WeightUnit {
    fn in_kg(self) -> f64 {
        match self {
            WeightUnit::Kg => 1.0,
            WeightUnit::Lb => 0.453_592_37,
            WeightUnit::Oz => 0.028_349_523_125,
            WeightUnit::G => 0.001,
        }
    }

    /// The unit named by a word such as `lbs`, `Pounds`, `kg`, `#`.
    pub fn from_word(word: &str) -> Option<WeightUnit> {
        let w = word.trim().trim_end_matches('.').to_lowercase();
        Some(match w.as_str() {
            "kg" | "kgs" | "kilo" | "kilos" | "kilogram" | "kilograms" | "kilogramme" | "k" => {
                WeightUnit::Kg
            }
            "lb" | "lbs" | "pound" | "pounds" | "#" | "lber" | "ib" | "ibs" => WeightUnit::Lb,
            "oz" | "ozs" | "ounce" | "ounces" => WeightUnit::Oz,
            "g" | "gr" | "grs" | "gm" | "gms" | "gram" | "grams" | "gramme" | "grammes" => {
                WeightUnit::G
            }
            _ => return None,
        })
    }
}

/// Why a weight could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightError {
    /// No number, or an unknown unit.
    Invalid,
    /// Zero or negative.
    NotPositive,
}

/// Parses a weight and converts it to kilograms; `default_unit` applies to bare numbers.
/// `unit_hint` (from a separate unit column) overrides the default.
pub fn weight_kg(
    value: &str,
    default_unit: WeightUnit,
    unit_hint: Option<&str>,
) -> Result<f64, WeightError> {
    let default_unit = unit_hint
        .filter(|u| !u.trim().is_empty())
        .map(|u| WeightUnit::from_word(u).ok_or(WeightError::Invalid))
        .transpose()?
        .unwrap_or(default_unit);
    // Split into (number, unit) pairs: "12 lb 4 oz" → [(12, lb), (4, oz)].
    let mut total = 0.0;
    let mut any = false;
    // "~5 kg", "<1 kg": an estimate is still the weight on file.
    let mut rest = value
        .trim()
        .trim_start_matches(['~', '≈', '<', '>'])
        .trim_start();
    while !rest.is_empty() {
        let num_len = rest
            .char_indices()
            .take_while(|(_, c)| c.is_ascii_digit() || *c == '.' || *c == ',')
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        if num_len == 0 {
            return Err(WeightError::Invalid);
        }
        let number_text = &rest[..num_len];
        // "5.2 (kg)": the unit in brackets.
        rest = rest[num_len..]
            .trim_start()
            .trim_start_matches('(')
            .trim_start();
        let unit_len = rest
            .char_indices()
            .take_while(|(_, c)| c.is_alphabetic() || *c == '#' || *c == '.')
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        let written = unit_len > 0 || unit_hint.is_some_and(|u| !u.trim().is_empty());
        let unit = if unit_len == 0 {
            default_unit
        } else {
            WeightUnit::from_word(&rest[..unit_len]).ok_or(WeightError::Invalid)?
        };
        // Pounds are used only where commas group thousands, so there "1,460" is 1460 too.
        let comma_groups = written || unit == WeightUnit::Lb;
        let number = parse_number(number_text, comma_groups).ok_or(WeightError::Invalid)?;
        rest = rest[unit_len..]
            .trim_start()
            .trim_start_matches(')')
            .trim_start()
            .trim_start_matches(',')
            .trim_start();
        total += number * unit.in_kg();
        any = true;
    }
    if !any {
        return Err(WeightError::Invalid);
    }
    if total <= 0.0 {
        return Err(WeightError::NotPositive);
    }
    Ok(total)
}

/// Reads a number written with `.` or `,` as decimal mark or thousands separator.
///
/// With both marks the last one is the decimal mark (`1,460.5`, `1.460,5`); a mark that
/// repeats groups thousands (`1,234,567`). A single comma before exactly three digits groups
/// thousands only when `comma_groups` (the unit is written or is pounds): a bare metric
/// `1,460` may be 1.46, and `5,32` or `12,5` always read as decimals.
fn parse_number(text: &str, comma_groups: bool) -> Option<f64> {
    let commas = text.matches(',').count();
    let dots = text.matches('.').count();
    let plain = match (commas, dots) {
        (0, 0) | (0, 1) => text.to_string(),
        (c, d) if c > 0 && d > 0 => {
            let last = text.rfind([',', '.'])?;
            let decimal = text[last..].chars().next()?;
            let group = if decimal == ',' { '.' } else { ',' };
            if text[..last].contains(decimal) {
                return None;
            }
            format!("{}.{}", ungroup(&text[..last], group)?, &text[last + 1..])
        }
        (1, 0) => {
            let (whole, decimals) = text.split_once(',')?;
            if comma_groups && decimals.len() == 3 && !whole.is_empty() && !whole.starts_with('0') {
                format!("{whole}{decimals}")
            } else {
                format!("{whole}.{decimals}")
            }
        }
        (_, 0) => ungroup(text, ',')?,
        _ => ungroup(text, '.')?,
    };
    plain.parse().ok()
}

/// Digits grouped by `mark` in threes after a first group of one to three (`1,234,567`).
fn ungroup(text: &str, mark: char) -> Option<String> {
    let mut groups = text.split(mark);
    let first = groups.next()?;
    if !(1..=3).contains(&first.len()) || groups.any(|g| g.len() != 3) {
        return None;
    }
    Some(text.replace(mark, ""))
}

/// Kilograms as canonical text: at most 3 decimals, no trailing zeros.
pub fn format_kg(kg: f64) -> String {
    let s = format!("{kg:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The unit a bare value most likely has, judged by whether the text names one.
pub fn unit_in_text(value: &str) -> Option<WeightUnit> {
    value
        .split(|c: char| c.is_ascii_digit() || c.is_whitespace() || ".,()~".contains(c))
        .filter(|w| !w.is_empty())
        .find_map(WeightUnit::from_word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_kg() {
        let cases = [
            ("12.5 lbs", WeightUnit::Kg),
            ("12.5lb", WeightUnit::Kg),
            ("5.2 kg", WeightUnit::Lb),
            ("12 lb 4 oz", WeightUnit::Kg),
            ("350 g", WeightUnit::Kg),
            ("8#", WeightUnit::Kg),
            ("72.4", WeightUnit::Lb),
            ("72.4", WeightUnit::Kg),
            ("4,5 kg", WeightUnit::Lb),
            ("6 oz", WeightUnit::Kg),
            ("0", WeightUnit::Kg),
            ("heavy", WeightUnit::Kg),
            ("12 stones", WeightUnit::Kg),
            ("", WeightUnit::Kg),
        ];
        let out: Vec<(&str, String)> = cases
            .iter()
            .map(|(v, u)| {
                let r = weight_kg(v, *u, None)
                    .map(format_kg)
                    .map_err(|e| format!("{e:?}"));
                (*v, format!("{r:?} (default {u:?})"))
            })
            .collect();
        insta::assert_debug_snapshot!(out);
    }

    #[test]
    fn thousands_separators_and_decimal_commas() {
        let kg = |v: &str, u: WeightUnit| weight_kg(v, u, None).map(format_kg);
        let lb = |n: f64| Ok(format_kg(n * 0.453_592_37));
        // A comma before exactly three digits groups thousands when the unit is written…
        assert_eq!(kg("1,460 lb", WeightUnit::Kg), lb(1460.0));
        assert_eq!(kg("1,460lbs", WeightUnit::Kg), lb(1460.0));
        assert_eq!(kg("12,500 g", WeightUnit::Lb), Ok("12.5".into()));
        // …or the column is in pounds, which only comma-grouping countries use.
        assert_eq!(kg("1,460", WeightUnit::Lb), lb(1460.0));
        // Several groups, and both separators: the last one is the decimal mark.
        assert_eq!(kg("1,234,567 g", WeightUnit::Kg), Ok("1234.567".into()));
        assert_eq!(kg("1,460.5 lb", WeightUnit::Kg), lb(1460.5));
        assert_eq!(kg("1.460,5 kg", WeightUnit::Lb), Ok("1460.5".into()));
        assert_eq!(kg("1.234.567 g", WeightUnit::Kg), Ok("1234.567".into()));
        // Decimal commas stay decimal.
        assert_eq!(kg("5,32", WeightUnit::Kg), Ok("5.32".into()));
        assert_eq!(kg("12,5 kg", WeightUnit::Lb), Ok("12.5".into()));
        assert_eq!(kg("0,250 kg", WeightUnit::Lb), Ok("0.25".into()));
        // A bare metric "1,460" may be 1.46 kg: without a unit it stays decimal.
        assert_eq!(kg("1,460", WeightUnit::Kg), Ok("1.46".into()));
        // Malformed groupings are no numbers.
        assert_eq!(kg("1,46,0 lb", WeightUnit::Kg), Err(WeightError::Invalid));
        assert_eq!(kg("1.460.5", WeightUnit::Kg), Err(WeightError::Invalid));
    }

    #[test]
    fn estimates_and_bracketed_units_are_read() {
        let kg = |v: &str| weight_kg(v, WeightUnit::Lb, None).map(format_kg);
        assert_eq!(kg("~5 kg"), Ok("5".into()));
        assert_eq!(kg("<1 kg"), Ok("1".into()));
        assert_eq!(kg("5.2 (kg)"), Ok("5.2".into()));
        assert_eq!(kg("11lbs 4oz"), Ok("5.103".into()));
        assert_eq!(kg("11 lb, 4 oz"), Ok("5.103".into()));
        assert_eq!(kg("5 (kg"), Ok("5".into()));
        assert_eq!(kg("kg 5"), Err(WeightError::Invalid));
    }

    #[test]
    fn unit_column_overrides_default() {
        assert_eq!(
            weight_kg("10", WeightUnit::Kg, Some("lbs")).map(format_kg),
            Ok("4.536".into())
        );
        assert_eq!(
            weight_kg("10", WeightUnit::Lb, Some("")).map(format_kg),
            Ok("4.536".into())
        );
        assert_eq!(
            weight_kg("10", WeightUnit::Lb, Some("bananas")),
            Err(WeightError::Invalid)
        );
    }
}
