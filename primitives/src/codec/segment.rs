//! Encoding and decoding one segment at a time.
//!
//! [`FileEncoder`] turns segment `i`'s plaintext into its fragments and roots
//! ([`EncodedSegment`]); it is deterministic for a given key, so a client can encode once to
//! learn the roots (for the on-chain declaration) and again, segment by segment, to push the
//! fragments. [`FileDecoder`] turns any `data_shards` fragments of a segment back into its
//! plaintext. [`rebuild_fragments`] regenerates lost fragments without the key.

use super::{
	encrypt::{FileKey, SegmentCipher},
	erasure::Erasure,
	CodecError,
};
use crate::{
	layout::FileLayout,
	manifest::{FileManifest, SegmentManifest},
	merkle::root_of_leaves,
	types::{FragmentHash, SegmentHash},
};
use rayon::prelude::*;
use std::io::{ErrorKind, Read};

/// One encoded segment: its fragments and their roots.
pub struct EncodedSegment {
	index: u64,
	last: bool,
	plain_len: u32,
	manifest: SegmentManifest,
	fragment_size: usize,
	/// The encrypted segment: the data fragments back to back.
	data: Vec<u8>,
	/// The parity fragments back to back.
	parity: Vec<u8>,
}

impl std::fmt::Debug for EncodedSegment {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.debug_struct("EncodedSegment")
			.field("index", &self.index)
			.field("last", &self.last)
			.field("plain_len", &self.plain_len)
			.field("manifest", &self.manifest)
			.finish_non_exhaustive()
	}
}

impl EncodedSegment {
	/// The segment's index in its file.
	pub fn index(&self) -> u64 {
		self.index
	}

	/// Whether this is the file's last segment.
	pub fn is_last(&self) -> bool {
		self.last
	}

	/// Plaintext bytes the segment carries.
	pub fn plain_len(&self) -> u32 {
		self.plain_len
	}

	/// The segment's hash.
	pub fn hash(&self) -> SegmentHash {
		self.manifest.hash
	}

	/// The segment's hash and fragment roots.
	pub fn manifest(&self) -> &SegmentManifest {
		&self.manifest
	}

	/// Fragments in the segment, data and parity.
	pub fn fragment_count(&self) -> u32 {
		self.manifest.fragments.len() as u32
	}

	/// Fragment `index`'s bytes: data fragments first, then parity.
	pub fn fragment(&self, index: u32) -> Option<&[u8]> {
		let f = self.fragment_size;
		let index = index as usize;
		let data_shards = self.data.len() / f;
		if index < data_shards {
			self.data.get(index * f..(index + 1) * f)
		} else {
			self.parity.get((index - data_shards) * f..(index - data_shards + 1) * f)
		}
	}

	/// Every fragment: `(index, root, bytes)`.
	pub fn fragments(&self) -> impl Iterator<Item = (u32, FragmentHash, &[u8])> {
		self.data
			.chunks_exact(self.fragment_size)
			.chain(self.parity.chunks_exact(self.fragment_size))
			.zip(&self.manifest.fragments)
			.enumerate()
			.map(|(index, (bytes, root))| (index as u32, *root, bytes))
	}
}

/// Roots of the fragments laid back to back in `buf`, computed in parallel.
fn fragment_roots(layout: &FileLayout, buf: &[u8]) -> Vec<FragmentHash> {
	buf.par_chunks_exact(layout.fragment_size() as usize)
		.map(|fragment| FragmentHash(root_of_leaves(layout.leaf_size as usize, fragment)))
		.collect()
}

/// Encodes the segments of one file.
pub struct FileEncoder {
	layout: FileLayout,
	size: u64,
	segments: u64,
	cipher: SegmentCipher,
	erasure: Erasure,
	/// Buffers of a segment handed back with [`Self::recycle`].
	spare: Option<(Vec<u8>, Vec<u8>)>,
}

impl FileEncoder {
	/// An encoder for a file of `size` plaintext bytes.
	pub fn new(layout: FileLayout, key: &FileKey, size: u64) -> Result<Self, CodecError> {
		let erasure = Erasure::new(&layout)?;
		Ok(Self {
			layout,
			size,
			segments: layout.segment_count(size),
			cipher: SegmentCipher::new(key),
			erasure,
			spare: None,
		})
	}

	/// The layout.
	pub fn layout(&self) -> &FileLayout {
		&self.layout
	}

	/// The file's plaintext size.
	pub fn size(&self) -> u64 {
		self.size
	}

	/// Segments in the file (at least one).
	pub fn segment_count(&self) -> u64 {
		self.segments
	}

	/// Plaintext bytes segment `index` carries.
	pub fn segment_plain_len(&self, index: u64) -> Result<u32, CodecError> {
		self.layout
			.segment_plain_len(self.size, index)
			.ok_or(CodecError::SegmentOutOfRange { segment: index, count: self.segments })
	}

