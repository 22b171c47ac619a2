//! Property tests: every normalizer is idempotent (normalizing its own output changes
//! nothing) and never panics, whatever the text.

use chrono::NaiveDate;
use ph_import_core::validate::{address, dates, email, names, patient, phone};
use proptest::prelude::*;

/// Arbitrary text, plus text shaped like the values the normalizers look for.
fn messy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z'\\- .]{0,30}",
        "[a-zA-Z0-9._%+-]{0,12}@[a-zA-Z0-9.-]{0,12}(\\.[a-z]{2,4})?([;, ][a-z]@[a-z]\\.com)?",
        "[+]?[0-9 ().x#-]{0,20}(ext\\.? ?[0-9]{1,4})?",
        "[0-9A-Za-z -]{0,11}",
        "[0-9]\\.[0-9]{1,6}E\\+[0-9]{1,2}",
        "(MC|O'|VAN DER |mc|de la )[A-Za-zÀ-ÿ]{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn person_names(s in messy()) {
        let once = names::check_person_name(&s).value;
        let twice = names::check_person_name(&once);
        prop_assert_eq!(&twice.value, &once);
        prop_assert!(twice.problems.is_empty(), "{:?} → {:?}: {:?}", s, once, twice.problems);
    }

    #[test]
    fn emails(s in messy()) {
        let once = email::check_email(&s).value;
        prop_assert_eq!(email::check_email(&once).value, once);
    }

    #[test]
    fn phones(s in messy(), cc in prop::sample::select(vec!["US", "CA", "GB", "IE", "AU", "DE", "XX", ""])) {
        let once = phone::check_phone(&s, cc).value;
        prop_assert_eq!(phone::check_phone(&once, cc).value, once);
    }

    #[test]
    fn postal_codes(s in messy(), cc in prop::sample::select(vec!["US", "CA", "GB"]), st in prop::sample::select(vec!["", "MA", "IL", "PR", "ON"])) {
        let once = address::check_postal_code(&s, cc, st).value;
        prop_assert_eq!(address::check_postal_code(&once, cc, st).value, once);
    }

    #[test]
    fn lookups_never_panic(s in messy()) {
        let _ = address::country_code(&s);
        let _ = address::zip_states(&s);
        let _ = address::postal_provinces(&s);
        let _ = patient::canonical_breed("dog", &s);
        let _ = patient::canonical_breed("cat", &s);
        let _ = patient::check_weight(&s, "dog");
        let _ = email::is_placeholder(&s);
        let _ = phone::is_placeholder(&s);
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let (once, _) = dates::check_birth_date(&s, "dog", today);
        let (twice, _) = dates::check_birth_date(&once, "dog", today);
        prop_assert_eq!(twice, once);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A whole row of arbitrary cells through conversion and validation: never a panic.
    #[test]
    fn rows_never_panic(cells in prop::collection::vec(messy(), 0..14)) {
        use ph_import_core::canonical::RequiredPolicy;
        use ph_import_core::mapping::convert::{plan, Collected, Converter};
        use ph_import_core::mapping::{suggest, SourceRow, SourceTable, SuggestOptions};
        let csv = "Client ID,Owner Name,Email,Phone,Address,City,State,Zip,Pet Name,Species,Sex,Birth Date,Weight,Microchip\n\
                   1,\"Smith, John\",j@example.com,(217) 555-0143,12 Elm St,Springfield,IL,62704,Rex,Dog,MN,03/14/2016,20 lbs,985112003456789\n";
        let table = SourceTable::from_csv("t.csv", csv).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mapping = suggest(std::slice::from_ref(&table), &SuggestOptions::default(), &RequiredPolicy::default()).mapping;
        let p = plan(&mapping.tables[0], "t.csv", &table.headers).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut conv = Converter::new(&mapping, RequiredPolicy::default());
        let mut out = Collected::default();
        let row = SourceRow { number: 2, cells };
        prop_assert!(conv.row(&p, &row, &mut out).is_ok());
    }
}

proptest! {
    /// The fast path for names that need nothing agrees with the full path.
    #[test]
    fn clean_names_are_left_alone(s in "[A-Za-z]{1,6}( [A-Za-z]{1,6}){0,3}") {
        let out = names::check_person_name(&s);
        let again = names::fix_casing(&s);
        if out.problems.is_empty() {
            prop_assert_eq!(&out.value, &s);
            prop_assert_eq!(again, s);
        }
    }
}
