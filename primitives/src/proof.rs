//! Storage proofs: a miner shows it holds challenged leaves of its fragments.
//!
//! A [`LeafProof`] carries one leaf and its Merkle path; a [`FragmentProof`] answers one
//! challenged fragment with a leaf proof per challenged leaf, in [`Challenge::leaf_indices`]
//! order; a [`ChallengeResponse`] answers a whole [`Challenge`], one fragment proof per
//! challenged fragment in [`Challenge::fragment_positions`] order. Every type is bounded, so the
//! audit pallet can take them as extrinsic arguments and weigh them by `MaxEncodedLen`.
//!
//! Verification (`no_std`) allocates nothing beyond the proof it is given, never panics, and
//! rejects a wrong leaf, a wrong index, a wrong root, and a path that is truncated or padded:
//!
//! - [`verify_leaf`] checks one leaf against a fragment root;
//! - [`verify_fragment_proof`] checks one challenged fragment: the right fragment, the right
//!   leaf indices, every leaf;
//! - [`verify_response`] checks a whole response against the miner's fragment list.
//!
//! Generation ([`prove_fragment`], [`prove_response`]) needs `std`.

use crate::{
	challenge::{Challenge, MAX_CHALLENGED_FRAGMENTS, MAX_CHALLENGED_LEAVES},
	hashing::leaf_hash,
	layout::{FileLayout, LayoutError, MAX_LEAF_SIZE, MAX_MERKLE_DEPTH},
	merkle::{root_from_path, PathError},
	types::{FragmentHash, HASH_LEN},
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};

/// A leaf's bytes, at most [`MAX_LEAF_SIZE`].
pub type LeafData = BoundedVec<u8, ConstU32<MAX_LEAF_SIZE>>;

/// Sibling hashes from a leaf up to the root, at most [`MAX_MERKLE_DEPTH`].
pub type MerklePath = BoundedVec<[u8; HASH_LEN], ConstU32<MAX_MERKLE_DEPTH>>;

/// One leaf of a fragment and its Merkle path.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct LeafProof {
	/// The leaf's index in the fragment.
	pub index: u32,
	/// The leaf's bytes: exactly the layout's `leaf_size`.
	pub leaf: LeafData,
	/// Sibling hashes from the leaf up to the root.
	pub path: MerklePath,
}

/// The answer for one challenged fragment.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct FragmentProof {
	/// The fragment proven.
	pub fragment: FragmentHash,
	/// One proof per challenged leaf, in [`Challenge::leaf_indices`] order.
	pub leaves: BoundedVec<LeafProof, ConstU32<MAX_CHALLENGED_LEAVES>>,
}

/// The answer to a whole challenge, in [`Challenge::fragment_positions`] order.
pub type ChallengeResponse = BoundedVec<FragmentProof, ConstU32<MAX_CHALLENGED_FRAGMENTS>>;

/// Why a proof is rejected.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ProofError {
	/// The layout is invalid.
	InvalidLayout(LayoutError),
	/// The fragment list is not the one the challenge was derived for (its length differs).
	FragmentListMismatch,
	/// The response does not have one proof per challenged fragment.
	WrongFragmentCount,
	/// A fragment proof is for another fragment than the one challenged.
	WrongFragment,
	/// A fragment proof does not have one leaf proof per challenged leaf.
	WrongLeafCount,
	/// A leaf proof is for another leaf than the one challenged.
	WrongLeafIndex,
	/// The leaf is not `leaf_size` bytes long.
	WrongLeafSize,
	/// The leaf index is past the fragment's last leaf.
	LeafIndexOutOfRange,
	/// The Merkle path ends before the root.
	PathTooShort,
	/// The Merkle path has hashes left over at the root.
	PathTooLong,
	/// The leaf and path lead to another root: wrong leaf, wrong path or wrong fragment.
	RootMismatch,
}