	/// Encodes segment `index`; `plaintext` must be exactly its bytes of the file
	/// ([`Self::segment_plain_len`]).
	pub fn encode_segment(
		&mut self,
		index: u64,
		plaintext: &[u8],
	) -> Result<EncodedSegment, CodecError> {
		let expected = self.segment_plain_len(index)?;
		if plaintext.len() != expected as usize {
			return Err(CodecError::WrongPlaintextLength {
				segment: index,
				expected,
				actual: plaintext.len(),
			});
		}
		let (mut data, parity) = self.buffers();
		data[..plaintext.len()].copy_from_slice(plaintext);
		self.seal_and_code(index, expected, data, parity)
	}

	/// Reads segment `index`'s plaintext from `reader` (exactly [`Self::segment_plain_len`]
	/// bytes, straight into the segment buffer) and encodes it.
	pub fn read_segment(
		&mut self,
		index: u64,
		reader: &mut impl Read,
	) -> Result<EncodedSegment, CodecError> {
		let plain_len = self.segment_plain_len(index)?;
		let (mut data, parity) = self.buffers();
		let read = read_full(reader, &mut data[..plain_len as usize])?;
		if read < plain_len as usize {
			let start = index * self.layout.segment_capacity() as u64;
			return Err(CodecError::SizeMismatch {
				expected: self.size,
				actual: start + read as u64,
			});
		}
		self.seal_and_code(index, plain_len, data, parity)
	}

	/// Hands a segment's buffers back to be reused by the next segment (saves allocating and
	/// faulting in three segments' worth of memory each time).
	pub fn recycle(&mut self, segment: EncodedSegment) {
		self.spare = Some((segment.data, segment.parity));
	}

	fn buffers(&mut self) -> (Vec<u8>, Vec<u8>) {
		self.spare.take().unwrap_or_else(|| {
			let f = self.layout.fragment_size() as usize;
			(
				vec![0u8; self.layout.data_shards as usize * f],
				vec![0u8; self.layout.parity_shards as usize * f],
			)
		})
	}

	fn seal_and_code(
		&mut self,
		index: u64,
		plain_len: u32,
		mut data: Vec<u8>,
		mut parity: Vec<u8>,
	) -> Result<EncodedSegment, CodecError> {
		let last = index + 1 == self.segments;
		self.cipher.seal(index, last, &mut data, plain_len as usize);
		let (layout, erasure) = (&self.layout, &mut self.erasure);
		// The data fragments' roots need only the ciphertext: hash them while the parity is
		// being computed, then hash the parity fragments on every core.
		let (mut roots, coded) =
			rayon::join(|| fragment_roots(layout, &data), || erasure.encode(&data, &mut parity));
		coded?;
		roots.extend(fragment_roots(layout, &parity));
		Ok(EncodedSegment {
			index,
			last,
			plain_len,
			manifest: SegmentManifest::new(roots),
			fragment_size: layout.fragment_size() as usize,
			data,
			parity,
		})
	}
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, CodecError> {
	let mut filled = 0;
	while filled < buf.len() {
		match reader.read(&mut buf[filled..]) {
			Ok(0) => break,
			Ok(n) => filled += n,
			Err(e) if e.kind() == ErrorKind::Interrupted => {}
			Err(e) => return Err(e.into()),
		}
	}
	Ok(filled)
}

/// Checks the indices and sizes of the fragments given for a segment and picks `data_shards` of
/// them, data fragments first (when they are all there, no decoding is needed).
fn select<'f, B: AsRef<[u8]>>(
	layout: &FileLayout,
	segment: u64,
	fragments: &'f [(u32, B)],
) -> Result<Vec<(usize, &'f [u8])>, CodecError> {
	let (k, n) = (layout.data_shards as usize, layout.total_shards() as usize);
	let f = layout.fragment_size();
	let mut seen = vec![false; n];
	let mut chosen = Vec::with_capacity(fragments.len());
	for (index, bytes) in fragments {
		let bytes = bytes.as_ref();
		let slot = seen
			.get_mut(*index as usize)
			.ok_or(CodecError::FragmentIndexOutOfRange { segment, fragment: *index })?;
		if std::mem::replace(slot, true) {
			return Err(CodecError::DuplicateFragment { segment, fragment: *index });
		}
		if bytes.len() != f as usize {
			return Err(CodecError::WrongFragmentSize {
				segment,
				fragment: *index,
				expected: f,
				actual: bytes.len(),
			});
		}
		chosen.push((*index as usize, bytes));
	}
	if chosen.len() < k {
		return Err(CodecError::NotEnoughFragments {
			segment,
			available: chosen.len(),
			required: layout.data_shards,
		});
	}
	chosen.sort_unstable_by_key(|(index, _)| *index);
	chosen.truncate(k);
	Ok(chosen)
}

