//! Households, clients and their pets, drawn one client at a time.
//!
//! Nothing here holds the file: a client is made, written and dropped. What is kept is
//! bounded or small: a sample of earlier clients to copy as duplicates, and the hashes of
//! e-mail addresses and street addresses already given out, so that two unrelated people
//! never share one by accident (only households and duplicates share them, on purpose).

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::data::{self, Tables, SPECIES, STREET_TYPES};
use crate::defects::{self, Truth};
use crate::rng::{Rng, Weighted};

/// Share of clients that are a second record of someone already in the file.
const DUPLICATE_RATE: f64 = 0.03;
/// How many earlier clients are kept to copy from; a uniform sample of all of them,
/// so a duplicate may be far from its original in the file, as in a real database.
const RESERVOIR: usize = 4096;
/// Clients without an e-mail address.
const NO_EMAIL: f64 = 0.08;
/// The day the export was taken: fixed, so a seed always gives the same file.
const EXPORT_DAY: (i64, u32, u32) = (2025, 6, 30);
/// Valid US exchanges (NXX, not N11) times 10,000 line numbers.
const PHONE_SPACE: u64 = 792 * 10_000;
/// Steps through the phone space; coprime with it (2^7·3^2·5^4·11), so no number repeats
/// before all 7.9 million are used.
const PHONE_STRIDE: u64 = 1_234_567;

/// One client record: a row per pet in the export, or one row if there are none.
#[derive(Clone, Default)]
pub struct Client {
    pub client_no: String,
    pub title: &'static str,
    pub first: String,
    pub last: String,
    pub email: String,
    pub home_phone: String,
    pub mobile: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    /// Index of the city in the tables, for a move within town.
    pub city_id: usize,
    pub pets: Vec<Pet>,
    /// Whether a client-level defect was injected (for the count of rows with defects).
    pub defective: bool,
    /// Members in this client's household and this client's place in it; (0, 0) for a duplicate.
    pub household: (u8, u8),
    /// Shares the first household member's e-mail address.
    pub shares_email: bool,
}

/// One patient.
#[derive(Clone, Default)]
pub struct Pet {
    pub patient_no: String,
    pub name: &'static str,
    pub species: String,
    pub breed: &'static str,
    pub sex: &'static str,
    pub desexed: &'static str,
    pub date_of_birth: String,
    pub weight: String,
    pub deceased: &'static str,
    pub last_visit: String,
    /// Whether a patient-level defect was injected.
    pub defective: bool,
}

/// The address of a household, before it is written on each member.
struct Address {
    line1: String,
    line2: String,
    city: usize,
}

/// Draws clients in file order and tallies what it injected.
pub struct Generator {
    rng: Rng,
    tables: Tables,
    next_client_no: u64,
    next_patient_no: u64,
    next_phone: u64,
    phone_offset: u64,
    exchanges: Vec<u64>,
    pet_count: Weighted,
    /// Hashes of e-mail and street addresses in use.
    taken: HashSet<u64>,
    /// The rest of the household being written.
    pending: VecDeque<Client>,
    /// Clean copies of earlier clients (before defects), to duplicate.
    reservoir: Vec<Client>,
    originals: u64,
    /// What was injected so far.
    pub truth: Truth,
}

