//! Demo data: a few clinics with existing clients and pets, the same on every start.
//!
//! Riverside Animal Hospital already holds near-duplicates of the people in
//! `fixtures/demo/riverside-clients-pets.csv` — the same person at a new address, an e-mail in
//! other case, a name without its accent — so a duplicate review has real cases to show.

use rusqlite::{params, Connection};

use crate::db::db_error;
use crate::SandboxError;

/// A token of the sandbox with what it may do. Sandbox tokens are not secrets: they
/// only open this local server, and are printed at start for that reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoToken {
    /// What the token is for.
    pub name: String,
    /// The bearer token.
    pub token: String,
    /// `importer` or `read_only`.
    pub role: String,
    /// Clinic ids the token may use.
    pub clinics: Vec<String>,
}

/// Id, name, country, and whether PH requires an e-mail for each client.
const CLINICS: &[(&str, &str, &str, bool)] = &[
    ("riverside", "Riverside Animal Hospital", "US", false),
    ("maple-grove", "Maple Grove Veterinary Clinic", "US", true),
    ("harbor-cats", "Harbor Cats Only", "US", false),
];

/// The demo tokens, one per role, plus one limited to a single clinic.
pub fn demo_tokens() -> Vec<DemoToken> {
    let all: Vec<String> = CLINICS.iter().map(|(id, ..)| (*id).to_owned()).collect();
    vec![
        DemoToken {
            name: "Importer, all demo clinics".into(),
            token: "phsb_importer_demo".into(),
            role: "importer".into(),
            clinics: all.clone(),
        },
        DemoToken {
            name: "Read-only, all demo clinics".into(),
            token: "phsb_readonly_demo".into(),
            role: "read_only".into(),
            clinics: all,
        },
        DemoToken {
            name: "Importer, Harbor Cats Only".into(),
            token: "phsb_importer_harbor".into(),
            role: "importer".into(),
            clinics: vec!["harbor-cats".into()],
        },
    ]
}

struct Client<'a> {
    external_id: Option<&'a str>,
    first: &'a str,
    last: &'a str,
    email: Option<&'a str>,
    phone: Option<&'a str>,
    line1: &'a str,
    city: &'a str,
    state: &'a str,
    zip: &'a str,
    pets: &'a [(&'a str, &'a str, &'a str, &'a str)],
}

/// The near-duplicates of the Riverside demo export.
const RIVERSIDE_KNOWN: &[Client] = &[
    // Same client ID and name, new address: a discrepancy, never to be overwritten silently.
    Client {
        external_id: Some("10023"),
        first: "José",
        last: "Müller",
        email: Some("jose.muller@example.com"),
        phone: Some("+12175550143"),
        line1: "48 Oak Ave",
        city: "Springfield",
        state: "IL",
        zip: "62702",
        pets: &[("P-501", "Biscuit", "dog", "Labrador Retriever")],
    },
    // Entered by hand in PH: no client ID, accent dropped, e-mail in capitals.
    Client {
        external_id: None,
        first: "Siobhan",
        last: "OBrien",
        email: Some("SOBRIEN@EXAMPLE.ORG"),
        phone: Some("+16175550110"),
        line1: "4 Harbor Rd",
        city: "Boston",
        state: "MA",
        zip: "02134",
        pets: &[],
    },
    // Exactly as in the export: re-importing must change nothing.
    Client {
        external_id: Some("10044"),
        first: "Thanh",
        last: "Nguyen",
        email: Some("thanh.nguyen@example.net"),
        phone: Some("+15125550188"),
        line1: "900 Oak Ave",
        city: "Austin",
        state: "TX",
        zip: "78701",
        pets: &[("P-611", "Mochi", "cat", "Siamese")],
    },
    // Same phone, other e-mail, name without accents.
    Client {
        external_id: None,
        first: "Ana Maria",
        last: "Garcia",
        email: Some("anamaria.g@example.com"),
        phone: Some("+13055550123"),
        line1: "77 Pine Ct",
        city: "Miami",
        state: "FL",
        zip: "33101",
        pets: &[("", "Luna", "dog", "Chihuahua")],
    },
];

const FIRST: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Aiden",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Lee",
];
const STREETS: &[&str] = &[
    "Elm St",
    "Maple Ave",
    "Oak Dr",
    "Cedar Ln",
    "Park Blvd",
    "Lake Rd",
    "Hill St",
    "River Way",
];
const DOGS: &[(&str, &str)] = &[
    ("Max", "Golden Retriever"),
    ("Bella", "Beagle"),
    ("Rocky", "Boxer"),
    ("Daisy", "Poodle"),
    ("Cooper", "Labrador Retriever"),
];
const CATS: &[(&str, &str)] = &[
    ("Oliver", "Domestic Shorthair"),
    ("Lily", "Maine Coon"),
    ("Milo", "Ragdoll"),
    ("Cleo", "Siamese"),
    ("Simba", "Domestic Longhair"),
];

/// Loads the demo data unless the database already has clinics (a kept data folder).
pub(crate) fn seed(conn: &mut Connection) -> Result<(), SandboxError> {
    let existing: i64 = conn
        .query_row("SELECT COUNT(*) FROM clinics", [], |r| r.get(0))
        .map_err(db_error)?;
    if existing > 0 {
        return Ok(());
    }
    let tx = conn.transaction().map_err(db_error)?;
    for (id, name, country, requires_email) in CLINICS {
        add_clinic(&tx, id, name, country, *requires_email)?;
    }
    for t in demo_tokens() {
        add_token(&tx, &t)?;
    }
    for c in RIVERSIDE_KNOWN {
        insert(&tx, "riverside", c)?;
    }
    for (clinic, count, cats_only, offset) in [
        ("riverside", 26, false, 0),
        ("maple-grove", 30, false, 7),
        ("harbor-cats", 20, true, 13),
    ] {
        for i in 0..count {
            generated(&tx, clinic, i + offset, cats_only)?;
        }
    }
    tx.commit().map_err(db_error)
}

