//! Codec and proof benchmarks at the production layout (32 MiB segments, 4 + 8 fragments of
//! 8 MiB, 256-byte leaves), with raw `reed-solomon-simd` on the same data as the yardstick.
//!
//! `cargo bench -p cess-primitives`; figures are recorded in the crate README.

use cess_primitives::{
	challenge::{Challenge, ChallengeParams},
	codec::{encode_reader, erasure::STRIPE_BYTES, FileDecoder, FileEncoder, FileKey},
	layout::FileLayout,
	merkle::{merkle_root, MerkleBuilder, MerkleTree},
	proof::{prove_fragment, prove_leaf, verify_fragment_proof, verify_leaf},
	FileManifest, FragmentHash,
};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use rayon::prelude::*;
use reed_solomon_simd::{ReedSolomonDecoder, ReedSolomonEncoder};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use std::{hint::black_box, time::Duration};

#[path = "../tests/support/mod.rs"]
mod support;

const LAYOUT: FileLayout = FileLayout::PRODUCTION;
const SEGMENT: usize = LAYOUT.segment_size as usize;
const FRAGMENT: usize = LAYOUT.fragment_size() as usize;
const K: usize = LAYOUT.data_shards as usize;
const M: usize = LAYOUT.parity_shards as usize;

/// The bench's input: pseudo-random, so that no fast path for zeros or repeats flatters a figure.
fn random_bytes(len: usize) -> Vec<u8> {
	support::pseudo_random(len, 0x2545_f491_4f6c_dd1d)
}

fn slow_group<'a>(
	c: &'a mut Criterion,
	name: &str,
) -> BenchmarkGroup<'a, criterion::measurement::WallTime> {
	let mut group = c.benchmark_group(name);
	group
		.sample_size(10)
		.warm_up_time(Duration::from_secs(1))
		.measurement_time(Duration::from_secs(4));
	group
}

/// Raw Reed-Solomon encode of `data` (K shards back to back) into `parity`, `stripe` bytes of
/// each shard per call.
fn rs_encode(encoder: &mut ReedSolomonEncoder, data: &[u8], parity: &mut [u8], stripe: usize) {
	for offset in (0..FRAGMENT).step_by(stripe) {
		let len = stripe.min(FRAGMENT - offset);
		encoder.reset(K, M, len).unwrap();
		for shard in data.chunks_exact(FRAGMENT) {
			encoder.add_original_shard(&shard[offset..offset + len]).unwrap();
		}
		let result = encoder.encode().unwrap();
		for (out, recovery) in parity.chunks_exact_mut(FRAGMENT).zip(result.recovery_iter()) {
			out[offset..offset + len].copy_from_slice(recovery);
		}
	}
}

/// Raw Reed-Solomon decode of all K data shards from the first K parity shards.
fn rs_decode(decoder: &mut ReedSolomonDecoder, parity: &[u8], data: &mut [u8]) {
	for offset in (0..FRAGMENT).step_by(STRIPE_BYTES) {
		let len = STRIPE_BYTES.min(FRAGMENT - offset);
		decoder.reset(K, M, len).unwrap();
		for (i, shard) in parity.chunks_exact(FRAGMENT).take(K).enumerate() {
			decoder.add_recovery_shard(i, &shard[offset..offset + len]).unwrap();
		}
		let result = decoder.decode().unwrap();
		for (i, out) in data.chunks_exact_mut(FRAGMENT).enumerate() {
			out[offset..offset + len].copy_from_slice(result.restored_original(i).unwrap());
		}
	}
}

