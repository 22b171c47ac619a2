//! Code tables: the many ways PIMS write a species or a sex, mapped to canonical values.
//!
//! Lookups normalize the source text first (case, punctuation, spaces), so "M/N", "m-n"
//! and "MN" are one code. A value not in the table is reported, never mapped to `other`
//! or `unknown` silently: the user maps it in the code-table step instead.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A user's (or profile's) own mapping of one source code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CodeEntry {
    /// The source value as written in the file.
    pub code: String,
    /// What it means: a canonical species, or for sex one of `male`, `female`, `unknown`,
    /// `male_neutered`, `female_spayed`, `male_intact`, `female_intact`, `neutered`.
    pub value: String,
}

/// Normalizes a code for lookup: lowercase letters and digits only.
pub fn code_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

const SPECIES_CODES: &[(&str, &[&str])] = &[
    (
        "dog",
        &[
            "dog",
            "dogs",
            "canine",
            "canines",
            "canis",
            "canisfamiliaris",
            "k9",
            "can",
            "cn",
            "d",
            "puppy",
            "pup",
            "caninedog",
            "dogcanine",
            "k",
            "cani",
            "hund",
            "chien",
            "perro",
            "hond",
            "koira",
        ],
    ),
    (
        "cat",
        &[
            "cat",
            "cats",
            "feline",
            "felines",
            "fel",
            "fe",
            "c",
            "kitten",
            "felis",
            "feliscatus",
            "felinecat",
            "catfeline",
            "dsh",
            "dlh",
            "dmh",
            "domesticshorthair",
            "domesticlonghair",
            "domesticmediumhair",
            "katze",
            "chat",
            "gato",
            "kat",
            "kissa",
            "fline",
        ],
    ),
    (
        "bird",
        &[
            "bird",
            "birds",
            "avian",
            "av",
            "avi",
            "b",
            "parrot",
            "budgie",
            "budgerigar",
            "parakeet",
            "cockatiel",
            "canary",
            "finch",
            "macaw",
            "cockatoo",
            "conure",
            "lovebird",
            "africangrey",
            "chicken",
            "poultry",
            "duck",
            "pigeon",
            "dove",
            "psittacine",
            "amazon",
            "vogel",
            "oiseau",
            "ave",
            "lintu",
        ],
    ),
    (
        "rabbit",
        &[
            "rabbit",
            "rabbits",
            "lapine",
            "lag",
            "lago",
            "lagomorph",
            "bunny",
            "rab",
            "rb",
            "rbt",
            "kaninchen",
            "lapin",
            "conejo",
            "konijn",
            "kani",
        ],
    ),
    (
        "rodent",
        &[
            "rodent",
            "rodents",
            "rod",
            "rat",
            "mouse",
            "mice",
            "hamster",
            "guineapig",
            "gp",
            "gerbil",
            "chinchilla",
            "degu",
            "cavy",
            "cavia",
            "pocketpet",
            "smallmammal",
            "smallanimal",
            "squirrel",
            "meerschweinchen",
            "cobaye",
        ],
    ),
    (
        "ferret",
        &[
            "ferret",
            "ferrets",
            "fer",
            "frt",
            "mustelid",
            "frettchen",
            "furet",
            "hurn",
        ],
    ),
    (
        "horse",
        &[
            "horse",
            "horses",
            "equine",
            "eq",
            "equ",
            "eqn",
            "pony",
            "donkey",
            "mule",
            "miniaturehorse",
            "minihorse",
            "equus",
            "pferd",
            "cheval",
            "caballo",
            "paard",
            "hevonen",
        ],
    ),
    (
        "reptile",
        &[
            "reptile",
            "reptiles",
            "rep",
            "rept",
            "reptilian",
            "lizard",
            "snake",
            "turtle",
            "tortoise",
            "gecko",
            "leopardgecko",
            "iguana",
            "beardeddragon",
            "python",
            "ballpython",
            "boa",
            "chameleon",
            "skink",
            "monitor",
            "terrapin",
            "reptil",
        ],
    ),
    (
        "other",
        &[
            "other",
            "oth",
            "exotic",
            "exotics",
            "misc",
            "miscellaneous",
            "pig",
            "potbelliedpig",
            "goat",
            "sheep",
            "cow",
            "cattle",
            "bovine",
            "porcine",
            "caprine",
            "ovine",
            "camelid",
            "alpaca",
            "llama",
            "amphibian",
            "frog",
            "fish",
            "hedgehog",
            "sugarglider",
            "primate",
            "invertebrate",
            "spider",
            "tarantula",
            "wildlife",
            "andere",
            "autre",
            "otro",
        ],
    ),
];

