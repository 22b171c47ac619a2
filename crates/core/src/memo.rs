//! Remembering the results of pure functions of one text value, for values that repeat.
//!
//! Exports repeat species, sex codes, breeds, states, cities, birth dates, weights and
//! first names row after row; the transforms and checks of such values are pure functions
//! of the text, so each distinct value is worked out once per thread. A value kind that
//! rarely repeats (phones, e-mails, IDs) stops being remembered once a trial shows it, so
//! it costs nothing but the trial.

use rustc_hash::FxHashMap;

use crate::canonical::Output;

/// Distinct values kept.
const KEPT: usize = 8192;
/// Lookups after which a memo that mostly missed switches itself off.
const TRIAL: u32 = 4096;

/// The results of one pure function, by input text.
#[derive(Default)]
pub(crate) struct Memo {
    values: FxHashMap<String, Output>,
    lookups: u32,
    misses: u32,
    off: bool,
}

impl Memo {
    /// `f(value)`, from memory when `value` was seen before.
    pub(crate) fn get(&mut self, value: &str, f: impl FnOnce() -> Output) -> Output {
        if self.off {
            return f();
        }
        self.lookups = self.lookups.saturating_add(1);
        if let Some(out) = self.values.get(value) {
            return out.clone();
        }
        self.misses = self.misses.saturating_add(1);
        let out = f();
        if self.lookups >= TRIAL && self.misses > self.lookups / 2 {
            self.off = true;
            self.values = FxHashMap::default();
        } else if self.values.len() < KEPT {
            self.values.insert(value.to_string(), out.clone());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_values_are_worked_out_once() {
        let mut memo = Memo::default();
        let mut calls = 0;
        for i in 0..10_000 {
            let v = ["dog", "cat", "bird"][i % 3];
            let out = memo.get(v, || {
                calls += 1;
                Output::ok(v.to_uppercase())
            });
            assert_eq!(out.value, v.to_uppercase());
        }
        assert_eq!(calls, 3);
    }

    #[test]
    fn values_that_never_repeat_switch_it_off() {
        let mut memo = Memo::default();
        for i in 0..(TRIAL as usize * 2) {
            let v = format!("owner{i}@example.com");
            assert_eq!(memo.get(&v, || Output::ok(v.clone())).value, v);
        }
        assert!(memo.off);
        assert!(memo.values.is_empty(), "its memory is given back");
    }
}