fn segment_benches(c: &mut Criterion) {
	let key = FileKey::from_bytes([7; 32]);
	let capacity = LAYOUT.segment_capacity() as usize;
	let data = random_bytes(SEGMENT);
	let plaintext = &data[..capacity];

	let mut group = slow_group(c, "segment_32MiB_4+8");
	group.throughput(Throughput::Bytes(SEGMENT as u64));

	let mut parity = vec![0u8; M * FRAGMENT];
	let mut encoder = ReedSolomonEncoder::new(K, M, STRIPE_BYTES).unwrap();
	group.bench_function("raw_rs_encode_128KiB_stripes", |b| {
		b.iter(|| rs_encode(&mut encoder, black_box(&data), &mut parity, STRIPE_BYTES))
	});
	let mut whole = ReedSolomonEncoder::new(K, M, FRAGMENT).unwrap();
	group.bench_function("raw_rs_encode_whole_fragments", |b| {
		b.iter(|| rs_encode(&mut whole, black_box(&data), &mut parity, FRAGMENT))
	});
	drop(whole);

	// The codec's parts on their own, for the breakdown.
	let sealer = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[7; 32]).unwrap());
	let mut sealed = data.clone();
	group.bench_function("part_aes_256_gcm_seal", |b| {
		b.iter(|| {
			let nonce = Nonce::assume_unique_for_key([0; 12]);
			black_box(sealer.seal_in_place_separate_tag(
				nonce,
				Aad::empty(),
				&mut sealed[..capacity],
			))
		})
	});
	let mut all = data.clone();
	all.extend_from_slice(&parity);
	group.bench_function("part_12_fragment_roots_parallel", |b| {
		b.iter(|| {
			all.par_chunks_exact(FRAGMENT)
				.map(|f| merkle_root(LAYOUT.leaf_size, f).unwrap())
				.collect::<Vec<_>>()
		})
	});
	drop(all);

	let mut file = FileEncoder::new(LAYOUT, &key, 2 * capacity as u64).unwrap();
	group.bench_function("codec_encode", |b| {
		b.iter(|| {
			let segment = file.encode_segment(0, black_box(plaintext)).unwrap();
			black_box(segment.hash());
			file.recycle(segment);
		})
	});

	let mut decoder = ReedSolomonDecoder::new(K, M, STRIPE_BYTES).unwrap();
	let mut restored = vec![0u8; SEGMENT];
	rs_encode(&mut encoder, &data, &mut parity, STRIPE_BYTES);
	rs_decode(&mut decoder, &parity, &mut restored);
	assert_eq!(restored, data);
	group.bench_function("raw_rs_decode_from_parity", |b| {
		b.iter(|| rs_decode(&mut decoder, black_box(&parity), &mut restored))
	});

	// A one-segment file to decode.
	let mut one = FileEncoder::new(LAYOUT, &key, capacity as u64).unwrap();
	let segment = one.encode_segment(0, plaintext).unwrap();
	let manifest = FileManifest::new(LAYOUT, capacity as u64, vec![segment.manifest().clone()]);
	let fragments: Vec<(u32, Vec<u8>)> =
		segment.fragments().map(|(i, _, bytes)| (i, bytes.to_vec())).collect();
	drop(segment);
	let mut file_decoder = FileDecoder::new(manifest, &key).unwrap();
	assert_eq!(file_decoder.decode_segment(0, &fragments[K..2 * K]).unwrap(), plaintext);
	group.bench_function("codec_decode_from_data", |b| {
		b.iter(|| black_box(file_decoder.decode_segment(0, &fragments[..K]).unwrap().len()))
	});
	group.bench_function("codec_decode_from_parity", |b| {
		b.iter(|| black_box(file_decoder.decode_segment(0, &fragments[K..2 * K]).unwrap().len()))
	});
	group.finish();
}

/// The tree by its definition, one blake2 call at a time (what a plain implementation costs).
fn scalar_root(data: &[u8]) -> [u8; 32] {
	support::reference_root(LAYOUT.leaf_size as usize, data)
}

/// The tree with `blake2b_simd`'s four-lane AVX2 hashing only: what `merkle_root` did before
/// its eight-lane AVX-512 path, and still does on CPUs without AVX-512.
fn four_lane_root(data: &[u8]) -> [u8; 32] {
	use blake2b_simd::many::{hash_many, HashManyJob};
	let mut params = blake2b_simd::Params::new();
	params.hash_length(32);
	let hash_all = |messages: &[&[u8]]| -> Vec<[u8; 32]> {
		let mut jobs: Vec<_> = messages.iter().map(|m| HashManyJob::new(&params, m)).collect();
		hash_many(jobs.iter_mut());
		jobs.iter().map(|job| job.to_hash().as_bytes().try_into().unwrap()).collect()
	};
	let leaves: Vec<&[u8]> = data.chunks(LAYOUT.leaf_size as usize).collect();
	let mut level = hash_all(&leaves);
	while level.len() > 1 {
		let preimages: Vec<Vec<u8>> =
			level.chunks_exact(2).map(|pair| [&[1u8][..], &pair[0], &pair[1]].concat()).collect();
		let messages: Vec<&[u8]> = preimages.iter().map(Vec::as_slice).collect();
		let odd = (level.len() % 2 == 1).then(|| level[level.len() - 1]);
		level = hash_all(&messages);
		level.extend(odd);
	}
	level[0]
}

