//! The words and codes every step reads the same way: states and provinces, postal-code
//! shapes, street-type and unit words, name titles and suffixes, country names. Mapping,
//! validation and duplicate matching all take them from here, so they never disagree.

use std::collections::HashMap;
use std::sync::OnceLock;

/// US states, DC and territories, then Canadian provinces and territories.
pub const STATES: &[(&str, &str)] = &[
    ("AL", "alabama"),
    ("AK", "alaska"),
    ("AZ", "arizona"),
    ("AR", "arkansas"),
    ("CA", "california"),
    ("CO", "colorado"),
    ("CT", "connecticut"),
    ("DE", "delaware"),
    ("DC", "district of columbia"),
    ("FL", "florida"),
    ("GA", "georgia"),
    ("HI", "hawaii"),
    ("ID", "idaho"),
    ("IL", "illinois"),
    ("IN", "indiana"),
    ("IA", "iowa"),
    ("KS", "kansas"),
    ("KY", "kentucky"),
    ("LA", "louisiana"),
    ("ME", "maine"),
    ("MD", "maryland"),
    ("MA", "massachusetts"),
    ("MI", "michigan"),
    ("MN", "minnesota"),
    ("MS", "mississippi"),
    ("MO", "missouri"),
    ("MT", "montana"),
    ("NE", "nebraska"),
    ("NV", "nevada"),
    ("NH", "new hampshire"),
    ("NJ", "new jersey"),
    ("NM", "new mexico"),
    ("NY", "new york"),
    ("NC", "north carolina"),
    ("ND", "north dakota"),
    ("OH", "ohio"),
    ("OK", "oklahoma"),
    ("OR", "oregon"),
    ("PA", "pennsylvania"),
    ("RI", "rhode island"),
    ("SC", "south carolina"),
    ("SD", "south dakota"),
    ("TN", "tennessee"),
    ("TX", "texas"),
    ("UT", "utah"),
    ("VT", "vermont"),
    ("VA", "virginia"),
    ("WA", "washington"),
    ("WV", "west virginia"),
    ("WI", "wisconsin"),
    ("WY", "wyoming"),
    ("PR", "puerto rico"),
    ("GU", "guam"),
    ("VI", "virgin islands"),
    ("AS", "american samoa"),
    ("MP", "northern mariana islands"),
    ("AB", "alberta"),
    ("BC", "british columbia"),
    ("MB", "manitoba"),
    ("NB", "new brunswick"),
    ("NL", "newfoundland and labrador"),
    ("NS", "nova scotia"),
    ("NT", "northwest territories"),
    ("NU", "nunavut"),
    ("ON", "ontario"),
    ("PE", "prince edward island"),
    ("QC", "quebec"),
    ("SK", "saskatchewan"),
    ("YT", "yukon"),
];

/// Australian states and territories (`WA` and `NT` are also written by the tables above).
pub const AU_STATES: &[(&str, &str)] = &[
    ("NSW", "new south wales"),
    ("VIC", "victoria"),
    ("QLD", "queensland"),
    ("SA", "south australia"),
    ("WA", "western australia"),
    ("TAS", "tasmania"),
    ("NT", "northern territory"),
    ("ACT", "australian capital territory"),
];

/// The code of a US state, Canadian province or Australian state written as a code or a name.
pub fn state_code(text: &str) -> Option<&'static str> {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    let t = t.replace('.', "");
    if t.is_empty() {
        return None;
    }
    STATES
        .iter()
        .find(|(code, name)| code.eq_ignore_ascii_case(&t) || *name == t)
        .or_else(|| {
            AU_STATES
                .iter()
                .find(|(code, name)| code.eq_ignore_ascii_case(&t) || *name == t)
        })
        .map(|(code, _)| *code)
        .or(match t.as_str() {
            "newfoundland" => Some("NL"),
            "québec" => Some("QC"),
            "yukon territory" => Some("YT"),
            "wash" => Some("WA"),
            "calif" => Some("CA"),
            "mass" => Some("MA"),
            "penn" | "penna" => Some("PA"),
            "fla" => Some("FL"),
            "tex" => Some("TX"),
            "ill" => Some("IL"),
            _ => None,
        })
}

/// Whether the text is a US ZIP (5 digits or ZIP+4).
pub fn is_zip(t: &str) -> bool {
    let b = t.as_bytes();
    (b.len() == 5 && b.iter().all(u8::is_ascii_digit))
        || (b.len() == 10
            && b[5] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 5 || c.is_ascii_digit()))
        || (b.len() == 9 && b.iter().all(u8::is_ascii_digit))
}

