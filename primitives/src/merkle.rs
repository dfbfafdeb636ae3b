//! The binary Merkle tree over a fragment's leaves.
//!
//! Shape: the leaves' hashes form level 0; each next level hashes neighbours in pairs
//! ([`node_hash`]) and carries an odd last node up unchanged, until one node — the root — is
//! left. The leaf count fixes the shape, so a verifier that knows it knows exactly which levels
//! of a leaf's path have a sibling: [`path_len`] gives the path length, and [`root_from_path`]
//! refuses a path that is a hash too short or too long.
//!
//! The `no_std` part (path length and root from a path) is what the runtime runs; building trees
//! ([`MerkleTree`], [`merkle_root`], [`fragment_root`]) needs `std`, where leaves and nodes are
//! hashed several at a time with SIMD.

use crate::{
	hashing::{leaf_hash, node_hash},
	types::HASH_LEN,
};
use core::fmt;

/// Why a Merkle path does not lead to a root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathError {
	/// The tree has no leaf at this index.
	IndexOutOfRange,
	/// The path ends before the root.
	PathTooShort,
	/// The path has hashes left over at the root.
	PathTooLong,
}

impl fmt::Display for PathError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(match self {
			Self::IndexOutOfRange => "leaf index out of range",
			Self::PathTooShort => "Merkle path too short",
			Self::PathTooLong => "Merkle path too long",
		})
	}
}

/// Sibling hashes on the path from leaf `index` to the root of a tree of `leaves` leaves; `None`
/// if there is no such leaf.
pub fn path_len(leaves: u32, index: u32) -> Option<u32> {
	if index >= leaves {
		return None;
	}
	let (mut width, mut pos, mut len) = (leaves, index, 0u32);
	while width > 1 {
		// A node has a sibling unless it is the odd last node of its level.
		if pos % 2 == 1 || pos < width - 1 {
			len += 1;
		}
		pos /= 2;
		width = width.div_ceil(2);
	}
	Some(len)
}

/// The root reached from a leaf's hash and its path in a tree of `leaves` leaves.
///
/// Consumes exactly [`path_len`] hashes; never allocates, never panics (at most 32 levels).
pub fn root_from_path(
	leaves: u32,
	index: u32,
	leaf: [u8; HASH_LEN],
	path: &[[u8; HASH_LEN]],
) -> Result<[u8; HASH_LEN], PathError> {
	if index >= leaves {
		return Err(PathError::IndexOutOfRange);
	}
	let (mut width, mut pos, mut node) = (leaves, index, leaf);
	let mut siblings = path.iter();
	while width > 1 {
		if pos % 2 == 1 {
			let left = siblings.next().ok_or(PathError::PathTooShort)?;
			node = node_hash(left, &node);
		} else if pos < width - 1 {
			let right = siblings.next().ok_or(PathError::PathTooShort)?;
			node = node_hash(&node, right);
		}
		pos /= 2;
		width = width.div_ceil(2);
	}
	if siblings.next().is_some() {
		return Err(PathError::PathTooLong);
	}
	Ok(node)
}

/// Checks that `leaf` sits at `index` under `root`: hashes the leaf and follows the path.
pub fn verify_path(
	root: &[u8; HASH_LEN],
	leaves: u32,
	index: u32,
	leaf: &[u8],
	path: &[[u8; HASH_LEN]],
) -> Result<bool, PathError> {
	Ok(root_from_path(leaves, index, leaf_hash(leaf), path)? == *root)
}

#[cfg(feature = "std")]
pub use self::build::*;

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx512;

#[cfg(feature = "std")]
mod build {
	use super::*;
	use crate::{
		hashing::node_preimage,
		layout::{FileLayout, LayoutError, MAX_LEAF_SIZE, MIN_LEAF_SIZE},
		types::FragmentHash,
	};
	use blake2b_simd::many::{hash_many, HashManyJob};

	/// Hashes handed to the SIMD hasher at once.
	const BATCH: usize = 64;

	/// Bytes [`MerkleBuilder`] reduces to one subtree root at a time: big enough that the top
	/// levels of each subtree (too narrow for eight lanes) and the merges above them are a small
	/// share of the work, and the size of the DHT's transfer chunks, so chunks are hashed
	/// straight from the caller's buffer.
	pub(super) const BUILDER_BATCH_BYTES: usize = 256 << 10;

