//! The file codec end to end: round trips, erasure, corruption, keys, streaming, repair.

use cess_primitives::{
	codec::{
		decode_bytes, decode_to_writer, encode_bytes, encode_reader, rebuild_fragments, BoxError,
		CodecError, EncodedSegment, FileDecoder, FileEncoder, FileKey, Progress,
	},
	layout::FileLayout,
	merkle::fragment_root,
	FileManifest, FragmentHash,
};
use std::{collections::HashMap, io::Read};

mod support;

/// 4 + 8 fragments of 256 bytes (4 leaves of 64): the production shape, scaled down.
const SMALL: FileLayout =
	FileLayout { segment_size: 1024, data_shards: 4, parity_shards: 8, leaf_size: 64 };

/// 3 + 2 fragments of 5 leaves: an odd data count and an odd Merkle level.
const ODD: FileLayout =
	FileLayout { segment_size: 3 * 5 * 32, data_shards: 3, parity_shards: 2, leaf_size: 32 };

fn key() -> FileKey {
	FileKey::from_bytes([0x5a; 32])
}

fn content(len: usize, salt: u64) -> Vec<u8> {
	support::pseudo_random(len, salt)
}

/// The fragments of every segment, as a fetcher would get them.
fn fragments_of(segments: &[EncodedSegment]) -> Vec<Vec<(u32, Vec<u8>)>> {
	segments
		.iter()
		.map(|s| s.fragments().map(|(i, _, bytes)| (i, bytes.to_vec())).collect())
		.collect()
}

/// Decodes from the fragments `pick` selects in each segment.
fn decode_with(
	manifest: &FileManifest,
	key: &FileKey,
	all: &[Vec<(u32, Vec<u8>)>],
	pick: impl Fn(u32) -> bool,
) -> Result<Vec<u8>, CodecError> {
	decode_bytes(manifest, key, |index, _| {
		Ok(all[index as usize].iter().filter(|(i, _)| pick(*i)).cloned().collect())
	})
}

fn sizes(layout: &FileLayout) -> Vec<usize> {
	let leaf = layout.leaf_size as usize;
	let seg = layout.segment_size as usize;
	let cap = layout.segment_capacity() as usize;
	vec![
		0,
		1,
		leaf - 1,
		leaf,
		leaf + 1,
		cap - 1,
		cap,
		cap + 1,
		seg - 1,
		seg,
		seg + 1,
		3 * cap,
		4 * cap + 17,
	]
}

#[test]
fn round_trips_at_boundary_sizes() {
	for layout in [SMALL, ODD] {
		for size in sizes(&layout) {
			let data = content(size, size as u64);
			let (manifest, segments) = encode_bytes(layout, &key(), &data).unwrap();
			assert_eq!(manifest.check(), Ok(()));
			assert_eq!(manifest.size, size as u64);
			assert_eq!(segments.len() as u64, layout.segment_count(size as u64));
			for (segment, listed) in segments.iter().zip(&manifest.segments) {
				assert_eq!(segment.manifest(), listed);
				for (_, root, bytes) in segment.fragments() {
					assert_eq!(fragment_root(&layout, bytes).unwrap(), root);
				}
			}
			let all = fragments_of(&segments);
			// Data fragments only, then parity fragments first.
			let k = layout.data_shards;
			assert_eq!(decode_with(&manifest, &key(), &all, |i| i < k).unwrap(), data, "{size}");
			assert_eq!(
				decode_with(&manifest, &key(), &all, |i| i >= layout.total_shards() - k).unwrap(),
				data
			);
		}
	}
}

#[test]
fn ciphertext_hides_the_plaintext_and_pads_with_key_stream() {
	let data = vec![0u8; 500];
	let (_, segments) = encode_bytes(SMALL, &key(), &data).unwrap();
	let sealed: Vec<u8> = (0..4).flat_map(|i| segments[0].fragment(i).unwrap().to_vec()).collect();
	assert!(sealed[..500].iter().filter(|&&b| b == 0).count() < 20);
	let padding = &sealed[500 + 16..];
	assert_eq!(padding.len(), 1024 - 500 - 16);
	assert!(padding.iter().filter(|&&b| b == 0).count() < padding.len() / 64, "not zeros");
}

