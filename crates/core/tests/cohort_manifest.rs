//! The cohort manifest of docs/cohort.md against its JSON Schema (docs/cohort.schema.json):
//! the sample parses and validates; a manifest with every option, written by the types,
//! validates; and what the parser refuses the schema refuses too. A small validator of the
//! schema keywords the file uses, so the schema cannot drift from the types unseen.

use std::path::{Path, PathBuf};

use ph_import_core::canonical::units::WeightUnit;
use ph_import_core::cohort::manifest::{self, ClinicEntry, FileRead, HeaderRow, Manifest};
use ph_import_core::job::ImportSettings;
use ph_import_core::mapping::TableRole;
use serde_json::Value;

fn docs(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name)
}

fn schema() -> Value {
    let text = std::fs::read_to_string(docs("cohort.schema.json")).expect("schema");
    serde_json::from_str(&text).expect("the schema is JSON")
}

/// The first ```toml block of docs/cohort.md.
fn sample() -> String {
    let text = std::fs::read_to_string(docs("cohort.md")).expect("docs");
    let start = text.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let len = text[start..].find("```").expect("its end");
    text[start..start + len].to_owned()
}

/// Every violation of `schema` by `value`, with where.
fn validate(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        validate(root, &root["$defs"][name], value, at, out);
        return;
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|s| {
            let mut none = Vec::new();
            validate(root, s, value, at, &mut none);
            none.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits none of {any:?}"));
        }
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        let ok = match t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            other => panic!("the validator does not know type {other}"),
        };
        if !ok {
            out.push(format!("{at}: not a {t}: {value}"));
            return;
        }
    }
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        if !choices.contains(value) {
            out.push(format!("{at}: {value} is not one of {choices:?}"));
        }
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if n < min {
            out.push(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(n)) = (
        schema.get("maximum").and_then(Value::as_i64),
        value.as_i64(),
    ) {
        if n > max {
            out.push(format!("{at}: {n} > {max}"));
        }
    }
    if let (Some(min), Some(s)) = (
        schema.get("minLength").and_then(Value::as_u64),
        value.as_str(),
    ) {
        if (s.chars().count() as u64) < min {
            out.push(format!("{at}: shorter than {min}"));
        }
    }
    if let (Some(p), Some(s)) = (
        schema.get("pattern").and_then(Value::as_str),
        value.as_str(),
    ) {
        // The only pattern the schema uses: two ASCII letters.
        assert_eq!(p, "^[A-Za-z]{2}$", "the validator knows one pattern");
        if !(s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic())) {
            out.push(format!("{at}: {s:?} does not match {p}"));
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                out.push(format!("{at}: fewer than {min} items"));
            }
        }
        if let Some(item) = schema.get("items") {
            for (i, v) in items.iter().enumerate() {
                validate(root, item, v, &format!("{at}[{i}]"), out);
            }
        }
    }
    if let Some(map) = value.as_object() {
        for key in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = key.as_str().expect("a key");
            if !map.contains_key(key) {
                out.push(format!("{at}: `{key}` is required"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, v) in map {
            let here = format!("{at}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(s) => validate(root, s, v, &here, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => out.push(format!("{here}: not allowed")),
                    Some(s @ Value::Object(_)) => validate(root, s, v, &here, out),
                    _ => {}
                },
            }
        }
    }
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn violations(value: &Value) -> Vec<String> {
    let root = schema();
    let mut out = Vec::new();
    validate(&root, &root, value, "$", &mut out);
    out
}

#[test]
fn the_sample_in_the_docs_parses_and_validates() {
    let text = sample();
    let m = manifest::parse(&text).expect("the sample parses");
    assert_eq!(m.name, "Week 49");
    assert_eq!(m.clinics.len(), 2);
    let lakeside = &m.clinics[1];
    assert_eq!(lakeside.settings.weight_unit, Some(WeightUnit::Kg));
    assert!(lakeside.settings.import.send_inactive_clients);
    assert_eq!(
        lakeside.settings.roles.get("lakeside-pets.csv"),
        Some(&TableRole::Patients)
    );
    let owners = lakeside.read[0].to_override().expect("a usable read");
    assert_eq!(owners.sheet.as_deref(), Some("Owners"));
    assert_eq!(owners.header_row, Some(3));
    let pets = lakeside.read[1].to_override().expect("a usable read");
    assert_eq!(pets.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(pets.delimiter, Some(';'));
    let json = manifest::to_json(&text).expect("as JSON");
    assert_eq!(violations(&json), Vec::<String>::new());
}

#[test]
fn every_option_as_the_types_write_it_validates() {
    let mut settings = ImportSettings {
        country: Some("AU".into()),
        email_required: Some(false),
        weight_unit: Some(WeightUnit::Lb),
        ..ImportSettings::default()
    };
    settings.import.send_deceased_patients = true;
    settings
        .roles
        .insert("owners.csv".into(), TableRole::Combined);
    let full = Manifest {
        name: "Every option".into(),
        max_parallel: 3,
        state_dir: Some("state".into()),
        clinics: vec![ClinicEntry {
            clinic_id: "lakeside".into(),
            env: "staging".into(),
            files: vec!["owners.csv".into(), "pets.xlsx".into()],
            profile: Some("avimark".into()),
            decisions: Some("decisions.json".into()),
            skip_undecided: true,
            settings,
            read: vec![
                FileRead {
                    file: "owners.csv".into(),
                    sheet: None,
                    header_row: Some(HeaderRow::Named("none".into())),
                    encoding: Some("windows-1252".into()),
                    delimiter: Some(";".into()),
                },
                FileRead {
                    file: "pets.xlsx".into(),
                    sheet: Some("Pets".into()),
                    header_row: Some(HeaderRow::Number(3)),
                    encoding: None,
                    delimiter: None,
                },
            ],
        }],
    };
    let mut json = serde_json::to_value(&full).expect("json");
    // TOML has no null: an option left out is how a manifest says "not set".
    drop_nulls(&mut json);
    assert_eq!(violations(&json), Vec::<String>::new());
    // And back: what the types write, the parser reads.
    let back: Manifest = serde_json::from_value(json).expect("reads back");
    assert_eq!(back, full);
}

#[test]
fn what_the_parser_refuses_the_schema_refuses() {
    let base = "name = \"W\"\n[[clinic]]\nclinic_id = \"a\"\nfiles = [\"a.csv\"]\n";
    for extra in [
        "skip_undecide = true\n",
        "settings = { email_requried = false }\n",
        "settings = { weight_unit = \"stone\" }\n",
        "settings = { import = { send_dead = true } }\n",
        "settings = { roles = { \"a.csv\" = \"owners\" } }\n",
        "read = [{ file = \"a.csv\", header = 2 }]\n",
        "read = [{ file = \"a.csv\", header_row = true }]\n",
        "files = []\n",
    ] {
        // `files` given twice is a TOML error; the empty list replaces it instead.
        let text = if extra.starts_with("files") {
            base.replace("files = [\"a.csv\"]\n", extra)
        } else {
            format!("{base}{extra}")
        };
        assert!(manifest::parse(&text).is_err(), "the parser took {extra:?}");
        let json = manifest::to_json(&text).expect("TOML");
        assert!(!violations(&json).is_empty(), "the schema took {extra:?}");
    }
    let bad_top =
        "name = \"W\"\nmax_parallel = 0\n[[clinic]]\nclinic_id = \"a\"\nfiles = [\"a.csv\"]\n";
    assert!(manifest::parse(bad_top).is_err());
    assert!(!violations(&manifest::to_json(bad_top).expect("TOML")).is_empty());
}
