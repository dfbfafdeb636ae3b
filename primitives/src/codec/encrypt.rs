//! Segment encryption: AES-256-GCM (`ring`) under a per-file key.
//!
//! Each file gets its own random 256-bit [`FileKey`], so nonces need only be unique within the
//! file: the nonce of segment `i` is `i` (u64, big-endian) followed by three zero bytes and a
//! byte that is 1 for the file's last segment and 0 otherwise. Swapping segments changes their
//! nonces, and truncating a file at a segment boundary leaves a last segment sealed as "not
//! last": both fail authentication. Associated data names the format version.
//!
//! The rest of a segment after the tag (the last segment's padding) is AES-GCM key stream under
//! a nonce of its own (the segment's, with a padding marker), not zeros: zero padding made the
//! data fragments of a short last segment identical — one root, network-wide — which a miner
//! stores once but would be paid for each time. Key stream makes every fragment of every file
//! distinct, deterministically (the same key and plaintext give the same fragments), and
//! decoding never reads it.

use super::CodecError;
use crate::types::{parse_hex32, HASH_LEN};
use ring::{
	aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN},
	rand::{SecureRandom, SystemRandom},
};
use std::{fmt, str::FromStr};

/// Associated data of every segment: the format version.
const AAD: &[u8] = b"cess/segment/v1";

/// Associated data of the padding's key stream (its tag is discarded; named for clarity).
const PADDING_AAD: &[u8] = b"cess/segment-padding/v1";

/// Length of the authentication tag appended to each segment's ciphertext.
pub const TAG_LEN: usize = crate::layout::AEAD_TAG_LEN as usize;

/// A file's 256-bit encryption key. Whoever holds it can read the file; export it with
/// [`FileKey::to_hex`] and give it back with [`FileKey::from_hex`] (or `str::parse`).
#[derive(Clone, PartialEq, Eq)]
pub struct FileKey([u8; HASH_LEN]);

impl FileKey {
	/// A fresh key from the operating system's random number generator.
	pub fn generate() -> Result<Self, CodecError> {
		let mut bytes = [0u8; HASH_LEN];
		SystemRandom::new().fill(&mut bytes).map_err(|_| CodecError::RandomUnavailable)?;
		Ok(Self(bytes))
	}

	/// A key from its 32 bytes.
	pub const fn from_bytes(bytes: [u8; HASH_LEN]) -> Self {
		Self(bytes)
	}

	/// The key's 32 bytes.
	pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
		&self.0
	}

	/// The key as `0x` and 64 lower-case hex digits.
	pub fn to_hex(&self) -> String {
		let mut s = String::with_capacity(2 + 2 * HASH_LEN);
		s.push_str("0x");
		for b in self.0 {
			s.push_str(&format!("{b:02x}"));
		}
		s
	}

	/// A key from 64 hex digits, with or without `0x`.
	pub fn from_hex(s: &str) -> Result<Self, CodecError> {
		parse_hex32(s.trim()).map(Self).map_err(CodecError::InvalidKey)
	}
}

impl FromStr for FileKey {
	type Err = CodecError;

	fn from_str(s: &str) -> Result<Self, CodecError> {
		Self::from_hex(s)
	}
}

impl fmt::Debug for FileKey {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		// Keys stay out of logs.
		f.write_str("FileKey(..)")
	}
}

/// Seals and opens the segments of one file.
pub(crate) struct SegmentCipher(LessSafeKey);

impl SegmentCipher {
	pub(crate) fn new(key: &FileKey) -> Self {
		// AES-256 takes exactly the 32 bytes a FileKey holds, so this cannot fail.
		let unbound = UnboundKey::new(&AES_256_GCM, &key.0)
			.unwrap_or_else(|_| unreachable!("AES-256-GCM takes 32-byte keys"));
		Self(LessSafeKey::new(unbound))
	}

	/// The nonce of segment `index` (`padding`: of its padding's key stream, a nonce no
	/// segment's body uses).
	fn nonce(index: u64, last: bool, padding: bool) -> Nonce {
		let mut nonce = [0u8; NONCE_LEN];
		let (counter, flag) = nonce.split_at_mut(8);
		counter.copy_from_slice(&index.to_be_bytes());
		flag[2] = u8::from(padding);
		flag[3] = u8::from(last);
		Nonce::assume_unique_for_key(nonce)
	}