impl fmt::Display for ProofError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::InvalidLayout(e) => write!(f, "invalid layout: {e}"),
			Self::FragmentListMismatch => {
				f.write_str("fragment list differs from the one the challenge was derived for")
			}
			Self::WrongFragmentCount => f.write_str("wrong number of fragment proofs"),
			Self::WrongFragment => f.write_str("proof is for another fragment"),
			Self::WrongLeafCount => f.write_str("wrong number of leaf proofs"),
			Self::WrongLeafIndex => f.write_str("proof is for another leaf"),
			Self::WrongLeafSize => f.write_str("leaf has the wrong size"),
			Self::LeafIndexOutOfRange => f.write_str("leaf index out of range"),
			Self::PathTooShort => f.write_str("Merkle path too short"),
			Self::PathTooLong => f.write_str("Merkle path too long"),
			Self::RootMismatch => f.write_str("leaf and path do not lead to the fragment root"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ProofError {}

impl From<PathError> for ProofError {
	fn from(e: PathError) -> Self {
		match e {
			PathError::IndexOutOfRange => Self::LeafIndexOutOfRange,
			PathError::PathTooShort => Self::PathTooShort,
			PathError::PathTooLong => Self::PathTooLong,
		}
	}
}

/// Checks that `proof`'s leaf sits at `proof.index` in the fragment whose root is `root`.
pub fn verify_leaf(
	layout: &FileLayout,
	root: &FragmentHash,
	proof: &LeafProof,
) -> Result<(), ProofError> {
	layout.validate().map_err(ProofError::InvalidLayout)?;
	check_leaf(layout, root, proof)
}

/// [`verify_leaf`] for a layout already validated.
fn check_leaf(
	layout: &FileLayout,
	root: &FragmentHash,
	proof: &LeafProof,
) -> Result<(), ProofError> {
	if proof.leaf.len() != layout.leaf_size as usize {
		return Err(ProofError::WrongLeafSize);
	}
	let reached = root_from_path(
		layout.leaves_per_fragment(),
		proof.index,
		leaf_hash(&proof.leaf),
		&proof.path,
	)?;
	if reached != root.0 {
		return Err(ProofError::RootMismatch);
	}
	Ok(())
}

/// Checks the proof for one challenged fragment: it names `fragment`, and proves exactly the
/// challenged leaves, in order.
pub fn verify_fragment_proof(
	layout: &FileLayout,
	challenge: &Challenge,
	fragment: &FragmentHash,
	proof: &FragmentProof,
) -> Result<(), ProofError> {
	layout.validate().map_err(ProofError::InvalidLayout)?;
	check_fragment(layout, challenge, fragment, proof)
}

/// [`verify_fragment_proof`] for a layout already validated.
fn check_fragment(
	layout: &FileLayout,
	challenge: &Challenge,
	fragment: &FragmentHash,
	proof: &FragmentProof,
) -> Result<(), ProofError> {
	if proof.fragment != *fragment {
		return Err(ProofError::WrongFragment);
	}
	let indices = challenge.leaf_indices(fragment, layout.leaves_per_fragment());
	if proof.leaves.len() != indices.len() {
		return Err(ProofError::WrongLeafCount);
	}
	for (expected, leaf) in indices.zip(proof.leaves.iter()) {
		if leaf.index != expected {
			return Err(ProofError::WrongLeafIndex);
		}
		check_leaf(layout, fragment, leaf)?;
	}
	Ok(())
}

/// Checks a whole response against the miner's fragment list (the list the challenge was
/// derived for). A runtime that does not keep the list in one place can instead look up each of
/// [`Challenge::fragment_positions`] and call [`verify_fragment_proof`].
pub fn verify_response(
	layout: &FileLayout,
	challenge: &Challenge,
	fragments: &[FragmentHash],
	response: &[FragmentProof],
) -> Result<(), ProofError> {
	layout.validate().map_err(ProofError::InvalidLayout)?;
	if fragments.len() != challenge.fragment_count() as usize {
		return Err(ProofError::FragmentListMismatch);
	}
	let positions = challenge.fragment_positions();
	if response.len() != positions.len() {
		return Err(ProofError::WrongFragmentCount);
	}
	for (position, proof) in positions.zip(response) {
		let fragment = fragments.get(position as usize).ok_or(ProofError::FragmentListMismatch)?;
		check_fragment(layout, challenge, fragment, proof)?;
	}
	Ok(())
}

#[cfg(feature = "std")]
pub use self::generate::*;

#[cfg(feature = "std")]
mod generate {
	use super::*;
	use crate::merkle::{MerkleError, MerkleTree};

	/// Why a proof cannot be produced.
	#[derive(Clone, Copy, Debug, PartialEq, Eq)]
	pub enum ProveError {
		/// The layout is invalid.
		InvalidLayout(LayoutError),
		/// The fragment's bytes cannot be cut into the layout's leaves.
		Merkle(MerkleError),
		/// The fragment's bytes do not hash to the expected root (local corruption).
		FragmentMismatch {
			/// The root the chain expects.
			expected: FragmentHash,
			/// The root of the bytes at hand.
			actual: FragmentHash,
		},
		/// The bytes of a challenged fragment are not available.
		MissingFragment(FragmentHash),
		/// The fragment list is not the one the challenge was derived for.
		FragmentListMismatch,
	}

	impl fmt::Display for ProveError {
		fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
			match self {
				Self::InvalidLayout(e) => write!(f, "invalid layout: {e}"),
				Self::Merkle(e) => write!(f, "{e}"),
				Self::FragmentMismatch { expected, actual } => {
					write!(f, "fragment bytes hash to {actual}, expected {expected}")
				}
				Self::MissingFragment(hash) => write!(f, "fragment {hash} is not available"),
				Self::FragmentListMismatch => {
					f.write_str("fragment list differs from the one the challenge was derived for")
				}
			}
		}
	}

	impl std::error::Error for ProveError {}

	/// The proof of leaf `index` from a built tree over `data`; `None` past the last leaf.
	pub fn prove_leaf(tree: &MerkleTree, data: &[u8], index: u32) -> Option<LeafProof> {
		let leaf_size = tree.leaf_size() as usize;
		let leaf = data.get(index as usize * leaf_size..)?.get(..leaf_size)?;
		Some(LeafProof {
			index,
			leaf: LeafData::try_from(leaf.to_vec()).ok()?,
			path: MerklePath::try_from(tree.path(index)?).ok()?,
		})
	}

	/// Proves the challenged leaves of one fragment from its bytes, after checking that they
	/// hash to `fragment`.
	pub fn prove_fragment(
		layout: &FileLayout,
		challenge: &Challenge,
		fragment: &FragmentHash,
		data: &[u8],
	) -> Result<FragmentProof, ProveError> {
		layout.validate().map_err(ProveError::InvalidLayout)?;
		if data.len() != layout.fragment_size() as usize {
			return Err(ProveError::Merkle(MerkleError::WrongFragmentSize {
				expected: layout.fragment_size(),
				actual: data.len(),
			}));
		}
		let tree = MerkleTree::build(layout.leaf_size, data).map_err(ProveError::Merkle)?;
		let actual = FragmentHash(tree.root());
		if actual != *fragment {
			return Err(ProveError::FragmentMismatch { expected: *fragment, actual });
		}
		let leaves = challenge
			.leaf_indices(fragment, tree.leaf_count())
			// The tree has every challenged index; the challenge bounds the count.
			.filter_map(|index| prove_leaf(&tree, data, index))
			.collect::<Vec<_>>();
		// ChallengeParams::validate() bounds the count by MAX_CHALLENGED_LEAVES.
		Ok(FragmentProof { fragment: *fragment, leaves: BoundedVec::truncate_from(leaves) })
	}

	/// Answers a whole challenge: `fragments` is the miner's fragment list as the chain orders
	/// it, `load` returns a fragment's bytes (or `None` if they are gone).
	pub fn prove_response<D: AsRef<[u8]>>(
		layout: &FileLayout,
		challenge: &Challenge,
		fragments: &[FragmentHash],
		mut load: impl FnMut(&FragmentHash) -> Option<D>,
	) -> Result<ChallengeResponse, ProveError> {
		if fragments.len() != challenge.fragment_count() as usize {
			return Err(ProveError::FragmentListMismatch);
		}
		let mut proofs = Vec::with_capacity(challenge.challenged_fragments() as usize);
		for (_, fragment) in challenge.select(fragments) {
			let data = load(fragment).ok_or(ProveError::MissingFragment(*fragment))?;
			proofs.push(prove_fragment(layout, challenge, fragment, data.as_ref())?);
		}
		// At most MAX_CHALLENGED_FRAGMENTS positions are challenged.
		Ok(BoundedVec::truncate_from(proofs))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{challenge::ChallengeParams, merkle::MerkleTree};
	use codec::MaxEncodedLen;

	/// 6 leaves of 32 bytes per fragment: a tree with an odd level.
	const LAYOUT: FileLayout =
		FileLayout { segment_size: 2 * 6 * 32, data_shards: 2, parity_shards: 1, leaf_size: 32 };
	const PARAMS: ChallengeParams = ChallengeParams { fragments: 3, leaves: 4 };

	fn fragment(salt: u8) -> Vec<u8> {
		(0..LAYOUT.fragment_size()).map(|i| (i as u8).wrapping_mul(13) ^ salt).collect()
	}

	fn store(n: u8) -> (Vec<FragmentHash>, Vec<Vec<u8>>) {
		let data: Vec<_> = (0..n).map(fragment).collect();
		let hashes =
			data.iter().map(|d| FragmentHash(MerkleTree::build(32, d).unwrap().root())).collect();
		(hashes, data)
	}

	fn respond(
		challenge: &Challenge,
		hashes: &[FragmentHash],
		data: &[Vec<u8>],
	) -> ChallengeResponse {
		prove_response(&LAYOUT, challenge, hashes, |h| {
			hashes.iter().position(|x| x == h).map(|i| data[i].clone())
		})
		.unwrap()
	}

	#[test]
	fn honest_response_verifies() {
		let (hashes, data) = store(10);
		for seed in 0u8..10 {
			let c = Challenge::new(&[seed], b"miner", 10, PARAMS).unwrap();
			let response = respond(&c, &hashes, &data);
			assert_eq!(response.len(), 3);
			assert_eq!(verify_response(&LAYOUT, &c, &hashes, &response), Ok(()));
		}
	}

	#[test]
	fn every_leaf_of_an_odd_tree_verifies_and_tampering_is_rejected() {
		let data = fragment(1);
		let tree = MerkleTree::build(32, &data).unwrap();
		let root = FragmentHash(tree.root());
		for index in 0..6 {
			let proof = prove_leaf(&tree, &data, index).unwrap();
			assert_eq!(verify_leaf(&LAYOUT, &root, &proof), Ok(()));

			let mut p = proof.clone();
			p.leaf[3] ^= 0x40;
			assert_eq!(verify_leaf(&LAYOUT, &root, &p), Err(ProofError::RootMismatch));

			let mut p = proof.clone();
			p.index = (index + 1) % 6;
			assert!(verify_leaf(&LAYOUT, &root, &p).is_err());

			let mut p = proof.clone();
			p.index = 6;
			assert_eq!(verify_leaf(&LAYOUT, &root, &p), Err(ProofError::LeafIndexOutOfRange));

			let mut wrong_root = root;
			wrong_root.0[31] ^= 1;
			assert_eq!(verify_leaf(&LAYOUT, &wrong_root, &proof), Err(ProofError::RootMismatch));

			let mut p = proof.clone();
			p.path.pop();
			assert_eq!(verify_leaf(&LAYOUT, &root, &p), Err(ProofError::PathTooShort));

			let mut p = proof.clone();
			p.path.try_push([0; 32]).unwrap();
			assert_eq!(verify_leaf(&LAYOUT, &root, &p), Err(ProofError::PathTooLong));

			let mut p = proof.clone();
			p.leaf.pop();
			assert_eq!(verify_leaf(&LAYOUT, &root, &p), Err(ProofError::WrongLeafSize));

			let mut p = proof;
			p.path[0][0] ^= 1;
			assert_eq!(verify_leaf(&LAYOUT, &root, &p), Err(ProofError::RootMismatch));
		}
	}

	#[test]
	fn an_inner_node_cannot_pass_as_a_leaf() {
		// Present level 1 (node children) as a 64-byte "leaf" of a layout with 64-byte leaves.
		let data = fragment(2);
		let tree = MerkleTree::build(32, &data).unwrap();
		let root = FragmentHash(tree.root());
		let wide = FileLayout { leaf_size: 64, ..LAYOUT };
		let l0 = tree.path(1).unwrap()[0];
		let l1 = crate::hashing::leaf_hash(&data[32..64]);
		let mut fake = l0.to_vec();
		fake.extend_from_slice(&l1);
		let proof = LeafProof {
			index: 0,
			leaf: fake.try_into().unwrap(),
			path: tree.path(1).unwrap()[1..].to_vec().try_into().unwrap(),
		};
		assert!(verify_leaf(&wide, &root, &proof).is_err());
	}

	#[test]
	fn response_checks_fragments_indices_and_counts() {
		let (hashes, data) = store(10);
		let c = Challenge::new(b"seed", b"miner", 10, PARAMS).unwrap();
		let good = respond(&c, &hashes, &data);

		let mut r = good.clone();
		r.pop();
		assert_eq!(verify_response(&LAYOUT, &c, &hashes, &r), Err(ProofError::WrongFragmentCount));

		let mut r = good.to_vec();
		r.swap(0, 1);
		assert_eq!(verify_response(&LAYOUT, &c, &hashes, &r), Err(ProofError::WrongFragment));

		let mut r = good.clone();
		r[0].leaves.pop();
		assert_eq!(verify_response(&LAYOUT, &c, &hashes, &r), Err(ProofError::WrongLeafCount));

		// A valid proof of another leaf of the right fragment is still the wrong answer.
		let mut r = good.clone();
		let frag = r[1].fragment;
		let pos = hashes.iter().position(|h| *h == frag).unwrap();
		let tree = MerkleTree::build(32, &data[pos]).unwrap();
		let other = (r[1].leaves[0].index + 1) % 6;
		r[1].leaves[0] = prove_leaf(&tree, &data[pos], other).unwrap();
		assert_eq!(verify_response(&LAYOUT, &c, &hashes, &r), Err(ProofError::WrongLeafIndex));

		assert_eq!(
			verify_response(&LAYOUT, &c, &hashes[..9], &good),
			Err(ProofError::FragmentListMismatch)
		);
		let other = Challenge::new(b"seed2", b"miner", 10, PARAMS).unwrap();
		assert!(verify_response(&LAYOUT, &other, &hashes, &good).is_err());
		let bad_layout = FileLayout { parity_shards: 0, ..LAYOUT };
		assert_eq!(
			verify_response(&bad_layout, &c, &hashes, &good),
			Err(ProofError::InvalidLayout(LayoutError::ZeroParityShards))
		);
	}

	#[test]
	fn prover_refuses_corrupt_or_missing_fragments() {
		let (hashes, mut data) = store(4);
		let c = Challenge::new(b"seed", b"miner", 4, PARAMS).unwrap();
		let first = c.fragment_positions().next().unwrap() as usize;
		data[first][0] ^= 1;
		let err = prove_response(&LAYOUT, &c, &hashes, |h| {
			hashes.iter().position(|x| x == h).map(|i| data[i].clone())
		})
		.unwrap_err();
		assert!(
			matches!(err, ProveError::FragmentMismatch { expected, .. } if expected == hashes[first])
		);
		let err = prove_response(&LAYOUT, &c, &hashes, |_| None::<Vec<u8>>).unwrap_err();
		assert_eq!(err, ProveError::MissingFragment(hashes[first]));
	}

	#[test]
	fn proof_types_are_bounded() {
		let leaf = LeafProof::max_encoded_len();
		assert!(leaf <= 4 + 2 + MAX_LEAF_SIZE as usize + 1 + 32 * MAX_MERKLE_DEPTH as usize + 4);
		// A production proof: 256-byte leaf, 15 path hashes.
		let l = FileLayout::PRODUCTION;
		let data = vec![7u8; l.fragment_size() as usize];
		let tree = MerkleTree::build(l.leaf_size, &data).unwrap();
		let proof = prove_leaf(&tree, &data, 12_345).unwrap();
		assert_eq!(proof.path.len(), 15);
		assert_eq!(verify_leaf(&l, &FragmentHash(tree.root()), &proof), Ok(()));
		// index, compact length + leaf, compact length + path.
		assert_eq!(proof.encoded_size(), 4 + 2 + 256 + 1 + 15 * 32);
		assert!(ChallengeResponse::max_encoded_len() < 6 * 1024 * 1024);
	}
}
