//! Mock runtime: frame-system, balances, the pallet, session (+ historical) with periodic
//! sessions and a seedable randomness.

use crate as pallet_r2s;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64, Hooks, Randomness},
};
use frame_system::EnsureRoot;
use pallet_session::{PeriodicSessions, SessionHandler};
use sp_runtime::{
	testing::UintAuthorityId,
	traits::{ConvertInto, Hash, OpaqueKeys},
	BuildStorage, KeyTypeId, Perbill,
};
use std::cell::RefCell;

type Block = frame_system::mocking::MockBlock<Test>;

/// Account balance type of the mock.
pub type Balance = u64;

// R2s comes before Session so that its genesis candidates exist when Session's genesis asks
// for the first validator set (without that order the genesis set falls back to the accounts
// with session keys), and Authorship before Session as in the runtime.
frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		R2s: pallet_r2s,
		Authorship: pallet_authorship,
		Session: pallet_session,
		Historical: pallet_session::historical,
		Offences: pallet_offences,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

/// Blocks per session in the mock.
pub const SESSION_LENGTH: u64 = 10;

parameter_types! {
	pub const Period: u64 = SESSION_LENGTH;
	pub const Offset: u64 = 0;
}

/// Session handler of the mock: accepts the one dummy key type and does nothing.
pub struct TestSessionHandler;
impl SessionHandler<u64> for TestSessionHandler {
	const KEY_TYPE_IDS: &'static [KeyTypeId] = &[sp_runtime::key_types::DUMMY];
	fn on_genesis_session<Ks: OpaqueKeys>(_validators: &[(u64, Ks)]) {}
	fn on_new_session<Ks: OpaqueKeys>(
		_changed: bool,
		_validators: &[(u64, Ks)],
		_queued_validators: &[(u64, Ks)],
	) {
	}
	fn on_disabled(_validator_index: u32) {}
}

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = u64;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = PeriodicSessions<Period, Offset>;
	type NextSessionRotation = PeriodicSessions<Period, Offset>;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Test, R2s>;
	type SessionHandler = TestSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<0>;
}

/// Finds the author set by [`run_to_block_with`].
pub struct MockFindAuthor;
impl frame_support::traits::FindAuthor<u64> for MockFindAuthor {
	fn find_author<'a, I>(_digests: I) -> Option<u64>
	where
		I: 'a + IntoIterator<Item = (sp_runtime::ConsensusEngineId, &'a [u8])>,
	{
		AUTHOR.with(|a| *a.borrow())
	}
}

impl pallet_authorship::Config for Test {
	type FindAuthor = MockFindAuthor;
	type EventHandler = R2s;
}

impl pallet_offences::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Test>;
	type OnOffenceHandler = R2s;
}

impl pallet_session::historical::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_r2s::UnitIdentificationOf;
}

thread_local! {
	static SEED: RefCell<u64> = const { RefCell::new(0) };
	static SLASHED: RefCell<Balance> = const { RefCell::new(0) };
	static AUTHOR: RefCell<Option<u64>> = const { RefCell::new(None) };
}

/// Set the seed the mock randomness derives its output from.
pub fn set_seed(seed: u64) {
	SEED.with(|s| *s.borrow_mut() = seed);
}

/// Total amount handed to the slash handler so far.
pub fn slashed_total() -> Balance {
	SLASHED.with(|s| *s.borrow())
}

/// Randomness of the mock: `hash(seed, subject)`, so it depends on the seed and the subject.
pub struct SeededRandomness;
impl Randomness<sp_core::H256, u64> for SeededRandomness {
	fn random(subject: &[u8]) -> (sp_core::H256, u64) {
		let seed = SEED.with(|s| *s.borrow());
		(<Test as frame_system::Config>::Hashing::hash_of(&(seed, subject)), System::block_number())
	}
}

/// Slash handler of the mock: counts the slashed funds (and drops them, burning them).
pub struct CountSlashed;
impl frame_support::traits::OnUnbalanced<crate::CreditOf<Test>> for CountSlashed {
	fn on_nonzero_unbalanced(amount: crate::CreditOf<Test>) {
		use frame_support::traits::Imbalance;
		SLASHED.with(|s| *s.borrow_mut() += amount.peek());
	}
}

/// Smallest bond.
pub const MIN_BOND: Balance = 100;
/// Unbonding delay in blocks.
pub const UNBONDING_DELAY: u64 = 50;
/// Credit threshold.
pub const THRESHOLD: u32 = 500;
/// Base credit.
pub const BASE: u32 = 700;
/// Credit cut per offence.
pub const CUT: u32 = 600;
/// Most candidates.
pub const MAX_CANDIDATES: u32 = 20;
/// Most active validators.
pub const MAX_ACTIVE: u32 = 11;
/// Most unbonding chunks.
pub const MAX_CHUNKS: u32 = 4;
/// Offence window in sessions.
pub const SLASHABLE_SESSIONS: u32 = 10;

parameter_types! {
	pub const MinSlash: Perbill = Perbill::from_percent(1);
}

