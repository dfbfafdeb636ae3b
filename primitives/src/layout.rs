//! How a file is cut into segments, fragments and proof leaves.
//!
//! A file's plaintext is split into chunks of [`FileLayout::segment_capacity`] bytes; each chunk is
//! encrypted into one segment of exactly `segment_size` bytes (ciphertext, authentication tag,
//! padding of key stream). A segment is split into `data_shards` fragments of
//! [`FileLayout::fragment_size`] bytes, and Reed-Solomon coding adds `parity_shards` more
//! fragments of the same size; any `data_shards` of them rebuild the segment. Each fragment is
//! cut into `leaf_size`-byte leaves, the leaves of the storage proofs and of the fragment's
//! Merkle tree.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// Bytes that encryption adds to each segment (the AEAD authentication tag).
pub const AEAD_TAG_LEN: u32 = 16;

/// Smallest allowed leaf. Leaves are never 65 bytes long, the length of an inner Merkle node's
/// preimage; see [`crate::hashing`].
pub const MIN_LEAF_SIZE: u32 = 32;

/// Largest allowed leaf; bounds the size of a storage proof.
pub const MAX_LEAF_SIZE: u32 = 1024;

/// Most fragments (data + parity) per segment; bounds on-chain fragment lists.
pub const MAX_SHARDS: u32 = 256;

/// Depth bound of a fragment's Merkle tree: a fragment has fewer than 2^32 leaves.
pub const MAX_MERKLE_DEPTH: u32 = 32;

/// Segment, fragment and leaf sizes of stored files.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", deny_unknown_fields))]
pub struct FileLayout {
	/// Bytes per encrypted segment, padding and authentication tag included.
	pub segment_size: u32,
	/// Fragments a segment is split into; any this many fragments rebuild the segment.
	pub data_shards: u32,
	/// Extra Reed-Solomon fragments per segment; this many fragments may be lost.
	pub parity_shards: u32,
	/// Bytes per proof leaf: a power of two between [`MIN_LEAF_SIZE`] and [`MAX_LEAF_SIZE`].
	pub leaf_size: u32,
}

/// Why a [`FileLayout`] is unusable.
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
pub enum LayoutError {
	/// `segment_size` is zero.
	ZeroSegmentSize,
	/// `data_shards` is zero.
	ZeroDataShards,
	/// `parity_shards` is zero: a segment would not survive the loss of a single fragment.
	ZeroParityShards,
	/// `leaf_size` is zero.
	ZeroLeafSize,
	/// `data_shards + parity_shards` overflows or exceeds [`MAX_SHARDS`].
	TooManyShards,
	/// `leaf_size` is not a power of two in `MIN_LEAF_SIZE..=MAX_LEAF_SIZE`.
	InvalidLeafSize,
	/// `segment_size` is not a multiple of `data_shards`.
	SegmentNotDivisibleByShards,
	/// The fragment size (`segment_size / data_shards`) is not a multiple of `leaf_size`.
	FragmentNotDivisibleByLeaf,
}

impl fmt::Display for LayoutError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		let msg = match self {
			Self::ZeroSegmentSize => "segment size is zero",
			Self::ZeroDataShards => "data shard count is zero",
			Self::ZeroParityShards => "parity shard count is zero",
			Self::ZeroLeafSize => "leaf size is zero",
			Self::TooManyShards => "data + parity shards overflow or exceed MAX_SHARDS (256)",
			Self::InvalidLeafSize => "leaf size is not a power of two between 32 and 1024",
			Self::SegmentNotDivisibleByShards => "segment size is not a multiple of data shards",
			Self::FragmentNotDivisibleByLeaf => "fragment size is not a multiple of leaf size",
		};
		f.write_str(msg)
	}
}

#[cfg(feature = "std")]
impl std::error::Error for LayoutError {}

const MIB: u32 = 1024 * 1024;

impl FileLayout {
	/// The production layout: 32 MiB segments, 4 data + 8 parity fragments of 8 MiB, 256-byte
	/// leaves (32 768 leaves, a Merkle path of 15 hashes per fragment).
	pub const PRODUCTION: Self =
		Self { segment_size: 32 * MIB, data_shards: 4, parity_shards: 8, leaf_size: 256 };

	/// Checks the layout, naming the first problem found.
	pub const fn validate(&self) -> Result<(), LayoutError> {
		if self.segment_size == 0 {
			return Err(LayoutError::ZeroSegmentSize);
		}
		if self.data_shards == 0 {
			return Err(LayoutError::ZeroDataShards);
		}
		if self.parity_shards == 0 {
			return Err(LayoutError::ZeroParityShards);
		}
		if self.leaf_size == 0 {
			return Err(LayoutError::ZeroLeafSize);
		}
		match self.data_shards.checked_add(self.parity_shards) {
			Some(total) if total <= MAX_SHARDS => {}
			_ => return Err(LayoutError::TooManyShards),
		}
		if !self.leaf_size.is_power_of_two()
			|| self.leaf_size < MIN_LEAF_SIZE
			|| self.leaf_size > MAX_LEAF_SIZE
		{
			return Err(LayoutError::InvalidLeafSize);
		}
		if !self.segment_size.is_multiple_of(self.data_shards) {
			return Err(LayoutError::SegmentNotDivisibleByShards);
		}
		if !(self.segment_size / self.data_shards).is_multiple_of(self.leaf_size) {
			return Err(LayoutError::FragmentNotDivisibleByLeaf);
		}
		// A valid layout has at least one 32-byte leaf per fragment, so segments hold more than
		// the AEAD tag, fragments have an even size (Reed-Solomon needs that) and a fragment has
		// fewer than 2^32 leaves (paths stay within MAX_MERKLE_DEPTH).
		Ok(())
	}