/// Breed words that reveal a species when a species column holds breeds instead.
const BREED_HINTS: &[(&str, &[&str])] = &[
    (
        "dog",
        &[
            "retriever",
            "labrador",
            "lab",
            "terrier",
            "shepherd",
            "poodle",
            "spaniel",
            "beagle",
            "bulldog",
            "chihuahua",
            "dachshund",
            "boxer",
            "husky",
            "collie",
            "pitbull",
            "schnauzer",
            "shihtzu",
            "yorkie",
            "pug",
            "doodle",
            "goldendoodle",
            "labradoodle",
            "hound",
            "mastiff",
            "corgi",
            "rottweiler",
        ],
    ),
    (
        "cat",
        &[
            "siamese",
            "persian",
            "mainecoon",
            "ragdoll",
            "bengal",
            "sphynx",
            "tabby",
        ],
    ),
];

/// The canonical species for a source code, from the built-in table; `None` when unknown.
pub fn builtin_species(text: &str) -> Option<&'static str> {
    let key = code_key(text);
    if key.is_empty() {
        return None;
    }
    let lookup = |k: &str| {
        SPECIES_CODES
            .iter()
            .find(|(_, codes)| codes.contains(&k))
            .map(|(s, _)| *s)
    };
    if let Some(s) = lookup(&key) {
        return Some(s);
    }
    // "Canine - Dog", "DOG (K9)", "Cat, domestic": any word that is a known code.
    // Single letters only count when they are the whole value.
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(code_key)
        .filter(|w| w.len() > 1)
        .collect();
    let found: Vec<&str> = words.iter().filter_map(|w| lookup(w)).collect();
    if let Some(first) = found.first() {
        if found.iter().all(|s| s == first) {
            return Some(first);
        }
        return None;
    }
    BREED_HINTS
        .iter()
        .find(|(_, hints)| {
            words.iter().any(|w| hints.contains(&w.as_str())) || hints.contains(&key.as_str())
        })
        .map(|(s, _)| *s)
}

/// The species for a source value: the user's entries first, then the built-in table. An
/// entry with no value (a code listed but not yet decided) reads as unknown, so the rows
/// are reported rather than silently left without a species.
pub fn species(text: &str, overrides: &[CodeEntry]) -> Option<String> {
    let key = code_key(text);
    if let Some(entry) = overrides.iter().find(|e| code_key(&e.code) == key) {
        let value = entry.value.trim();
        return (!value.is_empty()).then(|| value.to_owned());
    }
    builtin_species(text).map(str::to_string)
}

/// A sex code's meaning: sex and, when the code says, whether the pet is neutered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SexCode {
    /// `male`, `female` or `unknown`.
    pub sex: &'static str,
    /// `Some(true)` spayed/neutered, `Some(false)` intact, `None` not said.
    pub neutered: Option<bool>,
}

const fn sc(sex: &'static str, neutered: Option<bool>) -> SexCode {
    SexCode { sex, neutered }
}

const SEX_CODES: &[(&[&str], SexCode)] = &[
    (
        &["m", "male", "ma", "mal", "boy", "masculino", "männlich"],
        sc("male", None),
    ),
    (
        &[
            "mi",
            "im",
            "mint",
            "intactmale",
            "maleintact",
            "malentire",
            "maleentire",
            "entiremale",
            "me",
            "em",
            "mu",
            "maleunaltered",
            "unalteredmale",
            "mentire",
            // Large-animal and ferret words name an intact male.
            "stallion",
            "stud",
            "stln",
            "colt",
            "bull",
            "ram",
            "buck",
            "boar",
            "jack",
            "hob",
        ],
        sc("male", Some(false)),
    ),
    (
        &[
            "mn",
            "nm",
            "mc",
            "cm",
            "maleneutered",
            "neuteredmale",
            "malecastrated",
            "castratedmale",
            "castrated",
            "castrate",
            "mneut",
            "mneutered",
            "malefixed",
            "fixedmale",
            "malealtered",
            "alteredmale",
            "maledesexed",
            "desexedmale",
            "mk",
            "mcastrated",
            "mnc",
            // Large-animal and ferret words name a castrated male.
            "gelding",
            "geld",
            "gld",
            "steer",
            "wether",
            "weth",
            "wthr",
            "barrow",
            "gib",
        ],
        sc("male", Some(true)),
    ),
    (
        &["f", "female", "fem", "fe", "girl", "femenino", "weiblich"],
        sc("female", None),
    ),
    (
        &[
            "fi",
            "if",
            "fint",
            "intactfemale",
            "femaleintact",
            "femaleentire",
            "entirefemale",
            "ef",
            "femaleunaltered",
            "unalteredfemale",
            "fentire",
            // Breeding words name an intact female; a spayed one is written as such.
            "mare",
            "filly",
            "heifer",
            "hfr",
            "cow",
            "ewe",
            "doe",
            "sow",
            "gilt",
            "jenny",
            "jennet",
            "jill",
        ],
        sc("female", Some(false)),
    ),
    (
        &[
            "fs",
            "sf",
            "fn",
            "nf",
            "spayedfemale",
            "femalespayed",
            "spayed",
            "spay",
            "femaleneutered",
            "neuteredfemale",
            "fspayed",
            "fspay",
            "femalefixed",
            "fixedfemale",
            "femalealtered",
            "alteredfemale",
            "femaledesexed",
            "desexedfemale",
            "s",
            "fk",
            "fsp",
            // A spayed large animal or ferret (a jill spayed is a sprite).
            "spayedheifer",
            "heiferspayed",
            "spayedmare",
            "marespayed",
            "sprite",
        ],
        sc("female", Some(true)),
    ),
    (
        &[
            "u",
            "unk",
            "unknown",
            "uk",
            "undetermined",
            "notknown",
            "x",
            "na",
            "unspecified",
        ],
        sc("unknown", None),
    ),
    (
        &[
            "neutered",
            "n",
            "fixed",
            "altered",
            "desexed",
            "sterilized",
            "sterilised",
        ],
        sc("unknown", Some(true)),
    ),
];

