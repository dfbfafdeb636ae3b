//! Tests of the runtime, one module per area, and what they share: the genesis builders, block
//! production, the events of past blocks, and the steps of the storage path.
//!
//! A test that lets time pass runs on a chain built by [`new_chain`] and produces blocks with
//! [`run_to_block`]: each block is opened and closed by [`Executive`], with a BABE pre-digest and
//! the timestamp inherent, so every pallet's hooks run in the order a node runs them.

mod attacks;
mod attacks_self_dealing;
mod audit;
mod equivocation;
mod fees;
mod genesis;
mod governance;
mod incentive;
mod sessions;
mod storage;
mod weights;

use crate::{
	genesis_config_presets as presets, AccountId, Audit, Babe, BlockNumber, Executive, FileBank,
	Hash, Header, RuntimeCall, RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, Session, Sminer,
	System, UncheckedExtrinsic,
};
use cess_primitives::{
	codec::{encode_bytes, FileKey},
	proof::prove_fragment,
	FileHash, FragmentHash, FragmentProof,
};
use serde_json::Value;
use sp_consensus_babe::{
	digests::{CompatibleDigestItem, PreDigest, SecondaryPlainPreDigest},
	Slot,
};
use sp_core::{ed25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Header as _, BuildStorage, Digest, DigestItem};
use std::{cell::RefCell, collections::BTreeMap};

// ---------------------------------------------------------------------------------------------
// Genesis
// ---------------------------------------------------------------------------------------------

/// Applies a preset patch on top of the default genesis, as the node does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (k, v) in patch {
				merge(base.entry(k).or_insert(Value::Null), v);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// The genesis state of `patch` (on the default genesis), at block 1; the block is not opened.
