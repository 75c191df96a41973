//! The map from page numbers to page contents used by the dirty-page layers.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Page number → the page's bytes.
pub type PageMap = HashMap<u64, Box<[u8]>, BuildHasherDefault<PageHasher>>;

/// Hashes page numbers with one multiply. std's SipHash was a visible share of
/// the writer thread's profile, and page numbers need no defence against
/// chosen keys.
#[derive(Default)]
pub struct PageHasher(u64);

impl Hasher for PageHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}
