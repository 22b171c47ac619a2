//! The core is one staircase: each module imports only modules below it, in the order the
//! run goes (reading, validation, mapping, duplicates, review, the job, the import), so no
//! two modules import each other and nothing reaches up into a later step.

use std::collections::BTreeSet;
use std::path::Path;

/// The modules from the bottom up; a module may import those on lower steps only.
const STEPS: &[&[&str]] = &[
    &["canonical"],
    &[
        "allocator",
        "memo",
        "read",
        "ph",
        "private_file",
        "small_file",
    ],
    &["table_file"],
    &["validate"],
    &["mapping"],
    &["dedupe"],
    &["review"],
    &["job"],
    &["import"],
    &["cohort"],
];

fn step_of(module: &str) -> Option<usize> {
    STEPS.iter().position(|s| s.contains(&module))
}

/// `crate::NAME` paths in a file's code (comments included: a doc link up the staircase is
/// a dependency in the reader's head too).
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut wrong = Vec::new();
    for path in all {
        let relative = path.strip_prefix(&src).expect("under src");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a name");
        let module = first.trim_end_matches(".rs");
        if module == "lib" {
            continue;
        }
        let Some(own) = step_of(module) else {
            wrong.push(format!("{module}: not placed on a step of STEPS"));
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("source");
        for used in imports(&text) {
            if used == module {
                continue;
            }
            match step_of(&used) {
                Some(step) if step < own => {}
                Some(_) => wrong.push(format!(
                    "{} imports crate::{used}, which is not below {module}",
                    relative.display()
                )),
                None => wrong.push(format!(
                    "{} imports crate::{used}, not placed on a step",
                    relative.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
