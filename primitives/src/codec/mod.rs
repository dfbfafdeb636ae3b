//! The client-side file codec (`std`): plaintext → encrypted segments → Reed-Solomon fragments
//! with Merkle roots, and back.
//!
//! Encoding one segment ([`FileEncoder::encode_segment`]):
//! 1. the segment's plaintext (at most [`FileLayout::segment_capacity`] bytes) is encrypted in
//!    place with AES-256-GCM under the file's [`FileKey`]; the nonce is the segment index plus a
//!    "last segment" flag, so segments cannot be reordered, and a file cannot be cut short at a
//!    segment boundary, without failing authentication ([`encrypt`]);
//! 2. the ciphertext, its tag and key-stream padding (never zeros, so that every fragment of a
//!    file gets its own root) fill the `segment_size`-byte segment, which is split into
//!    `data_shards` fragments; Reed-Solomon adds `parity_shards` more, computed in stripes of
//!    [`erasure::STRIPE_BYTES`] per fragment ([`erasure`]);
//! 3. every fragment's Merkle root is computed (on all cores, overlapping the Reed-Solomon
//!    work), then the segment hash; the file hash closes the [`FileManifest`].
//!
//! Decoding ([`FileDecoder::decode_segment`]) takes any `data_shards` fragments of a segment,
//! checks each against its root (a bad one is named in [`CodecError::CorruptFragment`]),
//! rebuilds missing data fragments, and authenticates and decrypts; a wrong key fails with
//! [`CodecError::DecryptionFailed`]. No bytes come out of a segment that failed a check.
//!
//! [`stream`] runs either direction over `Read`/`Write` one segment at a time, with a progress
//! callback; [`rebuild_fragments`] regenerates lost fragments without the key (repair).
//!
//! [`FileLayout::segment_capacity`]: crate::layout::FileLayout::segment_capacity
//! [`FileManifest`]: crate::manifest::FileManifest

pub mod encrypt;
pub mod erasure;
pub mod segment;
pub mod stream;

pub use self::{
	encrypt::FileKey,
	segment::{rebuild_fragments, EncodedSegment, FileDecoder, FileEncoder},
	stream::{decode_bytes, decode_to_writer, encode_bytes, encode_file, encode_reader, Progress},
};

use crate::{layout::LayoutError, manifest::ManifestError, types::HexError};
use std::fmt;

/// An error from a caller-supplied callback (fragment sink or fetcher), passed through.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What can go wrong while encoding or decoding a file.
#[derive(Debug)]
pub enum CodecError {
	/// The layout is invalid.
	InvalidLayout(LayoutError),
	/// A key is not 64 hex digits.
	InvalidKey(HexError),
	/// The system's random number generator failed.
	RandomUnavailable,
	/// The plaintext handed in for a segment is not the length the file size gives it.
	WrongPlaintextLength {
		/// The segment's index.
		segment: u64,
		/// Bytes the segment must carry.
		expected: u32,
		/// Bytes given.
		actual: usize,
	},
	/// The file has no segment with this index.
	SegmentOutOfRange {
		/// The index asked for.
		segment: u64,
		/// Segments in the file.
		count: u64,
	},
	/// Fewer than `data_shards` usable fragments were given for a segment.
	NotEnoughFragments {
		/// The segment's index.
		segment: u64,
		/// Fragments given.
		available: usize,
		/// Fragments needed (the layout's `data_shards`).
		required: u32,
	},
	/// A fragment index is past the segment's last fragment.
	FragmentIndexOutOfRange {
		/// The segment's index.
		segment: u64,
		/// The fragment's index.
		fragment: u32,
	},
	/// The same fragment was given twice.
	DuplicateFragment {
		/// The segment's index.
		segment: u64,
		/// The fragment's index.
		fragment: u32,
	},
	/// A fragment does not have the layout's fragment size.
	WrongFragmentSize {
		/// The segment's index.
		segment: u64,
		/// The fragment's index.
		fragment: u32,
		/// Bytes the layout gives a fragment.
		expected: u32,
		/// Bytes given.
		actual: usize,
	},
	/// A fragment's bytes do not hash to its root: it is corrupt (or not this fragment).
	CorruptFragment {
		/// The segment's index.
		segment: u64,
		/// The fragment's index.
		fragment: u32,
	},
	/// A segment failed authentication although its fragments matched their roots: the key is
	/// wrong (or the file size does not belong to this file).
	DecryptionFailed {
		/// The segment's index.
		segment: u64,
	},
	/// The manifest does not hold together.
	Manifest(ManifestError),
	/// The input ended before, or went on after, the announced file size.
	SizeMismatch {
		/// The announced size.
		expected: u64,
		/// Bytes actually read (`expected + 1` when the input went on).
		actual: u64,
	},
	/// Reading the input or writing the output failed.
	Io(std::io::Error),
	/// The fragment sink refused a segment.
	Sink(BoxError),
	/// The fragment fetcher could not deliver a segment's fragments.
	Fetch {
		/// The segment's index.
		segment: u64,
		/// The fetcher's error.
		source: BoxError,
	},
	/// Reed-Solomon coding failed (a bug: the layout was checked).
	Erasure(reed_solomon_simd::Error),
}

