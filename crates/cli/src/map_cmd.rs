//! `ph-import map`: how export files map to PH's canonical format (the suggestion, or a
//! profile's mapping), with the evidence a person checks.

use std::io::Write;

use anyhow::Context;
use clap::Args;
use ph_import_core::mapping::country::CountryReport;
use ph_import_core::mapping::profile::{self, Profile};
use ph_import_core::mapping::resolve::{Origin, Resolved};
use ph_import_core::mapping::suggest::TableReport;
use ph_import_core::mapping::transform::dates::DateOrder;
use ph_import_core::mapping::transform::Transform;
use ph_import_core::mapping::Mapping;
use serde::Serialize;

use crate::progress::Display;
use crate::run_args::{profile_dir, InputArgs};
use crate::visible::{visible, write_json};

/// Arguments of `ph-import map`.
#[derive(Args, Debug)]
pub struct MapArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Save the mapping shown as a profile under this name, for next time.
    #[arg(long, value_name = "NAME")]
    pub save_profile: Option<String>,
    /// Print JSON (the mapping and the review material) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct MapOutput<'a> {
    origin: &'a Origin,
    mapping: &'a Mapping,
    tables: &'a [TableReport],
    country: &'a CountryReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved_profile: Option<String>,
}

/// Runs `ph-import map`.
pub fn run(args: &MapArgs) -> anyhow::Result<()> {
    let mut display = Display::new(args.json);
    let job = args.input.open(&mut display)?;
    display.finish();
    let resolved = &job.resolved;
    let saved = match &args.save_profile {
        Some(name) => {
            let p = Profile::new(name, "", resolved.mapping.clone());
            let dir = profile_dir()?;
            let path = profile::save(&dir, &p)
                .with_context(|| format!("could not save the profile in {}", dir.display()))?;
            Some(path.display().to_string())
        }
        None => None,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        write_json(
            &mut out,
            &MapOutput {
                origin: &resolved.origin,
                mapping: &resolved.mapping,
                tables: &resolved.tables,
                country: &resolved.country,
                saved_profile: saved,
            },
        )?;
        return Ok(());
    }
    print_mapping(&mut out, resolved)?;
    if let Some(path) = saved {
        writeln!(out, "\nSaved the profile to {}", visible(&path))?;
    }
    Ok(())
}

fn transform_text(t: &Transform) -> String {
    match t {
        Transform::Copy => String::new(),
        Transform::Constant { value } => format!("constant \"{value}\""),
        Transform::Ignore => "ignored".into(),
        Transform::Join { separator } => format!("joined with \"{separator}\""),
        Transform::SplitName { part } => format!("{part:?} part of a full name").to_lowercase(),
        Transform::SplitAddress { part } => {
            format!("{part:?} part of a one-line address").to_lowercase()
        }
        Transform::Date { order, .. } => match order {
            DateOrder::Mdy => "date, month/day/year".into(),
            DateOrder::Dmy => "date, day/month/year".into(),
            DateOrder::Ymd => "date, year-month-day".into(),
        },
        Transform::Species { .. } => "species codes".into(),
        Transform::Sex { .. } => "sex codes".into(),
        Transform::Bool { invert: false, .. } => "yes/no".into(),
        Transform::Bool { invert: true, .. } => "yes/no, inverted".into(),
        Transform::Present => "true when filled".into(),
        Transform::Weight { unit } => {
            format!("weight to kg (bare numbers in {unit:?})").to_lowercase()
        }
        Transform::Phone { country } => format!("phone to E.164 ({country})"),
        Transform::Email => "e-mail".into(),
        Transform::State => "state code".into(),
        Transform::Country => "country code".into(),
        Transform::Microchip => "microchip".into(),
    }
}

fn print_mapping(out: &mut impl Write, r: &Resolved) -> anyhow::Result<()> {
    match &r.origin {
        Origin::Suggestion => writeln!(
            out,
            "Automatic mapping (review the lines marked \"confirm\"):"
        )?,
        Origin::Profile {
            name,
            recognized: true,
        } => writeln!(
            out,
            "The files match the saved profile \"{}\"; using it:",
            visible(name)
        )?,
        Origin::Profile { name, .. } => {
            writeln!(out, "Mapping from the profile \"{}\":", visible(name))?
        }
    }
    let using_suggestion = matches!(r.origin, Origin::Suggestion);
    writeln!(
        out,
        "\nCountry: {}{} ({})",
        visible(&r.mapping.country),
        if r.country.needs_confirmation {
            "  ⚠ confirm"
        } else {
            ""
        },
        visible(&r.country.reasons.join("; "))
    )?;
    for (t, report) in r.mapping.tables.iter().zip(&r.tables) {
        writeln!(out, "\n{} — {:?}", visible(&t.table), t.role)?;
        for f in &t.fields {
            let how = transform_text(&f.transform);
            let flag = if f.needs_confirmation {
                "  ⚠ confirm"
            } else {
                ""
            };
            let conf = if using_suggestion {
                format!(" {:>3.0}%", f.confidence * 100.0)
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {:<28}{conf} ← {}{}{flag}",
                f.field.key(),
                f.columns
                    .iter()
                    .map(|c| format!("\"{}\"", visible(c)))
                    .collect::<Vec<_>>()
                    .join(" + "),
                if how.is_empty() {
                    String::new()
                } else {
                    format!("  ({})", visible(&how))
                },
            )?;
            // The evidence across tables is shown even when sure: it is what a person checks.
            for reason in f.reasons.iter().filter(|x| {
                (f.needs_confirmation
                    && (x.contains("confirm")
                        || x.contains("not certain")
                        || x.contains("not known")))
                    || x.contains(" % of values found in ")
            }) {
                writeln!(out, "      {}", visible(reason))?;
            }
        }
        for g in &t.pet_groups {
            let columns: Vec<String> = g
                .columns
                .iter()
                .map(|c| format!("\"{}\"", visible(&c.column)))
                .collect();
            writeln!(
                out,
                "  pet {} of each row ← {} (read like pet 1's columns)",
                g.number,
                columns.join(", ")
            )?;
        }
        for i in &t.ignored {
            writeln!(
                out,
                "  not mapped: \"{}\" — {}",
                visible(&i.column),
                visible(&i.reason)
            )?;
        }
        if using_suggestion {
            for c in &report.code_tables {
                let codes: Vec<String> = c
                    .entries
                    .iter()
                    .take(12)
                    .map(|e| {
                        if e.known {
                            format!(
                                "{}→{} ({})",
                                visible(&e.value),
                                visible(&e.maps_to),
                                e.count
                            )
                        } else {
                            format!("{}→? ({})", visible(&e.value), e.count)
                        }
                    })
                    .collect();
                writeln!(
                    out,
                    "  codes of \"{}\": {}",
                    visible(&c.column),
                    codes.join(", ")
                )?;
            }
            if !report.missing_required.is_empty() {
                writeln!(
                    out,
                    "  required but not found: {}",
                    report
                        .missing_required
                        .iter()
                        .map(|f| f.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
        }
    }
    Ok(())
}
