//! Sheets that are not tables: a workbook's key/value sheet (practice name, address, weight
//! units…) beside its client and pet sheets. It gives no records; what it says about units is
//! used for the other sheets' weights.

use crate::canonical::units::WeightUnit;

use super::table::SourceTable;

/// Most rows a settings sheet has; a longer two-column sheet is a list of records.
const MAX_ROWS: usize = 60;

/// Words in a key that name a setting rather than a record's value.
const SETTING_WORDS: &[&str] = &[
    "unit",
    "units",
    "format",
    "practice",
    "clinic",
    "hospital",
    "generated",
    "version",
    "currency",
    "timezone",
    "zone",
    "language",
    "locale",
    "export",
    "exported",
    "report",
    "printed",
    "tax",
    "vat",
    "abn",
    "license",
    "licence",
    "software",
    "system",
    "database",
    "site",
    "branch",
    "setting",
    "settings",
    "measurement",
    "measurements",
];

/// Headers of a key column and a value column.
const KEY_HEADERS: &[&str] = &[
    "setting",
    "settings",
    "key",
    "field",
    "parameter",
    "property",
    "option",
    "item",
    "name",
];
const VALUE_HEADERS: &[&str] = &["value", "values", "setting", "data"];

/// A key/value sheet's pairs, the header pair first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// (key, value) as written.
    pub pairs: Vec<(String, String)>,
}

impl Settings {
    /// The weight unit a pair names (`Weight Units: Kilograms`), with the pair as written.
    pub fn weight_unit(&self) -> Option<(WeightUnit, String)> {
        self.pairs.iter().find_map(|(k, v)| {
            let key = words(k);
            let about_weight = key.iter().any(|w| w == "weight" || w == "weights")
                || key.iter().any(|w| w == "unit" || w == "units")
                    && words(v).iter().any(|w| WeightUnit::from_word(w).is_some());
            if !about_weight {
                return None;
            }
            let unit = words(v)
                .iter()
                .find_map(|w| WeightUnit::from_word(w))
                .filter(|u| matches!(u, WeightUnit::Kg | WeightUnit::Lb))?;
            Some((unit, format!("{k}: {v}")))
        })
    }

    /// The sheet in a few words, for the reason it is left out.
    pub fn summary(&self) -> String {
        let shown: Vec<String> = self
            .pairs
            .iter()
            .take(3)
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let more = if self.pairs.len() > 3 { ", …" } else { "" };
        format!("{}{more}", shown.join(", "))
    }
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The key/value pairs of `table` when it is a settings sheet, not a table of records: two
/// columns used, a few rows, distinct keys, and keys or headers that name settings. Only
/// asked of a workbook's sheets beside others (a lone two-column file is records).
pub fn of(table: &SourceTable) -> Option<Settings> {
    let used: Vec<usize> = (0..table.headers.len())
        .filter(|&i| table.column(i).any(|v| !v.trim().is_empty()))
        .collect();
    let [key, value] = used[..] else {
        return None;
    };
    let rows = table.rows.len();
    if !(2..=MAX_ROWS).contains(&rows) {
        return None;
    }
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(rows + 1);
    let header_pair = (table.headers[key].trim(), table.headers[value].trim());
    let headers_say = KEY_HEADERS.contains(&header_pair.0.to_lowercase().as_str())
        && VALUE_HEADERS.contains(&header_pair.1.to_lowercase().as_str());
    if !headers_say {
        // The reader took the first pair for the header row.
        pairs.push((
            header_pair.0.trim_end_matches(':').to_owned(),
            header_pair.1.to_owned(),
        ));
    }
    let mut colon_keys = usize::from(header_pair.0.ends_with(':') && !headers_say);
    for row in &table.rows {
        let k = row.cells.get(key).map_or("", |c| c.trim());
        colon_keys += usize::from(k.ends_with(':'));
        let v = row.cells.get(value).map_or("", |c| c.trim());
        if k.is_empty() {
            return None;
        }
        pairs.push((k.trim_end_matches(':').to_owned(), v.to_owned()));
    }
    let mut keys: Vec<String> = pairs.iter().map(|(k, _)| k.to_lowercase()).collect();
    keys.sort();
    keys.dedup();
    if keys.len() != pairs.len() {
        return None;
    }
    let setting_keys = pairs
        .iter()
        .filter(|(k, _)| words(k).iter().any(|w| SETTING_WORDS.contains(&w.as_str())))
        .count()
        .max(colon_keys);
    (headers_say || setting_keys >= 2).then_some(Settings { pairs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> SourceTable {
        SourceTable::from_csv("t", csv).expect("csv")
    }

    #[test]
    fn a_key_value_sheet_is_settings_and_names_the_weight_unit() {
        let t = table(
            "Setting,Value\nPractice Name,Front Range Animal Clinic\nPhone,(303) 555-0100\n\
             Weight Units,Kilograms\nDate Format,MM/DD/YYYY\n",
        );
        let s = of(&t).expect("settings");
        assert_eq!(
            s.weight_unit(),
            Some((WeightUnit::Kg, "Weight Units: Kilograms".to_owned()))
        );
        // Without headers: the first pair was read as the header row.
        let t = table("Practice:,Oak Vets\nUnits:,lb\nExported:,2026-12-01\n");
        let s = of(&t).expect("settings");
        assert_eq!(s.pairs.len(), 3);
        assert_eq!(s.weight_unit().map(|u| u.0), Some(WeightUnit::Lb));
    }

    #[test]
    fn two_columns_of_records_are_no_settings() {
        assert!(of(&table(
            "Name,Email\nAnn Lee,ann@example.com\nBo Ray,bo@example.com\n"
        ))
        .is_none());
        assert!(of(&table("Species,Count\nDog,12\nCat,9\nDog,3\n")).is_none());
        assert!(of(&table("ID,Name,Phone\n1,Ann,555\n2,Bo,556\n")).is_none());
    }

    #[test]
    fn the_settings_sheet_names_the_unit_of_the_other_sheets_bare_weights() {
        use crate::canonical::{Field, RequiredPolicy};
        use crate::mapping::transform::Transform;
        use crate::mapping::{suggest, SuggestOptions};
        let settings = SourceTable {
            name: "book.xlsx [Setup]".into(),
            ..table("Setting,Value\nPractice,Oak Vets\nWeight unit,Pounds\nVersion,4.2\n")
        };
        // Cats of 4-5 would say kilograms: the sheet wins, and the field is flagged.
        let pets = SourceTable {
            name: "book.xlsx [Pets]".into(),
            ..table(
                "Owner,Pet,Species,Weight\nAnn Lee,Tom,Cat,4.5\nBo Ray,Kit,Cat,4.2\n\
                 Cy Ng,Max,Cat,5.1\nDi Fox,Rex,Cat,4.8\n",
            )
        };
        let s = suggest(
            &[settings, pets],
            &SuggestOptions::default(),
            &RequiredPolicy::default(),
        );
        assert!(
            s.mapping.tables[0].fields.is_empty(),
            "the settings sheet maps nothing"
        );
        let weight = s.mapping.tables[1]
            .field(Field::PatientWeightKg)
            .expect("weight mapped");
        assert!(matches!(
            weight.transform,
            Transform::Weight {
                unit: WeightUnit::Lb
            }
        ));
        assert!(weight.needs_confirmation);
        assert!(weight
            .reasons
            .iter()
            .any(|r| r.contains("Weight unit: Pounds")));
    }
}
