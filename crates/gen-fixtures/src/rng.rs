//! A small seeded random generator and weighted picking.
//!
//! Our own xoshiro256** rather than `rand`, so that a seed gives the same file on every
//! machine and with every future version of a dependency: benchmarks compare runs over time.

/// xoshiro256**, seeded through SplitMix64 as its authors recommend.
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A number in `0..n` (`n` > 0); Lemire's multiply, whose bias is far below what matters here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Picks indices `0..n` with fixed weights, by binary search over the running totals.
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// Weights as given (they need not sum to 1).
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// Zipf–Mandelbrot weights `1 / (rank + 1 + shift)^s`: a few values common, a long tail
    /// rare, as with surnames (Smith, Johnson, … Zamora). The shift flattens the head: real
    /// name lists have no single value a tenth of the population.
    pub fn zipf(n: usize, s: f64, shift: f64) -> Self {
        Self::new((0..n).map(|rank| 1.0 / ((rank + 1) as f64 + shift).powf(s)))
    }

    /// A random index.
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("weights are not empty");
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert!((0..100).all(|_| a.next_u64() == b.next_u64()));
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn zipf_prefers_the_head() {
        let w = Weighted::zipf(1000, 1.0, 8.0);
        let mut rng = Rng::new(1);
        let (mut first, mut head) = (0, 0);
        for _ in 0..100_000 {
            let i = w.sample(&mut rng);
            first += usize::from(i == 0);
            head += usize::from(i < 10);
        }
        // Smith is about 2 % of the top thousand US surnames; the top ten, about 15 %.
        assert!((1_800..2_800).contains(&first), "{first}");
        assert!((13_000..20_000).contains(&head), "{head}");
    }
}
