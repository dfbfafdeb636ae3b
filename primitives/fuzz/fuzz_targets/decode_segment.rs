//! The decoder under damaged, missing, mislabelled and truncated fragments.
//!
//! Oracle: decoding never panics, and whenever it succeeds it returns exactly the segment's
//! original plaintext.
#![no_main]

use cess_primitives::{
	codec::{encode_bytes, FileDecoder, FileKey},
	layout::FileLayout,
	FileManifest,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// 4 + 8 fragments of 256 bytes: the production shape, scaled down.
const LAYOUT: FileLayout =
	FileLayout { segment_size: 1024, data_shards: 4, parity_shards: 8, leaf_size: 64 };

struct Fixture {
	key: FileKey,
	plaintext: Vec<u8>,
	manifest: FileManifest,
	/// fragments[segment][fragment]
	fragments: Vec<Vec<Vec<u8>>>,
}

fn fixture() -> &'static Fixture {
	static FIXTURE: OnceLock<Fixture> = OnceLock::new();
	FIXTURE.get_or_init(|| {
		let key = FileKey::from_bytes([0x42; 32]);
		let plaintext: Vec<u8> = (0..1500u32).map(|i| (i * 7 + i / 256) as u8).collect();
		let (manifest, segments) = encode_bytes(LAYOUT, &key, &plaintext).unwrap();
		let fragments = segments
			.iter()
			.map(|s| s.fragments().map(|(_, _, bytes)| bytes.to_vec()).collect())
			.collect();
		Fixture { key, plaintext, manifest, fragments }
	})
}

fuzz_target!(|input: &[u8]| {
	let fx = fixture();
	let [segment, mask_lo, mask_hi, labels, rest @ ..] = input else { return };
	let segment = u64::from(*segment % 3); // segment 2 does not exist
	let mask = u16::from_le_bytes([*mask_lo, *mask_hi]);
	let source = &fx.fragments[(segment % 2) as usize];

	// Fragments offered: those in the mask; `labels` can relabel one with another index.
	let mut offered: Vec<(u32, Vec<u8>)> = (0..16u32)
		.filter(|i| mask & (1 << i) != 0)
		.map(|i| (i, source.get(i as usize).cloned().unwrap_or_default()))
		.collect();
	if let Some(first) = offered.first_mut() {
		if labels & 0x80 != 0 {
			first.0 = u32::from(labels & 0x0f);
		}
		if labels & 0x40 != 0 {
			first.1.truncate(usize::from(labels & 0x3f) * 4);
		}
	}
	// Damage: (which offered fragment, offset lo, offset hi, xor) quadruples.
	for patch in rest.chunks_exact(4) {
		if offered.is_empty() {
			break;
		}
		let which = usize::from(patch[0]) % offered.len();
		let bytes = &mut offered[which].1;
		if !bytes.is_empty() {
			let at = usize::from(u16::from_le_bytes([patch[1], patch[2]])) % bytes.len();
			bytes[at] ^= patch[3];
		}
	}

	let mut decoder = FileDecoder::new(fx.manifest.clone(), &fx.key).unwrap();
	if let Ok(plain) = decoder.decode_segment(segment, &offered) {
		let capacity = LAYOUT.segment_capacity() as usize;
		let start = segment as usize * capacity;
		let end = (start + capacity).min(fx.plaintext.len());
		assert_eq!(plain, &fx.plaintext[start..end], "decoder returned wrong bytes");
	}
});
