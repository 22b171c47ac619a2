//! Prints the suggested mapping of export files: `cargo run -p ph-import-core --example suggest_mapping -- FILE...`
use ph_import_core::canonical::RequiredPolicy;
use ph_import_core::mapping::{source, suggest, SuggestOptions};

fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let tables = match source::load_all(&paths) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let s = suggest(
        &tables,
        &SuggestOptions {
            country: "US".into(),
            infer_country: false,
            pivot_year: 2026,
            ..SuggestOptions::default()
        },
        &RequiredPolicy::default(),
    );
    for (t, r) in s.mapping.tables.iter().zip(&s.tables) {
        println!(
            "== {} ({:?}) missing: {:?}",
            t.table,
            t.role,
            r.missing_required
                .iter()
                .map(|f| f.key())
                .collect::<Vec<_>>()
        );
        for f in &t.fields {
            println!(
                "  {:28} <- {:40} {:?} {:.2}{}",
                f.field.key(),
                format!("{:?}", f.columns),
                f.transform,
                f.confidence,
                if f.needs_confirmation { " CONFIRM" } else { "" }
            );
            if std::env::var("WHY").is_ok() {
                for r in &f.reasons {
                    println!("        - {r}");
                }
            }
        }
        for i in &t.ignored {
            println!("  (ignored) {:30} {}", i.column, i.reason);
        }
    }
}