#[test]
fn a_short_last_segment_gives_every_fragment_its_own_root() {
	// A few bytes in a segment of four data fragments: with zero padding the three fragments
	// after the ciphertext were identical (one root, stored once, paid three times).
	for layout in [SMALL, ODD] {
		for size in [0usize, 1, 100, layout.segment_capacity() as usize + 5] {
			let (manifest, _) = encode_bytes(layout, &key(), &content(size, 3)).unwrap();
			let roots: Vec<_> =
				manifest.segments.iter().flat_map(|s| s.fragments.clone()).collect();
			let distinct: std::collections::BTreeSet<_> = roots.iter().collect();
			assert_eq!(distinct.len(), roots.len(), "{size} bytes: a repeated root");
		}
	}
}

#[test]
fn every_choice_of_k_fragments_decodes() {
	for layout in [SMALL, ODD] {
		let data = content(2 * layout.segment_capacity() as usize - 3, 7);
		let (manifest, segments) = encode_bytes(layout, &key(), &data).unwrap();
		let all = fragments_of(&segments);
		let n = layout.total_shards();
		let mut subsets = 0;
		for mask in 0u32..(1 << n) {
			if mask.count_ones() != layout.data_shards {
				continue;
			}
			let decoded = decode_with(&manifest, &key(), &all, |i| mask & (1 << i) != 0);
			assert_eq!(decoded.unwrap(), data, "fragments {mask:#b}");
			subsets += 1;
		}
		// C(12, 4) and C(5, 3).
		assert_eq!(subsets, if layout == SMALL { 495 } else { 10 });
	}
}

#[test]
fn losing_more_than_parity_fails_cleanly() {
	let data = content(3000, 1);
	let (manifest, segments) = encode_bytes(SMALL, &key(), &data).unwrap();
	let all = fragments_of(&segments);
	// Lose m + 1 = 9 fragments: 3 are left.
	let err = decode_with(&manifest, &key(), &all, |i| i % 4 == 1).unwrap_err();
	assert!(
		matches!(err, CodecError::NotEnoughFragments { segment: 0, available: 3, required: 4 }),
		"{err}"
	);
}

#[test]
fn a_corrupt_fragment_is_named_and_nothing_is_returned() {
	let data = content(2500, 2);
	let (manifest, segments) = encode_bytes(SMALL, &key(), &data).unwrap();
	let mut all = fragments_of(&segments);
	all[1][6].1[100] ^= 0x01;
	// Segment 0 is fine; segment 1's fragment 6 is used (data fragments 0 and 1 missing).
	let mut decoder = FileDecoder::new(manifest.clone(), &key()).unwrap();
	let pick = |seg: &Vec<(u32, Vec<u8>)>| -> Vec<(u32, Vec<u8>)> {
		seg.iter().filter(|(i, _)| [2, 3, 6, 9].contains(i)).cloned().collect()
	};
	assert_eq!(decoder.decode_segment(0, &pick(&all[0])).unwrap(), &data[..1008]);
	let err = decoder.decode_segment(1, &pick(&all[1])).unwrap_err();
	assert!(matches!(err, CodecError::CorruptFragment { segment: 1, fragment: 6 }), "{err}");
	assert!(err.to_string().contains("segment 1, fragment 6"));

	// Streaming stops at the bad segment, having written only the good ones.
	let mut out = Vec::new();
	let err = decode_to_writer(
		&manifest,
		&key(),
		|i, _| Ok::<_, BoxError>(pick(&all[i as usize])),
		&mut out,
		|_| {},
	)
	.unwrap_err();
	assert!(matches!(err, CodecError::CorruptFragment { segment: 1, fragment: 6 }));
	assert_eq!(out, &data[..1008]);
}

