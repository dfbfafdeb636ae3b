//! BLAKE2b-256 of eight equal-length messages at once, one message per 64-bit lane of the
//! AVX-512 registers.
//!
//! A Merkle tree hashes many independent inputs of one length (every leaf has `leaf_size`
//! bytes, every inner node 65), which is exactly the shape eight-lane SIMD wants: all lanes see
//! the same block count, byte counter and final-block flag, so no lane ever waits on another.
//! `blake2b_simd` stops at four AVX2 lanes and has to build rotations out of shuffles; AVX-512
//! doubles the lanes and rotates in one instruction (`vprorq`).
//!
//! The digest is plain BLAKE2b with a 32-byte output and no key, salt or personalization —
//! byte for byte what `sp_io::hashing::blake2_256` returns (the tests compare it).

use crate::hashing::{NODE_PREIMAGE_LEN, NODE_TAG};
use core::arch::x86_64::{
	__m512i, _mm512_add_epi64, _mm512_loadu_si512, _mm512_or_si512, _mm512_ror_epi64,
	_mm512_set1_epi64, _mm512_shuffle_i64x2, _mm512_slli_epi64, _mm512_srli_epi64,
	_mm512_storeu_si512, _mm512_unpackhi_epi64, _mm512_unpacklo_epi64, _mm512_xor_si512,
};

/// Messages hashed per call.
pub(crate) const LANES: usize = 8;

/// BLAKE2b block size in bytes.
const BLOCK: usize = 128;

/// Digest length in bytes.
const OUT: usize = 32;

const IV: [u64; 8] = [
	0x6a09_e667_f3bc_c908,
	0xbb67_ae85_84ca_a73b,
	0x3c6e_f372_fe94_f82b,
	0xa54f_f53a_5f1d_36f1,
	0x510e_527f_ade6_82d1,
	0x9b05_688c_2b3e_6c1f,
	0x1f83_d9ab_fb41_bd6b,
	0x5be0_cd19_137e_2179,
];

/// The parameter block's first word: digest length 32, no key, fanout 1, depth 1.
const PARAM_WORD0: u64 = 0x0101_0000 | OUT as u64;

