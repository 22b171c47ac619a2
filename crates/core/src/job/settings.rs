//! The settings of one import that a person chooses over the evidence: the clinic's country,
//! whether clients need an e-mail, the unit of weights written as bare numbers, which flagged
//! records are sent, and what each table holds. The CLI's flags and the app's settings panel
//! fill this one type; the job applies it the same way for both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::canonical::RequiredPolicy;
use crate::mapping::country::CountryReport;
use crate::mapping::resolve::Resolved;
use crate::mapping::suggest::{missing_of, unit_name, WEIGHT_UNIT_REASON};
use crate::mapping::transform::units::WeightUnit;
use crate::mapping::transform::Transform;
use crate::mapping::{SuggestOptions, TableRole};
use crate::ph::Clinic;
use crate::private_file::Overwrite;
use crate::validate::ImportPolicy;

use super::write::Policies;

/// A person's settings for one import; what is not set is left to the data or the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct ImportSettings {
    /// The clinic's country (ISO alpha-2); unset, the data decides (US when it says nothing).
    #[ts(optional)]
    pub country: Option<String>,
    /// Whether a client needs an e-mail address; unset, the target decides (PH: yes).
    #[ts(optional)]
    pub email_required: Option<bool>,
    /// The unit of weights written as bare numbers; unset, the header, values and country decide.
    #[ts(optional)]
    pub weight_unit: Option<WeightUnit>,
    /// Whether deceased pets and inactive clients are sent.
    pub import: ImportPolicy,
    /// What a table holds, by table name (`file` or `file [sheet]`), over the guess.
    pub roles: BTreeMap<String, TableRole>,
}

impl ImportSettings {
    /// The suggestion's options these settings give.
    pub fn suggest_options(&self) -> SuggestOptions {
        let country = self.country();
        SuggestOptions {
            infer_country: country.is_none(),
            country: country.unwrap_or_else(|| "US".into()),
            roles: self.roles.clone(),
            weight_unit: self.weight_unit,
            ..SuggestOptions::default()
        }
    }

    /// The fields the target requires: PH's set, without the e-mail when it is not required.
    pub fn required(&self) -> RequiredPolicy {
        if self.email_required.unwrap_or(true) {
            RequiredPolicy::ph_default()
        } else {
            RequiredPolicy::without_email()
        }
    }

    /// The policies of a conversion with these settings.
    pub fn policies(&self, overwrite: Overwrite) -> Policies {
        Policies {
            required: self.required(),
            import: self.import,
            overwrite,
        }
    }

    /// These settings for importing into `clinic`: what is unset comes from the clinic.
    pub fn for_clinic(&self, clinic: &Clinic) -> ImportSettings {
        ImportSettings {
            country: self
                .country
                .clone()
                .or_else(|| Some(clinic.country.to_ascii_uppercase())),
            email_required: self.email_required.or(Some(clinic.requires_email)),
            ..self.clone()
        }
    }

    /// The country, upper-cased, when one is set.
    fn country(&self) -> Option<String> {
        self.country
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_ascii_uppercase)
    }

    /// Applies the settings to a chosen mapping, keeping everything else a person or profile
    /// decided: the country (and phones read with the old one), the weight unit of every
    /// weight field, and each table's missing required fields.
    pub fn apply(&self, resolved: &mut Resolved) {
        if let Some(country) = self.country() {
            set_country(resolved, &country);
        }
        if let Some(unit) = self.weight_unit {
            set_weight_unit(resolved, unit);
        }
        let required = self.required();
        for (report, tm) in resolved.tables.iter_mut().zip(&resolved.mapping.tables) {
            report.missing_required = missing_of(tm, &required);
        }
    }

    /// The `ph-import` flags that give these settings (what is unset gives no flag).
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(country) = self.country() {
            args.extend(["--country".to_owned(), country]);
        }
        if self.email_required == Some(false) {
            args.push("--no-email-required".to_owned());
        }
        if let Some(unit) = self.weight_unit {
            args.extend(["--weight-unit".to_owned(), unit_flag(unit).to_owned()]);
        }
        if self.import.send_deceased_patients {
            args.push("--send-deceased".to_owned());
        }
        if self.import.send_inactive_clients {
            args.push("--send-inactive".to_owned());
        }
        for (table, role) in &self.roles {
            args.extend(["--role".to_owned(), format!("{table}={}", role_flag(*role))]);
        }
        args
    }
}

/// The unit as `--weight-unit` takes it.
pub fn unit_flag(unit: WeightUnit) -> &'static str {
    match unit {
        WeightUnit::Kg => "kg",
        WeightUnit::Lb => "lb",
        WeightUnit::Oz => "oz",
        WeightUnit::G => "g",
    }
}

/// The role as `--role` takes it: its serialized name.
fn role_flag(role: TableRole) -> String {
    match serde_json::to_value(role) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{role:?}").to_lowercase(),
    }
}

/// The person's country: the mapping's, and the phones that were read with the old one
/// (a phone field of a mixed-country mapping keeps its own).
fn set_country(resolved: &mut Resolved, country: &str) {
    let old = std::mem::replace(&mut resolved.mapping.country, country.to_owned());
    for fm in resolved
        .mapping
        .tables
        .iter_mut()
        .flat_map(|t| &mut t.fields)
    {
        if let Transform::Phone { country: c } = &mut fm.transform {
            if c.eq_ignore_ascii_case(&old) {
                *c = country.to_owned();
            }
        }
    }
    resolved.country = CountryReport {
        code: country.to_owned(),
        reasons: vec!["chosen by you".into()],
        needs_confirmation: false,
    };
}

/// The person's unit for bare-number weights: every weight field reads them so, confirmed.
fn set_weight_unit(resolved: &mut Resolved, unit: WeightUnit) {
    for fm in resolved
        .mapping
        .tables
        .iter_mut()
        .flat_map(|t| &mut t.fields)
    {
        if let Transform::Weight { unit: u } = &mut fm.transform {
            *u = unit;
            fm.reasons.retain(|r| !r.starts_with(WEIGHT_UNIT_REASON));
            fm.reasons.push(format!(
                "{WEIGHT_UNIT_REASON}{} (your setting)",
                unit_name(unit)
            ));
            fm.needs_confirmation = false;
            fm.confidence = 1.0;
        }
    }
}
