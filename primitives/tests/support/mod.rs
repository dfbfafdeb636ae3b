//! What the integration tests, the benchmarks (`#[path]` include) and the fuzz targets of
//! cess-primitives hold the library to, in one place: the Merkle tree by its definition and
//! reproducible test data.
#![allow(dead_code)] // each includer uses its own part

use cess_primitives::hashing::{leaf_hash, node_hash};

/// The fragment tree by its definition: one scalar BLAKE2b call per leaf and per node, an odd
/// last node promoted. The SIMD builders must return exactly this root. `data` must be a
/// non-empty whole number of `leaf_size` leaves.
pub fn reference_root(leaf_size: usize, data: &[u8]) -> [u8; 32] {
	let mut level: Vec<[u8; 32]> = data.chunks(leaf_size).map(leaf_hash).collect();
	while level.len() > 1 {
		level = level
			.chunks(2)
			.map(|pair| if let [l, r] = pair { node_hash(l, r) } else { pair[0] })
			.collect();
	}
	level[0]
}

/// `len` pseudo-random bytes (xorshift64) from `salt`: cheap, reproducible, and different for
/// every salt, so that no two test files or fragments share content by accident.
pub fn pseudo_random(len: usize, salt: u64) -> Vec<u8> {
	let mut x = salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
	(0..len)
		.map(|_| {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			x as u8
		})
		.collect()
}