	/// Bytes per fragment. Zero for a layout with no data shards.
	pub const fn fragment_size(&self) -> u32 {
		match self.segment_size.checked_div(self.data_shards) {
			Some(size) => size,
			None => 0,
		}
	}

	/// Fragments per segment, data and parity.
	pub const fn total_shards(&self) -> u32 {
		self.data_shards.saturating_add(self.parity_shards)
	}

	/// Leaves per fragment. Zero for a layout that fails [`Self::validate`] on a zero field.
	pub const fn leaves_per_fragment(&self) -> u32 {
		match self.fragment_size().checked_div(self.leaf_size) {
			Some(leaves) => leaves,
			None => 0,
		}
	}

	/// Plaintext bytes carried by one segment: the segment less the authentication tag.
	pub const fn segment_capacity(&self) -> u32 {
		self.segment_size.saturating_sub(AEAD_TAG_LEN)
	}

	/// Segments of a file of `file_size` plaintext bytes. Every file has at least one segment
	/// (an empty file still carries an authentication tag); zero only for a layout whose
	/// segments cannot hold the tag.
	pub const fn segment_count(&self, file_size: u64) -> u64 {
		let capacity = self.segment_capacity() as u64;
		if capacity == 0 {
			return 0;
		}
		let count = file_size.div_ceil(capacity);
		if count == 0 {
			1
		} else {
			count
		}
	}

	/// Plaintext bytes in segment `index` of a file of `file_size` bytes; `None` when the file
	/// has no such segment.
	pub const fn segment_plain_len(&self, file_size: u64, index: u64) -> Option<u32> {
		let count = self.segment_count(file_size);
		if index >= count {
			return None;
		}
		let capacity = self.segment_capacity() as u64;
		let remaining = file_size.saturating_sub(index.saturating_mul(capacity));
		Some(if remaining < capacity { remaining as u32 } else { capacity as u32 })
	}

	/// Bytes that miners store for a file of `file_size` bytes: every fragment of every segment.
	pub const fn stored_size(&self, file_size: u64) -> u64 {
		self.segment_count(file_size)
			.saturating_mul(self.total_shards() as u64)
			.saturating_mul(self.fragment_size() as u64)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn layout(segment_size: u32, data: u32, parity: u32, leaf: u32) -> FileLayout {
		FileLayout { segment_size, data_shards: data, parity_shards: parity, leaf_size: leaf }
	}

	#[test]
	fn production_layout_is_valid_and_matches_the_design() {
		let l = FileLayout::PRODUCTION;
		assert_eq!(l.validate(), Ok(()));
		assert_eq!(l.fragment_size(), 8 * MIB);
		assert_eq!(l.total_shards(), 12);
		assert_eq!(l.leaves_per_fragment(), 32_768);
		assert_eq!(l.segment_capacity(), 32 * MIB - 16);
	}

	#[test]
	fn validate_names_each_problem() {
		use LayoutError::*;
		assert_eq!(layout(0, 4, 8, 256).validate(), Err(ZeroSegmentSize));
		assert_eq!(layout(1024, 0, 8, 256).validate(), Err(ZeroDataShards));
		assert_eq!(layout(1024, 4, 0, 256).validate(), Err(ZeroParityShards));
		assert_eq!(layout(1024, 4, 8, 0).validate(), Err(ZeroLeafSize));
		assert_eq!(layout(1024, u32::MAX, 1, 32).validate(), Err(TooManyShards));
		assert_eq!(layout(1024, 200, 57, 32).validate(), Err(TooManyShards));
		assert_eq!(layout(1024, 2, 2, 48).validate(), Err(InvalidLeafSize));
		assert_eq!(layout(1024, 2, 2, 16).validate(), Err(InvalidLeafSize));
		assert_eq!(layout(4096, 2, 2, 2048).validate(), Err(InvalidLeafSize));
		assert_eq!(layout(1000, 3, 2, 32).validate(), Err(SegmentNotDivisibleByShards));
		assert_eq!(layout(96, 1, 2, 64).validate(), Err(FragmentNotDivisibleByLeaf));
		assert_eq!(layout(200 * 32, 200, 56, 32).validate(), Ok(()));
		assert_eq!(layout(3 * 5 * 64, 3, 2, 64).validate(), Ok(()));
	}

	#[test]
	fn derived_sizes_never_panic_on_invalid_layouts() {
		let zero = layout(0, 0, 0, 0);
		assert_eq!(zero.fragment_size(), 0);
		assert_eq!(zero.leaves_per_fragment(), 0);
		assert_eq!(zero.segment_count(10), 0);
		assert_eq!(zero.segment_plain_len(10, 0), None);
		assert_eq!(layout(u32::MAX, u32::MAX, u32::MAX, 1).total_shards(), u32::MAX);
	}

	#[test]
	fn segment_count_and_lengths_cover_the_file_exactly() {
		let l = layout(256, 2, 2, 32);
		let cap = l.segment_capacity() as u64;
		assert_eq!(cap, 240);
		for size in [0, 1, cap - 1, cap, cap + 1, 5 * cap, 5 * cap + 7] {
			let count = l.segment_count(size);
			assert_eq!(count, size.div_ceil(cap).max(1));
			let total: u64 = (0..count).map(|i| l.segment_plain_len(size, i).unwrap() as u64).sum();
			assert_eq!(total, size);
			assert_eq!(l.segment_plain_len(size, count), None);
		}
		assert_eq!(l.stored_size(cap + 1), 2 * 4 * 128);
		assert_eq!(l.segment_count(u64::MAX), u64::MAX.div_ceil(cap));
	}
}
