//! A test runtime: frame-system, balances and the incentive pallet, with settable miner space
//! and payees.

use crate::{
	self as pallet_incentive, MinerSpace, RewardParams, RewardPayee, SpaceSnapshot, StoragePrice,
	StorageTerms,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64, Hooks, VariantCountOf},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, Perbill};
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;

/// Account and balance type of the mock.
pub type AccountId = u64;
/// Balance type of the mock.
pub type Balance = u64;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Incentive: pallet_incentive,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// Existential deposit of the mock.
pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU64<ED>;
	type AccountStore = System;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

/// The treasury's account in the mock.
pub const TREASURY: AccountId = 9_999;
/// Claim window of the mock, in eras.
pub const WINDOW: u32 = 4;
/// Vesting tranches per account in the mock.
pub const MAX_TRANCHES: u32 = 3;

parameter_types! {
	pub const IncentivePalletId: PalletId = PalletId(*b"cess/inc");
	pub const TreasuryAccount: AccountId = TREASURY;
}

thread_local! {
	static SPACE: RefCell<BTreeMap<AccountId, SpaceSnapshot>> = const { RefCell::new(BTreeMap::new()) };
	static PAYEES: RefCell<BTreeMap<AccountId, AccountId>> = const { RefCell::new(BTreeMap::new()) };
	static PRICE: RefCell<StorageTerms<Balance, u64>> = const { RefCell::new(DEFAULT_TERMS) };
}

/// Storage period of the mock: 30 eras.
pub const PERIOD: u64 = 30 * ERA;

/// The mock's storage terms unless a test sets others: a price so high that the caps never
/// bind the small pots of the other tests, and the production period (30 days of 6 s blocks),
/// long enough for the default parameters (one-day eras) of the generated genesis test; no
/// overhang.
pub const DEFAULT_TERMS: StorageTerms<Balance, u64> =
	StorageTerms { price_per_gib: Balance::MAX, period: 432_000, overhang: 0 };

/// Storage terms set by the tests.
pub struct TestPrice;

impl TestPrice {
	/// Sets the storage terms.
	pub fn set(terms: StorageTerms<Balance, u64>) {
		PRICE.with(|p| *p.borrow_mut() = terms);
	}
}

impl StoragePrice<Balance, u64> for TestPrice {
	fn terms() -> StorageTerms<Balance, u64> {
		PRICE.with(|p| *p.borrow())
	}
}

/// Miner space set by the tests.
pub struct TestMiners;

impl TestMiners {
	/// Sets the space of `miner`.
	pub fn set(miner: AccountId, idle: u64, service: u64) {
		SPACE.with(|s| s.borrow_mut().insert(miner, SpaceSnapshot { idle, service }));
	}
}

impl MinerSpace<AccountId> for TestMiners {
	fn space(miner: &AccountId) -> Option<SpaceSnapshot> {
		SPACE.with(|s| s.borrow().get(miner).copied())
	}
}

/// Payees set by the tests (default: the earner).
pub struct TestPayees;

impl TestPayees {
	/// Pays `earner`'s rewards to `payee`.
	pub fn set(earner: AccountId, payee: AccountId) {
		PAYEES.with(|p| p.borrow_mut().insert(earner, payee));
	}
}

impl RewardPayee<AccountId> for TestPayees {
	fn payee(earner: &AccountId) -> AccountId {
		PAYEES.with(|p| p.borrow().get(earner).copied().unwrap_or(*earner))
	}
}

impl pallet_incentive::Config for Test {
	type Currency = Balances;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type Treasury = ResolveTo<TreasuryAccount, Balances>;
	type MinerSpace = TestMiners;
	type Payee = TestPayees;
	type StoragePrice = TestPrice;
	type AdminOrigin = EnsureRoot<AccountId>;
	type PalletId = IncentivePalletId;
	type MaxUnclaimedEras = ConstU32<WINDOW>;
	type MaxVestingTranches = ConstU32<MAX_TRANCHES>;
	type WeightInfo = ();
}

/// Era length of the mock, in blocks.
pub const ERA: u64 = 10;
/// Issuance per era of the mock.
pub const ISSUANCE: Balance = 1_000_000;
/// Vesting period of the mock, in blocks.
pub const VESTING: u64 = 100;

/// The parameters of the mock: 10-block eras, 3 eras a year with 10 % decay, 70/20/10 split,
/// miner weights 60/10/30, half of each payout vesting over 100 blocks; service capped at 50 %
/// and bandwidth at 30 % of the storage price, which holds even for a 30-era ([`PERIOD`])
/// storage period: `0.5 · (300 + 20) + 0.3 · 300 = 250 ≤ 0.95 · 300 = 285`.
pub fn test_params() -> RewardParams<u64> {
	RewardParams {
		era_length: ERA,
		eras_per_year: 3,
		yearly_decay: Perbill::from_percent(10),
		split: crate::RewardSplit {
			miners: Perbill::from_percent(70),
			validators: Perbill::from_percent(20),
			treasury: Perbill::from_percent(10),
		},
		miner_weights: crate::MinerWeights { service: 60, idle: 10, bandwidth: 30 },
		vested_share: Perbill::from_percent(50),
		vesting_period: VESTING,
		service_cap: Perbill::from_percent(50),
		bandwidth_cap: Perbill::from_percent(30),
	}
}

/// Genesis: the treasury exists, the test parameters, [`ISSUANCE`] per era; block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	SPACE.with(|s| s.borrow_mut().clear());
	PAYEES.with(|p| p.borrow_mut().clear());
	PRICE.with(|p| *p.borrow_mut() = DEFAULT_TERMS);
	let mut storage = cess_mock_support::genesis_with_balances::<Test>(vec![
		(TREASURY, ED),
		(1, 1_000),
		(2, 1_000),
	]);
	pallet_incentive::GenesisConfig::<Test> { era_issuance: ISSUANCE, params: test_params() }
		.assimilate_storage(&mut storage)
		.unwrap();
	cess_mock_support::start_at_block_one::<Test>(storage)
}

/// Runs blocks up to and including `n`, calling the pallet's hooks like the executive.
pub fn run_to_block(n: u64) {
	cess_mock_support::run_to_block::<Test>(n, |block| {
		Incentive::on_initialize(block);
		Incentive::on_idle(block, frame_support::weights::Weight::MAX);
	});
}

/// Runs to the first block of the next era (the block that closes the era in progress).
pub fn close_era() {
	run_to_block(crate::NextEraAt::<Test>::get());
}