fn genesis_ext(patch: Value) -> sp_io::TestExternalities {
	let mut json = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
	merge(&mut json, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(json).expect("preset is valid JSON");
	let storage = config.build_storage().expect("genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The JSON patch of the preset `name`.
fn preset(name: &str) -> Value {
	let bytes = presets::get_preset(&name.into()).expect("preset exists");
	serde_json::from_slice(&bytes).unwrap()
}

/// The account of a well-known development key.
fn account(who: Sr25519Keyring) -> AccountId {
	who.to_account_id()
}

// ---------------------------------------------------------------------------------------------
// Producing blocks
// ---------------------------------------------------------------------------------------------

/// Slot of block 1. Any nonzero slot: BABE starts epoch 0 at the slot of the first block.
const FIRST_SLOT: u64 = 1_000;

thread_local! {
	/// The events of the blocks closed so far on this thread's chain: `System::events` only
	/// holds those of the block in progress, as the executive resets them in every block.
	static CLOSED_BLOCKS_EVENTS: RefCell<Vec<RuntimeEvent>> = const { RefCell::new(Vec::new()) };
}

/// The chain built from `patch`, inside its block 1 (opened with a BABE pre-digest, so BABE
/// knows its genesis slot).
fn new_chain(patch: Value) -> sp_io::TestExternalities {
	let mut ext = genesis_ext(patch);
	CLOSED_BLOCKS_EVENTS.with(|events| events.borrow_mut().clear());
	ext.execute_with(|| {
		// `genesis_ext` sets the block number to 1 without opening the block: open it here.
		System::set_block_number(0);
		let genesis_parent = System::parent_hash();
		open_block(1, FIRST_SLOT, genesis_parent);
	});
	ext
}

/// The `development` chain (Alice validates alone), inside its block 1.
fn development_chain() -> sp_io::TestExternalities {
	new_chain(preset("development"))
}

/// The BABE pre-digest of a secondary (plain) slot claim by `authority_index`.
fn babe_pre_digest(authority_index: u32, slot: Slot) -> DigestItem {
	DigestItem::babe_pre_digest(PreDigest::SecondaryPlain(SecondaryPlainPreDigest {
		authority_index,
		slot,
	}))
}

/// Opens block `number` at `slot` on top of `parent` as a node does: the executive initializes
/// it (events reset, every pallet's `on_initialize`) from a header whose digest has the BABE
/// pre-digest of the slot's author, then applies the timestamp inherent (which BABE checks
/// against the slot).
///
/// Authors take turns by slot, skipping disabled validators (BABE refuses their blocks).
fn open_block(number: BlockNumber, slot: u64, parent: Hash) {
	let authorities = (Babe::authorities().len() as u64).max(1);
	let disabled = Session::disabled_validators();
	let author = (0..authorities)
		.map(|i| ((slot + i) % authorities) as u32)
		.find(|index| !disabled.contains(index))
		.expect("some validator is not disabled");
	let digest = Digest { logs: vec![babe_pre_digest(author, Slot::from(slot))] };
	Executive::initialize_block(&Header::new(number, Hash::zero(), Hash::zero(), parent, digest));
	let now = slot * Babe::slot_duration();
	let timestamp = RuntimeCall::Timestamp(pallet_timestamp::Call::set { now });
	Executive::apply_extrinsic(UncheckedExtrinsic::new_bare(timestamp))
		.expect("the timestamp inherent is valid")
		.expect("the timestamp inherent dispatches");
	Executive::inherents_applied();
}

/// Closes the block in progress (every pallet's `on_idle` and `on_finalize`, then the header),
/// keeps its events and returns the header's hash.
fn close_block() -> Hash {
	let header = Executive::finalize_block();
	let events = System::events().into_iter().map(|record| record.event);
	CLOSED_BLOCKS_EVENTS.with(|closed| closed.borrow_mut().extend(events));
	header.hash()
}

/// Closes the block in progress and opens the next one, at the next slot.
fn next_block() {
	let slot = u64::from(pallet_babe::CurrentSlot::<crate::Runtime>::get()) + 1;
	let number = System::block_number() + 1;
	let parent = close_block();
	open_block(number, slot, parent);
}

/// Produces blocks until block `n` is in progress.
fn run_to_block(n: BlockNumber) {
	while System::block_number() < n {
		next_block();
	}
}

/// Produces blocks until `done` holds, at most `max` of them.
fn run_until(done: impl Fn() -> bool, max: BlockNumber) {
	let until = System::block_number() + max;
	while !done() && System::block_number() < until {
		next_block();
	}
	assert!(done(), "not done by block {until}");
}

/// Every event since the chain's block 1 opened, oldest first.
fn events() -> Vec<RuntimeEvent> {
	let mut events = CLOSED_BLOCKS_EVENTS.with(|closed| closed.borrow().clone());
	events.extend(System::events().into_iter().map(|record| record.event));
	events
}

/// The `EraClosed` event of `era`: (minted, storage fees, miners' pot, validators' pot, to the
/// treasury).
fn era_closed(era: u32) -> Option<(u128, u128, u128, u128, u128)> {
	events().into_iter().find_map(|event| match event {
		RuntimeEvent::Incentive(pallet_incentive::Event::EraClosed {
			era: e,
			minted,
			storage_fees,
			miners_pot,
			validators_pot,
			to_treasury,
		}) if e == era => Some((minted, storage_fees, miners_pot, validators_pot, to_treasury)),
		_ => None,
	})
}

// ---------------------------------------------------------------------------------------------
// The storage path: a miner, a file, its fragments and their audit
// ---------------------------------------------------------------------------------------------

/// Registers `miner` (paying `beneficiary`) with the ed25519 peer key of `seed`.
fn register_miner(miner: &AccountId, beneficiary: &AccountId, seed: u8, space: u64) {
	let peer = ed25519::Pair::from_seed(&[seed; 32]);
	Sminer::register(
		RuntimeOrigin::signed(miner.clone()),
		beneficiary.clone().into(),
		peer.public(),
		peer.sign(&pallet_sminer::peer_binding_message(miner)),
		vec![b"/ip4/127.0.0.1/tcp/15001".to_vec().try_into().unwrap()].try_into().unwrap(),
		space,
	)
	.expect("miner registers");
}

/// Space each miner registered by [`register_miners`] declares.
const MINER_SPACE: u64 = 100 << 30;

/// Registers each of `who` as a miner (its own beneficiary) with [`MINER_SPACE`].
fn register_miners(who: &[Sr25519Keyring]) -> Vec<AccountId> {
	(1u8..)
		.zip(who)
		.map(|(seed, key)| {
			let miner = account(*key);
			register_miner(&miner, &miner, seed, MINER_SPACE);
			miner
		})
		.collect()
}

/// `len` bytes of file content, varied enough that no two fragments are alike.
fn file_content(len: u32) -> Vec<u8> {
	(0..len).map(|i| (i * 31 + 7) as u8).collect()
}

/// Encodes and declares `data` for `owner`; returns the file hash and every fragment's bytes,
/// keyed by the fragment's index in the file.
fn declare(owner: &AccountId, data: &[u8]) -> (FileHash, BTreeMap<u32, Vec<u8>>) {
	let layout = FileBank::layout();
	let (manifest, segments) =
		encode_bytes(layout, &FileKey::from_bytes([9; 32]), data).expect("codec");
	let roots: Vec<frame_support::BoundedVec<FragmentHash, _>> =
		manifest.segments.iter().map(|s| s.fragments.clone().try_into().unwrap()).collect();
	FileBank::upload_declaration(
		RuntimeOrigin::signed(owner.clone()),
		manifest.hash,
		roots.try_into().unwrap(),
		manifest.size,
		b"photo.jpg".to_vec().try_into().unwrap(),
		1,
	)
	.expect("declaration accepted");
	let shards = layout.data_shards + layout.parity_shards;
	let mut bytes = BTreeMap::new();
	for (s, segment) in (0u32..).zip(&segments) {
		for (i, _, fragment) in segment.fragments() {
			bytes.insert(s * shards + i, fragment.to_vec());
		}
	}
	(manifest.hash, bytes)
}

/// `miner` confirms every fragment placed for `file` (the tests have one miner, which is
/// assigned them all).
fn confirm_all(miner: &AccountId, file: FileHash) {
	let placed: Vec<(u32, FragmentHash)> =
		pallet_file_bank::Fragments::<crate::Runtime>::iter_prefix(file)
			.map(|(index, info)| (index, info.hash))
			.collect();
	FileBank::confirm_stored(
		RuntimeOrigin::signed(miner.clone()),
		file,
		placed.try_into().unwrap(),
	)
	.expect("the assigned miner confirms");
}

/// Every miner `file`'s fragments are assigned to confirms its own, as miners do once they
/// received them.
fn confirm_placed(file: FileHash) {
	let mut by_miner: BTreeMap<AccountId, Vec<(u32, FragmentHash)>> = BTreeMap::new();
	for (index, info) in pallet_file_bank::Fragments::<crate::Runtime>::iter_prefix(file) {
		by_miner.entry(info.miner).or_default().push((index, info.hash));
	}
	for (miner, placed) in by_miner {
		FileBank::confirm_stored(RuntimeOrigin::signed(miner), file, placed.try_into().unwrap())
			.expect("the assigned miner confirms");
	}
}

/// Produces blocks until `miner` has an open challenge (within 200 blocks from now); returns it.
fn wait_for_challenge(miner: &AccountId) -> pallet_audit::ChallengeView<BlockNumber> {
	run_until(|| Audit::challenge_view(miner).is_some(), 200);
	Audit::challenge_view(miner).expect("the miner is challenged")
}

/// The fragment bytes a miner keeps, to prove its challenges from.
trait FragmentStore {
	/// The bytes of fragment `index` of `file`.
	fn fragment(&self, file: FileHash, index: u32) -> &[u8];
}

/// The fragments of one file by index, as [`declare`] returns them (the file is not checked).
impl FragmentStore for BTreeMap<u32, Vec<u8>> {
	fn fragment(&self, _file: FileHash, index: u32) -> &[u8] {
		&self[&index]
	}
}

/// The fragments of several files, by file, then by index.
impl FragmentStore for BTreeMap<FileHash, BTreeMap<u32, Vec<u8>>> {
	fn fragment(&self, file: FileHash, index: u32) -> &[u8] {
		&self[&file][&index]
	}
}

/// The honest answer to `challenge`: a proof for every challenged fragment, from its bytes.
fn honest_proofs(
	challenge: &pallet_audit::ChallengeView<BlockNumber>,
	fragments: &impl FragmentStore,
) -> Vec<FragmentProof> {
	challenge
		.fragments
		.iter()
		.map(|f| {
			let bytes = fragments.fragment(f.file, f.index);
			prove_fragment(&challenge.layout, &challenge.challenge, &f.hash, bytes)
				.expect("proof from the stored bytes")
		})
		.collect()
}

/// The answer of a miner that lost its data to `challenge`: it kept the Merkle paths of an
/// honest proof (as if cached) but not the challenged leaves, and sends other bytes in their
/// place (each byte of the real leaf inverted, so that every leaf differs, padding included).
fn forged_proofs(
	challenge: &pallet_audit::ChallengeView<BlockNumber>,
	fragments: &impl FragmentStore,
) -> Vec<FragmentProof> {
	honest_proofs(challenge, fragments)
		.into_iter()
		.map(|mut proof| {
			for leaf in proof.leaves.iter_mut() {
				for byte in leaf.leaf.iter_mut() {
					*byte ^= 0xff;
				}
			}
			proof
		})
		.collect()
}

/// Answers `miner`'s open challenge, if any, with honest proofs; returns whether it answered.
fn answer_challenge(miner: &AccountId, fragments: &impl FragmentStore) -> bool {
	let Some(challenge) = Audit::challenge_view(miner) else { return false };
	Audit::submit_proof(
		RuntimeOrigin::signed(miner.clone()),
		challenge.round,
		honest_proofs(&challenge, fragments).try_into().unwrap(),
	)
	.expect("proof submitted");
	assert!(Audit::challenge_view(miner).is_none(), "the challenge is closed");
	true
}
