//! blake2-256 and what each hash of the data layer commits to.
//!
//! Hashing goes through `sp_io::hashing::blake2_256`: a host function inside the runtime, plain
//! blake2b-256 off-chain, so both sides compute the same digests.
//!
//! Domain separation:
//! - a Merkle **leaf** hashes the leaf's bytes alone: `H(leaf)`, always exactly `leaf_size`
//!   bytes, a power of two of at least 32 ([`crate::layout::MIN_LEAF_SIZE`]);
//! - an inner Merkle **node** hashes 65 bytes: `H(0x01 ‖ left ‖ right)`.
//!
//!   A leaf preimage is never 65 bytes long, and blake2b commits to the input length, so no leaf
//!   can be read as a node or the other way round; verification also rejects leaves of the wrong
//!   length. A one-byte leaf prefix as well would cost a third blake2b block on every 256-byte
//!   leaf (about a third more hashing for every fragment root) and buy nothing.
//! - a **segment** hashes `"cess/segment" ‖ root_0 ‖ … ‖ root_{n-1}`, its fragment roots in
//!   fragment order (data fragments first, then parity);
//! - a **file** hashes `"cess/file" ‖ SCALE(layout) ‖ size (u64 LE) ‖ segment_0 ‖ …`.

use crate::{
	layout::FileLayout,
	types::{FileHash, FragmentHash, SegmentHash, HASH_LEN},
};
use alloc::vec::Vec;
use codec::Encode;

/// Prefix of an inner Merkle node's preimage.
pub const NODE_TAG: u8 = 0x01;

/// Prefix of a segment hash's preimage.
pub const SEGMENT_DOMAIN: &[u8] = b"cess/segment";

/// Prefix of a file hash's preimage.
pub const FILE_DOMAIN: &[u8] = b"cess/file";

/// blake2b with a 256-bit output.
#[inline]
pub fn blake2_256(data: &[u8]) -> [u8; HASH_LEN] {
	sp_io::hashing::blake2_256(data)
}

/// Hash of one Merkle leaf.
#[inline]
pub fn leaf_hash(leaf: &[u8]) -> [u8; HASH_LEN] {
	blake2_256(leaf)
}

/// Hash of an inner Merkle node from its two children.
#[inline]
pub fn node_hash(left: &[u8; HASH_LEN], right: &[u8; HASH_LEN]) -> [u8; HASH_LEN] {
	blake2_256(&node_preimage(left, right))
}

/// Length of an inner node's preimage: the tag and two child hashes.
pub(crate) const NODE_PREIMAGE_LEN: usize = 1 + 2 * HASH_LEN;

/// The 65 bytes an inner node hashes.
#[inline]
pub(crate) fn node_preimage(
	left: &[u8; HASH_LEN],
	right: &[u8; HASH_LEN],
) -> [u8; NODE_PREIMAGE_LEN] {
	let mut buf = [0u8; NODE_PREIMAGE_LEN];
	let (tag, children) = buf.split_at_mut(1);
	let (l, r) = children.split_at_mut(HASH_LEN);
	tag.copy_from_slice(&[NODE_TAG]);
	l.copy_from_slice(left);
	r.copy_from_slice(right);
	buf
}

/// Hash of a segment from its fragment roots, in fragment order.
pub fn segment_hash(fragments: &[FragmentHash]) -> SegmentHash {
	let mut buf = Vec::with_capacity(SEGMENT_DOMAIN.len() + fragments.len() * HASH_LEN);
	buf.extend_from_slice(SEGMENT_DOMAIN);
	for fragment in fragments {
		buf.extend_from_slice(fragment.as_bytes());
	}
	SegmentHash(blake2_256(&buf))
}

/// Hash of a file from its layout, plaintext size and segment hashes, in order.
pub fn file_hash(layout: &FileLayout, size: u64, segments: &[SegmentHash]) -> FileHash {
	let mut buf = Vec::with_capacity(FILE_DOMAIN.len() + 16 + 8 + segments.len() * HASH_LEN);
	buf.extend_from_slice(FILE_DOMAIN);
	layout.encode_to(&mut buf);
	buf.extend_from_slice(&size.to_le_bytes());
	for segment in segments {
		buf.extend_from_slice(segment.as_bytes());
	}
	FileHash(blake2_256(&buf))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn blake2_256_is_the_standard_function() {
		// blake2b-256 of the empty input, from the BLAKE2 reference implementation.
		let expected = "0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8";
		assert_eq!(FileHash(blake2_256(b"")).to_string(), expected);
	}

	#[test]
	fn node_hash_prefixes_the_tag() {
		let (l, r) = ([1u8; 32], [2u8; 32]);
		let mut manual = vec![NODE_TAG];
		manual.extend_from_slice(&l);
		manual.extend_from_slice(&r);
		assert_eq!(node_hash(&l, &r), blake2_256(&manual));
		assert_ne!(node_hash(&l, &r), node_hash(&r, &l));
		// A leaf holding a node's children is not that node.
		assert_ne!(leaf_hash(&manual[1..]), node_hash(&l, &r));
	}

	#[test]
	fn segment_and_file_hashes_commit_to_every_input() {
		let frags = [FragmentHash([1; 32]), FragmentHash([2; 32])];
		let seg = segment_hash(&frags);
		assert_ne!(seg, segment_hash(&[frags[1], frags[0]]));
		assert_ne!(seg, segment_hash(&frags[..1]));

		let layout = FileLayout::PRODUCTION;
		let file = file_hash(&layout, 10, &[seg]);
		assert_ne!(file, file_hash(&layout, 11, &[seg]));
		assert_ne!(file, file_hash(&layout, 10, &[seg, seg]));
		let other = FileLayout { parity_shards: 7, ..layout };
		assert_ne!(file, file_hash(&other, 10, &[seg]));
		// The segment and file domains differ even over the same bytes.
		assert_ne!(seg.0, file_hash(&layout, 0, &[]).0);
	}
}
