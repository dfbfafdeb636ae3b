//! Whole files, one segment at a time, with bounded memory and progress reports.
//!
//! Encoding holds one segment, its parity and the coder's working space (about 100 MiB at the
//! production layout, whatever the file size) plus 68 bytes of manifest per segment. Decoding
//! holds the fragments the fetcher returns for one segment and one segment buffer.
//!
//! The fragment sink and the fetcher are where the network plugs in: the sink gets each
//! [`EncodedSegment`] (fragments and roots) as soon as it is ready; the fetcher is asked for the
//! fragments of one segment at a time and may return any `data_shards` or more of them.

use super::{
	segment::{read_full, EncodedSegment, FileDecoder, FileEncoder},
	BoxError, CodecError, FileKey,
};
use crate::{
	layout::FileLayout,
	manifest::{FileManifest, SegmentManifest},
};
use std::{
	fs::File,
	io::{Read, Write},
	path::Path,
};

/// How far an encode or decode has got; reported after each segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
	/// Segments finished.
	pub segments_done: u64,
	/// Segments in the file.
	pub segments_total: u64,
	/// Plaintext bytes finished.
	pub bytes_done: u64,
	/// Plaintext bytes in the file.
	pub bytes_total: u64,
}

/// Encodes `size` bytes read from `reader`, segment by segment: each segment goes to `sink`
/// (then its buffers are reused), `progress` hears after each one, and the manifest comes back
/// at the end. Fails with [`CodecError::SizeMismatch`] if the input is shorter or longer than
/// `size`.
pub fn encode_reader<R: Read>(
	layout: FileLayout,
	key: &FileKey,
	size: u64,
	mut reader: R,
	mut sink: impl FnMut(&EncodedSegment) -> Result<(), BoxError>,
	mut progress: impl FnMut(Progress),
) -> Result<FileManifest, CodecError> {
	let mut encoder = FileEncoder::new(layout, key, size)?;
	let total = encoder.segment_count();
	let mut segments = Vec::with_capacity(usize::try_from(total).unwrap_or(0).min(1 << 20));
	let mut done =
		Progress { segments_done: 0, segments_total: total, bytes_done: 0, bytes_total: size };
	for index in 0..total {
		let segment = encoder.read_segment(index, &mut reader)?;
		sink(&segment).map_err(CodecError::Sink)?;
		done.segments_done += 1;
		done.bytes_done += u64::from(segment.plain_len());
		segments.push(segment.manifest().clone());
		encoder.recycle(segment);
		progress(done);
	}
	if read_full(&mut reader, &mut [0u8; 1])? != 0 {
		return Err(CodecError::SizeMismatch { expected: size, actual: size.saturating_add(1) });
	}
	Ok(FileManifest::new(layout, size, segments))
}

/// [`encode_reader`] over the file at `path`, its size taken from the file system.
pub fn encode_file(
	layout: FileLayout,
	key: &FileKey,
	path: impl AsRef<Path>,
	sink: impl FnMut(&EncodedSegment) -> Result<(), BoxError>,
	progress: impl FnMut(Progress),
) -> Result<FileManifest, CodecError> {
	let file = File::open(path)?;
	let size = file.metadata()?.len();
	encode_reader(layout, key, size, file, sink, progress)
}

/// Encodes an in-memory file, keeping every segment: for small files and tests.
pub fn encode_bytes(
	layout: FileLayout,
	key: &FileKey,
	data: &[u8],
) -> Result<(FileManifest, Vec<EncodedSegment>), CodecError> {
	let mut encoder = FileEncoder::new(layout, key, data.len() as u64)?;
	let capacity = layout.segment_capacity() as usize;
	let segments = (0..encoder.segment_count())
		.map(|index| {
			let start = (index as usize).saturating_mul(capacity).min(data.len());
			let end = start.saturating_add(capacity).min(data.len());
			encoder.encode_segment(index, &data[start..end])
		})
		.collect::<Result<Vec<_>, _>>()?;
	let manifests = segments.iter().map(|s| s.manifest().clone()).collect();
	Ok((FileManifest::new(layout, data.len() as u64, manifests), segments))
}

/// Decodes the file `manifest` describes into `writer`, segment by segment: `fetch` is asked for
/// each segment's fragments `(fragment index, bytes)` in turn, `progress` hears after each
/// segment.
///
/// Segments are checked before they are written, so on error `writer` holds the correct
/// plaintext of the segments before the failing one and nothing else; write to a temporary file
/// and rename it on success.
pub fn decode_to_writer<W: Write, B: AsRef<[u8]>>(
	manifest: &FileManifest,
	key: &FileKey,
	mut fetch: impl FnMut(u64, &SegmentManifest) -> Result<Vec<(u32, B)>, BoxError>,
	mut writer: W,
	mut progress: impl FnMut(Progress),
) -> Result<(), CodecError> {
	let mut decoder = FileDecoder::new(manifest.clone(), key)?;
	let total = decoder.segment_count();
	let mut done = Progress {
		segments_done: 0,
		segments_total: total,
		bytes_done: 0,
		bytes_total: manifest.size,
	};
	for (index, segment) in (0..total).zip(&manifest.segments) {
		let fragments =
			fetch(index, segment).map_err(|source| CodecError::Fetch { segment: index, source })?;
		let plaintext = decoder.decode_segment(index, &fragments)?;
		writer.write_all(plaintext)?;
		done.segments_done += 1;
		done.bytes_done += plaintext.len() as u64;
		progress(done);
	}
	writer.flush()?;
	Ok(())
}

/// Decodes a whole file into memory: for small files and tests.
pub fn decode_bytes<B: AsRef<[u8]>>(
	manifest: &FileManifest,
	key: &FileKey,
	fetch: impl FnMut(u64, &SegmentManifest) -> Result<Vec<(u32, B)>, BoxError>,
) -> Result<Vec<u8>, CodecError> {
	let mut out = Vec::with_capacity(usize::try_from(manifest.size).unwrap_or(0));
	decode_to_writer(manifest, key, fetch, &mut out, |_| {})?;
	Ok(out)
}
