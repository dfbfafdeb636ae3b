//! The Merkle tree of a fragment whose bytes are all zero, computed in O(depth) hashes and
//! without `std`: the benchmarks prove leaves of production-size fragments (8 MiB, 32 768
//! leaves) inside the runtime, where building the whole tree would cost 65 535 hashes.
//!
//! Every level of such a tree holds one value for all its nodes but the last, so a level is
//! described by two hashes. The shape (odd last node carried up) is `cess_primitives::merkle`'s.

use alloc::vec::Vec;
use cess_primitives::{
	hashing::{leaf_hash, node_hash},
	proof::{LeafData, LeafProof, MerklePath},
	FileLayout, FragmentHash,
};

/// One level of the tree: its width, the value of every node but the last, the last one's.
#[derive(Clone, Copy)]
struct Level {
	width: u32,
	inner: [u8; 32],
	last: [u8; 32],
}

/// The tree of an all-zero fragment of `layout`.
pub struct ZeroTree {
	leaf_size: u32,
	levels: Vec<Level>,
}

impl ZeroTree {
	/// Builds the levels of the tree of an all-zero fragment.
	pub fn new(layout: &FileLayout) -> Self {
		let zero_leaf = leaf_hash(&alloc::vec![0u8; layout.leaf_size as usize]);
		let mut level =
			Level { width: layout.leaves_per_fragment(), inner: zero_leaf, last: zero_leaf };
		let mut levels = alloc::vec![level];
		while level.width > 1 {
			let next_width = level.width.div_ceil(2);
			// The last node of the next level pairs the two last nodes of this one (the one
			// before the last is an inner node), or carries an odd last node up; every other
			// node pairs two inner nodes.
			let last = if level.width.is_multiple_of(2) {
				node_hash(&level.inner, &level.last)
			} else {
				level.last
			};
			level = Level { width: next_width, inner: node_hash(&level.inner, &level.inner), last };
			levels.push(level);
		}
		Self { leaf_size: layout.leaf_size, levels }
	}

	/// The fragment's root.
	pub fn root(&self) -> FragmentHash {
		FragmentHash(self.levels.last().map_or([0; 32], |level| level.last))
	}

	/// The proof of leaf `index`.
	pub fn prove(&self, index: u32) -> LeafProof {
		let mut path = Vec::new();
		let mut position = index;
		for level in &self.levels {
			if level.width <= 1 {
				break;
			}
			let value = |p: u32| if p + 1 == level.width { level.last } else { level.inner };
			if position % 2 == 1 {
				path.push(value(position - 1));
			} else if position + 1 < level.width {
				path.push(value(position + 1));
			}
			position /= 2;
		}
		LeafProof {
			index,
			leaf: LeafData::truncate_from(alloc::vec![0u8; self.leaf_size as usize]),
			path: MerklePath::truncate_from(path),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use cess_primitives::{merkle::MerkleTree, proof::verify_leaf};

	#[test]
	fn matches_the_built_tree_of_zero_bytes() {
		for leaves in [1u32, 2, 3, 5, 6, 7, 8, 11, 16, 33] {
			let layout = FileLayout {
				segment_size: leaves * 32 * 2,
				data_shards: 2,
				parity_shards: 1,
				leaf_size: 32,
			};
			let data = alloc::vec![0u8; layout.fragment_size() as usize];
			let tree = MerkleTree::build(32, &data).unwrap();
			let zero = ZeroTree::new(&layout);
			assert_eq!(zero.root().0, tree.root(), "{leaves} leaves");
			for index in 0..leaves {
				let proof = zero.prove(index);
				assert_eq!(
					proof.path.to_vec(),
					tree.path(index).unwrap(),
					"leaf {index} of {leaves}"
				);
				assert_eq!(verify_leaf(&layout, &zero.root(), &proof), Ok(()));
			}
		}
	}

	#[test]
	fn proves_production_leaves() {
		let layout = FileLayout::PRODUCTION;
		let zero = ZeroTree::new(&layout);
		for index in [0, 1, 12_345, 32_767] {
			let proof = zero.prove(index);
			assert_eq!(proof.path.len(), 15);
			assert_eq!(verify_leaf(&layout, &zero.root(), &proof), Ok(()));
		}
	}
}