/// Adds a clinic (or renames it, when it exists).
pub(crate) fn add_clinic(
    conn: &Connection,
    id: &str,
    name: &str,
    country: &str,
    requires_email: bool,
) -> Result<(), SandboxError> {
    conn.execute(
        "INSERT INTO clinics (id, name, country, requires_email) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, country = excluded.country,
             requires_email = excluded.requires_email",
        params![id, name, country, requires_email],
    )
    .map_err(db_error)?;
    Ok(())
}

/// Adds a token (or replaces the one with the same value); only its hash is stored.
pub(crate) fn add_token(conn: &Connection, t: &DemoToken) -> Result<(), SandboxError> {
    let clinics = serde_json::to_string(&t.clinics).map_err(|e| SandboxError::Database {
        reason: format!("could not store the clinics of token {}: {e}", t.name),
    })?;
    conn.execute(
        "INSERT OR REPLACE INTO tokens (token_sha256, name, role, clinics) VALUES (?1, ?2, ?3, ?4)",
        params![crate::auth::token_hash(&t.token), t.name, t.role, clinics],
    )
    .map_err(db_error)?;
    Ok(())
}

/// Adds `n` generated clients with one or two pets each to a clinic, for paging tests.
/// External ids continue from the clinic's current client count, so repeated calls never clash.
pub(crate) fn bulk(conn: &mut Connection, clinic: &str, n: usize) -> Result<usize, SandboxError> {
    let tx = conn.transaction().map_err(db_error)?;
    let exists: bool = tx
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM clinics WHERE id = ?1)",
            [clinic],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    if !exists {
        return Err(SandboxError::Invalid {
            reason: format!("there is no clinic {clinic:?} to add clients to; add it first"),
        });
    }
    let start: i64 = tx
        .query_row(
            "SELECT COUNT(*) FROM clients WHERE clinic_id = ?1",
            [clinic],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    let now = crate::db::now();
    {
        let mut client = tx
            .prepare(
                "INSERT INTO clients (clinic_id, external_id, first_name, last_name, email, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )
            .map_err(db_error)?;
        let mut patient = tx
            .prepare(
                "INSERT INTO patients (clinic_id, client_id, external_id, name, species, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )
            .map_err(db_error)?;
        for i in 0..n {
            let number = start as usize + i;
            let external = format!("BULK{number:06}");
            let first = FIRST[number % FIRST.len()];
            let last = LAST[(number * 7) % LAST.len()];
            let email = format!("bulk{number}@example.com");
            client
                .execute(params![clinic, external, first, last, email, now])
                .map_err(db_error)?;
            let client_id = tx.last_insert_rowid();
            for p in 0..(1 + number % 2) {
                let (name, species) = if p == 0 {
                    (DOGS[number % DOGS.len()].0, "dog")
                } else {
                    (CATS[number % CATS.len()].0, "cat")
                };
                patient
                    .execute(params![
                        clinic,
                        client_id,
                        format!("{external}-{p}"),
                        name,
                        species,
                        now
                    ])
                    .map_err(db_error)?;
            }
        }
    }
    tx.commit().map_err(db_error)?;
    Ok(n)
}

fn insert(tx: &rusqlite::Transaction, clinic: &str, c: &Client) -> Result<(), SandboxError> {
    let now = crate::db::now();
    tx.execute(
        "INSERT INTO clients (clinic_id, external_id, first_name, last_name, email, phone, address_line1, city, state, postal_code, country, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'US', ?11, ?11)",
        params![clinic, c.external_id, c.first, c.last, c.email, c.phone, c.line1, c.city, c.state, c.zip, now],
    )
    .map_err(db_error)?;
    let client_id = tx.last_insert_rowid();
    for (external, name, species, breed) in c.pets {
        let external = (!external.is_empty()).then_some(*external);
        tx.execute(
            "INSERT INTO patients (clinic_id, client_id, external_id, name, species, breed, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            params![clinic, client_id, external, name, species, breed, now],
        )
        .map_err(db_error)?;
    }
    Ok(())
}

fn generated(
    tx: &rusqlite::Transaction,
    clinic: &str,
    i: usize,
    cats_only: bool,
) -> Result<(), SandboxError> {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i * 7) % LAST.len()];
    let external = format!("{}{:04}", &clinic[..1].to_uppercase(), 2000 + i);
    let email = format!(
        "{}.{}{}@example.com",
        first.to_lowercase(),
        last.to_lowercase(),
        i
    );
    let phone = format!("+1217555{:04}", 1000 + i);
    let line1 = format!("{} {}", 100 + i * 3, STREETS[i % STREETS.len()]);
    let pet_count = 1 + i % 3;
    let mut pets = Vec::new();
    for p in 0..pet_count {
        let cat = cats_only || (i + p) % 2 == 1;
        let (name, breed) = if cat {
            CATS[(i + p) % CATS.len()]
        } else {
            DOGS[(i + p) % DOGS.len()]
        };
        pets.push((
            format!("{external}-{p}"),
            name,
            if cat { "cat" } else { "dog" },
            breed,
        ));
    }
    let pet_refs: Vec<(&str, &str, &str, &str)> = pets
        .iter()
        .map(|(e, n, s, b)| (e.as_str(), *n, *s, *b))
        .collect();
    insert(
        tx,
        clinic,
        &Client {
            external_id: Some(&external),
            first,
            last,
            email: Some(&email),
            phone: Some(&phone),
            line1: &line1,
            city: "Springfield",
            state: "IL",
            zip: "62704",
            pets: &pet_refs,
        },
    )
}