impl pallet_r2s::Config for Test {
	type Currency = Balances;
	type Slashed = CountSlashed;
	type Randomness = SeededRandomness;
	type AdminOrigin = EnsureRoot<u64>;
	type SessionInterface = pallet_r2s::PalletSession<Test>;
	type MinBond = ConstU64<MIN_BOND>;
	type BondSaturation = ConstU32<10>;
	type MaxCandidates = ConstU32<MAX_CANDIDATES>;
	type MaxActive = ConstU32<MAX_ACTIVE>;
	type CreditThreshold = ConstU32<THRESHOLD>;
	type BaseCredit = ConstU32<BASE>;
	type OffenceCreditCut = ConstU32<CUT>;
	type MinSlash = MinSlash;
	type UnbondingDelay = ConstU64<UNBONDING_DELAY>;
	type MaxUnbondingChunks = ConstU32<MAX_CHUNKS>;
	type SlashableSessions = ConstU32<SLASHABLE_SESSIONS>;
	type WeightInfo = ();
}

/// Genesis of a mock chain.
pub struct ExtBuilder {
	/// Genesis candidates (account, bond); each also gets session keys.
	pub candidates: Vec<(u64, Balance)>,
	/// Accounts with session keys that are not candidates.
	pub keyed: Vec<u64>,
	/// Endowed accounts (account 1..=30 get this much).
	pub endowment: Balance,
	/// Seats (0: default).
	pub seats: u32,
	/// Minimum qualified (0: default).
	pub min_active: u32,
	/// Sessions per era.
	pub sessions_per_era: u32,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			candidates: vec![(1, 1000), (2, 1000), (3, 1000)],
			keyed: vec![],
			endowment: 10_000,
			seats: 3,
			min_active: 1,
			sessions_per_era: 2,
		}
	}
}

impl ExtBuilder {
	/// Set the genesis candidates.
	pub fn candidates(mut self, candidates: Vec<(u64, Balance)>) -> Self {
		self.candidates = candidates;
		self
	}
	/// Set the seats and the minimum.
	pub fn seats(mut self, seats: u32, min_active: u32) -> Self {
		self.seats = seats;
		self.min_active = min_active;
		self
	}
	/// Set the era length.
	pub fn sessions_per_era(mut self, sessions: u32) -> Self {
		self.sessions_per_era = sessions;
		self
	}
	/// Extra accounts with keys at genesis.
	pub fn keyed(mut self, keyed: Vec<u64>) -> Self {
		self.keyed = keyed;
		self
	}

	/// Build the externalities.
	pub fn build(self) -> sp_io::TestExternalities {
		set_seed(0);
		SLASHED.with(|s| *s.borrow_mut() = 0);
		let mut t = cess_mock_support::genesis_with_balances::<Test>(
			(1..=30).map(|who| (who, self.endowment)).collect(),
		);
		pallet_r2s::GenesisConfig::<Test> {
			candidates: self.candidates.clone(),
			seats: self.seats,
			min_active: self.min_active,
			sessions_per_era: self.sessions_per_era,
		}
		.assimilate_storage(&mut t)
		.unwrap();
		let keys = self
			.candidates
			.iter()
			.map(|(who, _)| *who)
			.chain(self.keyed.iter().copied())
			.map(|who| (who, who, UintAuthorityId(who)))
			.collect();
		pallet_session::GenesisConfig::<Test> { keys, ..Default::default() }
			.assimilate_storage(&mut t)
			.unwrap();
		cess_mock_support::start_at_block_one::<Test>(t)
	}

	/// Build the externalities, run `test`, then check the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			R2s::do_try_state().unwrap();
		});
	}
}

/// The current validators.
pub fn validators() -> Vec<u64> {
	pallet_session::Validators::<Test>::get()
}

/// The current session index.
pub fn session() -> u32 {
	pallet_session::CurrentIndex::<Test>::get()
}

/// Produce blocks up to and including `n`. Each block is authored by `author(block, set)`
/// (or nobody when it returns `None`); pallet-authorship reports the author to the pallet in
/// its `on_initialize`, before the session pallet's, as in the runtime.
pub fn run_to_block_with(n: u64, mut author: impl FnMut(u64, &[u64]) -> Option<u64>) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		let who = author(next, &validators());
		AUTHOR.with(|a| *a.borrow_mut() = who);
		Authorship::on_initialize(next);
		Session::on_initialize(next);
		Authorship::on_finalize(next);
	}
}

/// Produce blocks up to `n`, authored round-robin by the current validators.
pub fn run_to_block(n: u64) {
	run_to_block_with(n, |block, set| {
		if set.is_empty() {
			None
		} else {
			set.get((block as usize) % set.len()).copied()
		}
	});
}

/// Run until the start of session `index`, authored round-robin.
pub fn run_to_session(index: u32) {
	run_to_block(u64::from(index) * SESSION_LENGTH);
	assert_eq!(session(), index);
}

/// Give `who` session keys through pallet-session's `set_keys`.
pub fn set_keys(who: u64) {
	pallet_session::Pallet::<Test>::set_keys(
		RuntimeOrigin::signed(who),
		UintAuthorityId(who),
		vec![],
	)
	.unwrap();
}

/// The pallet's events so far.
pub fn r2s_events() -> Vec<pallet_r2s::Event<Test>> {
	cess_mock_support::events::<Test, _>()
}

/// Amount `who` holds for its bond.
pub fn held(who: u64) -> Balance {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(&crate::HoldReason::CandidateBond.into(), &who)
}