#[test]
fn a_wrong_key_or_size_fails_authentication() {
	let data = content(2000, 3);
	let (manifest, segments) = encode_bytes(SMALL, &key(), &data).unwrap();
	let all = fragments_of(&segments);
	let other = FileKey::from_bytes([0x5b; 32]);
	let err = decode_with(&manifest, &other, &all, |_| true).unwrap_err();
	assert!(matches!(err, CodecError::DecryptionFailed { segment: 0 }), "{err}");
	assert!(err.to_string().contains("wrong key"));

	// A manifest that lies about the size (hashes recomputed) fails too.
	let lying = FileManifest::new(SMALL, 1999, manifest.segments.clone());
	let err = decode_with(&lying, &key(), &all, |_| true).unwrap_err();
	assert!(matches!(err, CodecError::DecryptionFailed { segment: 1 }), "{err}");
}

#[test]
fn segments_cannot_be_swapped_or_the_file_truncated() {
	let cap = SMALL.segment_capacity() as usize;
	let data = content(3 * cap, 4);
	let (manifest, segments) = encode_bytes(SMALL, &key(), &data).unwrap();
	let all = fragments_of(&segments);

	let mut swapped = manifest.segments.clone();
	swapped.swap(0, 1);
	let swapped = FileManifest::new(SMALL, manifest.size, swapped);
	let fetch_swapped = |i: u64, _: &_| {
		let i = [1, 0, 2][i as usize];
		Ok::<_, BoxError>(all[i].clone())
	};
	let err = decode_bytes(&swapped, &key(), fetch_swapped).unwrap_err();
	assert!(matches!(err, CodecError::DecryptionFailed { segment: 0 }), "{err}");

	let truncated = FileManifest::new(SMALL, 2 * cap as u64, manifest.segments[..2].to_vec());
	let err = decode_with(&truncated, &key(), &all, |_| true).unwrap_err();
	assert!(matches!(err, CodecError::DecryptionFailed { segment: 1 }), "{err}");
}

#[test]
fn decoder_rejects_malformed_fragment_sets() {
	let data = content(100, 5);
	let (manifest, segments) = encode_bytes(SMALL, &key(), &data).unwrap();
	let all = fragments_of(&segments);
	let mut decoder = FileDecoder::new(manifest.clone(), &key()).unwrap();
	let f = |i: u32| all[0][i as usize].clone();

	let err = decoder.decode_segment(0, &[f(0), f(1), f(2), f(2)]).unwrap_err();
	assert!(matches!(err, CodecError::DuplicateFragment { segment: 0, fragment: 2 }));
	let err = decoder.decode_segment(0, &[f(0), f(1), f(2), (12, f(3).1)]).unwrap_err();
	assert!(matches!(err, CodecError::FragmentIndexOutOfRange { segment: 0, fragment: 12 }));
	let short = (3, f(3).1[..100].to_vec());
	let err = decoder.decode_segment(0, &[f(0), f(1), f(2), short]).unwrap_err();
	assert!(matches!(
		err,
		CodecError::WrongFragmentSize { segment: 0, fragment: 3, expected: 256, actual: 100 }
	));
	let err = decoder.decode_segment(1, &[f(0), f(1), f(2), f(3)]).unwrap_err();
	assert!(matches!(err, CodecError::SegmentOutOfRange { segment: 1, count: 1 }));
	// Fragment 5's bytes offered as fragment 4.
	let err = decoder.decode_segment(0, &[f(0), f(1), f(2), (4, f(5).1)]).unwrap_err();
	assert!(matches!(err, CodecError::CorruptFragment { segment: 0, fragment: 4 }));
	// Extra fragments are fine: the data fragments are used.
	assert_eq!(decoder.decode_segment(0, &all[0]).unwrap(), &data[..]);

	let mut bad = manifest;
	bad.size += 1;
	assert!(matches!(FileDecoder::new(bad, &key()), Err(CodecError::Manifest(_))));
}

