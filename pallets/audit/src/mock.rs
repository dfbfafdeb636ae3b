//! A test runtime with the real file bank: frame-system, pallet-balances, pallet-file-bank (over
//! a mock miner pool) and this pallet. Miners keep real fragment bytes, produced by the
//! `cess_primitives` codec, so that proofs are real.

use crate::{
	self as pallet_audit, AuditFault, AuditParams, AuditPenalty, OnAuditResult, RoundIndex,
};
use cess_primitives::{
	codec::{encode_bytes, FileKey},
	proof::prove_fragment,
	ChallengeParams, ChallengeResponse, FileHash, FileLayout, FragmentHash,
};
use codec::{Decode, Encode};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64, Hooks, Randomness},
	weights::Weight,
	BoundedVec,
};
use pallet_file_bank::{FragmentIndex, FragmentStatus, MinerPool, RepairCause, StorageParams};
use sp_core::H256;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;

/// Account id of the mock.
pub type AccountId = u64;
/// Balance of the mock.
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		FileBank: pallet_file_bank,
		Audit: pallet_audit,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// The mock layout: 128-byte fragments of four 32-byte leaves, 2 data + 2 parity per segment.
pub const LAYOUT: FileLayout =
	FileLayout { segment_size: 256, data_shards: 2, parity_shards: 2, leaf_size: 32 };
/// Blocks between round starts.
pub const ROUND: u64 = 20;
/// Blocks to answer.
pub const WINDOW: u64 = 5;
/// Failed rounds before a punishment.
pub const STRIKES: u32 = 2;
/// Slashed at each punishment.
pub const SLASH: Perbill = Perbill::from_percent(10);
/// Blocks a miner has to confirm a fragment.
pub const CONFIRM_WINDOW: u64 = 10;
/// A user.
pub const ALICE: AccountId = 1;
/// Storage-fee pot.
pub const POT: AccountId = 999;

parameter_types! {
	pub const PotAccount: AccountId = POT;
	pub const FileBankLayout: FileLayout = LAYOUT;
	pub const FileBankParams: StorageParams<Balance, u64> = StorageParams {
		price_per_gib: 1 << 30, period: 1_000, confirm_window: CONFIRM_WINDOW, max_reassignments: 1,
	};
	pub const DefaultParams: AuditParams<u64> = AuditParams {
		round_period: ROUND,
		response_window: WINDOW,
		challenge: ChallengeParams { fragments: 2, leaves: 2 },
		strike_limit: STRIKES,
		passes_to_clear: 2,
		slash: SLASH,
	};
}

/// A miner of the mock pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct MockMiner {
	/// Declared bytes.
	pub declared: u64,
	/// Used bytes.
	pub used: u64,
	/// Locked bytes.
	pub locked: u64,
	/// Leaving.
	pub exiting: bool,
}

/// The mock pool's miners.
#[frame_support::storage_alias]
pub type MockMinerTable =
	StorageMap<MockPool, frame_support::Blake2_128Concat, AccountId, MockMiner>;

/// Punishments handed to the mock penalty.
#[frame_support::storage_alias]
pub type Punishments = StorageValue<
	MockPool,
	Vec<(AccountId, Perbill, AuditFault)>,
	frame_support::pallet_prelude::ValueQuery,
>;

/// Results handed to the mock incentive layer.
#[frame_support::storage_alias]
pub type Results = StorageValue<
	MockPool,
	Vec<(AccountId, RoundIndex, bool)>,
	frame_support::pallet_prelude::ValueQuery,
>;

/// Registers a mock miner.
pub fn add_miner(who: AccountId, declared: u64) {
	MockMinerTable::insert(who, MockMiner { declared, used: 0, locked: 0, exiting: false });
}

/// A mock miner's record.
pub fn miner(who: AccountId) -> MockMiner {
	MockMinerTable::get(who).expect("a mock miner")
}

fn with_miner(who: &AccountId, f: impl FnOnce(&mut MockMiner) -> DispatchResult) -> DispatchResult {
	MockMinerTable::try_mutate(who, |m| match m {
		Some(miner) => f(miner),
		None => Err(DispatchError::Other("unknown miner")),
	})
}

/// The mock miner pool.
pub struct MockMiners;