/// The built-in meaning of a sex code; `None` when unknown.
pub fn builtin_sex(text: &str) -> Option<SexCode> {
    let key = code_key(text);
    if key.is_empty() {
        return None;
    }
    // Earlier rows win, so an entry listed twice by mistake keeps its first meaning.
    SEX_CODES
        .iter()
        .find(|(codes, _)| codes.contains(&key.as_str()))
        .map(|(_, c)| *c)
}

fn sex_from_value(value: &str) -> Option<SexCode> {
    Some(match value {
        "male" => sc("male", None),
        "female" => sc("female", None),
        "unknown" => sc("unknown", None),
        "male_neutered" => sc("male", Some(true)),
        "female_spayed" => sc("female", Some(true)),
        "male_intact" => sc("male", Some(false)),
        "female_intact" => sc("female", Some(false)),
        "neutered" => sc("unknown", Some(true)),
        _ => return None,
    })
}

/// The sex code for a source value: the user's entries first, then the built-in table.
pub fn sex(text: &str, overrides: &[CodeEntry]) -> Option<SexCode> {
    let key = code_key(text);
    if let Some(entry) = overrides.iter().find(|e| code_key(&e.code) == key) {
        return sex_from_value(&entry.value);
    }
    builtin_sex(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undecided_species_code_is_unknown() {
        let entry = |code: &str, value: &str| CodeEntry {
            code: code.into(),
            value: value.into(),
        };
        // Even a code the built-in table knows: the mapping said it is not decided yet.
        assert_eq!(species("K9", &[entry("k9", "")]), None);
        assert_eq!(species("Lapin", &[entry("LAPIN", " ")]), None);
        assert_eq!(
            species("Lapin", &[entry("lapin", "rabbit")]).as_deref(),
            Some("rabbit")
        );
    }

    #[test]
    fn species_codes() {
        let out: Vec<(&str, Option<&str>)> = [
            "K9",
            "CAN",
            "Canine",
            "FEL",
            "Feline",
            "DSH",
            "dog",
            "Canine - Dog",
            "AVIAN",
            "Guinea Pig",
            "Bearded Dragon",
            "EQ",
            "Lab X",
            "Goat",
            "Rock",
            "F",
            "",
        ]
        .iter()
        .map(|c| (*c, builtin_species(c)))
        .collect();
        insta::assert_debug_snapshot!(out);
    }

    #[test]
    fn sex_codes() {
        let out: Vec<(&str, Option<SexCode>)> = [
            "MN",
            "FS",
            "MI",
            "FI",
            "M/N",
            "Spayed Female",
            "M",
            "F",
            "Male Neutered",
            "Female (Spayed)",
            "CM",
            "U",
            "Neutered",
            "N/A",
            "Q",
        ]
        .iter()
        .map(|c| (*c, builtin_sex(c)))
        .collect();
        insta::assert_debug_snapshot!(out);
    }

    #[test]
    fn large_animal_words_say_sex_and_neutering() {
        let male_neutered = [
            "Gelding", "GELD", "gld", "Steer", "Wether", "Weth", "Barrow", "Gib",
        ];
        let female_intact = [
            "Mare", "Filly", "Heifer", "HFR", "Cow", "Ewe", "Doe", "Sow", "Gilt", "Jenny",
            "Jennet", "Jill",
        ];
        let male_intact = [
            "Stallion", "Stud", "Colt", "Bull", "Ram", "Buck", "Boar", "Jack", "Hob",
        ];
        let female_spayed = ["Spayed Heifer", "Mare (spayed)", "Sprite"];
        for code in male_neutered {
            assert_eq!(builtin_sex(code), Some(sc("male", Some(true))), "{code}");
        }
        for code in female_intact {
            assert_eq!(builtin_sex(code), Some(sc("female", Some(false))), "{code}");
        }
        for code in male_intact {
            assert_eq!(builtin_sex(code), Some(sc("male", Some(false))), "{code}");
        }
        for code in female_spayed {
            assert_eq!(builtin_sex(code), Some(sc("female", Some(true))), "{code}");
        }
    }

    #[test]
    fn overrides_win() {
        let table = [CodeEntry {
            code: "Q".into(),
            value: "female_spayed".into(),
        }];
        assert_eq!(sex("q", &table), Some(sc("female", Some(true))));
        let table = [CodeEntry {
            code: "Pocket".into(),
            value: "ferret".into(),
        }];
        assert_eq!(species("POCKET", &table).as_deref(), Some("ferret"));
    }
}
