//! SplitMix64: a tiny, fixed, well-known generator so the demo files are byte-for-byte
//! reproducible on every platform and crate version (a `rand` upgrade must not change them).

/// SplitMix64 state.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// Seeds the generator.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [a, b).
    pub fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
    /// Approximately normal (sum of 4 uniforms), mean 0, s.d. 1.
    pub fn normal(&mut self) -> f64 {
        (0..4).map(|_| self.unit()).sum::<f64>().mul_add(1.0, -2.0) * (3.0f64).sqrt()
    }
    /// Uniform index below `n` (n > 0; 0 for n = 0).
    ///
    /// `unit() · n` is below `n` for every `n` under 2⁵³ (the product of the largest unit value
    /// and `n` rounds down), so the bound is only a guard: no division on the permutation test's
    /// innermost loop, and the same indices as `% n` gave.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::SplitMix;

    /// The guard changes no index: `below` gives what `unit() · n % n` gave, for small and
    /// national-sized `n`, and never reaches `n`.
    #[test]
    fn below_is_the_scaled_unit_and_stays_below_n() {
        for n in [1usize, 2, 5, 7, 1000, 32_843, 1 << 31, (1 << 40) + 3] {
            let (mut a, mut b) = (SplitMix::new(n as u64), SplitMix::new(n as u64));
            for _ in 0..10_000 {
                let r = a.below(n);
                assert_eq!(r, (b.unit() * n as f64) as usize % n);
                assert!(r < n);
            }
        }
        // The largest unit value, times n, still rounds below n.
        for n in [3usize, 1 << 20, (1 << 52) - 1] {
            assert!((((1u64 << 53) - 1) as f64 / (1u64 << 53) as f64 * n as f64) < n as f64);
        }
        assert_eq!(SplitMix::new(1).below(0), 0);
    }
}
