//! A deterministic pseudo-random source for the unit tests: xorshift64,
//! no dependency.

/// A function giving numbers below its argument, from `seed` (not zero).
pub(crate) fn below_from(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}