impl Generator {
    /// A generator whose every draw follows from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let tables = Tables::new(&mut rng);
        let phone_offset = rng.below(PHONE_SPACE);
        Generator {
            rng,
            tables,
            next_client_no: 10_000,
            next_patient_no: 50_000,
            next_phone: 0,
            phone_offset,
            exchanges: (200..1000).filter(|e| e % 100 != 11).collect(),
            // 0, 1, 2, 3, 4 pets, then 5 to 8: about 1.6 pets a client.
            pet_count: Weighted::new([10.0, 47.0, 26.0, 10.0, 4.0, 3.0]),
            taken: HashSet::new(),
            pending: VecDeque::new(),
            reservoir: Vec::with_capacity(RESERVOIR),
            originals: 0,
            truth: Truth::default(),
        }
    }

    /// The next client of the file, numbered, with its defects.
    pub fn next_client(&mut self) -> Client {
        let mut client = if !self.reservoir.is_empty() && self.rng.chance(DUPLICATE_RATE) {
            self.duplicate()
        } else {
            if self.pending.is_empty() {
                self.household();
            }
            let client = self.pending.pop_front().unwrap_or_default();
            self.remember(&client);
            client
        };
        self.number(&mut client);
        defects::client(&mut self.rng, &mut client, &mut self.truth);
        for pet in &mut client.pets {
            defects::pet(&mut self.rng, pet, &mut self.truth);
        }
        client
    }

    /// Keeps a uniform sample of originals (Vitter's algorithm R) to copy as duplicates.
    fn remember(&mut self, client: &Client) {
        self.originals += 1;
        if self.reservoir.len() < RESERVOIR {
            self.reservoir.push(client.clone());
        } else {
            let slot = self.rng.below(self.originals) as usize;
            if slot < RESERVOIR {
                self.reservoir[slot] = client.clone();
            }
        }
    }

    /// Gives the client and its pets the next numbers; a few are skipped, as deleted
    /// records leave gaps in a real database.
    fn number(&mut self, client: &mut Client) {
        self.next_client_no += if self.rng.chance(0.02) {
            self.rng.range(2, 5)
        } else {
            1
        };
        client.client_no = self.next_client_no.to_string();
        for pet in &mut client.pets {
            self.next_patient_no += if self.rng.chance(0.02) {
                self.rng.range(2, 5)
            } else {
                1
            };
            pet.patient_no = self.next_patient_no.to_string();
        }
    }

    /// Queues a new household: one person mostly, a couple or a family sharing the
    /// surname, address and home phone sometimes (about 15 % of clients).
    fn household(&mut self) {
        let size: u8 = match self.rng.below(100) {
            0..=91 => 1,
            92..=98 => 2,
            _ => 3,
        };
        let t = &self.tables;
        let last = t.last.0[t.last.1.sample(&mut self.rng)].to_string();
        let address = self.address(None);
        let city_id = address.city;
        let city = &self.tables.cities.0[city_id];
        let (area, state, zip, city_name) = (city.area, city.state, city.zip, city.name);
        let home_phone = if self.rng.chance(if size > 1 { 0.9 } else { 0.5 }) {
            self.phone(area)
        } else {
            String::new()
        };

        let mut members: Vec<Client> = Vec::with_capacity(size as usize);
        let mut male = self.rng.chance(0.5);
        for index in 0..size {
            // The second member is mostly a partner of the other sex; a third, a grown child.
            if index == 1 {
                male = if self.rng.chance(0.85) { !male } else { male };
            } else if index == 2 {
                male = self.rng.chance(0.5);
            }
            let first = loop {
                let name = self.first_name(male);
                if members.iter().all(|m| m.first != name) {
                    break name;
                }
            };
            let shared = members
                .first()
                .filter(|m| !m.email.is_empty() && self.rng.chance(0.25))
                .map(|m| m.email.clone());
            let email = match shared {
                Some(email) => email,
                None if self.rng.chance(NO_EMAIL) => String::new(),
                None => self.email(&first, &last),
            };
            let mobile = if self.rng.chance(0.85) {
                self.phone(area)
            } else {
                String::new()
            };
            let pets = self.pets();
            let shares_email = index > 0 && !email.is_empty() && email == members[0].email;
            members.push(Client {
                title: self.title(male),
                shares_email,
                first,
                last: last.clone(),
                email,
                home_phone: home_phone.clone(),
                mobile,
                address1: address.line1.clone(),
                address2: address.line2.clone(),
                city: city_name.to_string(),
                state: state.to_string(),
                zip: zip.to_string(),
                city_id,
                pets,
                household: (size, index),
                ..Client::default()
            });
        }
        self.pending.extend(members);
    }

    /// A second record of an earlier client, entered again under a new number with one
    /// or two variations (see `defects::vary`).
    fn duplicate(&mut self) -> Client {
        let index = self.rng.below(self.reservoir.len() as u64) as usize;
        let mut copy = self.reservoir[index].clone();
        copy.household = (0, 0);
        copy.shares_email = false;
        // The second record mostly came with a pet already known, or a new one.
        let kept = if copy.pets.is_empty() {
            None
        } else {
            let i = self.rng.below(copy.pets.len() as u64) as usize;
            Some(copy.pets.swap_remove(i))
        };
        copy.pets = match self.rng.below(100) {
            0..=54 if kept.is_some() => kept.into_iter().collect(),
            0..=84 => {
                let species = self.tables.species.sample(&mut self.rng);
                vec![self.pet(species)]
            }
            _ => Vec::new(),
        };
        let moved = defects::vary(&mut self.rng, &mut copy, &mut self.truth);
        if moved {
            let address = self.address(Some(copy.city_id));
            copy.city_id = address.city;
            let city = &self.tables.cities.0[address.city];
            let (area, state, zip, name) = (city.area, city.state, city.zip, city.name);
            copy.address1 = address.line1;
            copy.address2 = address.line2;
            copy.city = name.to_string();
            copy.state = state.to_string();
            copy.zip = zip.to_string();
            // A new home, a new landline; people keep their mobile.
            if !copy.home_phone.is_empty() {
                copy.home_phone = self.phone(area);
            }
        }
        self.truth.duplicates.clients += 1;
        copy
    }

    fn first_name(&mut self, male: bool) -> String {
        let (names, weights) = if male {
            &self.tables.male
        } else {
            &self.tables.female
        };
        names[weights.sample(&mut self.rng)].to_string()
    }

    fn title(&mut self, male: bool) -> &'static str {
        let roll = self.rng.below(100);
        match (male, roll) {
            (_, 0..=21) => "",
            (_, 22..=24) => "Dr",
            (true, _) => "Mr",
            (false, 25..=64) => "Mrs",
            (false, 65..=94) => "Ms",
            (false, _) => "Miss",
        }
    }

    /// An e-mail address made from the name, as people pick them, never one already given.
    fn email(&mut self, first: &str, last: &str) -> String {
        let f: String = first.chars().filter(char::is_ascii_alphanumeric).collect();
        let l: String = last.chars().filter(char::is_ascii_alphanumeric).collect();
        let initial = &f[..1];
        for attempt in 0.. {
            let r = &mut self.rng;
            let local = match (attempt, r.below(100)) {
                // Taken: people add a number until the provider accepts it.
                (3.., _) => format!("{f}{l}{}", r.range(1, 9999)),
                (_, 0..=24) => format!("{f}.{l}"),
                (_, 25..=39) => format!("{f}{l}"),
                (_, 40..=51) => format!("{initial}{l}"),
                (_, 52..=61) => format!("{f}.{l}{}", r.range(1, 99)),
                (_, 62..=71) => format!("{f}{l}{}", r.range(1950, 2005)),
                (_, 72..=76) => format!("{f}_{l}"),
                (_, 77..=84) => format!("{f}{}{}", &l[..1], r.range(1, 999)),
                (_, 85..=89) => format!("{l}{f}"),
                (_, 90..=94) => format!("{f}{}", r.range(1, 999)),
                _ => format!("{l}.{initial}{}", r.range(10, 99)),
            };
            let domain = data::EMAIL_DOMAINS[self.tables.domains.sample(&mut self.rng)].0;
            // Most are typed in lower case; some keep the capitals the owner used.
            let email = if self.rng.chance(0.05) {
                format!("{local}@{domain}")
            } else {
                format!("{local}@{domain}").to_lowercase()
            };
            if self.taken.insert(key("email", &mailbox(&email))) {
                return email;
            }
        }
        unreachable!("the loop returns")
    }

    /// A unique phone number in the area, written the way most clinics type it.
    fn phone(&mut self, area: &str) -> String {
        let n = (self.next_phone.wrapping_mul(PHONE_STRIDE) + self.phone_offset) % PHONE_SPACE;
        self.next_phone += 1;
        let exchange = self.exchanges[(n / 10_000) as usize];
        let line = n % 10_000;
        let style = match self.rng.below(100) {
            0..=84 => 0,
            85..=94 => 1,
            95..=97 => 2,
            _ => 3,
        };
        defects::format_phone(style, area, exchange, line)
    }

    /// A street address no other household has; in the town `near` mostly, when given,
    /// as most moves are local.
    fn address(&mut self, near: Option<usize>) -> Address {
        loop {
            let r = &mut self.rng;
            let number = match r.below(100) {
                0..=9 => r.range(1, 99),
                10..=69 => r.range(100, 999),
                70..=94 => r.range(1000, 9999),
                _ => r.range(10_000, 29_999),
            };
            let street = self.tables.streets.1.sample(r);
            let kind = self.tables.street_types.sample(r);
            let city = match near {
                Some(city) if r.chance(0.6) => city,
                _ => self.tables.cities.1.sample(r),
            };
            let direction = if r.chance(0.08) {
                *r.pick(&["N ", "S ", "E ", "W "])
            } else {
                ""
            };
            let (abbr, full, _) = STREET_TYPES[kind];
            let kind = match r.below(100) {
                0..=81 => abbr.to_string(),
                82..=89 if abbr != full => format!("{abbr}."),
                _ => full.to_string(),
            };
            let name = &self.tables.streets.0[street];
            if !self
                .taken
                .insert(key("address", &(number, direction, street, abbr, city)))
            {
                continue;
            }
            let line2 = match r.below(100) {
                0..=4 => format!("Apt {}", r.range(1, 40)),
                5..=6 => format!("Apt {}{}", r.range(1, 9), r.pick(&["A", "B", "C", "D"])),
                7..=8 => format!("Unit {}", r.range(1, 300)),
                9 => format!("#{}", r.range(100, 450)),
                10 => format!("Lot {}", r.range(1, 120)),
                11 => format!("PO Box {}", r.range(1, 9999)),
                _ => String::new(),
            };
            return Address {
                line1: format!("{number} {direction}{name} {kind}"),
                line2,
                city,
            };
        }
    }

    /// Zero to eight pets, mostly one or two.
    fn pets(&mut self) -> Vec<Pet> {
        let count = match self.pet_count.sample(&mut self.rng) {
            5 => self.rng.range(5, 8) as usize,
            n => n,
        };
        (0..count)
            .map(|_| {
                let species = self.tables.species.sample(&mut self.rng);
                self.pet(species)
            })
            .collect()
    }

    /// A pet of a species, with a weight that fits its breed and a plausible history.
    fn pet(&mut self, species: usize) -> Pet {
        let kind = &SPECIES[species];
        let r = &mut self.rng;
        let (breed, _, lightest, heaviest) = kind.breeds[self.tables.breeds[species].sample(r)];
        let name = self.tables.pets.0[self.tables.pets.1.sample(r)];

        let male = r.chance(0.5);
        let unsexed = kind.desexed == 0.0 && r.chance(0.4);
        let desexed = r.chance(kind.desexed);
        let (sex, desexed_flag) = match (unsexed, male, desexed) {
            (true, _, _) => ("U", "N"),
            (_, true, true) => ("MN", "Y"),
            (_, true, false) => ("M", "N"),
            (_, false, true) => ("FS", "Y"),
            (_, false, false) => ("F", "N"),
        };

        let today = days_from_civil(EXPORT_DAY.0, EXPORT_DAY.1, EXPORT_DAY.2);
        let age = if r.chance(0.9) {
            r.below(14 * 365)
        } else {
            r.range(14 * 365, 20 * 365)
        } as i64;
        let born = today - age;
        let deceased = r.chance(if age > 12 * 365 { 0.25 } else { 0.02 });
        let date_of_birth = if r.chance(0.05) {
            String::new()
        } else {
            format_date(born)
        };
        let last_visit = if r.chance(0.08) {
            String::new()
        } else {
            format_date(born + r.below((today - born) as u64 + 1) as i64)
        };

        // Young animals weigh less than the breed's adult range.
        let grown = (age as f64 / 365.0).clamp(0.15, 1.0);
        let kg = (lightest + r.unit() * (heaviest - lightest)) * grown;
        let weight = match r.below(100) {
            0..=54 => format_kg(kg),
            55..=74 => format!("{} kg", format_kg(kg)),
            75..=89 => format!("{} lb", format_lb(kg)),
            90..=92 => format!("{} lbs", format_lb(kg)),
            _ => String::new(),
        };

        Pet {
            patient_no: String::new(),
            name,
            species: r.pick(kind.labels).to_string(),
            breed,
            sex,
            desexed: desexed_flag,
            date_of_birth,
            weight,
            deceased: if deceased { "Y" } else { "N" },
            last_visit,
            defective: false,
        }
    }
}

