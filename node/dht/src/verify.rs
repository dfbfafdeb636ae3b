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
/// Called once per complete fragment (never on partial data), from a blocking thread, so it may
/// take the few milliseconds that hashing 8 MiB costs.
pub trait FragmentVerifier: Send + Sync + 'static {
	/// `true` when `bytes` match `root`.
	fn verify(&self, root: &FragmentRoot, bytes: &[u8]) -> bool;
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
	fn closures_are_verifiers() {
		let always_no = |_: &FragmentRoot, _: &[u8]| false;
		assert!(!FragmentVerifier::verify(&always_no, &[0u8; 32], b""));
	}
}