/// Message word order of each of the 12 rounds (rounds 10 and 11 repeat 0 and 1).
const SIGMA: [[usize; 16]; 12] = [
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
	[14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
	[11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
	[7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
	[9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
	[2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
	[12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
	[13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
	[6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
	[10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
	[14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
];

/// Evidence that this CPU runs AVX-512F; the only way to reach the kernel.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Blake2bX8(());

impl Blake2bX8 {
	/// The hasher, if the CPU has AVX-512F (checked at run time; the result is cached by std).
	pub(crate) fn detect() -> Option<Self> {
		std::is_x86_feature_detected!("avx512f").then_some(Self(()))
	}

	/// BLAKE2b-256 of each of `messages`, or `None` when their lengths differ.
	pub(crate) fn hash(self, messages: [&[u8]; LANES]) -> Option<[[u8; OUT]; LANES]> {
		let len = messages[0].len();
		if messages.iter().any(|m| m.len() != len) {
			return None;
		}
		// SAFETY: `detect` saw AVX-512F, and every message has `len` readable bytes.
		Some(unsafe { hash8(&messages, len) })
	}

	/// The inner-node hash `H(NODE_TAG ‖ left ‖ right)` of eight `[left, right]` pairs, built
	/// from the pairs in registers instead of from copied 65-byte preimages.
	pub(crate) fn hash_nodes(self, pairs: &[[[u8; OUT]; 2]; LANES]) -> [[u8; OUT]; LANES] {
		// SAFETY: `detect` saw AVX-512F.
		unsafe { hash8_nodes(pairs) }
	}
}

/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn hash8_nodes(pairs: &[[[u8; OUT]; 2]; LANES]) -> [[u8; OUT]; LANES] {
	let mut h = initial_state();
	// SAFETY: each pair is 64 contiguous bytes.
	let rows: [__m512i; LANES] =
		core::array::from_fn(|j| unsafe { _mm512_loadu_si512(pairs[j].as_ptr().cast()) });
	// Word `i` of all eight `left ‖ right` pairs; the preimage is those 64 bytes shifted up by
	// the one tag byte, so its words are built from neighbouring pairs of words.
	let w = transpose(rows);
	let zero = _mm512_set1_epi64(0);
	let mut m = [zero; 16];
	m[0] = _mm512_or_si512(_mm512_slli_epi64::<8>(w[0]), _mm512_set1_epi64(i64::from(NODE_TAG)));
	for k in 1..8 {
		m[k] = _mm512_or_si512(_mm512_slli_epi64::<8>(w[k]), _mm512_srli_epi64::<56>(w[k - 1]));
	}
	m[8] = _mm512_srli_epi64::<56>(w[7]);
	compress(&mut h, &m, NODE_PREIMAGE_LEN as u64, true);
	digests(&h)
}

/// The state before the first block: the IV with the parameter block mixed in.
#[target_feature(enable = "avx512f")]
fn initial_state() -> [__m512i; 8] {
	let mut h: [__m512i; 8] = core::array::from_fn(|i| _mm512_set1_epi64(IV[i] as i64));
	h[0] = _mm512_xor_si512(h[0], _mm512_set1_epi64(PARAM_WORD0 as i64));
	h
}

/// The first 32 bytes of each lane's state, little-endian: the digests.
#[target_feature(enable = "avx512f")]
fn digests(h: &[__m512i; 8]) -> [[u8; OUT]; LANES] {
	let mut words = [[0u64; LANES]; 4];
	for (word, lanes) in h.iter().zip(words.iter_mut()) {
		// SAFETY: `lanes` is 64 writable bytes.
		unsafe { _mm512_storeu_si512(lanes.as_mut_ptr().cast(), *word) };
	}
	let mut out = [[0u8; OUT]; LANES];
	for (j, digest) in out.iter_mut().enumerate() {
		for (i, chunk) in digest.chunks_exact_mut(8).enumerate() {
			chunk.copy_from_slice(&words[i][j].to_le_bytes());
		}
	}
	out
}

/// # Safety
/// The CPU must support AVX-512F and each message must be `len` bytes long.
#[target_feature(enable = "avx512f")]
unsafe fn hash8(messages: &[&[u8]; LANES], len: usize) -> [[u8; OUT]; LANES] {
	let mut h = initial_state();

	// Every block but the last is full; the last holds 1..=128 bytes (0 for an empty message).
	let before_last = len.saturating_sub(1) / BLOCK;
	let mut counter = 0u64;
	for block in 0..before_last {
		let offset = block * BLOCK;
		// SAFETY: `offset + BLOCK <= len`, so each lane reads inside its message.
		let m =
			unsafe { load_transposed(core::array::from_fn(|j| messages[j].as_ptr().add(offset))) };
		counter += BLOCK as u64;
		compress(&mut h, &m, counter, false);
	}
	let offset = before_last * BLOCK;
	let m = if len - offset == BLOCK {
		// SAFETY: the last block is whole, inside each message.
		unsafe { load_transposed(core::array::from_fn(|j| messages[j].as_ptr().add(offset))) }
	} else {
		let mut tails = [[0u8; BLOCK]; LANES];
		for (tail, message) in tails.iter_mut().zip(messages) {
			let rest = &message[offset..];
			tail[..rest.len()].copy_from_slice(rest);
		}
		// SAFETY: each tail buffer is BLOCK bytes.
		unsafe { load_transposed(core::array::from_fn(|j| tails[j].as_ptr())) }
	};
	counter += (len - offset) as u64;
	compress(&mut h, &m, counter, true);
	digests(&h)
}

/// Loads one 128-byte block from each lane's pointer and transposes, so that word `i` of the
/// result holds message word `i` of all eight lanes.
///
/// # Safety
/// Each pointer must have 128 readable bytes; the CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
unsafe fn load_transposed(blocks: [*const u8; LANES]) -> [__m512i; 16] {
	// SAFETY: the caller guarantees 128 readable bytes behind each pointer.
	let low: [__m512i; LANES] =
		core::array::from_fn(|j| unsafe { _mm512_loadu_si512(blocks[j].cast()) });
	let high: [__m512i; LANES] =
		core::array::from_fn(|j| unsafe { _mm512_loadu_si512(blocks[j].add(64).cast()) });
	let low = transpose(low);
	let high = transpose(high);
	core::array::from_fn(|i| if i < 8 { low[i] } else { high[i - 8] })
}

/// Transposes an 8 × 8 matrix of 64-bit words held as eight rows.
#[target_feature(enable = "avx512f")]
fn transpose(r: [__m512i; 8]) -> [__m512i; 8] {
	// Pairs of rows interleaved: even words in `lo`, odd words in `hi`.
	let lo: [__m512i; 4] = core::array::from_fn(|p| _mm512_unpacklo_epi64(r[2 * p], r[2 * p + 1]));
	let hi: [__m512i; 4] = core::array::from_fn(|p| _mm512_unpackhi_epi64(r[2 * p], r[2 * p + 1]));
	// 128-bit lane k of `lo[p]` holds word 2k of rows 2p and 2p + 1 (`hi`: word 2k + 1).
	// Gather lanes {0, 2} and {1, 3} of row pairs (0, 1) with (2, 3) and (4, 5) with (6, 7) ...
	let quad = |a: __m512i, b: __m512i| {
		(_mm512_shuffle_i64x2::<0b10_00_10_00>(a, b), _mm512_shuffle_i64x2::<0b11_01_11_01>(a, b))
	};
	let (lo04_a, lo26_a) = quad(lo[0], lo[1]); // words 0, 4 | 2, 6 of rows 0–3
	let (lo04_b, lo26_b) = quad(lo[2], lo[3]); // ... of rows 4–7
	let (hi15_a, hi37_a) = quad(hi[0], hi[1]);
	let (hi15_b, hi37_b) = quad(hi[2], hi[3]);
	// ... then once more across the two halves, which leaves one word of all eight rows each.
	let (w0, w4) = quad(lo04_a, lo04_b);
	let (w2, w6) = quad(lo26_a, lo26_b);
	let (w1, w5) = quad(hi15_a, hi15_b);
	let (w3, w7) = quad(hi37_a, hi37_b);
	[w0, w1, w2, w3, w4, w5, w6, w7]
}

/// The BLAKE2b compression function `F`, on eight states at once.
#[target_feature(enable = "avx512f")]
fn compress(h: &mut [__m512i; 8], m: &[__m512i; 16], counter: u64, last: bool) {
	let mut v = [_mm512_set1_epi64(0); 16];
	v[..8].copy_from_slice(h);
	for i in 0..8 {
		v[8 + i] = _mm512_set1_epi64(IV[i] as i64);
	}
	// Messages here are far below 2^64 bytes, so the counter's high word stays zero.
	v[12] = _mm512_xor_si512(v[12], _mm512_set1_epi64(counter as i64));
	if last {
		v[14] = _mm512_xor_si512(v[14], _mm512_set1_epi64(-1));
	}
	round::<0>(&mut v, m);
	round::<1>(&mut v, m);
	round::<2>(&mut v, m);
	round::<3>(&mut v, m);
	round::<4>(&mut v, m);
	round::<5>(&mut v, m);
	round::<6>(&mut v, m);
	round::<7>(&mut v, m);
	round::<8>(&mut v, m);
	round::<9>(&mut v, m);
	round::<10>(&mut v, m);
	round::<11>(&mut v, m);
	for i in 0..8 {
		h[i] = _mm512_xor_si512(h[i], _mm512_xor_si512(v[i], v[i + 8]));
	}
}

/// Round `R`: `G` on the columns, then on the diagonals. `R` is a constant so that the message
/// schedule folds into fixed register picks.
#[inline]
#[target_feature(enable = "avx512f")]
fn round<const R: usize>(v: &mut [__m512i; 16], m: &[__m512i; 16]) {
	let s = &SIGMA[R];
	g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
	g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
	g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
	g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
	g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
	g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
	g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
	g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

/// The mixing function `G` on four state words of eight lanes.
#[inline]
#[target_feature(enable = "avx512f")]
fn g(v: &mut [__m512i; 16], a: usize, b: usize, c: usize, d: usize, x: __m512i, y: __m512i) {
	v[a] = _mm512_add_epi64(_mm512_add_epi64(v[a], v[b]), x);
	v[d] = _mm512_ror_epi64::<32>(_mm512_xor_si512(v[d], v[a]));
	v[c] = _mm512_add_epi64(v[c], v[d]);
	v[b] = _mm512_ror_epi64::<24>(_mm512_xor_si512(v[b], v[c]));
	v[a] = _mm512_add_epi64(_mm512_add_epi64(v[a], v[b]), y);
	v[d] = _mm512_ror_epi64::<16>(_mm512_xor_si512(v[d], v[a]));
	v[c] = _mm512_add_epi64(v[c], v[d]);
	v[b] = _mm512_ror_epi64::<63>(_mm512_xor_si512(v[b], v[c]));
}

#[cfg(test)]
mod tests {
	use super::*;

	fn reference(message: &[u8]) -> [u8; OUT] {
		sp_io::hashing::blake2_256(message)
	}

	/// `len` bytes of test data: the scalar blake2-256 of `(salt, counter)` for counters 0, 1,
	/// … in turn (counter mode), so every lane and length sees different, non-repeating bytes.
	/// (Not `tests/support`'s generator, which a unit test cannot reach.)
	fn bytes(len: usize, salt: u64) -> Vec<u8> {
		(0u64..)
			.flat_map(|counter| {
				let mut block = [0u8; 16];
				block[..8].copy_from_slice(&salt.to_le_bytes());
				block[8..].copy_from_slice(&counter.to_le_bytes());
				sp_io::hashing::blake2_256(&block)
			})
			.take(len)
			.collect()
	}

	#[test]
	fn matches_blake2_256_for_every_length_around_the_block_edges() {
		let Some(hasher) = Blake2bX8::detect() else {
			eprintln!("no AVX-512F on this CPU: the portable path is used instead");
			return;
		};
		let lengths = (0..=300).chain([383, 384, 385, 511, 512, 513, 1024, 1025, 4096, 65]);
		for len in lengths {
			let messages: Vec<Vec<u8>> =
				(0..LANES as u64).map(|j| bytes(len, j * 1000 + len as u64)).collect();
			let refs: [&[u8]; LANES] = core::array::from_fn(|j| messages[j].as_slice());
			let digests = hasher.hash(refs).expect("equal lengths");
			for (j, digest) in digests.iter().enumerate() {
				assert_eq!(digest, &reference(&messages[j]), "length {len}, lane {j}");
			}
		}
	}

	#[test]
	fn one_changed_byte_changes_only_its_own_lane() {
		let Some(hasher) = Blake2bX8::detect() else { return };
		let base = bytes(256, 7);
		let mut messages = vec![base.clone(); LANES];
		messages[5][200] ^= 1;
		let refs: [&[u8]; LANES] = core::array::from_fn(|j| messages[j].as_slice());
		let digests = hasher.hash(refs).expect("equal lengths");
		for (j, digest) in digests.iter().enumerate() {
			assert_eq!(digest, &reference(&messages[j]), "lane {j}");
		}
		assert_ne!(digests[5], digests[4]);
		assert_eq!(digests[4], digests[6]);
	}

	#[test]
	fn node_hashes_match_the_scalar_node_hash() {
		let Some(hasher) = Blake2bX8::detect() else { return };
		for salt in 0..64 {
			let pairs: [[[u8; OUT]; 2]; LANES] = core::array::from_fn(|j| {
				let b = bytes(2 * OUT, salt * 100 + j as u64);
				[b[..OUT].try_into().unwrap(), b[OUT..].try_into().unwrap()]
			});
			let digests = hasher.hash_nodes(&pairs);
			for (j, [left, right]) in pairs.iter().enumerate() {
				assert_eq!(
					digests[j],
					crate::hashing::node_hash(left, right),
					"salt {salt}, lane {j}"
				);
			}
		}
	}

	#[test]
	fn unequal_lengths_are_refused() {
		let Some(hasher) = Blake2bX8::detect() else { return };
		let long = [0u8; 129];
		let mut refs: [&[u8]; LANES] = [&long[..128]; LANES];
		refs[3] = &long;
		assert!(hasher.hash(refs).is_none());
	}
}
