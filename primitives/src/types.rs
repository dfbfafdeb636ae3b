//! The 32-byte identifiers of the data layer: files, segments and fragments.
//!
//! All three are blake2-256 digests (see [`crate::hashing`] for what each one commits to). They
//! share one shape: SCALE-encoded as 32 raw bytes, shown and serialized as `0x`-prefixed hex.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt;
use scale_info::TypeInfo;

/// Length in bytes of every hash in the data layer.
pub const HASH_LEN: usize = 32;

/// Why a string is not a valid hex hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HexError {
	/// The string (without its optional `0x`) is not 64 characters long.
	InvalidLength,
	/// The string holds a character that is not a hex digit.
	InvalidCharacter,
}

impl fmt::Display for HexError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Self::InvalidLength => write!(f, "expected 64 hex digits (optionally after 0x)"),
			Self::InvalidCharacter => write!(f, "invalid hex character"),
		}
	}
}

#[cfg(feature = "std")]
impl std::error::Error for HexError {}

/// Parses 64 hex digits, with or without a `0x` prefix, into 32 bytes.
pub fn parse_hex32(s: &str) -> Result<[u8; HASH_LEN], HexError> {
	let digits = s.strip_prefix("0x").unwrap_or(s).as_bytes();
	if digits.len() != HASH_LEN * 2 {
		return Err(HexError::InvalidLength);
	}
	let mut out = [0u8; HASH_LEN];
	for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
		let (hi, lo) = match pair {
			[hi, lo] => (hex_value(*hi)?, hex_value(*lo)?),
			_ => return Err(HexError::InvalidLength),
		};
		*byte = (hi << 4) | lo;
	}
	Ok(out)
}

fn hex_value(c: u8) -> Result<u8, HexError> {
	match c {
		b'0'..=b'9' => Ok(c - b'0'),
		b'a'..=b'f' => Ok(c - b'a' + 10),
		b'A'..=b'F' => Ok(c - b'A' + 10),
		_ => Err(HexError::InvalidCharacter),
	}
}

/// Writes `0x` and the bytes as lower-case hex, without allocating.
fn write_hex(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
	f.write_str("0x")?;
	for b in bytes {
		write!(f, "{b:02x}")?;
	}
	Ok(())
}

macro_rules! hash_type {
	($(#[$doc:meta])* $name:ident) => {
		$(#[$doc])*
		#[derive(
			Clone,
			Copy,
			PartialEq,
			Eq,
			PartialOrd,
			Ord,
			Hash,
			Default,
			Encode,
			Decode,
			DecodeWithMemTracking,
			TypeInfo,
			MaxEncodedLen,
		)]
		pub struct $name(pub [u8; HASH_LEN]);

		impl $name {
			/// Wraps 32 bytes.
			pub const fn new(bytes: [u8; HASH_LEN]) -> Self {
				Self(bytes)
			}

			/// The 32 bytes.
			pub const fn as_bytes(&self) -> &[u8; HASH_LEN] {
				&self.0
			}

			/// The 32 bytes, by value.
			pub const fn to_bytes(self) -> [u8; HASH_LEN] {
				self.0
			}
		}

		impl From<[u8; HASH_LEN]> for $name {
			fn from(bytes: [u8; HASH_LEN]) -> Self {
				Self(bytes)
			}
		}

		impl From<$name> for [u8; HASH_LEN] {
			fn from(hash: $name) -> Self {
				hash.0
			}
		}

		impl AsRef<[u8]> for $name {
			fn as_ref(&self) -> &[u8] {
				&self.0
			}
		}

		impl fmt::Debug for $name {
			fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
				write!(f, concat!(stringify!($name), "("))?;
				write_hex(f, &self.0)?;
				write!(f, ")")
			}
		}

		impl fmt::Display for $name {
			fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
				write_hex(f, &self.0)
			}
		}

		impl core::str::FromStr for $name {
			type Err = HexError;

			fn from_str(s: &str) -> Result<Self, HexError> {
				parse_hex32(s).map(Self)
			}
		}

		#[cfg(feature = "serde")]
		impl serde::Serialize for $name {
			fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
				let mut buf = [0u8; HASH_LEN * 2 + 2];
				impl_serde::serialize::serialize_raw(&mut buf, &self.0, serializer)
			}
		}

		#[cfg(feature = "serde")]
		impl<'de> serde::Deserialize<'de> for $name {
			fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
				let mut bytes = [0u8; HASH_LEN];
				impl_serde::serialize::deserialize_check_len(
					deserializer,
					impl_serde::serialize::ExpectedLen::Exact(&mut bytes),
				)?;
				Ok(Self(bytes))
			}
		}
	};
}

hash_type!(
	/// Identifies a stored file: commits to its layout, its plaintext size and every segment.
	FileHash
);

hash_type!(
	/// Identifies one segment of a file: commits to the roots of all its fragments, in order.
	SegmentHash
);

hash_type!(
	/// Identifies one fragment: the root of the Merkle tree over the fragment's leaves. A miner
	/// proves possession of a fragment against this root.
	FragmentHash
);

#[cfg(test)]
mod tests {
	use super::*;
	use codec::{Decode, Encode, MaxEncodedLen};

	fn sample() -> FragmentHash {
		let mut bytes = [0u8; HASH_LEN];
		for (i, b) in bytes.iter_mut().enumerate() {
			*b = (i as u8).wrapping_mul(37).wrapping_add(5);
		}
		FragmentHash(bytes)
	}

	#[test]
	fn scale_is_32_raw_bytes() {
		let h = sample();
		let encoded = h.encode();
		assert_eq!(encoded.as_slice(), h.as_bytes());
		assert_eq!(FragmentHash::max_encoded_len(), HASH_LEN);
		assert_eq!(FragmentHash::decode(&mut &encoded[..]).unwrap(), h);
		assert!(FragmentHash::decode(&mut &encoded[..31]).is_err());
	}

	#[test]
	fn display_and_from_str_round_trip() {
		let h = sample();
		let shown = h.to_string();
		assert!(shown.starts_with("0x"));
		assert_eq!(shown.len(), 66);
		assert_eq!(shown.parse::<FragmentHash>().unwrap(), h);
		assert_eq!(shown[2..].to_uppercase().parse::<FragmentHash>().unwrap(), h);
		assert_eq!(format!("{h:?}"), format!("FragmentHash({shown})"));
	}

	#[test]
	fn from_str_rejects_bad_input() {
		let shown = sample().to_string();
		assert_eq!(shown[..65].parse::<FileHash>(), Err(HexError::InvalidLength));
		assert_eq!(format!("{shown}0").parse::<FileHash>(), Err(HexError::InvalidLength));
		let bad = format!("0x{}g", &shown[2..65]);
		assert_eq!(bad.parse::<FileHash>(), Err(HexError::InvalidCharacter));
		assert_eq!("".parse::<SegmentHash>(), Err(HexError::InvalidLength));
	}

	#[test]
	fn serde_uses_prefixed_hex() {
		let h = SegmentHash(sample().0);
		let json = serde_json::to_string(&h).unwrap();
		assert_eq!(json, format!("\"{h}\""));
		assert_eq!(serde_json::from_str::<SegmentHash>(&json).unwrap(), h);
		assert!(serde_json::from_str::<SegmentHash>("\"0x1234\"").is_err());
		let not_hex = format!("\"0x{}\"", "z".repeat(64));
		assert!(serde_json::from_str::<SegmentHash>(&not_hex).is_err());
	}
}
