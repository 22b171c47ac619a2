//! The conversion run over whole files: every table in run order, read on a thread of its
//! own in batches whose per-row work runs on every core, each source row's records and
//! findings handed on in row order, then the reader's ragged-row notes.
//!
//! The one driver behind writing canonical files, validating, the app's review and
//! applying its edits, so they all see exactly the same rows.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use crate::canonical::{Finding, Severity};
use crate::read::{Progress, ReadError, ReadNote};

use crate::mapping::convert::{plan, run_order, Converter, BATCH_ROWS};
use crate::mapping::row::{RowOutput, RunError};
use crate::mapping::source::{self, TableSource};
use crate::mapping::{Mapping, SourceRow};

/// Converts every row of `sources` with `converter`, handing each row's output to `each`.
/// `progress` hears of each table's reading after every batch (table position, progress).
pub fn convert_rows<E: From<RunError>>(
    sources: &[TableSource],
    mapping: &Mapping,
    mut converter: Converter,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(usize, Progress),
    each: &mut dyn FnMut(RowOutput) -> Result<(), E>,
) -> Result<(), E> {
    for i in run_order(mapping) {
        let (Some(tm), Some(s)) = (mapping.tables.get(i), sources.get(i)) else {
            continue;
        };
        // A reader thread fills batches while the converter works on the previous one. The
        // stream stays on its thread from open to notes.
        let (batches, received) = mpsc::sync_channel::<Read>(2);
        // Read batches go back to the reader once converted, to be read into again.
        let (give_back, spare) = mpsc::channel::<Vec<SourceRow>>();
        let notes = std::thread::scope(|scope| -> Result<Vec<ReadNote>, E> {
            // Named, so profilers and debuggers tell the stages apart. Failing to start a
            // thread is the system out of resources, which `scope.spawn` panics on too.
            std::thread::Builder::new()
                .name("ph-read".into())
                .spawn_scoped(scope, move || read_batches(s, &batches, &spare))
                .expect("the system could not start a thread");
            // Owned here, so that returning early drops them and ends a reader waiting to
            // send a batch or to be given one back.
            let received = received;
            let give_back = give_back;
            let table_plan = match received.recv() {
                Ok(Read::Columns(headers)) => {
                    plan(tm, &s.label, &headers).map_err(|e| E::from(RunError::from(e)))?
                }
                Ok(Read::Failed(e)) => return Err(RunError::from(e).into()),
                Ok(Read::End(notes, read)) => {
                    progress(i, read);
                    return Ok(notes);
                }
                Ok(Read::Rows(..)) | Err(_) => return Ok(Vec::new()),
            };
            // How the reading ended: its notes and progress, or why it stopped.
            let mut ended: Option<Result<(Vec<ReadNote>, Progress), E>> = None;
            let mut failed = None;
            // Linking writes through `each` only, whose errors are kept in `failed`.
            let _ = converter.batches_each(
                &table_plan,
                &mut || {
                    if cancel.load(Ordering::Relaxed) {
                        ended = Some(Err(RunError::Cancelled.into()));
                        return None;
                    }
                    match received.recv() {
                        Ok(Read::Rows(rows, read)) => Some(Batch { rows, read }),
                        Ok(Read::End(notes, read)) => {
                            ended = Some(Ok((notes, read)));
                            None
                        }
                        Ok(Read::Failed(e)) => {
                            ended = Some(Err(RunError::from(e).into()));
                            None
                        }
                        Ok(Read::Columns(_)) | Err(_) => None,
                    }
                },
                &mut |row, out| {
                    let out = RowOutput {
                        table: i,
                        row: row.number,
                        client: out.clients.into_iter().next(),
                        patient: out.patients.into_iter().next(),
                        findings: out.findings,
                        repeat: out.repeats.into_iter().next(),
                    };
                    each(out).map_err(|e| {
                        failed = Some(e);
                        std::io::Error::other("stopped")
                    })
                },
                &mut |batch| {
                    progress(i, batch.read);
                    // The reader may have finished: then the batch is simply dropped.
                    let _ = give_back.send(batch.rows);
                    Ok(())
                },
            );
            if let Some(e) = failed {
                return Err(e);
            }
            if let (Some(Ok(_)), Some(f)) = (&ended, converter.end_table(&table_plan)) {
                each(RowOutput {
                    table: i,
                    row: 0,
                    findings: vec![f],
                    ..RowOutput::default()
                })?;
            }
            match ended {
                Some(Ok((notes, read))) => {
                    progress(i, read);
                    Ok(notes)
                }
                Some(Err(e)) => Err(e),
                None => Ok(Vec::new()),
            }
        })?;
        // The reader pads short rows and drops the extra cells of long ones, and reads the
        // lines a stray quote ran over as rows; it keeps the first rows of each kind, which
        // become findings the user can look up.
        for note in &notes {
            let code = match note.code.as_str() {
                "ragged_long_rows" | "ragged_short_rows" => "ragged_row",
                "stray_quote" => "stray_quote",
                _ => continue,
            };
            for &r in &note.rows {
                let f = Finding {
                    file: s.label.clone(),
                    row: r,
                    field: String::new(),
                    code: code.into(),
                    severity: Severity::Warning,
                    message: note.message.clone(),
                    value: String::new(),
                    suggestion: String::new(),
                    source: String::new(),
                };
                each(RowOutput {
                    table: i,
                    row: r,
                    findings: vec![f],
                    ..RowOutput::default()
                })?;
            }
        }
    }
    Ok(())
}

