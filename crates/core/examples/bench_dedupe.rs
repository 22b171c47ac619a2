//! Benchmark of duplicate detection: accuracy on labeled data, households, and speed.
//!
//! 1. Precision, recall and F1 of within-file duplicate clients on the FEBRL data sets
//!    (synthetic people with typos, swapped words, missing values and nicknames, and the
//!    true duplicates known), using the fields a clinic file has: names and address (FEBRL
//!    has no e-mail or phone; its date of birth and social security number are not used,
//!    since PH clients have neither). Fetch them once with `./scripts/fetch-febrl.sh`.
//! 2. Households: families sharing address, phone and last name, some members entered twice
//!    with typos. Household members merged must be 0.
//! 3. Speed: 1,000,000 clients (5 % duplicated with changes) fingerprinted, blocked,
//!    compared and grouped, as `convert` does after writing the records.
//!
//! Run with `cargo run --release -p ph-import-core --example bench_dedupe [-- FEBRL_DIR [CLIENTS]]`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[global_allocator]
static GLOBAL: ph_import_core::allocator::MiMalloc = ph_import_core::allocator::MiMalloc;

use ph_import_core::canonical::ClientRecord;
use ph_import_core::dedupe::{Collector, DuplicateGroup, DuplicateKind};

/// Pairs of record IDs, smaller first.
type Pairs = HashSet<(String, String)>;

fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

/// Every pair inside the groups that say "one person" (households say the opposite).
fn predicted(groups: &[DuplicateGroup]) -> Pairs {
    let mut out = Pairs::new();
    for g in groups {
        if !matches!(
            g.kind,
            DuplicateKind::ExactDuplicate
                | DuplicateKind::FuzzyDuplicate
                | DuplicateKind::ConflictingDuplicate
        ) {
            continue;
        }
        for (i, a) in g.members.iter().enumerate() {
            for b in &g.members[i + 1..] {
                out.insert(pair(&a.external_id, &b.external_id));
            }
        }
    }
    out
}

fn score(name: &str, truth: &Pairs, found: &Pairs) -> f64 {
    let tp = found.intersection(truth).count() as f64;
    let precision = if found.is_empty() {
        1.0
    } else {
        tp / found.len() as f64
    };
    let recall = if truth.is_empty() {
        1.0
    } else {
        tp / truth.len() as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    println!(
        "{name:<28} true pairs {:>5}  found {:>5}  precision {precision:.3}  recall {recall:.3}  F1 {f1:.3}",
        truth.len(),
        found.len()
    );
    f1
}

/// FEBRL records as clients; `rec-12-org` and `rec-12-dup-0` are one person.
fn febrl(paths: &[PathBuf]) -> Option<(Vec<ClientRecord>, Pairs)> {
    let mut clients = Vec::new();
    let mut people: HashMap<String, Vec<String>> = HashMap::new();
    for path in paths {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .ok()?;
        for (n, r) in reader.records().enumerate() {
            let r = r.ok()?;
            let get = |i: usize| r.get(i).unwrap_or_default().to_owned();
            // FEBRL4 splits one population over two files with the same IDs.
            let id = format!("{}#{n}#{}", get(0), path.display());
            let person = get(0)
                .split("-dup")
                .next()
                .unwrap_or_default()
                .trim_end_matches("-org")
                .to_owned();
            people.entry(person).or_default().push(id.clone());
            clients.push(ClientRecord {
                external_id: id,
                first_name: get(1),
                last_name: get(2),
                address_line1: format!("{} {}", get(3), get(4)).trim().to_owned(),
                address_line2: get(5),
                city: get(6),
                postal_code: get(7),
                state: get(8),
                country: "AU".into(),
                ..ClientRecord::default()
            });
        }
    }
    let mut truth = Pairs::new();
    for ids in people.values() {
        for (i, a) in ids.iter().enumerate() {
            for b in &ids[i + 1..] {
                truth.insert(pair(a, b));
            }
        }
    }
    Some((clients, truth))
}

fn groups(clients: &[ClientRecord]) -> Vec<DuplicateGroup> {
    let mut c = Collector::default();
    for (i, r) in clients.iter().enumerate() {
        c.client(r, 0, i as u64 + 2);
    }
    c.groups(&["bench".into()])
}

/// A small deterministic generator, so every run measures the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Chris",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Ashley",
    "Ana",
    "Linh",
    "Jose",
    "Priya",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Nguyen",
    "OBrien",
];
const STREETS: &[&str] = &[
    "Oak St",
    "Maple Ave",
    "Elm Rd",
    "Pine Dr",
    "Cedar Ln",
    "Lake Shore Dr",
    "Main St",
    "Washington Blvd",
    "Park Pl",
    "Hill Ct",
    "River Rd",
    "Sunset Blvd",
    "Birch Way",
    "Walnut St",
    "Chestnut Ave",
    "Spring St",
];

