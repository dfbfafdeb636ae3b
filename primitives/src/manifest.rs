//! What identifies a stored file: its layout, size, and every segment's fragment roots.
//!
//! The encoder produces a [`FileManifest`]; the chain records the same facts in a file's
//! declaration, and a downloader rebuilds the manifest from them to check every fragment it
//! fetches. [`FileManifest::check`] recomputes every hash, so a manifest from an untrusted
//! source can be trusted once it passes and its [`FileHash`] is the expected one.

use crate::{
	hashing::{file_hash, segment_hash},
	layout::{FileLayout, LayoutError},
	types::{FileHash, FragmentHash, SegmentHash},
};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::fmt;
use scale_info::TypeInfo;

/// One segment: its hash and its fragments' roots, data fragments first, then parity.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", deny_unknown_fields))]
pub struct SegmentManifest {
	/// [`segment_hash`] of `fragments`.
	pub hash: SegmentHash,
	/// The root of each fragment, by fragment index.
	pub fragments: Vec<FragmentHash>,
}

impl SegmentManifest {
	/// A segment manifest with its hash computed from the fragment roots.
	pub fn new(fragments: Vec<FragmentHash>) -> Self {
		Self { hash: segment_hash(&fragments), fragments }
	}
}

/// A whole file: enough to download, check and decode it (with its key).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase", deny_unknown_fields))]
pub struct FileManifest {
	/// [`file_hash`] of the other fields.
	pub hash: FileHash,
	/// How the file was cut.
	pub layout: FileLayout,
	/// Plaintext size in bytes.
	pub size: u64,
	/// Every segment, in file order.
	pub segments: Vec<SegmentManifest>,
}

/// Why a [`FileManifest`] does not hold together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManifestError {
	/// The layout is invalid.
	InvalidLayout(LayoutError),
	/// The number of segments does not match the size and layout.
	SegmentCount {
		/// Segments the size needs.
		expected: u64,
		/// Segments listed.
		actual: u64,
	},
	/// A segment does not list one root per fragment.
	FragmentCount {
		/// The segment's index.
		segment: u64,
		/// Fragments per segment in the layout.
		expected: u32,
		/// Roots listed.
		actual: u64,
	},
	/// A segment's hash does not match its fragment roots.
	SegmentHash {
		/// The segment's index.
		segment: u64,
	},
	/// The file hash does not match the rest of the manifest.
	FileHash,
}

impl fmt::Display for ManifestError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::InvalidLayout(e) => write!(f, "invalid layout: {e}"),
			Self::SegmentCount { expected, actual } => {
				write!(f, "manifest lists {actual} segments, its size needs {expected}")
			}
			Self::FragmentCount { segment, expected, actual } => {
				write!(f, "segment {segment} lists {actual} fragments, the layout has {expected}")
			}
			Self::SegmentHash { segment } => {
				write!(f, "segment {segment}'s hash does not match its fragments")
			}
			Self::FileHash => f.write_str("file hash does not match the manifest"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for ManifestError {}

impl FileManifest {
	/// A manifest with its file hash computed from the other fields.
	pub fn new(layout: FileLayout, size: u64, segments: Vec<SegmentManifest>) -> Self {
		let hashes: Vec<_> = segments.iter().map(|s| s.hash).collect();
		Self { hash: file_hash(&layout, size, &hashes), layout, size, segments }
	}

	/// Checks the layout, the segment and fragment counts, and recomputes every hash.
	pub fn check(&self) -> Result<(), ManifestError> {
		self.layout.validate().map_err(ManifestError::InvalidLayout)?;
		let expected = self.layout.segment_count(self.size);
		let actual = self.segments.len() as u64;
		if expected != actual {
			return Err(ManifestError::SegmentCount { expected, actual });
		}
		let shards = self.layout.total_shards();
		for (index, segment) in self.segments.iter().enumerate() {
			let segment_index = index as u64;
			if segment.fragments.len() as u64 != shards as u64 {
				return Err(ManifestError::FragmentCount {
					segment: segment_index,
					expected: shards,
					actual: segment.fragments.len() as u64,
				});
			}
			if segment_hash(&segment.fragments) != segment.hash {
				return Err(ManifestError::SegmentHash { segment: segment_index });
			}
		}
		let hashes: Vec<_> = self.segments.iter().map(|s| s.hash).collect();
		if file_hash(&self.layout, self.size, &hashes) != self.hash {
			return Err(ManifestError::FileHash);
		}
		Ok(())
	}

	/// Plaintext bytes in segment `index`; `None` past the last segment.
	pub fn segment_plain_len(&self, index: u64) -> Option<u32> {
		self.layout.segment_plain_len(self.size, index)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn layout() -> FileLayout {
		FileLayout { segment_size: 256, data_shards: 2, parity_shards: 1, leaf_size: 32 }
	}

	fn manifest(size: u64) -> FileManifest {
		let segments = (0..layout().segment_count(size))
			.map(|s| {
				SegmentManifest::new(
					(0..3).map(|f| FragmentHash([(s * 3 + f) as u8; 32])).collect(),
				)
			})
			.collect();
		FileManifest::new(layout(), size, segments)
	}

	#[test]
	fn a_built_manifest_checks() {
		for size in [0, 1, 240, 241, 1000] {
			assert_eq!(manifest(size).check(), Ok(()));
		}
	}

	#[test]
	fn check_names_each_inconsistency() {
		let good = manifest(500);

		let mut m = good.clone();
		m.layout.parity_shards = 0;
		assert_eq!(m.check(), Err(ManifestError::InvalidLayout(LayoutError::ZeroParityShards)));

		let mut m = good.clone();
		m.size = 100;
		assert_eq!(m.check(), Err(ManifestError::SegmentCount { expected: 1, actual: 3 }));

		let mut m = good.clone();
		m.segments[1].fragments.pop();
		assert_eq!(
			m.check(),
			Err(ManifestError::FragmentCount { segment: 1, expected: 3, actual: 2 })
		);

		let mut m = good.clone();
		m.segments[2].fragments[0].0[0] ^= 1;
		assert_eq!(m.check(), Err(ManifestError::SegmentHash { segment: 2 }));

		let mut m = good.clone();
		m.segments.swap(0, 1);
		assert_eq!(m.check(), Err(ManifestError::FileHash));

		let mut m = good;
		m.size = 481;
		assert_eq!(m.check(), Err(ManifestError::FileHash));
	}

	#[test]
	fn manifest_round_trips_through_scale_and_json() {
		let m = manifest(300);
		assert_eq!(FileManifest::decode(&mut &m.encode()[..]).unwrap(), m);
		let json = serde_json::to_string(&m).unwrap();
		assert!(json.contains("\"segmentSize\":256"));
		assert_eq!(serde_json::from_str::<FileManifest>(&json).unwrap(), m);
	}
}
