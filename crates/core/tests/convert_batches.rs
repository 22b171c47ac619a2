//! Converting in batches (per-row work on several threads, owner memo per chunk) gives
//! exactly what converting row by row gives: same records, same findings, same order.

use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::mapping::convert::{plan, Collected, Converter};
use ph_import_core::mapping::{suggest, SourceTable, SuggestOptions};
use ph_import_core::validate::Context;

const HEADER: &str =
    "Client ID,First Name,Last Name,Email,Phone,Address,City,State,Zip,Pet Name,Species,Breed,Sex,Birth Date,Weight";

/// Owners with 1 to 4 pets each, listed together; some owners come back later with other
/// details, some rows are repeated, and values are messy often enough to give findings.
fn export(rows: usize) -> String {
    let mut out = String::from(HEADER);
    let (mut owner, mut left) = (0usize, 0usize);
    for i in 0..rows {
        if left == 0 {
            owner = if i % 37 == 0 && i > 100 { i / 7 } else { i };
            left = 1 + i % 4;
        }
        left -= 1;
        let email = match owner % 9 {
            0 => format!("owner{owner}@gmial.com"),
            1 => "none@none.com".to_string(),
            _ => format!("owner{owner}@example.com"),
        };
        let phone = if owner % 11 == 0 {
            "555-01".to_string()
        } else {
            format!("(217) 555-{:04}", owner % 10_000)
        };
        let (state, zip) = [("IL", "62704"), ("Massachusetts", "2134"), ("IL", "10001")][owner % 3];
        let species = ["Canine", "Feline", "Dragon", "Dog"][i % 4];
        let breed = ["Lab X", "DSH", "", "DSH"][i % 4];
        let dob = ["03/14/2016", "02/30/2019", "unknown", "2018"][i % 4];
        let weight = ["72 lbs", "9.5", "heavy", "600"][i % 4];
        let first = if i % 37 == 0 { "JOHN" } else { "John" };
        let line = format!(
            "{owner},{first},O'BRIEN,{email},{phone},{} Elm St,Springfield,{state},{zip},Pet{},{species},{breed},MN,{dob},{weight}",
            owner % 999,
            i % 5,
        );
        out.push('\n');
        out.push_str(&line);
        if i % 53 == 0 {
            out.push('\n');
            out.push_str(&line);
        }
    }
    out
}

#[test]
fn batches_convert_exactly_like_single_rows() {
    let table = SourceTable::from_csv("export.csv", &export(3000)).expect("csv");
    let options = SuggestOptions {
        country: "US".into(),
        infer_country: false,
        ..SuggestOptions::default()
    };
    let mapping = suggest(
        std::slice::from_ref(&table),
        &options,
        &RequiredPolicy::ph_default(),
    )
    .mapping;
    let p = plan(&mapping.tables[0], "export.csv", &table.headers).expect("plan");
    let context = Context {
        country: "US".into(),
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"),
    };

    let mut single = Collected::default();
    let mut conv =
        Converter::new(&mapping, RequiredPolicy::ph_default()).with_context(context.clone());
    for row in &table.rows {
        conv.row(&p, row, &mut single).expect("memory");
    }

    let mut batched = Collected::default();
    let mut conv =
        Converter::new(&mapping, RequiredPolicy::ph_default()).with_context(context.clone());
    // Uneven batches, so that owners straddle batch and thread boundaries.
    for chunk in table.rows.chunks(1111) {
        conv.rows(&p, chunk, &mut batched).expect("memory");
    }

    // One pipeline over many batches: each prepared while the one before is linked, with
    // the workers' caches carried from batch to batch.
    let mut piped = Collected::default();
    let mut conv = Converter::new(&mapping, RequiredPolicy::ph_default()).with_context(context);
    let mut chunks = table.rows.chunks(777);
    conv.batches(&p, &mut || chunks.next(), &mut piped)
        .expect("memory");

    assert!(
        single.findings.len() > 1000,
        "the export is messy enough to test"
    );
    assert!(
        single.clients.len() < single.patients.len(),
        "owners repeat"
    );
    assert_eq!(single.clients, batched.clients);
    assert_eq!(single.patients, batched.patients);
    assert_eq!(single.findings, batched.findings);
    assert_eq!(single.clients, piped.clients);
    assert_eq!(single.patients, piped.patients);
    assert_eq!(single.findings, piped.findings);
}
