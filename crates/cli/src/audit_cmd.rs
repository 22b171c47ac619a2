//! `ph-import audit`: who planned, imported, undid or purged what, where and when, and
//! whether the log was changed since it was written.

use std::io::Write;

use clap::Args;
use ph_import_core::import::audit::{self, AuditEntry};

use crate::import_cmd::{data_dir, Exit};
use crate::visible::{visible, write_json};

/// Exit code: the audit log was changed, cut or reordered after it was written.
pub const EXIT_TAMPERED: u8 = 6;

/// Arguments of `ph-import audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Print the entries and the check as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `ph-import audit`.
pub fn run(args: &AuditArgs) -> anyhow::Result<()> {
    let data = data_dir()?;
    let log = audit::verify(&data)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        write_json(&mut out, &log)?;
    } else if log.entries.is_empty() {
        writeln!(
            out,
            "The audit log is empty: nothing was planned or imported here yet."
        )?;
    } else {
        writeln!(
            out,
            "{:>4}  {:<20} {:<12} {:<26} {:<14} {:<13} {:<24} {:<38} files, clients/patients planned",
            "#", "when (UTC)", "os user", "principal", "action", "outcome", "env/clinic", "run"
        )?;
        for e in &log.entries {
            writeln!(out, "{}", visible(&row(e)))?;
        }
        if log.before_tamper_evidence > 0 {
            writeln!(
                out,
                "{} entries were written before tamper evidence: they cannot be checked.",
                log.before_tamper_evidence
            )?;
        }
    }
    if log.tampered() {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "The audit log {} was changed after it was written:",
            audit::path(&data).display()
        )?;
        for t in &log.tampering {
            writeln!(err, "  {}", visible(t))?;
        }
        return Err(Exit {
            code: EXIT_TAMPERED,
            message: format!(
                "the audit log was tampered with ({} {} above)",
                log.tampering.len(),
                if log.tampering.len() == 1 {
                    "problem"
                } else {
                    "problems"
                }
            ),
        }
        .into());
    }
    if !args.json {
        writeln!(out, "The log is intact.")?;
    }
    Ok(())
}

fn row(e: &AuditEntry) -> String {
    let files: Vec<String> = e
        .inputs
        .iter()
        .map(|f| {
            let name = std::path::Path::new(&f.path)
                .file_name()
                .map_or(f.path.clone(), |n| n.to_string_lossy().into_owned());
            format!("{name} sha256:{}", f.sha256.get(..12).unwrap_or(&f.sha256))
        })
        .collect();
    let counts =
        |c: &ph_import_core::import::plan::OpCounts| format!("+{} ~{}", c.create, c.update);
    format!(
        "{:>4}  {:<20} {:<12} {:<26} {:<14} {:<13} {:<24} {:<38} {} {}/{}",
        e.seq.map_or("-".to_owned(), |s| s.to_string()),
        e.at.format("%Y-%m-%d %H:%M:%S"),
        e.os_user,
        if e.principal.is_empty() {
            "-"
        } else {
            &e.principal
        },
        e.action,
        e.outcome,
        format!("{}/{}", e.env, e.clinic_id),
        e.run_id,
        if files.is_empty() {
            "-".to_owned()
        } else {
            files.join(" ")
        },
        counts(&e.clients),
        counts(&e.patients),
    )
}