/// Rows read together, and how far the reader had got.
struct Batch {
    rows: Vec<SourceRow>,
    read: Progress,
}

impl AsRef<[SourceRow]> for Batch {
    fn as_ref(&self) -> &[SourceRow] {
        &self.rows
    }
}

/// What the reader thread sends: the columns first, then batches of rows (with how far it
/// has read), then the notes.
enum Read {
    Columns(Vec<String>),
    Rows(Vec<SourceRow>, Progress),
    End(Vec<ReadNote>, Progress),
    Failed(ReadError),
}

/// Reads a table in batches into `out` until its end, an error, or the receiver is gone.
/// Batches sent back on `spare` are read into again, so their cells' memory is reused.
fn read_batches(
    source: &TableSource,
    out: &mpsc::SyncSender<Read>,
    spare: &mpsc::Receiver<Vec<SourceRow>>,
) {
    let mut rows = match source::open(source) {
        Ok(rows) => rows,
        Err(e) => {
            let _ = out.send(Read::Failed(e));
            return;
        }
    };
    if out.send(Read::Columns(rows.columns().to_vec())).is_err() {
        return;
    }
    let mut count: u64 = 0;
    // Batches in the pipeline at once: two queued to the converter, two being prepared, one
    // being linked, one being read, and two to spare. Past that, the reader waits for one to
    // come back.
    const IN_FLIGHT: usize = 8;
    let mut made = 0;
    loop {
        let mut batch = match spare.try_recv() {
            Ok(batch) => batch,
            Err(_) if made < IN_FLIGHT => {
                made += 1;
                Vec::with_capacity(BATCH_ROWS)
            }
            Err(_) => match spare.recv() {
                Ok(batch) => batch,
                // The converter stopped (an error, or cancelled).
                Err(_) => return,
            },
        };
        let mut filled = 0;
        while filled < BATCH_ROWS {
            if filled == batch.len() {
                batch.push(SourceRow::default());
            }
            let SourceRow { number, cells } = &mut batch[filled];
            match rows.next_into(number, cells) {
                Some(Ok(())) => filled += 1,
                Some(Err(e)) => {
                    let _ = out.send(Read::Failed(e));
                    return;
                }
                None => break,
            }
        }
        batch.truncate(filled);
        count += batch.len() as u64;
        let message = if batch.is_empty() {
            Read::End(rows.notes(), rows.progress(count))
        } else {
            Read::Rows(batch, rows.progress(count))
        };
        let end = matches!(message, Read::End(..));
        // A failed send means the converter stopped (an error, or cancelled).
        if out.send(message).is_err() || end {
            return;
        }
    }
}
