//! A run's progress on stderr, and Ctrl-C. On a terminal a bar per phase (rows, rate, ETA
//! from the bytes read); otherwise a plain line now and then, so logs stay readable. Ctrl-C
//! sets the cancel flag the core checks between batches: the run stops cleanly and leaves
//! no partial output.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ph_import_core::job::{JobProgress, Phase};

use crate::visible::visible;

static CANCEL: AtomicBool = AtomicBool::new(false);
static INTERRUPTS: AtomicU32 = AtomicU32::new(0);
static HANDLER: OnceLock<()> = OnceLock::new();
/// What a first Ctrl-C prints, and whether a second one quits at once (see [`on_interrupt`]).
static ON_INTERRUPT: OnceLock<(&'static str, bool)> = OnceLock::new();

/// The flag Ctrl-C sets; the first call installs the one handler the whole CLI uses.
pub fn cancel() -> &'static AtomicBool {
    HANDLER.get_or_init(|| {
        // Without a handler Ctrl-C still ends the process, only less cleanly.
        let _ = ctrlc::set_handler(|| {
            let first = INTERRUPTS.fetch_add(1, Ordering::SeqCst) == 0;
            CANCEL.store(true, Ordering::SeqCst);
            let (notice, second_quits) = ON_INTERRUPT.get().copied().unwrap_or(("", false));
            if first {
                if !notice.is_empty() {
                    eprintln!("\n{notice}");
                }
            } else if second_quits {
                std::process::exit(130);
            }
        });
    });
    &CANCEL
}

/// From now on, a first Ctrl-C also prints `notice`, and a second one ends the process at
/// once when `second_quits` (an import's journal makes that safe: a resume re-sends only
/// the unanswered batches). Set once; later calls are ignored.
pub fn on_interrupt(notice: &'static str, second_quits: bool) {
    let _ = ON_INTERRUPT.set((notice, second_quits));
    cancel();
}

/// How often a plain progress line is printed when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);
/// A run shorter than this prints no plain progress lines at all (a log of small runs stays
/// clean; a long one shows it is alive).
const PLAIN_AFTER: Duration = Duration::from_secs(2);

/// Shows a run's progress.
pub struct Display {
    bar: Option<ProgressBar>,
    key: Option<(Phase, u32)>,
    quiet: bool,
    last_line: Option<Instant>,
    started: Instant,
}

impl Display {
    /// A display on stderr; `quiet` shows nothing (`--json` runs stay silent but for errors).
    pub fn new(quiet: bool) -> Self {
        Display {
            bar: None,
            key: None,
            quiet,
            last_line: None,
            started: Instant::now(),
        }
    }

    /// What the core calls with each step.
    pub fn callback(&mut self) -> impl FnMut(JobProgress) + '_ {
        move |p| self.show(&p)
    }

    fn show(&mut self, p: &JobProgress) {
        if self.quiet {
            return;
        }
        let what = match p.phase {
            Phase::Sampling => "Sampling",
            Phase::SettlingDates => "Settling date orders of",
            Phase::Converting => "Converting",
            Phase::GroupingDuplicates => "Finding duplicates among",
        };
        let label = format!("{what} {}", visible(&p.table));
        if !std::io::stderr().is_terminal() {
            let now = Instant::now();
            if now - self.started < PLAIN_AFTER {
                return;
            }
            let new_step = self.key != Some((p.phase, p.table_index));
            if new_step || self.last_line.is_none_or(|t| now - t >= PLAIN_EVERY) {
                eprintln!("{label}: {} rows", p.rows);
                self.last_line = Some(now);
                self.key = Some((p.phase, p.table_index));
            }
            return;
        }
        if self.key != Some((p.phase, p.table_index)) {
            self.finish();
            let bar = match p.bytes_total {
                Some(total) if total > 0 => ProgressBar::new(total),
                _ => {
                    // No end to measure against: it spins on its own while the step works.
                    let spinner = ProgressBar::new_spinner();
                    spinner.enable_steady_tick(Duration::from_millis(120));
                    spinner
                }
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:50!} [{bar:30}] {percent:>3}%  {binary_bytes_per_sec}  ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(label.clone());
            self.bar = Some(bar);
            self.key = Some((p.phase, p.table_index));
        }
        if let Some(bar) = &self.bar {
            // The bar measures bytes (the ETA needs a known end) and shows rows.
            bar.set_position(p.bytes_read);
            bar.set_length(p.bytes_total.unwrap_or(p.bytes_read).max(p.bytes_read));
            bar.set_message(format!("{label} ({} rows)", p.rows));
        }
    }

    /// Clears the bar, before the results are printed.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.finish();
    }
}
