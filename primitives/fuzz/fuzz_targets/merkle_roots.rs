//! Differential fuzzing of the SIMD tree builders (the eight-lane AVX-512 kernel where the CPU
//! has it, blake2b_simd's four lanes for the rest) against the tree's scalar definition.
//!
//! Oracle: for any data, leaf size and way of cutting the data into pieces, `merkle_root`,
//! `MerkleTree::build` and `MerkleBuilder` return the root that one `blake2_256` call at a time
//! gives, and they reject exactly the inputs the definition has no root for.
#![no_main]

use cess_primitives::merkle::{merkle_root, MerkleBuilder, MerkleTree};
use libfuzzer_sys::fuzz_target;
use support::reference_root;

#[path = "../../tests/support/mod.rs"]
mod support;

fuzz_target!(|input: &[u8]| {
	let Some((&[shape, cut, repeat], data)) = input.split_first_chunk::<3>() else { return };
	// Leaf sizes 32..=1024 (and, one time in eight, an invalid one).
	let leaf_size = match shape % 8 {
		7 => 48,
		n => 32usize << (n % 6),
	};
	// Repeating the input reaches trees of many leaves and several builder batches.
	let data = data.repeat(usize::from(repeat % 64) + 1);
	let whole = merkle_root(leaf_size as u32, &data);
	let valid = leaf_size.is_power_of_two() && !data.is_empty() && data.len() % leaf_size == 0;
	assert_eq!(whole.is_ok(), valid, "leaf {leaf_size}, {} bytes", data.len());

	let mut builder = match MerkleBuilder::new(leaf_size as u32) {
		Ok(builder) => builder,
		Err(_) => return assert!(!valid),
	};
	let piece = usize::from(cut) * 97 + 1;
	data.chunks(piece).for_each(|chunk| builder.update(chunk));
	let built = builder.finish();
	assert_eq!(built, whole);
	if let Ok(root) = whole {
		assert_eq!(root, reference_root(leaf_size, &data));
		assert_eq!(MerkleTree::build(leaf_size as u32, &data).map(|t| t.root()), Ok(root));
	}
});