/// A whole file through the streaming encoder: what pass 1 of an upload costs (roots only,
/// fragments dropped), a new encoder's buffers included.
fn file_benches(c: &mut Criterion) {
	let key = FileKey::from_bytes([7; 32]);
	let size = 4 * LAYOUT.segment_capacity() as usize;
	let file = random_bytes(size);
	let mut group = slow_group(c, "file_4_segments_4+8");
	group.throughput(Throughput::Bytes(size as u64));
	group.bench_function("codec_encode_reader", |b| {
		b.iter(|| {
			encode_reader(LAYOUT, &key, size as u64, black_box(&file[..]), |_| Ok(()), |_| {})
				.unwrap()
		})
	});
	group.finish();
}

fn merkle_benches(c: &mut Criterion) {
	let fragment = random_bytes(FRAGMENT);
	let mut group = slow_group(c, "merkle_8MiB_fragment");
	group.throughput(Throughput::Bytes(FRAGMENT as u64));
	assert_eq!(scalar_root(&fragment), merkle_root(LAYOUT.leaf_size, &fragment).unwrap());
	group.bench_function("root_simd", |b| {
		b.iter(|| merkle_root(LAYOUT.leaf_size, black_box(&fragment)).unwrap())
	});
	assert_eq!(four_lane_root(&fragment), merkle_root(LAYOUT.leaf_size, &fragment).unwrap());
	group.bench_function("root_four_lane_avx2_only", |b| {
		b.iter(|| four_lane_root(black_box(&fragment)))
	});
	// What a miner's node does with a fragment arriving over the network in 256 KiB chunks.
	group.bench_function("root_incremental_256KiB_pieces", |b| {
		b.iter(|| {
			let mut builder = MerkleBuilder::new(LAYOUT.leaf_size).unwrap();
			black_box(&fragment).chunks(256 << 10).for_each(|piece| builder.update(piece));
			builder.finish().unwrap()
		})
	});
	group.bench_function("root_scalar_reference", |b| b.iter(|| scalar_root(black_box(&fragment))));
	// Not used by the codec: BLAKE3 over the fragment through its own 1 KiB-chunk tree, the
	// figure behind the README's discussion of a faster leaf hash (a design change).
	group.bench_function("blake3_chunk_tree_what_if", |b| {
		b.iter(|| blake3::hash(black_box(&fragment)))
	});
	group.finish();
}

fn proof_benches(c: &mut Criterion) {
	let fragment = random_bytes(FRAGMENT);
	let tree = MerkleTree::build(LAYOUT.leaf_size, &fragment).unwrap();
	let root = FragmentHash(tree.root());
	let params = ChallengeParams { fragments: 1, leaves: 16 };
	let challenge = Challenge::new(b"round seed", b"miner", 1, params).unwrap();

	let mut group = slow_group(c, "proof_8MiB_fragment");
	group.bench_function("prove_fragment_16_leaves", |b| {
		b.iter(|| prove_fragment(&LAYOUT, &challenge, &root, black_box(&fragment)).unwrap())
	});
	group.finish();

	let mut group = c.benchmark_group("proof_verify");
	let proof = prove_leaf(&tree, &fragment, 12_345).unwrap();
	group.bench_function("prove_leaf_from_built_tree", |b| {
		b.iter(|| prove_leaf(&tree, &fragment, black_box(12_345)).unwrap())
	});
	group.bench_function("verify_leaf", |b| {
		b.iter(|| verify_leaf(&LAYOUT, &root, black_box(&proof)).unwrap())
	});
	let fragment_proof = prove_fragment(&LAYOUT, &challenge, &root, &fragment).unwrap();
	group.bench_function("verify_fragment_proof_16_leaves", |b| {
		b.iter(|| {
			verify_fragment_proof(&LAYOUT, &challenge, &root, black_box(&fragment_proof)).unwrap()
		})
	});
	group.finish();
}

criterion_group!(benches, segment_benches, file_benches, merkle_benches, proof_benches);
criterion_main!(benches);
