//! A small seeded random number generator: SplitMix64.
//!
//! Every row draws from its own generator, seeded from the run's seed, the table and the row
//! number, so a row is the same whatever the batch size or the order tables are written in.

/// SplitMix64's state and output function: fast, and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator for one stream, identified by up to three numbers.
    pub fn for_stream(seed: u64, stream: u64, index: u64) -> Rng {
        let mut mixer = Rng { state: seed };
        let a = mixer.next_u64() ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut mixer = Rng { state: a };
        let b = mixer.next_u64() ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng { state: b }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // The modulo bias is far below what test data can notice.
        self.next_u64() % bound
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// One element of a non-empty slice (the empty string for an empty one).
    pub fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        let index = self.below(choices.len() as u64) as usize;
        choices.get(index).copied().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let first: Vec<u64> = (0..4)
            .map(|_| Rng::for_stream(7, 1, 2).next_u64())
            .collect();
        assert!(first.windows(2).all(|pair| pair[0] == pair[1]));
        assert_ne!(
            Rng::for_stream(7, 1, 2).next_u64(),
            Rng::for_stream(7, 1, 3).next_u64()
        );
        assert_ne!(
            Rng::for_stream(7, 1, 2).next_u64(),
            Rng::for_stream(7, 2, 2).next_u64()
        );
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = Rng::for_stream(1, 2, 3);
        assert!((0..1000).all(|_| rng.below(7) < 7));
        assert_eq!(rng.below(0), 0);
    }
}