impl fmt::Display for CodecError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::InvalidLayout(e) => write!(f, "invalid layout: {e}"),
			Self::InvalidKey(e) => write!(f, "invalid file key: {e}"),
			Self::RandomUnavailable => f.write_str("the system random number generator failed"),
			Self::WrongPlaintextLength { segment, expected, actual } => {
				write!(f, "segment {segment} must carry {expected} plaintext bytes, {actual} given")
			}
			Self::SegmentOutOfRange { segment, count } => {
				write!(f, "segment {segment} does not exist (the file has {count})")
			}
			Self::NotEnoughFragments { segment, available, required } => write!(
				f,
				"segment {segment}: {available} fragments given, {required} needed to decode"
			),
			Self::FragmentIndexOutOfRange { segment, fragment } => {
				write!(f, "segment {segment}: no fragment {fragment}")
			}
			Self::DuplicateFragment { segment, fragment } => {
				write!(f, "segment {segment}: fragment {fragment} given twice")
			}
			Self::WrongFragmentSize { segment, fragment, expected, actual } => write!(
				f,
				"segment {segment}, fragment {fragment}: {actual} bytes, expected {expected}"
			),
			Self::CorruptFragment { segment, fragment } => write!(
				f,
				"segment {segment}, fragment {fragment}: corrupt (does not match its root)"
			),
			Self::DecryptionFailed { segment } => {
				write!(f, "segment {segment} failed authentication: wrong key (or wrong file size)")
			}
			Self::Manifest(e) => write!(f, "invalid manifest: {e}"),
			Self::SizeMismatch { expected, actual } => {
				if actual > expected {
					write!(f, "input is longer than the announced {expected} bytes")
				} else {
					write!(f, "input ended after {actual} of {expected} bytes")
				}
			}
			Self::Io(e) => write!(f, "I/O error: {e}"),
			Self::Sink(e) => write!(f, "fragment sink failed: {e}"),
			Self::Fetch { segment, source } => {
				write!(f, "fetching segment {segment}'s fragments failed: {source}")
			}
			Self::Erasure(e) => write!(f, "Reed-Solomon coding failed: {e}"),
		}
	}
}

impl std::error::Error for CodecError {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			Self::Io(e) => Some(e),
			Self::Sink(e) | Self::Fetch { source: e, .. } => Some(e.as_ref()),
			Self::Erasure(e) => Some(e),
			_ => None,
		}
	}
}

impl From<std::io::Error> for CodecError {
	fn from(e: std::io::Error) -> Self {
		Self::Io(e)
	}
}

impl From<reed_solomon_simd::Error> for CodecError {
	fn from(e: reed_solomon_simd::Error) -> Self {
		Self::Erasure(e)
	}
}
