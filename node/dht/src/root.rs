//! The identifier of a fragment: its 32-byte root, and the hex form used in file names and logs.

/// A fragment is addressed by its 32-byte root.
///
/// In CESS this is the Merkle root of the fragment's 256-byte leaves (see `cess-primitives`); the
/// storage network itself never interprets it beyond asking a [`crate::FragmentVerifier`] whether
/// some bytes match it.
pub type FragmentRoot = [u8; 32];

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of a root (64 characters), as used for file names in the on-disk store.
pub fn root_to_hex(root: &FragmentRoot) -> String {
	let mut out = String::with_capacity(64);
	for byte in root {
		out.push(HEX[usize::from(byte >> 4)] as char);
		out.push(HEX[usize::from(byte & 0x0f)] as char);
	}
	out
}

/// Parses exactly 64 hex characters (either case) into a root; `None` for anything else.
pub fn root_from_hex(hex: &str) -> Option<FragmentRoot> {
	fn nibble(c: u8) -> Option<u8> {
		match c {
			b'0'..=b'9' => Some(c - b'0'),
			b'a'..=b'f' => Some(c - b'a' + 10),
			b'A'..=b'F' => Some(c - b'A' + 10),
			_ => None,
		}
	}
	let bytes = hex.as_bytes();
	if bytes.len() != 64 {
		return None;
	}
	let mut root = [0u8; 32];
	for (out, pair) in root.iter_mut().zip(bytes.chunks_exact(2)) {
		*out = (nibble(pair[0])? << 4) | nibble(pair[1])?;
	}
	Some(root)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_round_trip() {
		let mut root = [0u8; 32];
		for (i, b) in root.iter_mut().enumerate() {
			*b = (i as u8).wrapping_mul(37);
		}
		let hex = root_to_hex(&root);
		assert_eq!(hex.len(), 64);
		assert_eq!(root_from_hex(&hex), Some(root));
		assert_eq!(root_from_hex(&hex.to_uppercase()), Some(root));
	}

	#[test]
	fn hex_rejects_bad_input() {
		assert_eq!(root_from_hex("abcd"), None);
		assert_eq!(root_from_hex(&"g".repeat(64)), None);
		assert_eq!(root_from_hex(&"0".repeat(65)), None);
	}
}