	/// Why a tree cannot be built over some data.
	#[derive(Clone, Copy, Debug, PartialEq, Eq)]
	pub enum MerkleError {
		/// The leaf size is not a power of two between 32 and 1024 bytes.
		InvalidLeafSize,
		/// The data is empty or not a whole number of leaves.
		NotWholeLeaves,
		/// The data has 2^32 leaves or more.
		TooManyLeaves,
		/// The layout is invalid.
		InvalidLayout(LayoutError),
		/// A fragment does not have the layout's fragment size.
		WrongFragmentSize {
			/// The layout's fragment size.
			expected: u32,
			/// The given length.
			actual: usize,
		},
	}

	impl fmt::Display for MerkleError {
		fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
			match self {
				Self::InvalidLeafSize => f.write_str("invalid leaf size"),
				Self::NotWholeLeaves => {
					f.write_str("data is empty or not a whole number of leaves")
				}
				Self::TooManyLeaves => f.write_str("too many leaves"),
				Self::InvalidLayout(e) => write!(f, "invalid layout: {e}"),
				Self::WrongFragmentSize { expected, actual } => {
					write!(f, "fragment is {actual} bytes, the layout says {expected}")
				}
			}
		}
	}

	impl std::error::Error for MerkleError {}

	fn params() -> blake2b_simd::Params {
		let mut params = blake2b_simd::Params::new();
		params.hash_length(HASH_LEN);
		params
	}

	fn digest(hash: &blake2b_simd::Hash) -> [u8; HASH_LEN] {
		let mut out = [0u8; HASH_LEN];
		out.copy_from_slice(hash.as_bytes());
		out
	}

	/// Checks that `leaf_size` is a power of two within the allowed range.
	fn check_leaf_size(leaf_size: u32) -> Result<(), MerkleError> {
		if !leaf_size.is_power_of_two() || !(MIN_LEAF_SIZE..=MAX_LEAF_SIZE).contains(&leaf_size) {
			return Err(MerkleError::InvalidLeafSize);
		}
		Ok(())
	}

	/// Checks the leaf size and the data and returns the leaf count.
	fn leaf_count(leaf_size: u32, data: &[u8]) -> Result<u32, MerkleError> {
		check_leaf_size(leaf_size)?;
		if data.is_empty() || !data.len().is_multiple_of(leaf_size as usize) {
			return Err(MerkleError::NotWholeLeaves);
		}
		u32::try_from(data.len() / leaf_size as usize).map_err(|_| MerkleError::TooManyLeaves)
	}

	/// The BLAKE2b code that builds trees on this CPU, for logs: `"AVX-512, 8 lanes"` or
	/// `"blake2b_simd, 4 lanes"` (AVX2 where the CPU has it, else SSE4.1 or portable code).
	pub fn hash_backend() -> &'static str {
		#[cfg(target_arch = "x86_64")]
		if avx512::Blake2bX8::detect().is_some() {
			return "AVX-512, 8 lanes";
		}
		"blake2b_simd, 4 lanes"
	}

	/// Appends the hashes of `messages`, all of one length, to `out`: eight at a time with
	/// AVX-512 where the CPU has it, the rest four at a time with `blake2b_simd`.
	pub(super) fn hash_all(messages: &[&[u8]], out: &mut Vec<[u8; HASH_LEN]>) {
		#[allow(unused_mut)]
		let mut rest = messages;
		#[cfg(target_arch = "x86_64")]
		if let Some(x8) = avx512::Blake2bX8::detect() {
			let mut groups = messages.chunks_exact(avx512::LANES);
			for group in &mut groups {
				match x8.hash(core::array::from_fn(|j| group[j])) {
					Some(digests) => out.extend(digests),
					None => hash_portable(group, out),
				}
			}
			rest = groups.remainder();
		}
		hash_portable(rest, out);
	}

	/// [`hash_all`] without AVX-512.
	pub(super) fn hash_portable(messages: &[&[u8]], out: &mut Vec<[u8; HASH_LEN]>) {
		let params = params();
		let mut jobs: Vec<_> = messages.iter().map(|m| HashManyJob::new(&params, m)).collect();
		hash_many(jobs.iter_mut());
		out.extend(jobs.iter().map(|job| digest(&job.to_hash())));
	}

	/// Appends the hash of every leaf of `data` to `out`, several leaves per SIMD pass.
	fn hash_leaves(leaf_size: usize, data: &[u8], out: &mut Vec<[u8; HASH_LEN]>) {
		let mut leaves = Vec::with_capacity(BATCH);
		for batch in data.chunks(leaf_size * BATCH) {
			leaves.clear();
			leaves.extend(batch.chunks_exact(leaf_size));
			hash_all(&leaves, out);
		}
	}

	/// Appends the level above `level` to `out`.
	fn hash_level(level: &[[u8; HASH_LEN]], out: &mut Vec<[u8; HASH_LEN]>) {
		let (pairs, odd) = level.as_chunks::<2>();
		#[allow(unused_mut)]
		let mut rest = pairs;
		#[cfg(target_arch = "x86_64")]
		if let Some(x8) = avx512::Blake2bX8::detect() {
			let (groups, remainder) = pairs.as_chunks::<{ avx512::LANES }>();
			for group in groups {
				out.extend(x8.hash_nodes(group));
			}
			rest = remainder;
		}
		let mut preimages = Vec::with_capacity(BATCH.min(rest.len()));
		for batch in rest.chunks(BATCH) {
			preimages.clear();
			preimages.extend(batch.iter().map(|[left, right]| node_preimage(left, right)));
			let messages: Vec<&[u8]> = preimages.iter().map(|preimage| &preimage[..]).collect();
			hash_portable(&messages, out);
		}
		// An odd last node is carried up unchanged.
		out.extend(odd);
	}

	/// Root of the tree over `data`'s `leaf_size`-byte leaves.
	pub fn merkle_root(leaf_size: u32, data: &[u8]) -> Result<[u8; HASH_LEN], MerkleError> {
		leaf_count(leaf_size, data)?;
		Ok(root_of_leaves(leaf_size as usize, data))
	}

	/// [`merkle_root`] for a leaf size and data already checked (a whole, non-zero number of
	/// leaves); all zeros for empty data.
	///
	/// Large inputs go through [`MerkleBuilder`]'s subtrees of [`BUILDER_BATCH_BYTES`]: the same
	/// root, but each subtree's levels stay in cache (on an 8 MiB fragment that is about 10 %
	/// faster than hashing whole levels of 32 768 leaves).
	pub(crate) fn root_of_leaves(leaf_size: usize, data: &[u8]) -> [u8; HASH_LEN] {
		if leaf_size == 0 || data.len() <= BUILDER_BATCH_BYTES {
			return subtree_root(leaf_size, data);
		}
		let mut builder =
			MerkleBuilder { leaf_size, pending: Vec::new(), stack: Vec::new(), leaves: 0 };
		builder.update(data);
		builder.finish().unwrap_or_default()
	}

	/// The root of a tree small enough to hash level by level; all zeros for empty data.
	fn subtree_root(leaf_size: usize, data: &[u8]) -> [u8; HASH_LEN] {
		let leaves = data.len() / leaf_size.max(1);
		let mut level = Vec::with_capacity(leaves);
		hash_leaves(leaf_size, data, &mut level);
		let mut next = Vec::with_capacity(leaves.div_ceil(2));
		while level.len() > 1 {
			next.clear();
			hash_level(&level, &mut next);
			core::mem::swap(&mut level, &mut next);
		}
		level.first().copied().unwrap_or_default()
	}

	/// A tree root computed from data fed piece by piece (e.g. as a fragment arrives over the
	/// network), equal to [`merkle_root`] over the concatenation.
	///
	/// Whole batches of [`BUILDER_BATCH_BYTES`] are reduced to their subtree root with the SIMD
	/// hasher; the subtrees and the leaves left over at the end (as power-of-two subtrees) are
	/// then merged on a stack. That gives the same tree as [`merkle_root`]'s level by level
	/// pairing with an odd last node carried up: both are the binary tree whose left subtree
	/// always holds the largest power of two of leaves that leaves the right one non-empty.
	/// Memory: one batch of bytes plus one hash per tree level.
	#[derive(Clone, Debug)]
	pub struct MerkleBuilder {
		leaf_size: usize,
		/// Bytes of an incomplete batch.
		pending: Vec<u8>,
		/// Roots of complete subtrees with their heights, heights strictly decreasing.
		stack: Vec<(u32, [u8; HASH_LEN])>,
		/// Leaves fed so far.
		leaves: u64,
	}

	impl MerkleBuilder {
		/// A builder for a tree of `leaf_size`-byte leaves.
		pub fn new(leaf_size: u32) -> Result<Self, MerkleError> {
			check_leaf_size(leaf_size)?;
			let leaf_size = leaf_size as usize;
			Ok(Self {
				leaf_size,
				pending: Vec::with_capacity(BUILDER_BATCH_BYTES),
				stack: Vec::new(),
				leaves: 0,
			})
		}

		/// Feeds the next bytes.
		pub fn update(&mut self, mut data: &[u8]) {
			let batch = BUILDER_BATCH_BYTES;
			if !self.pending.is_empty() {
				let take = (batch - self.pending.len()).min(data.len());
				self.pending.extend_from_slice(&data[..take]);
				data = &data[take..];
				if self.pending.len() < batch {
					return;
				}
				let pending = core::mem::take(&mut self.pending);
				self.push_batch(&pending);
				self.pending = pending;
				self.pending.clear();
			}
			let mut batches = data.chunks_exact(batch);
			for whole in &mut batches {
				self.push_batch(whole);
			}
			self.pending.extend_from_slice(batches.remainder());
		}

		fn push_batch(&mut self, batch: &[u8]) {
			let root = subtree_root(self.leaf_size, batch);
			// A power of two, as leaf sizes are.
			let leaves = batch.len() / self.leaf_size;
			self.leaves += leaves as u64;
			self.push(leaves.trailing_zeros(), root);
		}

		fn push(&mut self, mut height: u32, mut hash: [u8; HASH_LEN]) {
			while let Some(&(top_height, top)) = self.stack.last() {
				if top_height != height {
					break;
				}
				self.stack.pop();
				hash = crate::hashing::node_hash(&top, &hash);
				height += 1;
			}
			self.stack.push((height, hash));
		}

		/// The root of everything fed: an error if that is empty, not whole leaves or 2^32
		/// leaves or more.
		pub fn finish(mut self) -> Result<[u8; HASH_LEN], MerkleError> {
			if !self.pending.len().is_multiple_of(self.leaf_size) {
				return Err(MerkleError::NotWholeLeaves);
			}
			// The leftover leaves as power-of-two subtrees, largest first: the same stack that
			// pushing them one by one would leave, but hashed with SIMD.
			let pending = core::mem::take(&mut self.pending);
			let mut rest = &pending[..];
			while !rest.is_empty() {
				let take = 1usize << (rest.len() / self.leaf_size).ilog2();
				let (part, tail) = rest.split_at(take * self.leaf_size);
				self.leaves += take as u64;
				self.push(take.trailing_zeros(), subtree_root(self.leaf_size, part));
				rest = tail;
			}
			if self.leaves > u64::from(u32::MAX) {
				return Err(MerkleError::TooManyLeaves);
			}
			let mut root = self.stack.pop().ok_or(MerkleError::NotWholeLeaves)?.1;
			while let Some((_, left)) = self.stack.pop() {
				root = crate::hashing::node_hash(&left, &root);
			}
			Ok(root)
		}
	}

	/// A fragment's root — its [`FragmentHash`] — after checking its size against the layout.
	pub fn fragment_root(
		layout: &FileLayout,
		fragment: &[u8],
	) -> Result<FragmentHash, MerkleError> {
		layout.validate().map_err(MerkleError::InvalidLayout)?;
		if fragment.len() != layout.fragment_size() as usize {
			return Err(MerkleError::WrongFragmentSize {
				expected: layout.fragment_size(),
				actual: fragment.len(),
			});
		}
		merkle_root(layout.leaf_size, fragment).map(FragmentHash)
	}

	/// A whole Merkle tree, every level kept, to hand out leaf paths (proof generation).
	///
	/// Holds 32 bytes per leaf and per inner node: 2 MiB for a production fragment.
	#[derive(Clone, Debug)]
	pub struct MerkleTree {
		leaf_size: u32,
		/// Level 0 holds the leaf hashes, the last level the root alone.
		levels: Vec<Vec<[u8; HASH_LEN]>>,
	}

	impl MerkleTree {
		/// Builds the tree over `data`'s `leaf_size`-byte leaves.
		pub fn build(leaf_size: u32, data: &[u8]) -> Result<Self, MerkleError> {
			let leaves = leaf_count(leaf_size, data)? as usize;
			let mut level = Vec::with_capacity(leaves);
			hash_leaves(leaf_size as usize, data, &mut level);
			let mut levels = vec![level];
			while let Some(top) = levels.last().filter(|top| top.len() > 1) {
				let mut next = Vec::with_capacity(top.len().div_ceil(2));
				hash_level(top, &mut next);
				levels.push(next);
			}
			Ok(Self { leaf_size, levels })
		}

		/// The root.
		pub fn root(&self) -> [u8; HASH_LEN] {
			self.levels.last().and_then(|top| top.first()).copied().unwrap_or_default()
		}

		/// Bytes per leaf.
		pub fn leaf_size(&self) -> u32 {
			self.leaf_size
		}

		/// Number of leaves.
		pub fn leaf_count(&self) -> u32 {
			// build() checked that the count fits.
			self.levels.first().map_or(0, |leaves| leaves.len() as u32)
		}

		/// The sibling hashes from leaf `index` up to the root; `None` past the last leaf.
		pub fn path(&self, index: u32) -> Option<Vec<[u8; HASH_LEN]>> {
			if index >= self.leaf_count() {
				return None;
			}
			let mut pos = index as usize;
			let mut path = Vec::with_capacity(self.levels.len());
			for level in &self.levels[..self.levels.len() - 1] {
				// The sibling is the other node of the pair; an odd last node has none.
				path.extend(level.get(pos ^ 1));
				pos /= 2;
			}
			Some(path)
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::hashing::blake2_256;
	use build::{hash_all, hash_portable, BUILDER_BATCH_BYTES};

	/// The tree by its definition, one hash at a time, recursively.
	fn reference_root(leaf_size: usize, data: &[u8]) -> [u8; HASH_LEN] {
		let mut level: Vec<_> = data.chunks(leaf_size).map(leaf_hash).collect();
		while level.len() > 1 {
			level = level
				.chunks(2)
				.map(|pair| if pair.len() == 2 { node_hash(&pair[0], &pair[1]) } else { pair[0] })
				.collect();
		}
		level[0]
	}

	fn data(len: usize, salt: u8) -> Vec<u8> {
		(0..len).map(|i| (i as u8).wrapping_mul(31) ^ salt ^ (i >> 8) as u8).collect()
	}

	#[test]
	fn builder_matches_the_whole_tree_for_any_leaf_count_and_pieces() {
		// 32-byte leaves: 8192 to a builder batch.
		let batch = BUILDER_BATCH_BYTES / 32;
		let sizes = [1usize, 2, 3, 5, 63, 64, 65, 127, 128, 129, 200, 257];
		for leaves in sizes.into_iter().chain([batch - 1, batch, batch + 1, 3 * batch + 77]) {
			let data = data(leaves * 32, leaves as u8);
			let whole = merkle_root(32, &data).unwrap();
			assert_eq!(whole, reference_root(32, &data));
			let pieces = [1, 31, 32, 33, 1000, 2048, 7777, BUILDER_BATCH_BYTES, data.len()];
			// Feeding byte by byte is slow for the big trees; a few thousand calls suffice.
			for piece in pieces.into_iter().filter(|p| data.len() / p < 20_000) {
				let mut builder = MerkleBuilder::new(32).unwrap();
				data.chunks(piece).for_each(|chunk| builder.update(chunk));
				assert_eq!(builder.finish(), Ok(whole), "{leaves} leaves in pieces of {piece}");
			}
		}
	}

	#[test]
	fn builder_rejects_what_merkle_root_rejects() {
		assert_eq!(MerkleBuilder::new(48).err(), Some(MerkleError::InvalidLeafSize));
		assert_eq!(MerkleBuilder::new(32).unwrap().finish(), Err(MerkleError::NotWholeLeaves));
		let mut builder = MerkleBuilder::new(32).unwrap();
		builder.update(&[7; 33]);
		assert_eq!(builder.finish(), Err(MerkleError::NotWholeLeaves));
	}

	#[test]
	fn the_backend_named_is_the_one_detected() {
		let eight = cfg!(target_arch = "x86_64") && std::is_x86_feature_detected!("avx512f");
		assert_eq!(
			hash_backend(),
			if eight { "AVX-512, 8 lanes" } else { "blake2b_simd, 4 lanes" }
		);
	}

	#[test]
	fn eight_lane_and_portable_hashing_agree_for_any_count() {
		for len in [32usize, 65, 256, 1024] {
			for count in 0..=25 {
				let messages: Vec<Vec<u8>> = (0..count).map(|i| data(len, i as u8)).collect();
				let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
				let expected: Vec<_> = messages.iter().map(|m| blake2_256(m)).collect();
				let (mut all, mut portable) = (Vec::new(), Vec::new());
				hash_all(&refs, &mut all);
				hash_portable(&refs, &mut portable);
				assert_eq!(all, expected, "{count} messages of {len} bytes");
				assert_eq!(portable, expected, "{count} messages of {len} bytes");
			}
		}
	}

	#[test]
	fn simd_hashing_matches_sp_io() {
		let params = {
			let mut p = blake2b_simd::Params::new();
			p.hash_length(32);
			p
		};
		for len in [0usize, 1, 32, 65, 127, 128, 129, 256, 1000] {
			let d = data(len, 7);
			assert_eq!(params.hash(&d).as_bytes(), &blake2_256(&d)[..]);
		}
	}

	#[test]
	fn built_roots_match_the_reference_for_every_shape() {
		for leaf_size in [32u32, 64, 128, 256, 1024] {
			for leaves in (1usize..=40).chain([127, 128, 129, 200]) {
				let d = data(leaves * leaf_size as usize, leaves as u8);
				let expected = reference_root(leaf_size as usize, &d);
				assert_eq!(merkle_root(leaf_size, &d).unwrap(), expected, "{leaves} leaves");
				let tree = MerkleTree::build(leaf_size, &d).unwrap();
				assert_eq!(tree.root(), expected);
				assert_eq!(tree.leaf_count() as usize, leaves);
			}
		}
	}

	#[test]
	fn odd_last_node_is_carried_up() {
		let d = data(3 * 32, 1);
		let l: Vec<_> = d.chunks(32).map(leaf_hash).collect();
		assert_eq!(merkle_root(32, &d).unwrap(), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
		// A single leaf is its own root.
		assert_eq!(merkle_root(32, &d[..32]).unwrap(), l[0]);
	}

	#[test]
	fn every_path_leads_to_the_root_and_has_the_predicted_length() {
		for leaves in 1u32..=33 {
			let d = data(leaves as usize * 32, 3);
			let tree = MerkleTree::build(32, &d).unwrap();
			for index in 0..leaves {
				let path = tree.path(index).unwrap();
				assert_eq!(path_len(leaves, index), Some(path.len() as u32));
				let leaf = &d[index as usize * 32..][..32];
				assert_eq!(verify_path(&tree.root(), leaves, index, leaf, &path), Ok(true));
			}
			assert_eq!(tree.path(leaves), None);
			assert_eq!(path_len(leaves, leaves), None);
		}
	}

	#[test]
	fn root_from_path_rejects_malformed_paths() {
		let leaves = 13;
		let d = data(leaves as usize * 32, 9);
		let tree = MerkleTree::build(32, &d).unwrap();
		let root = tree.root();
		let index = 5;
		let leaf = &d[5 * 32..6 * 32];
		let path = tree.path(index).unwrap();

		assert_eq!(
			verify_path(&root, leaves, index, leaf, &path[..path.len() - 1]),
			Err(PathError::PathTooShort)
		);
		let mut padded = path.clone();
		padded.push([0; 32]);
		assert_eq!(verify_path(&root, leaves, index, leaf, &padded), Err(PathError::PathTooLong));
		assert_eq!(
			verify_path(&root, leaves, leaves, leaf, &path),
			Err(PathError::IndexOutOfRange)
		);
		assert_eq!(verify_path(&root, leaves, 4, leaf, &path), Ok(false));
		let mut bent = path.clone();
		bent[1][0] ^= 1;
		assert_eq!(verify_path(&root, leaves, index, leaf, &bent), Ok(false));
		assert_eq!(verify_path(&root, 0, 0, leaf, &[]), Err(PathError::IndexOutOfRange));
	}

	#[test]
	fn builder_rejects_bad_input() {
		assert_eq!(merkle_root(48, &[0; 96]), Err(MerkleError::InvalidLeafSize));
		assert_eq!(merkle_root(32, &[]), Err(MerkleError::NotWholeLeaves));
		assert_eq!(merkle_root(32, &[0; 33]), Err(MerkleError::NotWholeLeaves));
		let layout = crate::layout::FileLayout {
			segment_size: 256,
			data_shards: 2,
			parity_shards: 1,
			leaf_size: 32,
		};
		assert_eq!(
			fragment_root(&layout, &[0; 64]),
			Err(MerkleError::WrongFragmentSize { expected: 128, actual: 64 })
		);
		assert_eq!(
			fragment_root(&layout, &[0; 128]).unwrap().0,
			merkle_root(32, &[0; 128]).unwrap()
		);
	}
}