#[test]
fn encoding_is_deterministic_per_key_and_keys_differ() {
	let data = content(5000, 6);
	let (a, _) = encode_bytes(SMALL, &key(), &data).unwrap();
	let (b, _) = encode_bytes(SMALL, &key(), &data).unwrap();
	assert_eq!(a, b);
	let fresh = FileKey::generate().unwrap();
	let (c, segments) = encode_bytes(SMALL, &fresh, &data).unwrap();
	assert_ne!(a.hash, c.hash);
	let exported = FileKey::from_hex(&fresh.to_hex()).unwrap();
	let all = fragments_of(&segments);
	assert_eq!(decode_with(&c, &exported, &all, |i| i >= 4).unwrap(), data);
}

#[test]
fn encoder_checks_segment_inputs() {
	let mut encoder = FileEncoder::new(SMALL, &key(), 1500).unwrap();
	assert_eq!(encoder.segment_count(), 2);
	let err = encoder.encode_segment(0, &[0; 1007]).unwrap_err();
	assert!(matches!(
		err,
		CodecError::WrongPlaintextLength { segment: 0, expected: 1008, actual: 1007 }
	));
	let err = encoder.encode_segment(2, &[]).unwrap_err();
	assert!(matches!(err, CodecError::SegmentOutOfRange { segment: 2, count: 2 }));
	assert!(encoder.encode_segment(1, &[0; 492]).unwrap().is_last());
	let bad = FileLayout { segment_size: 1000, ..SMALL };
	assert!(matches!(FileEncoder::new(bad, &key(), 1), Err(CodecError::InvalidLayout(_))));
}

/// A reader that makes up `len` bytes on the fly, so the file never sits in memory.
struct Generated {
	len: u64,
	pos: u64,
}

impl Read for Generated {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		// Odd-sized reads exercise the refill loop.
		let n = (buf.len() as u64).min(self.len - self.pos).min(333) as usize;
		for (i, b) in buf[..n].iter_mut().enumerate() {
			*b = ((self.pos + i as u64) % 251) as u8;
		}
		self.pos += n as u64;
		Ok(n)
	}
}

#[test]
fn streaming_round_trip_reuses_buffers_and_reports_progress() {
	let size = 40 * SMALL.segment_capacity() as u64 + 5;
	let mut stored: HashMap<(u64, u32), Vec<u8>> = HashMap::new();
	let mut buffer = None;
	let mut reports = Vec::new();
	let manifest = encode_reader(
		SMALL,
		&key(),
		size,
		Generated { len: size, pos: 0 },
		|segment| {
			// Bounded memory: every segment is built in the first segment's buffers.
			let ptr = segment.fragment(0).unwrap().as_ptr() as usize;
			assert_eq!(*buffer.get_or_insert(ptr), ptr);
			for (i, _, bytes) in segment.fragments() {
				stored.insert((segment.index(), i), bytes.to_vec());
			}
			Ok(())
		},
		|p| reports.push(p),
	)
	.unwrap();
	assert_eq!(manifest.segments.len(), 41);
	assert_eq!(reports.len(), 41);
	assert!(reports.windows(2).all(|w| w[0].bytes_done < w[1].bytes_done));
	assert_eq!(
		reports.last(),
		Some(&Progress {
			segments_done: 41,
			segments_total: 41,
			bytes_done: size,
			bytes_total: size
		})
	);

	let mut out = Vec::new();
	let mut decoded_reports = 0;
	decode_to_writer(
		&manifest,
		&key(),
		|segment, listed| {
			assert_eq!(listed, &manifest.segments[segment as usize]);
			// A different k-subset for each segment.
			let skip = segment as u32 % 9;
			Ok::<_, BoxError>(
				(skip..skip + 4).map(|i| (i, stored[&(segment, i)].clone())).collect::<Vec<_>>(),
			)
		},
		&mut out,
		|_| decoded_reports += 1,
	)
	.unwrap();
	assert_eq!(decoded_reports, 41);
	let mut expected = Vec::new();
	Generated { len: size, pos: 0 }.read_to_end(&mut expected).unwrap();
	assert_eq!(out, expected);
}

