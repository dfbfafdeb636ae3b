//! A test runtime: frame-system and this pallet, over a double of the file bank's side of the
//! seam ([`StoredFragments`] and [`RepairScheduler`]). Miners keep real fragment bytes, produced
//! by the `cess_primitives` codec, so that proofs are real.
//!
//! The double only keeps each miner's fragment list, in the file bank's order rules (appended on
//! confirmation, swap-removed on release), and records the repairs asked of it; the tests move
//! fragments themselves where the file bank would.

use crate::{
	self as pallet_audit, AuditFault, AuditParams, AuditPenalty, OnAuditResult, RoundIndex,
};
use cess_primitives::{
	codec::{encode_bytes, FileKey},
	proof::prove_fragment,
	ChallengeParams, ChallengeResponse, FileHash, FileLayout, FragmentHash, FragmentIndex,
	FragmentRef, Page, RepairCause, RepairScheduler, StoredFragments,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl,
	pallet_prelude::ValueQuery,
	parameter_types,
	traits::{ConstU32, Hooks},
	weights::Weight,
	Blake2_128Concat,
};
use sp_runtime::{BuildStorage, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;

/// Account id of the mock.
pub type AccountId = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Audit: pallet_audit,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

/// The mock layout: 128-byte fragments of four 32-byte leaves, 2 data + 2 parity per segment.
pub const LAYOUT: FileLayout = cess_mock_support::SMALL_LAYOUT;
/// Blocks between round starts.
pub const ROUND: u64 = 20;
/// Blocks to answer.
pub const WINDOW: u64 = 5;
/// Failed rounds before a punishment.
pub const STRIKES: u32 = 2;
/// Slashed at each punishment.
pub const SLASH: Perbill = Perbill::from_percent(10);
/// The first miner's account; the others follow.
pub const FIRST_MINER: AccountId = 101;
/// An account that is no miner.
pub const ALICE: AccountId = 1;

parameter_types! {
	pub const DefaultParams: AuditParams<u64> = AuditParams {
		round_period: ROUND,
		response_window: WINDOW,
		challenge: ChallengeParams { fragments: 2, leaves: 2 },
		strike_limit: STRIKES,
		passes_to_clear: 2,
		slash: SLASH,
	};
}

/// The chain's layout as the double reports it (the benchmarks change it).
#[frame_support::storage_alias]
pub type StoredLayout = StorageValue<MockFileBank, FileLayout>;

/// Each miner's fragment list; no entry when empty (as in the file bank).
#[frame_support::storage_alias]
pub type FragmentLists = StorageMap<MockFileBank, Blake2_128Concat, AccountId, Vec<FragmentRef>>;

/// Repairs asked of the double, in order.
#[frame_support::storage_alias]
pub type Repairs = StorageValue<MockFileBank, Vec<(AccountId, RepairCause)>, ValueQuery>;

/// Punishments handed to the mock penalty.
#[frame_support::storage_alias]
pub type Punishments =
	StorageValue<MockFileBank, Vec<(AccountId, Perbill, AuditFault)>, ValueQuery>;

/// Results handed to the mock incentive layer.
#[frame_support::storage_alias]
pub type Results = StorageValue<MockFileBank, Vec<(AccountId, RoundIndex, bool)>, ValueQuery>;

/// The file bank's side of the seam: each miner's fragment list and the repair queue.
pub struct MockFileBank;

impl StoredFragments<AccountId> for MockFileBank {
	fn layout() -> FileLayout {
		StoredLayout::get().unwrap_or(LAYOUT)
	}

	fn fragment_count(miner: &AccountId) -> u32 {
		FragmentLists::get(miner).map_or(0, |list| list.len() as u32)
	}

	fn fragment_at(miner: &AccountId, position: u32) -> Option<FragmentRef> {
		FragmentLists::get(miner)?.get(position as usize).copied()
	}

	fn miners_page(start_after: Option<&AccountId>, max: u32) -> Page<AccountId, AccountId> {
		let mut miners: Vec<AccountId> = FragmentLists::iter_keys().collect();
		miners.sort();
		let items: Vec<AccountId> = miners
			.into_iter()
			.filter(|miner| start_after.is_none_or(|after| miner > after))
			.take(max as usize)
			.collect();
		let next = (items.len() as u32 >= max).then(|| items.last().copied()).flatten();
		Page { items, next }
	}
}

impl RepairScheduler<AccountId> for MockFileBank {
	fn schedule_repair(miner: &AccountId, cause: RepairCause) -> bool {
		let queued = Repairs::get().iter().any(|(queued, _)| queued == miner);
		if !queued {
			Repairs::append((*miner, cause));
		}
		!queued
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}

/// The runtime's penalty, mocked: records the punishment and asks the file bank to repair the
/// miner's fragments (as the runtime's adapter does besides slashing).
pub struct MockPenalty;

impl AuditPenalty<AccountId> for MockPenalty {
	fn punish(miner: &AccountId, fraction: Perbill, fault: AuditFault) {
		Punishments::append((*miner, fraction, fault));
		MockFileBank::schedule_repair(miner, RepairCause::Punished);
	}

	fn weight() -> Weight {
		Weight::from_parts(1_000, 0)
	}
}

/// Records every judged round.
pub struct MockResults;

impl OnAuditResult<AccountId> for MockResults {
	fn on_audit_result(miner: &AccountId, round: RoundIndex, passed: bool) {
		Results::append((*miner, round, passed));
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}

impl pallet_audit::Config for Test {
	type Fragments = MockFileBank;
	type Randomness = cess_mock_support::BlockRandomness<Test>;
	type Penalty = MockPenalty;
	type OnAuditResult = MockResults;
	type DefaultParams = DefaultParams;
	type MaxChallengesPerBlock = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// Benchmark set-up in the mock: the double's layout and lists.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::traits::BenchmarkHelper<AccountId> for MockHelper {
	fn store_fragments(miner: &AccountId, layout: FileLayout, roots: &[FragmentHash]) {
		use codec::Encode;
		StoredLayout::put(layout);
		let list = (0u32..)
			.zip(roots)
			.map(|(position, root)| FragmentRef {
				file: FileHash(sp_io::hashing::blake2_256(&(b"bench", miner, position).encode())),
				index: 0,
				hash: *root,
			})
			.collect::<Vec<_>>();
		FragmentLists::mutate_exists(miner, |entry| *entry = (!list.is_empty()).then_some(list));
	}
}

/// One fragment of an upload: its root and bytes.
#[derive(Clone)]
pub struct Uploaded {
	/// The fragment's Merkle root.
	pub root: FragmentHash,
	/// The fragment's bytes.
	pub bytes: Vec<u8>,
}

thread_local! {
	/// The miners of the test: `FIRST_MINER..FIRST_MINER + MINERS`.
	static MINERS: RefCell<u64> = const { RefCell::new(0) };
	/// Uploads go round the miners; the next one to take a fragment.
	static NEXT_MINER: RefCell<u64> = const { RefCell::new(0) };
	/// What each miner keeps on disk: `(miner, file, index) → bytes`.
	static DISKS: RefCell<BTreeMap<(AccountId, FileHash, FragmentIndex), Vec<u8>>> =
		const { RefCell::new(BTreeMap::new()) };
	/// Every fragment of every uploaded file: `(file, index) → root and bytes`, for rebuilding.
	static UPLOADS: RefCell<BTreeMap<(FileHash, FragmentIndex), Uploaded>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// The externalities of a test: `miners` miners (accounts 101, …) that take uploads.
pub fn new_test_ext(miners: u64) -> sp_io::TestExternalities {
	MINERS.with(|m| *m.borrow_mut() = miners);
	NEXT_MINER.with(|n| *n.borrow_mut() = 0);
	DISKS.with(|d| d.borrow_mut().clear());
	UPLOADS.with(|u| u.borrow_mut().clear());
	let mut storage = cess_mock_support::genesis::<Test>();
	pallet_audit::GenesisConfig::<Test> { params: None, first_round_at: Some(ROUND) }
		.assimilate_storage(&mut storage)
		.unwrap();
	cess_mock_support::start_at_block_one::<Test>(storage)
}

/// Runs the hooks of blocks up to and including `n`.
pub fn run_to_block(n: u64) {
	cess_mock_support::run_to_block::<Test>(n, |block| {
		Audit::on_initialize(block);
	});
}

/// Encodes `data` with the real codec and stores its fragments on the miners, in turn (the
/// fragments of a segment on distinct miners when there are enough): each miner keeps the bytes
/// on its disk and has the fragment appended to its list, as a confirmation in the file bank
/// does. Returns the file hash.
pub fn upload(data: &[u8]) -> FileHash {
	let key = FileKey::from_bytes([7; 32]);
	let (manifest, segments) = encode_bytes(LAYOUT, &key, data).expect("the codec encodes");
	let shards = LAYOUT.total_shards();
	let miners = MINERS.with(|m| *m.borrow());
	for (s, segment) in (0u32..).zip(&segments) {
		for (i, root, bytes) in segment.fragments() {
			let index = s * shards + i;
			let turn = NEXT_MINER.with(|next| {
				let turn = *next.borrow();
				*next.borrow_mut() = (turn + 1) % miners;
				turn
			});
			let miner = FIRST_MINER + turn;
			UPLOADS.with(|u| {
				u.borrow_mut()
					.insert((manifest.hash, index), Uploaded { root, bytes: bytes.to_vec() })
			});
			store(miner, manifest.hash, index, bytes.to_vec());
			add_fragment(miner, FragmentRef { file: manifest.hash, index, hash: root });
		}
	}
	manifest.hash
}

/// Appends a fragment to a miner's list (a confirmation in the file bank).
pub fn add_fragment(miner: AccountId, fragment: FragmentRef) {
	FragmentLists::append(miner, fragment);
}

/// Removes every fragment of `file` from the lists, by moving each list's last entry into the
/// removed one's position (a release in the file bank). The miners keep the bytes.
pub fn remove_file(file: FileHash) {
	let lists: Vec<_> = FragmentLists::iter().collect();
	for (miner, mut list) in lists {
		while let Some(position) = list.iter().position(|fragment| fragment.file == file) {
			list.swap_remove(position);
		}
		FragmentLists::mutate_exists(miner, |entry| *entry = (!list.is_empty()).then_some(list));
	}
}

/// Empties a miner's list (the file bank moving its fragments away); returns what it held.
pub fn take_fragments(miner: AccountId) -> Vec<FragmentRef> {
	FragmentLists::take(miner).unwrap_or_default()
}

/// `(index, miner)` of every stored fragment of `file`, by index.
pub fn holders(file: FileHash) -> Vec<(FragmentIndex, AccountId)> {
	let mut holders: Vec<_> = FragmentLists::iter()
		.flat_map(|(miner, list)| {
			list.into_iter().filter(|f| f.file == file).map(move |f| (f.index, miner))
		})
		.collect();
	holders.sort();
	holders
}

/// Puts fragment bytes on a miner's disk.
pub fn store(miner: AccountId, file: FileHash, index: FragmentIndex, bytes: Vec<u8>) {
	DISKS.with(|d| d.borrow_mut().insert((miner, file, index), bytes));
}

/// Loses a fragment from a miner's disk.
pub fn lose(miner: AccountId, file: FileHash, index: FragmentIndex) {
	DISKS.with(|d| d.borrow_mut().remove(&(miner, file, index)));
}

/// A fragment of an upload.
pub fn uploaded(file: FileHash, index: FragmentIndex) -> Uploaded {
	UPLOADS.with(|u| u.borrow()[&(file, index)].clone())
}

/// What an honest miner answers to its open challenge, from its disk; `None` if it has no
/// challenge or lost a challenged fragment.
pub fn answer(miner: AccountId) -> Option<(RoundIndex, ChallengeResponse)> {
	let view = Audit::challenge_view(&miner)?;
	let mut proofs = Vec::new();
	for fragment in &view.fragments {
		let bytes =
			DISKS.with(|d| d.borrow().get(&(miner, fragment.file, fragment.index)).cloned())?;
		proofs.push(prove_fragment(&view.layout, &view.challenge, &fragment.hash, &bytes).ok()?);
	}
	Some((view.round, proofs.try_into().unwrap()))
}

/// Repairs asked of the file bank so far.
pub fn repairs() -> Vec<(AccountId, RepairCause)> {
	Repairs::get()
}

/// Punishments so far.
pub fn punishments() -> Vec<(AccountId, Perbill, AuditFault)> {
	Punishments::get()
}

/// Judged rounds so far.
pub fn results() -> Vec<(AccountId, RoundIndex, bool)> {
	Results::get()
}
