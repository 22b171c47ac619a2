//! Fault injection for tests and rehearsals: errors, latency, dropped connections and a
//! rate limit on /graphql, drawn from a seeded generator so a test sees the same sequence
//! every run.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Faults the sandbox injects into /graphql requests. The default injects none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Fraction (0.0–1.0) of requests answered 503 with code UNAVAILABLE.
    pub error_rate: f64,
    /// Added to every request before it is handled, in milliseconds.
    pub latency_ms: u64,
    /// Fraction (0.0–1.0) of requests whose connection is closed without any response.
    pub drop_rate: f64,
    /// Requests allowed per second (across all callers); more get 429 with `Retry-After`.
    pub rate_limit_per_sec: Option<u32>,
    /// Seed of the generator that decides which requests fail.
    pub seed: u64,
}

/// What to do with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Serve,
    RateLimited { retry_after_secs: u64 },
    Drop,
    Unavailable,
}

/// How many requests the injected faults refused since the sandbox started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// Connections closed without a response.
    pub dropped: u64,
    /// Answered 503.
    pub unavailable: u64,
    /// Answered 429.
    pub rate_limited: u64,
}

impl FaultCounts {
    /// All refused requests.
    pub fn total(&self) -> u64 {
        self.dropped + self.unavailable + self.rate_limited
    }
}

struct State {
    faults: Faults,
    rng: fastrand::Rng,
    window_start: Instant,
    window_count: u32,
    counts: FaultCounts,
}

/// The faults in force, changeable while the server runs.
#[derive(Clone)]
pub(crate) struct FaultControl(Arc<Mutex<State>>);

impl FaultControl {
    pub(crate) fn new(faults: Faults) -> Self {
        Self(Arc::new(Mutex::new(State {
            rng: fastrand::Rng::with_seed(faults.seed),
            faults,
            window_start: Instant::now(),
            window_count: 0,
            counts: FaultCounts::default(),
        })))
    }

    /// Replaces the faults and restarts the generator from their seed.
    pub(crate) fn set(&self, faults: Faults) {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        state.rng = fastrand::Rng::with_seed(faults.seed);
        state.faults = faults;
        state.window_start = Instant::now();
        state.window_count = 0;
    }

    pub(crate) fn get(&self) -> Faults {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .faults
            .clone()
    }

    /// The faults injected so far (kept across [`FaultControl::set`]).
    pub(crate) fn counts(&self) -> FaultCounts {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).counts
    }

    /// The added latency, then the verdict for one request.
    pub(crate) fn judge(&self) -> (Duration, Verdict) {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let latency = Duration::from_millis(state.faults.latency_ms);
        if let Some(limit) = state.faults.rate_limit_per_sec {
            // A fixed one-second window: simple, and what a client's backoff must cope with.
            let now = Instant::now();
            let elapsed = now.duration_since(state.window_start);
            if elapsed >= Duration::from_secs(1) {
                state.window_start = now;
                state.window_count = 0;
            }
            if state.window_count >= limit {
                state.counts.rate_limited += 1;
                let left = Duration::from_secs(1).saturating_sub(elapsed);
                let retry_after_secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
                return (
                    latency,
                    Verdict::RateLimited {
                        retry_after_secs: retry_after_secs.max(1),
                    },
                );
            }
            state.window_count += 1;
        }
        let drop_rate = state.faults.drop_rate;
        if drop_rate > 0.0 && state.rng.f64() < drop_rate {
            state.counts.dropped += 1;
            return (latency, Verdict::Drop);
        }
        let error_rate = state.faults.error_rate;
        if error_rate > 0.0 && state.rng.f64() < error_rate {
            state.counts.unavailable += 1;
            return (latency, Verdict::Unavailable);
        }
        (latency, Verdict::Serve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_faults_serves_everything() {
        let control = FaultControl::new(Faults::default());
        for _ in 0..100 {
            assert_eq!(control.judge(), (Duration::ZERO, Verdict::Serve));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let faults = Faults {
            error_rate: 0.3,
            drop_rate: 0.2,
            seed: 7,
            ..Faults::default()
        };
        let run = || {
            let control = FaultControl::new(faults.clone());
            (0..200).map(|_| control.judge().1).collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let drops = first.iter().filter(|v| **v == Verdict::Drop).count();
        let errors = first.iter().filter(|v| **v == Verdict::Unavailable).count();
        assert!((20..=60).contains(&drops), "{drops} drops");
        assert!((25..=75).contains(&errors), "{errors} errors");
    }

    #[test]
    fn the_rate_limit_counts_within_a_second() {
        let control = FaultControl::new(Faults {
            rate_limit_per_sec: Some(3),
            ..Faults::default()
        });
        let verdicts: Vec<_> = (0..5).map(|_| control.judge().1).collect();
        assert_eq!(&verdicts[..3], &[Verdict::Serve; 3]);
        assert_eq!(
            verdicts[3],
            Verdict::RateLimited {
                retry_after_secs: 1
            }
        );
    }
}