/// Checks each fragment against its root, in parallel; names the first corrupt one.
fn verify(
	layout: &FileLayout,
	segment: u64,
	roots: &[FragmentHash],
	fragments: &[(usize, &[u8])],
) -> Result<(), CodecError> {
	let corrupt = fragments
		.par_iter()
		.filter(|(index, bytes)| {
			let root = root_of_leaves(layout.leaf_size as usize, bytes);
			roots.get(*index).map(|expected| expected.0) != Some(root)
		})
		.map(|(index, _)| *index)
		.min();
	match corrupt {
		Some(index) => Err(CodecError::CorruptFragment { segment, fragment: index as u32 }),
		None => Ok(()),
	}
}

/// Decodes the segments of one file, described by its manifest.
pub struct FileDecoder {
	manifest: FileManifest,
	cipher: SegmentCipher,
	erasure: Erasure,
	buf: Vec<u8>,
}

impl FileDecoder {
	/// A decoder for the file `manifest` describes, after checking the manifest.
	pub fn new(manifest: FileManifest, key: &FileKey) -> Result<Self, CodecError> {
		manifest.check().map_err(CodecError::Manifest)?;
		let erasure = Erasure::new(&manifest.layout)?;
		Ok(Self { cipher: SegmentCipher::new(key), erasure, buf: Vec::new(), manifest })
	}

	/// The manifest.
	pub fn manifest(&self) -> &FileManifest {
		&self.manifest
	}

	/// Segments in the file.
	pub fn segment_count(&self) -> u64 {
		self.manifest.segments.len() as u64
	}

	/// Decodes segment `index` from at least `data_shards` of its fragments, `(fragment index,
	/// bytes)`, and returns its plaintext. Every fragment used is checked against its root
	/// first; nothing is returned from a segment that fails a check.
	pub fn decode_segment<B: AsRef<[u8]>>(
		&mut self,
		index: u64,
		fragments: &[(u32, B)],
	) -> Result<&[u8], CodecError> {
		let count = self.segment_count();
		let segment = usize::try_from(index)
			.ok()
			.and_then(|i| self.manifest.segments.get(i))
			.ok_or(CodecError::SegmentOutOfRange { segment: index, count })?;
		let plain_len =
			self.manifest
				.segment_plain_len(index)
				.ok_or(CodecError::SegmentOutOfRange { segment: index, count })? as usize;
		let layout = &self.manifest.layout;
		let chosen = select(layout, index, fragments)?;
		self.buf.resize(layout.segment_size as usize, 0);
		// Check the roots while the data is being rebuilt; the rebuilt bytes are used only if
		// every root matched.
		let (buf, erasure) = (&mut self.buf, &mut self.erasure);
		let (verified, recovered) = rayon::join(
			|| verify(layout, index, &segment.fragments, &chosen),
			|| erasure.recover_data(&chosen, buf),
		);
		verified?;
		recovered?;
		if !self.cipher.open(index, index + 1 == count, &mut self.buf, plain_len) {
			return Err(CodecError::DecryptionFailed { segment: index });
		}
		Ok(&self.buf[..plain_len])
	}
}

/// Regenerates fragments `wanted` of segment `index` from at least `data_shards` others (no key
/// needed): what a miner does to repair a lost fragment. Inputs are checked against
/// `segment`'s roots, and so is every rebuilt fragment.
pub fn rebuild_fragments<B: AsRef<[u8]>>(
	layout: &FileLayout,
	index: u64,
	segment: &SegmentManifest,
	available: &[(u32, B)],
	wanted: &[u32],
) -> Result<Vec<Vec<u8>>, CodecError> {
	let mut erasure = Erasure::new(layout)?;
	let n = layout.total_shards();
	if segment.fragments.len() != n as usize {
		return Err(CodecError::Manifest(crate::manifest::ManifestError::FragmentCount {
			segment: index,
			expected: n,
			actual: segment.fragments.len() as u64,
		}));
	}
	if let Some(&fragment) = wanted.iter().find(|&&w| w >= n) {
		return Err(CodecError::FragmentIndexOutOfRange { segment: index, fragment });
	}
	let chosen = select(layout, index, available)?;
	verify(layout, index, &segment.fragments, &chosen)?;
	let f = layout.fragment_size() as usize;
	let k = layout.data_shards;
	let mut data = vec![0u8; k as usize * f];
	erasure.recover_data(&chosen, &mut data)?;
	let mut parity = Vec::new();
	if wanted.iter().any(|&w| w >= k) {
		parity = vec![0u8; layout.parity_shards as usize * f];
		erasure.encode(&data, &mut parity)?;
	}
	wanted
		.iter()
		.map(|&w| {
			let bytes = if w < k {
				&data[w as usize * f..(w as usize + 1) * f]
			} else {
				&parity[(w - k) as usize * f..(w - k + 1) as usize * f]
			};
			if segment.fragments.get(w as usize).map(|r| r.0)
				!= Some(root_of_leaves(layout.leaf_size as usize, bytes))
			{
				return Err(CodecError::CorruptFragment { segment: index, fragment: w });
			}
			Ok(bytes.to_vec())
		})
		.collect()
}
