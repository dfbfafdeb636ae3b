//! A test runtime: frame-system, pallet-balances and this pallet.

use crate::{self as pallet_sminer, AuditObligations, MultiaddrOf, MultiaddrsOf, OnMinerExit};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{tokens::imbalance::ResolveTo, ConstU128, ConstU32, ConstU64},
	weights::Weight,
};
use sp_core::{ed25519, Pair};
use sp_keystore::{testing::MemoryKeystore, KeystoreExt};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

/// Account id of the mock.
pub type AccountId = u64;
/// Balance of the mock: like the chain's, `u128`.
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Sminer: pallet_sminer,
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
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
}

/// Existential deposit of the mock.
pub const EXISTENTIAL_DEPOSIT: Balance = 1;
/// Collateral per TiB that the mock's genesis sets (the `Config` default is different, so the
/// tests see that genesis wins).
pub const COLLATERAL_PER_TIB: Balance = 1_000;
/// Exit cooldown that the mock's genesis sets.
pub const EXIT_COOLDOWN: u64 = 10;
/// Balance of every endowed account.
pub const ENDOWMENT: Balance = 1_000_000;
/// Where slashed collateral goes.
pub const TREASURY: AccountId = 999;
/// Endowed accounts.
pub const ENDOWED: [AccountId; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/// An account without funds.
pub const POOR: AccountId = 50;
/// A miner registered by the mock's genesis config.
pub const GENESIS_MINER: AccountId = 20;
/// Declared space of [`GENESIS_MINER`].
pub const GENESIS_MINER_SPACE: u64 = 3 * crate::TIB;
/// Seed of the libp2p key of [`GENESIS_MINER`] (see [`peer_pair`]).
pub const GENESIS_MINER_PEER: u8 = 200;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
}

thread_local! {
	/// Miners the mock file bank was told about by `OnMinerExit`.
	pub static EXITED: RefCell<Vec<AccountId>> = const { RefCell::new(Vec::new()) };
}

/// The mock file bank: records the miners whose fragments it should move.
pub struct MockRepair;

impl OnMinerExit<AccountId> for MockRepair {
	fn on_miner_exit(who: &AccountId) {
		EXITED.with(|exited| exited.borrow_mut().push(*who));
	}

	fn weight() -> Weight {
		Weight::from_parts(1_000_000, 0)
	}
}

/// Miners handed to [`MockRepair`] so far.
pub fn repaired_miners() -> Vec<AccountId> {
	EXITED.with(|exited| exited.borrow().clone())
}

/// What the mock audit says each miner owes: `(strikes, open challenge)`.
#[frame_support::storage_alias]
pub type MockObligationTable =
	StorageMap<MockAudit, frame_support::Blake2_128Concat, AccountId, (u32, bool)>;

/// The share of the collateral one strike costs at exit in the mock (the mock's strike limit is
/// 4, its slash 20 %).
pub const SLASH_PER_STRIKE: Perbill = Perbill::from_percent(5);

/// The mock audit: strikes and open challenges set by the tests.
pub struct MockAudit;

/// Gives `who` `strikes` strikes and an open challenge or none.
pub fn set_obligations(who: AccountId, strikes: u32, open_challenge: bool) {
	MockObligationTable::insert(who, (strikes, open_challenge));
}

impl AuditObligations<AccountId> for MockAudit {
	fn strikes(who: &AccountId) -> u32 {
		MockObligationTable::get(who).map_or(0, |(strikes, _)| strikes)
	}

	fn has_open_challenge(who: &AccountId) -> bool {
		MockObligationTable::get(who).is_some_and(|(_, open)| open)
	}

	fn settle_strikes(who: &AccountId) -> Perbill {
		let strikes = Self::strikes(who);
		MockObligationTable::mutate(who, |entry| {
			if let Some((strikes, _)) = entry {
				*strikes = 0;
			}
		});
		Perbill::from_parts(SLASH_PER_STRIKE.deconstruct().saturating_mul(strikes))
	}

	fn weight() -> Weight {
		Weight::from_parts(2_000_000, 0)
	}
}

impl pallet_sminer::Config for Test {
	type Currency = Balances;
	type Slashed = ResolveTo<TreasuryAccount, Balances>;
	type OnMinerExit = MockRepair;
	type Obligations = MockAudit;
	type DefaultCollateralPerTiB = ConstU128<1>;
	type DefaultExitCooldown = ConstU64<1_000>;
	type MaxMultiaddrs = ConstU32<4>;
	type MaxMultiaddrLen = ConstU32<64>;
	type SamplingAttemptsPerMiner = ConstU32<8>;
	type WeightInfo = ();
}

/// The libp2p node key with the seed `[seed; 32]`.
pub fn peer_pair(seed: u8) -> ed25519::Pair {
	ed25519::Pair::from_seed(&[seed; 32])
}

/// The public key of [`peer_pair`]`(seed)` and its binding signature for `who`.
pub fn peer_binding(seed: u8, who: AccountId) -> (ed25519::Public, ed25519::Signature) {
	let pair = peer_pair(seed);
	(pair.public(), pair.sign(&crate::peer_binding_message(&who)))
}

/// The PeerId of [`peer_pair`]`(seed)`.
pub fn peer_id(seed: u8) -> crate::PeerId {
	crate::PeerId::from_ed25519(&peer_pair(seed).public())
}

/// `count` distinct multiaddresses of `len` bytes each.
pub fn multiaddrs(count: u8, len: usize) -> MultiaddrsOf<Test> {
	(0..count)
		.map(|i| {
			MultiaddrOf::<Test>::try_from(vec![i.wrapping_add(1); len]).expect("fits the bound")
		})
		.collect::<Vec<_>>()
		.try_into()
		.expect("fits the bound")
}

/// Test externalities with the endowed accounts, the genesis parameters and [`GENESIS_MINER`],
/// a keystore (for the benchmarks' signing) and block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = cess_mock_support::genesis_with_balances::<Test>(
		ENDOWED
			.iter()
			.chain([GENESIS_MINER, TREASURY].iter())
			.map(|who| (*who, ENDOWMENT))
			.collect(),
	);
	pallet_sminer::GenesisConfig::<Test> {
		collateral_per_tib: Some(COLLATERAL_PER_TIB),
		exit_cooldown: Some(EXIT_COOLDOWN),
		miners: vec![(
			GENESIS_MINER,
			peer_pair(GENESIS_MINER_PEER).public().0,
			GENESIS_MINER_SPACE,
		)],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = cess_mock_support::start_at_block_one::<Test>(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	EXITED.with(|exited| exited.borrow_mut().clear());
	ext
}

/// Runs `test` in [`new_test_ext`] and then checks every storage invariant of the pallet.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Sminer::do_try_state().expect("storage invariants hold");
	});
}
