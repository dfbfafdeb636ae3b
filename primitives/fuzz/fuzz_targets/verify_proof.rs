//! The storage-proof verifier (the code the runtime runs on extrinsic input).
//!
//! Oracle: verification never panics, and whenever it accepts a proof, every leaf in it is the
//! fragment's true leaf at the claimed index.
#![no_main]

use cess_primitives::{
	challenge::{Challenge, ChallengeParams},
	layout::FileLayout,
	merkle::MerkleTree,
	proof::{prove_fragment, verify_fragment_proof, verify_leaf, FragmentProof, LeafProof},
	FragmentHash,
};
use codec::{Decode, Encode};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// 37 leaves of 32 bytes per fragment: an unbalanced tree.
const LAYOUT: FileLayout =
	FileLayout { segment_size: 2 * 37 * 32, data_shards: 2, parity_shards: 1, leaf_size: 32 };
const PARAMS: ChallengeParams = ChallengeParams { fragments: 1, leaves: 5 };

struct Fixture {
	fragment: Vec<u8>,
	root: FragmentHash,
}

fn fixture() -> &'static Fixture {
	static FIXTURE: OnceLock<Fixture> = OnceLock::new();
	FIXTURE.get_or_init(|| {
		let fragment: Vec<u8> = (0..37 * 32u32).map(|i| (i * 31 + i / 97) as u8).collect();
		let root = FragmentHash(MerkleTree::build(32, &fragment).unwrap().root());
		Fixture { fragment, root }
	})
}

fn true_leaf(fx: &Fixture, proof: &LeafProof) -> bool {
	fx.fragment.get(proof.index as usize * 32..).and_then(|rest| rest.get(..32))
		== Some(&proof.leaf[..])
}

/// XORs (offset lo, offset hi, value) triples into `bytes`.
fn patch(bytes: &mut [u8], patches: &[u8]) {
	for p in patches.chunks_exact(3) {
		if bytes.is_empty() {
			return;
		}
		let at = usize::from(u16::from_le_bytes([p[0], p[1]])) % bytes.len();
		bytes[at] ^= p[2];
	}
}

fuzz_target!(|input: &[u8]| {
	let fx = fixture();
	let [mode, seed, rest @ ..] = input else { return };
	let challenge = Challenge::new(&[*seed], b"miner", 1, PARAMS).unwrap();
	match mode % 4 {
		// Arbitrary bytes as a leaf proof.
		0 => {
			if let Ok(proof) = LeafProof::decode(&mut &rest[..]) {
				if verify_leaf(&LAYOUT, &fx.root, &proof).is_ok() {
					assert!(true_leaf(fx, &proof), "accepted a false leaf");
				}
			}
		}
		// Arbitrary bytes as a fragment proof.
		1 => {
			if let Ok(proof) = FragmentProof::decode(&mut &rest[..]) {
				if verify_fragment_proof(&LAYOUT, &challenge, &fx.root, &proof).is_ok() {
					assert!(proof.leaves.iter().all(|l| true_leaf(fx, l)), "accepted a false leaf");
				}
			}
		}
		// An honest fragment proof with bytes of its encoding flipped.
		2 => {
			let honest = prove_fragment(&LAYOUT, &challenge, &fx.root, &fx.fragment).unwrap();
			let mut encoded = honest.encode();
			patch(&mut encoded, rest);
			if let Ok(proof) = FragmentProof::decode(&mut &encoded[..]) {
				if verify_fragment_proof(&LAYOUT, &challenge, &fx.root, &proof).is_ok() {
					assert!(proof.leaves.iter().all(|l| true_leaf(fx, l)), "accepted a false leaf");
				}
			}
		}
		// Any layout: verification must refuse or check, never panic.
		_ => {
			let mut data = rest;
			if let (Ok(layout), Ok(proof)) =
				(FileLayout::decode(&mut data), LeafProof::decode(&mut data))
			{
				let _ = verify_leaf(&layout, &fx.root, &proof);
				let _ = verify_fragment_proof(
					&layout,
					&challenge,
					&fx.root,
					&FragmentProof { fragment: fx.root, leaves: vec![proof].try_into().unwrap() },
				);
			}
		}
	}
});