impl MinerPool<AccountId> for MockMiners {
	fn can_confirm(who: &AccountId) -> bool {
		MockMinerTable::get(who).is_some_and(|m| !m.exiting)
	}

	fn peer_id(who: &AccountId) -> Option<Vec<u8>> {
		MockMinerTable::get(who).map(|_| who.to_le_bytes().to_vec())
	}

	fn sample(seed: &[u8; 32], count: u32, min_free: u64, exclude: &[AccountId]) -> Vec<AccountId> {
		let mut candidates: Vec<AccountId> = MockMinerTable::iter()
			.filter(|(who, m)| {
				!m.exiting && m.declared - m.used - m.locked >= min_free && !exclude.contains(who)
			})
			.map(|(who, _)| who)
			.collect();
		candidates.sort();
		// Uniform, seeded: rotate the sorted list.
		if candidates.is_empty() {
			return candidates;
		}
		let start = (u64::from_le_bytes(seed[..8].try_into().unwrap()) as usize) % candidates.len();
		candidates.rotate_left(start);
		candidates.truncate(count as usize);
		candidates
	}

	fn lock_space(who: &AccountId, bytes: u64) -> DispatchResult {
		with_miner(who, |m| {
			if m.exiting || m.declared - m.used - m.locked < bytes {
				return Err(DispatchError::Other("cannot lock"));
			}
			m.locked += bytes;
			Ok(())
		})
	}

	fn unlock_space(who: &AccountId, bytes: u64) -> DispatchResult {
		with_miner(who, |m| {
			m.locked = m.locked.checked_sub(bytes).ok_or(DispatchError::Other("locked"))?;
			Ok(())
		})
	}

	fn commit_space(who: &AccountId, bytes: u64) -> DispatchResult {
		with_miner(who, |m| {
			m.locked = m.locked.checked_sub(bytes).ok_or(DispatchError::Other("locked"))?;
			m.used += bytes;
			Ok(())
		})
	}

	fn release_space(who: &AccountId, bytes: u64) -> DispatchResult {
		with_miner(who, |m| {
			m.used = m.used.checked_sub(bytes).ok_or(DispatchError::Other("used"))?;
			Ok(())
		})
	}
}

/// The runtime's penalty, mocked: records the punishment and queues the miner's repair in the
/// real file bank (as the runtime's adapter does besides slashing).
pub struct MockPenalty;

