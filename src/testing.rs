//! Property tests' source of input: a small deterministic generator (xorshift), so that a failing
//! case is the same on every run and every machine.

pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed | 1)
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % bound.max(1) as u64) as usize
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// `length` characters drawn from `alphabet`.
    pub fn string(&mut self, alphabet: &[char], length: usize) -> String {
        (0..length).map(|_| self.pick(alphabet)).collect()
    }
}
