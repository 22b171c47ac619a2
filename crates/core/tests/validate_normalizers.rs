//! The normalizers one by one, table-driven: what goes in, what comes out.

use ph_import_core::validate::{address, email, names, patient, phone};

#[test]
fn names() {
    for (raw, want) in [
        ("MCDONALD", "McDonald"),
        ("O'BRIEN", "O'Brien"),
        ("van der berg", "van der Berg"),
        ("MARIE-ÈVE", "Marie-Ève"),
        ("  JEAN   luc ", "Jean Luc"),
        ("Mrs", ""),
        ("Dr. Jane", "Jane"),
        ("DeShawn", "DeShawn"),
        ("McAllister", "McAllister"),
        ("JO", "JO"),
    ] {
        assert_eq!(names::check_person_name(raw).value, want, "{raw}");
    }
}

#[test]
fn emails() {
    for (raw, want, code) in [
        ("Mary.OBrien@Gmail.COM", "Mary.OBrien@gmail.com", None),
        (
            "mary@gmial.com",
            "mary@gmial.com",
            Some("email_domain_typo"),
        ),
        ("a@x.com; b@y.com", "a@x.com", Some("multiple_emails")),
        ("a@x.com, b@y.com", "a@x.com", Some("multiple_emails")),
        ("none@none.com", "", Some("placeholder_email")),
        ("NoEmail@vetclinic.com", "", Some("placeholder_email")),
        ("mary@", "mary@", Some("invalid_email")),
        ("<mary@x.org>", "mary@x.org", None),
        ("", "", None),
    ] {
        let out = email::check_email(raw);
        assert_eq!(out.value, want, "{raw}");
        assert_eq!(out.problems.first().map(|p| p.code.as_str()), code, "{raw}");
    }
    assert_eq!(
        email::check_email("mary@hotmail.con").problems[0].suggestion,
        "mary@hotmail.com"
    );
}

#[test]
fn phones() {
    for (raw, cc, want, code) in [
        ("(217) 555-0143", "US", "+12175550143", None),
        ("1.217.555.0143", "US", "+12175550143", None),
        ("+44 20 7946 0958", "US", "+442079460958", None),
        ("020 7946 0958", "GB", "+442079460958", None),
        ("(416) 555-0199", "CA", "+14165550199", None),
        (
            "217-555-0143 x204",
            "US",
            "+12175550143",
            Some("phone_extension"),
        ),
        ("000-000-0000", "US", "", Some("placeholder_phone")),
        ("555-5555", "US", "", Some("placeholder_phone")),
        ("9.85E+14", "US", "", Some("excel_mangled_number")),
        ("217-555-01", "US", "217-555-01", Some("invalid_phone")),
        (
            "(117) 555-0143",
            "US",
            "(117) 555-0143",
            Some("invalid_phone"),
        ),
    ] {
        let out = phone::check_phone(raw, cc);
        assert_eq!(out.value, want, "{raw}");
        assert_eq!(out.problems.first().map(|p| p.code.as_str()), code, "{raw}");
    }
}

#[test]
fn postal_codes_and_states() {
    for (raw, cc, state, want, code) in [
        ("62704", "US", "IL", "62704", None),
        ("627041234", "US", "IL", "62704-1234", None),
        ("2134", "US", "MA", "02134", Some("restored_leading_zero")),
        ("2134", "US", "", "02134", Some("restored_leading_zero")),
        ("601", "US", "PR", "00601", Some("restored_leading_zero")),
        ("6270", "US", "IL", "6270", Some("invalid_postal_code")),
        ("k1a0b1", "CA", "ON", "K1A 0B1", None),
        (
            "D1A 0B1",
            "CA",
            "ON",
            "D1A 0B1",
            Some("invalid_postal_code"),
        ),
        ("CB1 2JD", "GB", "", "CB1 2JD", None),
    ] {
        let out = address::check_postal_code(raw, cc, state);
        assert_eq!(out.value, want, "{raw}");
        assert_eq!(out.problem.as_ref().map(|p| p.code.as_str()), code, "{raw}");
    }
    assert_eq!(address::zip_states("02134"), Some(&["MA"][..]));
    assert_eq!(address::zip_states("10001"), Some(&["NY"][..]));
    assert_eq!(address::postal_provinces("M5V 2T6"), Some(&["ON"][..]));
    for (name, code) in [
        ("United States", "US"),
        ("U.S.A.", "US"),
        ("Canada", "CA"),
        ("United Kingdom", "GB"),
        ("Deutschland", "DE"),
    ] {
        assert_eq!(address::country_code(name), Some(code), "{name}");
    }
}

#[test]
fn breeds_and_weights() {
    for (species, raw, want) in [
        ("cat", "DSH", Some("Domestic Shorthair")),
        ("cat", "D.L.H.", Some("Domestic Longhair")),
        ("dog", "GSD", Some("German Shepherd")),
        ("dog", "Lab X", Some("Labrador Retriever Mix")),
        ("dog", "beagle mix", Some("Beagle Mix")),
        ("dog", "Yorkie", Some("Yorkshire Terrier")),
        ("dog", "Wolfdog hybrid", None),
        ("bird", "Cockatiel", None),
    ] {
        assert_eq!(
            patient::canonical_breed(species, raw).as_deref(),
            want,
            "{raw}"
        );
    }
    assert!(patient::check_weight("30", "dog").is_none());
    assert!(patient::check_weight("30", "cat").is_some());
    // 30 "kg" is no cat; 30 lb is 13.608 kg, which is: offered as the likely reading.
    let p = patient::check_weight("30", "cat").map(|p| p.suggestion);
    assert_eq!(p.as_deref(), Some("13.608"));
}
