//! Property tests: the codec round-trips and catches corruption; proofs verify when honest and
//! fail under any tampering.

use cess_primitives::{
	challenge::{Challenge, ChallengeParams},
	codec::{decode_bytes, encode_bytes, BoxError, CodecError, FileKey},
	layout::FileLayout,
	merkle::{merkle_root, MerkleBuilder, MerkleTree},
	proof::{prove_leaf, prove_response, verify_leaf, verify_response, LeafProof},
	FragmentHash,
};
use codec::{Decode, Encode};
use proptest::prelude::*;
use support::reference_root;

mod support;

fn layouts() -> impl Strategy<Value = FileLayout> {
	prop_oneof![
		Just(FileLayout { segment_size: 1024, data_shards: 4, parity_shards: 8, leaf_size: 64 }),
		Just(FileLayout { segment_size: 480, data_shards: 3, parity_shards: 2, leaf_size: 32 }),
		Just(FileLayout {
			segment_size: 2 * 7 * 32,
			data_shards: 2,
			parity_shards: 3,
			leaf_size: 32
		}),
	]
}

/// A layout, data of up to about four segments, and a key.
fn file() -> impl Strategy<Value = (FileLayout, Vec<u8>, [u8; 32])> {
	layouts().prop_flat_map(|layout| {
		let max = 4 * layout.segment_capacity() as usize;
		(Just(layout), proptest::collection::vec(any::<u8>(), 0..max), any::<[u8; 32]>())
	})
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

	#[test]
	fn any_k_fragments_decode_to_the_input(
		(layout, data, key) in file(),
		choices in proptest::collection::vec(any::<proptest::sample::Index>(), 1..8),
	) {
		let key = FileKey::from_bytes(key);
		let (manifest, segments) = encode_bytes(layout, &key, &data).unwrap();
		let n = layout.total_shards() as usize;
		let decoded = decode_bytes(&manifest, &key, |segment, _| {
			// A pseudo-random k-subset per segment: rotate the fragment list.
			let start = choices[segment as usize % choices.len()].index(n);
			let seg = &segments[segment as usize];
			Ok::<_, BoxError>((0..layout.data_shards as usize)
				.map(|j| {
					let i = ((start + j) % n) as u32;
					(i, seg.fragment(i).unwrap().to_vec())
				})
				.collect::<Vec<_>>())
		})
		.unwrap();
		prop_assert_eq!(decoded, data);
	}

	#[test]
	fn a_flipped_bit_in_a_used_fragment_is_caught_and_named(
		(layout, data, key) in file(),
		segment in any::<proptest::sample::Index>(),
		fragment in any::<proptest::sample::Index>(),
		byte in any::<proptest::sample::Index>(),
		bit in 0u8..8,
	) {
		let key = FileKey::from_bytes(key);
		let (manifest, segments) = encode_bytes(layout, &key, &data).unwrap();
		let bad_segment = segment.index(segments.len()) as u64;
		let k = layout.data_shards as usize;
		// Decode each segment from fragments 0..k, one of which is damaged in one segment.
		let bad_fragment = fragment.index(k) as u32;
		let result = decode_bytes(&manifest, &key, |index, _| {
			Ok::<_, BoxError>((0..k as u32)
				.map(|i| {
					let mut bytes = segments[index as usize].fragment(i).unwrap().to_vec();
					if index == bad_segment && i == bad_fragment {
						let at = byte.index(bytes.len());
						bytes[at] ^= 1 << bit;
					}
					(i, bytes)
				})
				.collect::<Vec<_>>())
		});
		let caught = matches!(
			result,
			Err(CodecError::CorruptFragment { segment, fragment })
				if segment == bad_segment && fragment == bad_fragment
		);
		prop_assert!(caught, "{:?}", result.map(|d| d.len()));
	}

	#[test]
	fn honest_storage_proofs_verify(
		leaves in 1u32..70,
		seed in any::<[u8; 32]>(),
		miner in any::<[u8; 32]>(),
		fragments in 1u32..12,
		params in (1u32..=6, 1u32..=16),
	) {
		let layout = FileLayout { segment_size: leaves * 32, data_shards: 1, parity_shards: 1, leaf_size: 32 };
		let data: Vec<Vec<u8>> = (0..fragments)
			.map(|f| (0..leaves * 32).map(|i| (i as u8) ^ (f as u8).wrapping_mul(97) ^ seed[0]).collect())
			.collect();
		let hashes: Vec<FragmentHash> =
			data.iter().map(|d| FragmentHash(MerkleTree::build(32, d).unwrap().root())).collect();
		let params = ChallengeParams { fragments: params.0, leaves: params.1 };
		let challenge = Challenge::new(&seed, &miner, fragments, params).unwrap();
		let response = prove_response(&layout, &challenge, &hashes, |h| {
			hashes.iter().position(|x| x == h).map(|i| data[i].clone())
		})
		.unwrap();
		prop_assert_eq!(response.len() as u32, params.fragments.min(fragments));
		prop_assert_eq!(verify_response(&layout, &challenge, &hashes, &response), Ok(()));
		// The response survives SCALE, as it travels in an extrinsic.
		let decoded = Vec::<cess_primitives::FragmentProof>::decode(&mut &response.encode()[..]).unwrap();
		prop_assert_eq!(verify_response(&layout, &challenge, &hashes, &decoded), Ok(()));
	}

	#[test]
	fn any_tampering_with_a_leaf_proof_is_rejected(
		leaves in 1u32..70,
		index in any::<proptest::sample::Index>(),
		tamper in 0u8..5,
		at in any::<proptest::sample::Index>(),
		bit in 0u8..8,
	) {
		let layout = FileLayout { segment_size: leaves * 32, data_shards: 1, parity_shards: 1, leaf_size: 32 };
		let data: Vec<u8> = (0..leaves * 32).map(|i| (i % 253) as u8).collect();
		let tree = MerkleTree::build(32, &data).unwrap();
		let root = FragmentHash(tree.root());
		let index = index.index(leaves as usize) as u32;
		let honest = prove_leaf(&tree, &data, index).unwrap();
		prop_assert_eq!(verify_leaf(&layout, &root, &honest), Ok(()));

		let mut proof: LeafProof = honest;
		let mut root = root;
		match tamper {
			// A wrong leaf.
			0 => { let i = at.index(proof.leaf.len()); proof.leaf[i] ^= 1 << bit; },
			// A wrong index (any other leaf, or past the end).
			1 => proof.index = (index + 1 + at.index(leaves as usize) as u32) % (leaves + 1),
			// A wrong root.
			2 => root.0[at.index(32)] ^= 1 << bit,
			// A truncated path, or a padded one.
			3 => if proof.path.is_empty() { proof.path.try_push([bit; 32]).unwrap(); } else { proof.path.pop(); },
			// A wrong sibling hash.
			_ => if proof.path.is_empty() { proof.path.try_push([0; 32]).unwrap(); } else {
				let i = at.index(proof.path.len());
				proof.path[i][at.index(32)] ^= 1 << bit;
			},
		}
		// Every branch above changed the proof or the root.
		prop_assert!(verify_leaf(&layout, &root, &proof).is_err());
	}

	#[test]
	fn every_way_of_building_a_root_agrees_with_the_definition(
		leaf_size in prop_oneof![Just(32usize), Just(64), Just(128), Just(256), Just(1024)],
		leaves in 1usize..600,
		seed in any::<u64>(),
		pieces in proptest::collection::vec(1usize..5000, 1..8),
	) {
		let mut x = seed | 1;
		let data: Vec<u8> = (0..leaves * leaf_size)
			.map(|_| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x as u8 })
			.collect();
		let expected = reference_root(leaf_size, &data);
		prop_assert_eq!(merkle_root(leaf_size as u32, &data), Ok(expected));
		prop_assert_eq!(MerkleTree::build(leaf_size as u32, &data).unwrap().root(), expected);
		// Fed in pieces of the drawn sizes, cycling.
		let mut builder = MerkleBuilder::new(leaf_size as u32).unwrap();
		let (mut at, mut i) = (0, 0);
		while at < data.len() {
			let end = (at + pieces[i % pieces.len()]).min(data.len());
			builder.update(&data[at..end]);
			(at, i) = (end, i + 1);
		}
		prop_assert_eq!(builder.finish(), Ok(expected));
	}
}
