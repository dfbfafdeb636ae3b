//! A test runtime: frame-system, pallet-balances and this pallet, over a mock miner pool.

use crate::{self as pallet_file_bank, MinerPool, OnFragmentStored, StorageParams};
use cess_primitives::{
	hashing::{file_hash, segment_hash},
	FileHash, FileLayout, FragmentHash,
};
use codec::{Decode, Encode};
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64, Hooks},
	weights::Weight,
};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};

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
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	// Real database weights, so that the hooks' bookkeeping charges are not zero in tests.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
}

/// The mock layout: 128-byte fragments of four 32-byte leaves, 2 data + 2 parity per segment.
pub const LAYOUT: FileLayout = cess_mock_support::SMALL_LAYOUT;
/// Fragments per segment.
pub const SHARDS: u32 = 4;
/// Bytes per fragment.
pub const FRAGMENT: u64 = 128;
/// Plaintext bytes per segment.
pub const CAPACITY: u64 = 240;
/// Blocks per storage period.
pub const PERIOD: u64 = 100;
/// Blocks to confirm.
pub const WINDOW: u64 = 10;
/// Reassignments before giving up.
pub const MAX_REASSIGNMENTS: u32 = 2;
/// Expiry slots.
pub const GRANULARITY: u64 = 10;
/// Balance of every endowed account.
pub const ENDOWMENT: Balance = 1_000_000;
/// Receives storage fees.
pub const POT: AccountId = 999;
/// Endowed users.
pub const ALICE: AccountId = 1;
/// Endowed users.
pub const BOB: AccountId = 2;
/// Endowed users.
pub const CHARLIE: AccountId = 3;
/// Endowed users.
pub const DAVE: AccountId = 4;
/// A user without funds.
pub const POOR: AccountId = 50;

