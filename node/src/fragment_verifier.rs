//! The integrity check the storage network applies to fragments: a fragment is the bytes whose
//! Merkle root (over the chain's leaf size, `cess_primitives::merkle`) is its name. Miners check
//! what they receive before storing it; clients check what they fetch before decoding it.

use cess_dht::{FragmentHasher, FragmentRoot, FragmentVerifier};
use cess_primitives::{
	merkle::{fragment_root, MerkleBuilder},
	FileLayout,
};

/// Checks fragments against their Merkle root under the chain's file layout.
#[derive(Clone, Copy, Debug)]
pub struct MerkleRootVerifier {
	layout: FileLayout,
}

impl MerkleRootVerifier {
	/// A verifier for fragments of files cut with `layout`.
	pub fn new(layout: FileLayout) -> Self {
		Self { layout }
	}
}

impl FragmentVerifier for MerkleRootVerifier {
	fn verify(&self, root: &FragmentRoot, bytes: &[u8]) -> bool {
		// A wrong size or any other layout mismatch is simply "not this fragment".
		fragment_root(&self.layout, bytes).is_ok_and(|computed| computed.0 == *root)
	}

	fn incremental(&self, size: u64) -> Option<Box<dyn FragmentHasher>> {
		// Anything but a fragment of the layout's size fails `verify` anyway: let it.
		if self.layout.validate().is_err() || size != u64::from(self.layout.fragment_size()) {
			return None;
		}
		let builder = MerkleBuilder::new(self.layout.leaf_size).ok()?;
		Some(Box::new(IncrementalRoot { builder, expected: size, fed: 0 }))
	}
}

/// [`MerkleRootVerifier`]'s check of a fragment fed piece by piece.
struct IncrementalRoot {
	builder: MerkleBuilder,
	expected: u64,
	fed: u64,
}

impl FragmentHasher for IncrementalRoot {
	fn update(&mut self, bytes: &[u8]) {
		self.fed += bytes.len() as u64;
		self.builder.update(bytes);
	}

	fn matches(self: Box<Self>, root: &FragmentRoot) -> bool {
		self.fed == self.expected && self.builder.finish().is_ok_and(|computed| computed == *root)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use cess_primitives::FileLayout;

	fn layout() -> FileLayout {
		FileLayout { segment_size: 64 * 1024, data_shards: 2, parity_shards: 2, leaf_size: 256 }
	}

	#[test]
	fn accepts_the_fragment_of_a_root_and_nothing_else() {
		let layout = layout();
		let fragment: Vec<u8> = (0..layout.fragment_size()).map(|i| (i % 251) as u8).collect();
		let root = fragment_root(&layout, &fragment).unwrap().0;
		let verifier = MerkleRootVerifier::new(layout);
		assert!(verifier.verify(&root, &fragment));

		let mut flipped = fragment.clone();
		flipped[1000] ^= 1;
		assert!(!verifier.verify(&root, &flipped), "one flipped bit");
		assert!(!verifier.verify(&root, &fragment[..fragment.len() - 1]), "truncated");
		assert!(!verifier.verify(&[0; 32], &fragment), "another root");

		let incremental = |bytes: &[u8], pieces: usize| {
			let mut hasher = verifier.incremental(bytes.len() as u64)?;
			bytes.chunks(pieces).for_each(|piece| hasher.update(piece));
			Some(hasher.matches(&root))
		};
		assert_eq!(incremental(&fragment, 1000), Some(true), "fed in pieces");
		assert_eq!(incremental(&fragment, fragment.len()), Some(true), "fed at once");
		assert_eq!(incremental(&flipped, 4096), Some(false), "one flipped bit, fed in pieces");
		assert_eq!(incremental(&fragment[..fragment.len() - 1], 7), None, "wrong size");
	}
}