/// Whether the text is a Canadian postal code (`K1A 0B1` or `K1A0B1`).
pub fn is_canadian_postal(t: &str) -> bool {
    let compact: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() == 6
        && compact.iter().enumerate().all(|(i, c)| {
            if i % 2 == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Words that begin a unit, suite or box part of an address line.
pub const UNIT_WORDS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "#",
    "bldg",
    "building",
    "fl",
    "floor",
    "rm",
    "room",
    "lot",
    "trlr",
    "dept",
    "box",
];

/// Street-type words as addresses write them, abbreviated or in full.
pub const STREET_WORDS: &[&str] = &[
    "st",
    "street",
    "ave",
    "avenue",
    "av",
    "rd",
    "road",
    "blvd",
    "boulevard",
    "dr",
    "drive",
    "ln",
    "lane",
    "way",
    "ct",
    "court",
    "pl",
    "place",
    "cir",
    "circle",
    "ter",
    "terrace",
    "pkwy",
    "parkway",
    "hwy",
    "highway",
    "trl",
    "trail",
    "sq",
    "square",
    "loop",
    "row",
    "crescent",
    "cres",
    "close",
    "pike",
    "run",
    "path",
    "walk",
    "xing",
    "crossing",
    "route",
    "rte",
    "expy",
];

/// The written-out form of a street-type, direction or unit abbreviation (`St` → `street`,
/// `NE` → `northeast`, `Apt` → `apartment`); any other word as it is.
pub fn written_out(word: &str) -> &str {
    match word {
        "st" | "str" => "street",
        "rd" => "road",
        "ave" | "av" | "avn" => "avenue",
        "dr" | "drv" => "drive",
        "ln" => "lane",
        "ct" | "crt" => "court",
        "pl" => "place",
        "blvd" | "bvd" => "boulevard",
        "hwy" => "highway",
        "pkwy" | "pky" => "parkway",
        "cres" | "cr" | "cresc" => "crescent",
        "cct" | "crct" => "circuit",
        "tce" | "ter" | "terr" => "terrace",
        "pde" => "parade",
        "cl" => "close",
        "sq" => "square",
        "cir" => "circle",
        "trl" => "trail",
        "xing" => "crossing",
        "rte" => "route",
        "expy" => "expressway",
        "n" => "north",
        "s" => "south",
        "e" => "east",
        "w" => "west",
        "ne" => "northeast",
        "nw" => "northwest",
        "se" => "southeast",
        "sw" => "southwest",
        "apt" | "appt" => "apartment",
        "ste" => "suite",
        "bldg" => "building",
        "fl" => "floor",
        "rm" => "room",
        other => other,
    }
}

/// Titles written before a name (a title alone is never a first name).
pub const TITLES: &[&str] = &[
    "dr", "mr", "mrs", "ms", "miss", "mx", "mstr", "master", "prof", "rev", "fr", "sir", "dame",
    "hon", "capt", "col", "maj", "lt", "sgt", "doctor", "messrs", "mmes",
];
/// Generational and professional suffixes written after a name.
pub const SUFFIXES: &[&str] = &[
    "jr", "sr", "junior", "senior", "ii", "iii", "iv", "v", "dvm", "md", "phd", "esq", "dds", "rn",
    "vmd",
];

/// Legal forms written after a business's name (`Riverside Kennels LLC`, `Acme Pty Ltd`).
const LEGAL_FORMS: &[&str] = &[
    "llc",
    "l.l.c",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "pty",
    "gmbh",
    "ag",
    "sarl",
    "sas",
    "bv",
    "nv",
    "lp",
    "llp",
    "pllc",
    "pc",
    "ulc",
    "srl",
    "ab",
    "oy",
    "as",
];
/// Words that name a business, a herd or an institution rather than a person.
const BUSINESS_WORDS: &[&str] = &[
    "kennel",
    "kennels",
    "farm",
    "farms",
    "ranch",
    "ranches",
    "rescue",
    "rescues",
    "stable",
    "stables",
    "shelter",
    "sanctuary",
    "cattery",
    "breeders",
    "breeding",
    "equestrian",
    "dairy",
    "feedlot",
    "livestock",
    "cattle",
    "poultry",
    "zoo",
    "aquarium",
    "humane",
    "society",
    "spca",
    "association",
    "foundation",
    "trust",
    "club",
    "clinic",
    "hospital",
    "police",
    "sheriff",
    "department",
    "dept",
    "county",
    "council",
    "university",
    "college",
    "school",
    "academy",
    "enterprises",
    "holdings",
    "partners",
    "services",
    "group",
    "sons",
    "bros",
    "brothers",
    "k9",
    "k-9",
    "grooming",
    "boarding",
    "daycare",
    "petshop",
    "vineyard",
    "vineyards",
    "estate",
    "orchard",
];

/// Whether a client name is an organisation's (a legal form after it, or a word such as
/// Kennels, Farm, Rescue or Stables), which is never split into a person's names.
pub fn is_organisation(name: &str) -> bool {
    // `Stable, Anna` is a person written last name first; `Acme Rescue, Inc.` is not.
    if let Some((before, after)) = name.split_once(',') {
        let after = after.trim().trim_matches('.').to_lowercase();
        let legal_after = LEGAL_FORMS.contains(&after.as_str()) || after == "pty ltd";
        if !after.is_empty() && !legal_after {
            return false;
        }
        if legal_after && !before.trim().is_empty() {
            return true;
        }
    }
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .map(|w| w.trim_matches('.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    // A business name has at least two words; a lone "Farm" or "Co" is someone's name.
    if words.len() < 2 {
        return false;
    }
    let legal_form = words
        .last()
        .is_some_and(|w| LEGAL_FORMS.contains(&w.as_str()))
        || words.windows(2).any(|w| w[0] == "pty" && w[1] == "ltd");
    legal_form || words.iter().any(|w| BUSINESS_WORDS.contains(&w.as_str()))
}

fn countries() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("data/countries.tsv")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(k, v)| (k.to_string(), v))
            .collect()
    })
}

/// A country name or code as ISO 3166-1 alpha-2 ("United States", "USA", "u.s.a." → `US`);
/// None when the table does not know it.
pub fn country_code(text: &str) -> Option<&'static str> {
    let key: String = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    countries().get(&key).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_table_answers_for_every_step() {
        assert_eq!(country_code("United States of America"), Some("US"));
        assert_eq!(country_code("u.s.a."), Some("US"));
        assert_eq!(country_code("España"), country_code("Spain"));
        assert_eq!(country_code("Narnia"), None);
        assert_eq!(state_code("Calif."), Some("CA"));
        assert_eq!(written_out("blvd"), "boulevard");
        assert!(STREET_WORDS.contains(&"blvd") && SUFFIXES.contains(&"jr"));
    }
}
