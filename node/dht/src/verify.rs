//! The integrity seam: how the storage network decides that bytes are the fragment named by a root.
//!
//! The network never trusts a peer's bytes. A PUT is accepted into the store, and a GET is handed
//! to the caller, only after a [`FragmentVerifier`] has confirmed that the bytes match the root
//! they were sent under. The node plugs in the real check — the Merkle root of the fragment's
//! 256-byte leaves from `cess-primitives`, the same root the chain records for the fragment —
//! e.g. (with `fragment_merkle_root` the primitives' function):
//!
//! ```text
//! let verifier: Arc<dyn FragmentVerifier> =
//!     Arc::new(|root: &FragmentRoot, bytes: &[u8]| fragment_merkle_root(bytes) == *root);
//! ```
//!
//! Any `Fn(&FragmentRoot, &[u8]) -> bool + Send + Sync` is a verifier. [`Blake2Verifier`] (the
//! root is the blake2-256 of the whole fragment) serves tests, the benchmark and the stand-alone
//! peer binary; it is not the chain's fragment root.

use crate::FragmentRoot;

/// Decides whether `bytes` are the fragment identified by `root`.
///
/// [`Self::verify`] is called on complete fragments, from a blocking thread, so it may take the
/// few milliseconds that hashing 8 MiB costs. A verifier that can also hash a fragment piece by
/// piece offers [`Self::incremental`]; transfers then hash each chunk on a blocking thread while
/// the next one is still arriving, instead of hashing the whole fragment after the last byte.
pub trait FragmentVerifier: Send + Sync + 'static {
	/// `true` when `bytes` match `root`.
	fn verify(&self, root: &FragmentRoot, bytes: &[u8]) -> bool;

	/// A hasher for a fragment of `size` bytes fed front to back, whose
	/// [`FragmentHasher::matches`] must agree with [`Self::verify`] on the bytes fed; `None`
	/// (the default) when there is none, and the whole fragment is checked at the end.
	fn incremental(&self, size: u64) -> Option<Box<dyn FragmentHasher>> {
		let _ = size;
		None
	}
}

/// The state of an incremental check; see [`FragmentVerifier::incremental`].
pub trait FragmentHasher: Send + 'static {
	/// Feeds the next bytes of the fragment.
	fn update(&mut self, bytes: &[u8]);

	/// `true` when the bytes fed, all of them, are the fragment `root`.
	fn matches(self: Box<Self>, root: &FragmentRoot) -> bool;
}

impl<F> FragmentVerifier for F
where
	F: Fn(&FragmentRoot, &[u8]) -> bool + Send + Sync + 'static,
{
	fn verify(&self, root: &FragmentRoot, bytes: &[u8]) -> bool {
		self(root, bytes)
	}
}

/// A verifier whose root is the blake2-256 hash of the whole fragment.
///
/// For tests, benchmarks and tools. The node uses the Merkle root from `cess-primitives` instead.
#[derive(Clone, Copy, Debug, Default)]
pub struct Blake2Verifier;

impl Blake2Verifier {
	/// The root this verifier expects for `bytes`.
	pub fn root_of(bytes: &[u8]) -> FragmentRoot {
		sp_crypto_hashing::blake2_256(bytes)
	}
}

impl FragmentVerifier for Blake2Verifier {
	fn verify(&self, root: &FragmentRoot, bytes: &[u8]) -> bool {
		Self::root_of(bytes) == *root
	}

	fn incremental(&self, _size: u64) -> Option<Box<dyn FragmentHasher>> {
		Some(Box::new(Blake2Hasher(blake2b_simd::Params::new().hash_length(32).to_state())))
	}
}

/// [`Blake2Verifier`]'s incremental check: blake2b with a 32-byte output, i.e. blake2-256.
struct Blake2Hasher(blake2b_simd::State);

impl FragmentHasher for Blake2Hasher {
	fn update(&mut self, bytes: &[u8]) {
		self.0.update(bytes);
	}

	fn matches(self: Box<Self>, root: &FragmentRoot) -> bool {
		self.0.finalize().as_bytes() == root.as_slice()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn blake2_verifier_accepts_only_matching_bytes() {
		let data = b"fragment bytes".to_vec();
		let root = Blake2Verifier::root_of(&data);
		assert!(Blake2Verifier.verify(&root, &data));
		let mut corrupted = data.clone();
		corrupted[0] ^= 1;
		assert!(!Blake2Verifier.verify(&root, &corrupted));
	}

	#[test]
	fn blake2_incremental_check_agrees_with_the_whole_check() {
		let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
		let root = Blake2Verifier::root_of(&data);
		for piece in [1, 127, 128, 4096, 99_999] {
			let mut hasher = Blake2Verifier.incremental(data.len() as u64).unwrap();
			data.chunks(piece).for_each(|chunk| hasher.update(chunk));
			assert!(hasher.matches(&root), "pieces of {piece} bytes");
		}
		let mut hasher = Blake2Verifier.incremental(data.len() as u64).unwrap();
		hasher.update(&data[..data.len() - 1]);
		assert!(!hasher.matches(&root), "a byte short");
	}

	#[test]
	fn closures_are_verifiers() {
		let always_no = |_: &FragmentRoot, _: &[u8]| false;
		assert!(!FragmentVerifier::verify(&always_no, &[0u8; 32], b""));
	}
}
