//! Header analysis: turning "OwnerFirstName", "Owner First", "CLIENT_FNAME" and
//! "First Name (Client)" into the same tokens, and reading which entity a header is about.

use crate::canonical::Entity;

/// A header, taken apart for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo {
    /// The header as written.
    pub raw: String,
    /// Lowercase tokens with abbreviations expanded, entity markers removed.
    pub core: Vec<String>,
    /// `core` joined without spaces: compares "First Name", "FirstName" and "first_name" equal.
    pub compact: String,
    /// The entity a marker word names: "Owner", "Client", "Customer" → client;
    /// "Patient", "Pet", "Animal" → patient.
    pub entity: Option<Entity>,
    /// The marker words found, e.g. `["owner"]`.
    pub markers: Vec<String>,
}

const CLIENT_MARKERS: &[&str] = &[
    "client",
    "owner",
    "customer",
    "account",
    "household",
    "guardian",
    "parent",
    "contact",
    "responsible",
    "clients",
    "owners",
    "customers",
    "klant",
    "kunde",
    "besitzer",
    "eigenaar",
    "proprietaire",
    "cliente",
    "propietario",
    "asiakas",
    "omistaja",
    "tierhalter",
    "halter",
];
const PATIENT_MARKERS: &[&str] = &[
    "patient",
    "pet",
    "animal",
    "companion",
    "dier",
    "tier",
    "animale",
    "mascota",
    "paciente",
    "potilas",
    "elain",
    "huisdier",
    "haustier",
    "patients",
    "pets",
    "animals",
];

/// Abbreviations and run-together words, expanded before matching.
fn expand(token: &str) -> &str {
    match token {
        "no" | "num" | "nbr" | "nr" | "nmbr" | "numb" | "#" => "number",
        "tel" | "telephone" | "phn" | "ph" | "phone#" | "fon" => "phone",
        "mob" => "mobile",
        "cel" | "cellular" => "cell",
        "addr" | "adr" | "adress" | "addres" | "adddress" => "address",
        "desc" | "descr" | "dsc" | "descrip" => "description",
        "cd" => "code",
        "ident" | "identifier" => "id",
        "pt" | "pat" => "patient",
        "cl" | "cli" | "clt" | "cln" | "clnt" => "client",
        "cust" => "customer",
        "acct" | "acc" => "account",
        "ownr" => "owner",
        "fname" | "firstname" | "frst" => "first name",
        "lname" | "lastname" => "last name",
        "givenname" => "given name",
        "familyname" => "family name",
        "zipcode" => "zip code",
        "postalcode" => "postal code",
        "postcode" => "post code",
        "bdate" | "bday" | "birthdate" => "birth date",
        "dateofbirth" => "date of birth",
        "spp" | "spec" | "spc" | "specie" | "spcs" => "species",
        "brd" => "breed",
        "clr" | "colour" | "colr" => "color",
        "colours" => "colors",
        "wt" | "wgt" | "wght" => "weight",
        "sx" => "sex",
        "gndr" => "gender",
        "nm" | "nme" => "name",
        "prov" => "province",
        "ctry" | "cntry" => "country",
        "emailaddress" => "email address",
        "mchip" | "mc" => "microchip",
        "dod" => "date of death",
        "stat" | "sts" | "stts" => "status",
        _ => token,
    }
}

/// Splits a header into lowercase words: at spaces and punctuation, between a lowercase
/// and an uppercase letter ("ownerFirst"), before the last capital of an acronym
/// ("DOBDate"), and between letters and digits ("Phone1").
pub fn tokenize(raw: &str) -> Vec<String> {
    let chars: Vec<char> = raw.chars().collect();
    let mut tokens = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, tokens: &mut Vec<String>| {
        if !current.is_empty() {
            tokens.push(current.to_lowercase());
            current.clear();
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        if c == '#' {
            flush(&mut current, &mut tokens);
            tokens.push("#".into());
            continue;
        }
        if !c.is_alphanumeric() {
            flush(&mut current, &mut tokens);
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|j| chars.get(j)) {
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_alphabetic() && c.is_ascii_digit())
                || (prev.is_ascii_digit() && c.is_alphabetic())
                || (prev.is_uppercase()
                    && c.is_uppercase()
                    && next.is_some_and(char::is_lowercase));
            if boundary && prev.is_alphanumeric() {
                flush(&mut current, &mut tokens);
            }
        }
        current.push(c);
    }
    flush(&mut current, &mut tokens);
    tokens
}

/// Analyzes one header.
pub fn analyze(raw: &str) -> HeaderInfo {
    let mut words: Vec<String> = Vec::new();
    for token in tokenize(raw) {
        // Run-together marker prefixes: "ownerfirstname", "petname", "clientid".
        let split = CLIENT_MARKERS.iter().chain(PATIENT_MARKERS).find(|m| {
            token.len() >= m.len() + 2 && token.starts_with(*m) && !token.starts_with("parental")
        });
        let pieces: Vec<String> = match split {
            Some(m) => vec![m.to_string(), token[m.len()..].to_string()],
            None => vec![token],
        };
        for piece in pieces {
            for w in expand(&piece).split(' ') {
                words.push(w.to_string());
            }
        }
    }
    let mut markers = Vec::new();
    let mut core = Vec::new();
    for w in words {
        if CLIENT_MARKERS.contains(&w.as_str()) || PATIENT_MARKERS.contains(&w.as_str()) {
            markers.push(w);
        } else {
            core.push(w);
        }
    }
    let has_client = markers.iter().any(|m| CLIENT_MARKERS.contains(&m.as_str()));
    let has_patient = markers
        .iter()
        .any(|m| PATIENT_MARKERS.contains(&m.as_str()));
    // "Pet Owner", "Animal Parent", "Patient's Client ID": the owner of the pet is a client.
    let entity = match (has_client, has_patient) {
        (true, _) => Some(Entity::Client),
        (false, true) => Some(Entity::Patient),
        _ => None,
    };
    let compact = core.concat();
    HeaderInfo {
        raw: raw.to_string(),
        core,
        compact,
        entity,
        markers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizes_vendor_styles() {
        let out: Vec<(String, String, Option<Entity>)> = [
            "OwnerFirstName",
            "Owner First",
            "CLIENT_FNAME",
            "First Name (Client)",
            "ClientNo",
            "Client #",
            "PatientDOB",
            "Phone1AsIs",
            "Breed1Description",
            "E-Mail",
            "Pet Owner",
            "petname",
            "Zip/Postal Code",
            "DOBDate",
            "[Key]",
            "Animal Name",
            "Wt (lbs)",
        ]
        .iter()
        .map(|h| {
            let a = analyze(h);
            (h.to_string(), a.core.join(" "), a.entity)
        })
        .collect();
        insta::assert_debug_snapshot!(out);
    }
}