	/// Encrypts `segment[..plain_len]` in place, puts the tag right after the ciphertext and
	/// fills the rest of the segment with key stream (see the module docs). The caller
	/// guarantees `plain_len + TAG_LEN` fits.
	pub(crate) fn seal(&self, index: u64, last: bool, segment: &mut [u8], plain_len: usize) {
		let (body, rest) = segment.split_at_mut(plain_len);
		let tag = self
			.0
			.seal_in_place_separate_tag(Self::nonce(index, last, false), Aad::from(AAD), body)
			.unwrap_or_else(|_| unreachable!("segments are far below AES-GCM's length limit"));
		let (tag_area, padding) = rest.split_at_mut(TAG_LEN);
		tag_area.copy_from_slice(tag.as_ref());
		// Zeros encrypted are the key stream; the tag of this sealing is not needed.
		padding.fill(0);
		let _ = self
			.0
			.seal_in_place_separate_tag(
				Self::nonce(index, last, true),
				Aad::from(PADDING_AAD),
				padding,
			)
			.unwrap_or_else(|_| unreachable!("segments are far below AES-GCM's length limit"));
	}

	/// Authenticates and decrypts in place what [`Self::seal`] produced: afterwards
	/// `segment[..plain_len]` holds the plaintext. `false` (and unspecified bytes) on failure.
	pub(crate) fn open(
		&self,
		index: u64,
		last: bool,
		segment: &mut [u8],
		plain_len: usize,
	) -> bool {
		let Some(sealed) = plain_len.checked_add(TAG_LEN).and_then(|end| segment.get_mut(..end))
		else {
			return false;
		};
		self.0.open_in_place(Self::nonce(index, last, false), Aad::from(AAD), sealed).is_ok()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sealed(cipher: &SegmentCipher, index: u64, last: bool, plain: &[u8]) -> Vec<u8> {
		let mut seg = vec![0xAA; plain.len() + TAG_LEN + 10];
		seg[..plain.len()].copy_from_slice(plain);
		cipher.seal(index, last, &mut seg, plain.len());
		seg
	}

	#[test]
	fn seal_then_open_round_trips_and_pads_with_key_stream() {
		let cipher = SegmentCipher::new(&FileKey::from_bytes([3; 32]));
		let plain = b"hello segment".to_vec();
		let mut seg = sealed(&cipher, 7, false, &plain);
		assert_ne!(&seg[..plain.len()], &plain[..]);
		let padding = seg[plain.len() + TAG_LEN..].to_vec();
		assert!(padding.iter().filter(|&&b| b == 0).count() < 3, "not zeros");
		// Deterministic, and another segment's padding is another key stream.
		assert_eq!(sealed(&cipher, 7, false, &plain)[plain.len() + TAG_LEN..], padding[..]);
		assert_ne!(sealed(&cipher, 8, false, &plain)[plain.len() + TAG_LEN..], padding[..]);
		assert!(cipher.open(7, false, &mut seg, plain.len()));
		assert_eq!(&seg[..plain.len()], &plain[..]);
	}

	#[test]
	fn open_fails_on_wrong_key_index_flag_length_or_tamper() {
		let cipher = SegmentCipher::new(&FileKey::from_bytes([3; 32]));
		let plain = vec![5u8; 100];
		let seg = sealed(&cipher, 2, true, &plain);
		let other = SegmentCipher::new(&FileKey::from_bytes([4; 32]));
		assert!(!other.open(2, true, &mut seg.clone(), 100));
		assert!(!cipher.open(3, true, &mut seg.clone(), 100));
		assert!(!cipher.open(2, false, &mut seg.clone(), 100));
		assert!(!cipher.open(2, true, &mut seg.clone(), 99));
		assert!(!cipher.open(2, true, &mut seg.clone(), 1000));
		let mut tampered = seg.clone();
		tampered[10] ^= 1;
		assert!(!cipher.open(2, true, &mut tampered, 100));
		assert!(cipher.open(2, true, &mut seg.clone(), 100));
	}

	#[test]
	fn keys_are_random_and_round_trip_through_hex() {
		let a = FileKey::generate().unwrap();
		let b = FileKey::generate().unwrap();
		assert_ne!(a, b);
		let hex = a.to_hex();
		assert_eq!(hex.len(), 66);
		assert_eq!(FileKey::from_hex(&hex).unwrap(), a);
		assert_eq!(hex[2..].parse::<FileKey>().unwrap(), a);
		assert!(matches!(FileKey::from_hex("0x12"), Err(CodecError::InvalidKey(_))));
		assert_eq!(format!("{a:?}"), "FileKey(..)");
	}
}