#[test]
fn streaming_encode_rejects_a_size_mismatch_and_sink_errors() {
	let short =
		encode_reader(SMALL, &key(), 3000, Generated { len: 2999, pos: 0 }, |_| Ok(()), |_| {});
	assert!(matches!(short, Err(CodecError::SizeMismatch { expected: 3000, actual: 2999 })));
	let long =
		encode_reader(SMALL, &key(), 3000, Generated { len: 3001, pos: 0 }, |_| Ok(()), |_| {});
	assert!(matches!(long, Err(CodecError::SizeMismatch { expected: 3000, actual: 3001 })));
	let refused = encode_reader(
		SMALL,
		&key(),
		3000,
		Generated { len: 3000, pos: 0 },
		|s| if s.index() == 1 { Err("disk full".into()) } else { Ok(()) },
		|_| {},
	);
	assert!(matches!(refused, Err(CodecError::Sink(e)) if e.to_string() == "disk full"));
	// Input that ends inside segment 2 fails there, after segments 0 and 1 reached the sink.
	let capacity = SMALL.segment_capacity() as u64;
	let mut seen = Vec::new();
	let cut = encode_reader(
		SMALL,
		&key(),
		3 * capacity,
		Generated { len: 2 * capacity + 1, pos: 0 },
		|s| {
			seen.push(s.index());
			Ok(())
		},
		|_| {},
	);
	assert!(
		matches!(cut, Err(CodecError::SizeMismatch { actual, .. }) if actual == 2 * capacity + 1)
	);
	assert_eq!(seen, [0, 1]);
}

#[test]
fn lost_fragments_are_rebuilt_without_the_key() {
	for layout in [SMALL, ODD] {
		let data = content(layout.segment_capacity() as usize, 8);
		let (manifest, segments) = encode_bytes(layout, &key(), &data).unwrap();
		let all = &fragments_of(&segments)[0];
		let k = layout.data_shards as usize;
		let n = layout.total_shards();
		// Rebuild everything from the last k fragments.
		let wanted: Vec<u32> = (0..n).collect();
		let rebuilt =
			rebuild_fragments(&layout, 0, &manifest.segments[0], &all[all.len() - k..], &wanted)
				.unwrap();
		for (i, bytes) in rebuilt.iter().enumerate() {
			assert_eq!(bytes, &all[i].1, "fragment {i}");
		}
		let err =
			rebuild_fragments(&layout, 0, &manifest.segments[0], &all[..k - 1], &[0]).unwrap_err();
		assert!(matches!(err, CodecError::NotEnoughFragments { .. }));
		let err =
			rebuild_fragments(&layout, 0, &manifest.segments[0], &all[..k], &[n]).unwrap_err();
		assert!(
			matches!(err, CodecError::FragmentIndexOutOfRange { fragment, .. } if fragment == n)
		);
	}
}

#[test]
fn production_layout_round_trip() {
	let layout = FileLayout::PRODUCTION;
	let data = content(layout.segment_capacity() as usize + 1_000_003, 9);
	let (manifest, segments) = encode_bytes(layout, &key(), &data).unwrap();
	assert_eq!(manifest.segments.len(), 2);
	let all = fragments_of(&segments);
	drop(segments);
	// Parity only for segment 0, a mix for segment 1.
	let decoded = decode_bytes(&manifest, &key(), |segment, _| {
		let pick: &[u32] = if segment == 0 { &[4, 7, 9, 11] } else { &[0, 5, 2, 10] };
		Ok::<_, BoxError>(
			all[segment as usize].iter().filter(|(i, _)| pick.contains(i)).cloned().collect(),
		)
	})
	.unwrap();
	assert!(decoded == data, "production round trip differs");
	let root = fragment_root(&layout, &all[1][3].1).unwrap();
	assert_eq!(root, manifest.segments[1].fragments[3]);
	assert_ne!(root, FragmentHash::default());
}
