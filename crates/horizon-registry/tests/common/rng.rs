//! A small deterministic generator (xorshift) for the tests' random choices: the registry's
//! tests need no dependency for them.

pub struct Rng(pub u64);

impl Rng {
    /// The next number below `below`.
    pub fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }
}