/// A 64-bit hash of a tagged value, to remember it without storing it.
/// The mailbox an address reaches: Gmail ignores dots and anything after `+` in the local
/// part, so `joseph.smith@` and `josephsmith@gmail.com` are one person's, never two.
fn mailbox(email: &str) -> String {
    let email = email.to_lowercase();
    match email.rsplit_once('@') {
        Some((local, "gmail.com" | "googlemail.com")) => {
            let local = local.split('+').next().unwrap_or(local).replace('.', "");
            format!("{local}@gmail.com")
        }
        _ => email,
    }
}

fn key(tag: &str, value: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    tag.hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

/// Kilograms as clinics type them: one decimal, two for small animals, no trailing `.0`.
fn format_kg(kg: f64) -> String {
    let text = if kg < 1.0 {
        format!("{kg:.2}")
    } else {
        format!("{kg:.1}")
    };
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

/// Pounds, whole above ten, one decimal below.
fn format_lb(kg: f64) -> String {
    let lb = kg * 2.204_62;
    if lb >= 10.0 {
        format!("{lb:.0}")
    } else {
        format!("{lb:.1}")
    }
}

/// A day number as MM/DD/YYYY.
fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{m:02}/{d:02}/{y}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number; the inverse of `days_from_civil`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(format_date(days_from_civil(2019, 3, 7)), "03/07/2019");
    }

    #[test]
    fn weights_read_like_a_clinic_typed_them() {
        assert_eq!(format_kg(12.0), "12");
        assert_eq!(format_kg(12.46), "12.5");
        assert_eq!(format_kg(0.084), "0.08");
        assert_eq!(format_lb(12.3), "27");
    }

    #[test]
    fn phones_do_not_repeat() {
        let mut g = Generator::new(3);
        let digits: HashSet<String> = (0..50_000)
            .map(|_| {
                g.phone("217")
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect()
            })
            .collect();
        assert_eq!(digits.len(), 50_000);
    }

    #[test]
    fn two_people_never_share_a_gmail_mailbox() {
        assert_eq!(
            mailbox("Joseph.Smith+vet@GMAIL.com"),
            "josephsmith@gmail.com"
        );
        assert_eq!(mailbox("j.smith@example.com"), "j.smith@example.com");
        let mut g = Generator::new(5);
        let boxes: HashSet<String> = (0..20_000)
            .map(|_| mailbox(&g.email("Joseph", "Smith")))
            .collect();
        assert_eq!(boxes.len(), 20_000);
    }
}
