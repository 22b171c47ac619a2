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
    let mut rest = value.trim();
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
        let number_text = rest[..num_len].replace(',', ".");
        let number: f64 = number_text.parse().map_err(|_| WeightError::Invalid)?;
        rest = rest[num_len..].trim_start();
        let unit_len = rest
            .char_indices()
            .take_while(|(_, c)| c.is_alphabetic() || *c == '#' || *c == '.')
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(0);
        let unit = if unit_len == 0 {
            default_unit
        } else {
            WeightUnit::from_word(&rest[..unit_len]).ok_or(WeightError::Invalid)?
        };
        rest = rest[unit_len..]
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

/// Kilograms as canonical text: at most 3 decimals, no trailing zeros.
pub fn format_kg(kg: f64) -> String {
    let s = format!("{kg:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The unit a bare value most likely has, judged by whether the text names one.
pub fn unit_in_text(value: &str) -> Option<WeightUnit> {
    value
        .split(|c: char| c.is_ascii_digit() || c.is_whitespace() || c == '.' || c == ',')
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
