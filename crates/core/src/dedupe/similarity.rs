//! Jaro–Winkler similarity, exactly as `strsim::jaro_winkler` computes it, without the
//! allocation strsim makes on every call: at a million clients, matching calls it tens of
//! millions of times on short ASCII values, and it was the largest cost in the profile.
//! Anything else (non-ASCII, longer than 64 bytes) goes to strsim.

/// The Jaro–Winkler similarity of `a` and `b`, 0 to 1.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if !a.is_ascii() || !b.is_ascii() || x.len() > 64 || y.len() > 64 {
        return strsim::jaro_winkler(a, b);
    }
    let sim = jaro(x, y);
    if sim > 0.7 {
        let prefix = x.iter().take(4).zip(y).take_while(|(p, q)| p == q).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Jaro similarity of two byte strings of at most 64 bytes, the matched positions kept as
/// bits.
fn jaro(a: &[u8], b: &[u8]) -> f64 {
    let (a_len, b_len) = (a.len(), b.len());
    if a_len == 0 && b_len == 0 {
        return 1.0;
    }
    if a_len == 0 || b_len == 0 {
        return 0.0;
    }
    let range = (a_len.max(b_len) / 2).saturating_sub(1);
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    let mut matches = 0usize;
    for (i, &c) in a.iter().enumerate() {
        let low = i.saturating_sub(range);
        let high = b_len.min(i + range + 1);
        for (j, &d) in b.iter().enumerate().take(high).skip(low) {
            if d == c && b_flags & (1 << j) == 0 {
                a_flags |= 1 << i;
                b_flags |= 1 << j;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut transpositions = 0usize;
    let mut j = 0;
    for (i, &c) in a.iter().enumerate() {
        if a_flags & (1 << i) == 0 {
            continue;
        }
        while j < b_len && b_flags & (1 << j) == 0 {
            j += 1;
        }
        if b.get(j) != Some(&c) {
            transpositions += 1;
        }
        j += 1;
    }
    let t = transpositions / 2;
    let m = matches as f64;
    ((m / a_len as f64) + (m / b_len as f64) + ((matches - t) as f64 / m)) / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values_are_strsims() {
        for (a, b) in [
            ("martha", "marhta"),
            ("dixon", "dicksonx"),
            ("mary", "mark"),
            ("", ""),
            ("", "a"),
            ("jonathan", "jonathon"),
            ("crate", "trace"),
            ("müller", "muller"),
            ("a", "a"),
            ("ab", "ba"),
        ] {
            assert_eq!(jaro_winkler(a, b), strsim::jaro_winkler(a, b), "{a} / {b}");
        }
        let long = "x".repeat(70);
        assert_eq!(jaro_winkler(&long, "xx"), strsim::jaro_winkler(&long, "xx"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        #[test]
        fn the_same_as_strsim(a in "[a-e ]{0,12}", b in "[a-e ]{0,12}") {
            prop_assert_eq!(jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
        }

        #[test]
        fn the_same_as_strsim_up_to_64_bytes(a in "[a-c]{0,64}", b in "[a-c]{0,64}") {
            prop_assert_eq!(jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b));
        }
    }
}