impl AuditPenalty<AccountId> for MockPenalty {
	fn punish(miner: &AccountId, fraction: Perbill, fault: AuditFault) {
		Punishments::append((*miner, fraction, fault));
		FileBank::schedule_repair(miner, RepairCause::Punished);
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

/// Randomness that changes with the subject and the block.
pub struct TestRandomness;

impl Randomness<H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (H256, u64) {
		let now = System::block_number();
		(H256(sp_io::hashing::blake2_256(&(subject, now).encode())), now)
	}
}

impl pallet_file_bank::Config for Test {
	type Currency = Balances;
	type OnStorageFee = ResolveTo<PotAccount, Balances>;
	type Miners = MockMiners;
	type OnFragmentStored = ();
	type Randomness = TestRandomness;
	type DefaultLayout = FileBankLayout;
	type DefaultParams = FileBankParams;
	type MaxSegments = ConstU32<8>;
	type MaxShards = ConstU32<16>;
	type MaxNameLen = ConstU32<32>;
	type MaxOwners = ConstU32<4>;
	type MaxPeriods = ConstU32<10>;
	type MaxConfirmations = ConstU32<32>;
	type ExpiryGranularity = ConstU64<10>;
	type DeadlineChecksPerBlock = ConstU32<16>;
	type RepairsPerBlock = ConstU32<4>;
	type RemovalsPerBlock = ConstU32<8>;
	type ExpiriesPerBlock = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

impl pallet_audit::Config for Test {
	type Fragments = FileBank;
	type Randomness = TestRandomness;
	type Penalty = MockPenalty;
	type OnAuditResult = MockResults;
	type DefaultParams = DefaultParams;
	type MaxChallengesPerBlock = ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// Benchmark set-up in the mock.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_file_bank::traits::BenchmarkHelper<AccountId> for MockHelper {
	fn register_miner(index: u32, space: u64) -> AccountId {
		let who = 10_000 + AccountId::from(index);
		add_miner(who, space);
		who
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::traits::BenchmarkHelper<AccountId> for MockHelper {
	fn store_fragments(miner: &AccountId, layout: FileLayout, roots: &[FragmentHash]) {
		FileBank::benchmark_store_fragments(miner, layout, roots);
	}
}

thread_local! {
	/// What each miner keeps on disk: `(miner, file, index) → bytes`.
	static DISKS: RefCell<BTreeMap<(AccountId, FileHash, FragmentIndex), Vec<u8>>> =
		const { RefCell::new(BTreeMap::new()) };
	/// Every fragment of every uploaded file: `(file, index) → bytes`, for rebuilding.
	static UPLOADS: RefCell<BTreeMap<(FileHash, FragmentIndex), Vec<u8>>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// The externalities of a test: `miners` miners (accounts 101, …) with plenty of space.
pub fn new_test_ext(miners: u64) -> sp_io::TestExternalities {
	DISKS.with(|d| d.borrow_mut().clear());
	UPLOADS.with(|u| u.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000_000_000), (POT, 1)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_audit::GenesisConfig::<Test> { params: None, first_round_at: Some(ROUND) }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		for i in 0..miners {
			add_miner(101 + i, 1 << 30);
		}
	});
	ext
}

/// Runs the hooks of blocks up to and including `n`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		FileBank::on_initialize(next);
		Audit::on_initialize(next);
	}
}

/// Encodes `data` with the real codec, declares it for `owner`, and every assigned miner
/// receives its fragments (kept on its disk) and confirms them. Returns the file hash.
pub fn upload(owner: AccountId, data: &[u8]) -> FileHash {
	let key = FileKey::from_bytes([7; 32]);
	let (manifest, segments) = encode_bytes(LAYOUT, &key, data).expect("the codec encodes");
	let roots: Vec<BoundedVec<FragmentHash, ConstU32<16>>> =
		manifest.segments.iter().map(|s| s.fragments.clone().try_into().unwrap()).collect();
	frame_support::assert_ok!(FileBank::upload_declaration(
		RuntimeOrigin::signed(owner),
		manifest.hash,
		roots.try_into().unwrap(),
		manifest.size,
		b"file".to_vec().try_into().unwrap(),
		1
	));
	let shards = LAYOUT.total_shards();
	for (s, segment) in (0u32..).zip(&segments) {
		for (i, _, bytes) in segment.fragments() {
			UPLOADS
				.with(|u| u.borrow_mut().insert((manifest.hash, s * shards + i), bytes.to_vec()));
		}
	}
	receive_and_confirm(manifest.hash);
	manifest.hash
}

/// Every miner with pending fragments of `file` gets their bytes and confirms them.
pub fn receive_and_confirm(file: FileHash) {
	let mut by_miner: BTreeMap<AccountId, Vec<(FragmentIndex, FragmentHash)>> = BTreeMap::new();
	for (index, info) in pallet_file_bank::Fragments::<Test>::iter_prefix(file) {
		if matches!(info.status, FragmentStatus::Pending { .. }) {
			by_miner.entry(info.miner).or_default().push((index, info.hash));
		}
	}
	for (miner, list) in by_miner {
		for (index, _) in &list {
			let bytes = UPLOADS.with(|u| u.borrow()[&(file, *index)].clone());
			store(miner, file, *index, bytes);
		}
		frame_support::assert_ok!(FileBank::confirm_stored(
			RuntimeOrigin::signed(miner),
			file,
			list.try_into().unwrap()
		));
	}
}

/// Puts fragment bytes on a miner's disk.
pub fn store(miner: AccountId, file: FileHash, index: FragmentIndex, bytes: Vec<u8>) {
	DISKS.with(|d| d.borrow_mut().insert((miner, file, index), bytes));
}

/// Loses a fragment from a miner's disk.
pub fn lose(miner: AccountId, file: FileHash, index: FragmentIndex) {
	DISKS.with(|d| d.borrow_mut().remove(&(miner, file, index)));
}

/// The fragment bytes of an upload.
pub fn uploaded(file: FileHash, index: FragmentIndex) -> Vec<u8> {
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

/// Punishments so far.
pub fn punishments() -> Vec<(AccountId, Perbill, AuditFault)> {
	Punishments::get()
}

/// Judged rounds so far.
pub fn results() -> Vec<(AccountId, RoundIndex, bool)> {
	Results::get()
}
