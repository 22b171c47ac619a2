//! When to try a request again, and how long to wait first.
//!
//! Network errors, 5xx and 429 are retried with jittered exponential backoff (429 waits at
//! least its `Retry-After`); 4xx never is, because the same request would fail the same way.

use std::time::{Duration, SystemTime};

/// How many times and how patiently to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means never retry.
    pub max_attempts: u32,
    /// The backoff before the first retry (then doubled each time).
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// The longest wait a server's `Retry-After` may impose.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(15),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry (for tests that want to see the first failure).
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The bounds of the backoff before retry number `retry` (0 = first retry):
    /// half to all of `base_delay * 2^retry`, capped at `max_delay` ("equal jitter", so
    /// clients that failed together do not retry together, yet each waits a real while).
    pub fn backoff_bounds(&self, retry: u32) -> (Duration, Duration) {
        let factor = 2u32.saturating_pow(retry.min(30));
        let full = self.base_delay.saturating_mul(factor).min(self.max_delay);
        (full / 2, full)
    }

    /// The wait before retry number `retry`; with a `Retry-After`, at least that (capped at
    /// `max_retry_after`) plus a little jitter.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let (low, high) = self.backoff_bounds(retry);
        match retry_after {
            Some(after) => {
                let jitter = random_between(Duration::ZERO, self.base_delay / 2);
                after.min(self.max_retry_after) + jitter
            }
            None => random_between(low, high),
        }
    }
}

fn random_between(low: Duration, high: Duration) -> Duration {
    if high <= low {
        return low;
    }
    let span = (high - low).as_millis() as u64;
    low + Duration::from_millis(fastrand::u64(0..=span))
}

/// Whether an HTTP status is worth another try: 429 and every 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP date (RFC 9110).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let when = SystemTime::from(when);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_bounds_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(30),
        };
        let expected_full = [100, 200, 400, 800, 1600, 2000, 2000];
        for (retry, full) in expected_full.iter().enumerate() {
            let (low, high) = policy.backoff_bounds(retry as u32);
            assert_eq!(high, Duration::from_millis(*full));
            assert_eq!(low, Duration::from_millis(full / 2));
            for _ in 0..200 {
                let d = policy.delay(retry as u32, None);
                assert!(d >= low && d <= high, "retry {retry}: {d:?}");
            }
        }
        // Jitter really varies the delay.
        let samples: std::collections::HashSet<_> =
            (0..50).map(|_| policy.delay(3, None)).collect();
        assert!(samples.len() > 5);
        // Huge retry numbers do not overflow.
        assert_eq!(policy.backoff_bounds(1000).1, Duration::from_secs(2));
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(30),
            ..RetryPolicy::default()
        };
        for _ in 0..100 {
            let d = policy.delay(0, Some(Duration::from_secs(3)));
            assert!(d >= Duration::from_secs(3) && d <= Duration::from_millis(3050));
            let capped = policy.delay(0, Some(Duration::from_secs(3600)));
            assert!(capped >= Duration::from_secs(30) && capped <= Duration::from_millis(30050));
        }
    }

    #[test]
    fn retry_after_as_seconds_or_http_date() {
        let now =
            SystemTime::from(chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z").unwrap());
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 10:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Mon, 23 Nov 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn only_429_and_5xx_are_retried() {
        for status in [429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 413, 422] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }
}
