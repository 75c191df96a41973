//! The seeded generator (splitmix64) and the price, stock and rating draws made with it.

use souk_models::Rating;

/// A price in `lo..=hi` cents ending in 99, 49 or 00. `band` (the variant's position
/// and the number of variants) splits the range so that larger variants cost more.
pub(super) fn price(rng: &mut Rng, (lo, hi): (i64, i64), band: Option<(usize, usize)>) -> i64 {
    let u = rng.unit();
    let fraction = band.map_or(u, |(at, of)| (at as f64 + u) / of.max(1) as f64);
    let raw = lo + ((hi - lo) as f64 * fraction) as i64;
    let dollars = raw / 100;
    let ending = match rng.below(10) {
        0..=5 => 99,
        6 | 7 if dollars < 100 => 49,
        6 | 7 => 99,
        _ => 0,
    };
    let mut cents = dollars * 100 + ending;
    if cents > hi {
        cents -= 100;
    }
    cents.clamp(lo, hi)
}

/// About 5 % sold out, 10 % nearly gone (1–5), the rest 6–500 and mostly modest.
pub(super) fn stock(rng: &mut Rng) -> u32 {
    let roll = rng.unit();
    if roll < 0.05 {
        0
    } else if roll < 0.15 {
        1 + rng.below(5) as u32
    } else {
        let u = rng.unit();
        6 + (u * u * 494.0) as u32
    }
}

/// About 10 % unreviewed; otherwise up to 800 reviews averaging 3.0 to 4.9 stars.
pub(super) fn rating(rng: &mut Rng) -> Rating {
    if rng.chance(0.1) {
        return Rating::default();
    }
    let u = rng.unit();
    let count = 1 + (u * u * u * 799.0) as u32;
    let average = 4.9 - 1.9 * rng.unit().powf(1.6);
    let stars_total = (average * f64::from(count)).round() as u64;
    Rating { stars_total, count }
}

/// FNV-1a, to turn a slug into a seed.
pub(super) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64: tiny, fast and good enough for demo data.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// Uniform in `0..n`; 0 when `n` is 0.
    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    pub(super) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}