parameter_types! {
	pub const PotAccount: AccountId = POT;
	pub const DefaultLayout: FileLayout = FileLayout {
		segment_size: 1024, data_shards: 4, parity_shards: 4, leaf_size: 32,
	};
	pub const DefaultParams: StorageParams<Balance, u64> = StorageParams {
		price_per_gib: 7, period: 1_000, confirm_window: 100, max_reassignments: 5,
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
	/// Takes new fragments.
	pub active: bool,
	/// Leaving: takes nothing, confirms nothing.
	pub exiting: bool,
}

impl MockMiner {
	/// Free bytes.
	pub fn free(&self) -> u64 {
		self.declared - self.used - self.locked
	}
}

/// The mock pool's miners, in storage so that failed calls roll their changes back.
#[frame_support::storage_alias]
pub type MockMinerTable =
	StorageMap<MockPool, frame_support::Blake2_128Concat, AccountId, MockMiner>;

/// Confirmed transfers reported to the mock incentive layer.
#[frame_support::storage_alias]
pub type StoredReports =
	StorageValue<MockPool, Vec<(AccountId, u64)>, frame_support::pallet_prelude::ValueQuery>;

/// Registers a mock miner with `declared` bytes.
pub fn add_miner(who: AccountId, declared: u64) {
	MockMinerTable::insert(
		who,
		MockMiner { declared, used: 0, locked: 0, active: true, exiting: false },
	);
}

/// A mock miner's record.
pub fn miner(who: AccountId) -> MockMiner {
	MockMinerTable::get(who).expect("a mock miner")
}

/// Changes a mock miner.
pub fn update_miner(who: AccountId, f: impl FnOnce(&mut MockMiner)) {
	MockMinerTable::mutate(who, |m| f(m.as_mut().expect("a mock miner")));
}

/// Confirmed transfers reported to the incentive layer.
pub fn stored_reports() -> Vec<(AccountId, u64)> {
	StoredReports::get()
}

/// The mock miner pool: an in-memory table, weighted sampling by free space.
pub struct MockMiners;

fn with_miner(who: &AccountId, f: impl FnOnce(&mut MockMiner) -> DispatchResult) -> DispatchResult {
	MockMinerTable::try_mutate(who, |m| match m {
		Some(miner) => f(miner),
		None => Err(DispatchError::Other("unknown miner")),
	})
}

impl MinerPool<AccountId> for MockMiners {
	fn can_confirm(who: &AccountId) -> bool {
		MockMinerTable::get(who).is_some_and(|miner| !miner.exiting)
	}

	fn peer_id(who: &AccountId) -> Option<Vec<u8>> {
		MockMinerTable::get(who).map(|_| who.to_le_bytes().to_vec())
	}

	fn sample(seed: &[u8; 32], count: u32, min_free: u64, exclude: &[AccountId]) -> Vec<AccountId> {
		let mut candidates: Vec<(AccountId, u64)> = MockMinerTable::iter()
			.filter(|(who, miner)| {
				miner.active && !miner.exiting && miner.free() >= min_free && !exclude.contains(who)
			})
			.map(|(who, miner)| (who, miner.free()))
			.collect();
		candidates.sort();
		let total: u128 = candidates.iter().map(|(_, free)| u128::from(*free)).sum();
		let mut chosen = Vec::new();
		if total == 0 {
			return chosen;
		}
		for attempt in 0..u64::from(count) * 8 {
			if chosen.len() as u32 >= count {
				break;
			}
			let random = sp_io::hashing::blake2_256(&(seed, attempt).encode());
			let mut target = u128::from_le_bytes(random[..16].try_into().unwrap()) % total;
			for (who, free) in &candidates {
				if target < u128::from(*free) {
					if !chosen.contains(who) {
						chosen.push(*who);
					}
					break;
				}
				target -= u128::from(*free);
			}
		}
		chosen
	}

	fn lock_space(who: &AccountId, bytes: u64) -> DispatchResult {
		with_miner(who, |m| {
			if !m.active || m.exiting || m.free() < bytes {
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

/// Records every confirmed transfer.
pub struct MockStored;

impl OnFragmentStored<AccountId> for MockStored {
	fn on_fragment_stored(miner: &AccountId, bytes: u64) {
		StoredReports::append((*miner, bytes));
	}

	fn weight() -> Weight {
		Weight::zero()
	}
}

impl pallet_file_bank::Config for Test {
	type Currency = Balances;
	type OnStorageFee = ResolveTo<PotAccount, Balances>;
	type Miners = MockMiners;
	type OnFragmentStored = MockStored;
	type CheckParams = ();
	type Randomness = cess_mock_support::BlockRandomness<Test>;
	type DefaultLayout = DefaultLayout;
	type DefaultParams = DefaultParams;
	type MaxSegments = ConstU32<8>;
	type MaxShards = ConstU32<16>;
	type MaxNameLen = ConstU32<32>;
	type MaxOwners = ConstU32<3>;
	type MaxPeriods = ConstU32<10>;
	type MaxConfirmations = ConstU32<32>;
	type ExpiryGranularity = ConstU64<GRANULARITY>;
	type DeadlineChecksPerBlock = ConstU32<8>;
	type RepairsPerBlock = ConstU32<2>;
	type RemovalsPerBlock = ConstU32<4>;
	type ExpiriesPerBlock = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockHelper;
}

/// Benchmark set-up in the mock: miners are added to the mock pool.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::traits::BenchmarkHelper<AccountId> for MockHelper {
	fn register_miner(index: u32, space: u64) -> AccountId {
		let who = 10_000 + AccountId::from(index);
		add_miner(who, space);
		who
	}
}

/// The externalities of a test: endowed users, the mock's genesis parameters, no miners.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = cess_mock_support::genesis_with_balances::<Test>(vec![
		(ALICE, ENDOWMENT),
		(BOB, ENDOWMENT),
		(CHARLIE, ENDOWMENT),
		(DAVE, ENDOWMENT),
		(POT, 1),
	]);
	pallet_file_bank::GenesisConfig::<Test> {
		layout: Some(LAYOUT),
		params: Some(StorageParams {
			price_per_gib: 1 << 30,
			period: PERIOD,
			confirm_window: WINDOW,
			max_reassignments: MAX_REASSIGNMENTS,
		}),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	cess_mock_support::start_at_block_one::<Test>(storage)
}

/// Like [`new_test_ext`], with `count` miners of `space` bytes each (accounts 101, 102, …).
pub fn ext_with_miners(count: u64, space: u64) -> sp_io::TestExternalities {
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		for i in 0..count {
			add_miner(101 + i, space);
		}
	});
	ext
}

/// A file's declaration: hash, segment roots and size, for `segments` segments whose roots are
/// derived from `salt` (all distinct).
pub fn declaration(salt: u8, segments: u32) -> (FileHash, Vec<Vec<FragmentHash>>, u64) {
	let roots: Vec<Vec<FragmentHash>> = (0..segments)
		.map(|s| {
			(0..SHARDS)
				.map(|i| FragmentHash(sp_io::hashing::blake2_256(&(salt, s, i).encode())))
				.collect()
		})
		.collect();
	let size = u64::from(segments) * CAPACITY - 7;
	let hashes: Vec<_> = roots.iter().map(|r| segment_hash(r)).collect();
	(file_hash(&LAYOUT, size, &hashes), roots, size)
}

/// Runs the hooks of blocks up to and including `n`.
pub fn run_to_block(n: u64) {
	cess_mock_support::run_to_block::<Test>(n, |block| {
		FileBank::on_initialize(block);
	});
}