/// Whether two given names of the lists are one name (the same, or forms of it).
fn one_name(a: &str, b: &str) -> bool {
    const FORMS: &[&[&str]] = &[&["William", "Bill"], &["Elizabeth", "Lisa", "Betty"]];
    a == b || FORMS.iter().any(|f| f.contains(&a) && f.contains(&b))
}

/// Changes one thing about a client, as a second registration of the same person would.
fn vary(c: &ClientRecord, rng: &mut Rng) -> ClientRecord {
    let mut d = c.clone();
    match rng.next() % 6 {
        0 => {
            // A typo in the last name.
            let mut chars: Vec<char> = d.last_name.chars().collect();
            if chars.len() > 3 {
                chars.swap(1, 2);
            }
            d.last_name = chars.into_iter().collect();
        }
        1 => d.phone = format!("({}) {}-{}", &c.phone[2..5], &c.phone[5..8], &c.phone[8..]),
        2 => d.email = format!("{}.new@example.net", c.first_name.to_lowercase()),
        3 => {
            d.address_line1 = d
                .address_line1
                .replace(" St", " Street")
                .replace(" Ave", " Avenue")
        }
        4 => d.first_name = c.first_name.to_uppercase(),
        _ => d.email.clear(),
    }
    d
}

/// `n` clients in households of 1 to 4 (one address and phone, one last name, different
/// first names); a share of them registered twice with one change. Returns the clients, the
/// true duplicate pairs and the household pairs (which must never be merged).
fn synthetic(n: usize, duplicate_every: usize, rng: &mut Rng) -> (Vec<ClientRecord>, Pairs, Pairs) {
    let mut clients = Vec::with_capacity(n + n / duplicate_every);
    let mut truth = Pairs::new();
    let mut households = Pairs::new();
    let mut h = 0u64;
    while clients.len() < n {
        h += 1;
        let last = rng.pick(LAST);
        let street = format!("{} {}", 1 + rng.next() % 9999, rng.pick(STREETS));
        let zip = format!("{:05}", 10000 + (h * 7919) % 89999);
        let phone = format!("+1{}{:07}", 200 + rng.next() % 700, h % 10_000_000);
        let size = 1 + (rng.next() % 4) as usize;
        let mut firsts: Vec<&str> = Vec::new();
        let start = clients.len();
        while firsts.len() < size {
            let f = rng.pick(FIRST);
            // A household does not have two members of one name (nicknames included).
            if !firsts.iter().any(|g| one_name(g, f)) {
                firsts.push(f);
            }
        }
        for f in firsts {
            let id = format!("c{}", clients.len());
            let c = ClientRecord {
                external_id: id.clone(),
                first_name: f.into(),
                last_name: last.into(),
                email: format!(
                    "{}.{}{}@example.com",
                    f.to_lowercase(),
                    last.to_lowercase(),
                    h
                ),
                phone: phone.clone(),
                address_line1: street.clone(),
                city: "Springfield".into(),
                state: "IL".into(),
                postal_code: zip.clone(),
                country: "US".into(),
                ..ClientRecord::default()
            };
            if rng.next().is_multiple_of(duplicate_every as u64) {
                let mut d = vary(&c, rng);
                d.external_id = format!("{id}-dup");
                truth.insert(pair(&id, &d.external_id));
                clients.push(c);
                clients.push(d);
            } else {
                clients.push(c);
            }
        }
        let members: Vec<String> = clients[start..]
            .iter()
            .map(|c| c.external_id.clone())
            .collect();
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                if a.trim_end_matches("-dup") != b.trim_end_matches("-dup") {
                    households.insert(pair(a, b));
                }
            }
        }
    }
    (clients, truth, households)
}

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    ph_import_core::allocator::tune();
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(
        args.get(1)
            .cloned()
            .unwrap_or_else(|| "target/febrl".into()),
    );
    let n: usize = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);

    println!("== Accuracy on FEBRL (names and address only) ==");
    let sets: [(&str, &[&str]); 4] = [
        ("FEBRL1 (1,000 records)", &["dataset1.csv"]),
        ("FEBRL2 (5,000 records)", &["dataset2.csv"]),
        ("FEBRL3 (5,000 records)", &["dataset3.csv"]),
        ("FEBRL4 (a+b, 10,000)", &["dataset4a.csv", "dataset4b.csv"]),
    ];
    let mut f1s = Vec::new();
    for (name, files) in sets {
        let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
        if !paths.iter().all(|p| Path::new(p).exists()) {
            println!("{name:<28} skipped: run ./scripts/fetch-febrl.sh (or pass the folder)");
            continue;
        }
        let Some((clients, truth)) = febrl(&paths) else {
            println!("{name:<28} could not be read");
            continue;
        };
        let found = predicted(&groups(&clients));
        if std::env::var_os("BENCH_DEBUG").is_some() {
            let by_id: HashMap<&str, &ClientRecord> = clients
                .iter()
                .map(|c| (c.external_id.as_str(), c))
                .collect();
            let show = |c: &ClientRecord| {
                format!(
                    "{}|{}|{}|{}|{}|{}|{}",
                    c.first_name,
                    c.last_name,
                    c.address_line1,
                    c.address_line2,
                    c.city,
                    c.postal_code,
                    c.state
                )
            };
            for (a, b) in truth.difference(&found).take(40) {
                println!(
                    "MISSED {}  ~  {}",
                    show(by_id[a.as_str()]),
                    show(by_id[b.as_str()])
                );
            }
        }
        f1s.push(score(name, &truth, &found));
    }
    if !f1s.is_empty() {
        println!(
            "mean F1 {:.3} (target ≥ 0.97)",
            f1s.iter().sum::<f64>() / f1s.len() as f64
        );
    }

    println!("\n== Households (families at one address, some members registered twice) ==");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (clients, truth, households) = synthetic(20_000, 10, &mut rng);
    let g = groups(&clients);
    let found = predicted(&g);
    score("synthetic households", &truth, &found);
    let merged = found.intersection(&households).count();
    if std::env::var_os("BENCH_DEBUG").is_some() {
        let by_id: HashMap<&str, &ClientRecord> = clients
            .iter()
            .map(|c| (c.external_id.as_str(), c))
            .collect();
        for (a, b) in found.intersection(&households).take(6) {
            let (x, y) = (by_id[a.as_str()], by_id[b.as_str()]);
            println!(
                "MERGED {} {} {} {} {} | {} {} {} {} {}",
                x.first_name,
                x.last_name,
                x.email,
                x.phone,
                x.address_line1,
                y.first_name,
                y.last_name,
                y.email,
                y.phone,
                y.address_line1
            );
        }
    }
    let flagged: usize = g
        .iter()
        .filter(|g| g.kind == DuplicateKind::SameHousehold)
        .map(|g| g.members.len())
        .sum();
    println!(
        "household pairs {}  merged {merged} (must be 0)  clients flagged in households {flagged}",
        households.len()
    );

    println!("\n== Speed: {n} clients ==");
    let (clients, _, _) = synthetic(n, 20, &mut rng);
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let mut c = Collector::default();
    for (i, r) in clients.iter().enumerate() {
        c.client(r, 0, i as u64 + 2);
    }
    let collected = wall.elapsed().as_secs_f64();
    let g = c.groups(&["bench".into()]);
    let total = wall.elapsed().as_secs_f64();
    println!(
        "{} clients: fingerprints and keys {collected:.2} s, blocking, comparing and grouping {:.2} s, total {total:.2} s wall, {:.2} s CPU; {} groups",
        clients.len(),
        total - collected,
        cpu_seconds() - cpu,
        g.len()
    );
}
